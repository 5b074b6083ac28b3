/* harness HTML report, part 3: filters, the cases x model/config matrix (a keyboard grid) and the trial list. */

/* ---------- filters ---------- */
var state = { failures: false, regressions: false, tag: "", column: "", query: "", group: "case" };
function searchText(t) {
  if (t._s === undefined) {
    var parts = [t.id, t.case_id, t.model, t.config_id, t.prompt_id, (t.tags || []).join(" "),
      t.request ? text(t.request.prompt) : "", t.output && t.output.text ? t.output.text : "", t.error ? t.error.message : ""];
    (t.turns || []).forEach(function (turn) { parts.push(turn.prompt, turn.output && turn.output.text ? turn.output.text : ""); });
    t._s = parts.join("\n").toLowerCase();
  }
  return t._s;
}
/* A regression is the core's: a case whose verdict went from pass to fail (harness.log.baseline). */
function regressed(t) { var d = caseDeltaOf(t); return !!d && d.change === "regressed"; }
function matches(t) {
  if (state.failures && t._v !== "fail" && t._v !== "error") return false;
  if (state.regressions && !regressed(t)) return false;
  if (state.tag && (t.tags || []).indexOf(state.tag) < 0) return false;
  if (state.column && t._col !== state.column) return false;
  if (state.query && searchText(t).indexOf(state.query) < 0) return false;
  return true;
}
function select(id, label, options, onChange) {
  var node = el("select", { id: id }, options.map(function (o) { return el("option", { value: o[0], text: o[1] }); }));
  node.addEventListener("change", function () { onChange(node.value); refresh(); });
  return el("label", null, label + " ", node);
}
function checkbox(id, label, onChange) {
  var box = el("input", { type: "checkbox", id: id });
  box.addEventListener("change", function () { onChange(box.checked); refresh(); });
  return el("label", null, box, " " + label);
}
function renderFilters() {
  var node = document.getElementById("filters");
  var tags = Object.keys(allTags).sort();
  var query = el("input", { type: "search", id: "f-search", "aria-label": "search", placeholder: "search case, prompt, answer, error…" });
  var timer = null;
  query.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.query = query.value.trim().toLowerCase(); refresh(); }, 150);
  });
  add(node, [
    checkbox("f-failures", "failures only", function (v) { state.failures = v; }),
    baseline ? checkbox("f-regressions", "regressions only", function (v) { state.regressions = v; }) : null,
    select("f-tag", "tag", [["", "all tags"]].concat(tags.map(function (t) { return [t, t]; })), function (v) { state.tag = v; }),
    select("f-column", "model / config", [["", "all models / configs"]].concat(columns.map(function (c) { return [c, c]; })), function (v) { state.column = v; }),
    select("f-group", "group trials by", [["case", "case"], ["tag", "tag"]], function (v) { state.group = v; }),
    query, el("span", { cls: "count", id: "f-count", role: "status" })]);
}

/* ---------- incremental rendering ---------- */
var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
  entries.forEach(function (e) { if (e.isIntersecting && e.target._more) e.target._more(); });
}, { rootMargin: "600px" }) : null;
/* Render items in chunks: more on scrolling near the end (unless manual) or on "Show more". Returns a function
   that renders the next chunk and says whether anything is left. */
function chunked(container, items, renderItem, size, manual) {
  var auto = observer && !manual;
  var pos = 0;
  var more = el("div", { cls: "more" });
  var button = el("button", { type: "button", cls: "show-more" });
  more.appendChild(button);
  function next() {
    var end = Math.min(items.length, pos + size);
    var frag = document.createDocumentFragment();
    for (; pos < end; pos++) frag.appendChild(renderItem(items[pos]));
    container.insertBefore(frag, more);
    if (pos >= items.length) { if (auto) observer.unobserve(more); more.remove(); }
    else button.textContent = "Show more (" + (items.length - pos) + " left)";
    return pos < items.length;
  }
  more._more = next;
  button.addEventListener("click", next);
  container.appendChild(more);
  next();
  if (auto && pos < items.length) observer.observe(more);
  return next;
}

