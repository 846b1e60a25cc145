// Self-screen enhancement: show crisis resources the moment an answer suggests acute risk
// (a "yes" to thoughts of ending one's life, or PHQ-9 item 9 above 0). Without JavaScript the
// result page shows them instead.
(function () {
  "use strict";
  function risky(form) {
    var ending = form.querySelector('input[name="thoughts_of_ending_life"]:checked');
    var item9 = form.querySelector('input[name="phq9_9"]:checked');
    return (ending && ending.value === "yes") || (item9 && item9.value !== "0");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("crisis-live");
    if (!box) { return; }
    var form = box.parentElement.querySelector("form");
    if (!form) { return; }
    form.addEventListener("change", function () {
      var show = risky(form);
      if (show && box.hidden) {
        box.hidden = false;
        box.scrollIntoView({ behavior: "smooth", block: "start" });
      } else if (!show) {
        box.hidden = true;
      }
    });
  });
})();
