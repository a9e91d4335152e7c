// The playground page: its settings (kept in the URL), the training it starts on the server,
// and the drawing of each frame the server streams. Every check of a setting is the library's:
// the page sends what is chosen and shows the error the server answers.
"use strict";

// What the page may choose (the problems, the input features, the activations, optimizers and
// initialisers) and the most layers and neurons it draws, as the server tells it at load:
// GET /api/playground.
let catalog = null;
const problemOf = () => catalog.problems.find((p) => p.name === settings.problem);

/** The settings, from the URL's fragment, else TensorFlow Playground's first screen. */
function readSettings() {
  const settings = {
    problem: "circle", noise: 0, train_ratio: 50, batch_size: 10, samples: 500, seed: 1,
    features: ["x1", "x2"], layers: [4, 2], activation: "tanh", learning_rate: 0.03,
    optimizer: "sgd", init: "", l1: 0, l2: 0, dropout: 0,
  };
  const query = new URLSearchParams(location.hash.slice(1));
  for (const [key, value] of query) {
    if (!(key in settings)) continue;
    if (key === "features") settings.features = value ? value.split(",") : [];
    else if (key === "layers") settings.layers = value ? value.split(",").map(Number) : [];
    else if (typeof settings[key] === "number") settings[key] = Number(value);
    else settings[key] = value;
  }
  return settings;
}

function writeSettings(settings) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(settings)) query.set(key, Array.isArray(value) ? value.join(",") : value);
  history.replaceState(null, "", `#${query.toString()}`);
}

/** The JSON the server maps onto the library's NetworkSpec and TrainingSpec. */
function requestOf(settings) {
  const network = { layers: settings.layers, activation: settings.activation, dropout: settings.dropout };
  if (settings.init) network.init = settings.init;
  return {
    problem: settings.problem, noise: settings.noise / 100, train_ratio: settings.train_ratio / 100,
    samples: settings.samples, seed: settings.seed, features: settings.features, network,
    training: {
      optimizer: { kind: settings.optimizer }, learning_rate: settings.learning_rate,
      batch_size: settings.batch_size, l1: settings.l1, l2: settings.l2,
    },
  };
}

const $ = (id) => document.getElementById(id);
const settings = readSettings();
const page = { id: null, events: null, frame: null, drawn: null, playing: false, data: null, hover: null,
  walk: null, featureMaps: [], framesDrawn: [], generation: 0, starting: false };

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
  hover(layer, neuron) {
    page.hover = layer === null ? null : { layer, neuron };
    drawEquations();
  },
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
      showSliderValues();
      restart();
    });
  }
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
  $("save_model").addEventListener("click", () => { if (page.id) location.href = `/api/trainings/${page.id}/model`; });
  $("walk").addEventListener("click", walkOneStep);
  $("boundary").addEventListener("click", inspectNearestPoint);
  showSliderValues();
}

/** Every control shows its setting; a value a list lacks (a learning rate of 0.05) is added. */
function showSettings() {
  for (const key of ["learning_rate", "l1", "l2", "dropout", "samples", "seed", "train_ratio", "noise", "batch_size",
    "activation", "optimizer", "init"]) {
    const input = $(key);
    const value = String(settings[key]);
    if (input.tagName === "SELECT" && ![...input.options].some((option) => option.value === value)) {
      input.add(new Option(value, value));
    }
    input.value = value;
  }
}

function showSliderValues() {
  $("train_ratio_value").textContent = settings.train_ratio;
  $("noise_value").textContent = settings.noise;
  $("batch_size_value").textContent = settings.batch_size;
  document.querySelectorAll(".problem").forEach((b) => b.classList.toggle("selected", b.dataset.problem === settings.problem));
}

async function control(action, extra = {}) {
  if (!page.id) return;
  if (action === "play" || action === "pause") setPlaying(action === "play");
  if (action === "step") setPlaying(false);
  await fetch(`/api/trainings/${page.id}/control`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ action, ...extra }),
  });
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
  page.walk = null;
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
  page.featureMaps = answer.feature_maps;
  layoutNetwork();
  // A WebSocket, not an event stream: browsers open at most six HTTP/1.1 connections to a
  // host, and a seventh tab would never load.
  page.events = new WebSocket(`ws://${location.host}/api/trainings/${page.id}/socket`);
  page.events.addEventListener("message", (event) => {
    page.frame = JSON.parse(event.data);
    requestAnimationFrame(() => draw(false));
  });
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
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message || "";
}

