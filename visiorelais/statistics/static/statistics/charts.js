// Draws each statistics chart from its own table, so the table stays the one source of the numbers.
//
// A table with data-chart="bar|stacked|line" names its x column (data-chart-x) and its series columns
// (data-chart-series, comma-separated keys); each cell carries data-key and, for numbers, data-value. The chart
// goes in the <figure data-chart-for="<table id>"> beside the table. Nothing is told by colour alone: each series
// has its own dash pattern and point style (lines) or fill pattern (bars), a legend, and axis titles with units.
// Heatmaps are not drawn here: the table itself is shaded, each cell printing its value (statistics.css).

const Chart = window.Chart;

const COLOURS = ["#1f4e79", "#b35900", "#2e7d32", "#6a1b9a", "#37474f", "#ad1457", "#00695c", "#5d4037"];
const DASHES = [[], [8, 4], [2, 3], [12, 4, 2, 4], [4, 4], [1, 6], [16, 6], [6, 2, 2, 2]];
const POINTS = ["circle", "triangle", "rect", "rectRot", "crossRot", "star", "cross", "rectRounded"];
const PATTERNS = ["solid", "diagonal", "dots", "horizontal", "cross", "vertical", "diagonal-back", "grid"];

function pattern(kind, colour) {
  if (kind === "solid") return colour;
  const size = 10;
  const tile = document.createElement("canvas");
  tile.width = tile.height = size;
  const ctx = tile.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 2;
  ctx.beginPath();
  if (kind === "diagonal" || kind === "cross") { ctx.moveTo(0, size); ctx.lineTo(size, 0); }
  if (kind === "diagonal-back" || kind === "cross") { ctx.moveTo(0, 0); ctx.lineTo(size, size); }
  if (kind === "horizontal" || kind === "grid") { ctx.moveTo(0, size / 2); ctx.lineTo(size, size / 2); }
  if (kind === "vertical" || kind === "grid") { ctx.moveTo(size / 2, 0); ctx.lineTo(size / 2, size); }
  ctx.stroke();
  if (kind === "dots") { ctx.beginPath(); ctx.arc(size / 2, size / 2, 2.2, 0, 2 * Math.PI); ctx.fill(); }
  return ctx.createPattern(tile, "repeat");
}

function headerOf(table, key) {
  return table.querySelector(`thead th[data-key="${CSS.escape(key)}"]`);
}

function read(table) {
  const x = table.dataset.chartX;
  const series = table.dataset.chartSeries.split(",").filter(Boolean);
  const labels = [];
  const values = Object.fromEntries(series.map((key) => [key, []]));
  for (const row of table.tBodies[0].rows) {
    const label = row.querySelector(`[data-key="${CSS.escape(x)}"]`);
    if (!label) continue;
    labels.push(label.textContent.trim());
    for (const key of series) {
      const cell = row.querySelector(`[data-key="${CSS.escape(key)}"]`);
      const raw = cell ? cell.dataset.value : "";
      values[key].push(raw === "" || raw === undefined ? null : Number(raw));
    }
  }
  return { x, series, labels, values };
}

function draw(table, figure) {
  const kind = table.dataset.chart;
  const { x, series, labels, values } = read(table);
  const units = [...new Set(series.map((key) => headerOf(table, key)?.dataset.unit || ""))];
  const xHeader = headerOf(table, x);
  const datasets = series.map((key, index) => {
    const colour = COLOURS[index % COLOURS.length];
    const header = headerOf(table, key);
    const common = { label: header ? header.dataset.label : key, data: values[key], borderColor: colour };
    if (kind === "line") {
      return {
        ...common,
        backgroundColor: colour,
        borderDash: DASHES[index % DASHES.length],
        pointStyle: POINTS[index % POINTS.length],
        pointRadius: 5,
        borderWidth: 2,
        spanGaps: false,
      };
    }
    return { ...common, backgroundColor: pattern(PATTERNS[index % PATTERNS.length], colour), borderWidth: 1.5 };
  });
  const canvas = document.createElement("canvas");
  const title = table.dataset.chartTitle || table.caption?.firstChild?.textContent.trim() || "";
  canvas.setAttribute("role", "img");
  canvas.setAttribute(
    "aria-label",
    `${title} : graphique des valeurs du tableau « ${table.caption?.firstChild?.textContent.trim() || title} », ` +
      "qui donne les mêmes chiffres.",
  );
  canvas.textContent = "Les valeurs de ce graphique sont dans le tableau ci-contre.";
  figure.prepend(canvas);
  const stacked = kind === "stacked";
  new Chart(canvas, {
    type: kind === "line" ? "line" : "bar",
    data: { labels, datasets },
    options: {
      responsive: true,
      animation: false,
      locale: "fr-FR",
      plugins: {
        legend: { display: series.length > 1, labels: { usePointStyle: kind === "line", boxWidth: 28, boxHeight: 14 } },
        title: { display: Boolean(title), text: title },
      },
      scales: {
        x: { stacked, title: { display: Boolean(xHeader), text: xHeader ? xHeader.dataset.label : "" } },
        y: {
          stacked,
          beginAtZero: true,
          title: { display: true, text: units.filter(Boolean).join(", ") || "valeur" },
        },
      },
    },
  });
}

if (Chart) {
  Chart.defaults.font.family = "system-ui, sans-serif";
  for (const figure of document.querySelectorAll("figure[data-chart-for]")) {
    const table = document.getElementById(figure.dataset.chartFor);
    if (table && table.dataset.chart) draw(table, figure);
  }
}
