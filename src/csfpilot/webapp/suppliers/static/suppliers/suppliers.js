// Times are stored and sent in UTC; show them in the reader's own time zone.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  function localize(root) {
    var lang = document.documentElement.lang || undefined;
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime())) return;
      var short = el.textContent.trim().length <= 10;
      var fmt = new Intl.DateTimeFormat(lang, short
        ? { hour: "2-digit", minute: "2-digit" }
        : { dateStyle: "medium", timeStyle: "short" });
      el.textContent = fmt.format(when);
      el.title = el.getAttribute("datetime");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { localize(document); });
  document.addEventListener("htmx:afterSwap", function (e) { localize(e.target); });
})();
