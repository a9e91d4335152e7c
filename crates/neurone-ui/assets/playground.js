// The playground page: its settings (kept in the URL), the training it starts on the server,
// and the drawing of each frame the server streams. Every check of a setting is the library's:
// the page sends what is chosen and shows the error the server answers.
"use strict";

// What the page may choose (the problems, the input features, the activations, optimizers and
// initialisers) and the most layers and neurons it draws, as the server tells it at load:
// GET /api/playground.
let catalog = null;
const problemOf = () => catalog.problems.find((p) => p.name === settings.problem);

const $ = (id) => document.getElementById(id);
const settings = readSettings();
const page = { id: null, events: null, frame: null, drawn: null, playing: false, data: null,
  featureMaps: [], framesDrawn: [], generation: 0, starting: false };

const view = NetworkView.create($("network"), {
  toggleFeature(name) {
    const on = settings.features.includes(name);
    settings.features = on ? settings.features.filter((f) => f !== name)
      : catalog.features.map((f) => f.name).filter((f) => f === name || settings.features.includes(f));
    restart();
  },
  neurons(layer, change) {
    settings.layers[layer] = Math.min(catalog.limits.neurons, settings.layers[layer] + change);
    restart();
  },
  hover: (layer, neuron) => equations.hoverOver(layer, neuron),
  editWeight,
});

const equations = Equations.create({ box: $("equations"), walk: $("walk"), walkState: $("walk_state") }, {
  highlight: (layer) => view.highlight(layer),
  pause: () => { if (page.playing) control("pause"); },
  curve: () => problemOf().curve,
});

// ---- The controls ----------------------------------------------------------------------

function bindControls() {
  for (const [key, names] of [["activation", catalog.activations], ["optimizer", catalog.optimizers],
    ["init", catalog.initialisers]]) {
    for (const name of names) $(key).add(new Option(name, name));
  }
  for (const problem of catalog.problems) {
    const button = document.createElement("button");
    button.className = "problem";
    button.dataset.problem = problem.name;
    button.title = problem.label;
    button.innerHTML = `<canvas width="40" height="40"></canvas><span>${problem.label}</span>`;
    button.addEventListener("click", () => {
      settings.problem = problem.name;
      const usesX2 = (name) => catalog.features.find((f) => f.name === name).uses_x2;
      if (problem.curve) settings.features = settings.features.filter((f) => !usesX2(f));
      if (settings.features.length === 0) settings.features = ["x1"];
      restart();
    });
    $("problems").appendChild(button);
  }
  const numeric = ["learning_rate", "l1", "l2", "dropout", "samples", "seed", "train_ratio", "noise", "batch_size"];
  for (const key of [...numeric, "activation", "optimizer", "init"]) {
    const input = $(key);
    const event = input.type === "range" ? "input" : "change";
    input.addEventListener(event, () => {
      settings[key] = numeric.includes(key) ? Number(input.value) : input.value;
      // Another optimizer's settings are its own.
      if (key === "optimizer") settings.optimizer_settings = {};
      showSliderValues();
      change();
    });
  }
  $("speed").max = SPEEDS.length - 1;
  $("speed").addEventListener("input", () => {
    settings.speed = SPEEDS[Number($("speed").value)];
    writeSettings(settings);
    showSliderValues();
    sendSpeed();
  });
  $("add_layer").addEventListener("click", () => {
    if (settings.layers.length < catalog.limits.hidden_layers) settings.layers.push(2);
    restart();
  });
  $("remove_layer").addEventListener("click", () => { settings.layers.pop(); restart(); });
  $("reset").addEventListener("click", () => restart());
  $("regenerate").addEventListener("click", () => { settings.seed += 1; $("seed").value = settings.seed; restart(); });
  $("play").addEventListener("click", () => control(page.playing ? "pause" : "play"));
  $("step").addEventListener("click", () => control("step"));
  $("show_test").addEventListener("change", () => draw(true));
  $("discretize").addEventListener("change", () => {
    settings.discretize = $("discretize").checked;
    writeSettings(settings);
    draw(true);
  });
  $("save_model").addEventListener("click", () => { if (page.id) location.href = `/api/trainings/${page.id}/model`; });
  $("boundary").addEventListener("click", inspectNearestPoint);
  showSliderValues();
}

