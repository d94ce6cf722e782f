// Copy buttons of the citation block (templates/_partials/citation.html): no inline script (CSP).
// Each button[data-copy] copies the text of the element with that id; without script, the text stays selectable.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    var label = button.innerHTML;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = "복사됨 Copied";
        setTimeout(function () { button.innerHTML = label; }, 2000);
      });
    });
  });
});
