//! The playground's problems, as in TensorFlow Playground: four 2-D classifications (circle,
//! xor, two Gaussians, spiral) and two regressions (a plane, and the course's sine), with
//! noise, drawn from a seed; and the input features computed from the two coordinates.

use std::f64::consts::{PI, TAU};

use rand::RngExt;
use serde::{Deserialize, Serialize};

use neurone::Rng;
use neurone::spec::Task;

/// Half the side of the square the 2-D points lie in: x₁ and x₂ are in [−6, 6], as in
/// TensorFlow Playground.
pub const EXTENT: f64 = 6.0;

/// A problem of the playground.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Class 1 inside a disc, class 0 in a ring around it.
    Circle,
    /// Class 1 where x₁ and x₂ have the same sign.
    Xor,
    /// Two Gaussian clouds, one per class.
    Gaussians,
    /// Two interleaved spirals.
    Spiral,
    /// Regression on a tilted plane, y = (x₁ + x₂) / 12.
    Plane,
    /// The course's regression: y = sin x on [0, 2π], one input.
    Sine,
}

impl Problem {
    /// Every problem, in the order the page lists them.
    pub const ALL: [Problem; 6] =
        [Problem::Circle, Problem::Xor, Problem::Gaussians, Problem::Spiral, Problem::Plane, Problem::Sine];

    /// Its name on the page.
    pub fn label(self) -> &'static str {
        match self {
            Problem::Circle => "Circle",
            Problem::Xor => "Exclusive or",
            Problem::Gaussians => "Two Gaussians",
            Problem::Spiral => "Spiral",
            Problem::Plane => "Plane (regression)",
            Problem::Sine => "Sine (regression)",
        }
    }

    /// Classification for the four point clouds, regression for the plane and the sine.
    pub fn task(self) -> Task {
        match self {
            Problem::Plane | Problem::Sine => Task::Regression,
            _ => Task::Classification,
        }
    }

    /// Whether the samples have one coordinate (x, for the sine) rather than two.
    pub fn is_curve(self) -> bool {
        self == Problem::Sine
    }

    /// `samples` points `(x₁, x₂, y)` with `noise` in [0, 1] (its scale follows TensorFlow
    /// Playground's: a fraction of the spread of each problem); for the sine x₂ is 0.
    pub fn generate(self, samples: usize, noise: f64, rng: &mut Rng) -> Vec<[f64; 3]> {
        let mut uniform = |low: f64, high: f64| rng.random_range(low..high);
        (0..samples)
            .map(|index| match self {
                Problem::Circle => {
                    let inside = index % 2 == 0;
                    let radius = if inside { uniform(0.0, 2.5) } else { uniform(3.5, 5.0) };
                    let angle = uniform(0.0, TAU);
                    let (x1, x2) = (radius * angle.cos(), radius * angle.sin());
                    let jitter = noise * EXTENT / 2.0;
                    let (n1, n2) = (uniform(-1.0, 1.0) * jitter, uniform(-1.0, 1.0) * jitter);
                    [x1 + n1, x2 + n2, f64::from(inside)]
                }
                Problem::Xor => {
                    let padding = 0.3;
                    let mut coordinate = || {
                        let value = uniform(-5.0, 5.0);
                        value + if value > 0.0 { padding } else { -padding }
                    };
                    let (x1, x2) = (coordinate(), coordinate());
                    let jitter = noise * EXTENT / 2.0;
                    let (n1, n2) = (uniform(-1.0, 1.0) * jitter, uniform(-1.0, 1.0) * jitter);
                    [x1 + n1, x2 + n2, f64::from(x1 * x2 >= 0.0)]
                }
                Problem::Gaussians => {
                    let positive = index % 2 == 0;
                    let centre = if positive { 2.0 } else { -2.0 };
                    let spread = 0.5 + noise * 3.5;
                    let x1 = centre + spread * standard_normal(&mut uniform);
                    let x2 = centre + spread * standard_normal(&mut uniform);
                    [x1, x2, f64::from(positive)]
                }
                Problem::Spiral => {
                    let positive = index % 2 == 0;
                    let turn = (index / 2) as f64 / (samples / 2).max(1) as f64;
                    let radius = turn * 5.0;
                    let angle = 1.75 * turn * TAU + if positive { 0.0 } else { PI };
                    let jitter = noise;
                    let x1 = radius * angle.sin() + uniform(-1.0, 1.0) * jitter;
                    let x2 = radius * angle.cos() + uniform(-1.0, 1.0) * jitter;
                    [x1, x2, f64::from(positive)]
                }
                Problem::Plane => {
                    let (x1, x2) = (uniform(-EXTENT, EXTENT), uniform(-EXTENT, EXTENT));
                    let y = (x1 + x2) / (2.0 * EXTENT);
                    [x1, x2, y + uniform(-1.0, 1.0) * noise * 0.5]
                }
                Problem::Sine => {
                    let x = uniform(0.0, TAU);
                    [x, 0.0, x.sin() + uniform(-1.0, 1.0) * noise * 0.5]
                }
            })
            .collect()
    }

    /// The square (or interval) drawn: `(low, high)` of x₁ and of x₂ (for the sine, of y).
    pub fn bounds(self) -> [(f64, f64); 2] {
        match self {
            Problem::Sine => [(0.0, TAU), (-1.6, 1.6)],
            _ => [(-EXTENT, EXTENT), (-EXTENT, EXTENT)],
        }
    }
}