/** Every control shows its setting; a value a list lacks (a learning rate of 0.05) is added. An
 * optimizer without a learning rate shows "—" for it, the rate coming back with one that has. */
function showSettings() {
  showOptimizerSettings();
  hideParts();
  for (const key of ["learning_rate", "l1", "l2", "dropout", "samples", "seed", "train_ratio", "noise", "batch_size",
    "activation", "optimizer", "init"]) {
    const input = $(key);
    const value = String(settings[key]);
    if (input.tagName === "SELECT" && ![...input.options].some((option) => option.value === value)) {
      input.add(new Option(value, value));
    }
    input.value = key === "learning_rate" && input.disabled ? "" : value;
  }
}

/** The symbols of the optimizers' settings in the header, as the equations panel writes them. */
const SETTING_SYMBOLS = {
  momentum: "μ", nesterov: "Nesterov", dampening: "dampening", beta1: "β1", beta2: "β2", epsilon: "ε",
  weight_decay: "λ", alpha: "α", centered: "centered", initial_accumulator_value: "s₀",
  initial_step: "Δ₀", increase_factor: "η⁺", decrease_factor: "η⁻", min_step: "Δmin", max_step: "Δmax",
  initial_damping: "μ₀", damping_decrease: "μ ×↓", damping_increase: "μ ×↑", max_damping: "μmax",
  gradient_tolerance: "tol. ∇",
};

/** The optimizer's own settings (momentum, β₁, β₂…), as the library names them, with its
 * defaults unless the URL gives others: each changes the training as it goes. */
function showOptimizerSettings() {
  const ignored = catalog.optimizers_without_learning_rate.includes(settings.optimizer);
  $("learning_rate").disabled = ignored;
  $("learning_rate").parentElement.title = ignored ? `${settings.optimizer} chooses each step itself: it has no learning rate` : "";
  const box = $("optimizer_settings");
  box.innerHTML = "";
  const defaults = catalog.optimizer_settings[settings.optimizer] || {};
  for (const [name, fallback] of Object.entries(defaults)) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    const value = name in settings.optimizer_settings ? settings.optimizer_settings[name] : fallback;
    input.dataset.setting = name;
    if (typeof fallback === "boolean") {
      input.type = "checkbox";
      input.checked = value;
    } else {
      input.type = "number";
      input.step = "any";
      // 1e10 rather than 10000000000: the field stays narrow.
      input.value = Math.abs(value) >= 1e5 ? value.toExponential().replace("+", "") : value;
    }
    input.addEventListener("change", () => {
      settings.optimizer_settings[name] = input.type === "checkbox" ? input.checked : Number(input.value);
      change();
    });
    // The course's symbol, as the equations write it, keeps the header on one row; the
    // library's name is the title.
    label.title = name;
    label.append(`${SETTING_SYMBOLS[name] || name} `, input);
    box.appendChild(label);
  }
}

/** Hides the parts of the page a lesson's link names (`hide=optimizer,regularisation`). */
function hideParts() {
  document.querySelectorAll("[data-part]").forEach((element) => {
    element.hidden = element.dataset.part.split(" ").some((part) => settings.hide.includes(part));
  });
  // The neurons' + and − are drawn with the network: hidden by the page's class.
  document.body.classList.toggle("hide-layers", settings.hide.includes("layers"));
}

