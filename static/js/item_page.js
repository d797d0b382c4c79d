/*
 * The item page: the live amount of a grading (written by grading.js into its [data-total]) is
 * repeated beside the action's button, pinned at the foot of the panel, so the editor sees what
 * they send while the grading form scrolls.
 */
(function () {
  "use strict";
  document.querySelectorAll("form.action").forEach(function (form) {
    var mirror = form.querySelector("[data-total-mirror]");
    var total = form.querySelector("[data-total]");
    if (!mirror || !total) { return; }
    function copy() { mirror.textContent = total.textContent; }
    copy();
    new MutationObserver(copy).observe(total, { childList: true, characterData: true, subtree: true });
  });
}());
