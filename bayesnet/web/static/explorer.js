/* The what-if explorer: reads the situation from the address, asks the server's API, shows
   the answers. No library, no build step; every number comes from the server's JSON and is
   only rounded here, where it is printed. */
"use strict";

const UNKNOWN = "";
const view = { model: null, nodes: {}, state: null, requests: null, seq: 0 };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const fmt = (p) => (p === null || p === undefined ? "–" : p.toFixed(3));
const signed = (d) => (d === null || d === undefined ? "–" : (d >= 0 ? "+" : "−") + Math.abs(d).toFixed(3));
const interval = (lo, hi, f = fmt) => `[${f(lo)}, ${f(hi)}]`;
const share = (p) => (p === null || p === undefined ? "–" : p.toFixed(2));

/* ---------------------------------------------------------------- the address */

function parseAddress(search) {
  const params = new URLSearchParams(search);
  const s = { target: null, state: null, preset: null, given: {}, do: {} };
  for (const [k, v] of params) {
    if (k === "target") s.target = v;
    else if (k === "state") s.state = v;
    else if (k === "preset") s.preset = v || null;
    else if (k.startsWith("given.")) s.given[k.slice(6)] = v;
    else if (k.startsWith("do.")) s.do[k.slice(3)] = v;
  }
  return s;
}

function queryOf(s) {
  const items = [["target", s.target]];
  if (s.state) items.push(["state", s.state]);
  if (s.preset) items.push(["preset", s.preset]);
  for (const k of Object.keys(s.given).sort()) items.push(["given." + k, s.given[k]]);
  for (const k of Object.keys(s.do).sort()) items.push(["do." + k, s.do[k]]);
  return new URLSearchParams(items).toString();
}

/* ---------------------------------------------------------------- errors */

function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message;
  box.hidden = !message;
}

async function getJSON(url, signal) {
  const response = await fetch(url, { signal, headers: { Accept: "application/json" } });
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    const why = body && body.error ? body.error : `the server answered ${response.status}`;
    const err = new Error(why);
    err.status = response.status;
    throw err;
  }
  return body;
}

/* ---------------------------------------------------------------- controls */

function presetValues() {
  const p = view.model.presets.find((x) => x.id === view.state.preset);
  return p ? Object.fromEntries(p.values.map((v) => [v.node, v.state])) : {};
}

function buildControls() {
  const m = view.model;
  const preset = document.getElementById("preset");
  for (const p of m.presets) preset.append(el("option", { value: p.id, text: p.label }));
  preset.addEventListener("change", () => {
    view.state.preset = preset.value || null;
    view.state.given = {}; view.state.do = {};
    changed();
  });
  const target = document.getElementById("target");
  for (const kind of ["outcome", "mechanism", "context"]) {
    const group = el("optgroup", { label: kind === "outcome" ? "Outcomes" : kind === "mechanism" ? "Mechanisms" : "Contexts" });
    for (const n of m.nodes.filter((x) => x.kind === kind)) group.append(el("option", { value: n.id, text: n.label }));
    target.append(group);
  }
  target.addEventListener("change", () => { view.state.target = target.value; view.state.state = null; changed(); });
  document.getElementById("target-state").addEventListener("change", (e) => { view.state.state = e.target.value; changed(); });
  const box = document.getElementById("contexts");
  for (const g of m.stages) {
    const fs = el("fieldset", { class: "stage", "data-stage": g.stage }, el("legend", { text: g.title }));
    for (const [role, ids, note] of [["levers", g.levers, "Levers — you can change these"],
                                       ["givens", g.givens, "Givens — you cannot"]]) {
      if (!ids.length) continue;
      const list = el("div", { class: "group " + role }, el("h3", { text: note }));
      for (const id of ids) list.append(contextRow(view.nodes[id]));
      fs.append(list);
    }
    box.append(fs);
  }
  document.getElementById("reset").addEventListener("click", () => {
    view.state.given = {}; view.state.do = {}; changed();
  });
  document.getElementById("copy").addEventListener("click", copyLink);
}

