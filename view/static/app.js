// seedling view: rows, filters, a row's "why", decisions. Every piece of data goes into the
// page as a text node (el() below), never as markup, so a row holding <script> shows as text.
"use strict";

const state = {facets: null, decisions: {}, offset: 0, total: 0, open: null, limit: 100, asked: 0, listed: 0};
const $ = (id) => document.getElementById(id);
const FILTERS = ["status", "tier", "reason", "cluster", "flag", "source", "sort"];
// What a column means, shown on hover: "quality" reads 1 on most good answers, and a person
// should not take it for a ranking.
const HELP = {
  quality: "1 unless a check flagged the row (refusal, repetition, unanswered, echoing the prompt, length); " +
    "a gate, not a ranking: see the row's flags",
  score: "the dedup pair's similarity for a removed row",
  learned: "predicted chance that a strong judge prefers this answer to a reference answer (using the other " +
    "answers to its prompt where there are 3 or more); the ranking score",
  consensus: "how much this answer says what the other answers to its prompt say",
  ifd: "answer loss after the instruction / without it; 1 or more: the instruction does not help",
  answer_nll: "mean loss per token of the answer after the instruction",
  end_nll: "loss of ending the turn after the answer; high: the answer looks unfinished",
  judge: "a judge model's rating, 1 to 5",
  sel_score: "the selection score (quality x learned, x the judge's part when rated): what --select ranks by",
};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick") node.addEventListener("click", v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function fmt(v) {
  if (v === null || v === undefined) return "";
  return typeof v === "number" && !Number.isInteger(v) ? v.toFixed(3) : String(v);
}

function fillSelect(id, values, label) {
  const select = $(id);
  select.replaceChildren(el("option", {value: ""}, "any"));
  for (const [v, c] of values) select.append(el("option", {value: String(v)}, `${label ? label(v) : v} (${c})`));
}

function shortReason(r) { return r.length > 60 ? r.slice(0, 57) + "..." : r; }

function setupFilters(f) {
  fillSelect("tier", f.tier);
  fillSelect("reason", f.reason, shortReason);
  fillSelect("cluster", f.cluster);
  fillSelect("flag", f.flag);
  fillSelect("source", f.source);
  const ranges = $("ranges");
  for (const [name, [lo, hi]] of Object.entries(f.scores)) {
    $("sort").append(el("option", {value: name}, name));
    if (lo === null) continue;
    const min = el("input", {type: "number", step: "any", id: `min_${name}`, placeholder: fmt(lo)});
    const max = el("input", {type: "number", step: "any", id: `max_${name}`, placeholder: fmt(hi)});
    ranges.append(el("label", {title: HELP[name] || ""}, name, el("div", {class: "range"}, min, max)));
    for (const box of [min, max]) box.addEventListener("change", () => reload(0));
  }
  for (const id of FILTERS) $(id).addEventListener("change", () => reload(0));
  $("desc").addEventListener("change", () => reload(0));
  let timer = null;
  $("q").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => reload(0), 250); });
}

function query() {
  const params = new URLSearchParams();
  for (const id of FILTERS) if ($(id).value) params.set(id, $(id).value);
  if ($("q").value.trim()) params.set("q", $("q").value.trim());
  if ($("desc").checked) params.set("desc", "1");
  for (const box of $("ranges").querySelectorAll("input")) if (box.value !== "") params.set(box.id, box.value);
  params.set("offset", state.offset);
  params.set("limit", state.limit);
  return params;
}

// a decision names one occurrence of a content id (exact copies share the id), or every copy
function decisionOf(row) {
  return state.decisions[`${row.id}#${row.occurrence}`] || state.decisions[row.id];
}

function statusTags(row) {
  const tags = [el("span", {class: `tag ${row.status}`}, row.status)];
  if (row.selected) tags.push(el("span", {class: "tag kept"}, "selected"));
  const d = decisionOf(row);
  if (d) tags.push(el("span", {class: "tag person", title: d.note || ""}, `person: ${d.action}`));
  return tags;
}

