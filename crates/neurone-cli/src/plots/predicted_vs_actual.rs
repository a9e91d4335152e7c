//! Predicted against actual values of a regression target, with the diagonal y = x that a
//! perfect model would lie on.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::render::{DrawResult, Figure, PlotError, save};
use super::style::{self, BLUE, DARK, FONT, finite_range, padded, tick_label};

/// Pairs of actual and predicted values, in the target's units.
#[derive(Clone, Copy, Debug)]
pub struct PredictedVsActual<'a> {
    pub actual: &'a [f64],
    pub predicted: &'a [f64],
    /// The target's name (and units), for the axis labels, e.g. `charges`.
    pub target_name: &'a str,
    /// Which samples these are, for the title, e.g. `test split (268 samples)`.
    pub samples_name: &'a str,
}

/// Writes `predicted_vs_actual.png` and `predicted_vs_actual.svg` into `folder`.
pub fn predicted_vs_actual(folder: &Path, pairs: &PredictedVsActual) -> Result<(), PlotError> {
    if pairs.actual.len() != pairs.predicted.len() {
        let message = format!("{} actual values but {} predictions", pairs.actual.len(), pairs.predicted.len());
        return Err(PlotError::new(folder.join("predicted_vs_actual.png"), message));
    }
    save(folder, "predicted_vs_actual", pairs)
}

impl Figure for PredictedVsActual<'_> {
    fn size(&self) -> (u32, u32) {
        (760, 720)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        // The same range on both axes, so that the diagonal runs corner to corner at 45°.
        let values = self.actual.iter().chain(self.predicted).copied();
        let (low, high) = padded(finite_range(values).unwrap_or((0.0, 1.0)), 0.05);
        let mut chart = ChartBuilder::on(root)
            .caption(format!("predicted vs actual, {}", self.samples_name), (FONT, style::TITLE_SIZE))
            .margin(16)
            .margin_right(36)
            .x_label_area_size(64)
            .y_label_area_size(96)
            .build_cartesian_2d(low..high, low..high)?;
        chart
            .configure_mesh()
            .x_desc(format!("actual {}", self.target_name))
            .y_desc(format!("predicted {}", self.target_name))
            .x_label_formatter(&|value| tick_label(*value))
            .y_label_formatter(&|value| tick_label(*value))
            .label_style((FONT, style::TICK_SIZE))
            .axis_desc_style((FONT, style::LABEL_SIZE))
            .light_line_style(WHITE)
            .draw()?;
        let pairs = self.actual.iter().zip(self.predicted).filter(|(a, p)| a.is_finite() && p.is_finite());
        let point_style = BLUE.mix(0.5).filled();
        chart
            .draw_series(pairs.map(|(&actual, &predicted)| Circle::new((actual, predicted), 4, point_style)))?
            .label("samples")
            .legend(move |(x, y)| Circle::new((x + 12, y), 4, point_style));
        // The diagonal over the points, so that it shows through a dense cloud.
        let diagonal_style = DARK.stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new([(low, low), (high, high)], 10, 6, diagonal_style))?
            .label("y = x (perfect)")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], diagonal_style));
        style::draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    }
}
