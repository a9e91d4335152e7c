//! Checkpoints: training N epochs straight and training k, saving, loading and resuming for
//! N − k give the same bits, whatever the solver, schedule, dropout or early stopping.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use neurone::data::{SplitFractions, split};
use neurone::optim::{Plateau, PlateauMode};
use neurone::{
    Activation, Adam, Checkpoint, Dataset, EarlyStopping, History, Lbfgs, Metric, Monitor, Network, Schedule, Trainer,
    datasets, seeded_rng,
};

fn folder(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("neurone-checkpoints-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// Every parameter's bits, in order (batch-norm statistics included).
fn bits(network: &Network<f32>) -> Vec<u32> {
    let mut bits: Vec<u32> =
        network.parameters().flat_map(|(_, parameter)| parameter.value).map(|w| w.to_bits()).collect();
    let model = neurone::io::Model::new(network.clone(), Default::default());
    bits.extend(model.to_bytes().unwrap().iter().map(|&byte| u32::from(byte)));
    bits
}

/// The history without the wall-clock times, which differ from run to run.
fn without_times(history: &History) -> History {
    let mut history = history.clone();
    history.epochs.iter_mut().for_each(|record| record.elapsed_seconds = 0.0);
    history
}

fn iris_split() -> (Dataset<f32>, Dataset<f32>) {
    let iris = datasets::iris::<f32>().dataset;
    let fractions = SplitFractions { validation: 0.2, test: 0.0 };
    let parts = split(&iris, fractions, true, &mut seeded_rng(3)).unwrap();
    (parts.train, parts.validation.unwrap())
}

/// A network with every kind of state: dropout (its own generator), batch norm (running
/// statistics) and dense layers.
fn network() -> Network<f32> {
    Network::builder(4)
        .dense(16, Activation::Relu)
        .batch_norm()
        .dropout(0.2)
        .dense(3, Activation::Softmax)
        .build(&mut seeded_rng(1))
        .unwrap()
}

/// Adam with a plateau schedule and early stopping on validation accuracy (patient enough to
/// run every epoch), in batches of 16 with shuffling.
fn adam_trainer<'a>(epochs: usize) -> Trainer<'a, f32> {
    Trainer::new(Adam::default())
        .learning_rate(0.01)
        .epochs(epochs)
        .batch_size(16)
        .metrics(&[Metric::Accuracy])
        .early_stopping(EarlyStopping::new(Monitor::Validation(Metric::Accuracy)).patience(100))
        .schedule(Schedule::ReduceOnPlateau(Plateau { patience: 1, mode: PlateauMode::Maximise, ..Plateau::default() }))
}

#[test]
fn ten_epochs_straight_equal_five_then_a_saved_checkpoint_then_five_more() {
    let (train, validation) = iris_split();
    let mut straight = network();
    let straight_history = adam_trainer(10).fit(&mut straight, &train, Some(&validation), &mut seeded_rng(7)).unwrap();

    // The first run is asked for 10 epochs and stopped (as Ctrl-C would) after the fifth.
    let path = folder("adam").join("checkpoint.safetensors");
    let stop = Arc::new(AtomicBool::new(false));
    let mut first = network();
    let first_history = adam_trainer(10)
        .stop_when(Arc::clone(&stop))
        .on_epoch(|record| stop.store(record.epoch == 5, Ordering::Relaxed))
        .checkpoint_every(5, |checkpoint| checkpoint.save(&path))
        .fit(&mut first, &train, Some(&validation), &mut seeded_rng(7))
        .unwrap();
    assert!(first_history.interrupted);
    assert_eq!(first_history.epochs.len(), 5);

    let checkpoint = Checkpoint::<f32>::load(&path).unwrap();
    assert_eq!(checkpoint.epoch, 5);
    let mut resumed = network();
    let resumed_history = adam_trainer(10)
        .continue_for(&mut resumed, Some(checkpoint), 5, &train, Some(&validation), &mut seeded_rng(0))
        .unwrap()
        .history;

    assert_eq!(bits(&resumed), bits(&straight));
    assert_eq!(without_times(&resumed_history), without_times(&straight_history));
    assert!(straight_history.epochs.iter().any(|record| record.learning_rate < 0.01), "the schedule acted");
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn lbfgs_resumes_exactly_from_its_saved_pairs() {
    let (train, validation) = iris_split();
    let net = || {
        Network::builder(4)
            .dense(8, Activation::Tanh)
            .dense(3, Activation::Softmax)
            .build::<f32>(&mut seeded_rng(2))
            .unwrap()
    };
    let trainer = |epochs| Trainer::<f32>::lbfgs(Lbfgs::default()).epochs(epochs);
    let mut straight = net();
    trainer(12).fit(&mut straight, &train, Some(&validation), &mut seeded_rng(4)).unwrap();

    let path = folder("lbfgs").join("checkpoint.safetensors");
    trainer(6)
        .checkpoint_every(3, |checkpoint| checkpoint.save(&path))
        .fit(&mut net(), &train, Some(&validation), &mut seeded_rng(4))
        .unwrap();
    let checkpoint = Checkpoint::<f32>::load(&path).unwrap();
    assert_eq!(checkpoint.epoch, 6);
    assert!(!checkpoint.solver.tensors.is_empty(), "L-BFGS pairs are saved");
    let mut resumed = net();
    trainer(12).continue_for(&mut resumed, Some(checkpoint), 6, &train, Some(&validation), &mut seeded_rng(0)).unwrap();
    assert_eq!(bits(&resumed), bits(&straight));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

/// Trains two epochs with Adam on iris and saves a checkpoint in `folder(name)`; returns its path.
fn saved_checkpoint(name: &str) -> PathBuf {
    let (train, validation) = iris_split();
    let path = folder(name).join("checkpoint.safetensors");
    adam_trainer(2)
        .checkpoint_every(2, |checkpoint| checkpoint.save(&path))
        .fit(&mut network(), &train, Some(&validation), &mut seeded_rng(5))
        .unwrap();
    path
}

#[test]
fn a_checkpoint_that_does_not_fit_is_refused() {
    let (train, validation) = iris_split();
    let path = saved_checkpoint("refused");
    let checkpoint = Checkpoint::<f32>::load(&path).unwrap();

    // Another schedule than the one it was taken with.
    let without_schedule = Trainer::new(Adam::default()).learning_rate(0.01).epochs(4);
    let error = { without_schedule }
        .continue_for(&mut network(), Some(checkpoint.clone()), 2, &train, Some(&validation), &mut seeded_rng(0))
        .unwrap_err();
    assert!(error.to_string().contains("schedule"), "{error}");

    // An optimizer tensor of the wrong length: the file is refused before any update.
    let mut bad = checkpoint.clone();
    bad.solver.tensors[0].1.pop();
    bad.save(&path).unwrap();
    let error = Checkpoint::<f32>::load(&path).unwrap_err().to_string();
    assert!(error.contains("optimizer.exp_avg.0") && error.contains("need"), "{error}");

    // A model file is not a checkpoint, and a checkpoint is not a model.
    let model_path = path.with_file_name("model.safetensors");
    neurone::io::Model::new(network(), Default::default()).save(&model_path).unwrap();
    let error = Checkpoint::<f32>::load(&model_path).unwrap_err().to_string();
    assert!(error.contains("not a neurone checkpoint file"), "{error}");
    checkpoint.save(&path).unwrap();
    let error = neurone::io::Model::<f32>::load(&path).unwrap_err().to_string();
    assert!(error.contains("this is a training checkpoint, not a model"), "{error}");

    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn every_truncation_and_byte_flip_of_a_checkpoint_is_an_error_or_a_checkpoint() {
    let path = saved_checkpoint("damaged");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    for length in 0..bytes.len() {
        assert!(Checkpoint::<f32>::from_bytes(&bytes[..length], "truncated").is_err(), "cut at {length}");
    }
    for index in 0..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[index] ^= 0x5a;
        if let Ok(checkpoint) = Checkpoint::<f32>::from_bytes(&flipped, "flipped") {
            checkpoint.to_bytes().unwrap();
        }
    }
}

#[test]
fn continued_one_epoch_at_a_time_keeping_one_record_early_stopping_ends_where_it_would() {
    let (train, validation) = iris_split();
    let trainer = || {
        Trainer::new(Adam::default())
            .learning_rate(0.05)
            .epochs(60)
            .batch_size(16)
            .early_stopping(EarlyStopping::new(Monitor::ValidationLoss).patience(3))
            .schedule(Schedule::Cosine { epochs: None, min_learning_rate: 0.0, warmup_epochs: 2 })
    };
    let mut straight = network();
    let straight_history = trainer().fit(&mut straight, &train, Some(&validation), &mut seeded_rng(7)).unwrap();
    assert!(straight_history.stopped_early, "the comparison needs a training that stops early");

    let (mut continued, mut rng, mut checkpoint) = (network(), seeded_rng(7), None);
    let mut records = Vec::new();
    let end = loop {
        let mut trainer = trainer().keep_records(1).on_epoch(|record| records.push(record.clone()));
        let end = trainer.continue_for(&mut continued, checkpoint, 1, &train, Some(&validation), &mut rng).unwrap();
        drop(trainer);
        if end.history.stopped_early || end.epoch == 60 {
            break end;
        }
        checkpoint = Some(end);
    };
    assert_eq!(bits(&continued), bits(&straight));
    assert_eq!(end.epoch, straight_history.epochs.len());
    assert_eq!(end.history.epochs.len(), 1, "one record kept");
    let straight_records = without_times(&straight_history).epochs;
    assert_eq!(without_times(&History { epochs: records, ..History::default() }).epochs, straight_records);
    // The best epoch is still named; its record is found only while it is kept.
    assert_eq!(end.history.best_epoch, straight_history.best_epoch);
    let best = straight_history.best().unwrap();
    assert_eq!(best.epoch, straight_history.best_epoch.unwrap());
    assert_eq!(end.history.best().map(|record| record.epoch), end.history.best_epoch.filter(|&best| best == end.epoch));
}

#[test]
fn a_checkpoint_file_without_its_epoch_counts_it_from_the_history() {
    let path = saved_checkpoint("without-epoch");
    let mut bytes = std::fs::read(&path).unwrap();
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    // Files written before the epoch was recorded: the key blanked out, the header's length kept.
    let key = br#"\"epoch\":2,"#;
    let at = bytes.windows(key.len()).position(|window| window == key).expect("the epoch is recorded");
    bytes[at..at + key.len()].fill(b' ');
    let checkpoint = Checkpoint::<f32>::from_bytes(&bytes, "old.safetensors").unwrap();
    assert_eq!((checkpoint.epoch, checkpoint.history.epochs.len()), (2, 2));
}
