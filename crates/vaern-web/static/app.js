// Værn's own page script: start DKFDS components, re-start them after htmx swaps, and let "/"
// focus the search field (UX.md: search everywhere). No inline scripts, so the CSP can forbid them.
(function () {
  "use strict";
  function init(scope) {
    if (window.DKFDS) { window.DKFDS.init(scope ? { scope: scope } : undefined); }
  }
  document.addEventListener("DOMContentLoaded", function () { init(); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" || target.isContentEditable);
    if (event.key === "/" && !typing) {
      var search = document.getElementById("header-search");
      if (search) { event.preventDefault(); search.focus(); }
    }
  });
})();
