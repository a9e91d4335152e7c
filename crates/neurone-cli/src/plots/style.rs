//! The look shared by every figure: the embedded font, text sizes, colours and colour scales.

use std::sync::OnceLock;

use plotters::chart::{ChartContext, SeriesLabelPosition};
use plotters::coord::CoordTranslate;
use plotters::prelude::{Color, DrawingBackend, WHITE};
use plotters::style::{FontStyle, RGBColor, register_font};

use super::render::DrawResult;

/// The family every text element asks for; it is the embedded font, registered under this name.
pub const FONT: &str = "sans-serif";

/// Text sizes in pixels, for figures about 900 pixels wide.
pub const TITLE_SIZE: f64 = 26.0;
pub const LABEL_SIZE: f64 = 22.0;
pub const TICK_SIZE: f64 = 18.0;
pub const LEGEND_SIZE: f64 = 18.0;

/// Line width of curves, in pixels.
pub const LINE_WIDTH: u32 = 3;

/// matplotlib's first colours ("tab10"), which readers of its figures know by sight.
pub const BLUE: RGBColor = RGBColor(31, 119, 180);
pub const ORANGE: RGBColor = RGBColor(255, 127, 14);
pub const GREEN: RGBColor = RGBColor(44, 160, 44);
pub const RED: RGBColor = RGBColor(214, 39, 40);
pub const PURPLE: RGBColor = RGBColor(148, 103, 189);
pub const GREY: RGBColor = RGBColor(110, 110, 110);
pub const DARK: RGBColor = RGBColor(30, 30, 30);

/// One colour per class, cycling after ten.
pub fn class_colour(class: usize) -> RGBColor {
    const TAB10: [RGBColor; 10] = [
        BLUE,
        ORANGE,
        GREEN,
        RED,
        PURPLE,
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    TAB10[class % TAB10.len()]
}

/// Registers the embedded DejaVu Sans under [`FONT`], once per process. The font travels inside
/// the binary so that plots need no system font library (fontconfig, freetype) to build or run.
pub fn register_embedded_font() -> Result<(), String> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let registered = *REGISTERED.get_or_init(|| {
        let bytes: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        register_font(FONT, FontStyle::Normal, bytes).is_ok()
    });
    if registered { Ok(()) } else { Err("the embedded font cannot be read".to_owned()) }
}

/// Linear interpolation between two colours, `t` in [0, 1].
pub fn mix(from: RGBColor, to: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let channel = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(channel(from.0, to.0), channel(from.1, to.1), channel(from.2, to.2))
}

/// A sequential scale from white to dark blue (like matplotlib's "Blues"), `t` in [0, 1].
pub fn blues(t: f64) -> RGBColor {
    const STOPS: [RGBColor; 4] =
        [RGBColor(247, 251, 255), RGBColor(158, 202, 225), RGBColor(49, 130, 189), RGBColor(8, 48, 107)];
    along(&STOPS, t)
}

/// A diverging scale from blue (0) through white (½) to red (1), like matplotlib's "RdBu"
/// reversed: the colour says which class, its strength how sure the network is.
pub fn blue_white_red(t: f64) -> RGBColor {
    const STOPS: [RGBColor; 5] = [
        RGBColor(33, 102, 172),
        RGBColor(146, 197, 222),
        RGBColor(247, 247, 247),
        RGBColor(244, 165, 130),
        RGBColor(178, 24, 43),
    ];
    along(&STOPS, t)
}

/// The colour at `t` in [0, 1] along evenly spaced stops.
fn along(stops: &[RGBColor], t: f64) -> RGBColor {
    let position = t.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
    let index = (position.floor() as usize).min(stops.len() - 2);
    mix(stops[index], stops[index + 1], position - index as f64)
}

/// Black text on light backgrounds, white on dark ones.
pub fn text_colour_on(background: RGBColor) -> RGBColor {
    let luminance = 0.299 * f64::from(background.0) + 0.587 * f64::from(background.1) + 0.114 * f64::from(background.2);
    if luminance > 140.0 { DARK } else { RGBColor(255, 255, 255) }
}

/// A tick label with about three significant digits and no trailing zeros: `0.25`, `1200`,
/// `3e-5`.
pub fn tick_label(value: f64) -> String {
    // Ticks computed as sums of steps land near, not on, zero (-2.2e-16).
    if value.abs() < 1e-12 || !value.is_finite() {
        return if value.is_finite() { "0".to_owned() } else { value.to_string() };
    }
    let magnitude = value.abs().log10().floor();
    if !(-3.0..6.0).contains(&magnitude) {
        let text = format!("{value:.1e}");
        return text.replace(".0e", "e");
    }
    let decimals = (2.0 - magnitude).max(0.0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text }
}

/// The smallest and largest finite values, or `None` when there is none.
pub fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().filter(|value| value.is_finite()).fold(None, |range, value| match range {
        None => Some((value, value)),
        Some((low, high)) => Some((value.min(low), value.max(high))),
    })
}

/// `(low, high)` widened by `fraction` of its span on each side, as matplotlib's autoscale
/// leaves a margin around the data; a single value gets ±5 % of itself (±1 around zero).
pub fn padded((low, high): (f64, f64), fraction: f64) -> (f64, f64) {
    let span = high - low;
    if span > 0.0 {
        (low - fraction * span, high + fraction * span)
    } else {
        let margin = if low == 0.0 { 1.0 } else { 0.05 * low.abs() };
        (low - margin, high + margin)
    }
}

/// Draws the legend of the series drawn so far, at `position`, in a light box.
pub fn draw_legend<'a, DB, CT>(chart: &mut ChartContext<'a, DB, CT>, position: SeriesLabelPosition) -> DrawResult
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .label_font((FONT, LEGEND_SIZE))
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .margin(12)
        .draw()?;
    Ok(())
}