function contextRow(n) {
  const select = el("select", { "data-node": n.id, "aria-label": n.label + ": unknown, observed or set" });
  select.addEventListener("change", () => {
    const [how, state] = select.value.split(":");
    delete view.state.given[n.id]; delete view.state.do[n.id];
    const fromPreset = presetValues()[n.id];
    if (how === "given" && !(fromPreset === state)) view.state.given[n.id] = state;
    if (how === "do") view.state.do[n.id] = state;
    changed();
  });
  const name = el("button", { type: "button", class: "linkish", text: n.label, title: n.definition,
                              onclick: () => showNode(n.id) });
  return el("div", { class: "context", "data-row": n.id }, name, select);
}

function syncControls() {
  const s = view.state;
  document.getElementById("preset").value = s.preset || "";
  const about = document.getElementById("preset-about");
  about.replaceChildren();
  const p = view.model.presets.find((x) => x.id === s.preset);
  if (p) {
    about.append(el("p", { text: p.description }));
    const list = el("ul", { class: "basis" });
    for (const v of p.values) {
      list.append(el("li", {}, el("b", { text: `${v.label} = ${v.state}: ` }),
        el("q", { text: v.basis }), el("span", { class: "note", text: ` (${v.section})` })));
    }
    if (p.values.length) about.append(el("p", { class: "note", text: "The review's sentences behind each value:" }), list);
    else about.append(el("p", { class: "note", text: "The review fixes none of this type's contexts." }));
  } else {
    about.append(el("p", { class: "note", text: "No preset: every context starts unknown." }));
  }
  const target = document.getElementById("target");
  target.value = s.target;
  const node = view.nodes[s.target];
  const stateSel = document.getElementById("target-state");
  stateSel.replaceChildren(...(node ? node.states : []).map((x) => el("option", { value: x, text: x })));
  if (node) stateSel.value = s.state || node.states[node.states.length - 1];
  const preset = presetValues();
  for (const select of document.querySelectorAll("#contexts select")) {
    const id = select.dataset.node;
    const n = view.nodes[id];
    const options = [];
    if (preset[id]) options.push(el("option", { value: "given:" + preset[id], text: `observed ${preset[id]} (preset)` }));
    else options.push(el("option", { value: UNKNOWN, text: "unknown" }));
    for (const st of n.states) if (st !== preset[id]) options.push(el("option", { value: "given:" + st, text: "observe: " + st }));
    for (const st of n.states) options.push(el("option", { value: "do:" + st, text: "set: " + st }));
    select.replaceChildren(...options);
    if (s.do[id]) select.value = "do:" + s.do[id];
    else if (s.given[id]) select.value = "given:" + s.given[id];
    else select.value = preset[id] ? "given:" + preset[id] : UNKNOWN;
    select.closest(".context").dataset.how = s.do[id] ? "set" : s.given[id] || preset[id] ? "observed" : "unknown";
    select.disabled = id === s.target;
  }
  const link = window.location.href;
  document.getElementById("share-url").value = link;
  document.getElementById("report").href = "/api/report?" + queryOf(s);
}

async function copyLink() {
  const input = document.getElementById("share-url");
  const said = document.getElementById("copied");
  try {
    await navigator.clipboard.writeText(input.value);
    said.textContent = "Link copied.";
  } catch (e) {
    input.select();
    said.textContent = "Select the link above and copy it (the browser did not allow copying).";
  }
}

/* ---------------------------------------------------------------- answers */

function changed() {
  history.pushState(null, "", "?" + queryOf(view.state));
  refresh("?" + queryOf(view.state));
}

function refresh(search) {
  syncControls();
  if (view.requests) view.requests.abort();
  const ctrl = new AbortController();
  view.requests = ctrl;
  const seq = ++view.seq;
  const qs = search.startsWith("?") ? search.slice(1) : search;
  showError("");
  document.body.dataset.busy = "yes";
  const parts = [
    getJSON("/api/answer?" + qs, ctrl.signal).then(showAnswer),
    getJSON("/api/analysis?" + qs, ctrl.signal).then(showAnalysis),
    getJSON("/api/web?" + qs, ctrl.signal).then(showWeb),
  ];
  for (const id of ["answer-card", "levers", "tornado", "web"]) document.getElementById(id).classList.add("stale");
  Promise.allSettled(parts).then((done) => {
    if (seq !== view.seq) return;
    const failed = done.find((d) => d.status === "rejected" && d.reason.name !== "AbortError");
    if (failed) showError("This what-if cannot be answered: " + failed.reason.message);
    document.body.dataset.busy = "no";
    document.body.dataset.shown = qs;
  });
}

