/* ---------- header ---------- */
/* harness HTML report, part 2: the run header, the baseline, the summary, charts and comparisons. */
function renderHeader() {
  var node = clear(document.getElementById("run"));
  var totals = { tokens: 0, cost: null };
  summary.forEach(function (r) {
    totals.tokens += r.total_tokens || 0;
    if (typeof r.cost_usd === "number") totals.cost = (totals.cost || 0) + r.cost_usd;
  });
  var counts = { pass: 0, fail: 0, error: 0, none: 0 };
  trials.forEach(function (t) { counts[t._v] += 1; });
  var texts = run.config_texts || {};
  var configs = Object.keys(run.configs || {}).map(function (k) { return k + " (" + (texts[k] || JSON.stringify(run.configs[k])) + ")"; });
  var skipped = run.skipped || [];
  add(node, [
    el("h1", null, "harness · ", run.suite || "run"),
    run.description ? el("div", { cls: "muted", text: run.description }) : null,
    el("div", { cls: "facts" },
      fact("run", run.id), fact("status", run.status), fact("started", run.started_at),
      fact("duration", typeof run.duration_s === "number" ? run.duration_s.toFixed(1) + " s" : null),
      fact("git", run.git_revision),
      fact("harness", run.harness_version), fact("provider", run.provider + (run.emulator ? " (emulator)" : "")),
      fact("models", (run.models || []).join(", ")), fact("configs", configs.join(" · ")),
      fact("prompts", (run.prompts || []).join(", ")), fact("repeat", run.repeat)),
    el("div", { cls: "totals" },
      total(trials.length, trials.length === 1 ? "trial" : "trials"), total(counts.pass, "passed", "v-pass"), total(counts.fail, "failed", "v-fail"),
      total(counts.error, counts.error === 1 ? "error" : "errors", "v-error"), total(totals.tokens, totals.tokens === 1 ? "token" : "tokens"),
      skipped.length ? total(skipped.length, "skipped") : null,
      totals.cost === null ? null : total("$" + num(totals.cost, "cost_usd"), "cost")),
    skipped.length ? el("details", { cls: "skipped", id: "skipped" }, el("summary", { text: plural(skipped.length, "case") + " skipped (skip: true)" }),
      el("ul", null, skipped.map(function (k) { return el("li", null, el("span", { cls: "mono", text: k.case_id }), " · ", el("code", { text: k.file + (k.line ? ":" + k.line : "") })); }))) : null
  ]);
}
function fact(label, value) {
  if (value === undefined || value === null || value === "") return null;
  return el("span", null, el("b", { text: label + ": " }), String(value));
}
function total(value, label, cls) {
  return el("div", { cls: "total " + (cls || "") }, el("span", { cls: "n", text: typeof value === "number" ? num(value) : value }), label);
}

