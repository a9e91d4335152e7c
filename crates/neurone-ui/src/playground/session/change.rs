//! Settings changed in the middle of a training, as in TensorFlow Playground: the learning
//! rate, the L1 and L2 penalties, dropout, the optimizer and the batch size are taken up by the
//! next stretch, from where the training is, through the checkpoint it continues from; a
//! change of anything else (the data, the architecture, the seed) needs a new training. A
//! weight edited by hand is changed the same way. Each change is recorded with its epoch, for
//! the loss chart.

use serde_json::Value;

use neurone::Network;

use super::super::setup::Setup;
use super::Training;

impl Training {
    /// Goes on with `setup`'s settings from where the training is, or says why it cannot: a
    /// setting that needs a new training changed, or the training has stopped.
    ///
    /// The learning rate is the solver's in the checkpoint (a schedule, if the request has
    /// one, sets it again each epoch); the penalties and the batch size are the trainer's,
    /// built anew for each stretch; dropout is set in the network. Another optimizer, or the
    /// same with other settings, starts from the weights as they are with a state of its own
    /// (moments at zero, no steps taken), as a new optimizer over a model's parameters does.
    pub(in crate::playground) fn change(&mut self, setup: Setup) -> Result<(), String> {
        let (old, new) = (&self.setup.request, setup.request);
        if let Some(error) = &self.error {
            return Err(format!("the training has stopped ({error}): a new training starts"));
        }
        // What may change put back as it was, the rest must be the same.
        let mut rest = new.clone();
        rest.training.learning_rate = old.training.learning_rate;
        (rest.training.l1, rest.training.l2) = (old.training.l1, old.training.l2);
        (rest.training.optimizer, rest.training.batch_size) = (old.training.optimizer, old.training.batch_size);
        rest.network.dropout = old.network.dropout;
        if let Some(key) = first_difference(&json(old), &json(&rest), "") {
            return Err(format!("{key} changed: a new training starts"));
        }

        let mut changes = Vec::new();
        let (before, after) = (&old.training, &new.training);
        let number = |name: &str, from: f64, to: f64| (from != to).then(|| format!("{name} {from} → {to}"));
        if before.optimizer != after.optimizer {
            let (from, to) = (json(&before.optimizer), json(&after.optimizer));
            let kind = |settings: &Value| settings["kind"].as_str().unwrap_or_default().to_owned();
            if kind(&from) == kind(&to) {
                changes.push(format!("{}: {}", kind(&to), differences(&from, &to)));
            } else {
                changes.push(format!("optimizer {} → {}", kind(&from), kind(&to)));
            }
            // The checkpoint's solver state is the old optimizer's: the next stretch starts
            // the new one's from the network and generator as they are.
            if let Some(checkpoint) = self.checkpoint.take() {
                (self.network, self.rng) = (checkpoint.network, checkpoint.rng);
            }
        }
        if after.optimizer.has_learning_rate() {
            changes.extend(number("η", before.learning_rate(), after.learning_rate()));
            if let Some(checkpoint) = &mut self.checkpoint {
                checkpoint.solver.learning_rate = after.learning_rate();
            }
        }
        changes.extend(number("L1", before.l1, after.l1));
        changes.extend(number("L2", before.l2, after.l2));
        changes.extend(number("batch size", before.batch_size as f64, after.batch_size as f64));
        if let Some(dropout) = number("dropout", old.network.dropout, new.network.dropout) {
            for network in self.networks_mut() {
                network.set_dropout(new.network.dropout).map_err(|error| error.to_string())?;
            }
            changes.push(dropout);
        }
        self.setup.request = new;
        if !changes.is_empty() {
            self.changes.push((self.epochs, changes.join(", ")));
        }
        Ok(())
    }

