/* harness HTML report, part 4: the trial detail (alignment, JSON, media, scores) and the dialog that shows it. */
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
      el("h4", null, el("span", { cls: "badge v-" + v, text: v === "none" ? "measured" : v }), " ", s.scorer,
        s.metric !== s.scorer ? " · " + s.metric : "", " = ", num(s.value, s.metric),
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
      ["frame", m.width && m.height ? m.width + "×" + m.height + (m.frame_rate ? " · " + Number(m.frame_rate.toPrecision(3)) + " fps" : "") : null],
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
    b.addEventListener("click", function () { openTrial(s, dialogInvoker); });
    return b;
  }));
}
/* ---------- the dialog: one trial, or one case's answers side by side ---------- */
/* A modal <dialog>: focus moves into it (its close button), Tab stays inside, Escape, the close button or a
   click on the backdrop closes it, and focus returns to the element that opened it. */
var dialogInvoker = null;
function dialog(title, invoker, hash) {
  var node = document.getElementById("detail");
  if (!node.open) dialogInvoker = invoker || null;
  clear(node);
  var close = el("button", { type: "button", cls: "close", text: "✕ close" });
  close.addEventListener("click", closeDialog);
  add(node, [close, el("h2", { id: "detail-title" }, title)]);
  if (!node.open) node.showModal();
  close.focus();
  node.scrollTop = 0;
  if (location.hash !== hash) history.replaceState(null, "", hash);
  return node;
}
/* Close it and give the focus back at once (the dialog's own "close" event comes a task later). */
function closeDialog() {
  var node = document.getElementById("detail");
  if (node.open) node.close();
  onDialogClosed();
}
function onDialogClosed() {
  var node = document.getElementById("detail");
  // Already done; or the "close" event of a dialog closed with Escape arrives after a key that opened it again
  // (Escape, then Space on a row header, faster than a task): the open dialog is not emptied.
  if (!node.firstChild || node.open) return;
  clear(node);
  node.removeAttribute("data-trial");
  node.removeAttribute("data-case");
  history.replaceState(null, "", location.pathname + location.search);
  var back = dialogInvoker;
  dialogInvoker = null;
  if (back && back !== document.body && document.contains(back)) back.focus();
  else document.getElementById("matrix").focus();
}
/* The baseline's prompt beside this run's, word by word (the reporter computed the diff with difflib). */
function promptDiffView(delta) {
  if (!delta || !Array.isArray(delta.prompt_diff)) return null;
  var before = el("pre", { cls: "diff", id: "prompt-before" }), after = el("pre", { cls: "diff", id: "prompt-after" });
  delta.prompt_diff.forEach(function (r) {
    if (r[0] === "=") { add(before, r[1]); add(after, r[1]); return; }
    if (r[1]) before.appendChild(el("del", { text: r[1] }));
    if (r[2]) after.appendChild(el("ins", { text: r[2] }));
  });
  return [el("h3", { text: "Prompt: the baseline's beside this run's" }),
    el("p", { cls: "legend", text: "words only in the baseline are struck through; words only in this run are underlined" }),
    el("div", { cls: "side-by-side", id: "prompt-diff" },
      el("div", null, el("div", { cls: "muted", text: "baseline" + (baseline && baseline.run_id ? " " + baseline.run_id : "") }), before),
      el("div", null, el("div", { cls: "muted", text: "this run" }), after))];
}
function openTrial(t, invoker) {
  var delta = deltaById[t.id];
  var cdelta = caseDeltaOf(t);
  var node = dialog([el("span", { cls: "badge v-" + t._v, text: t._v }), " ", el("span", { cls: "mono", text: t.case_id })],
    invoker, "#trial=" + encodeURIComponent(t.id));
  node.setAttribute("data-trial", t.id);
  var req = t.request || {};
  var out = t.output;
  var system = text(req.system_instruction);
  var changed = delta && delta.changed && delta.changed.length ? delta.changed : null;
  add(node, [
    kv([["trial", el("code", { text: t.id })], ["model", t.model], ["config", t.config_id], ["prompt variant", t.prompt_id], ["repeat", "#" + (t.repeat || 0)],
      ["tags", (t.tags || []).join(", ")], ["weighted score", typeof t.weighted_score === "number" ? num(t.weighted_score) : null],
      ["baseline", delta ? delta.change + (Object.keys(delta.metric_deltas || {}).length ? " · " + Object.keys(delta.metric_deltas).map(function (m) { return m + " " + signed(delta.metric_deltas[m], m); }).join(", ") : "") : null],
      ["changed since baseline", changed ? el("span", { id: "changed-since", text: changed.join(", ") }) : null]]),
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
  add(node, promptDiffView(cdelta));
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
}
function answerOf(t) {
  if (t.output) return t.output.text === undefined || t.output.text === null ? "(no text)" : t.output.text;
  if (t.turns && t.turns.length) return t.turns.map(function (turn) { return turn.output && turn.output.text ? turn.output.text : "(no answer)"; }).join("\n\n");
  return t.error ? t.error.kind + " error: " + t.error.message : "(no answer)";
}
/* One case's answers side by side: a column per model / config (/ prompt), each repeat's verdict and answer. */
function openCase(caseId, invoker) {
  var byCol = groups[caseId];
  if (!byCol) return;
  var node = dialog(["Answers side by side: ", el("span", { cls: "mono", text: caseId })], invoker, "#case=" + encodeURIComponent(caseId));
  node.setAttribute("data-case", caseId);
  var grid = el("div", { cls: "case-grid", id: "case-grid" });
  columns.forEach(function (col) {
    var list = byCol[col];
    if (!list) return;
    var cv = cellVerdict(list, caseVerdicts[caseId + "\u0000" + col]);
    var column = el("section", { cls: "case-col", "data-col": col, "aria-label": col },
      el("h3", null, el("span", { cls: "badge v-" + cv.v, text: MARK[cv.v] + " " + cv.label }), " ", col),
      cv.why ? el("p", { cls: "muted", text: cv.why }) : null);
    list.forEach(function (t) {
      var open = el("a", { href: "#trial=" + encodeURIComponent(t.id), cls: "open-trial", text: "repeat #" + (t.repeat || 0) + ": " + (VERDICT_TEXT[t._v] || t._v) });
      open.addEventListener("click", function (e) { e.preventDefault(); openTrial(t); });
      add(column, el("div", { cls: "case-answer", "data-trial": t.id }, el("div", null, el("span", { cls: "badge v-" + t._v, "aria-hidden": "true", text: MARK[t._v] }), " ", open),
        t.reasons && t.reasons.length ? el("div", { cls: "muted", text: t.reasons.join("; ") }) : null,
        el("pre", { cls: "answer", text: answerOf(t) })));
    });
    grid.appendChild(column);
  });
  node.appendChild(grid);
}