/* ---------- baseline ---------- */
function renderBaseline() {
  if (!baseline) return;
  var node = document.getElementById("baseline");
  node.hidden = false;
  add(node, el("h2", null, "Against baseline ", baseline.run_id ? el("code", { text: baseline.run_id }) : null));
  add(node, el("div", { cls: "totals" },
    total(baseline.regressions || 0, "regressed", baseline.regressions ? "v-fail" : ""),
    total(baseline.fixes || 0, "fixed", "v-pass"), total(baseline.errored || 0, "errored"), total(baseline.new || 0, "new"),
    total(baseline.missing || 0, "missing")));
  if (baseline.note) add(node, el("p", { cls: "muted", text: baseline.note }));
  var changedCases = (baseline.cases || []).filter(function (d) { return d.change === "regressed" || d.change === "fixed" || d.change === "errored"; });
  if (changedCases.length) {
    add(node, el("h3", { text: "Cases that changed verdict (regressions first)" }));
    var rank = { regressed: 0, errored: 1, fixed: 2 };
    changedCases.sort(function (a, b) { return rank[a.change] - rank[b.change]; });
    var list = el("div", { id: "regressions" });
    node.appendChild(list);
    chunked(list, changedCases, function (d) {
      var first = trials.filter(function (t) { return t.case_id === d.case_id && t.model === d.model && t.config_id === d.config_id && t.prompt_id === d.prompt_id; })[0];
      var deltas = Object.keys(d.metric_deltas || {}).map(function (m) { return m + " " + signed(d.metric_deltas[m]); }).join(", ");
      /* A link when this run has the case (Enter and clicks open it); plain text for a case only the baseline has. */
      var row = el(first ? "a" : "div", { cls: "trial-row", href: first ? "#trial=" + encodeURIComponent(first.id) : null, "data-case": d.case_id },
        el("span", { cls: "badge " + (d.change === "fixed" ? "v-pass" : d.change === "errored" ? "v-error" : "v-fail"), text: d.change }),
        el("span", null, d.case_id), el("span", { cls: "muted", text: d.model + " / " + d.config_id + " / " + d.prompt_id }),
        el("span", { cls: "scores", text: (d.explanation || "") + (d.changed && d.changed.length ? " · changed: " + d.changed.join(", ") : "") + (deltas ? " · " + deltas : "") }));
      if (first) row.addEventListener("click", function (e) { e.preventDefault(); openTrial(first, row); });
      return row;
    }, 10, true);
  }
  var flips = (baseline.trials || []).filter(function (d) { return d.change === "regressed" || d.change === "fixed"; });
  if (flips.length) add(node, el("p", { cls: "muted", text: plural(flips.length, "repeat") + " changed verdict; only case verdicts count (each trial shows its own change)." }));
  var metrics = baseline.metrics || [];
  if (metrics.length) {
    add(node, el("h3", { text: "Metric means, baseline → this run" }));
    var table = el("table", { id: "baseline-metrics" }, el("caption", { cls: "sr-only", text: "Metric means, baseline and this run" }),
      el("thead", null, el("tr", null, el("th", { text: "model / config / prompt" }), el("th", { text: "metric" }),
        el("th", { cls: "num", text: "before" }), el("th", { cls: "num", text: "after" }), el("th", { cls: "num", text: "Δ" }))));
    var body = el("tbody");
    metrics.forEach(function (m) {
      var cls = deltaClass(m.metric, m.delta, m.higher_is_better);
      body.appendChild(el("tr", { cls: cls ? "delta-" + cls : null },
        el("td", { text: m.model + " / " + m.config_id + " / " + m.prompt_id }), el("td", { text: m.metric }),
        el("td", { cls: "num", text: m.before_text || num(m.before, m.metric) }), el("td", { cls: "num", text: m.after_text || num(m.after, m.metric) }),
        el("td", { cls: "num " + cls, text: (m.delta_text || signed(m.delta)) + (cls === "worse" ? " ▲ worse" : cls === "better" ? " ▼ better" : "") })));
    });
    table.appendChild(body);
    node.appendChild(scrollBox(table, "Metric means, baseline and this run"));
  }
}