    /// Sets weight `index` of dense layer `layer` (row-major, outputs × inputs) to `value`:
    /// the next stretch goes on from it.
    pub(in crate::playground) fn set_weight(&mut self, layer: usize, index: usize, value: f32) -> Result<(), String> {
        let Some(weights) = self.network.layers().iter().filter_map(|layer| layer.as_dense()).nth(layer) else {
            return Err(format!("invalid layer: the network has no dense layer {layer}"));
        };
        let (inputs, was) = match weights.weights().get(index) {
            Some(&was) => (weights.inputs(), was),
            None => return Err(format!("invalid index: layer {layer} has {} weights", weights.weights().len())),
        };
        for network in self.networks_mut() {
            let dense = network.layers_mut().iter_mut().filter_map(|layer| layer.as_dense_mut()).nth(layer);
            dense.expect("the networks have the same layers").weights_mut()[index] = value;
        }
        let (row, column) = (index / inputs + 1, index % inputs + 1);
        self.changes.push((self.epochs, format!("W({})[{row},{column}] {was:.3} → {value}", layer + 1)));
        Ok(())
    }

    /// The network as it is, and the checkpoint's, which the next stretch starts from.
    fn networks_mut(&mut self) -> impl Iterator<Item = &mut Network<f32>> {
        std::iter::once(&mut self.network).chain(self.checkpoint.as_mut().map(|checkpoint| &mut checkpoint.network))
    }
}

fn json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("settings serialise")
}

/// The key of the first value that differs between `a` and `b`, as `network.layers`.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => a.keys().chain(b.keys()).find_map(|key| {
            let (a, b) = (a.get(key).unwrap_or(&Value::Null), b.get(key).unwrap_or(&Value::Null));
            first_difference(a, b, &if path.is_empty() { key.clone() } else { format!("{path}.{key}") })
        }),
        _ => (a != b).then(|| path.to_owned()),
    }
}

