// The playground's settings: read from the URL's fragment, written back to it at each change
// (a link rebuilds the page and its training), and the request they make to the server.
"use strict";

/**
 * The settings, from the URL's fragment, else TensorFlow Playground's first screen. `speed` is
 * in epochs a second (`speed=5`), or in steps a second (`speed=2steps`: one step a frame), or
 * "max" (as fast as it goes); `optimizer.beta2=0.99` sets one of the
 * optimizer's settings; `hide=optimizer,regularisation` hides those controls (a lesson's link).
 */
function readSettings() {
  const settings = {
    problem: "circle", noise: 0, train_ratio: 50, batch_size: 10, samples: 500, seed: 1,
    features: ["x1", "x2"], layers: [4, 2], activation: "tanh", learning_rate: 0.03,
    optimizer: "sgd", optimizer_settings: {}, init: "", l1: 0, l2: 0, dropout: 0, discretize: false, speed: 5,
    hide: [],
  };
  const query = new URLSearchParams(location.hash.slice(1));
  for (const [key, value] of query) {
    if (key.startsWith("optimizer.")) settings.optimizer_settings[key.slice(10)] = JSON.parse(value);
    else if (!(key in settings)) continue;
    else if (key === "features" || key === "hide") settings[key] = value ? value.split(",") : [];
    else if (key === "layers") settings.layers = value ? value.split(",").map(Number) : [];
    // A speed that is no number keeps the default (JSON would send it as null: full speed).
    else if (key === "speed") settings.speed = value === "max" || stepsPerSecond(value) !== null ? value
      : Number.isNaN(Number(value)) ? settings.speed : Number(value);
    else if (typeof settings[key] === "number") settings[key] = Number(value);
    else if (typeof settings[key] === "boolean") settings[key] = value === "true";
    else settings[key] = value;
  }
  return settings;
}

function writeSettings(settings) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(settings)) {
    if (key === "optimizer_settings") {
      for (const [name, setting] of Object.entries(value)) query.set(`optimizer.${name}`, setting);
    } else if (key !== "hide" || value.length) query.set(key, Array.isArray(value) ? value.join(",") : value);
  }
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
      optimizer: { kind: settings.optimizer, ...settings.optimizer_settings }, learning_rate: settings.learning_rate,
      batch_size: settings.batch_size, l1: settings.l1, l2: settings.l2,
    },
  };
}


/** The speed slider's positions, as in the URL: steps a second (one step a frame), epochs a
 * second, and full speed. */
const SPEEDS = ["1step", "2steps", "5steps", "10steps", 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, "max"];

/** The steps a second of a speed written `2steps` (or `1step`); null for another speed. */
function stepsPerSecond(speed) {
  const match = /^(\d+(?:\.\d+)?)steps?$/.exec(String(speed));
  return match ? Number(match[1]) : null;
}

/** A speed in words: "2 steps/s", "5 epochs/s", "full speed". */
function speedLabel(speed) {
  if (speed === "max") return "full speed";
  const steps = stepsPerSecond(speed);
  return steps === null ? `${speed} epochs/s` : `${steps} step${steps === 1 ? "" : "s"}/s`;
}

/** What the server is told of a speed: `{steps_per_second}`, `{epochs_per_second}`, or neither (full speed). */
function speedRequest(speed) {
  if (speed === "max") return {};
  const steps = stepsPerSecond(speed);
  return steps === null ? { epochs_per_second: speed } : { steps_per_second: steps };
}
