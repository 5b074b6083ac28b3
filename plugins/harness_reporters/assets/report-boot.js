/* harness HTML report, part 5: start-up and links (report.html#trial=ID, #case=ID). */
document.getElementById("detail").addEventListener("close", onDialogClosed);
document.getElementById("detail").addEventListener("cancel", function (e) { e.preventDefault(); closeDialog(); }); // Escape
document.getElementById("detail").addEventListener("click", function (e) {
  if (e.target !== e.currentTarget) return; // a click on the backdrop (outside the dialog's box) closes it
  var box = e.currentTarget.getBoundingClientRect();
  if (e.clientX < box.left || e.clientX > box.right || e.clientY < box.top || e.clientY > box.bottom) closeDialog();
});
/* Tab and Shift+Tab wrap around inside the open dialog (the page behind it is inert). */
var FOCUSABLE = "a[href], button, input, select, textarea, summary, audio[controls], [tabindex]:not([tabindex='-1'])";
document.getElementById("detail").addEventListener("keydown", function (e) {
  if (e.key !== "Tab") return;
  var items = Array.prototype.filter.call(e.currentTarget.querySelectorAll(FOCUSABLE), function (n) { return n.getClientRects().length > 0; });
  if (!items.length) return;
  var first = items[0], last = items[items.length - 1];
  if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
  else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
});
/* ---------- boot ---------- */
renderHeader();
renderBaseline();
renderSummary();
renderCharts();
renderComparisons();
renderFilters();
refresh();
/* A link to "report.html#trial=ID" opens that trial. */
function openFromHash() {
  var hash = decodeURIComponent(location.hash || "");
  if (hash.indexOf("#trial=") === 0 && byId[hash.slice(7)]) openTrial(byId[hash.slice(7)], document.activeElement);
  else if (hash.indexOf("#case=") === 0 && groups[hash.slice(6)]) openCase(hash.slice(6), document.activeElement);
}
window.addEventListener("hashchange", openFromHash);
openFromHash();
document.documentElement.setAttribute("data-ready", "1");
window.harnessReadyMs = performance.now();