function showAnswer(a) {
  document.getElementById("answer-card").classList.remove("stale");
  const n = view.nodes[a.target];
  document.getElementById("answer-title").textContent = `P(${n ? n.label : a.target} = ${a.state})`;
  document.getElementById("answer-probability").textContent = fmt(a.probability);
  document.getElementById("answer-interval").textContent = `${Math.round(a.hdi_prob * 100)}% interval ${interval(a.low, a.high)}`;
  const bar = document.getElementById("answer-bar");
  const ns = "http://www.w3.org/2000/svg";
  const rect = (x, w, cls) => { const r = document.createElementNS(ns, "rect"); r.setAttribute("x", x); r.setAttribute("y", 4);
    r.setAttribute("width", Math.max(w, 1)); r.setAttribute("height", 16); r.setAttribute("class", cls); return r; };
  bar.replaceChildren(rect(0, 400, "track"), rect(400 * a.low, 400 * (a.high - a.low), "hdi"), rect(400 * a.probability - 1, 2, "mean"));
  const c = document.getElementById("contrast");
  c.replaceChildren();
  if (a.contrast) {
    const k = a.contrast;
    c.append("Against the start (", el("span", { id: "contrast-start", text: fmt(k.start_probability) }), "): ",
      el("b", { id: "contrast-difference", text: signed(k.difference) }), " ",
      el("span", { id: "contrast-interval", class: "interval", text: interval(k.low, k.high, signed) }),
      " · P(higher) ", el("span", { id: "contrast-p-higher", text: share(k.p_higher) }),
      " (share of draws in which it is higher; the same draws on both sides).");
  } else {
    c.append(el("span", { id: "contrast-none", text: "This is the starting situation: change a context to see the paired contrast." }));
  }
  document.getElementById("situation").textContent = a.question;
}

function showAnalysis(a) {
  const body = document.querySelector("#levers tbody");
  body.replaceChildren();
  if (!a.levers.length) body.append(el("tr", {}, el("td", { colspan: 6, text: "No lever is left free in this situation." })));
  for (const r of a.levers) {
    body.append(el("tr", { "data-lever": r.lever, class: r.tied ? "tied" : null },
      el("td", { text: String(r.rank) + (r.tied ? " (tied)" : "") }),
      el("td", {}, el("button", { type: "button", class: "linkish", text: r.label, onclick: () => showNode(r.lever) })),
      el("td", { text: r.state }), el("td", { class: "num gain", text: signed(r.gain) }),
      el("td", { class: "num interval", text: interval(r.low, r.high, signed) }),
      el("td", { class: "num p-best", text: share(r.p_best) })));
  }
  document.getElementById("levers").classList.remove("stale");
  const tbody = document.querySelector("#tornado tbody");
  tbody.replaceChildren();
  const ns = "http://www.w3.org/2000/svg";
  const lo = Math.min(a.baseline.probability, ...a.tornado.map((r) => r.p_low_state));
  const hi = Math.max(a.baseline.probability, ...a.tornado.map((r) => r.p_high_state));
  const pad = Math.max((hi - lo) * 0.05, 0.005);
  const x = (p) => (160 * (p - lo + pad)) / (hi - lo + 2 * pad);
  for (const r of a.tornado) {
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 160 14"); svg.setAttribute("width", 160); svg.setAttribute("height", 14);
    const bar = document.createElementNS(ns, "rect");
    bar.setAttribute("x", x(r.p_low_state)); bar.setAttribute("y", 2); bar.setAttribute("height", 10);
    bar.setAttribute("width", Math.max(x(r.p_high_state) - x(r.p_low_state), 1)); bar.setAttribute("class", r.role);
    const base = document.createElementNS(ns, "line");
    base.setAttribute("x1", x(a.baseline.probability)); base.setAttribute("x2", x(a.baseline.probability));
    base.setAttribute("y1", 0); base.setAttribute("y2", 14); base.setAttribute("class", "baseline");
    svg.append(bar, base);
    tbody.append(el("tr", { "data-node": r.node },
      el("td", {}, el("button", { type: "button", class: "linkish", text: r.label, onclick: () => showNode(r.node) })),
      el("td", { class: "role " + r.role, text: r.role }),
      el("td", { text: `${r.low_state} → ${r.high_state}` }),
      el("td", { class: "num", text: `${fmt(r.p_low_state)}–${fmt(r.p_high_state)}` }),
      el("td", { class: "num swing" }, svg, " ", fmt(r.swing)),
      el("td", { class: "num interval", text: interval(r.swing_low, r.swing_high) })));
  }
  document.getElementById("tornado").classList.remove("stale");
}