/* ---------- matrix ---------- */
/* The case verdicts (a case's repeats judged together, with min_pass_rate), keyed like the matrix cells. */
var caseVerdicts = {};
(DATA.cases || []).forEach(function (g) { caseVerdicts[g.case_id + "\u0000" + rowKey(g)] = g; });
function cellVerdict(list, verdictOf) {
  var c = { pass: 0, fail: 0, error: 0, none: 0 };
  list.forEach(function (t) { c[t._v] += 1; });
  var n = list.length;
  var label = c.none === n ? n + " run" : c.pass + "/" + (n - c.none - c.error);
  if (c.error) label += " (" + c.error + " err)";
  if (verdictOf && verdictOf.min_pass_rate !== undefined && verdictOf.min_pass_rate !== null) label += " (min " + pct(verdictOf.min_pass_rate) + ")";
  var v = verdictOf ? (verdictOf.verdict === "unscored" ? "none" : verdictOf.verdict) : (c.pass === n ? "pass" : c.fail ? "fail" : c.error ? "error" : "none");
  return { v: v, label: label, counts: c, why: verdictOf ? verdictOf.explanation : "" };
}
/* The matrix is an ARIA grid: one cell is in the tab order; arrows, Home/End and Page Up/Down move; Enter or
   Space opens the cell's first trial (or, on a case's row header, the case's answers side by side). */
var KEYS = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0], PageDown: [10, 0], PageUp: [-10, 0] };
function gridKeys(table, renderMore) {
  table.addEventListener("keydown", function (e) {
    var cell = e.target.closest("td, th");
    if (!cell || !table.contains(cell) || !cell.hasAttribute("tabindex")) return;
    var row = cell.parentElement, rows = table.tBodies[0].rows, r = Array.prototype.indexOf.call(rows, row), c = cell.cellIndex;
    var move = KEYS[e.key], target = null;
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); if (cell._open) cell._open(); return; }
    if (move) {
      var want = r + move[0];
      while (want >= rows.length && renderMore && renderMore()) rows = table.tBodies[0].rows;
      want = Math.max(0, Math.min(rows.length - 1, want));
      target = rows[want].cells[Math.max(0, Math.min(rows[want].cells.length - 1, c + move[1]))];
    } else if (e.key === "Home") target = e.ctrlKey ? rows[0].cells[0] : row.cells[0];
    else if (e.key === "End") {
      if (e.ctrlKey) while (renderMore && renderMore()) rows = table.tBodies[0].rows;
      var last = e.ctrlKey ? rows[rows.length - 1] : row;
      target = last.cells[last.cells.length - 1];
    }
    if (!target) return;
    e.preventDefault();
    cell.setAttribute("tabindex", "-1");
    target.setAttribute("tabindex", "0");
    target.focus();
  });
}
function renderMatrix(filtered) {
  var node = clear(document.getElementById("matrix"));
  var cols = state.column ? [state.column] : columns;
  var cells = {}, rows = [];
  filtered.forEach(function (t) {
    if (!cells[t.case_id]) { cells[t.case_id] = {}; rows.push(t.case_id); }
    (cells[t.case_id][t._col] = cells[t.case_id][t._col] || []).push(t);
  });
  add(node, el("h2", { id: "matrix-title", text: "Cases × model / config (" + plural(rows.length, "case") + "; cells show passed/judged)" }));
  add(node, el("p", { cls: "muted hint", text: "Arrow keys move between cells; Enter opens a cell's trial, or on a case name its answers side by side." }));
  var head = el("tr", null, el("th", { scope: "col", text: "case" }));
  cols.forEach(function (c) { head.appendChild(el("th", { scope: "col", cls: "col", text: c })); });
  var body = el("tbody");
  var table = el("table", { cls: "matrix", id: "matrix-table", role: "grid", "aria-labelledby": "matrix-title" }, el("thead", null, head), body);
  node.appendChild(el("div", { cls: "scroll" }, table));
  var holder = el("div");
  node.appendChild(holder);
  var first = true;
  var more = chunked(holder, rows, function (caseId) {
    var name = el("th", { scope: "row", cls: "mono case-name", tabindex: first ? "0" : "-1", title: "open the answers of " + caseId + " side by side" }, caseId);
    first = false;
    name._open = function () { openCase(caseId, name); };
    name.addEventListener("click", name._open);
    var tr = el("tr", null, name);
    cols.forEach(function (c) {
      var list = cells[caseId][c];
      if (!list) { tr.appendChild(el("td", { cls: "cell", tabindex: "-1", "aria-label": "not run" }, "–")); return; }
      var cv = cellVerdict(list, caseVerdicts[caseId + "\u0000" + c]);
      var td = el("td", { cls: "cell v-" + cv.v, tabindex: "-1", title: caseId + " · " + c + (cv.why ? " · " + cv.why : ""), "data-case": caseId, "data-col": c },
        el("span", { cls: "mark", "aria-hidden": "true", text: MARK[cv.v] + " " }), cv.label, sr(" " + VERDICT_TEXT[cv.v]));
      td._open = function () { openTrial(list[0], td); };
      td.addEventListener("click", td._open);
      tr.appendChild(td);
    });
    body.appendChild(tr);
    return document.createDocumentFragment();
  }, CHUNK);
  gridKeys(table, more);
}