/** The network drawn as the settings say, whether or not the server accepts them. */
function layoutNetwork() {
  const features = catalog.features.map((f) => ({ ...f, label: f.formula, enabled: settings.features.includes(f.name) }));
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
const outputScale = (v) => (classification() ? 2 * v - 1 : v);

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
  const number = (v) => (v === null || v === undefined ? "–" : f(v));
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
  ], { legend: true, logY: true });
  drawEquations();
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
    .map(([x, y, target]) => problemOf().curve ? [x, target, 0] : [x, y, outputScale(target)]);
  if (problemOf().curve) {
    context.fillStyle = "#fafafa";
    context.fillRect(0, 0, canvas.width, canvas.height);
    Charts.points(canvas, bounds, pointsOf(true).map(([x, y]) => [x, y, -0.6]));
    if (showTest) Charts.points(canvas, bounds, pointsOf(false).map(([x, y]) => [x, y, 0.6]), { hollow: true });
    Charts.curve(canvas, bounds, frame.output);
    if (highlight) Charts.points(canvas, bounds, [], { highlight: [highlight[0], highlight[2]] });
    return;
  }
  Charts.heatMap(canvas, frame.output, columns, rows, (v) => 0.6 * outputScale(v));
  Charts.points(canvas, bounds, pointsOf(true), { highlight });
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

// ---- The equations ---------------------------------------------------------------------

/** A number in at most nine characters: 0.123, 1.23e+75, −4.56e-5. */
const f = (v) => (!Number.isFinite(v) ? String(v)
  : Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(2) : v.toFixed(3));
const vector = (values) => `(${Array.from(values, f).join(", ")})`;

/** The name of dense layer `l`'s input: a(l), or â(l) when batch norm made it from a(l). */
const inputName = (layer, l) => (layer.batch_norm ? `â(${l})` : `a(${l})`);

/** Batch norm's line, â(l) = γ ⊙ (a(l) − μ) / √(σ² + ε) + β with its numbers, for `layer`'s input. */
function batchNormLine(layer, l) {
  const norm = layer.batch_norm;
  return `${inputName(layer, l)} = γ ⊙ (a(${l}) − μ) / √(σ² + ε) + β with μ = ${vector(norm.mean)}, σ² = ${vector(norm.variance)}, `
    + `γ = ${vector(norm.gamma)}, β = ${vector(norm.beta)}, ε = ${norm.epsilon} (running statistics): ${vector(layer.input)}`;
}

/** ∂J/∂a(l + 1) of a hidden layer: W(l + 2)ᵀ δ(l + 2), through the batch norm of the next
 * layer's input when there is one (evaluation mode: a scale of γ/√(σ² + ε)). */
function backFrom(layers, l) {
  const back = `W(${l + 2})ᵀ δ(${l + 2})`;
  return layers[l + 1].batch_norm ? `γ/√(σ² + ε) ⊙ ${back}` : back;
}

