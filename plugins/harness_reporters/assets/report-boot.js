/* harness HTML report, part 5: start-up and links (report.html#trial=ID, #case=ID). */
document.getElementById("detail").addEventListener("close", onDialogClosed);
document.getElementById("detail").addEventListener("click", function (e) {
  if (e.target !== e.currentTarget) return; // a click on the backdrop (outside the dialog's box) closes it
  var box = e.currentTarget.getBoundingClientRect();
  if (e.clientX < box.left || e.clientX > box.right || e.clientY < box.top || e.clientY > box.bottom) e.currentTarget.close();
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
