// The cluster map: curate's sample of the rows as points (PCA of the instruction embeddings),
// coloured by cluster, kept / removed, or one bias-audit axis; a click opens the row.
// Loaded before app.js, whose state, $, el, api and openRow it uses when called.
"use strict";

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
  "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354",
  "#756bb1", "#636363"];

function drawMap() {
  const m = state.map, canvas = $("canvas"), ctx = canvas.getContext("2d");
  const pad = 12, w = canvas.width - 2 * pad, h = canvas.height - 2 * pad;
  const [x0, x1, y0, y1] = [Math.min(...m.x), Math.max(...m.x), Math.min(...m.y), Math.max(...m.y)];
  m.px = m.x.map((x) => pad + (x - x0) / ((x1 - x0) || 1) * w);
  m.py = m.y.map((y) => pad + h - (y - y0) / ((y1 - y0) || 1) * h);
  const colour = pointColours(m, $("colour").value);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (const faint of [true, false]) {  // the points a colouring singles out drawn last, on top
    for (let i = 0; i < m.x.length; i++) {
      const [fill, isFaint] = colour.of(i);
      if (isFaint !== faint) continue;
      ctx.fillStyle = fill;
      ctx.globalAlpha = faint ? 0.3 : 0.85;
      ctx.fillRect(m.px[i] - 2, m.py[i] - 2, 4, 4);
    }
  }
  ctx.globalAlpha = 1;
  $("legend").replaceChildren(...colour.legend.map(([fill, label]) =>
    el("span", {class: "key"}, el("i", {style: `background:${fill}`}), label)));
  $("map-note").textContent = `${m.x.length} points: curate's sample of the rows, PCA of the instruction embeddings. ` +
    "Click a point to open its row.";
}

const GREY = "#b8bcc4";

// [colour, faint] of each point and a legend, for colouring by cluster, kept / removed, or the
// groups of one bias-audit axis that the point's row names
function pointColours(m, by) {
  if (by === "status") {
    return {of: (i) => m.status[i] === "removed" ? ["#d62728", false] : ["#2ca02c", true],
      legend: [["#2ca02c", "kept"], ["#d62728", "removed"]]};
  }
  if (!by.startsWith("bias:")) return {of: (i) => [PALETTE[m.cluster[i] % PALETTE.length], false], legend: []};
  const axis = by.slice(5), counts = {};
  const named = m.bias.map((pairs) => pairs.filter(([a]) => a === axis).map(([, g]) => g));
  for (const groups of named) for (const g of groups) counts[g] = (counts[g] || 0) + 1;
  const top = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, PALETTE.length - 1).map(([g]) => g);
  const fill = (g) => PALETTE[top.indexOf(g)];
  const several = "#000000";
  return {of: (i) => named[i].length === 0 ? [GREY, true] : named[i].length > 1 ? [several, false] :
    [top.includes(named[i][0]) ? fill(named[i][0]) : PALETTE[PALETTE.length - 1], false],
  legend: [...top.map((g) => [fill(g), `${g} (${counts[g]})`]), [several, "names several"], [GREY, "names none"]]};
}

function setupColours(m) {
  const axes = {};
  for (const pairs of m.bias) for (const [a] of pairs) axes[a] = (axes[a] || 0) + 1;
  for (const [a, c] of Object.entries(axes).sort((x, y) => y[1] - x[1])) {
    $("colour").append(el("option", {value: `bias:${a}`}, `colour by bias audit: ${a} (${c} points name one)`));
  }
}

function pickPoint(event) {
  const m = state.map, box = $("canvas").getBoundingClientRect();
  const x = (event.clientX - box.left) * $("canvas").width / box.width;
  const y = (event.clientY - box.top) * $("canvas").height / box.height;
  let best = -1, bestD = 64;
  for (let i = 0; i < m.px.length; i++) {
    const d = (m.px[i] - x) ** 2 + (m.py[i] - y) ** 2;
    if (d < bestD) { best = i; bestD = d; }
  }
  if (best >= 0) openRow(m.n[best]);
}

async function toggleMap() {
  const showing = $("map").hidden;
  $("map").hidden = !showing;
  $("rows").hidden = showing;
  $("colour").hidden = !showing;
  $("show-map").textContent = showing ? "rows" : "cluster map";
  if (!showing) return;
  if (!state.map) {
    state.map = await api("/api/map");
    setupColours(state.map);
  }
  if (!state.map.x.length) { $("map-note").textContent = "this curate output has no map (map.json): re-run curate"; return; }
  drawMap();
}
