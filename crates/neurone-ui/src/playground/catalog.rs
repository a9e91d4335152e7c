//! What the page may choose, told by the server (`GET /api/playground`, read when the page
//! loads): the problems with their task and icon, the input features with their formula, and
//! the activations, optimizers (with their settings, and which ignore η) and initialisers
//! offered, and the most hidden layers and neurons the page draws (the server refuses more).
//! The page keeps no copy of its own.

use axum::Json;
use neurone::spec::{OptimizerSpec, Task};
use neurone::{Activation, Init};
use serde_json::{Value, json};

use super::datasets::{EXTENT, Feature, Problem};
use super::frame;
use super::setup::{MAX_HIDDEN_LAYERS, MAX_NEURONS};

/// The hidden activations offered, with the parameters the page starts from.
const ACTIVATIONS: [Activation; 7] = [
    Activation::Tanh,
    Activation::Relu,
    Activation::Sigmoid,
    Activation::Identity,
    Activation::LeakyRelu { slope: 0.01 },
    Activation::Elu { alpha: 1.0 },
    Activation::Gelu,
];

/// The optimizers offered, each as its `kind`.
const OPTIMIZERS: [&str; 7] = ["sgd", "adam", "rmsprop", "adagrad", "adamw", "rprop", "levenberg_marquardt"];

/// The initialisers offered besides the default (the one the activation asks for).
const INITIALISERS: [Init; 5] =
    [Init::XavierUniform, Init::HeNormal, Init::Normal(0.01), Init::Normal(3.0), Init::Zeros];

/// The side of a problem's icon, in cells.
const ICON: usize = 20;

/// `GET /api/playground`.
pub async fn catalog() -> Json<Value> {
    let problems: Vec<Value> = Problem::ALL
        .iter()
        .map(|&problem| {
            let task = match problem.task() {
                Task::Regression => "regression",
                Task::Classification => "classification",
            };
            json!({ "name": problem, "label": problem.label(), "task": task, "curve": problem.is_curve(), "icon": icon(problem) })
        })
        .collect();
    let features: Vec<Value> = Feature::ALL
        .iter()
        .map(|&feature| json!({ "name": feature, "formula": feature.formula(), "uses_x2": feature.uses_x2() }))
        .collect();
    Json(json!({
        "problems": problems,
        "features": features,
        "activations": ACTIVATIONS.map(|activation| activation.to_string()),
        "optimizers": OPTIMIZERS,
        "optimizer_settings": optimizer_settings(),
        "optimizers_without_learning_rate": optimizers_without_learning_rate(),
        "initialisers": INITIALISERS.map(|init| init.to_string()),
        "limits": { "hidden_layers": MAX_HIDDEN_LAYERS, "neurons": MAX_NEURONS },
    }))
}

/// Each optimizer's settings and their defaults, the library's: `{ "sgd": { "momentum": 0.0,
/// "nesterov": false }, … }`.
fn optimizer_settings() -> serde_json::Map<String, Value> {
    OPTIMIZERS
        .iter()
        .map(|&kind| {
            let mut settings = serde_json::to_value(spec_of(kind)).expect("a spec serialises");
            settings.as_object_mut().expect("an object").remove("kind");
            (kind.to_owned(), settings)
        })
        .collect()
}

/// The optimizers offered that choose each step themselves: the page disables η for them.
fn optimizers_without_learning_rate() -> Vec<&'static str> {
    OPTIMIZERS.into_iter().filter(|&kind| !spec_of(kind).has_learning_rate()).collect()
}

/// The optimizer of `kind` with the library's defaults.
fn spec_of(kind: &str) -> OptimizerSpec {
    serde_json::from_value(json!({ "kind": kind })).expect("a kind offered")
}

/// Each feature of [`Feature::ALL`] over `problem`'s grid, divided by its largest magnitude:
/// the heat maps of the network's input neurons.
pub fn feature_maps(problem: Problem) -> Vec<Vec<f64>> {
    Feature::ALL
        .iter()
        .map(|feature| {
            let values: Vec<f64> = frame::grid_coordinates(problem).map(|(x1, x2)| feature.value(x1, x2)).collect();
            let largest = values.iter().fold(1e-9_f64, |largest, value| largest.max(value.abs()));
            values.into_iter().map(|value| value / largest).collect()
        })
        .collect()
}

/// The problem's noiseless labels over the plane, ICON × ICON cells from the top row down,
/// in [−1, 1]: −1 and 1 the two classes, a regression's value as it is (the sine drawn as its
/// curve).
fn icon(problem: Problem) -> Vec<f64> {
    let class = |positive: bool| if positive { 1.0 } else { -1.0 };
    let at = |index: usize| -EXTENT + 2.0 * EXTENT * index as f64 / (ICON - 1) as f64;
    (0..ICON)
        .flat_map(|row| (0..ICON).map(move |column| (at(column), -at(row))))
        .map(|(x1, x2)| match problem {
            Problem::Circle => class(x1.hypot(x2) < 3.0),
            Problem::Xor => class(x1 * x2 >= 0.0),
            Problem::Gaussians => class(x1 + x2 > 0.0),
            Problem::Spiral => class((x1.atan2(x2) + x1.hypot(x2) * 1.1).sin() > 0.0),
            Problem::Plane => (x1 + x2) / (2.0 * EXTENT),
            Problem::Sine => {
                let on_curve = (x2 / 4.0 - ((x1 + EXTENT) / (2.0 * EXTENT) * std::f64::consts::TAU).sin()).abs() < 0.15;
                if on_curve { -1.0 } else { 0.2 }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_offered_is_one_the_server_accepts() {
        for (name, settings) in optimizer_settings() {
            let mut spec = settings.clone();
            spec["kind"] = name.clone().into();
            serde_json::from_value::<OptimizerSpec>(spec).unwrap();
            assert!(
                settings.as_object().unwrap().values().all(|value| value.is_number() || value.is_boolean()),
                "{name}"
            );
        }
        assert_eq!(optimizers_without_learning_rate(), ["rprop", "levenberg_marquardt"]);
        for activation in ACTIVATIONS {
            assert_eq!(activation.to_string().parse::<Activation>().unwrap(), activation);
        }
        for init in INITIALISERS {
            assert_eq!(init.to_string().parse::<Init>().unwrap(), init);
        }
    }

    #[test]
    fn a_feature_map_follows_its_formula_on_the_grid() {
        let maps = feature_maps(Problem::Circle);
        assert_eq!(maps.len(), Feature::ALL.len());
        let x1 = Feature::ALL.iter().position(|&feature| feature == Feature::X1).unwrap();
        // The grid's top row runs from x₁ = −6 to 6: x₁ / 6 from −1 to 1.
        assert_eq!((maps[x1][0], maps[x1][frame::GRID - 1]), (-1.0, 1.0));
        assert_eq!(icon(Problem::Circle)[ICON / 2 * ICON + ICON / 2], 1.0, "the centre is inside the circle");
    }
}
