//! A one-input regression fit: the training points, the target function and the network's
//! prediction over a grid (the course's figure of y = sin x).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::line::segments;
use super::render::{DrawResult, Figure, PlotError, save};
use super::style::{self, BLUE, DARK, FONT, LINE_WIDTH, RED, finite_range, padded, tick_label};

/// The data of a one-input fit, in the original units.
#[derive(Clone, Copy, Debug)]
pub struct Fit1d<'a> {
    /// Inputs of the training points.
    pub train_x: &'a [f64],
    /// Targets of the training points.
    pub train_y: &'a [f64],
    /// The grid the curves are drawn on (any order: it is sorted before drawing).
    pub grid_x: &'a [f64],
    /// The target at each grid point.
    pub target_y: &'a [f64],
    /// The network's prediction at each grid point.
    pub predicted_y: &'a [f64],
    /// Axis labels: the input's and the target's names.
    pub x_label: &'a str,
    pub y_label: &'a str,
}

/// Writes `NAME.png` and `NAME.svg` into `folder` (the run calls it `fit`).
pub fn fit_1d(folder: &Path, name: &str, fit: &Fit1d) -> Result<(), PlotError> {
    let lengths = [fit.target_y.len(), fit.predicted_y.len()];
    if fit.train_x.len() != fit.train_y.len() || lengths.iter().any(|&length| length != fit.grid_x.len()) {
        let message = "the x and y values of the fit have different lengths";
        return Err(PlotError::new(folder.join(format!("{name}.png")), message));
    }
    save(folder, name, fit)
}

impl Figure for Fit1d<'_> {
    fn size(&self) -> (u32, u32) {
        (960, 600)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let xs = self.train_x.iter().chain(self.grid_x);
        let ys = self.train_y.iter().chain(self.target_y).chain(self.predicted_y);
        let (x_low, x_high) = padded(finite_range(xs.copied()).unwrap_or((0.0, 1.0)), 0.02);
        let (y_low, y_high) = padded(finite_range(ys.copied()).unwrap_or((0.0, 1.0)), 0.08);
        let mut chart = ChartBuilder::on(root)
            .caption("network fit", (FONT, style::TITLE_SIZE))
            .margin(16)
            .margin_right(36)
            .x_label_area_size(64)
            .y_label_area_size(88)
            .build_cartesian_2d(x_low..x_high, y_low..y_high)?;
        chart
            .configure_mesh()
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .x_label_formatter(&|x| tick_label(*x))
            .y_label_formatter(&|y| tick_label(*y))
            .label_style((FONT, style::TICK_SIZE))
            .axis_desc_style((FONT, style::LABEL_SIZE))
            .light_line_style(WHITE)
            .draw()?;

        let points = self.train_x.iter().zip(self.train_y).filter(|(x, y)| x.is_finite() && y.is_finite());
        let point_style = BLUE.mix(0.45).filled();
        chart
            .draw_series(points.map(|(&x, &y)| Circle::new((x, y), 3, point_style)))?
            .label("training points")
            .legend(move |(x, y)| Circle::new((x + 12, y), 4, point_style));

        let mut order: Vec<usize> = (0..self.grid_x.len()).collect();
        order.sort_by(|&a, &b| self.grid_x[a].total_cmp(&self.grid_x[b]));
        let line = |values: &[f64]| -> Vec<(f64, f64)> {
            order.iter().map(|&i| (self.grid_x[i], values[i])).filter(|(x, y)| x.is_finite() && y.is_finite()).collect()
        };
        // The prediction first and the dashed target over it, so that both show where they agree.
        let prediction_style = RED.stroke_width(LINE_WIDTH);
        chart
            .draw_series(segments(chart.as_coord_spec(), line(self.predicted_y), prediction_style))?
            .label("network")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], prediction_style));
        let target_style = DARK.stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new(line(self.target_y), 12, 8, target_style))?
            .label("target")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], target_style));
        style::draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}
