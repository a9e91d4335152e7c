// The runs page: the run folders the server lists, a table sortable by any metric, learning
// curves of the ticked runs overlaid, the difference of two configurations, and one run's
// plots. It refreshes every two seconds, so a run in progress grows as its epochs finish.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { runs: [], selected: new Set(), sortKey: "modified", ascending: false, histories: {}, shown: null };
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const file = (run, name) => `/api/runs/files/${run.name.split("/").map(encodeURIComponent).join("/")}/${name}`;

/** The numeric values of a run's table row: its top-level metrics, plus the epochs. */
function rowValues(run) {
  const values = {};
  for (const [key, value] of Object.entries(run.metrics || {})) if (typeof value === "number") values[key] = value;
  const history = state.histories[run.name];
  if (history) values.epochs = history.rows.length;
  return values;
}

function parseCsv(text) {
  const [header, ...lines] = text.trim().split("\n");
  const columns = header.split(",");
  const rows = lines.filter((line) => line).map((line) => line.split(",").map((cell) => (cell === "" ? NaN : Number(cell))));
  return { columns, rows };
}

async function refresh() {
  let runs;
  try {
    runs = await (await fetch("/api/runs")).json();
    $("status").textContent = "";
  } catch (error) {
    $("status").textContent = "the server does not answer";
    return;
  }
  // Fetch the history of runs that changed since the last look.
  await Promise.all(runs.filter((run) => run.history).map(async (run) => {
    const known = state.runs.find((r) => r.name === run.name);
    if (known && known.modified === run.modified && state.histories[run.name]) return;
    const response = await fetch(file(run, "history.csv"));
    if (response.ok) state.histories[run.name] = parseCsv(await response.text());
  }));
  state.runs = runs;
  if (state.selected.size === 0 && runs.length > 0) runs.slice(0, 3).forEach((run) => state.selected.add(run.name));
  drawTable();
  drawCurves();
  drawDiff();
  if (state.shown) showRun(state.shown, false);
}

function drawTable() {
  $("no_runs").hidden = state.runs.length > 0;
  const keys = [...new Set(state.runs.flatMap((run) => Object.keys(rowValues(run))))].sort();
  const head = $("runs_table").querySelector("thead");
  const headers = ["", "run", ...keys];
  head.innerHTML = `<tr>${headers.map((key) => `<th data-key="${key}">${key}</th>`).join("")}</tr>`;
  head.querySelectorAll("th").forEach((th) => {
    const key = th.dataset.key === "run" ? "name" : th.dataset.key;
    th.classList.toggle("sorted", key === state.sortKey);
    th.classList.toggle("ascending", key === state.sortKey && state.ascending);
    if (!key) return;
    th.addEventListener("click", () => {
      state.ascending = state.sortKey === key ? !state.ascending : true;
      state.sortKey = key;
      drawTable();
    });
  });
  const value = (run) => (state.sortKey === "name" ? run.name : state.sortKey === "modified" ? run.modified : rowValues(run)[state.sortKey]);
  const sorted = [...state.runs].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    const order = typeof x === "string" ? x.localeCompare(y) : x - y;
    return state.ascending ? order : -order;
  });
  $("runs_table").querySelector("tbody").innerHTML = sorted.map((run) => {
    const values = rowValues(run);
    const shown = (v) => (v === undefined ? "" : Number.isInteger(v) ? String(v) : v.toPrecision(4));
    const cells = keys.map((key) => `<td class="number">${shown(values[key])}</td>`);
    const live = run.in_progress ? ' <span class="live">● training</span>' : "";
    const checked = state.selected.has(run.name) ? "checked" : "";
    return `<tr data-run="${escape(run.name)}"><td><input type="checkbox" ${checked}></td><td><a href="#" class="run-name">${escape(run.name)}</a>${live}</td>${cells.join("")}</tr>`;
  }).join("");
  $("runs_table").querySelectorAll("tbody tr").forEach((row) => {
    const name = row.dataset.run;
    row.querySelector("input").addEventListener("change", (event) => {
      event.target.checked ? state.selected.add(name) : state.selected.delete(name);
      drawCurves();
      drawDiff();
    });
    row.querySelector(".run-name").addEventListener("click", (event) => { event.preventDefault(); showRun(name, true); });
  });
}

function drawCurves() {
  const select = $("curve_column");
  const columns = [...new Set(Object.values(state.histories).flatMap((h) => h.columns.slice(1)))]
    .filter((c) => !["learning_rate", "elapsed_seconds"].includes(c));
  const current = select.value || (columns.includes("val_loss") ? "val_loss" : columns[0]);
  select.innerHTML = columns.map((c) => `<option ${c === current ? "selected" : ""}>${c}</option>`).join("");
  const series = [...state.selected].filter((name) => state.histories[name]).map((name, index) => {
    const history = state.histories[name];
    const column = history.columns.indexOf(select.value);
    return { label: name, colour: Charts.PALETTE[index % Charts.PALETTE.length], width: 2,
      points: column < 0 ? [] : history.rows.map((row) => [row[0], row[column]]) };
  });
  Charts.lines($("curves"), series, { logY: $("log_scale").checked, legend: true, axes: true, padding: 10 });
}

/** The settings of a config.toml as `section.key → value`. */
function settingsOf(config) {
  const settings = new Map();
  let section = "";
  for (const raw of (config || "").split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const header = line.match(/^\[(.+)\]$/);
    if (header) { section = `${header[1]}.`; continue; }
    const [key, ...value] = line.split("=");
    if (value.length) settings.set(section + key.trim(), value.join("=").trim());
  }
  return settings;
}

function drawDiff() {
  const chosen = state.runs.filter((run) => state.selected.has(run.name));
  if (chosen.length !== 2) {
    $("diff").innerHTML = `<p class="empty">Tick two runs to compare their configurations (${chosen.length} ticked).</p>`;
    return;
  }
  const [a, b] = chosen.map((run) => settingsOf(run.config));
  const keys = [...new Set([...a.keys(), ...b.keys()])].filter((key) => a.get(key) !== b.get(key)).sort();
  const cell = (text) => (text === undefined ? "<i>absent</i>" : escape(text));
  $("diff").innerHTML = keys.length === 0 ? "<p class=\"empty\">The two configurations are the same.</p>"
    : `<table><tr><th>setting</th><th>${escape(chosen[0].name)}</th><th>${escape(chosen[1].name)}</th></tr>${keys.map((key) =>
      `<tr><td>${escape(key)}</td><td class="removed">${cell(a.get(key))}</td><td class="added">${cell(b.get(key))}</td></tr>`).join("")}</table>`;
}

function showRun(name, scroll) {
  const run = state.runs.find((r) => r.name === name);
  if (!run) return;
  state.shown = name;
  $("details").hidden = false;
  $("details_name").textContent = name + (run.in_progress ? " (training)" : "");
  const stamp = Math.round(run.modified);
  $("details_plots").innerHTML = run.plots.map((plot) => `<img alt="${escape(plot)}" src="${escape(file(run, plot))}?v=${stamp}">`).join("");
  $("details_config").textContent = run.config || "(no config.toml)";
  $("details_metrics").textContent = run.metrics ? JSON.stringify(run.metrics, null, 2) : "(no metrics.json yet)";
  if (scroll) $("details").scrollIntoView();
}

$("curve_column").addEventListener("change", drawCurves);
$("log_scale").addEventListener("change", drawCurves);
refresh();
setInterval(refresh, 2000);
