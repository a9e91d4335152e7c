// The equations panel: the course's equations for one training point, with the numbers of the
// server's trace (z, a, δ and ∂J/∂W as the library computed them), for the neuron hovered, or
// walked layer by layer through one forward and one backward pass.
"use strict";

const Equations = (() => {
  const f = Charts.number;
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
  function neuronEquations(frame, l, j, learningRate) {
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
      `∂J/∂b = δ = ${f(layer.delta[j])}      w ← w − η ∂J/∂w with η = ${learningRate}`,
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

  /**
   * A panel writing into `elements.box`, walked by `elements.walk` (a button) with its state in
   * `elements.walkState`. `on` holds the callbacks: `highlight(layer)` (the dense layer walked,
   * null for none), `pause()` (a walk pauses the training) and `learningRate()`.
   */
  function create(elements, on) {
    const panel = { frame: null, hover: null, walk: null };

    /** Shows `frame`'s trace (null: nothing). */
    panel.show = (frame) => {
      panel.frame = frame;
      draw();
    };

    /** Follows neuron `neuron` of dense layer `layer` (null: the output neuron). */
    panel.hoverOver = (layer, neuron) => {
      panel.hover = layer === null ? null : { layer, neuron };
      draw();
    };

    /** Ends the walk (a new training). */
    panel.reset = () => { panel.walk = null; };

    elements.walk.addEventListener("click", () => {
      const frame = panel.frame;
      if (!frame || !frame.trace) return;
      on.pause();
      const last = 2 * frame.trace.layers.length;
      panel.walk = panel.walk === null ? 0 : panel.walk + 1;
      if (panel.walk > last) panel.walk = null;
      draw();
    });

    function draw() {
      const frame = panel.frame;
      if (!frame || !frame.trace) { elements.box.innerHTML = ""; return; }
      let lines;
      if (panel.walk !== null) {
        const walked = walkEquations(frame, panel.walk);
        on.highlight(walked.layer);
        lines = walked.lines;
        elements.walkState.textContent = `step ${panel.walk + 1} of ${2 * frame.trace.layers.length + 1}`;
        elements.walk.textContent = panel.walk === 2 * frame.trace.layers.length ? "End the walk ■" : "Next step ▸";
      } else {
        on.highlight(null);
        elements.walkState.textContent = "";
        elements.walk.textContent = "Walk one pass ▸";
        const at = panel.hover || { layer: frame.trace.layers.length - 1, neuron: 0 };
        if (!frame.trace.layers[at.layer]) return;
        lines = neuronEquations(frame, at.layer, at.neuron, on.learningRate());
      }
      elements.box.innerHTML = lines.map((line) => `<div>${line}</div>`).join("");
    }

    return panel;
  }

  return { create };
})();
