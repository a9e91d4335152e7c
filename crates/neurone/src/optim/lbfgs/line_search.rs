//! A line search for the strong Wolfe conditions (Nocedal & Wright, *Numerical Optimization*,
//! algorithms 3.5 and 3.6), used by [`Lbfgs`](super::Lbfgs).
//!
//! Along a descent direction d from x, with φ(t) = f(x + t d) and φ'(t) = ∇f(x + t d)ᵀ d, it
//! looks for a step length t with
//!
//! ```text
//! sufficient decrease (Armijo):  φ(t) ≤ φ(0) + c1 t φ'(0)
//! curvature (strong):            |φ'(t)| ≤ c2 |φ'(0)|
//! ```
//!
//! The curvature condition guarantees yᵀs > 0 for the L-BFGS update.

/// c1: the fraction of the linear decrease the step must achieve (the usual 10⁻⁴).
pub(crate) const SUFFICIENT_DECREASE: f64 = 1e-4;
/// c2 for quasi-Newton methods: how much flatter the slope must become (the usual 0.9).
pub(crate) const CURVATURE: f64 = 0.9;

/// One point on the line: step length t, φ(t) and φ'(t).
#[derive(Clone, Copy, Debug)]
struct Point {
    step: f64,
    value: f64,
    slope: f64,
}

/// What the line search found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum LineSearch {
    /// A step satisfying both strong Wolfe conditions; it was the last point evaluated.
    Wolfe {
        /// The step length t.
        step: f64,
        /// φ(t).
        value: f64,
    },
    /// The evaluations ran out; this is the lowest point seen that satisfies sufficient
    /// decrease, not necessarily the last evaluated.
    Armijo {
        /// The step length t.
        step: f64,
        /// φ(t).
        value: f64,
    },
    /// No point with sufficient decrease was found.
    Failed,
}

/// Searches along the line from `start_value` = φ(0) with `start_slope` = φ'(0) < 0, trying
/// `initial_step` first and evaluating `phi(t) = (φ(t), φ'(t))` at most `max_evaluations` times,
/// with c2 = `curvature` in (c1, 1): the smaller, the closer to an exact line minimisation.
/// Non-finite values count as too long a step.
pub(crate) fn strong_wolfe(
    phi: &mut dyn FnMut(f64) -> (f64, f64),
    start_value: f64,
    start_slope: f64,
    initial_step: f64,
    max_evaluations: usize,
    curvature: f64,
) -> LineSearch {
    let start = Point { step: 0.0, value: start_value, slope: start_slope };
    let sufficient = |point: &Point| {
        point.value.is_finite() && point.value <= start_value + SUFFICIENT_DECREASE * point.step * start_slope
    };
    let flat = |point: &Point| point.slope.abs() <= -curvature * start_slope;
    let mut evaluate = |step: f64| {
        let (value, slope) = phi(step);
        Point { step, value, slope }
    };
    let mut best: Option<Point> = None;
    let mut previous = start;
    let mut step = initial_step;
    let mut evaluations = 0;
    // Bracketing: lengthen the step until an interval must contain a Wolfe point.
    let (mut low, mut high) = loop {
        if evaluations == max_evaluations {
            return fallback(best);
        }
        let point = evaluate(step);
        evaluations += 1;
        if !sufficient(&point) || (evaluations > 1 && point.value >= previous.value) {
            break (previous, point);
        }
        best = Some(point);
        if flat(&point) {
            return LineSearch::Wolfe { step: point.step, value: point.value };
        }
        if point.slope >= 0.0 {
            break (point, previous);
        }
        previous = point;
        step *= 2.0;
    };
    // Zoom: shrink [low, high] (in either order) keeping `low` the lowest sufficient point.
    while evaluations < max_evaluations {
        let step = interpolate(&low, &high);
        if step == low.step || step == high.step {
            break; // the interval has shrunk to nothing representable
        }
        let point = evaluate(step);
        evaluations += 1;
        if !sufficient(&point) || point.value >= low.value {
            high = point;
        } else {
            best = Some(point);
            if flat(&point) {
                return LineSearch::Wolfe { step: point.step, value: point.value };
            }
            if point.slope * (high.step - low.step) >= 0.0 {
                high = low;
            }
            low = point;
        }
    }
    fallback(best)
}

