// Drawing shared by the pages: a diverging colour scale, heat maps, points and line charts on
// canvases. Nothing here knows about networks.
"use strict";

const Charts = (() => {
  // Orange for −1 (class 0), near-white for 0, blue for +1 (class 1), as in TensorFlow Playground.
  const NEGATIVE = [245, 147, 34], MIDDLE = [232, 234, 235], POSITIVE = [8, 119, 189];

  /** The colour of `value` in [−1, 1] as [r, g, b]. */
  function colour(value) {
    const t = Math.max(-1, Math.min(1, value));
    const [from, to, s] = t < 0 ? [MIDDLE, NEGATIVE, -t] : [MIDDLE, POSITIVE, t];
    return [0, 1, 2].map((i) => Math.round(from[i] + (to[i] - from[i]) * s));
  }

  /** A CSS colour for `value` in [−1, 1]. */
  function css(value) {
    const [r, g, b] = colour(value);
    return `rgb(${r},${g},${b})`;
  }

  /**
   * Draws `values` (a columns × rows grid, row after row from the top, each mapped to [−1, 1]
   * by `scale`) over the whole canvas, smoothly.
   */
  function heatMap(canvas, values, columns, rows, scale = (v) => v) {
    const context = canvas.getContext("2d");
    const image = context.createImageData(columns, rows);
    for (let i = 0; i < columns * rows; i++) {
      const [r, g, b] = colour(scale(values[i]));
      image.data.set([r, g, b, 255], i * 4);
    }
    const small = heatMap.scratch || (heatMap.scratch = document.createElement("canvas"));
    small.width = columns;
    small.height = rows;
    small.getContext("2d").putImageData(image, 0, 0);
    context.imageSmoothingEnabled = true;
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(small, 0, 0, canvas.width, canvas.height);
  }

  /** Maps data coordinates onto a canvas: `bounds` is [[xLow, xHigh], [yLow, yHigh]]. */
  function projection(canvas, bounds) {
    const [[x0, x1], [y0, y1]] = bounds;
    return {
      x: (x) => ((x - x0) / (x1 - x0)) * canvas.width,
      y: (y) => canvas.height - ((y - y0) / (y1 - y0)) * canvas.height,
      invert: (px, py) => [x0 + (px / canvas.width) * (x1 - x0), y0 + ((canvas.height - py) / canvas.height) * (y1 - y0)],
    };
  }

  /** Draws points `[x, y, value]` (value in [−1, 1], or all in the colour `fill`); `hollow` ones
   * are outlined in black. */
  function points(canvas, bounds, list, { hollow = false, highlight = null, fill = null, rings = [] } = {}) {
    const context = canvas.getContext("2d");
    const at = projection(canvas, bounds);
    for (const [x, y, value] of list) {
      context.beginPath();
      context.arc(at.x(x), at.y(y), 3.2, 0, 2 * Math.PI);
      context.fillStyle = fill || css(value);
      context.fill();
      context.lineWidth = 1;
      context.strokeStyle = hollow ? "#000" : "#fff";
      context.stroke();
    }
    for (const [x, y] of rings) {
      context.beginPath();
      context.arc(at.x(x), at.y(y), 5, 0, 2 * Math.PI);
      context.lineWidth = 1.5;
      context.strokeStyle = "#f59322";
      context.stroke();
    }
    if (highlight) {
      context.beginPath();
      context.arc(at.x(highlight[0]), at.y(highlight[1]), 7, 0, 2 * Math.PI);
      context.lineWidth = 2;
      context.strokeStyle = "#222";
      context.stroke();
    }
  }

  /** The lines x = 0 and y = 0 across the canvas, named by `names` at their ends. */
  function axes(canvas, bounds, names) {
    const context = canvas.getContext("2d");
    const at = projection(canvas, bounds);
    context.strokeStyle = "#ccc";
    context.lineWidth = 1;
    context.beginPath();
    context.moveTo(0, at.y(0)); context.lineTo(canvas.width, at.y(0));
    context.moveTo(at.x(0), 0); context.lineTo(at.x(0), canvas.height);
    context.stroke();
    context.fillStyle = "#777";
    context.font = "11px sans-serif";
    context.fillText(names[0], canvas.width - 16, at.y(0) - 4);
    context.fillText(names[1], at.x(0) + 4, 12);
  }

  /** A curve through `ys` sampled evenly over the canvas' width. */
  function curve(canvas, bounds, ys, colourName = "#222") {
    const context = canvas.getContext("2d");
    const at = projection(canvas, bounds);
    const [[x0, x1]] = bounds;
    context.beginPath();
    ys.forEach((y, i) => {
      const x = x0 + ((x1 - x0) * i) / (ys.length - 1);
      i === 0 ? context.moveTo(at.x(x), at.y(y)) : context.lineTo(at.x(x), at.y(y));
    });
    context.lineWidth = 2;
    context.strokeStyle = colourName;
    context.stroke();
  }

  /**
   * A line chart of `series` ([{ points: [[x, y]…], colour, label }]) with axes, a log scale on
   * y when `logY`, a legend right of the plot when `legend`, and `marks` (x values) drawn as
   * dashed vertical lines (a setting changed at epoch x).
   */
  function lines(canvas, series, { logY = false, legend = false, padding = 4, axes = false, marks = [] } = {}) {
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    const transform = (y) => (logY ? Math.log10(Math.max(y, 1e-12)) : y);
    const all = series.flatMap((s) => s.points.filter(([, y]) => Number.isFinite(y)));
    if (all.length === 0) return;
    const xs = all.map(([x]) => x), ys = all.map(([, y]) => transform(y));
    // Loops, not Math.min(...xs): spreading 10⁶ values overflows the call stack.
    let [xLow, xHigh] = extent(xs), [yLow, yHigh] = extent(ys);
    if (xHigh === xLow) xHigh = xLow + 1;
    if (yHigh === yLow) { yHigh += 0.5; yLow -= 0.5; }
    const left = axes ? 48 : padding, bottom = axes ? 22 : padding;
    context.font = "11px sans-serif";
    const legendWidth = legend ? Math.max(...series.map((s) => context.measureText(s.label).width)) + 26 : 0;
    const width = canvas.width - left - padding - legendWidth, height = canvas.height - bottom - padding;
    const px = (x) => left + ((x - xLow) / (xHigh - xLow)) * width;
    const py = (y) => padding + height - ((transform(y) - yLow) / (yHigh - yLow)) * height;
    if (axes) {
      context.fillStyle = "#666";
      context.font = "11px sans-serif";
      context.strokeStyle = "#ddd";
      for (let i = 0; i <= 4; i++) {
        const value = yLow + ((yHigh - yLow) * i) / 4;
        const y = padding + height - (height * i) / 4;
        context.beginPath(); context.moveTo(left, y); context.lineTo(left + width, y); context.stroke();
        const label = logY ? (10 ** value).toPrecision(2) : value.toPrecision(3);
        context.fillText(label, 2, y + 4);
      }
      context.fillText(String(Math.round(xLow)), left, canvas.height - 6);
      context.fillText(String(Math.round(xHigh)), left + width - 24, canvas.height - 6);
    }
    for (const s of series) {
      context.beginPath();
      let started = false;
      for (const [x, y] of s.points) {
        if (!Number.isFinite(y)) continue;
        started ? context.lineTo(px(x), py(y)) : context.moveTo(px(x), py(y));
        started = true;
      }
      context.lineWidth = s.width || 1.5;
      context.strokeStyle = s.colour;
      context.stroke();
    }
    context.save();
    context.setLineDash([3, 3]);
    context.strokeStyle = "#f59322";
    context.lineWidth = 1;
    for (const x of marks.filter((x) => x >= xLow && x <= xHigh)) {
      context.beginPath(); context.moveTo(px(x), padding); context.lineTo(px(x), padding + height); context.stroke();
    }
    context.restore();
    if (legend) {
      // Right of the plot, outside it: rising curves cannot run under it.
      series.forEach((s, i) => {
        context.fillStyle = s.colour;
        context.fillRect(left + width + 8, padding + 6 + i * 14, 10, 3);
        context.fillText(s.label, left + width + 22, padding + 10 + i * 14);
      });
    }
  }

  /** A number in at most nine characters: 0.123, 1.23e+75, −4.56e-5. */
  const number = (v) => (!Number.isFinite(v) ? String(v)
    : Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(2) : v.toFixed(3));

  /** [lowest, highest] of `values`, however many. */
  function extent(values) {
    let [low, high] = [Infinity, -Infinity];
    for (const value of values) {
      if (value < low) low = value;
      if (value > high) high = value;
    }
    return [low, high];
  }

  /** A palette of distinguishable colours for overlaid runs. */
  const PALETTE = ["#0877bd", "#f59322", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

  return { colour, css, heatMap, projection, points, axes, curve, lines, extent, number, PALETTE };
})();
