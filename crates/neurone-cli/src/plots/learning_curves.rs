//! Learning curves: training and validation loss per epoch, and a validation metric.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use super::line::segments;
use super::render::{DrawResult, Figure, PlotError, save};
use super::style::{self, BLUE, FONT, GREEN, GREY, LINE_WIDTH, ORANGE, finite_range, padded, tick_label};

/// The numbers a training run records, epoch by epoch (index 0 is epoch 1).
#[derive(Clone, Copy, Debug)]
pub struct LearningCurves<'a> {
    /// The mean training loss of each epoch.
    pub train_loss: &'a [f64],
    /// The validation loss after each epoch, when there is a validation set.
    pub validation_loss: Option<&'a [f64]>,
    /// A validation metric after each epoch and its name (e.g. `accuracy`), drawn on a second
    /// panel below the losses.
    pub metric: Option<(&'a str, &'a [f64])>,
    /// The 1-based epoch whose weights were kept or that scored best, marked on both panels.
    pub best_epoch: Option<usize>,
    /// The loss's name for the axis label, e.g. `mse`.
    pub loss_name: &'a str,
}

/// Writes `learning_curves.png` and `learning_curves.svg` into `folder`. The loss axis is
/// logarithmic when the losses span more than two decades, so that the late epochs, where
/// training and validation part ways, are not flattened against zero.
pub fn learning_curves(folder: &Path, curves: &LearningCurves) -> Result<(), PlotError> {
    save(folder, "learning_curves", curves)
}

/// Drawn on a log axis when the largest positive loss is more than this times the smallest.
const LOG_SCALE_RATIO: f64 = 100.0;

/// Runs of at most this many epochs get a marker on every epoch.
const FEW_EPOCHS: usize = 40;

impl Figure for LearningCurves<'_> {
    fn size(&self) -> (u32, u32) {
        if self.metric.is_some() { (960, 880) } else { (960, 600) }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let root = root.margin(10, 0, 0, 0).titled("learning curves", (FONT, style::TITLE_SIZE))?;
        let (loss_area, metric_area) = match self.metric {
            Some(_) => {
                let (top, bottom) = root.split_vertically(root.dim_in_pixel().1 * 62 / 100);
                (top, Some(bottom))
            }
            None => (root.clone(), None),
        };
        let losses = self.train_loss.iter().chain(self.validation_loss.into_iter().flatten()).copied();
        let (low, high) = finite_range(losses.clone()).unwrap_or((0.0, 1.0));
        let all_positive = losses.filter(|loss| loss.is_finite()).all(|loss| loss > 0.0);
        if all_positive && high / low > LOG_SCALE_RATIO {
            let range = (low / 1.5)..(high * 1.5);
            self.loss_panel(&loss_area, range.log_scale(), metric_area.is_none())?;
        } else {
            let (low, high) = padded((low, high), 0.05);
            self.loss_panel(&loss_area, low.max(0.0)..high, metric_area.is_none())?;
        }
        if let (Some(area), Some((name, values))) = (metric_area, self.metric) {
            self.metric_panel(&area, name, values)?;
        }
        Ok(())
    }
}

