// harness view: one page, routed by the URL's hash so every view is a link:
//   #/                         suites
//   #/suite/NAME               the suite's run history, trend lines, pick two runs to compare
//   #/run/ID?failing=1&tag=T&model=M    one run's trials (paged), filtered
//   #/compare/A/B?failing=1&tag=T&model=M  run B against run A, regressions first, answers diffed word by word
//   #/grid/RUN/CASE            one case across models and configs, answers side by side
//   #/trial/RUN/TRIAL          one trial: prompt, media, answer, scores with reasons
// Everything shown comes from the store through the server's JSON API; verdicts and reasons are the harness's
// own. Text is always set as text (never parsed as HTML): model answers are untrusted.
"use strict";

const main = document.getElementById("main");
const crumbs = document.getElementById("crumbs");
const PAGE = 200;

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function show(...children) {
  // The page's content: nested lists are flattened, absent parts (null, false) left out.
  main.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

// Each render has a number; an answer that arrives after the user moved on belongs to an old view and is
// dropped (so a slow page never paints over a newer one).
let active = 0;
class Superseded extends Error {}

async function api(path) {
  const mine = active;
  const response = await fetch(path, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
  const body = await response.json();
  if (mine !== active) throw new Superseded();
  return body;
}

function link(hash, text) { return el("a", { href: hash, text }); }
function enc(value) { return encodeURIComponent(value); }
function pct(value) { return value === null || value === undefined ? "-" : `${Math.round(value * 100)}%`; }
function money(value) { return value === null || value === undefined ? "-" : `$${value.toPrecision(3)}`; }
function badge(word) { return el("span", { class: `badge ${word || "unscored"}`, text: word || "-" }); }
function when(stamp) { return (stamp || "").replace("T", " ").slice(0, 19); }

function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(query || "") };
}

function setQuery(query) {
  const { parts } = route();
  const text = query.toString();
  location.hash = "#/" + parts.map(enc).join("/") + (text ? `?${text}` : "");
}

function setCrumbs(...items) {
  crumbs.replaceChildren(...items.map(([hash, text]) => link(hash, text)));
}

// Filters shared by the run and compare pages: failing only, tag, model; kept in the URL.
function filters(query, facets) {
  const box = el("div", { class: "filters", id: "filters" });
  const failing = el("input", { type: "checkbox", id: "failing", checked: query.get("failing") === "1" });
  failing.addEventListener("change", () => {
    failing.checked ? query.set("failing", "1") : query.delete("failing");
    setQuery(query);
  });
  box.append(el("label", {}, failing, "failing only"));
  for (const [name, values] of [["tag", facets.tags || []], ["model", facets.model || []]]) {
    const select = el("select", { id: `filter-${name}` }, el("option", { value: "", text: `any ${name}` }));
    for (const value of values) select.append(el("option", { value, text: value, selected: query.get(name) === value }));
    select.addEventListener("change", () => {
      select.value ? query.set(name, select.value) : query.delete(name);
      setQuery(query);
    });
    box.append(el("label", {}, `${name}:`, select));
  }
  return box;
}

function apiQuery(query, extra) {
  const out = new URLSearchParams(extra || {});
  for (const name of ["failing", "tag", "model"]) if (query.get(name)) out.set(name, query.get(name));
  return out.toString();
}

// ---------------------------------------------------------------------------------------------------------
async function pageSuites() {
  setCrumbs();
  const suites = await api("/api/suites");
  show(
    el("h1", { text: "Suites" }),
    el("table", { id: "suites" },
      el("thead", {}, el("tr", {}, el("th", { text: "suite" }), el("th", { text: "file" }), el("th", { class: "num", text: "runs" }))),
      el("tbody", {}, suites.map((s) => el("tr", {},
        el("td", {}, link(`#/suite/${enc(s.suite)}`, s.suite)), el("td", { class: "muted", text: s.suite_file }),
        el("td", { class: "num", text: s.runs }))))));
}