/** The lines for neuron `j` of dense layer `l`: z = w·a + b, a = σ(z), δ and ∂J/∂w. */
function neuronEquations(frame, l, j) {
  const layers = frame.trace.layers, layer = layers[l];
  const inputs = layer.input.length;
  const w = frame.weights[l].slice(j * inputs, (j + 1) * inputs);
  const b = frame.biases[l][j];
  const top = l === layers.length - 1;
  const name = top ? "output neuron" : `neuron ${j + 1} of hidden layer ${l + 1}`;
  const input = layer.batch_norm ? "â" : "a";
  const terms = Array.from(w, (wk, k) => `${f(wk)}·${f(layer.input[k])}`).join(" + ");
  const gradient = Array.from(layer.input, (a, k) => f(layer.weight_gradient[j * inputs + k])).join(", ");
  const rule = top ? "δ(L) = ∂J/∂a ⊙ σ′(z) = a − y (cross-entropy or MSE with its output)"
    : `δ(${l + 1}) = (${backFrom(layers, l)})ⱼ · σ′(z)`;
  return [
    `<b>${name}</b>, for the training point (${f(frame.trace.point[0])}, ${f(frame.trace.point[1])}) with target y = ${f(frame.trace.point[2])}; J = ${f(frame.trace.loss)}`,
    ...(layer.batch_norm ? [batchNormLine(layer, l)] : []),
    `z = w·${input} + b = ${terms} + ${f(b)} = <b>${f(layer.z[j])}</b>`,
    `a = σ(z) = ${layer.activation}(${f(layer.z[j])}) = <b>${f(layer.a[j])}</b>`,
    `${rule} = <b>${f(layer.delta[j])}</b>`,
    `∂J/∂w = δ · ${input}(l−1) = (${gradient})`,
    `∂J/∂b = δ = ${f(layer.delta[j])}      w ← w − η ∂J/∂w with η = ${settings.learning_rate}`,
  ];
}

/** The lines of step `step` of the walk: forward layer by layer, the loss, then backward. */
function walkEquations(frame, step) {
  const layers = frame.trace.layers, count = layers.length;
  if (step < count) {
    const layer = layers[step], input = inputName(layer, step);
    const read = layer.batch_norm ? [`a(${step}) = ${vector(layer.batch_norm.input)}`, batchNormLine(layer, step)]
      : [`a(${step}) = ${vector(layer.input)}`];
    return { layer: step, lines: [
      `<b>Forward, layer ${step + 1} of ${count}</b>`,
      ...read,
      `z(${step + 1}) = W(${step + 1}) ${input} + b(${step + 1}) = ${vector(layer.z)}`,
      `a(${step + 1}) = ${layer.activation}(z(${step + 1})) = ${vector(layer.a)}`,
    ] };
  }
  if (step === count) {
    return { layer: null, lines: [`<b>The loss</b>`, `a(L) = ${vector(layers[count - 1].a)}, y = ${f(frame.trace.point[2])}`,
      `J = ${f(frame.trace.loss)}`] };
  }
  const l = 2 * count - step;
  const layer = layers[l];
  const rule = l === count - 1 ? `δ(L) = ∂J/∂a(L) ⊙ σ′(z(L))` : `δ(${l + 1}) = (${backFrom(layers, l)}) ⊙ σ′(z(${l + 1}))`;
  return { layer: l, lines: [
    `<b>Backward, layer ${l + 1} of ${count}</b>`,
    `${rule} = ${vector(layer.delta)}`,
    `∂J/∂W(${l + 1}) = δ(${l + 1}) ${inputName(layer, l)}ᵀ = ${vector(layer.weight_gradient)}`,
    `∂J/∂b(${l + 1}) = δ(${l + 1})`,
  ] };
}

function walkOneStep() {
  const frame = page.frame;
  if (!frame || !frame.trace) return;
  if (page.playing) control("pause");
  const last = 2 * frame.trace.layers.length;
  page.walk = page.walk === null ? 0 : page.walk + 1;
  if (page.walk > last) page.walk = null;
  drawEquations();
}

function drawEquations() {
  const frame = page.frame;
  const box = $("equations");
  if (!frame || !frame.trace) { box.innerHTML = ""; return; }
  let lines;
  if (page.walk !== null) {
    const walked = walkEquations(frame, page.walk);
    view.highlight(walked.layer);
    lines = walked.lines;
    $("walk_state").textContent = `step ${page.walk + 1} of ${2 * frame.trace.layers.length + 1}`;
    $("walk").textContent = page.walk === 2 * frame.trace.layers.length ? "End the walk ■" : "Next step ▸";
  } else {
    view.highlight(null);
    $("walk_state").textContent = "";
    $("walk").textContent = "Walk one pass ▸";
    const at = page.hover || { layer: frame.trace.layers.length - 1, neuron: 0 };
    if (!frame.trace.layers[at.layer]) return;
    lines = neuronEquations(frame, at.layer, at.neuron);
  }
  box.innerHTML = lines.map((line) => `<div>${line}</div>`).join("");
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
