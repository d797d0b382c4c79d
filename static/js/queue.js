/* The queue's keyboard: j/k move between rows, o (or Enter on the row) opens the item, c claims it,
   x ticks its checkbox for "claim selected". Keys do nothing while typing in a field or with a
   modifier held, so search boxes and the browser's own shortcuts keep working. */
(function () {
  "use strict";
  var table = document.querySelector("table[data-queue]");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-row]"));
  if (!rows.length) { return; }
  var current = -1;

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function select(index) {
    if (index < 0 || index >= rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("is-current"); rows[current].removeAttribute("aria-current"); }
    current = index;
    var row = rows[current];
    row.classList.add("is-current");
    row.setAttribute("aria-current", "true");
    var link = row.querySelector("a[data-open]");
    if (link) { link.focus({ preventScroll: true }); }
    row.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    if (key === "j") { select(current < 0 ? 0 : current + 1); event.preventDefault(); }
    else if (key === "k") { select(current < 0 ? 0 : current - 1); event.preventDefault(); }
    else if (current >= 0 && key === "o") {
      var link = rows[current].querySelector("a[data-open]");
      if (link) { event.preventDefault(); window.location.assign(link.href); }
    } else if (current >= 0 && key === "c") {
      var claim = rows[current].querySelector("button[data-claim]");
      if (claim) { event.preventDefault(); claim.click(); }
    } else if (current >= 0 && key === "x") {
      var box = rows[current].querySelector("input[type=checkbox]");
      if (box) { event.preventDefault(); box.checked = !box.checked; }
    }
  });

  // A click in a row (not on its controls) makes it the current row, so the keys continue from there.
  rows.forEach(function (row, index) {
    row.addEventListener("focusin", function () { if (current !== index) { select(index); } });
  });
}());