/* ---------- summary ---------- */
function metricNames() {
  var seen = {}, out = [];
  summary.forEach(function (r) { (r.metrics || []).forEach(function (m) { if (!seen[m.metric]) { seen[m.metric] = true; out.push(m.metric); } }); });
  return out;
}
function renderSummary() {
  var node = document.getElementById("summary");
  var metrics = metricNames();
  add(node, el("h2", { id: "summary-title", text: "Summary by model / config / prompt" }));
  var head = el("tr", null, el("th", { text: "model" }), el("th", { text: "config" }), el("th", { text: "prompt" }),
    el("th", { cls: "num", text: "passed" }), el("th", { text: "pass rate [95% CI]" }), el("th", { cls: "num", text: "errors" }));
  metrics.forEach(function (m) { head.appendChild(el("th", { text: m + " mean [95% CI]" })); });
  add(head, [el("th", { cls: "num", text: "latency p50 / p95" }), el("th", { cls: "num", text: "tokens in / out" }), el("th", { cls: "num", text: "cost" })]);
  var body = el("tbody");
  summary.forEach(function (r) {
    var tr = el("tr", null, el("td", { text: r.model }), el("td", { text: r.config_id }), el("td", { text: r.prompt_id }),
      el("td", { cls: "num", text: (r.passed || 0) + "/" + r.trials }),
      el("td", null, el("span", { cls: "badge " + rateClass(r.pass_rate), text: pct(r.pass_rate) }),
        r.pass_rate_ci ? el("span", { cls: "ci", text: " [" + pct(r.pass_rate_ci[0]) + ", " + pct(r.pass_rate_ci[1]) + "]" }) : null,
        typeof r.pass_all_repeats === "number"
          ? el("span", { cls: "agg", title: "pass^k: cases whose every repeat passed · pass@k: cases that passed at least once",
              text: "all repeats " + pct(r.pass_all_repeats) + " · any " + pct(r.pass_any_repeat) })
          : null),
      el("td", { cls: "num" + (r.errors ? " err" : ""), text: r.errors || 0 }));
    var by = {};
    (r.metrics || []).forEach(function (m) { by[m.metric] = m; });
    metrics.forEach(function (name) {
      var m = by[name];
      if (!m) { tr.appendChild(el("td", { text: "–" })); return; }
      var cell = m.categories && Object.keys(m.categories).length
        ? el("td", null, Object.keys(m.categories).sort().map(function (k) { return el("span", { cls: "agg", text: k + " " + m.categories[k] }); }))
        : el("td", { title: m.interval || null }, intervalText(m.text, m.mean, m.metric));
      if (typeof m.pass_rate === "number") add(cell, el("span", { cls: "agg", text: "passed " + pct(m.pass_rate) + " of " + m.n }));
      /* Headline aggregates (corpus-level rates, total cost) show; the rest are in the cell's tooltip. */
      var agg = m.aggregate || {}, more = [];
      Object.keys(agg).forEach(function (k) {
        var corpus = m.corpus && m.corpus.name === k ? m.corpus : null;
        var line = k + " " + (corpus && corpus.text ? corpus.text : num(agg[k], k));
        if (/^corpus_[a-z]+$/.test(k) || k === "cost_usd") add(cell, el("span", { cls: "agg", title: corpus && corpus.interval ? corpus.interval : null, text: (k === "cost_usd" ? "total " : "") + line }));
        else more.push(line);
      });
      if (more.length) cell.title = more.join("\n");
      tr.appendChild(cell);
    });
    add(tr, [el("td", { cls: "num", text: msec(r.latency_ms_p50) + " / " + msec(r.latency_ms_p95) }),
      el("td", { cls: "num", text: num(r.prompt_tokens || 0) + " / " + num(r.output_tokens || 0) }),
      el("td", { cls: "num", text: r.cost_text || "–" })]);
    body.appendChild(tr);
  });
  node.appendChild(scrollBox(el("table", { id: "summary-table" }, el("caption", { cls: "sr-only", text: "Summary by model, config and prompt" }), el("thead", null, head), body), "Summary table"));
  /* How each metric was computed (the scorers' own words, e.g. WER's normaliser and counting rule). */
  var methods = DATA.methods || [];
  if (methods.length) add(node, el("div", { cls: "methods", id: "methods" }, el("h3", { text: "How the metrics were computed" }),
    el("ul", null, methods.map(function (m) { return el("li", null, el("strong", { text: m.metric }), ": " + m.method); }))));
}
/* "0.42 [-2.66, 3.50]" as the reporter wrote it: the estimate, then the interval in muted text. */
function intervalText(textValue, value, metric) {
  if (!textValue) return num(value, metric);
  var at = textValue.indexOf(" [");
  return at < 0 ? textValue : [textValue.slice(0, at), el("span", { cls: "ci", text: textValue.slice(at) })];
}
/* A table that may be wider than the screen scrolls inside its own box, which the keyboard can reach. */
function scrollBox(table, label) {
  return el("div", { cls: "scroll", tabindex: "0", role: "region", "aria-label": label }, table);
}
function rateClass(rate) {
  if (typeof rate !== "number") return "v-none";
  return rate >= 0.999 ? "v-pass" : rate <= 0.001 ? "v-fail" : "v-mixed";
}

/* ---------- charts (inline SVG) ---------- */
function barChart(title, rows, fmt) {
  var labelW = 260, barW = 300, rowH = 22, top = 24;
  var max = 0;
  rows.forEach(function (r) { max = Math.max(max, r.high !== undefined && r.high !== null ? r.high : r.value); });
  if (!(max > 0)) max = 1;
  var height = top + rows.length * rowH + 6;
  var width = labelW + barW + 90;
  var svg = svgEl("svg", { viewBox: "0 0 " + width + " " + height, width: width, role: "img", "aria-label": title, "class": "chart" });
  svg.appendChild(svgEl("title", {}, title));
  svg.appendChild(svgEl("text", { x: 0, y: 14, "font-weight": 600 }, title));
  rows.forEach(function (r, i) {
    var y = top + i * rowH;
    var label = r.label.length > 40 ? r.label.slice(0, 39) + "…" : r.label;
    svg.appendChild(svgEl("text", { x: 0, y: y + 14 }, label));
    var w = Math.max(1, (r.value / max) * barW);
    svg.appendChild(svgEl("rect", { x: labelW, y: y + 3, width: w, height: rowH - 8, fill: "#6b8fd6", rx: 2 }));
    if (typeof r.low === "number" && typeof r.high === "number") {
      var x1 = labelW + (Math.max(0, r.low) / max) * barW, x2 = labelW + (r.high / max) * barW, cy = y + rowH / 2;
      svg.appendChild(svgEl("line", { x1: x1, x2: x2, y1: cy, y2: cy, stroke: "#1d2430", "stroke-width": 1.5 }));
      svg.appendChild(svgEl("line", { x1: x1, x2: x1, y1: cy - 4, y2: cy + 4, stroke: "#1d2430" }));
      svg.appendChild(svgEl("line", { x1: x2, x2: x2, y1: cy - 4, y2: cy + 4, stroke: "#1d2430" }));
    }
    svg.appendChild(svgEl("text", { x: labelW + barW + 6, y: y + 14 }, fmt(r.value, r)));
  });
  return svg;
}
function renderCharts() {
  var node = document.getElementById("charts");
  var wer = [], latency = [];
  summary.forEach(function (r) {
    (r.metrics || []).forEach(function (m) {
      if (m.metric === "wer" && typeof m.mean === "number") wer.push({ label: rowKey(r), value: m.mean, low: m.ci_low, high: m.ci_high, text: m.text });
    });
    if (typeof r.latency_ms_p50 === "number") latency.push({ label: rowKey(r), value: r.latency_ms_p50 });
  });
  if (!wer.length && !latency.length) return;
  add(node, el("h2", { text: "Charts" }));
  if (wer.length) node.appendChild(barChart("Mean WER (95% CI)", wer, function (v, r) { return r.text ? r.text.split(" [")[0] : num(v, "wer"); }));
  if (latency.length) node.appendChild(barChart("Latency p50", latency, msec));
}

