/* harness HTML report. Builds every node with textContent; data never goes through an HTML parser. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("harness-data").textContent);
  var CHUNK = 150;
  var SVGNS = "http://www.w3.org/2000/svg";

  /* ---------- DOM helpers ---------- */
  function el(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (key) {
        var value = props[key];
        if (value === undefined || value === null) return;
        if (key === "text") node.textContent = String(value);
        else if (key === "cls") node.className = value;
        else if (key === "onclick") node.addEventListener("click", value);
        else node.setAttribute(key, String(value));
      });
    }
    for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
    return node;
  }
  function add(node, child) {
    if (child === undefined || child === null || child === false) return node;
    if (Array.isArray(child)) child.forEach(function (c) { add(node, c); });
    else if (typeof child === "object" && child.nodeType) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
    return node;
  }
  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  /* ---------- formatting ---------- */
  function num(v, digits) {
    if (v === undefined || v === null || typeof v !== "number" || !isFinite(v)) return "–";
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString("en-US");
    var d = digits === undefined ? 3 : digits;
    return Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(d)).toString();
  }
  function pct(v) { return typeof v === "number" ? (v * 100).toFixed(1) + "%" : "–"; }
  function msec(v) { return typeof v === "number" ? (v >= 10000 ? (v / 1000).toFixed(1) + " s" : Math.round(v) + " ms") : "–"; }
  function bytes(n) {
    if (typeof n !== "number") return "–";
    if (n < 1024) return n + " B";
    if (n < 1048576) return (n / 1024).toFixed(1) + " KiB";
    return (n / 1048576).toFixed(2) + " MiB";
  }
  function signed(v) { return typeof v === "number" ? (v > 0 ? "+" : "") + num(v) : "–"; }
  function ci(low, high, f) {
    if (typeof low !== "number" || typeof high !== "number") return null;
    f = f || num;
    return el("span", { cls: "ci" }, " [" + f(low) + ", " + f(high) + "]");
  }
  function pretty(value) {
    try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); }
  }
  function kv(pairs) {
    var dl = el("dl", { cls: "kv" });
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === "") return;
      dl.appendChild(el("dt", { text: p[0] }));
      add(dl, el("dd", null, p[1]));
    });
    return dl;
  }
  /* Whether a larger value is worse: the scorer declares it (higher_is_better); results written before
     that field existed fall back to the metric's name. Used to colour baseline deltas. */
  function lowerIsBetter(metric, higherIsBetter) {
    if (typeof higherIsBetter === "boolean") return !higherIsBetter;
    return /wer|cer|mer|wil|error|latency|ttft|cost|distance|time/i.test(metric);
  }
  function deltaClass(metric, d, higherIsBetter) {
    if (typeof d !== "number" || d === 0) return "";
    return (d > 0) === lowerIsBetter(metric, higherIsBetter) ? "worse" : "better";
  }

  /* ---------- data preparation ---------- */
  var run = DATA.run || {};
  var texts = DATA.texts || [];
  var trials = DATA.trials || [];
  var summary = DATA.summary || [];
  var baseline = DATA.baseline || null;
  var prompts = {};
  trials.forEach(function (t) { prompts[t.prompt_id] = true; });
  var multiPrompt = Object.keys(prompts).length > 1;

  function colKey(t) { return t.model + " / " + t.config_id + (multiPrompt ? " / " + t.prompt_id : ""); }
  function rowKey(r) { return r.model + " / " + r.config_id + (multiPrompt ? " / " + r.prompt_id : ""); }
  /* The core decides every verdict (harness.log.verdicts); older files carry only status and passed. */
  function verdict(t) {
    if (t.verdict) return t.verdict === "unscored" ? "none" : t.verdict;
    if (t.status === "error") return "error";
    if (t.passed === true) return "pass";
    if (t.passed === false) return "fail";
    return "none";
  }
  function text(ref) { return typeof ref === "number" ? texts[ref] : ref; }
  /* Strings that repeat across trials are stored once: {"$t": index} in details and media fields. */
  function resolve(v) { return v !== null && typeof v === "object" && typeof v.$t === "number" ? texts[v.$t] : v; }
  /* Case vars, media lists and configs shared by many trials are stored once: {"$j": index} of their JSON. */
  var jsonCache = {};
  function resolveJson(v) {
    if (v === null || typeof v !== "object" || typeof v.$j !== "number") return v;
    if (!(v.$j in jsonCache)) jsonCache[v.$j] = JSON.parse(texts[v.$j]);
    return jsonCache[v.$j];
  }
  /* Alignments arrive compacted as {"$align": [[code, ref words, hyp words?], ...]}. */
  var OPS = { "=": "equal", s: "substitute", d: "delete", i: "insert" };
  function expandAlignment(a) {
    if (Array.isArray(a)) return a;
    if (!a || !Array.isArray(a.$align)) return null;
    return a.$align.map(function (r) {
      var ref = r[1] ? r[1].split(" ") : [];
      var hyp = r.length > 2 ? (r[2] ? r[2].split(" ") : []) : ref;
      return { op: OPS[r[0]] || "equal", ref: ref, hyp: hyp };
    });
  }

  var byId = {};
  var columns = [];
  var colSeen = {};
  var caseOrder = [];
  var caseTags = {};
  var allTags = {};
  var groups = {}; // case -> col -> [trial]
  trials.forEach(function (t, i) {
    t._i = i;
    t.vars = resolveJson(t.vars);
    t.media = resolveJson(t.media);
    t.config = resolveJson(t.config);
    t._v = verdict(t);
    t._col = colKey(t);
    byId[t.id] = t;
    if (!colSeen[t._col]) { colSeen[t._col] = true; columns.push(t._col); }
    if (!groups[t.case_id]) { groups[t.case_id] = {}; caseOrder.push(t.case_id); caseTags[t.case_id] = {}; }
    (groups[t.case_id][t._col] = groups[t.case_id][t._col] || []).push(t);
    (t.tags || []).forEach(function (tag) { allTags[tag] = true; caseTags[t.case_id][tag] = true; });
  });
  var deltaById = {};
  if (baseline) (baseline.trials || []).forEach(function (d) { deltaById[d.trial_id] = d; });

  /* ---------- header ---------- */
  function renderHeader() {
    var node = clear(document.getElementById("run"));
    var totals = { tokens: 0, cost: null };
    summary.forEach(function (r) {
      totals.tokens += r.total_tokens || 0;
      if (typeof r.cost_usd === "number") totals.cost = (totals.cost || 0) + r.cost_usd;
    });
    var counts = { pass: 0, fail: 0, error: 0, none: 0 };
    trials.forEach(function (t) { counts[t._v] += 1; });
    var configs = Object.keys(run.configs || {}).map(function (k) { return k + " " + JSON.stringify(run.configs[k]); });
    add(node, [
      el("h1", null, "harness · ", run.suite || "run"),
      run.description ? el("div", { cls: "muted", text: run.description }) : null,
      el("div", { cls: "facts" },
        fact("run", run.id), fact("status", run.status), fact("started", run.started_at),
        fact("duration", typeof run.duration_s === "number" ? run.duration_s.toFixed(1) + " s" : null),
        fact("git", run.git_revision ? run.git_revision.replace(/^([0-9a-f]{12})[0-9a-f]+/, "$1") : null),
        fact("harness", run.harness_version), fact("provider", run.provider + (run.emulator ? " (emulator)" : "")),
        fact("models", (run.models || []).join(", ")), fact("configs", configs.join(" · ")),
        fact("prompts", (run.prompts || []).join(", ")), fact("repeat", run.repeat)),
      el("div", { cls: "totals" },
        total(trials.length, "trials"), total(counts.pass, "passed", "v-pass"), total(counts.fail, "failed", "v-fail"),
        total(counts.error, "errors", "v-error"), total(totals.tokens, "tokens"),
        totals.cost === null ? null : total("$" + totals.cost.toFixed(4), "cost"))
    ]);
  }
  function fact(label, value) {
    if (value === undefined || value === null || value === "") return null;
    return el("span", null, el("b", { text: label + ": " }), String(value));
  }
  function total(value, label, cls) {
    return el("div", { cls: "total" }, el("span", { cls: "n " + (cls || ""), text: typeof value === "number" ? num(value) : value }), label);
  }

  /* ---------- baseline ---------- */
  function renderBaseline() {
    if (!baseline) return;
    var node = document.getElementById("baseline");
    node.hidden = false;
    add(node, el("h2", null, "Against baseline ", el("code", { text: baseline.run_id })));
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
        var row = el("div", { cls: "trial-row", tabindex: "0", role: "button", "data-case": d.case_id },
          el("span", { cls: "badge " + (d.change === "fixed" ? "v-pass" : d.change === "errored" ? "v-error" : "v-fail"), text: d.change }),
          el("span", null, d.case_id), el("span", { cls: "muted", text: d.model + " / " + d.config_id + " / " + d.prompt_id }),
          el("span", { cls: "scores", text: (d.explanation || "") + (d.changed && d.changed.length ? " · changed: " + d.changed.join(", ") : "") + (deltas ? " · " + deltas : "") }),
          el("span"));
        if (first) {
          row.addEventListener("click", function () { openTrial(first); });
          row.addEventListener("keydown", function (e) { if (e.key === "Enter") openTrial(first); });
        }
        return row;
      }, 10, true);
    }
    var flips = (baseline.trials || []).filter(function (d) { return d.change === "regressed" || d.change === "fixed"; });
    if (flips.length) add(node, el("p", { cls: "muted", text: flips.length + " repeats changed verdict; only case verdicts count (each trial shows its own change)." }));
    var metrics = baseline.metrics || [];
    if (metrics.length) {
      add(node, el("h3", { text: "Metric means, baseline → this run" }));
      var table = el("table", { id: "baseline-metrics" },
        el("thead", null, el("tr", null, el("th", { text: "model / config / prompt" }), el("th", { text: "metric" }),
          el("th", { cls: "num", text: "before" }), el("th", { cls: "num", text: "after" }), el("th", { cls: "num", text: "Δ" }))));
      var body = el("tbody");
      metrics.forEach(function (m) {
        var cls = deltaClass(m.metric, m.delta, m.higher_is_better);
        body.appendChild(el("tr", { cls: cls ? "delta-" + cls : null },
          el("td", { text: m.model + " / " + m.config_id + " / " + m.prompt_id }), el("td", { text: m.metric }),
          el("td", { cls: "num", text: num(m.before) }), el("td", { cls: "num", text: num(m.after) }),
          el("td", { cls: "num " + cls, text: signed(m.delta) + (cls === "worse" ? " ▲ worse" : cls === "better" ? " ▼ better" : "") })));
      });
      table.appendChild(body);
      node.appendChild(table);
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
    add(node, el("h2", { text: "Summary by model / config / prompt" }));
    var head = el("tr", null, el("th", { text: "model" }), el("th", { text: "config" }), el("th", { text: "prompt" }),
      el("th", { cls: "num", text: "passed" }), el("th", { text: "pass rate [95% CI]" }), el("th", { cls: "num", text: "errors" }));
    metrics.forEach(function (m) { head.appendChild(el("th", { text: m + " mean [95% CI]" })); });
    add(head, [el("th", { cls: "num", text: "latency p50 / p95" }), el("th", { cls: "num", text: "tokens in / out" }), el("th", { cls: "num", text: "cost" })]);
    var body = el("tbody");
    summary.forEach(function (r) {
      var tr = el("tr", null, el("td", { text: r.model }), el("td", { text: r.config_id }), el("td", { text: r.prompt_id }),
        el("td", { cls: "num", text: (r.passed || 0) + "/" + r.trials }),
        el("td", null, el("span", { cls: "badge " + rateClass(r.pass_rate), text: pct(r.pass_rate) }),
          r.pass_rate_ci ? ci(r.pass_rate_ci[0], r.pass_rate_ci[1], pct) : null,
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
          : el("td", { title: m.interval || null }, num(m.mean), ci(m.ci_low, m.ci_high));
        if (typeof m.pass_rate === "number") add(cell, el("span", { cls: "agg", text: "passed " + pct(m.pass_rate) + " of " + m.n }));
        /* Headline aggregates (corpus-level rates, total cost) show; the rest are in the cell's tooltip. */
        var agg = m.aggregate || {}, more = [];
        Object.keys(agg).forEach(function (k) {
          var line = k + " " + num(agg[k], 4);
          var corpus = m.corpus && m.corpus.name === k ? m.corpus : null;
          if (/^corpus_[a-z]+$/.test(k) || k === "cost_usd") add(cell, el("span", { cls: "agg", title: corpus && corpus.interval ? corpus.interval : null, text: (k === "cost_usd" ? "total " : "") + line }, corpus ? ci(corpus.ci_low, corpus.ci_high) : null));
          else more.push(line);
        });
        if (more.length) cell.title = more.join("\n");
        tr.appendChild(cell);
      });
      add(tr, [el("td", { cls: "num", text: msec(r.latency_ms_p50) + " / " + msec(r.latency_ms_p95) }),
        el("td", { cls: "num", text: num(r.prompt_tokens || 0) + " / " + num(r.output_tokens || 0) }),
        el("td", { cls: "num", text: typeof r.cost_usd === "number" ? "$" + r.cost_usd.toFixed(4) : "–" })]);
      body.appendChild(tr);
    });
    node.appendChild(el("div", { cls: "matrix-wrap" }, el("table", { id: "summary-table" }, el("thead", null, head), body)));
    /* How each metric was computed (the scorers' own words, e.g. WER's normaliser and counting rule). */
    var methods = DATA.methods || [];
    if (methods.length) add(node, el("div", { cls: "methods", id: "methods" }, el("h3", { text: "How the metrics were computed" }),
      el("ul", null, methods.map(function (m) { return el("li", null, el("strong", { text: m.metric }), ": " + m.method); }))));
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
    var svg = svgEl("svg", { width: labelW + barW + 90, height: height, role: "img", "class": "chart" });
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
      svg.appendChild(svgEl("text", { x: labelW + barW + 6, y: y + 14 }, fmt(r.value)));
    });
    return svg;
  }
  function renderCharts() {
    var node = document.getElementById("charts");
    var wer = [], latency = [];
    summary.forEach(function (r) {
      (r.metrics || []).forEach(function (m) {
        if (m.metric === "wer" && typeof m.mean === "number") wer.push({ label: rowKey(r), value: m.mean, low: m.ci_low, high: m.ci_high });
      });
      if (typeof r.latency_ms_p50 === "number") latency.push({ label: rowKey(r), value: r.latency_ms_p50 });
    });
    if (!wer.length && !latency.length) return;
    add(node, el("h2", { text: "Charts" }));
    if (wer.length) node.appendChild(barChart("Mean WER (95% CI)", wer, num));
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
        el("td", { cls: "num", text: num(c.a_value) }), el("td", { cls: "num", text: num(c.b_value) }),
        el("td", { cls: "num" }, signed(c.mean_diff), ci(c.ci_low, c.ci_high)),
        el("td", { cls: "num", text: pval(c.p_value) }), el("td", { cls: "num", text: pval(c.p_adjusted) }),
        el("td", { cls: clear ? c.label : "muted", text: c.label, title: c.test || "" })));
    });
    var head = ["factor", "A", "B", "held fixed", "statistic", "cases", "A", "B", "B − A [95% CI]", "p", "p adj (Holm)", "B vs A"];
    return el("div", { cls: "matrix-wrap" }, el("table", { id: id },
      el("thead", null, el("tr", null, head.map(function (h, i) { return el("th", { cls: i >= 5 && i <= 10 ? "num" : null, text: h }); }))), body));
  }
  function renderComparisons() {
    var comps = DATA.comparisons || [], power = DATA.power || [];
    if (!comps.length && !power.length) return;
    var node = document.getElementById("comparisons");
    var quality = comps.filter(function (c) { return c.role !== "cost"; });
    var cost = comps.filter(function (c) { return c.role === "cost"; });
    var found = quality.filter(function (c) { return c.label === "better" || c.label === "worse"; }).length;
    add(node, el("h2", { text: "Paired comparisons (" + found + " of " + quality.length + " show a clear difference)" }));
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

  /* ---------- filters ---------- */
  var state = { failures: false, tag: "", column: "", query: "" };
  function searchText(t) {
    if (t._s === undefined) {
      var parts = [t.id, t.case_id, t.model, t.config_id, t.prompt_id, (t.tags || []).join(" "),
        t.request ? text(t.request.prompt) : "", t.output && t.output.text ? t.output.text : "", t.error ? t.error.message : ""];
      (t.turns || []).forEach(function (turn) { parts.push(turn.prompt, turn.output && turn.output.text ? turn.output.text : ""); });
      t._s = parts.join("\n").toLowerCase();
    }
    return t._s;
  }
  function matches(t) {
    if (state.failures && t._v !== "fail" && t._v !== "error") return false;
    if (state.tag && (t.tags || []).indexOf(state.tag) < 0) return false;
    if (state.column && t._col !== state.column) return false;
    if (state.query && searchText(t).indexOf(state.query) < 0) return false;
    return true;
  }
  function renderFilters() {
    var node = document.getElementById("filters");
    var failures = el("input", { type: "checkbox", id: "f-failures" });
    failures.addEventListener("change", function () { state.failures = failures.checked; refresh(); });
    var tag = el("select", { id: "f-tag" }, el("option", { value: "", text: "all tags" }));
    Object.keys(allTags).sort().forEach(function (t) { tag.appendChild(el("option", { value: t, text: t })); });
    tag.addEventListener("change", function () { state.tag = tag.value; refresh(); });
    var column = el("select", { id: "f-column" }, el("option", { value: "", text: "all models / configs" }));
    columns.forEach(function (c) { column.appendChild(el("option", { value: c, text: c })); });
    column.addEventListener("change", function () { state.column = column.value; refresh(); });
    var query = el("input", { type: "search", id: "f-search", placeholder: "search case, prompt, answer, error…" });
    var timer = null;
    query.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.query = query.value.trim().toLowerCase(); refresh(); }, 150);
    });
    add(node, [el("label", null, failures, " failures only"), el("label", null, "tag ", tag),
      el("label", null, "model / config ", column), query, el("span", { cls: "count", id: "f-count" })]);
  }

  /* ---------- incremental rendering ---------- */
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting && e.target._more) e.target._more(); });
  }, { rootMargin: "600px" }) : null;
  /* Render items in chunks: more on scrolling near the end (unless manual) or on "Show more". */
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
    }
    more._more = next;
    button.addEventListener("click", next);
    container.appendChild(more);
    next();
    if (auto && pos < items.length) observer.observe(more);
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
  function renderMatrix(filtered) {
    var node = clear(document.getElementById("matrix"));
    var cols = state.column ? [state.column] : columns;
    var cells = {}, rows = [];
    filtered.forEach(function (t) {
      if (!cells[t.case_id]) { cells[t.case_id] = {}; rows.push(t.case_id); }
      (cells[t.case_id][t._col] = cells[t.case_id][t._col] || []).push(t);
    });
    add(node, el("h2", { text: "Cases × model / config (" + rows.length + " cases; cells show passed/judged)" }));
    var head = el("tr", null, el("th", { text: "case" }));
    cols.forEach(function (c) { head.appendChild(el("th", { cls: "col", text: c })); });
    var body = el("tbody");
    var table = el("table", { cls: "matrix", id: "matrix-table" }, el("thead", null, head), body);
    node.appendChild(el("div", { cls: "matrix-wrap" }, table));
    var holder = el("div");
    node.appendChild(holder);
    chunked(holder, rows, function (caseId) {
      var tr = el("tr", null, el("td", { cls: "mono", text: caseId }));
      cols.forEach(function (c) {
        var list = cells[caseId][c];
        if (!list) { tr.appendChild(el("td", { cls: "cell", text: "" })); return; }
        var cv = cellVerdict(list, caseVerdicts[caseId + "\u0000" + c]);
        var td = el("td", { cls: "cell v-" + cv.v, text: cv.label, title: caseId + " · " + c + (cv.why ? " · " + cv.why : ""), "data-case": caseId, "data-col": c });
        td.addEventListener("click", function () { openTrial(list[0]); });
        tr.appendChild(td);
      });
      body.appendChild(tr);
      return document.createDocumentFragment();
    }, CHUNK);
  }

  /* ---------- trial list (grouped by case) ---------- */
  function scoreLine(t) {
    if ((t._v === "fail" || t._v === "error") && t.reasons && t.reasons.length) return t.reasons.join("; ");
    if (t._v === "error" && t.error) return t.error.kind + ": " + t.error.message;
    return (t.scores || []).map(function (s) {
      return s.metric + "=" + num(s.value) + (s.error ? " (error)" : s.passed === false ? " ✗" : s.passed === true ? " ✓" : "");
    }).join("  ");
  }
  function trialRow(t) {
    var latency = t.output ? t.output.latency_ms : null;
    var row = el("div", { cls: "trial-row", tabindex: "0", role: "button", "data-trial": t.id, "data-verdict": t._v },
      el("span", { cls: "badge v-" + t._v, text: t._v === "none" ? "ran" : t._v }),
      el("span", { text: t._col }), el("span", { cls: "muted", text: "#" + (t.repeat || 0) }),
      el("span", { cls: "scores", text: scoreLine(t) }), el("span", { cls: "num muted", text: msec(latency) }));
    row.addEventListener("click", function () { openTrial(t); });
    row.addEventListener("keydown", function (e) { if (e.key === "Enter") openTrial(t); });
    return row;
  }
  function renderTrials(filtered) {
    var node = clear(document.getElementById("trials"));
    var order = [], byCase = {};
    filtered.forEach(function (t) {
      if (!byCase[t.case_id]) { byCase[t.case_id] = []; order.push(t.case_id); }
      byCase[t.case_id].push(t);
    });
    add(node, el("h2", { text: "Trials (" + filtered.length + "), grouped by case" }));
    var list = el("div", { id: "trial-list" });
    node.appendChild(list);
    if (!filtered.length) { add(list, el("p", { cls: "muted", text: "No trial matches the filters." })); return; }
    chunked(list, order, function (caseId) {
      var members = byCase[caseId];
      var cv = cellVerdict(members);
      var group = el("div", { cls: "case-group", "data-case": caseId },
        el("div", { cls: "case-head" }, el("span", { cls: "case-id mono", text: caseId }),
          el("span", { cls: "badge v-" + cv.v, text: cv.label }),
          Object.keys(caseTags[caseId] || {}).map(function (tag) { return el("span", { cls: "tag", text: tag }); })));
      members.forEach(function (t) { group.appendChild(trialRow(t)); });
      return group;
    }, 60);
  }

  function refresh() {
    var filtered = trials.filter(matches);
    document.getElementById("f-count").textContent = filtered.length + " of " + trials.length + " trials";
    renderMatrix(filtered);
    renderTrials(filtered);
  }

  /* ---------- trial detail ---------- */
  function alignmentView(alignment) {
    var box = el("div", { cls: "align" }), compound = false;
    function words(x) { return Array.isArray(x) ? x.join(" ") : x === undefined || x === null ? "" : String(x); }
    alignment.forEach(function (a) {
      var op = a.op || a.type || "equal";
      var ref = words(a.ref !== undefined ? a.ref : a.reference), hyp = words(a.hyp !== undefined ? a.hyp : a.hypothesis);
      if (op === "equal" && ref !== hyp && ref && hyp) { compound = true; add(box, el("span", { cls: "w-eq w-compound", title: "compound match: the answer has “" + hyp + "”", text: ref })); }
      else if (op === "equal") add(box, el("span", { cls: "w-eq", text: ref || hyp }));
      else if (op === "substitute") add(box, el("span", { cls: "w-sub", title: "substitution" }, el("del", { text: ref }), " → ", el("ins", { text: hyp })));
      else if (op === "delete") add(box, el("del", { cls: "w-del", title: "deletion (in the reference, missing from the answer)", text: ref }));
      else if (op === "insert") add(box, el("ins", { cls: "w-ins", title: "insertion (in the answer, not in the reference)", text: hyp }));
      else add(box, el("span", { text: ref || hyp }));
      box.appendChild(document.createTextNode(" "));
    });
    return [el("div", { cls: "legend" }, el("span", { cls: "w-sub" }, "ref → hyp: substitution"),
      el("span", { cls: "w-del" }, "deleted"), el("span", { cls: "w-ins" }, "inserted"),
      compound ? el("span", { cls: "w-compound" }, "compound written apart or joined (a match)") : null), box];
  }

  function parsePath(p) {
    if (Array.isArray(p)) return p.map(String);
    if (typeof p !== "string" || !p) return null;
    var s = p.replace(/^\$/, "").replace(/^#/, "");
    return s.split(/[./\[\]]+/).filter(function (x) { return x !== ""; }).map(function (x) { return x.replace(/^['"]|['"]$/g, ""); });
  }
  function failingPath(scores) {
    var keys = ["path", "instance_path", "json_path", "error_path", "absolute_path"];
    for (var i = 0; i < scores.length; i++) {
      var s = scores[i], d = {};
      Object.keys(s.details || {}).forEach(function (k) { d[k] = resolve(s.details[k]); });
      if (s.passed !== false && !s.error) continue;
      for (var k = 0; k < keys.length; k++) {
        if (d[keys[k]] !== undefined && d[keys[k]] !== null) return { path: parsePath(d[keys[k]]), raw: d[keys[k]], message: d.message || d.error || s.error || d.reason };
      }
      var errs = d.errors;
      if (Array.isArray(errs) && errs.length && errs[0] && typeof errs[0] === "object") {
        var e = errs[0], raw = e.path !== undefined ? e.path : e.instance_path !== undefined ? e.instance_path : e.json_path;
        if (raw !== undefined) return { path: parsePath(raw), raw: raw, message: e.message || e.reason };
      }
    }
    return null;
  }
  function jsonValueOf(t) {
    var out = t.output;
    if (!out) return undefined;
    if (out.parsed !== undefined && out.parsed !== null) return out.parsed;
    if (typeof out.text !== "string") return undefined;
    var s = out.text.trim().replace(/^```(?:json)?\s*/i, "").replace(/```$/, "").trim();
    if (!/^[\[{]/.test(s)) return undefined;
    try { return JSON.parse(s); } catch (e) { return undefined; }
  }
  function jsonView(value, bad) {
    var pre = el("pre", { cls: "json" });
    var target = bad ? bad.join("\u0000") : null;
    var present = {};
    (function collect(v, path) {
      present[path.join("\u0000")] = true;
      if (v && typeof v === "object") Object.keys(v).forEach(function (k) { collect(v[k], path.concat(String(k))); });
    })(value, []);
    if (bad) { // a missing key marks its nearest existing parent
      var p = bad.slice();
      while (p.length && !present[p.join("\u0000")]) p.pop();
      target = p.join("\u0000");
    }
    function pad(n) { return new Array(n + 1).join("  "); }
    function node(v, path, depth) {
      var span = el("span");
      if (target !== null && path.join("\u0000") === target) { span.className = "json-bad"; span.setAttribute("data-path", path.join("/")); }
      if (Array.isArray(v) || (v && typeof v === "object")) {
        var isArr = Array.isArray(v), keys = Object.keys(v);
        if (!keys.length) { add(span, isArr ? "[]" : "{}"); return span; }
        add(span, isArr ? "[\n" : "{\n");
        keys.forEach(function (k, i) {
          add(span, pad(depth + 1));
          if (!isArr) add(span, [el("span", { cls: "k", text: JSON.stringify(k) }), ": "]);
          span.appendChild(node(v[k], path.concat(String(k)), depth + 1));
          add(span, i < keys.length - 1 ? ",\n" : "\n");
        });
        add(span, pad(depth) + (isArr ? "]" : "}"));
      } else {
        var cls = typeof v === "string" ? "s" : typeof v === "number" ? "n" : "b";
        span.appendChild(el("span", { cls: cls, text: JSON.stringify(v) }));
      }
      return span;
    }
    pre.appendChild(node(value, [], 0));
    return pre;
  }

  function detailsView(details) {
    var keys = Object.keys(details || {}).filter(function (k) { return k !== "alignment"; });
    if (!keys.length) return null;
    return kv(keys.map(function (k) {
      var v = resolve(details[k]);
      return [k, v !== null && typeof v === "object" ? el("code", { text: JSON.stringify(v) }) : String(v)];
    }));
  }
  function scoresView(t) {
    var out = [];
    (t.scores || []).forEach(function (s) {
      var v = s.error ? "error" : s.passed === true ? "pass" : s.passed === false ? "fail" : "none";
      out.push(el("div", { cls: "score", "data-scorer": s.scorer },
        el("h3", null, el("span", { cls: "badge v-" + v, text: v === "none" ? "measured" : v }), " ", s.scorer,
          s.metric !== s.scorer ? " · " + s.metric : "", " = ", num(s.value, 4),
          el("span", { cls: "muted", text: "  weight " + (s.weight === undefined ? 1 : s.weight) + (s.required === false ? ", optional" : ", required") +
            (typeof s.turn === "number" ? ", turn " + s.turn : "") })),
        s.reason && s.reason.text ? el("p", { cls: "reason", text: s.reason.text }) : null,
        s.error ? el("pre", { cls: "err", text: s.error }) : null,
        expandAlignment((s.details || {}).alignment) ? alignmentView(expandAlignment(s.details.alignment)) : null,
        detailsView(s.details)));
    });
    return out;
  }
  function mediaView(t) {
    var seen = {}, items = [];
    (t.media || []).concat(t.output && t.output.media ? t.output.media : []).forEach(function (raw) {
      var m = {};
      Object.keys(raw).forEach(function (k) { m[k] = resolve(raw[k]); });
      var key = m.source + "|" + (m.sha256 || "");
      if (!seen[key]) { seen[key] = true; items.push(m); }
    });
    if (!items.length && t.request && t.request.media && t.request.media.length) {
      items = t.request.media.map(function (s) { return { source: s }; });
    }
    if (!items.length) return null;
    var players = DATA.players || {};
    return [el("h3", { text: "Media" }), items.map(function (m) {
      var isVideo = /^video\//.test(m.mime_type || ""), src = m.sha256 ? players[m.sha256] : null;
      var player = typeof src !== "string" ? null : el(isVideo ? "video" : "audio", { controls: "", preload: "none", src: src,
        cls: isVideo ? "player" : null, "aria-label": (isVideo ? "video " : "audio ") + m.source });
      return el("div", { cls: "media" }, kv([["source", el("code", { text: m.source })], ["type", m.mime_type],
        ["duration", typeof m.duration_s === "number" ? m.duration_s.toFixed(2) + " s" : null], ["size", m.size_bytes !== undefined ? bytes(m.size_bytes) : null],
        ["pages", typeof m.pages === "number" ? String(m.pages) + (m.encrypted ? " (encrypted)" : "") : null],
        ["frame", m.width && m.height ? m.width + "×" + m.height + (m.frame_rate ? " · " + num(m.frame_rate, 3) + " fps" : "") : null],
        ["audio track", isVideo && typeof m.has_audio === "boolean" ? (m.has_audio ? "yes" : "none") : null],
        ["channels / rate", m.channels ? m.channels + " ch" + (m.sample_rate ? " · " + m.sample_rate + " Hz" : "") : null],
        ["sent clip", clipText(m.video_metadata)],
        ["tokens (estimate)", tokensText(m.tokens_estimate)],
        ["sent as", m.transport], ["file uri", m.file_uri], ["sha256", m.sha256 ? el("code", { text: m.sha256.slice(0, 16) + "…" }) : null]]), player);
    })];
  }
  function clipText(meta) {
    if (!meta) return null;
    var parts = [];
    if (typeof meta.start_offset_s === "number" || typeof meta.end_offset_s === "number") {
      parts.push((typeof meta.start_offset_s === "number" ? meta.start_offset_s : 0) + " s – " +
        (typeof meta.end_offset_s === "number" ? meta.end_offset_s + " s" : "end"));
    }
    if (typeof meta.fps === "number") parts.push(meta.fps + " fps");
    return parts.length ? parts.join(" · ") : null;
  }
  function tokensText(estimate) {
    if (!estimate) return null;
    var keys = Object.keys(estimate);
    return keys.length ? keys.map(function (k) { return k + " " + num(estimate[k]); }).join(" · ") : null;
  }
  function usageView(out) {
    var u = out.usage || {};
    var rows = [["prompt", u.prompt_tokens], ["output", u.output_tokens], ["thoughts", u.thoughts_tokens],
      ["cached", u.cached_tokens], ["tool-use prompt", u.tool_use_prompt_tokens], ["total", u.total_tokens], ["counted before", out.counted_tokens]];
    var pairs = rows.filter(function (r) { return typeof r[1] === "number"; }).map(function (r) { return [r[0], num(r[1])]; });
    Object.keys(u.prompt_by_modality || {}).forEach(function (m) { pairs.push(["prompt · " + m, num(u.prompt_by_modality[m])]); });
    Object.keys(u.output_by_modality || {}).forEach(function (m) { pairs.push(["output · " + m, num(u.output_by_modality[m])]); });
    return pairs.length ? [el("h3", { text: "Tokens" }), kv(pairs)] : null;
  }
  function retriesView(list, title) {
    if (!list || !list.length) return null;
    var body = el("tbody");
    list.forEach(function (a, i) {
      body.appendChild(el("tr", null, el("td", { text: i + 1 }), el("td", { text: a.code === undefined || a.code === null ? "–" : a.code }),
        el("td", { text: a.error }), el("td", { cls: "num", text: (a.delay_s || 0).toFixed(2) + " s" })));
    });
    return [el("h3", { text: title + " (" + list.length + ")" }), el("table", { cls: "retries" },
      el("thead", null, el("tr", null, el("th", { text: "#" }), el("th", { text: "code" }), el("th", { text: "error" }), el("th", { cls: "num", text: "waited" }))), body)];
  }
  function answerView(t) {
    var out = t.output;
    if (!out) return null;
    var parts = [el("h3", { text: "Answer" })];
    var value = jsonValueOf(t);
    if (value !== undefined) {
      var bad = failingPath(t.scores || []);
      if (bad) parts.push(el("div", { cls: "err json-path" }, "failing path: ", el("code", { text: Array.isArray(bad.raw) ? "/" + bad.raw.join("/") : String(bad.raw) }),
        bad.message ? " — " + bad.message : ""));
      parts.push(jsonView(value, bad ? bad.path : null));
      if (out.text !== undefined && out.text !== null) parts.push(el("details", null, el("summary", { text: "raw answer text" }), el("pre", { cls: "answer", text: out.text })));
    } else {
      parts.push(el("pre", { cls: "answer", id: "answer-text", text: out.text === undefined || out.text === null ? "(no text)" : out.text }));
    }
    if (out.parse_error) parts.push(el("div", { cls: "err", text: "JSON parse error: " + out.parse_error }));
    return parts;
  }
  function timingView(out) {
    return [el("h3", { text: "Timing and response" }), kv([["latency", msec(out.latency_ms)], ["time to first token", typeof out.ttft_ms === "number" ? msec(out.ttft_ms) : null],
      ["stream chunks", out.chunks], ["from cache", out.cached ? "yes (harness cache)" : null], ["finish reason", out.finish_reason],
      ["model version", out.model_version], ["response id", out.response_id], ["blocked", out.block_reason],
      ["warnings", out.warnings && out.warnings.length ? out.warnings.join("; ") : null],
      ["safety ratings", out.safety_ratings && out.safety_ratings.length ? el("code", { text: JSON.stringify(out.safety_ratings) }) : null]])];
  }
  function repeatsNav(t) {
    var siblings = (groups[t.case_id] || {})[t._col] || [t];
    if (siblings.length < 2) return null;
    return el("div", { cls: "repeats" }, "repeats: ", siblings.map(function (s) {
      var b = el("button", { type: "button", cls: "badge v-" + s._v + (s === t ? " current" : ""), text: "#" + (s.repeat || 0) + " " + s._v });
      b.addEventListener("click", function () { openTrial(s); });
      return b;
    }));
  }
  function openTrial(t) {
    var node = clear(document.getElementById("detail"));
    node.hidden = false;
    node.setAttribute("data-trial", t.id);
    var close = el("button", { type: "button", cls: "close", text: "✕ close" });
    close.addEventListener("click", closeDetail);
    var req = t.request || {};
    var delta = deltaById[t.id];
    var out = t.output;
    var system = text(req.system_instruction);
    add(node, [close,
      el("h2", null, el("span", { cls: "badge v-" + t._v, text: t._v }), " ", el("span", { cls: "mono", text: t.case_id })),
      kv([["trial", el("code", { text: t.id })], ["model", t.model], ["config", t.config_id], ["prompt variant", t.prompt_id], ["repeat", "#" + (t.repeat || 0)],
        ["tags", (t.tags || []).join(", ")], ["weighted score", typeof t.weighted_score === "number" ? num(t.weighted_score, 4) : null],
        ["baseline", delta ? delta.change + (Object.keys(delta.metric_deltas || {}).length ? " · " + Object.keys(delta.metric_deltas).map(function (m) { return m + " " + signed(delta.metric_deltas[m]); }).join(", ") : "") : null],
        ["changed since baseline", delta && delta.changed && delta.changed.length ? el("span", { id: "changed-since", text: delta.changed.join(", ") }) : null]]),
      repeatsNav(t)]);
    if (t.error) {
      add(node, [el("h3", { cls: "err", text: "Error" }), kv([["kind", t.error.kind], ["code", t.error.code], ["status", t.error.status], ["attempts", t.error.attempts]]),
        el("pre", { cls: "err", id: "error-text", text: t.error.message }), retriesView(t.error.retries, "Failed attempts")]);
    }
    add(node, [el("h3", { text: "Request" }),
      system ? [el("div", { cls: "muted", text: "system instruction" }), el("pre", { id: "system-text", text: system })] : null,
      el("div", { cls: "muted", text: "prompt" + (req.stream ? " (streamed)" : "") }), el("pre", { id: "prompt-text", text: text(req.prompt) || "" }),
      Object.keys(t.config || {}).length ? [el("div", { cls: "muted", text: "config" }), el("pre", { text: pretty(t.config) })] : null,
      Object.keys(t.vars || {}).length ? el("details", null, el("summary", { text: "case variables" }), el("pre", { text: pretty(t.vars) })) : null]);
    add(node, mediaView(t));
    (t.turns || []).forEach(function (turn, i) {
      add(node, [el("h3", { text: "Turn " + (i + 1) }), el("pre", { text: turn.prompt }),
        el("pre", { cls: "answer", text: turn.output && turn.output.text !== undefined ? turn.output.text : "(no answer)" })]);
    });
    add(node, answerView(t));
    if (delta && typeof delta.before_answer === "string") { // regressed or fixed: what the baseline said
      add(node, [el("h3", { text: "Baseline answer (" + delta.change + ")" }), el("pre", { cls: "answer", id: "baseline-answer", text: delta.before_answer })]);
    }
    if (t.scores && t.scores.length) add(node, [el("h3", { text: "Scores" }), scoresView(t)]);
    if (out) add(node, [usageView(out), timingView(out), retriesView(out.retries, "Retried attempts")]);
    node.scrollTop = 0;
    if (location.hash !== "#trial=" + encodeURIComponent(t.id)) history.replaceState(null, "", "#trial=" + encodeURIComponent(t.id));
  }
  function closeDetail() {
    var node = document.getElementById("detail");
    node.hidden = true;
    clear(node);
    history.replaceState(null, "", location.pathname + location.search);
  }
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") closeDetail(); });

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
    if (hash.indexOf("#trial=") === 0 && byId[hash.slice(7)]) openTrial(byId[hash.slice(7)]);
  }
  window.addEventListener("hashchange", openFromHash);
  openFromHash();
  document.documentElement.setAttribute("data-ready", "1");
  window.harnessReadyMs = performance.now();
})();
