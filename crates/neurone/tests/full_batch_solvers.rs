//! iRprop− and Levenberg–Marquardt driven by the trainer: what they learn, that a resumed run
//! gives the bits of the uninterrupted one, and the one-line refusals.

use std::path::PathBuf;

use neurone::optim::RpropSettings;
use neurone::spec::OptimizerSpec;
use neurone::{Activation, Checkpoint, Clipping, Network, Rprop, Schedule, Trainer, datasets, seeded_rng};

fn folder(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("neurone-full-batch-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// The course's sine network, 1 → 16 → 16 → 1 in tanh.
fn sine_network(seed: u64) -> Network<f32> {
    Network::builder(1)
        .dense(16, Activation::Tanh)
        .dense(16, Activation::Tanh)
        .dense(1, Activation::Identity)
        .build(&mut seeded_rng(seed))
        .unwrap()
}

fn bits(network: &Network<f32>) -> Vec<u32> {
    network.parameters().flat_map(|(_, parameter)| parameter.value).map(|w| w.to_bits()).collect()
}

/// The trainer an optimizer spec makes, for `epochs` epochs.
fn trainer<'a>(optimizer: &str, epochs: usize) -> Trainer<'a, f32> {
    let spec: OptimizerSpec = serde_json::from_str(optimizer).unwrap();
    spec.trainer(spec.default_learning_rate()).unwrap().epochs(epochs)
}

#[test]
fn rprop_fits_the_sine_one_full_batch_step_an_epoch() {
    let mut rng = seeded_rng(1);
    let data = datasets::sine::<f32>(200, &mut rng);
    let mut network = sine_network(2);
    let mut trainer = trainer(r#"{ "kind": "rprop" }"#, 300);
    let history = trainer.fit(&mut network, &data, None, &mut rng).unwrap();
    let (first, last) = (history.epochs[0].train_loss, history.last().unwrap().train_loss);
    assert!(last < 1e-3 && last < first / 100.0, "{first} → {last}");
    assert_eq!(trainer.solver().state().step, 300, "one step an epoch, whatever the batch size");
}

#[test]
fn rprop_resumes_with_the_bits_of_the_uninterrupted_run() {
    let mut rng = seeded_rng(3);
    let data = datasets::sine::<f32>(100, &mut rng);
    let mut straight = sine_network(4);
    trainer(r#"{ "kind": "rprop" }"#, 20).fit(&mut straight, &data, None, &mut seeded_rng(5)).unwrap();

    let path = folder("rprop").join("checkpoint.safetensors");
    trainer(r#"{ "kind": "rprop" }"#, 7)
        .checkpoint_every(7, |checkpoint| checkpoint.save(&path))
        .fit(&mut sine_network(4), &data, None, &mut seeded_rng(5))
        .unwrap();
    let checkpoint = Checkpoint::<f32>::load(&path).unwrap();
    assert_eq!(checkpoint.solver.tensors.len(), 2 * 6, "a step and a last gradient for each of the 6 tensors");
    let mut resumed = sine_network(4);
    trainer(r#"{ "kind": "rprop" }"#, 20).resume(&mut resumed, checkpoint, &data, None, &mut seeded_rng(0)).unwrap();
    assert_eq!(bits(&resumed), bits(&straight));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn rprop_refuses_what_has_no_meaning_for_it() {
    let mut rng = seeded_rng(6);
    let data = datasets::sine::<f32>(20, &mut rng);
    let rprop = || Trainer::with_solver(Rprop::new(RpropSettings::default()).unwrap());
    let error = rprop().schedule(Schedule::Exponential { gamma: 0.9 }).fit(&mut sine_network(7), &data, None, &mut rng);
    assert_eq!(
        error.unwrap_err().to_string(),
        "invalid schedule: iRprop− has no learning rate to schedule: it picks each step itself"
    );
    let error = rprop().clipping(Clipping::Norm(1.0)).fit(&mut sine_network(7), &data, None, &mut rng);
    assert_eq!(
        error.unwrap_err().to_string(),
        "invalid clipping: does not apply to iRprop−, which picks each step itself"
    );
    let error = serde_json::from_str::<OptimizerSpec>(r#"{ "kind": "rprop", "decrease_factor": 2 }"#)
        .unwrap()
        .validate()
        .unwrap_err();
    assert_eq!(error.within("optimizer").to_string(), "invalid optimizer.decrease_factor: must be in (0, 1), got 2");
}
