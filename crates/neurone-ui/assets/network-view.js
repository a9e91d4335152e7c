// The network drawn as in TensorFlow Playground: a column of input features, one per hidden
// layer and the output, each neuron a small heat map of its output over the plane, and each
// weight a link whose width shows its size and whose colour its sign.
"use strict";

const NetworkView = (() => {
  const NODE = 34, GAP = 12, TOP = 34;

  /**
   * A view in `container`. `on` holds the callbacks: `toggleFeature(name)`,
   * `neurons(layer, change)`, `hover(layer, neuron)` (null when the pointer leaves) and
   * `editWeight(layer, index, value, event)` when a link is clicked.
   */
  function create(container, on) {
    const view = { container, on, nodes: [], shape: null };

    /** Builds the columns for `features` ([{ name, label, enabled }]) and hidden `layers`. */
    view.layout = (features, layers) => {
      container.innerHTML = "";
      const enabled = features.filter((f) => f.enabled).length;
      const columns = [features.length, ...layers, 1];
      const width = container.clientWidth || 520;
      const step = (width - NODE - 20) / (columns.length - 1);
      const tallest = Math.max(...columns);
      // Columns of seven or eight drawn closer: the equations under them stay in view at 950 px.
      const gap = tallest > 6 ? 4 : GAP;
      container.style.height = `${TOP + tallest * (NODE + gap) + 10}px`;
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("class", "links");
      svg.setAttribute("width", width);
      svg.setAttribute("height", container.style.height);
      container.appendChild(svg);
      view.svg = svg;
      view.nodes = columns.map((count, column) => {
        const x = 10 + column * step;
        const header = document.createElement("div");
        header.className = "column-head";
        header.style.left = `${x - 20}px`;
        if (column === 0) header.textContent = "Features";
        else if (column === columns.length - 1) header.textContent = "Output";
        else {
          const layer = column - 1;
          header.innerHTML = `<button data-change="1" title="Add a neuron">+</button><button data-change="-1" title="Remove a neuron">−</button><br>${count} neuron${count > 1 ? "s" : ""}`;
          header.querySelectorAll("button").forEach((button) =>
            button.addEventListener("click", () => on.neurons(layer, Number(button.dataset.change))));
        }
        container.appendChild(header);
        return Array.from({ length: count }, (_, index) => {
          const canvas = document.createElement("canvas");
          canvas.width = canvas.height = NODE;
          canvas.className = "node";
          const y = TOP + index * (NODE + gap) + ((tallest - count) * (NODE + gap)) / 2;
          canvas.style.left = `${x}px`;
          canvas.style.top = `${y}px`;
          if (column === 0) {
            const feature = features[index];
            canvas.classList.toggle("disabled", !feature.enabled);
            canvas.title = `${feature.label}: click to ${feature.enabled ? "remove" : "add"}`;
            canvas.dataset.feature = feature.name;
            canvas.addEventListener("click", () => on.toggleFeature(feature.name));
            const label = document.createElement("span");
            label.className = "feature-label";
            label.textContent = feature.label;
            label.style.top = `${y + NODE / 2 - 7}px`;
            label.style.left = `${x - 6}px`;
            container.appendChild(label);
          } else {
            canvas.dataset.layer = column - 1;
            canvas.dataset.neuron = index;
            canvas.addEventListener("mouseenter", () => on.hover(column - 1, index));
            canvas.addEventListener("mouseleave", () => on.hover(null, null));
          }
          container.appendChild(canvas);
          return { canvas, x, y };
        });
      });
      // The inputs of the first dense layer are the enabled features only, in order.
      view.inputNodes = view.nodes[0].filter((_, index) => features[index].enabled);
      view.shape = { features, layers, enabled };
    };

    /** Draws the links for the weights of each dense layer (`weights[l]`, outputs × inputs). */
    view.drawLinks = (weights) => {
      const svg = view.svg;
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      if (!weights) return;
      const columns = [view.inputNodes, ...view.nodes.slice(1)];
      const largest = Math.max(1e-6, ...weights.flatMap((w) => Array.from(w, Math.abs)));
      weights.forEach((w, layer) => {
        const from = columns[layer], to = columns[layer + 1];
        if (!from || !to || w.length !== from.length * to.length) return;
        to.forEach((target, j) => from.forEach((source, i) => {
          const value = w[j * from.length + i];
          const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
          line.setAttribute("x1", source.x + NODE);
          line.setAttribute("y1", source.y + NODE / 2);
          line.setAttribute("x2", target.x);
          line.setAttribute("y2", target.y + NODE / 2);
          line.setAttribute("stroke", Charts.css(Math.sign(value) * (0.35 + 0.65 * Math.min(1, Math.abs(value) / largest))));
          line.setAttribute("stroke-width", (0.5 + 5 * Math.min(1, Math.abs(value) / largest)).toFixed(2));
          svg.appendChild(line);
          // A wider, invisible line over it takes the clicks a thin one would miss.
          const hit = document.createElementNS("http://www.w3.org/2000/svg", "line");
          for (const name of ["x1", "y1", "x2", "y2"]) hit.setAttribute(name, line.getAttribute(name));
          hit.setAttribute("class", "hit");
          hit.dataset.layer = layer;
          hit.dataset.index = j * from.length + i;
          hit.innerHTML = `<title>w = ${value.toPrecision(3)}: click to change</title>`;
          hit.addEventListener("click", (event) => on.editWeight(layer, j * from.length + i, value, event));
          svg.appendChild(hit);
        }));
      });
    };

    /** Draws the heat map of every node: features from `featureMaps`, neurons from `frame`. */
    view.drawMaps = (frame, featureMaps, outputScale) => {
      const [columns, rows] = frame.grid;
      view.nodes[0].forEach((node, index) =>
        Charts.heatMap(node.canvas, featureMaps[index], columns, rows, (v) => v));
      (frame.neurons || []).forEach((layer, l) => layer.forEach((values, n) => {
        const node = view.nodes[l + 1] && view.nodes[l + 1][n];
        if (node) Charts.heatMap(node.canvas, values, columns, rows, (v) => v / 100);
      }));
      const output = view.nodes[view.nodes.length - 1][0];
      if (frame.output) Charts.heatMap(output.canvas, frame.output, columns, rows, outputScale);
    };

    /** Marks the nodes of dense layer `layer` (null for none) as the step being walked. */
    view.highlight = (layer) => {
      view.nodes.forEach((column, c) => column.forEach((node) =>
        node.canvas.classList.toggle("walking", layer !== null && c === layer + 1)));
    };

    return view;
  }

  return { create };
})();
