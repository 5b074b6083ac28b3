/* harness HTML report, part 1: DOM helpers, formatting and the data every view reads.
   Builds every node with textContent; data never goes through an HTML parser. The parts share one function scope
   (see harness_reporters/html.py: SCRIPTS). */
/* DATA, the run this report shows, is this scope's parameter (report-load.js reads it from the page). */
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
/* Tables show texts the reporter formatted (harness_reporters/numbers.py); values elsewhere use the metric's
   notation from there too, so a metric reads with the same digits everywhere. */
var NOTATIONS = DATA.notations || {};
function fixedOrSci(v, n) {
  if (n.decimals === undefined) {
    if (v === 0) return "0";
    var parts = v.toExponential((n.digits || 4) - 1).split("e");
    return parts[0] + "e" + Number(parts[1]);
  }
  var out = v.toFixed(n.decimals);
  return Number(out) === 0 ? out.replace(/^-/, "") : out;
}
function num(v, metric) {
  if (v === undefined || v === null || typeof v !== "number" || !isFinite(v)) return "–";
  if (metric && NOTATIONS[metric]) return fixedOrSci(v, NOTATIONS[metric]);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString("en-US");
  return Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) < 1e-3 ? fixedOrSci(v, { digits: 4 }) : Number(v.toPrecision(4)).toString();
}
function pct(v) { return typeof v === "number" ? (v * 100).toFixed(1) + "%" : "–"; }
function msec(v) { return typeof v === "number" ? (v >= 10000 ? (v / 1000).toFixed(1) + " s" : Math.round(v) + " ms") : "–"; }
function bytes(n) {
  if (typeof n !== "number") return "–";
  if (n < 1024) return n + " B";
  if (n < 1048576) return (n / 1024).toFixed(1) + " KiB";
  return (n / 1048576).toFixed(2) + " MiB";
}
function signed(v, metric) { return typeof v === "number" ? (v > 0 ? "+" : "") + num(v, metric) : "–"; }
/* "1 trial", "2 trials". */
function plural(n, word, many) { return n + " " + (n === 1 ? word : many || word + "s"); }
/* Visually hidden text for screen readers (the verdict a colour shows). */
function sr(textValue) { return el("span", { cls: "sr-only", text: textValue }); }
var VERDICT_TEXT = { pass: "passed", fail: "failed", error: "errored", none: "not scored", mixed: "mixed" };
var MARK = { pass: "✓", fail: "✗", error: "!", none: "·", mixed: "◐" };
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
var caseDeltas = {};
if (baseline) (baseline.cases || []).forEach(function (d) { caseDeltas[d.case_id + "\u0000" + d.model + "\u0000" + d.config_id + "\u0000" + d.prompt_id] = d; });
/* The core's comparison of this trial's case (x prompt x model x config) with the baseline, if any. */
function caseDeltaOf(t) { return caseDeltas[t.case_id + "\u0000" + t.model + "\u0000" + t.config_id + "\u0000" + t.prompt_id] || null; }