function showSliderValues() {
  const position = SPEEDS.indexOf(settings.speed);
  if (position >= 0) $("speed").value = position;
  $("speed_value").textContent = speedLabel(settings.speed);
  $("train_ratio_value").textContent = settings.train_ratio;
  $("noise_value").textContent = settings.noise;
  $("batch_size_value").textContent = settings.batch_size;
  document.querySelectorAll(".problem").forEach((b) => b.classList.toggle("selected", b.dataset.problem === settings.problem));
}

async function control(action, extra = {}) {
  if (!page.id) return null;
  if (action === "play" || action === "pause") setPlaying(action === "play");
  if (action === "step") setPlaying(false);
  return fetch(`/api/trainings/${page.id}/control`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ action, ...extra }),
  });
}

/** Tells the training the speed chosen; the server paces its stretches to it, or says why not
 * (a link's `speed=0`), and the page shows it. */
async function sendSpeed() {
  const response = await control("speed", speedRequest(settings.speed));
  if (response && !response.ok) showError((await response.json()).error);
  return response;
}

/**
 * A setting changed: the training goes on from where it is with it (the learning rate, the
 * penalties, dropout, the optimizer, the batch size), or, if the server says this setting
 * needs a new training (or there is none), a new one starts.
 */
async function change() {
  writeSettings(settings);
  showSettings();
  if (!page.id) return restart();
  const response = await fetch(`/api/trainings/${page.id}/settings`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(requestOf(settings)),
  });
  if (response.status === 409 || response.status === 404) return restart();
  showError(response.ok ? null : (await response.json()).error);
  return null;
}

/** Asks for a new value of the weight of a link (`W(layer + 1)`, at `index`) clicked. */
function editWeight(layer, index, value, event) {
  const editor = $("weight_editor");
  const input = editor.querySelector("input");
  editor.hidden = false;
  editor.style.left = `${event.pageX + 8}px`;
  editor.style.top = `${event.pageY - 12}px`;
  input.value = value.toPrecision(3);
  input.focus();
  input.select();
  // Left without Enter: nothing changes.
  input.onblur = () => { editor.hidden = true; };
  editor.onsubmit = async (submitted) => {
    submitted.preventDefault();
    editor.hidden = true;
    const response = await control("set_weight", { layer, index, value: Number(input.value) });
    if (response && !response.ok) showError((await response.json()).error);
  };
}

function setPlaying(playing) {
  page.playing = playing;
  $("play").textContent = playing ? "❚❚" : "▶";
  $("play").classList.toggle("playing", playing);
}

// ---- The training on the server ----------------------------------------------------------

/**
 * Ends the current training and starts one with the settings as they are (epoch 0). Clicks
 * faster than the server answers each start one in turn: only the last one's training is kept,
 * the others are ended as soon as their id arrives, so a tab follows one training.
 */
async function restart() {
  writeSettings(settings);
  showSliderValues();
  showSettings();
  layoutNetwork();
  const generation = ++page.generation;
  const wasPlaying = page.playing || page.starting;
  page.starting = wasPlaying;
  endTraining();
  equations.reset();
  const response = await fetch("/api/trainings", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(requestOf(settings)),
  });
  const answer = await response.json();
  if (generation !== page.generation) {
    // A later click started another training meanwhile: this one is nobody's.
    if (response.ok) fetch(`/api/trainings/${answer.id}`, { method: "DELETE" });
    return;
  }
  page.starting = false;
  if (!response.ok) {
    showError(answer.error);
    setPlaying(false);
    return;
  }
  showError(null);
  page.id = answer.id;
  page.data = answer;
  page.featureMaps = answer.feature_maps.filter((_, index) => shownFeature(catalog.features[index]));
  layoutNetwork();
  // A WebSocket, not an event stream: browsers open at most six HTTP/1.1 connections to a
  // host, and a seventh tab would never load.
  page.events = new WebSocket(`ws://${location.host}/api/trainings/${page.id}/socket`);
  page.events.addEventListener("message", (event) => {
    page.frame = JSON.parse(event.data);
    requestAnimationFrame(() => draw(false));
  });
  await sendSpeed();
  setPlaying(false);
  if (wasPlaying) control("play");
}

