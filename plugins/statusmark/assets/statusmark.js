// Times are written in UTC in the HTML; with JavaScript they switch to the reader's zone.
(function () {
  "use strict";
  function localise(root) {
    var format = new Intl.DateTimeFormat(undefined, {
      year: "numeric", month: "short", day: "numeric",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
    root.querySelectorAll("time[data-sm-time]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) return;
      el.title = el.textContent;  // keep the UTC text at hand
      el.textContent = format.format(when);
      el.removeAttribute("data-sm-time");
    });
  }
  // Uptime bars: one tab stop per bar; arrow keys, Home and End move between days.
  function roving(root) {
    root.querySelectorAll(".sm-bars").forEach(function (group) {
      if (group.dataset.smRoving) return;
      group.dataset.smRoving = "1";
      group.addEventListener("keydown", function (event) {
        var days = Array.prototype.slice.call(group.querySelectorAll(".sm-bar"));
        var index = days.indexOf(document.activeElement);
        if (index < 0) return;
        var moves = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: days.length - 1 };
        if (!(event.key in moves)) return;
        var next = days[Math.max(0, Math.min(days.length - 1, moves[event.key]))];
        days[index].tabIndex = -1;
        next.tabIndex = 0;
        next.focus();
        event.preventDefault();
      });
    });
  }
  function ready() { localise(document); roving(document); }
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(ready);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