/// A standard normal value from two uniform ones (Box–Muller).
fn standard_normal(uniform: &mut impl FnMut(f64, f64) -> f64) -> f64 {
    let (u, v) = (uniform(f64::EPSILON, 1.0), uniform(0.0, 1.0));
    (-2.0 * u.ln()).sqrt() * (TAU * v).cos()
}

/// An input feature the network can be given, computed from the coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// x₁.
    X1,
    /// x₂.
    X2,
    /// x₁².
    X1Squared,
    /// x₂².
    X2Squared,
    /// x₁x₂.
    X1TimesX2,
    /// sin x₁.
    SinX1,
    /// sin x₂.
    SinX2,
}

impl Feature {
    /// Every feature, in the order the page draws them.
    pub const ALL: [Feature; 7] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1TimesX2,
        Feature::SinX1,
        Feature::SinX2,
    ];

    /// Its formula as the page writes it: `x₁²`.
    pub fn formula(self) -> &'static str {
        match self {
            Feature::X1 => "x₁",
            Feature::X2 => "x₂",
            Feature::X1Squared => "x₁²",
            Feature::X2Squared => "x₂²",
            Feature::X1TimesX2 => "x₁x₂",
            Feature::SinX1 => "sin x₁",
            Feature::SinX2 => "sin x₂",
        }
    }

    /// The feature's value at `(x1, x2)`.
    pub fn value(self, x1: f64, x2: f64) -> f64 {
        match self {
            Feature::X1 => x1,
            Feature::X2 => x2,
            Feature::X1Squared => x1 * x1,
            Feature::X2Squared => x2 * x2,
            Feature::X1TimesX2 => x1 * x2,
            Feature::SinX1 => x1.sin(),
            Feature::SinX2 => x2.sin(),
        }
    }

    /// Whether the feature depends on x₂ (which a curve does not have).
    pub fn uses_x2(self) -> bool {
        matches!(self, Feature::X2 | Feature::X2Squared | Feature::X1TimesX2 | Feature::SinX2)
    }

    /// The feature's name as the page and a model file show it.
    pub fn name(self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Squared => "x1^2",
            Feature::X2Squared => "x2^2",
            Feature::X1TimesX2 => "x1*x2",
            Feature::SinX1 => "sin(x1)",
            Feature::SinX2 => "sin(x2)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use neurone::seeded_rng;

    #[test]
    fn noiseless_points_have_the_label_of_their_region() {
        let mut rng = seeded_rng(3);
        for [x1, x2, y] in Problem::Circle.generate(200, 0.0, &mut rng) {
            assert_eq!(y == 1.0, x1.hypot(x2) < 3.0, "({x1}, {x2})");
        }
        for [x1, x2, y] in Problem::Xor.generate(200, 0.0, &mut rng) {
            assert_eq!(y == 1.0, x1 * x2 > 0.0, "({x1}, {x2})");
        }
        for [x, _, y] in Problem::Sine.generate(50, 0.0, &mut rng) {
            assert!((y - x.sin()).abs() < 1e-12);
        }
        let points = Problem::Spiral.generate(100, 0.0, &mut rng);
        assert_eq!(points.iter().filter(|point| point[2] == 1.0).count(), 50);
    }

    #[test]
    fn the_same_seed_draws_the_same_points() {
        let draw = || Problem::Gaussians.generate(30, 0.3, &mut seeded_rng(9));
        assert_eq!(draw(), draw());
    }
}