impl LearningCurves<'_> {
    /// A dot on every epoch when there are few enough to count them, so that even a one-epoch
    /// run shows its losses.
    fn markers(&self, values: &[f64], colour: RGBColor) -> Vec<Circle<(f64, f64), i32>> {
        if self.train_loss.len() > FEW_EPOCHS {
            return Vec::new();
        }
        curve(values).map(|point| Circle::new(point, 4, colour.filled())).collect()
    }

    /// Thinner lines when there are more epochs than a thick line leaves room for.
    fn line_width(&self) -> u32 {
        if self.train_loss.len() > 300 { 2 } else { LINE_WIDTH }
    }

    /// The epochs on the x axis: 1 to the last; half an epoch more on each side when the
    /// epochs get markers, so that the first and last are not cut in half by the axes.
    fn epoch_range(&self) -> std::ops::Range<f64> {
        let epochs = self.train_loss.len().max(self.metric.map_or(0, |(_, values)| values.len())) as f64;
        if self.train_loss.len() > FEW_EPOCHS { 1.0..epochs } else { 0.5..(epochs + 0.5) }
    }

    fn loss_panel<DB, Y>(&self, area: &DrawingArea<DB, Shift>, y_range: Y, with_epoch_label: bool) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let mut chart = ChartBuilder::on(area)
            .margin(16)
            .margin_right(36)
            .x_label_area_size(if with_epoch_label { 64 } else { 40 })
            .y_label_area_size(96)
            .build_cartesian_2d(self.epoch_range(), y_range)?;
        let mut mesh = chart.configure_mesh();
        mesh.y_desc(format!("loss ({})", self.loss_name))
            .x_label_formatter(&epoch_label)
            .y_label_formatter(&|loss| tick_label(*loss))
            .label_style((FONT, style::TICK_SIZE))
            .axis_desc_style((FONT, style::LABEL_SIZE))
            .light_line_style(WHITE);
        if with_epoch_label {
            mesh.x_desc("epoch");
        }
        mesh.draw()?;

        let (low, high) = (chart.y_range().start, chart.y_range().end);
        let train_style = BLUE.stroke_width(self.line_width());
        chart
            .draw_series(segments(chart.as_coord_spec(), curve(self.train_loss), train_style))?
            .label("training")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], train_style));
        chart.draw_series(self.markers(self.train_loss, BLUE))?;
        if let Some(validation) = self.validation_loss {
            let validation_style = ORANGE.stroke_width(self.line_width());
            chart
                .draw_series(segments(chart.as_coord_spec(), curve(validation), validation_style))?
                .label("validation")
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], validation_style));
            chart.draw_series(self.markers(validation, ORANGE))?;
        }
        if let Some(best) = self.best_epoch {
            let best_style = GREY.stroke_width(2);
            let line = DashedLineSeries::new([(best as f64, low), (best as f64, high)], 10, 6, best_style);
            chart
                .draw_series(line)?
                .label(format!("best epoch ({best})"))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], best_style));
            // A dot where the kept weights sit on the validation curve.
            let best_loss = self.validation_loss.and_then(|losses| losses.get(best - 1)).copied();
            if let Some(loss) = best_loss.filter(|loss| loss.is_finite()) {
                chart.draw_series(std::iter::once(Circle::new((best as f64, loss), 6, ORANGE.filled())))?;
            }
        }
        style::draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }

    fn metric_panel<DB>(&self, area: &DrawingArea<DB, Shift>, name: &str, values: &[f64]) -> DrawResult
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let (low, high) = padded(finite_range(values.iter().copied()).unwrap_or((0.0, 1.0)), 0.08);
        let mut chart = ChartBuilder::on(area)
            .margin(16)
            .margin_right(36)
            .x_label_area_size(64)
            .y_label_area_size(96)
            .build_cartesian_2d(self.epoch_range(), low..high)?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc(format!("validation {name}"))
            .x_label_formatter(&epoch_label)
            .y_label_formatter(&|value| tick_label(*value))
            .y_labels(6)
            .label_style((FONT, style::TICK_SIZE))
            .axis_desc_style((FONT, style::LABEL_SIZE))
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(segments(chart.as_coord_spec(), curve(values), GREEN.stroke_width(self.line_width())))?;
        chart.draw_series(self.markers(values, GREEN))?;
        if let Some(best) = self.best_epoch {
            let line = DashedLineSeries::new([(best as f64, low), (best as f64, high)], 10, 6, GREY.stroke_width(2));
            chart.draw_series(line)?;
        }
        Ok(())
    }
}

/// Whole epochs only: a short run's axis has ticks at 1.5 that name no epoch.
fn epoch_label(epoch: &f64) -> String {
    if epoch.fract() == 0.0 { tick_label(*epoch) } else { String::new() }
}

/// `(epoch, value)` for every finite value; a gap-free line through the others.
fn curve(values: &[f64]) -> impl Iterator<Item = (f64, f64)> + '_ {
    values.iter().enumerate().filter(|(_, value)| value.is_finite()).map(|(i, &value)| ((i + 1) as f64, value))
}
