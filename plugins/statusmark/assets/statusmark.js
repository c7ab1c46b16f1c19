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
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(function () { localise(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { localise(document); });
  } else {
    localise(document);
  }
})();
