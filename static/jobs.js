// The job page: ask how far the job got every second and say it in the live region;
// when the job ends, load the page again to show its report.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "yes") { return; }
  var status = document.getElementById("job-status");
  var bar = document.getElementById("job-progress");
  var last = "";
  // the page's language: state names and the sentence come from the page (the JSON stays Korean)
  var states = JSON.parse(box.dataset.states || "{}");
  var sentence = box.dataset.progress || "{done} {rejected}";
  function show(job) {
    var total = job.total === null ? "" : " / " + job.total;
    var text = (states[job.state] || job.label) + " — " +
      sentence.replace("{done}", job.done + total).replace("{rejected}", job.rejected);
    if (text !== last) { status.textContent = text; last = text; }
    if (job.total) { bar.max = job.total; bar.value = job.done; bar.textContent = job.done + total; }
  }
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) {
        show(job);
        if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
