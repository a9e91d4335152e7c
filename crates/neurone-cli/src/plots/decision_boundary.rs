//! The decision boundary of a two-input classifier: the plane coloured by the network's answer
//! over a grid, with the data points on top.

use std::path::Path;

use neurone::data::predicted_class;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::colour_bar::{COLOUR_BAR_WIDTH, colour_bar};
use super::render::{DrawResult, Figure, PlotError, save};
use super::style::{self, DARK, FONT, blue_white_red, class_colour, mix, tick_label};

/// A grid of predictions over a rectangle of the input plane, and the points to show on it.
#[derive(Clone, Copy, Debug)]
pub struct DecisionBoundary<'a> {
    /// The grid: see [`grid_centres`] for where its cells lie.
    pub grid: Grid,
    /// The network's outputs at each cell centre, in the order of [`grid_centres`]: one value
    /// per cell (the probability of the second class, for a sigmoid output) or one probability
    /// per class per cell (softmax).
    pub outputs: &'a [f64],
    /// The data points' two inputs.
    pub points_x: &'a [f64],
    pub points_y: &'a [f64],
    /// Each point's actual class, an index into `class_names`.
    pub point_classes: &'a [usize],
    pub class_names: &'a [String],
    /// The names of the two inputs, for the axes.
    pub x_label: &'a str,
    pub y_label: &'a str,
}

/// A rectangle of the input plane cut into `columns × rows` equal cells.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub columns: usize,
    pub rows: usize,
}

/// The centre of every cell of `grid`, row by row from the bottom left, as `[x, y]`: the inputs
/// to predict on, in the order [`DecisionBoundary::outputs`] expects.
pub fn grid_centres(grid: &Grid) -> Vec<[f64; 2]> {
    let (width, height) = grid.cell_size();
    let centre = |start: f64, size: f64, index: usize| start + (index as f64 + 0.5) * size;
    (0..grid.rows)
        .flat_map(|row| {
            (0..grid.columns)
                .map(move |column| [centre(grid.x_range.0, width, column), centre(grid.y_range.0, height, row)])
        })
        .collect()
}

impl Grid {
    fn cell_size(&self) -> (f64, f64) {
        let (x, y) = (self.x_range, self.y_range);
        ((x.1 - x.0) / self.columns.max(1) as f64, (y.1 - y.0) / self.rows.max(1) as f64)
    }
}

/// Writes `decision_boundary.png` and `decision_boundary.svg` into `folder`.
pub fn decision_boundary(folder: &Path, boundary: &DecisionBoundary) -> Result<(), PlotError> {
    let cells = boundary.grid.columns * boundary.grid.rows;
    let fail = |message: String| Err(PlotError::new(folder.join("decision_boundary.png"), message));
    if cells == 0 || !boundary.outputs.len().is_multiple_of(cells) || boundary.outputs.is_empty() {
        return fail(format!("{} outputs do not fill a grid of {cells} cells", boundary.outputs.len()));
    }
    let points = boundary.points_x.len();
    if boundary.points_y.len() != points || boundary.point_classes.len() != points {
        return fail("the points' x, y and classes have different lengths".to_owned());
    }
    if boundary.point_classes.iter().any(|&class| class >= boundary.class_names.len()) {
        return fail("a point's class is not among the class names".to_owned());
    }
    save(folder, "decision_boundary", boundary)
}

impl DecisionBoundary<'_> {
    /// Outputs per cell: 1 for a single sigmoid output, else one per class.
    fn width(&self) -> usize {
        self.outputs.len() / (self.grid.columns * self.grid.rows)
    }

    /// The class the network picks in `cell`, and the colour of that cell.
    fn cell(&self, cell: usize) -> (usize, RGBColor) {
        let width = self.width();
        let outputs = &self.outputs[cell * width..(cell + 1) * width];
        let class = predicted_class(outputs);
        if width == 1 {
            let probability = (outputs[0].clamp(0.0, 1.0) * SHADES).round() / SHADES;
            return (class, blue_white_red(probability));
        }
        let confidence = outputs[class];
        // Pale where the network hesitates (confidence near 1/k), saturated where it is sure.
        let chance = 1.0 / width as f64;
        let sureness = ((confidence - chance) / (1.0 - chance)).clamp(0.0, 1.0);
        (class, mix(WHITE_RGB, class_colour(class), 0.15 + 0.5 * (sureness * SHADES).round() / SHADES))
    }

    /// The level line p = ½ of a single-output grid, by marching squares: in each square of
    /// four neighbouring cell centres, the points where ½ falls between two corners (linearly
    /// interpolated) joined pairwise.
    fn half_contour(&self) -> Vec<[(f64, f64); 2]> {
        let Grid { x_range, y_range, columns, rows } = self.grid;
        let (width, height) = self.grid.cell_size();
        let centre = |row: usize, column: usize| {
            (x_range.0 + (column as f64 + 0.5) * width, y_range.0 + (row as f64 + 0.5) * height)
        };
        let value = |row: usize, column: usize| self.outputs[row * columns + column] - 0.5;
        let mut lines = Vec::new();
        for row in 0..rows.saturating_sub(1) {
            for column in 0..columns.saturating_sub(1) {
                // Corners counter-clockwise from the bottom left; the edges between them in turn.
                let corners = [(row, column), (row, column + 1), (row + 1, column + 1), (row + 1, column)];
                let crossings: Vec<(f64, f64)> = (0..4)
                    .filter_map(|edge| {
                        let (a, b) = (corners[edge], corners[(edge + 1) % 4]);
                        let (value_a, value_b) = (value(a.0, a.1), value(b.0, b.1));
                        if (value_a < 0.0) == (value_b < 0.0) {
                            return None;
                        }
                        let t = value_a / (value_a - value_b);
                        let ((xa, ya), (xb, yb)) = (centre(a.0, a.1), centre(b.0, b.1));
                        Some((xa + t * (xb - xa), ya + t * (yb - ya)))
                    })
                    .collect();
                lines.extend(crossings.chunks_exact(2).map(|pair| [pair[0], pair[1]]));
            }
        }
        lines
    }

    /// The colour of a point of `class`: for two classes, the ends of the blue–red scale.
    fn point_colour(&self, class: usize) -> RGBColor {
        if self.width() == 1 { blue_white_red(class as f64) } else { class_colour(class) }
    }
}