function renderRows(page) {
  const scores = Object.keys(state.facets.scores);
  $("head").replaceChildren(...["#", "status", "why", "cluster", "source", ...scores, "instruction", "output"]
    .map((h) => el("th", {title: HELP[h] || ""}, h)));
  const body = $("rows").tBodies[0];
  body.replaceChildren(...page.rows.map((row) => {
    const tr = el("tr", {"data-n": row.n, onclick: () => openRow(row.n)},
      el("td", {class: "num"}, row.n), el("td", {}, statusTags(row)),
      el("td", {class: "text", title: row.reason || ""}, row.reason || (row.flags || []).join(", ")),
      el("td", {class: "num"}, fmt(row.cluster)), el("td", {}, row.source),
      scores.map((s) => el("td", {class: "num"}, fmt(row[s]))),
      el("td", {class: "text"}, row.instruction), el("td", {class: "text"}, row.output));
    if (row.n === state.open) tr.classList.add("open");
    return tr;
  }));
  state.total = page.total;
  const last = Math.min(page.offset + page.rows.length, page.total);
  $("shown").textContent = page.total ? `rows ${page.offset + 1}-${last} of ${page.total}` : "no rows match";
  $("prev").disabled = page.offset === 0;
  $("next").disabled = last >= page.total;
}

async function reload(offset) {
  state.offset = offset;
  const listed = ++state.listed, started = performance.now();
  try {
    const page = await api("/api/rows?" + query());
    if (listed !== state.listed) return;
    renderRows(page);
    window.lastQueryMs = performance.now() - started;
    $("timing").textContent = `${Math.round(window.lastQueryMs)} ms`;
  } catch (e) {
    if (listed === state.listed) $("shown").textContent = `error: ${e.message}`;
  }
}

function textBlock(pieces) {
  return el("pre", {}, pieces.map(([kind, text]) => kind === "same" ? text : el("span", {class: "diff"}, text)));
}

function rowLink(row) {
  return el("tr", {onclick: () => openRow(row.n)}, el("td", {}, statusTags(row)),
    el("td", {class: "text"}, row.instruction), el("td", {class: "text"}, row.output));
}

async function decide(members, action, note) {
  const ids = members.map(([id]) => id), occurrences = members.map(([, k]) => k);
  state.decisions = await api("/api/decide", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({ids, occurrences, action, note})});
  await reload(state.offset);
  if (state.open) await openRow(state.open);
  $("saved").textContent = `saved ${ids.length} decision(s) to ${state.facets.overrides}`;
}

function decisionBar(members, label) {
  const note = el("input", {type: "text", placeholder: "note (optional)"});
  const act = (action) => () => decide(members, action, note.value);
  return el("div", {class: "decide"}, el("b", {}, label),
    el("button", {class: "keep", onclick: act("keep")}, "keep"),
    el("button", {class: "remove", onclick: act("remove")}, "remove"),
    note, el("button", {class: "note", onclick: act("note")}, "save note"));
}

function table(rows) { return el("table", {}, el("tbody", {}, rows)); }

