//! Curves that plotters' bitmap rasteriser draws cleanly.

use plotters::coord::CoordTranslate;
use plotters::element::PathElement;
use plotters::style::ShapeStyle;

/// A curve through `points` as a series of two-point segments, skipping points that land on
/// the same pixel as the one before.
///
/// The bitmap backend draws a line wider than one pixel as one polygon around the whole path,
/// and at the sharp turns of a noisy curve (a learning curve with more epochs than pixels) the
/// polygon's corners shoot spikes across the picture; a zero-length segment even gives it a
/// NaN direction. Each segment on its own is a plain rectangle, so nothing can go wrong.
pub fn segments<C>(
    coordinates: &C,
    points: impl IntoIterator<Item = (f64, f64)>,
    style: ShapeStyle,
) -> Vec<PathElement<(f64, f64)>>
where
    C: CoordTranslate<From = (f64, f64)>,
{
    let mut last_pixel = None;
    let kept: Vec<(f64, f64)> = points
        .into_iter()
        .filter(|point| {
            let pixel = coordinates.translate(point);
            let new = last_pixel != Some(pixel);
            last_pixel = Some(pixel);
            new
        })
        .collect();
    if kept.len() == 1 {
        return vec![PathElement::new(kept, style)];
    }
    kept.windows(2).map(|pair| PathElement::new(pair.to_vec(), style)).collect()
}
