//! A colour bar: the key to a figure's colour scale.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::render::DrawResult;
use super::style::{self, DARK, FONT, GREY};

/// Pixels from the bar's left edge to its caption's centre line.
pub const COLOUR_BAR_WIDTH: i32 = 110;

/// Draws a vertical bar `height` pixels tall with its top left corner at `top_left`, running
/// from `scale(0)` at the bottom to `scale(1)` at the top, with `ticks` (position in [0, 1],
/// label) on its right and `caption` written upwards beside them.
pub fn colour_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, top): (i32, i32),
    height: i32,
    scale: impl Fn(f64) -> RGBColor,
    ticks: &[(f64, &str)],
    caption: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let width = 22;
    for step in 0..height {
        let colour = scale(1.0 - f64::from(step) / f64::from((height - 1).max(1)));
        root.draw(&Rectangle::new([(x, top + step), (x + width, top + step + 1)], colour.filled()))?;
    }
    root.draw(&Rectangle::new([(x, top), (x + width, top + height)], GREY.stroke_width(1)))?;
    let tick_style = TextStyle::from((FONT, style::TICK_SIZE).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for &(fraction, label) in ticks {
        let y = top + ((1.0 - fraction) * f64::from(height)).round() as i32;
        root.draw(&PathElement::new(vec![(x + width, y), (x + width + 5, y)], DARK.stroke_width(1)))?;
        root.draw(&Text::new(label, (x + width + 10, y), tick_style.clone()))?;
    }
    let caption_font = (FONT, style::TICK_SIZE).into_font().transform(FontTransform::Rotate270);
    let caption_style = TextStyle::from(caption_font).pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(caption, (x + COLOUR_BAR_WIDTH - 20, top + height / 2), caption_style))?;
    Ok(())
}