/* ---------- paired comparisons ---------- */
/* Rows that differ in one factor, B against A on the same cases; Holm-adjusted per family. Quality first,
   cost and usage apart (never "better"/"significant"); then what the suite can detect. */
function pval(v) { return typeof v === "number" ? (v < 0.001 ? "<0.001" : v.toFixed(3)) : "–"; }
function comparisonTable(id, comps) {
  comps.sort(function (a, b) {
    return (a.label === "no clear difference" ? 1 : 0) - (b.label === "no clear difference" ? 1 : 0) ||
      (a.p_adjusted === undefined || a.p_adjusted === null ? 1 : a.p_adjusted) - (b.p_adjusted === undefined || b.p_adjusted === null ? 1 : b.p_adjusted);
  });
  var body = el("tbody");
  comps.slice(0, 300).forEach(function (c) {
    var clear = c.label === "better" || c.label === "worse";
    body.appendChild(el("tr", { cls: clear ? "significant" : null },
      el("td", { text: c.factor || "–" }), el("td", { text: c.a_level || c.a }), el("td", { text: c.b_level || c.b }),
      el("td", { cls: "muted", text: c.held_fixed || "" }), el("td", { text: c.metric }), el("td", { cls: "num", text: c.n }),
      el("td", { cls: "num", text: c.a_text || num(c.a_value, c.metric) }), el("td", { cls: "num", text: c.b_text || num(c.b_value, c.metric) }),
      el("td", { cls: "num" }, intervalText(c.diff_text, c.mean_diff, c.metric)),
      el("td", { cls: "num", text: pval(c.p_value) }), el("td", { cls: "num", text: pval(c.p_adjusted) }),
      el("td", { cls: clear ? c.label : "muted", text: c.label, title: c.test || "" })));
  });
  var head = ["factor", "A", "B", "held fixed", "statistic", "cases", "A value", "B value", "B − A [95% CI]", "p", "p adj (Holm)", "B vs A"];
  return scrollBox(el("table", { id: id }, el("caption", { cls: "sr-only", text: id === "comparisons-table" ? "Quality comparisons" : "Cost and usage comparisons" }),
    el("thead", null, el("tr", null, head.map(function (h, i) { return el("th", { scope: "col", cls: i >= 5 && i <= 10 ? "num" : null, text: h }); }))), body), id === "comparisons-table" ? "Quality comparisons" : "Cost and usage comparisons");
}
function renderComparisons() {
  var comps = DATA.comparisons || [], power = DATA.power || [];
  if (!comps.length && !power.length) return;
  var node = document.getElementById("comparisons");
  var quality = comps.filter(function (c) { return c.role !== "cost"; });
  var cost = comps.filter(function (c) { return c.role === "cost"; });
  var found = quality.filter(function (c) { return c.label === "better" || c.label === "worse"; }).length;
  add(node, el("h2", { text: "Paired comparisons (" + found + " of " + quality.length + (found === 1 ? " shows" : " show") + " a clear difference)" }));
  add(node, el("p", { cls: "muted", text: "B against A on the same cases, one factor at a time; p-values adjusted with Holm's method over the comparisons of each table." }));
  if (quality.length) node.appendChild(comparisonTable("comparisons-table", quality.slice()));
  if (cost.length) {
    add(node, el("h3", { text: "Cost and usage (not quality)" }));
    node.appendChild(comparisonTable("cost-comparisons-table", cost.slice()));
  }
  if (comps.length > 600) add(node, el("div", { cls: "muted", text: "the tables show 300 comparisons each; all are in results.json" }));
  if (power.length) {
    add(node, el("h3", { text: "What this suite can detect" }));
    node.appendChild(el("ul", { id: "detectable" }, power.map(function (p) { return el("li", { text: p.text || p.note || "" }); })));
  }
}