/// The settings that differ between two objects: `beta2 0.999 → 0.99`.
fn differences(a: &Value, b: &Value) -> String {
    let keys = b.as_object().into_iter().flat_map(|object| object.keys());
    let changed = keys.filter(|&key| a.get(key) != b.get(key)).map(|key| {
        let was = a.get(key).unwrap_or(&Value::Null);
        format!("{key} {was} → {}", b[key])
    });
    changed.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::tests::weights;
    use super::*;
    use crate::playground::setup::PlaygroundRequest;

    /// The xor's setup with the `training` settings (JSON), `layers` and `dropout`.
    fn setup(training: &str, layers: &str, dropout: f64) -> Setup {
        let json = format!(
            r#"{{ "problem": "xor", "train_ratio": 0.5, "samples": 200, "seed": 4, "features": ["x1", "x2"],
                "network": {{ "layers": {layers}, "dropout": {dropout} }}, "training": {training} }}"#
        );
        PlaygroundRequest::from_json(json.as_bytes()).unwrap().prepare().unwrap()
    }

    /// Plain gradient descent on the whole training set (100 points): one step an epoch.
    const FULL_BATCH: &str = r#"{ "optimizer": { "kind": "sgd" }, "learning_rate": 0.03, "batch_size": 100 }"#;

    #[test]
    fn a_learning_rate_changed_on_the_way_keeps_the_epoch_and_weights_and_drives_the_next_epochs() {
        let mut kept = Training::new(setup(FULL_BATCH, "[6, 3]", 0.0)).unwrap();
        let mut changed = Training::new(setup(FULL_BATCH, "[6, 3]", 0.0)).unwrap();
        kept.train(5);
        changed.train(5);
        let before = weights(&changed);
        changed.change(setup(&FULL_BATCH.replace("0.03", "0.3"), "[6, 3]", 0.0)).unwrap();
        assert_eq!((changed.epochs, weights(&changed)), (5, before.clone()), "the change itself moves nothing");
        assert_eq!(changed.changes, [(5, "η 0.03 → 0.3".to_owned())]);

        // From the same weights, one step of w ← w − η ∂J/∂w each: ten times as far.
        kept.train(1);
        changed.train(1);
        let moved = |training: &Training| -> Vec<f32> {
            weights(training).iter().zip(&before).map(|(&w, &was)| f32::from_bits(w) - f32::from_bits(was)).collect()
        };
        let (small, large) = (moved(&kept), moved(&changed));
        let largest = large.iter().fold(0.0f32, |largest, step| largest.max(step.abs()));
        assert!(largest > 1e-4, "the weights moved: {largest}");
        for (small, large) in small.iter().zip(&large) {
            assert!((large - 10.0 * small).abs() <= 1e-3 * largest, "{large} vs 10 × {small}");
        }
        changed.train(2);
        assert_eq!(changed.last.as_ref().unwrap().learning_rate, 0.3, "the rate stays the new one");
        let epochs: Vec<f64> = changed.losses.iter().map(|point| point[0]).collect();
        assert_eq!(epochs, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
    }

    #[test]
    fn penalties_dropout_optimizer_and_batch_size_change_on_the_way_the_rest_needs_a_new_training() {
        let adam = r#"{ "optimizer": { "kind": "adam" }, "learning_rate": 0.01, "batch_size": 10 }"#;
        let mut training = Training::new(setup(adam, "[6, 3]", 0.0)).unwrap();
        training.train(4);
        let before = weights(&training);
        let other = r#"{ "optimizer": { "kind": "sgd", "momentum": 0.9 }, "learning_rate": 0.01, "batch_size": 5,
            "l1": 0.001, "l2": 0.01 }"#;
        training.change(setup(other, "[6, 3]", 0.2)).unwrap();
        assert_eq!((training.epochs, weights(&training)), (4, before));
        let expected = r#"optimizer adam → sgd, L1 0 → 0.001, L2 0 → 0.01, batch size 10 → 5, dropout 0 → 0.2"#;
        assert_eq!(training.changes, [(4, expected.to_owned())]);
        let kinds: Vec<String> = training.network.layers().iter().map(|layer| layer.describe()).collect();
        assert_eq!(kinds, ["dense tanh", "dropout(0.2)", "dense tanh", "dropout(0.2)", "dense sigmoid"]);
        training.train(3);
        assert_eq!((training.error.as_deref(), training.epochs), (None, 7));
        // 20 batches of 5 an epoch since the change.
        assert_eq!(training.steps, 4 * 10 + 3 * 20);
        training.change(setup(&other.replace("0.9", "0.5"), "[6, 3]", 0.2)).unwrap();
        assert_eq!(training.changes[1], (7, "sgd: momentum 0.9 → 0.5".to_owned()));

        for (request, key) in [
            (setup(other, "[6, 4]", 0.2), "network.layers"),
            (
                setup(&other.replace("\"batch_size\"", "\"epochs\": 7, \"batch_size\""), "[6, 3]", 0.2),
                "training.epochs",
            ),
        ] {
            let refused = training.change(request).unwrap_err();
            assert_eq!(refused, format!("{key} changed: a new training starts"));
        }
        let mut seeded = setup(other, "[6, 3]", 0.2);
        seeded.request.seed = 5;
        assert_eq!(training.change(seeded).unwrap_err(), "seed changed: a new training starts");
        assert_eq!(training.changes.len(), 2, "a refused change is not recorded");
    }

    #[test]
    fn an_edited_weight_is_where_the_training_goes_on_from() {
        let mut edited = Training::new(setup(FULL_BATCH, "[6, 3]", 0.0)).unwrap();
        edited.train(3);
        edited.set_weight(1, 7, 2.5).unwrap();
        let weight = |training: &Training| training.network.layers()[1].as_dense().unwrap().weights()[7];
        assert_eq!(weight(&edited), 2.5);
        assert!(edited.changes[0].1.starts_with("W(2)[2,2] "), "{:?}", edited.changes);
        edited.train(1);
        let step = weight(&edited) - 2.5;
        assert!(step != 0.0 && step.abs() < 0.05, "one small step from the edited value: {step}");
        assert_eq!(edited.set_weight(1, 18, 1.0).unwrap_err(), "invalid index: layer 1 has 18 weights");
        assert_eq!(edited.set_weight(3, 0, 1.0).unwrap_err(), "invalid layer: the network has no dense layer 3");
    }
}