fn fallback(best: Option<Point>) -> LineSearch {
    match best {
        Some(point) => LineSearch::Armijo { step: point.step, value: point.value },
        None => LineSearch::Failed,
    }
}

/// The minimiser of the cubic through two points with their slopes (Nocedal & Wright eq. 3.59),
/// kept at least a tenth of the interval away from its ends; bisection when the cubic has no
/// usable minimiser (or a value is not finite).
fn interpolate(a: &Point, b: &Point) -> f64 {
    let (lower, upper) = (a.step.min(b.step), a.step.max(b.step));
    let margin = 0.1 * (upper - lower);
    let d1 = a.slope + b.slope - 3.0 * (a.value - b.value) / (a.step - b.step);
    let discriminant = d1 * d1 - a.slope * b.slope;
    let cubic = if discriminant >= 0.0 {
        let d2 = (b.step - a.step).signum() * discriminant.sqrt();
        b.step - (b.step - a.step) * (b.slope + d2 - d1) / (b.slope - a.slope + 2.0 * d2)
    } else {
        f64::NAN
    };
    if cubic.is_finite() && cubic >= lower + margin && cubic <= upper - margin { cubic } else { 0.5 * (lower + upper) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_found_satisfies_both_strong_wolfe_conditions() {
        // φ(t) = (t − 3)⁴ − 3t + t², from a long and from a short first guess.
        let phi_exact = |t: f64| ((t - 3.0).powi(4) - 3.0 * t + t * t, 4.0 * (t - 3.0).powi(3) - 3.0 + 2.0 * t);
        let (start_value, start_slope) = phi_exact(0.0);
        for initial in [1e-3, 1.0, 100.0] {
            let mut evaluations = 0;
            let mut phi = |t: f64| {
                evaluations += 1;
                phi_exact(t)
            };
            let LineSearch::Wolfe { step, value } =
                strong_wolfe(&mut phi, start_value, start_slope, initial, 30, CURVATURE)
            else {
                panic!("no Wolfe point from {initial}");
            };
            let (expected_value, slope) = phi_exact(step);
            assert_eq!(value, expected_value);
            assert!(value <= start_value + SUFFICIENT_DECREASE * step * start_slope, "Armijo fails at {step}");
            assert!(slope.abs() <= -CURVATURE * start_slope, "curvature fails at {step}");
            assert!(evaluations <= 30);
        }
    }

    #[test]
    fn a_direction_going_up_fails_and_a_tight_budget_falls_back_to_the_best_decrease() {
        // φ(t) = t: no decrease anywhere (the caller passed a wrong slope).
        assert_eq!(strong_wolfe(&mut |t| (t, 1.0), 0.0, -1.0, 1.0, 10, CURVATURE), LineSearch::Failed);
        // φ(t) = −t: always lower, never flat; a budget of 3 ends at the best point, t = 4.
        assert_eq!(
            strong_wolfe(&mut |t| (-t, -1.0), 0.0, -1.0, 1.0, 3, CURVATURE),
            LineSearch::Armijo { step: 4.0, value: -4.0 }
        );
    }

    #[test]
    fn cubic_interpolation_is_exact_for_a_quadratic() {
        // φ(t) = (t − 0.7)²: the cubic through (0, φ, φ') and (2, φ, φ') has its minimum at 0.7.
        let point = |t: f64| Point { step: t, value: (t - 0.7).powi(2), slope: 2.0 * (t - 0.7) };
        assert!((interpolate(&point(0.0), &point(2.0)) - 0.7).abs() < 1e-12);
        assert!((interpolate(&point(2.0), &point(0.0)) - 0.7).abs() < 1e-12);
        // A minimiser too close to an end is replaced by bisection.
        assert!((interpolate(&point(0.69), &point(10.0)) - 5.345).abs() < 1e-12);
    }
}
