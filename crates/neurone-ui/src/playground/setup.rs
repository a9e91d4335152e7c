//! What the page asks for, as JSON, and the data and network specs it maps onto.
//!
//! The network and its training are the library's own spec types ([`NetworkSpec`],
//! [`TrainingSpec`]): their defaults and checks apply as they are. What is the playground's
//! own is the data: the problem, its noise, the share of points trained on, and the features.

use serde::Deserialize;

use neurone::check::{check_at_least, check_unit_interval};
use neurone::spec::{NetworkSpec, TrainingSpec};
use neurone::{Dataset, Error, Matrix, seeded_rng};

use super::datasets::{Feature, Problem};

/// The most points a problem may have, and the most values a network and its training may hold
/// in memory: a page cannot start a network of 10⁹ parameters.
pub const MAX_SAMPLES: usize = 5_000;
/// See [`MAX_SAMPLES`]: 64 MiB per training.
pub const MAX_MEMORY_BYTES: u64 = 64 << 20;

/// A playground configuration, as the page sends it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaygroundRequest {
    /// Which problem.
    pub problem: Problem,
    /// Noise, from 0 to 1 (TensorFlow Playground's 0–50 divided by 50).
    #[serde(default)]
    pub noise: f64,
    /// The share of the points trained on; the others are the test points.
    pub train_ratio: f64,
    /// Number of points, train and test together.
    pub samples: usize,
    /// Seeds the points, the initial weights, the shuffles and dropout.
    pub seed: u64,
    /// The inputs the network is given.
    pub features: Vec<Feature>,
    /// The network, in the library's terms.
    #[serde(default)]
    pub network: NetworkSpec,
    /// Its training, in the library's terms.
    #[serde(default)]
    pub training: TrainingSpec,
}

/// A configuration checked and turned into data and specs ready to train.
pub struct Setup {
    /// The request, with its specs resolved for the task.
    pub request: PlaygroundRequest,
    /// Every point `(x₁, x₂, y)` and whether it is a training point.
    pub points: Vec<([f64; 3], bool)>,
    /// The training points as the network sees them (features in, targets out).
    pub train: Dataset<f32>,
    /// The test points, measured after every epoch.
    pub test: Dataset<f32>,
}

impl PlaygroundRequest {
    /// Checks the playground's own settings, then the library's specs, and draws the points.
    /// Errors name the key at fault from the request (`network.layers[1]`,
    /// `training.optimizer.beta2`, `train_ratio`).
    pub fn prepare(mut self) -> Result<Setup, Error> {
        check_unit_interval("noise", self.noise)?;
        if !(self.train_ratio > 0.0 && self.train_ratio < 1.0) {
            return Err(Error::invalid("train_ratio", format!("must be in (0, 1), got {}", self.train_ratio)));
        }
        check_at_least("samples", self.samples, 4)?;
        if self.samples > MAX_SAMPLES {
            return Err(Error::invalid("samples", format!("the playground draws at most {MAX_SAMPLES} points")));
        }
        if self.features.is_empty() {
            return Err(Error::invalid("features", "choose at least one input feature"));
        }
        if self.problem.is_curve() && self.features.iter().any(|feature| feature.uses_x2()) {
            return Err(Error::invalid("features", "the sine has one input, x1: features of x2 do not apply"));
        }
        let task = self.problem.task();
        self.network.resolve(task, 1);
        self.training.resolve(task, 1);
        self.network.validate().map_err(|error| error.within("network"))?;
        self.training.validate().map_err(|error| error.within("training"))?;
        let train_count = ((self.samples as f64 * self.train_ratio).round() as usize).clamp(1, self.samples - 1);
        let need = self.training.memory_need(&self.network, self.features.len(), 1, train_count, 4);
        if need.total() > MAX_MEMORY_BYTES {
            return Err(Error::invalid(
                "network.layers",
                format!(
                    "this network and its training would need {} bytes; the playground allows {MAX_MEMORY_BYTES}",
                    need.total()
                ),
            ));
        }

        let mut rng = seeded_rng(self.seed);
        let drawn = self.problem.generate(self.samples, self.noise, &mut rng);
        let points: Vec<([f64; 3], bool)> =
            drawn.into_iter().enumerate().map(|(index, point)| (point, index < train_count)).collect();
        let dataset = |training: bool| {
            let chosen: Vec<[f64; 3]> =
                points.iter().filter(|(_, is_train)| *is_train == training).map(|(point, _)| *point).collect();
            let inputs = self.feature_rows(chosen.iter().map(|point| (point[0], point[1])));
            let targets = Matrix::column(&chosen.iter().map(|point| point[2] as f32).collect::<Vec<_>>());
            Dataset::new(inputs, targets)
        };
        let (train, test) = (dataset(true)?, dataset(false)?);
        Ok(Setup { request: self, points, train, test })
    }

    /// The network's inputs at each of `coordinates`: one row of the chosen features per point.
    pub fn feature_rows(&self, coordinates: impl Iterator<Item = (f64, f64)>) -> Matrix<f32> {
        let values: Vec<f32> = coordinates
            .flat_map(|(x1, x2)| self.features.iter().map(move |feature| feature.value(x1, x2) as f32))
            .collect();
        let rows = values.len() / self.features.len();
        Matrix::new(rows, self.features.len(), values).expect("one value per feature and point")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request for 100 circle points, half of them trained on, with `extra` fields.
    fn request(features: &str, extra: &str) -> PlaygroundRequest {
        let json = format!(
            r#"{{ "problem": "circle", "train_ratio": 0.5, "samples": 100, "seed": 1, "features": {features} {extra} }}"#
        );
        serde_json::from_str(&json).unwrap()
    }

    fn error(extra: &str) -> String {
        request(r#"["x1", "x2"]"#, extra).prepare().err().unwrap().to_string()
    }

    #[test]
    fn the_points_are_split_and_the_features_computed() {
        let setup = request(r#"["x1", "x1_times_x2"]"#, "").prepare().unwrap();
        assert_eq!((setup.train.len(), setup.test.len()), (50, 50));
        let ([x1, x2, _], _) = setup.points[0];
        assert_eq!(setup.train.inputs().row(0), &[x1 as f32, (x1 * x2) as f32]);
    }

    #[test]
    fn the_library_checks_the_specs_and_names_the_key_from_the_request() {
        assert_eq!(
            error(r#", "network": { "layers": [4, 0] }"#),
            "invalid network.layers[1]: must be at least 1, got 0"
        );
        assert_eq!(
            error(r#", "training": { "learning_rate": -1 }"#),
            "invalid training.learning_rate: must be a positive number, got -1"
        );
        let huge = error(r#", "network": { "layers": [100000, 100000] }"#);
        assert!(huge.starts_with("invalid network.layers: this network"), "{huge}");
    }

    #[test]
    fn the_playground_s_own_settings_are_checked() {
        assert_eq!(error(r#", "noise": 2"#), "invalid noise: must be in [0, 1), got 2");
        let mut sine = request(r#"["x1", "x2"]"#, "");
        sine.problem = Problem::Sine;
        assert!(sine.prepare().err().unwrap().to_string().starts_with("invalid features: the sine has one input"));
    }
}