function chart(title, points, maximum) {
  // points: [[label, value]] oldest first; an SVG polyline scaled to the values (0..maximum when given).
  const values = points.map((p) => p[1]).filter((v) => v !== null && v !== undefined);
  const box = el("div", { class: "chart" }, el("h3", { text: title }));
  if (!values.length) { box.append(el("p", { class: "muted", text: "no values" })); return box; }
  let low = maximum !== undefined ? 0 : Math.min(...values);
  let high = maximum !== undefined ? maximum : Math.max(...values);
  if (high === low) { const pad = Math.abs(high) * 0.1 || 1; low -= pad; high += pad; }
  const span = high - low || 1;
  const width = 360, height = 140, pad = 22;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", title);
  const xy = [];
  points.forEach(([label, value], index) => {
    if (value === null || value === undefined) return;
    const x = pad + (points.length === 1 ? 0.5 : index / (points.length - 1)) * (width - 2 * pad);
    const y = height - pad - ((value - low) / span) * (height - 2 * pad);
    xy.push(`${x.toFixed(1)},${y.toFixed(1)}`);
    const dot = document.createElementNS(ns, "circle");
    dot.setAttribute("cx", x); dot.setAttribute("cy", y); dot.setAttribute("r", 2.5);
    const tip = document.createElementNS(ns, "title");
    tip.textContent = `${label}: ${value}`;
    dot.append(tip);
    svg.append(dot);
  });
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", xy.join(" "));
  svg.prepend(line);
  for (const [value, y] of [[high, pad], [low, height - pad]]) {
    const text = document.createElementNS(ns, "text");
    text.setAttribute("x", 0); text.setAttribute("y", y + 3);
    text.textContent = maximum === 1 ? pct(value) : value.toPrecision(3);
    svg.append(text);
  }
  box.append(svg);
  return box;
}

async function pageSuite(name) {
  setCrumbs([`#/suite/${enc(name)}`, name]);
  const runs = await api(`/api/history?suite=${enc(name)}`);
  const oldest = [...runs].reverse();
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const charts = el("div", { class: "charts", id: "trends" },
    chart("pass rate", oldest.map((r) => [r.run_id, r.pass_rate]), 1),
    metrics.map((m) => chart(m, oldest.map((r) => [r.run_id, r.metrics[m] ?? null]))));
  let a = runs[1] ? runs[1].run_id : null, b = runs[0] ? runs[0].run_id : null;
  const compare = el("a", { id: "compare-link", class: "button", text: "compare A with B" });
  const refresh = () => { if (a && b) compare.setAttribute("href", `#/compare/${enc(a)}/${enc(b)}`); };
  refresh();
  const radio = (group, runId) => {
    const input = el("input", { type: "radio", name: group, value: runId, checked: (group === "a" ? a : b) === runId,
      "aria-label": `${group.toUpperCase()}: ${runId}` });
    input.addEventListener("change", () => { group === "a" ? (a = runId) : (b = runId); refresh(); });
    return input;
  };
  show(
    el("h1", { text: `${name}: ${runs.length} runs` }), charts,
    el("p", {}, compare, el("span", { class: "muted", text: "  (pick A and B below)" })),
    el("table", { id: "history" },
      el("thead", {}, el("tr", {}, ["A", "B", "run", "started", "pass rate", "trials", "cost", "duration s", "git", "command"]
        .map((h) => el("th", { text: h })))),
      el("tbody", {}, runs.map((r) => el("tr", { "data-run": r.run_id },
        el("td", {}, radio("a", r.run_id)), el("td", {}, radio("b", r.run_id)),
        el("td", {}, link(`#/run/${enc(r.run_id)}`, r.run_id)), el("td", { text: when(r.started_at) }),
        el("td", { class: "num", text: `${pct(r.pass_rate)} (${r.passed}/${r.passed + r.failed})` }),
        el("td", { class: "num", text: r.trials }), el("td", { class: "num", text: money(r.cost_usd) }),
        el("td", { class: "num", text: r.duration_s ?? "-" }), el("td", { text: r.git_revision || "-" }),
        el("td", { class: "muted", text: r.argv.length ? `harness ${r.argv.join(" ")}` : "-" }))))));
}

function trialRow(run, t) {
  return el("tr", { "data-trial": t.id },
    el("td", {}, badge(t.verdict)),
    el("td", {}, link(`#/grid/${enc(run)}/${enc(t.case_id)}`, t.case_id)),
    el("td", { text: t.prompt_id }), el("td", { text: t.model }), el("td", { text: t.config_id }),
    el("td", { class: "num", text: t.repeat }),
    el("td", {}, t.error ? el("span", { class: "error", text: t.error }) : el("div", { class: "answer", text: t.answer })),
    el("td", { text: (t.reasons || []).join("; ") }),
    el("td", {}, link(`#/trial/${enc(run)}/${enc(t.id)}`, "trial")));
}

