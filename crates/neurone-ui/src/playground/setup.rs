//! What the page asks for, as JSON, and the data and network specs it maps onto.
//!
//! The network and its training are the library's own spec types ([`NetworkSpec`],
//! [`TrainingSpec`]): their defaults and checks apply as they are. What is the playground's
//! own is the data: the problem, its noise, the share of points trained on, and the features.

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use neurone::check::{check_at_least, check_unit_interval};
use neurone::spec::{NetworkSpec, TrainingSpec};
use neurone::{Dataset, Error, Matrix, seeded_rng};

use super::datasets::{Feature, Problem};

/// The most points a problem may have, and the most values a network and its training may hold
/// in memory: a page cannot start a network of 10⁹ parameters.
pub const MAX_SAMPLES: usize = 5_000;
/// See [`MAX_SAMPLES`]: 64 MiB per training.
pub const MAX_MEMORY_BYTES: u64 = 64 << 20;
/// The most hidden layers, and neurons in each, the page draws (TensorFlow Playground's).
pub const MAX_HIDDEN_LAYERS: usize = 6;
/// See [`MAX_HIDDEN_LAYERS`].
pub const MAX_NEURONS: usize = 8;

/// A playground configuration, as the page sends it.
#[derive(Clone, Debug, Deserialize, Serialize)]
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
    /// The request the page sent as JSON. A setting of the wrong type is named by its key
    /// (`seed`, `training.batch_size`) and said in the library's words, not the parser's.
    pub fn from_json(body: &[u8]) -> Result<Self, Error> {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|error| Error::invalid("request", format!("is not a JSON object: {error}")))?;
        serde_json::from_value(value.clone()).map_err(|error| {
            let message = error.to_string();
            let path = key_at_fault(&value, &message);
            Error::invalid(if path.is_empty() { "request".to_owned() } else { path }, in_words(&message))
        })
    }

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

        if self.network.layers.len() > MAX_HIDDEN_LAYERS {
            return Err(Error::invalid(
                "network.layers",
                format!(
                    "the playground draws at most {MAX_HIDDEN_LAYERS} hidden layers, got {}",
                    self.network.layers.len()
                ),
            ));
        }
        if let Some(index) = self.network.layers.iter().position(|&width| width > MAX_NEURONS) {
            return Err(Error::invalid(
                format!("network.layers[{index}]"),
                format!(
                    "the playground draws at most {MAX_NEURONS} neurons a layer, got {}",
                    self.network.layers[index]
                ),
            ));
        }
        let mut rng = seeded_rng(self.seed);
        let mut drawn = self.problem.generate(self.samples, self.noise, &mut rng);
        // Problems are drawn in order (the spiral from its centre out): shuffled, the training
        // and the test points come from the same distribution.
        drawn.shuffle(&mut rng);
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

/// The key whose value makes the request fail with `message`, as `training.optimizer.beta2`:
/// serde stops at the first bad value it reads, so the key at fault is the one without which
/// the request fails otherwise (or not at all); nested objects are searched the same way.
fn key_at_fault(request: &serde_json::Value, message: &str) -> String {
    let fails_the_same = |trial: serde_json::Value| {
        serde_json::from_value::<PlaygroundRequest>(trial).err().is_some_and(|error| error.to_string() == message)
    };
    let mut path: Vec<String> = Vec::new();
    loop {
        let pointer: String = path.iter().map(|key| format!("/{key}")).collect();
        let Some(object) = request.pointer(&pointer).and_then(serde_json::Value::as_object) else { break };
        let found = object.keys().find(|key| {
            let mut trial = request.clone();
            let parent = trial.pointer_mut(&pointer).and_then(serde_json::Value::as_object_mut);
            parent.map(|parent| parent.remove(*key));
            !fails_the_same(trial)
        });
        match found {
            Some(key) => path.push(key.clone()),
            None => break,
        }
    }
    path.join(".")
}

