//! The validation curves of the folds of a cross-validation, one line per fold: how far apart
//! they lie is how much one split's score can be trusted.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::line::segments;
use super::render::{DrawResult, Figure, PlotError, save};
use super::style::{self, FONT, class_colour, finite_range, padded, tick_label};

/// Each fold's validation loss and, when measured, a validation metric, epoch by epoch (index 0
/// is epoch 1).
#[derive(Clone, Debug)]
pub struct FoldCurves<'a> {
    /// One validation-loss curve per fold.
    pub validation_loss: Vec<&'a [f64]>,
    /// A metric's name and one curve per fold, drawn on a second panel below the losses.
    pub metric: Option<(&'a str, Vec<&'a [f64]>)>,
    /// The loss's name for the axis label, e.g. `mse`.
    pub loss_name: &'a str,
}

/// Writes `cv_curves.png` and `cv_curves.svg` into `folder`.
pub fn fold_curves(folder: &Path, curves: &FoldCurves) -> Result<(), PlotError> {
    save(folder, "cv_curves", curves)
}

impl Figure for FoldCurves<'_> {
    fn size(&self) -> (u32, u32) {
        if self.metric.is_some() { (960, 880) } else { (960, 600) }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let title = format!("validation curves of {} folds", self.validation_loss.len());
        let root = root.margin(10, 0, 0, 0).titled(&title, (FONT, style::TITLE_SIZE))?;
        match &self.metric {
            Some((name, values)) => {
                let (top, bottom) = root.split_vertically(root.dim_in_pixel().1 * 55 / 100);
                panel(&top, &format!("validation loss ({})", self.loss_name), &self.validation_loss, true)?;
                panel(&bottom, &format!("validation {name}"), values, false)
            }
            None => panel(&root, &format!("validation loss ({})", self.loss_name), &self.validation_loss, true),
        }
    }
}

/// One curve per fold, coloured by fold, with a legend naming the folds when `legend`.
fn panel<DB>(area: &DrawingArea<DB, Shift>, label: &str, curves: &[&[f64]], legend: bool) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let epochs = curves.iter().map(|curve| curve.len()).max().unwrap_or(1).max(2) as f64;
    let (low, high) =
        padded(finite_range(curves.iter().flat_map(|curve| curve.iter().copied())).unwrap_or((0.0, 1.0)), 0.05);
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .margin_right(36)
        .x_label_area_size(64)
        .y_label_area_size(96)
        .build_cartesian_2d(1.0..epochs, low..high)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(label)
        .x_label_formatter(&|epoch| tick_label(*epoch))
        .y_label_formatter(&|value| tick_label(*value))
        .label_style((FONT, style::TICK_SIZE))
        .axis_desc_style((FONT, style::LABEL_SIZE))
        .light_line_style(WHITE)
        .draw()?;
    for (fold, curve) in curves.iter().enumerate() {
        let line_style = class_colour(fold).stroke_width(2);
        let points = curve.iter().enumerate().filter(|(_, value)| value.is_finite()).map(|(i, &v)| ((i + 1) as f64, v));
        let series = chart.draw_series(segments(chart.as_coord_spec(), points, line_style))?;
        if legend {
            series
                .label(format!("fold {}", fold + 1))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], line_style));
        }
    }
    if legend {
        style::draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}