async function pageRun(runId, query) {
  // The rows first (one page, filtered by the server); the run's totals, which a long run takes a moment to
  // add up the first time, fill in the header when they arrive.
  const page = await api(`/api/runs/${enc(runId)}?${apiQuery(query, { offset: 0, limit: PAGE })}`);
  const totalsPromise = api(`/api/runs/${enc(runId)}/totals`);
  setCrumbs([`#/suite/${enc(page.run.suite)}`, page.run.suite], [`#/run/${enc(runId)}`, runId]);
  const body = el("tbody", {}, page.trials.map((x) => trialRow(runId, x)));
  const count = el("span", { id: "shown", text: `${page.trials.length} of ${page.matching} trials` });
  let offset = page.trials.length;
  const more = el("button", { class: "more", id: "more", text: "show more", hidden: offset >= page.matching });
  const loadMore = async () => {
    if (more.disabled || offset >= page.matching) return;
    more.disabled = true;
    let next;
    try {
      next = await api(`/api/runs/${enc(runId)}?${apiQuery(query, { offset, limit: PAGE })}`);
    } catch (error) {
      if (error instanceof Superseded) return;  // the user has moved on to another view
      throw error;
    }
    body.append(...next.trials.map((x) => trialRow(runId, x)));
    offset += next.trials.length;
    count.textContent = `${offset} of ${page.matching} trials`;
    more.disabled = false;
    more.hidden = offset >= page.matching;
  };
  more.addEventListener("click", loadMore);
  new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) loadMore(); }).observe(more);
  const title = el("h1", {}, `${page.run.suite} · ${runId}`);
  const summary = el("p", { id: "totals", class: "muted", text: "adding up the run…" });
  const filterSlot = el("div", {}, filters(query, {}));
  show(title, summary, filterSlot, count,
    el("table", { id: "trials" },
      el("thead", {}, el("tr", {}, ["verdict", "case", "prompt", "model", "config", "#", "answer", "why", ""]
        .map((h) => el("th", { text: h })))), body),
    more);
  const totals = await totalsPromise;
  const t = totals.totals;
  title.append(" ", badge(t.verdict));
  summary.className = "";
  summary.textContent = `${pct(t.pass_rate)} of cases pass (${t.passed} of ${t.passed + t.failed}` +
    `${t.errored ? `, ${t.errored} errored` : ""}); ${t.trials} trials; cost ${money(t.cost_usd)}; ` +
    `${t.duration_s ?? "-"} s; started ${when(t.started_at)}`;
  filterSlot.replaceChildren(filters(query, totals.facets));
}

function diffView(ops, keep) {
  // keep: "delete" shows the before side (deletions marked), "insert" the after side (insertions marked).
  const box = el("div", { class: "answer" });
  for (const [op, text] of ops) {
    if (op === "equal") box.append(text);
    else if (op === keep) box.append(el(op === "delete" ? "del" : "ins", { text }));
  }
  return box;
}

function compareCase(data, c) {
  const head = el("div", { class: "head" }, badge(c.change),
    link(`#/grid/${enc(data.after)}/${enc(c.case_id)}`, c.case_id),
    el("span", { class: "muted", text: `${c.model} · ${c.config_id} · ${c.prompt_id}` }),
    el("span", { text: c.explanation }),
    c.changed.length ? el("span", { class: "muted", text: `changed: ${c.changed.join(", ")}` }) : null);
  const before = c.answer_diff ? diffView(c.answer_diff, "delete") : el("div", { class: "answer", text: c.before_answer ?? "(not in A)" });
  const after = c.answer_diff ? diffView(c.answer_diff, "insert") : el("div", { class: "answer", text: c.after_answer ?? "(not in B)" });
  const parts = [head, el("div", { class: "pair" },
    el("div", { class: "before" }, el("h3", { text: `A ${data.before}: ${c.before || "-"}` }), before),
    el("div", { class: "after" }, el("h3", { text: `B ${data.after}: ${c.after || "-"}` }), after))];
  if (c.prompt_diff) {
    parts.push(el("div", { class: "pair prompt" },
      el("div", {}, el("h3", { text: "prompt in A" }), diffView(c.prompt_diff, "delete")),
      el("div", {}, el("h3", { text: "prompt in B" }), diffView(c.prompt_diff, "insert"))));
  }
  return el("div", { class: `case ${c.change}`, "data-case": c.case_id }, parts);
}

async function pageCompare(a, b, query) {
  const [data, totals] = await Promise.all([
    api(`/api/compare?${apiQuery(query, { a, b, offset: 0, limit: PAGE })}`),
    api(`/api/runs/${enc(b)}/totals`),
  ]);
  const s = data.summary;
  setCrumbs([`#/suite/${enc(s.suite)}`, s.suite], [`#/compare/${enc(a)}/${enc(b)}`, `${a} → ${b}`]);
  const list = el("div", { id: "cases" }, data.cases.map((c) => compareCase(data, c)));
  let offset = data.cases.length;
  const more = el("button", { class: "more", text: "show more", hidden: offset >= data.matching });
  more.addEventListener("click", async () => {
    let next;
    try {
      next = await api(`/api/compare?${apiQuery(query, { a, b, offset, limit: PAGE })}`);
    } catch (error) {
      if (error instanceof Superseded) return;
      throw error;
    }
    list.append(...next.cases.map((c) => compareCase(data, c)));
    offset += next.cases.length;
    more.hidden = offset >= data.matching;
  });
  show(
    el("h1", {}, "B ", link(`#/run/${enc(b)}`, b), " against A ", link(`#/run/${enc(a)}`, a)),
    el("p", { id: "compare-summary" }, `${s.regressions} regressed, ${s.fixes} fixed, ${s.errored} errored, ` +
      `${s.new} new, ${s.missing} missing; ${data.matching} cases shown, regressions first`),
    filters(query, totals.facets), list, more);
}