/* ---------- trial list (grouped by case, or by tag) ---------- */
function scoreLine(t) {
  if ((t._v === "fail" || t._v === "error") && t.reasons && t.reasons.length) return t.reasons.join("; ");
  if (t._v === "error" && t.error) return t.error.kind + ": " + t.error.message;
  return (t.scores || []).map(function (s) {
    return s.metric + "=" + num(s.value, s.metric) + (s.error ? " (error)" : s.passed === false ? " ✗" : s.passed === true ? " ✓" : "");
  }).join("  ");
}
/* A link to the trial (report.html#trial=ID): Enter or a click opens its dialog; a new tab opens it too. */
function trialRow(t) {
  var latency = t.output ? t.output.latency_ms : null;
  var row = el("a", { cls: "trial-row", href: "#trial=" + encodeURIComponent(t.id), "data-trial": t.id, "data-verdict": t._v },
    el("span", { cls: "badge v-" + t._v, text: t._v === "none" ? "ran" : t._v }),
    el("span", { text: t._col }), el("span", { cls: "muted", text: "#" + (t.repeat || 0) }),
    el("span", { cls: "scores", text: scoreLine(t) }), el("span", { cls: "num muted", text: msec(latency) }));
  row.addEventListener("click", function (e) { e.preventDefault(); openTrial(t, row); });
  return row;
}
function caseGroup(caseId, members) {
  var cv = cellVerdict(members);
  var compare = el("button", { type: "button", cls: "compare", text: "answers side by side" });
  compare.addEventListener("click", function () { openCase(caseId, compare); });
  var group = el("div", { cls: "case-group", "data-case": caseId },
    el("div", { cls: "case-head" }, el("h3", { cls: "case-id mono", text: caseId }),
      el("span", { cls: "badge v-" + cv.v, text: cv.label }), sr(VERDICT_TEXT[cv.v]),
      Object.keys(caseTags[caseId] || {}).map(function (tag) { return el("span", { cls: "tag", text: tag }); }), compare));
  members.forEach(function (t) { group.appendChild(trialRow(t)); });
  return group;
}
/* Sections of case groups: by case (one section), or one section per tag (a case with two tags is in both). */
function sections(filtered) {
  var order = [], byCase = {};
  filtered.forEach(function (t) {
    if (!byCase[t.case_id]) { byCase[t.case_id] = []; order.push(t.case_id); }
    byCase[t.case_id].push(t);
  });
  if (state.group !== "tag") return [{ title: null, cases: order, byCase: byCase }];
  var byTag = {}, tags = [];
  order.forEach(function (caseId) {
    var own = Object.keys(caseTags[caseId] || {});
    (own.length ? own : ["(no tag)"]).forEach(function (tag) {
      if (!byTag[tag]) { byTag[tag] = []; tags.push(tag); }
      byTag[tag].push(caseId);
    });
  });
  tags.sort();
  return tags.map(function (tag) { return { title: tag, cases: byTag[tag], byCase: byCase }; });
}
function tagSummary(caseIds, byCase) {
  var c = { pass: 0, fail: 0, error: 0, none: 0 };
  caseIds.forEach(function (id) { byCase[id].forEach(function (t) { c[t._v] += 1; }); });
  return plural(caseIds.length, "case") + " · " + c.pass + " passed, " + c.fail + " failed, " + c.error + " errored";
}
function renderTrials(filtered) {
  var node = clear(document.getElementById("trials"));
  add(node, el("h2", { text: "Trials (" + filtered.length + "), grouped by " + (state.group === "tag" ? "tag" : "case") }));
  var list = el("div", { id: "trial-list" });
  node.appendChild(list);
  if (!filtered.length) { add(list, el("p", { cls: "muted", text: "No trial matches the filters." })); return; }
  sections(filtered).forEach(function (section) {
    var holder = list;
    if (section.title !== null) {
      holder = el("section", { cls: "tag-group", "data-tag": section.title, "aria-label": "tag " + section.title },
        el("h3", { cls: "tag-title" }, el("span", { cls: "tag", text: section.title }), " ", el("span", { cls: "muted", text: tagSummary(section.cases, section.byCase) })));
      list.appendChild(holder);
    }
    chunked(holder, section.cases, function (caseId) { return caseGroup(caseId, section.byCase[caseId]); }, 60);
  });
}

function refresh() {
  var filtered = trials.filter(matches);
  document.getElementById("f-count").textContent = filtered.length + " of " + plural(trials.length, "trial");
  renderMatrix(filtered);
  renderTrials(filtered);
}