/** Stops following the current training, and ends it on the server. */
function endTraining() {
  if (page.events) page.events.close();
  if (page.id) fetch(`/api/trainings/${page.id}`, { method: "DELETE", keepalive: true });
  page.events = null;
  page.id = null;
  page.frame = null;
  equations.show(null);
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message || "";
}

/** Whether the feature column shows `feature`: a curve's input is x₁ alone. */
const shownFeature = (feature) => !(problemOf().curve && feature.uses_x2);

/** The network drawn as the settings say, whether or not the server accepts them. */
function layoutNetwork() {
  const features = catalog.features.filter(shownFeature)
    .map((f) => ({ ...f, label: f.formula, enabled: settings.features.includes(f.name) }));
  drawLegend();
  view.layout(features, settings.layers);
  const count = settings.layers.length;
  const { hidden_layers: most, neurons } = catalog.limits;
  $("layer_count").textContent =
    `${count} hidden layer${count === 1 ? "" : "s"} (at most ${most}, of at most ${neurons} neurons)`;
}

/** Each problem's button shows its noiseless labels over the plane. */
function drawProblemIcons() {
  for (const problem of catalog.problems) {
    const button = document.querySelector(`.problem[data-problem="${problem.name}"]`);
    const side = Math.sqrt(problem.icon.length);
    Charts.heatMap(button.querySelector("canvas"), problem.icon, side, side, (v) => 0.8 * v);
  }
}

// ---- Drawing a frame ---------------------------------------------------------------------

const classification = () => problemOf().task === "classification";
/** The output mapped to [−1, 1]: a probability p as 2p − 1, a regression value as it is. */
const unitScale = (v) => (classification() ? 2 * v - 1 : v);
/** The output's colour value: discretized, its sign (the class, as TensorFlow Playground shows it). */
const outputScale = (v) => (settings.discretize ? Math.sign(unitScale(v)) : unitScale(v));

/** The colour scale of the output map (its colours: 0.6 of the full scale), with what its ends
 * and middle mean; and the discretize box, for a map only. */
function drawLegend() {
  const curve = problemOf().curve;
  $("legend").hidden = curve;
  $("discretize").parentElement.hidden = curve;
  $("discretize").checked = settings.discretize;
  if (curve) return;
  const steps = 60;
  const scale = Array.from({ length: steps }, (_, i) => -1 + (2 * i) / (steps - 1));
  Charts.heatMap($("legend_scale"), scale, steps, 1, (v) => 0.6 * v);
  const [low, middle, high] = classification() ? ["class 0 (a = 0)", "a = 0.5", "class 1 (a = 1)"] : ["−1 or less", "0", "1 or more"];
  $("legend_low").textContent = low;
  $("legend_middle").textContent = middle;
  $("legend_high").textContent = high;
}