async function pageGrid(runId, caseId) {
  const data = await api(`/api/runs/${enc(runId)}/cases/${enc(caseId)}`);
  setCrumbs([`#/run/${enc(runId)}`, runId], [`#/grid/${enc(runId)}/${enc(caseId)}`, caseId]);
  show(
    el("h1", { text: `${caseId} across models and configs` }),
    el("table", { class: "grid", id: "grid" },
      el("thead", {}, el("tr", {}, el("th", { text: "prompt · repeat" }),
        data.columns.map((c) => el("th", { text: `${c.model} · ${c.config_id}` })))),
      el("tbody", {}, data.rows.map((row) => el("tr", {},
        el("td", {}, el("b", { text: `${row.prompt_id} #${row.repeat}` }), el("div", { class: "answer muted", text: row.prompt })),
        row.cells.map((cell) => el("td", {}, cell ? [
          badge(cell.verdict), " ", link(`#/trial/${enc(runId)}/${enc(cell.id)}`, "trial"),
          cell.error ? el("div", { class: "error", text: cell.error }) : el("div", { class: "answer", text: cell.answer }),
          cell.reasons.length ? el("div", { class: "muted", text: cell.reasons.join("; ") }) : null,
        ] : el("span", { class: "muted", text: "-" }))))))));
}

async function pageTrial(runId, trialId) {
  const t = await api(`/api/runs/${enc(runId)}/trials/${enc(trialId)}`);
  setCrumbs([`#/run/${enc(runId)}`, runId], [`#/grid/${enc(runId)}/${enc(t.case_id)}`, t.case_id],
    [`#/trial/${enc(runId)}/${enc(trialId)}`, trialId]);
  const answer = t.turns.length
    ? t.turns.map((turn, i) => [el("h2", { text: `turn ${i + 1}` }), el("div", { class: "answer", text: turn.prompt }),
      el("div", { class: "answer", text: turn.output ? turn.output.text : "" })])
    : [el("h2", { text: "prompt" }), el("div", { class: "answer", id: "prompt", text: t.request.prompt }),
      el("h2", { text: "answer" }), el("div", { class: "answer", id: "answer", text: t.output ? t.output.text : (t.error ? t.error.message : "") })];
  show(
    el("h1", {}, `${t.case_id} · ${t.prompt_id} · ${t.model} · ${t.config_id} · #${t.repeat} `, badge(t.verdict)),
    t.reasons.length ? el("p", { text: t.reasons.join("; ") }) : null,
    t.request.system_instruction ? [el("h2", { text: "system" }), el("div", { class: "answer", text: t.request.system_instruction })] : null,
    t.media.length ? [el("h2", { text: "media" }), el("ul", {}, t.media.map((m) =>
      el("li", { text: `${m.source} ${m.mime_type || ""} ${m.duration_s ? m.duration_s.toFixed(1) + " s" : ""}` })))] : null,
    answer,
    el("h2", { text: "scores" }),
    el("table", { class: "scores" }, t.scores.map((s) => el("tr", {},
      el("td", {}, badge(s.error ? "error" : s.passed === true ? "pass" : s.passed === false ? "fail" : "unscored")),
      el("td", { text: s.metric }), el("td", { class: "num", text: s.value ?? "-" }),
      el("td", { text: s.error || (s.reason ? s.reason.text : "") })))));
}

async function render() {
  const mine = ++active;
  delete document.body.dataset.ready;
  const { parts, query } = route();
  try {
    if (parts[0] === "suite" && parts[1]) await pageSuite(parts[1]);
    else if (parts[0] === "run" && parts[1]) await pageRun(parts[1], query);
    else if (parts[0] === "compare" && parts[2]) await pageCompare(parts[1], parts[2], query);
    else if (parts[0] === "grid" && parts[2]) await pageGrid(parts[1], parts.slice(2).join("/"));
    else if (parts[0] === "trial" && parts[2]) await pageTrial(parts[1], parts[2]);
    else await pageSuites();
  } catch (error) {
    if (error instanceof Superseded || mine !== active) return;
    show(el("p", { class: "fail", role: "alert", text: `could not load this page: ${error.message}` }));
  }
  if (mine === active) document.body.dataset.ready = location.hash || "#/";
}

window.addEventListener("hashchange", render);
render();