function showWeb(w) {
  const box = document.getElementById("web");
  const doc = new DOMParser().parseFromString(w.svg, "image/svg+xml");
  box.replaceChildren(document.importNode(doc.documentElement, true));
  for (const g of box.querySelectorAll("[data-node]")) {
    g.addEventListener("click", () => showNode(g.dataset.node));
    g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") showNode(g.dataset.node); });
  }
  box.classList.remove("stale");
}

/* ---------------------------------------------------------------- a node, its links and sources */

async function showNode(id) {
  const panel = document.getElementById("node-panel");
  try {
    const n = await getJSON("/api/node/" + encodeURIComponent(id));
    document.getElementById("node-title").textContent = n.label;
    const body = document.getElementById("node-body");
    body.replaceChildren(
      el("p", {}, el("b", { text: n.role }), ` · ${n.stage} stage · states ${n.states.join(" / ")}`),
      el("p", { text: n.definition }), el("p", { class: "note", text: "Review section: " + n.section }));
    for (const [title, links] of [["Links into it", n.links_in], ["Links out of it", n.links_out]]) {
      if (!links.length) continue;
      body.append(el("h3", { text: title }));
      const list = el("ul", { class: "links" });
      for (const l of links) {
        const sources = el("ul", { class: "sources" });
        for (const s of l.sources) {
          const quotes = s.quotes.map((q) => el("blockquote", {}, el("q", { text: q.quote }),
            el("span", { class: "note", text: q.section ? ` (${q.section})` : "" })));
          sources.append(el("li", { "data-source": s.id },
            el("details", {}, el("summary", {}, el("b", { text: s.short }),
              s.side === "contradicts" ? " (contradicts)" : ""),
              el("p", { class: "citation", text: s.citation }), ...quotes)));
        }
        list.append(el("li", { "data-link": String(l.link) },
          el("details", { class: "link" },
            el("summary", {}, el("code", { text: l.name }),
              ` — ${l.n_support} supporting, ${l.n_contradict} contradicting source${l.n_contradict === 1 ? "" : "s"}`),
            sources)));
      }
      body.append(list);
    }
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
  } catch (e) {
    showError(e.message);
  }
}

/* ---------------------------------------------------------------- start */

async function start() {
  try {
    view.model = await getJSON("/api/model");
  } catch (e) {
    showError("The explorer could not load the model: " + e.message);
    return;
  }
  for (const n of view.model.nodes) view.nodes[n.id] = n;
  document.getElementById("draws").textContent = String(view.model.draws);
  document.getElementById("hdi").textContent = Math.round(view.model.hdi_prob * 100) + "%";
  view.state = parseAddress(window.location.search);
  if (!view.state.target) view.state.target = view.model.default_target;
  buildControls();
  const search = window.location.search || "?" + queryOf(view.state);
  refresh(search);
  window.addEventListener("popstate", () => {
    view.state = parseAddress(window.location.search);
    if (!view.state.target) view.state.target = view.model.default_target;
    refresh(window.location.search || "?" + queryOf(view.state));
  });
}

document.addEventListener("DOMContentLoaded", start);