/// Shades of the colour scale: bands like matplotlib's `contourf`, and cells of one shade
/// merge into one rectangle, which keeps the SVG small.
const SHADES: f64 = 20.0;

const WHITE_RGB: RGBColor = RGBColor(255, 255, 255);

impl Figure for DecisionBoundary<'_> {
    fn size(&self) -> (u32, u32) {
        if self.width() == 1 { (900, 760) } else { (820, 760) }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let Grid { x_range, y_range, columns, rows } = self.grid;
        let mut chart = ChartBuilder::on(root)
            .caption("decision boundary", (FONT, style::TITLE_SIZE))
            .margin(16)
            .margin_right(if self.width() == 1 { COLOUR_BAR_WIDTH + 50 } else { 36 })
            .x_label_area_size(64)
            .y_label_area_size(88)
            .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;

        // The plane: each row's runs of equal colour as one rectangle (fewer SVG elements), then
        // for a single sigmoid output the line where the probability crosses ½.
        let (width, height) = self.grid.cell_size();
        let mut rectangles = Vec::new();
        for row in 0..rows {
            let y = y_range.0 + row as f64 * height;
            let mut start = 0;
            for column in 1..=columns {
                let (_, colour) = self.cell(row * columns + start);
                if column < columns && self.cell(row * columns + column).1 == colour {
                    continue;
                }
                let corners = [(x_range.0 + start as f64 * width, y), (x_range.0 + column as f64 * width, y + height)];
                rectangles.push(Rectangle::new(corners, colour.filled()));
                start = column;
            }
        }
        chart.draw_series(rectangles)?;
        if self.width() == 1 {
            let boundary_style = DARK.stroke_width(2);
            let lines =
                self.half_contour().into_iter().map(|[from, to]| PathElement::new(vec![from, to], boundary_style));
            chart.draw_series(lines)?;
        }

        chart
            .configure_mesh()
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .x_label_formatter(&|x| tick_label(*x))
            .y_label_formatter(&|y| tick_label(*y))
            .label_style((FONT, style::TICK_SIZE))
            .axis_desc_style((FONT, style::LABEL_SIZE))
            .disable_mesh()
            .draw()?;

        if self.width() == 1 {
            let (x_pixels, y_pixels) = chart.plotting_area().get_pixel_range();
            let name = self.class_names.get(1).map_or("1", String::as_str);
            let caption = format!("probability of class {name}");
            let ticks = [(0.0, "0"), (0.5, "0.5"), (1.0, "1")];
            let (at, height) = ((x_pixels.end + 24, y_pixels.start), y_pixels.end - y_pixels.start);
            colour_bar(root, at, height, |p| blue_white_red((p * SHADES).round() / SHADES), &ticks, &caption)?;
        }

        for (class, name) in self.class_names.iter().enumerate() {
            let colour = self.point_colour(class);
            let points = (0..self.points_x.len())
                .filter(|&i| self.point_classes[i] == class)
                .map(|i| (self.points_x[i], self.points_y[i]))
                .filter(|(x, y)| x.is_finite() && y.is_finite());
            // A white ring between the point and the plane: a point on its own class's colour
            // still stands out. Smaller when there are many, so that they leave the plane visible.
            let radius = if self.points_x.len() <= 20 { 7 } else { 4 };
            let marker = move |(x, y): (f64, f64)| {
                EmptyElement::at((x, y))
                    + Circle::new((0, 0), radius + 4, DARK.filled())
                    + Circle::new((0, 0), radius + 2, WHITE.filled())
                    + Circle::new((0, 0), radius, colour.filled())
            };
            chart.draw_series(points.map(marker))?.label(format!("class {name}")).legend(move |(x, y)| {
                EmptyElement::at((x + 10, y))
                    + Circle::new((0, 0), 9, DARK.filled())
                    + Circle::new((0, 0), 8, WHITE.filled())
                    + Circle::new((0, 0), 6, colour.filled())
            });
        }
        style::draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}