function draw(force) {
  const frame = page.frame;
  if (!frame || !page.data || (!force && frame === page.drawn)) return;
  page.drawn = frame;
  const now = performance.now();
  page.framesDrawn.push(now);
  while (page.framesDrawn[0] < now - 1000) page.framesDrawn.shift();
  if (frame.error) showError(frame.error);
  if (!frame.grid) return;
  setPlaying(frame.playing && !frame.error);
  $("epoch").textContent = String(frame.epoch).padStart(6, "0");
  // Mid-epoch, the steps of the next epoch taken so far (of its batches at the batch size in use).
  const [stepped, samples] = frame.epoch_samples, batch = settings.batch_size;
  $("epoch_step").textContent = stepped ? `+ step ${Math.ceil(stepped / batch)}/${Math.ceil(samples / batch)}` : "";
  const number = (v) => (v === null || v === undefined ? "–" : Charts.number(v));
  $("test_loss").textContent = number(frame.test_loss);
  $("train_loss").textContent = number(frame.train_loss);
  $("test_accuracy").textContent = number(frame.test_accuracy);
  $("steps_per_second").textContent = Math.round(frame.steps_per_second);
  $("fps").textContent = frame.playing ? page.framesDrawn.length : 0;
  drawBoundary(frame);
  view.drawMaps(frame, page.featureMaps, outputScale);
  view.drawLinks(frame.weights);
  Charts.lines($("loss_chart"), [
    { points: frame.losses.map(([e, train]) => [e, train]), colour: "#777", label: "training" },
    { points: frame.losses.map(([e, , test]) => [e, test]), colour: "#111", label: "test" },
  ], { legend: true, logY: true, marks: frame.changes.map(([epoch]) => epoch) });
  // The changes marked in the chart, the last ones said in words.
  $("changes").textContent = frame.changes.slice(-3).map(([epoch, what]) => `epoch ${epoch}: ${what}`).join(" · ");
  equations.show(frame);
}

function drawBoundary(frame) {
  const canvas = $("boundary");
  const [columns, rows] = frame.grid;
  const bounds = page.data.bounds;
  const context = canvas.getContext("2d");
  const trace = frame.trace;
  const highlight = trace ? trace.point : null;
  const showTest = $("show_test").checked;
  const pointsOf = (train) => page.data.points.filter((p) => p[3] === train)
    .map(([x, y, target]) => problemOf().curve ? [x, target, 0] : [x, y, unitScale(target)]);
  // The next step's batch ringed: the points the equations' mean gradient is taken over.
  const trainPoints = pointsOf(true);
  const rings = trace && trace.step ? trace.step.samples.map((index) => trainPoints[index]).filter(Boolean) : [];
  if (problemOf().curve) {
    // Values, not classes: y against x₁, the points in grey, the network's output as a curve.
    context.fillStyle = "#fafafa";
    context.fillRect(0, 0, canvas.width, canvas.height);
    Charts.axes(canvas, bounds, ["x₁", "y"]);
    Charts.points(canvas, bounds, trainPoints, { fill: "#666", rings });
    if (showTest) Charts.points(canvas, bounds, pointsOf(false), { fill: "#fff", hollow: true });
    Charts.curve(canvas, bounds, frame.output, "#0877bd");
    if (highlight) Charts.points(canvas, bounds, [], { highlight: [highlight[0], highlight[2]] });
    return;
  }
  Charts.heatMap(canvas, frame.output, columns, rows, (v) => 0.6 * outputScale(v));
  Charts.points(canvas, bounds, trainPoints, { highlight, rings });
  if (showTest) Charts.points(canvas, bounds, pointsOf(false), { hollow: true });
}

function inspectNearestPoint(event) {
  if (!page.data) return;
  const canvas = $("boundary");
  const rect = canvas.getBoundingClientRect();
  const [x, y] = Charts.projection(canvas, page.data.bounds)
    .invert((event.clientX - rect.left) * canvas.width / rect.width, (event.clientY - rect.top) * canvas.height / rect.height);
  const train = page.data.points.filter((p) => p[3]);
  let best = 0, distance = Infinity;
  train.forEach(([px, py, target], index) => {
    const d = problemOf().curve ? (px - x) ** 2 + (target - y) ** 2 : (px - x) ** 2 + (py - y) ** 2;
    if (d < distance) [best, distance] = [index, d];
  });
  control("inspect", { sample: best });
}

// A link pasted into an open tab changes only the fragment: its settings replace the page's.
window.addEventListener("hashchange", () => {
  Object.assign(settings, readSettings());
  if (catalog) restart();
});

// A tab closed or left ends its training at once, rather than when the server notices.
window.addEventListener("pagehide", endTraining);

fetch("/api/playground").then((response) => response.json()).then((answer) => {
  catalog = answer;
  bindControls();
  drawProblemIcons();
  restart();
});
