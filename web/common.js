// Formatting, tables and charts the dashboard and the report share.
"use strict";

const fmt = {
  money(x) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    return Number(x).toLocaleString("en-US", {minimumFractionDigits: 2,
                                              maximumFractionDigits: 2});
  },
  signed(x) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    return (x > 0 ? "+" : "") + fmt.money(x);
  },
  pct(x) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    // A tiny loss would show as -0.00%.
    if (Math.abs(x) < 0.00005) return "0.00%";
    return (x > 0 ? "+" : "") + (x * 100).toFixed(2) + "%";
  },
  count(x) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    return Number(x).toLocaleString("en-US", {maximumFractionDigits: 0});
  },
  rate(x) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    return Number(x).toLocaleString("en-US", {maximumFractionDigits: 1});
  },
  axis(x) {
    return Number(x).toLocaleString("en-US", {maximumFractionDigits: 0});
  },
  time(ms) {
    if (!ms) return "–";
    return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
  },
};

/// The CSS class of a gain or a loss.
// The last part of a file path: headers name the journal by its file, the
// whole path shows on hover.
function baseName(path) {
  return (path || "").split("/").pop();
}

function tone(x) {
  return x > 0 ? "up" : x < 0 ? "down" : "";
}

/// Fills `tbody` with one row per item; `cells(item)` gives [text, class].
function fillTable(tbody, items, cells) {
  const rows = items.map(item => {
    const tr = document.createElement("tr");
    for (const [text, cls] of cells(item)) {
      const td = document.createElement("td");
      td.textContent = text;
      if (cls) td.className = cls;
      tr.appendChild(td);
    }
    return tr;
  });
  tbody.replaceChildren(...rows);
}

function setText(id, text, cls) {
  const e = document.getElementById(id);
  if (!e) return;
  e.textContent = text;
  if (cls !== undefined) e.className = "value " + cls;
}

/// Drawdown below the running peak, as a fraction (0 or negative).
function drawdownOf(values) {
  let peak = -Infinity;
  return values.map(v => {
    peak = Math.max(peak, v);
    return peak > 0 ? v / peak - 1 : 0;
  });
}

/// A uPlot time-series chart in `el`, sized to it.
/// `axisFmt` labels the value axis (default: `valueFmt`); `range(min, max)`
/// gives the value axis's range (default: uPlot's).
function makeChart(el, label, color, fill, valueFmt, height, axisFmt, range) {
  const scales = {x: {time: true}};
  if (range) scales.y = {range: (u, min, max) => range(min, max)};
  const opts = {
    width: Math.max(el.clientWidth, 300), height: height || 260,
    cursor: {drag: {x: true, y: false}},
    scales,
    axes: [
      {stroke: "#8a96a5", grid: {stroke: "#263040"}, ticks: {stroke: "#263040"}},
      {stroke: "#8a96a5", grid: {stroke: "#263040"}, ticks: {stroke: "#263040"},
       size: 90, values: (u, xs) => xs.map(axisFmt || valueFmt)},
    ],
    series: [{}, {label, stroke: color, fill, width: 1.5,
                  value: (u, v) => v === null ? "–" : valueFmt(v)}],
  };
  const chart = new uPlot(opts, [[], []], el);
  new ResizeObserver(() => {
    chart.setSize({width: Math.max(el.clientWidth, 300), height: opts.height});
  }).observe(el);
  return chart;
}

/// The drawdown axis: from the deepest drawdown (at least -1%) to 0.
function drawdownRange(min) {
  return [Math.min(min === null ? 0 : min, -0.01) * 1.05, 0];
}

/// Sets `[[t_ms, equity], ...]` on an equity and a drawdown chart.
function plotCurve(equityChart, drawdownChart, points) {
  const xs = points.map(p => p[0] / 1000);
  const ys = points.map(p => p[1]);
  equityChart.setData([xs, ys]);
  drawdownChart.setData([xs, drawdownOf(ys)]);
}
