// Charts for the console, drawn as SVG by the page itself: bars stacked by day, and horizontal bars.
// No library: three chart shapes need ~100 lines, nothing to vendor or update, and the strict CSP
// (no inline styles or scripts) holds. Every bar carries its numbers (data-key, data-value, a title
// for screen readers), and each chart is followed by the same numbers as a table.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#a3161a", "#0b5d4b", "#7a4b00", "#1a56db", "#6b2d8f", "#3d5a10", "#9c3d62", "#31525b", "#5c5c5c", "#b35900"];

function svgElement(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const GREY = "#7d8784"; // what has no label yet
function colourOf(series, name) {
  return name === "belum berlabel" ? GREY : PALETTE[Math.max(0, series.indexOf(name)) % PALETTE.length];
}

// days: [{date, counts: {key: n}}]; series: the keys, in stacking order. A bar per day.
function stackedBarChart(days, series, title) {
  const width = 640, height = 260, left = 40, bottom = 40, top = 10;
  const totals = days.map((day) => series.reduce((sum, key) => sum + (day.counts[key] || 0), 0));
  const most = Math.max(1, ...totals);
  const slot = (width - left) / Math.max(1, days.length);
  const scale = (height - bottom - top) / most;
  const chart = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
  chart.append(svgElement("title", {}, title));
  chart.append(svgElement("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: "#6b7a75" }));
  chart.append(svgElement("text", { x: left - 6, y: top + 10, "text-anchor": "end" }, String(most)));
  chart.append(svgElement("text", { x: left - 6, y: height - bottom, "text-anchor": "end" }, "0"));
  days.forEach((day, index) => {
    let y = height - bottom;
    const x = left + index * slot + slot * 0.15;
    for (const key of series) {
      const value = day.counts[key] || 0;
      if (!value) continue;
      const tall = value * scale;
      y -= tall;
      const bar = svgElement("rect", {
        x, y, width: slot * 0.7, height: tall, fill: colourOf(series, key),
        "data-date": day.date, "data-key": key, "data-value": value, class: "batang",
      });
      bar.append(svgElement("title", {}, `${day.date} · ${key}: ${value}`));
      chart.append(bar);
    }
    chart.append(svgElement("text", { x: x + slot * 0.35, y: height - bottom + 16, "text-anchor": "middle" }, day.date.slice(5)));
  });
  return chart;
}

// entries: [[name, value]], largest first. A bar per entry.
function horizontalBarChart(entries, title, nameOf) {
  const row = 24, left = 150, width = 420, height = Math.max(1, entries.length) * row + 10;
  const most = Math.max(1, ...entries.map(([, value]) => value));
  const chart = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
  chart.append(svgElement("title", {}, title));
  entries.forEach(([key, value], index) => {
    const y = 5 + index * row;
    const long = ((width - left - 50) * value) / most;
    const bar = svgElement("rect", {
      x: left, y, width: Math.max(1, long), height: row - 8, fill: PALETTE[1],
      "data-key": key, "data-value": value, class: "batang",
    });
    bar.append(svgElement("title", {}, `${nameOf(key)}: ${value}`));
    chart.append(svgElement("text", { x: left - 6, y: y + row - 12, "text-anchor": "end" }, nameOf(key).slice(0, 22)));
    chart.append(bar);
    chart.append(svgElement("text", { x: left + long + 6, y: y + row - 12 }, String(value)));
  });
  return chart;
}

function legend(series) {
  const list = document.createElement("ul");
  list.className = "legenda";
  for (const key of series) {
    const item = document.createElement("li");
    const swatch = svgElement("svg", { width: 12, height: 12, "aria-hidden": "true" });
    swatch.append(svgElement("rect", { width: 12, height: 12, fill: colourOf(series, key) }));
    item.append(swatch, " ", key);
    list.append(item);
  }
  return list;
}
