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
// Live countdowns for deadlines (the server renders the same text; this keeps it current). They
// count by the server's clock, not this PC's, which may be off: the page carries the server's time
// of rendering (<body data-now>), and the difference to this PC's clock, taken once at load,
// corrects every tick.
(function () {
  "use strict";
  var offset = 0;
  function now() { return Date.now() + offset; }
  function text(ms) {
    var span = Math.abs(ms), minutes = Math.floor(span / 60000), hours = Math.floor(minutes / 60),
        days = Math.floor(hours / 24), out;
    if (days >= 2) { out = days + " dage"; }
    else if (hours >= 1) { out = hours + " t " + (minutes % 60) + " min"; }
    else { out = Math.max(minutes, 1) + " min"; }
    return ms < 0 ? "overskredet med " + out : "om " + out;
  }
  function tick() {
    var nodes = document.querySelectorAll("[data-due]");
    for (var i = 0; i < nodes.length; i++) {
      var due = Date.parse(nodes[i].getAttribute("data-due"));
      if (!isNaN(due)) { nodes[i].textContent = text(due - now()); }
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var server = Date.parse(document.body.getAttribute("data-now"));
    if (!isNaN(server)) { offset = server - Date.now(); }
    tick();
    setInterval(tick, 30000);
  });
})();
// Autosave: when the tab is hidden or closed, send the draft at once instead of after the pause
// — but not while the form itself is being saved, which would bring back what was just saved.
(function () {
  "use strict";
  var saving = false;
  document.addEventListener("submit", function (event) {
    if (event.target && event.target.id === "dimension-form") { saving = true; }
  });
  document.addEventListener("visibilitychange", function () {
    var status = document.getElementById("autosave-status");
    if (!saving && document.visibilityState === "hidden" && status && window.htmx) {
      window.htmx.trigger(status, "flush");
    }
  });
})();
