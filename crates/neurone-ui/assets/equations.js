// The equations panel: the course's equations for one training point, with the numbers of the
// server's trace (z, a, δ and ∂J/∂W as the library computed them, the dropout mask drawn, the
// loss in use), and the update the next step makes (the optimizer's rule, its buffers, the
// batch mean and the penalty), for the neuron hovered, or walked layer by layer.
"use strict";

const Equations = (() => {
  const f = Charts.number;
  /** A factor of a product: a negative one in parentheses, `-1.034·(-0.126)`. */
  const factor = (v) => (v < 0 ? `(${f(v)})` : f(v));
  const vector = (values) => `(${Array.from(values, f).join(", ")})`;
  /** Cells already written (an array of rows) as a matrix, one line per row. */
  const grid = (cells) => `<span class="matrix">${cells.map((row) =>
    `<span class="row">${row.map((cell) => `<span>${cell}</span>`).join("")}</span>`).join("")}</span>`;
  /** `values` (`rows` × columns, row-major) as a matrix. */
  function matrix(values, rows) {
    const columns = values.length / rows;
    return grid(Array.from({ length: rows }, (_, r) => Array.from(values).slice(r * columns, (r + 1) * columns).map(f)));
  }
  /** A column vector (one value per line), as matrices are written. */
  const column = (values) => matrix(values, values.length);

  /** The name of dense layer `l`'s input: a(l), or â(l) when batch norm made it from a(l). */
  const inputName = (layer, l) => (layer.batch_norm ? `â(${l})` : layer.dropout ? `ã(${l})` : `a(${l})`);

  /** Batch norm's line, â(l) = γ ⊙ (a(l) − μ) / √(σ² + ε) + β with its numbers, for `layer`'s input. */
  function batchNormLine(layer, l) {
    const norm = layer.batch_norm;
    return `${inputName(layer, l)} = γ ⊙ (a(${l}) − μ) / √(σ² + ε) + β with μ = ${vector(norm.mean)}, σ² = ${vector(norm.variance)}, `
      + `γ = ${vector(norm.gamma)}, β = ${vector(norm.beta)}, ε = ${norm.epsilon} (running statistics): ${vector(layer.input)}`;
  }

  /** Dropout's line: the mask drawn for this pass, and what the layer reads. */
  function dropoutLine(layer, l) {
    const { probability: p, input, mask } = layer.dropout;
    return `ã(${l}) = a(${l}) ⊙ r = ${vector(input)} ⊙ ${vector(mask)} = ${vector(layer.input)}`
      + ` <small>(dropout: p = ${p}, kept × 1/(1 − p), a new mask r each pass)</small>`;
  }

  /** The lines that make dense layer `l`'s input, when it is not a(l) itself. */
  const inputLines = (layer, l) => [...(layer.dropout ? [dropoutLine(layer, l)] : []),
    ...(layer.batch_norm ? [batchNormLine(layer, l)] : [])];

  /** ∂J/∂a(l + 1) of a hidden layer: W(l + 2)ᵀ δ(l + 2), through the batch norm of the next
   * layer's input when there is one (evaluation mode: a scale of γ/√(σ² + ε)), or its dropout mask r. */
  function backFrom(layers, l) {
    const back = `W(${l + 2})ᵀ δ(${l + 2})`;
    const next = layers[l + 1];
    return next.batch_norm ? `γ/√(σ² + ε) ⊙ ${back}` : next.dropout ? `r ⊙ ${back}` : back;
  }

  /** The penalty's gradient for the weight named `w`: l1 sign(w) + l2 w, its zero terms left out. */
  const penaltyTerms = (step, w) =>
    [step.l1 ? `${step.l1} sign(${w})` : "", step.l2 ? `${step.l2} ${w}` : ""].filter(Boolean).join(" + ");

  /** The optimizer's buffers as the course writes them, by their names in checkpoints. */
  const SYMBOLS = { exp_avg: "m", exp_avg_sq: "v", exp_avg_hat: "m̂", exp_avg_sq_hat: "v̂", square_avg: "v",
    grad_avg: "ḡ", sum: "s", step_size: "Δ", previous_gradient: "g⁻" };
  const symbol = (kind, name) => (name === "momentum_buffer" ? (kind === "sgd" ? "v" : "buf") : SYMBOLS[name] || name);

  /** The update rule of `step`'s optimizer, with its settings' values. */
  function updateRule(step) {
    const o = step.optimizer, t = step.number, eta = `η = ${step.learning_rate}`;
    switch (o.kind) {
      case "sgd":
        if (!o.momentum) return `w ← w − η g with ${eta}`;
        return `v ← μ v + g, w ← w − η ${o.nesterov ? "(g + μ v)" : "v"} with μ = ${o.momentum}, ${eta}`;
      case "adam":
      case "adamw":
        return `m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ), `
          + `w ← w ${o.kind === "adamw" ? "− η λ w " : ""}− η m̂ / (√v̂ + ε) with β1 = ${o.beta1}, β2 = ${o.beta2}, t = ${t}, `
          + `ε = ${o.epsilon}${o.kind === "adamw" ? `, λ = ${o.weight_decay}` : ""}, ${eta}`;
      case "rmsprop":
        return `v ← α v + (1 − α) g²${o.centered ? ", ḡ ← α ḡ + (1 − α) g (v − ḡ² for v below)" : ""}, `
          + (o.momentum ? `buf ← μ buf + g / (√v + ε), w ← w − η buf with μ = ${o.momentum}, ` : "w ← w − η g / (√v + ε) with ")
          + `α = ${o.alpha}, ε = ${o.epsilon}, ${eta}`;
      case "adagrad":
        return `s ← s + g², w ← w − η g / (√s + ε) with ε = ${o.epsilon}, ${eta}`;
      case "rprop":
        return `iRprop−, on the whole training set: each weight has its own step Δ; Δ ← min(η⁺ Δ, Δmax) while g keeps its sign, `
          + `Δ ← max(η⁻ Δ, Δmin) and no move when it flips; w ← w − sign(g) Δ with η⁺ = ${o.increase_factor}, `
          + `η⁻ = ${o.decrease_factor}, Δ ∈ [${o.min_step}, ${o.max_step}] (no η: only g's sign counts)`;
      case "levenberg_marquardt": {
        const damping = step.scalars.find(([name]) => name === "damping");
        return `Levenberg–Marquardt, on the whole training set: with the residuals e of every point and their `
          + `Jacobian J = ∂e/∂w, solve (JᵀJ + λ + μ I) δ = Jᵀe + λ w (λ: the L2 rate), w ← w − δ; μ shrinks when J falls, `
          + `grows and retries when not (μ = ${damping ? f(damping[1]) : "–"} after this step; no η)`;
      }
      default:
        return `${o.kind}, on the whole training set (no η: its line search picks each step)`;
    }
  }

  /** The table of neuron `j`'s update: per input, w, this point's ∂J/∂w, the batch mean, the
   * penalty, the optimizer's buffers and w after the step. */
  function updateTable(frame, l, j, shown) {
    const step = frame.trace.step, layer = frame.trace.layers[l], update = step.layers[l];
    const inputs = layer.input.length, row = (values) => Array.from(values).slice(j * inputs, (j + 1) * inputs);
    const input = inputName(layer, l);
    const penalty = step.l1 || step.l2;
    const columns = [
      [`${input}ₖ`, layer.input],
      ["wₖ", row(frame.weights[l])],
      [`this point<br>δ·${input}ₖ`, row(layer.weight_gradient)],
      [`${step.full_batch ? "all points'" : "batch"} mean<br>∂J/∂wₖ`, row(update.gradient)],
    ];
    if (penalty && update.penalised) {
      columns.push([`g = mean<br>+ ${penaltyTerms(step, "wₖ")}`, row(update.penalised)]);
    }
    for (const buffer of update.buffers) columns.push([symbol(step.optimizer.kind, buffer.name), row(buffer.after)]);
    columns.push(["wₖ<br>after", row(update.weights)]);
    const head = columns.map(([title]) => `<th>${title}</th>`).join("");
    const body = Array.from({ length: shown }, (_, k) =>
      `<tr>${columns.map(([, values]) => `<td>${f(values[k])}</td>`).join("")}</tr>`);
    if (shown < inputs) body.push(`<tr><td colspan="${columns.length}">${more(inputs - shown)}</td></tr>`);
    return `<table class="update${step.least_squares ? " compact" : ""}"><tr>${head}</tr>${body.join("")}</table>`;
  }

  /** The recurrences of the optimizer's buffers for neuron `j`'s first weight, with their numbers:
   * m = 0.9·0.016 + 0.1·(-0.005) = 0.014 (the values before and after are the library's). */
  function bufferLine(step, l, j, inputs) {
    const o = step.optimizer, update = step.layers[l], k = j * inputs;
    const g = (update.penalised || update.gradient)[k];
    const recurrence = {
      exp_avg: (m) => `${o.beta1}·${factor(m)} + ${f(1 - o.beta1)}·${factor(g)}`,
      exp_avg_sq: (v) => `${o.beta2}·${factor(v)} + ${f(1 - o.beta2)}·${factor(g)}²`,
      square_avg: (v) => `${o.alpha}·${factor(v)} + ${f(1 - o.alpha)}·${factor(g)}²`,
      sum: (s) => `${f(s)} + ${factor(g)}²`,
      momentum_buffer: (v) => (o.kind === "sgd" ? `${o.momentum}·${factor(v)} + ${factor(g)}` : null),
    };
    const terms = update.buffers.filter((buffer) => recurrence[buffer.name]).map((buffer) => {
      const written = recurrence[buffer.name](buffer.before ? buffer.before[k] : 0);
      return written && `${symbol(o.kind, buffer.name)} = ${written} = ${f(buffer.after[k])}`;
    }).filter(Boolean);
    return terms.length ? [`for w₁ (g = ${f(g)}): ${terms.join(",  ")}`] : [];
  }

  /** The weights of a neuron written out beside Levenberg–Marquardt's system, whose tables grow
   * with the square of its inputs: the first ones and b, the others counted, so that the panel
   * stays in view at eight inputs. */
  const WEIGHTS_SHOWN = 3;
  /** How many weights of a neuron of `inputs` inputs are written out: all, or the first three
   * when more than one would be left out. */
  const weightsShown = (inputs) => (inputs > WEIGHTS_SHOWN + 1 ? WEIGHTS_SHOWN : inputs);
  /** The mark of `count` weights left out. */
  const more = (count) => `⋯ ${count} more`;

  /** Levenberg–Marquardt's system for neuron `j` of dense layer `l`, with the library's numbers:
   * J's rows for three points, the block of JᵀJ + λ + μ I over the neuron's parameters, g and δ;
   * past four inputs, over its first weights and b, the others left out (⋯). */
  function leastSquaresLines(step, l, j, inputs) {
    const system = step.least_squares, layer = system.layers[l];
    const outputs = layer.gradient.length / (inputs + 1), shown = weightsShown(inputs), left = inputs - shown;
    // The neuron's parameters written out, as indices into (wⱼ₁ … wⱼₙ, bⱼ); null: those left out.
    const kept = [...Array.from({ length: shown }, (_, k) => k), ...(left ? [null] : []), inputs];
    const pick = (values, gap) => kept.map((k) => (k === null ? gap : f(values[k])));
    const own = (values) => [...Array.from(values).slice(j * inputs, (j + 1) * inputs), values[outputs * inputs + j]];
    const names = kept.map((k) => (k === null ? more(left) : `∂eᵢ/∂${k === inputs ? "bⱼ" : `wⱼ${k + 1}`}`));
    const head = `<tr><th>point</th><th>eᵢ</th>${names.map((name) => `<th>${name}</th>`).join("")}</tr>`;
    const rows = system.samples.map((sample, r) => `<tr><td>#${sample}</td><td>${f(system.residuals[r])}</td>`
      + `${pick(own(layer.jacobian[r]), "⋯").map((cell) => `<td>${cell}</td>`).join("")}</tr>`);
    const block = layer.blocks[j];
    const cells = kept.map((p) => (p === null ? kept.map((q) => (q === null ? "⋱" : "⋮"))
      : pick(block.slice(p * (inputs + 1), (p + 1) * (inputs + 1)), "⋯")));
    const vertical = (values) => grid(pick(own(values), "⋮").map((cell) => [cell]));
    return [
      `J, one row per training point (eᵢ = (aᵢ − yᵢ)/√n, so that ½‖e‖² = J): this point and the next two`
        + `<table class="update compact">${head}${rows.join("")}</table>`,
      `This neuron's block of JᵀJ + λ + μ I (μ = ${f(system.damping)})${left ? `, ${more(left)} weights left out (⋯)` : ""}; `
        + `δ is solved for all the network's parameters at once:<br><span class="compact">${grid(cells)} · δ = g, `
        + `with g = Jᵀe + λ w = ${vertical(layer.gradient)} and δ = ${vertical(layer.step)}; w ← w − δ</span>`,
    ];
  }

  /** The lines for neuron `j` of dense layer `l`: z = w·a + b, a = σ(z), δ, ∂J/∂w and the update;
   * `on.curve()` tells a problem of x₁ alone. */
  function neuronEquations(frame, l, j, on) {
    const trace = frame.trace, layers = trace.layers, layer = layers[l], step = trace.step;
    const inputs = layer.input.length;
    const w = frame.weights[l].slice(j * inputs, (j + 1) * inputs);
    const top = l === layers.length - 1;
    const name = top ? "output neuron" : `neuron ${j + 1} of hidden layer ${l + 1}`;
    const input = inputName(layer, l);
    const terms = Array.from(w, (wk, k) => `${k === 0 ? f(wk) : factor(wk)}·${factor(layer.input[k])}`).join(" + ");
    const rule = top ? `δ(L) = ${trace.objective.output_delta}` : `δ(${l + 1})ⱼ = (${backFrom(layers, l)})ⱼ · σ′(zⱼ)`;
    const [x1, x2, y] = trace.point;
    const lines = [
      `<b>${name}</b>, point x = ${on.curve() ? f(x1) : `(${f(x1)}, ${f(x2)})`}, y = ${f(y)}: `
        + `J = ${trace.objective.formula} = ${f(trace.loss)} <small>${trace.objective.name}</small>`,
      ...inputLines(layer, l),
      `zⱼ = wⱼ·${input} + bⱼ = ${terms} + ${factor(frame.biases[l][j])} = <b>${f(layer.z[j])}</b>`,
      `aⱼ = σ(zⱼ) = ${layer.activation}(${f(layer.z[j])}) = <b>${f(layer.a[j])}</b>`,
      `${rule} = <b>${f(layer.delta[j])}</b>;  ∂J/∂wⱼₖ = δⱼ ${input}ₖ,  ∂J/∂bⱼ = δⱼ`,
    ];
    if (!step) return lines;
    const bias = step.layers[l].bias[j];
    return [...lines,
      `<b>Next step</b>: g = ∂J/∂w ${step.full_batch ? `averaged over all ${step.batch} training points`
        : `averaged over the next batch: the ${step.batch} point${step.batch === 1 ? "" : "s"} the training takes next in this `
          + `epoch's shuffled order (ringed on the map; this point ${step.samples.includes(trace.sample) ? "is" : "is not"} one of them)`}`
        + `${step.l1 || step.l2 ? `, + the penalty's ${penaltyTerms(step, "w")}` : ""}:`,
      updateRule(step),
      ...(step.least_squares ? leastSquaresLines(step, l, j, inputs) : []),
      ...bufferLine(step, l, j, inputs),
      updateTable(frame, l, j, step.least_squares ? weightsShown(inputs) : inputs),
      `bⱼ: ${f(frame.biases[l][j])} → ${f(bias)} <small>(biases are not penalised)</small>`,
    ];
  }

  /** The lines of step `step` of the walk: forward layer by layer, the loss, backward, the update. */
  function walkEquations(frame, step) {
    const trace = frame.trace, layers = trace.layers, count = layers.length;
    if (step < count) {
      const layer = layers[step], input = inputName(layer, step);
      const rows = layer.z.length;
      return { layer: step, lines: [
        `<b>Forward, layer ${step + 1} of ${count}</b>`,
        `a(${step}) = ${vector(layer.dropout ? layer.dropout.input : layer.batch_norm ? layer.batch_norm.input : layer.input)}`,
        ...inputLines(layer, step),
        `z(${step + 1}) = W(${step + 1}) ${input} + b(${step + 1}) = ${matrix(frame.weights[step], rows)} ${column(layer.input)}`
          + ` + ${column(frame.biases[step])} = ${column(layer.z)}`,
        `a(${step + 1}) = ${layer.activation}(z(${step + 1})) = ${column(layer.a)}`,
      ] };
    }
    if (step === count) {
      return { layer: null, lines: [`<b>The loss</b> (${trace.objective.name})`,
        `a(L) = ${vector(layers[count - 1].a)}, y = ${f(trace.point[2])}`,
        `J = ${trace.objective.formula} = ${f(trace.loss)}`] };
    }
    if (step === 2 * count + 1) {
      const update = trace.step;
      if (!update) return { layer: null, lines: ["<b>The update</b>: none (training has diverged)"] };
      return { layer: null, lines: [`<b>The update</b>, from the ${update.full_batch ? "whole training set's" : `batch of ${update.batch}'s`}`
        + ` mean gradient${update.l1 || update.l2 ? " and the penalty" : ""}`, updateRule(update),
        ...update.layers.map((after, l) =>
          `W(${l + 1}): ${matrix(frame.weights[l], layers[l].z.length)} → ${matrix(after.weights, layers[l].z.length)}`)] };
    }
    const l = 2 * count - step;
    const layer = layers[l], rows = layer.z.length;
    const rule = l === count - 1 ? `δ(L) = ${trace.objective.output_delta}` : `δ(${l + 1}) = (${backFrom(layers, l)}) ⊙ σ′(z(${l + 1}))`;
    const mean = trace.step ? ` <small>(the ${trace.step.full_batch ? "training set's" : `batch of ${trace.step.batch}'s`} mean:</small> `
      + `${matrix(trace.step.layers[l].gradient, rows)}<small>)</small>` : "";
    return { layer: l, lines: [
      `<b>Backward, layer ${l + 1} of ${count}</b>`,
      `${rule} = ${column(layer.delta)}`,
      `∂J/∂W(${l + 1}) = δ(${l + 1}) ${inputName(layer, l)}ᵀ = ${matrix(layer.weight_gradient, rows)}${mean}`,
      `∂J/∂b(${l + 1}) = δ(${l + 1})`,
    ] };
  }

  /** Redraws while training plays at most this often: a rate one can read. */
  const READABLE_MS = 700;

  /**
   * A panel writing into `elements.box`, walked by `elements.walk` (a button) with its state in
   * `elements.walkState`. `on` holds the callbacks: `highlight(layer)` (the dense layer walked,
   * null for none), `pause()` (a walk pauses the training) and `curve()` (whether the problem
   * has x₁ alone).
   */
  function create(elements, on) {
    const panel = { frame: null, hover: null, walk: null, drawnAt: 0, timer: null, html: "" };

    /** Shows `frame`'s trace (null: nothing); while playing, at a rate one can read. */
    panel.show = (frame) => {
      panel.frame = frame;
      const wait = panel.drawnAt + READABLE_MS - performance.now();
      if (!frame || !frame.playing || wait <= 0) return draw();
      if (!panel.timer) panel.timer = setTimeout(draw, wait);
    };

    /** Follows neuron `neuron` of dense layer `layer`. The pointer leaving it (null) changes
     * nothing: crossing the network does not flash the output neuron's lines in between. */
    panel.hoverOver = (layer, neuron) => {
      if (layer === null) return;
      panel.hover = { layer, neuron };
      draw();
    };

    /** Ends the walk and follows the output neuron again (a new training). */
    panel.reset = () => { panel.walk = null; panel.hover = null; };

    elements.walk.addEventListener("click", () => {
      const frame = panel.frame;
      if (!frame || !frame.trace) return;
      on.pause();
      const last = 2 * frame.trace.layers.length + 1;
      panel.walk = panel.walk === null ? 0 : panel.walk + 1;
      if (panel.walk > last) panel.walk = null;
      draw();
    });

    function draw() {
      clearTimeout(panel.timer);
      panel.timer = null;
      panel.drawnAt = performance.now();
      const frame = panel.frame;
      if (!frame || !frame.trace) { elements.box.innerHTML = panel.html = ""; return; }
      let lines;
      if (panel.walk !== null) {
        const walked = walkEquations(frame, panel.walk);
        on.highlight(walked.layer);
        lines = walked.lines;
        const last = 2 * frame.trace.layers.length + 1;
        elements.walkState.textContent = `step ${panel.walk + 1} of ${last + 1}`;
        elements.walk.textContent = panel.walk === last ? "End the walk ■" : "Next step ▸";
      } else {
        on.highlight(null);
        elements.walkState.textContent = "";
        elements.walk.textContent = "Walk one pass ▸";
        const hovered = panel.hover && frame.trace.layers[panel.hover.layer];
        const at = hovered && panel.hover.neuron < hovered.z.length ? panel.hover
          : { layer: frame.trace.layers.length - 1, neuron: 0 };
        lines = neuronEquations(frame, at.layer, at.neuron, on);
      }
      const html = lines.map((line) => `<div>${line}</div>`).join("");
      // Unchanged lines are left alone: a paused training's frames redraw nothing.
      if (html !== panel.html) elements.box.innerHTML = panel.html = html;
    }

    return panel;
  }

  return { create };
})();
