/* Session charting: the vitals and esketamine-device timers, discharge-time stamps, printing, and showing the server's
   422 answers (refused input with its messages) in place. No inline script: CSP script-src 'self'. */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tickTimers() {
    document.querySelectorAll(".vitals-timer[data-next-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-next-due"));
      if (isNaN(due)) { return; }
      var left = Math.round((due - Date.now()) / 1000);
      if (left > 0) {
        el.classList.remove("due");
        el.removeAttribute("role");
        el.textContent = (el.getAttribute("data-upcoming") || "Next vital signs in") + " " +
          Math.floor(left / 60) + ":" + pad(left % 60);
      } else {
        if (!el.classList.contains("due")) { el.setAttribute("role", "alert"); }
        el.classList.add("due");
        var late = Math.floor(-left / 60);
        el.textContent = (el.getAttribute("data-due-text") || "Vital signs due now") +
          (late > 0 ? " (" + late + " min late)" : "");
      }
    });
  }

  function nowClock() {
    var d = new Date();
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  // Ticking a discharge criterion stamps the time it was met; the nurse may correct it.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[type=checkbox][data-stamp]")) { return; }
    var time = document.getElementById(box.getAttribute("data-stamp"));
    if (time && box.checked && !time.value) { time.value = nowClock(); }
  });

  document.addEventListener("click", function (event) {
    if (event.target.matches && event.target.matches("[data-print]")) { window.print(); }
  });

  // Refused input comes back as 422 with the form and its messages: show it, do not drop it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", tickTimers);
  document.addEventListener("DOMContentLoaded", function () {
    tickTimers();
    window.setInterval(tickTimers, 1000);
  });
})();