function renderDetail(why) {
  const r = why.row;
  const d = decisionOf(r);
  const copy = r.occurrence > 0 ? ` (copy ${r.occurrence + 1} of this content)` : "";
  const parts = [el("h2", {}, statusTags(r), ` row ${r.n} `, el("code", {title: "content id: exact copies share it; a decision here is about this row only"}, r.id), copy),
    el("button", {onclick: closeRow}, "close"),
    decisionBar([[r.id, r.occurrence]], "this row:"),
    d ? el("p", {class: "muted"}, `a person decided: ${d.action}${d.note ? ` (${d.note})` : ""}; curate applies it on its next run`) : null,
    r.reason ? el("p", {}, el("b", {}, `removed by ${r.removed_by}: `), r.reason) : null,
    el("h3", {}, "scores"),
    table(Object.entries({...why.scores, ...why.parts}).map(([k, v]) => el("tr", {title: HELP[k] || ""}, el("td", {}, k), el("td", {class: "num"}, fmt(v))))),
    (r.flags || []).length ? el("p", {}, "flags: ", r.flags.map((f) => el("span", {class: "tag flag"}, f))) : null,
    r.sel_reason ? el("p", {}, el("b", {}, "selection: "), r.sel_reason) : null];
  if (why.duplicates) {
    parts.push(el("h3", {}, "the row it duplicates (differences marked)"));
    parts.push(el("div", {class: "pair"}, el("b", {}, "this row"), el("b", {onclick: () => openRow(why.duplicates.other.n)},
      "kept instead: ", statusTags(why.duplicates.other))));
    for (const [name, f] of Object.entries(why.duplicates.fields)) {
      if (!r[name] && !why.duplicates.other[name]) continue;
      parts.push(el("div", {}, name + (f.equal ? " (identical)" : "")));
      parts.push(el("div", {class: "pair dup"}, textBlock(f.row), textBlock(f.other)));
    }
  } else {
    for (const name of ["instruction", "input", "output"]) {
      if (r[name]) parts.push(el("h3", {}, name), el("pre", {}, r[name]));
    }
  }
  if (why.nearest.length) {
    parts.push(el("h3", {}, "nearest rows (cosine of the instructions' embeddings)"),
      el("table", {class: "nearest"}, el("tbody", {}, why.nearest.map(({row, cosine}) => {
        const tr = rowLink(row);
        tr.prepend(el("td", {class: "num"}, cosine.toFixed(3)));
        return tr;
      }))));
  } else if (!why.linked) {
    parts.push(el("p", {class: "muted"}, "nearest rows and groups: this curate output predates them; re-run curate"));
  }
  if (why.nearest_chosen) {
    parts.push(el("h3", {}, `nearest selected row (cosine ${fmt(why.nearest_chosen.cosine)})`),
      table([rowLink(why.nearest_chosen.row)]));
  }
  for (const g of why.groups) {
    parts.push(el("h3", {}, `${g.title}: ${g.total} other row(s)`),
      decisionBar(g.members, "this row and the group:"),
      table(g.rows.map(rowLink)));
  }
  if (why.meta) parts.push(el("h3", {}, "meta"), el("pre", {}, JSON.stringify(why.meta, null, 1)));
  $("detail").replaceChildren(...parts.filter(Boolean));
  $("detail").hidden = false;
}

async function openRow(n) {
  const asked = ++state.asked;  // only the latest request may draw: answers can arrive out of order
  state.open = n;
  history.replaceState(null, "", `#row=${n}`);
  for (const tr of $("rows").tBodies[0].rows) tr.classList.toggle("open", Number(tr.dataset.n) === n);
  try {
    const why = await api(`/api/row/${n}`);
    if (asked === state.asked) renderDetail(why);
  } catch (e) {
    if (asked !== state.asked) return;
    $("detail").replaceChildren(el("p", {}, `error: ${e.message}`));
    $("detail").hidden = false;
  }
}

function closeRow() {
  state.open = null;
  state.asked++;
  $("detail").hidden = true;
  history.replaceState(null, "", "#");
}

async function main() {
  const [facets, decisions] = await Promise.all([api("/api/facets"), api("/api/decisions")]);
  state.facets = facets;
  state.decisions = decisions;
  $("title").textContent = `seedling view: ${facets.title}`;
  document.title = `seedling view: ${facets.title}`;
  $("counts").textContent = facets.status.map(([s, c]) => `${c} ${s}`).join(" · ");
  if (facets.audit_page) { $("audit").hidden = false; $("audit").href = `/files/${facets.audit_page}`; }
  setupFilters(facets);
  $("prev").addEventListener("click", () => reload(Math.max(0, state.offset - state.limit)));
  $("next").addEventListener("click", () => reload(state.offset + state.limit));
  $("show-map").addEventListener("click", toggleMap);
  $("colour").addEventListener("change", drawMap);
  $("canvas").addEventListener("click", pickPoint);
  await reload(0);
  window.firstPaintMs = performance.now();
  document.body.dataset.ready = "1";
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("row")) await openRow(Number(hash.get("row")));
}

main();
