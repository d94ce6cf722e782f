// The search page's facets: folded on a phone (under the results), unfolded on a wide screen
// beside them. Without this script the <details> stays folded and opens with a tap.
(function () {
  "use strict";
  var fold = document.querySelector(".facets-fold");
  if (!fold || !window.matchMedia) { return; }
  var wide = window.matchMedia("(min-width: 50rem)");
  function apply() { fold.open = wide.matches; }
  apply();
  if (wide.addEventListener) { wide.addEventListener("change", apply); }
}());