/// serde's "invalid value: integer `-5`, expected u64" as "must be a whole number, 0 or more,
/// got -5"; the library's own messages (an unknown activation, …) pass unchanged.
fn in_words(message: &str) -> String {
    let (found, expected) = match message.split_once(", expected ") {
        Some((found, expected)) if found.starts_with("invalid ") => (found, expected),
        _ => return message.to_owned(),
    };
    let found = found.split_once(": ").map_or(found, |(_, found)| found).replace('`', "");
    let wanted = match expected {
        "u64" | "usize" | "u32" => "a whole number, 0 or more",
        "f64" | "f32" => "a number",
        "a boolean" => "true or false",
        other => other,
    };
    format!("must be {wanted}, got {found}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request for 100 circle points, half of them trained on, with `extra` fields.
    fn request(features: &str, extra: &str) -> PlaygroundRequest {
        // A network the page can draw, unless `extra` has its own.
        let network = if extra.contains("\"network\"") { "" } else { r#", "network": { "layers": [4] }"# };
        let json = format!(
            r#"{{ "problem": "circle", "train_ratio": 0.5, "samples": 100, "seed": 1, "features": {features} {network} {extra} }}"#
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
    fn a_setting_of_the_wrong_type_is_named_in_words() {
        let error = |json: &str| PlaygroundRequest::from_json(json.as_bytes()).err().unwrap().to_string();
        let base = r#""problem": "circle", "train_ratio": 0.5, "samples": 100, "features": ["x1"]"#;
        assert_eq!(
            error(&format!(r#"{{ {base}, "seed": -5 }}"#)),
            "invalid seed: must be a whole number, 0 or more, got integer -5"
        );
        assert_eq!(
            error(&format!(r#"{{ {base}, "seed": 1, "training": {{ "batch_size": "ten" }} }}"#)),
            r#"invalid training.batch_size: must be a whole number, 0 or more, got string "ten""#
        );
        assert_eq!(
            error(&format!(r#"{{ {base}, "seed": 1, "noise": "a" }}"#)),
            r#"invalid noise: must be a number, got string "a""#
        );
    }

    #[test]
    fn training_and_test_points_are_drawn_from_the_same_distribution() {
        for problem in ["circle", "xor", "gaussians", "spiral", "plane", "sine"] {
            let json = format!(
                r#"{{ "problem": "{problem}", "noise": 0.1, "train_ratio": 0.5, "samples": 1000, "seed": 1, "features": ["x1"],
                    "network": {{ "layers": [4] }} }}"#
            );
            let setup = PlaygroundRequest::from_json(json.as_bytes()).unwrap().prepare().unwrap();
            let part = |training: bool| {
                let points: Vec<[f64; 3]> = setup
                    .points
                    .iter()
                    .filter(|(_, is_train)| *is_train == training)
                    .map(|(point, _)| *point)
                    .collect();
                let mean =
                    |value: &dyn Fn(&[f64; 3]) -> f64| points.iter().map(value).sum::<f64>() / points.len() as f64;
                let quadrant =
                    |q: usize| mean(&|p| f64::from(usize::from(p[0] > 0.0) + 2 * usize::from(p[1] > 0.0) == q));
                [mean(&|p| p[0].hypot(p[1])), mean(&|p| p[2]), quadrant(0), quadrant(1), quadrant(2), quadrant(3)]
            };
            let (train, test) = (part(true), part(false));
            let radius = train[0].max(test[0]);
            assert!((train[0] - test[0]).abs() < 0.1 * radius, "{problem}: mean radius {} and {}", train[0], test[0]);
            for (name, index) in
                [("mean target", 1), ("quadrant 0", 2), ("quadrant 1", 3), ("quadrant 2", 4), ("quadrant 3", 5)]
            {
                assert!(
                    (train[index] - test[index]).abs() < 0.08,
                    "{problem}: {name} {} and {}",
                    train[index],
                    test[index]
                );
            }
        }
    }

    #[test]
    fn the_layers_are_bounded_by_what_the_page_draws() {
        assert_eq!(
            error(r#", "network": { "layers": [200, 200] }"#),
            "invalid network.layers[0]: the playground draws at most 8 neurons a layer, got 200"
        );
        assert_eq!(
            error(r#", "network": { "layers": [1, 1, 1, 1, 1, 1, 1] }"#),
            "invalid network.layers: the playground draws at most 6 hidden layers, got 7"
        );
    }

    #[test]
    fn the_playground_s_own_settings_are_checked() {
        assert_eq!(error(r#", "noise": 2"#), "invalid noise: must be in [0, 1), got 2");
        let mut sine = request(r#"["x1", "x2"]"#, "");
        sine.problem = Problem::Sine;
        assert!(sine.prepare().err().unwrap().to_string().starts_with("invalid features: the sine has one input"));
    }
}
