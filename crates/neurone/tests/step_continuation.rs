//! Continuing by gradient steps: a training continued one step at a time (or in stretches that
//! stop mid-epoch, through a checkpoint file or not) gives the bits of the uninterrupted run: the
//! weights, every epoch's record, the optimizer's state and the checkpoint of its end.

use neurone::data::{SplitFractions, split};
use neurone::optim::{Plateau, PlateauMode, RpropSettings};
use neurone::train::EpochInProgress;
use neurone::{
    Activation, Adam, Checkpoint, Dataset, EarlyStopping, EpochRecord, Lbfgs, Metric, Monitor, Network, Rprop,
    Schedule, Sgd, Stretch, Trainer, datasets, seeded_rng,
};

/// Every parameter's bits, in order.
fn bits(network: &Network<f32>) -> Vec<u32> {
    network.parameters().flat_map(|(_, parameter)| parameter.value).map(|w| w.to_bits()).collect()
}

fn iris_split() -> (Dataset<f32>, Dataset<f32>) {
    let iris = datasets::iris::<f32>().dataset;
    let parts = split(&iris, SplitFractions { validation: 0.2, test: 0.0 }, true, &mut seeded_rng(3)).unwrap();
    (parts.train, parts.validation.unwrap())
}

/// Dropout (its own generator) and dense layers.
fn network() -> Network<f32> {
    Network::builder(4)
        .dense(8, Activation::Tanh)
        .dropout(0.2)
        .dense(3, Activation::Softmax)
        .build(&mut seeded_rng(1))
        .unwrap()
}

/// Adam with a plateau schedule and early stopping on validation accuracy, shuffled.
fn trainer<'a>(batch_size: usize, epochs: usize) -> Trainer<'a, f32> {
    Trainer::new(Adam::default())
        .learning_rate(0.01)
        .epochs(epochs)
        .batch_size(batch_size)
        .metrics(&[Metric::Accuracy])
        .schedule(Schedule::ReduceOnPlateau(Plateau { patience: 1, mode: PlateauMode::Maximise, ..Plateau::default() }))
        .early_stopping(EarlyStopping::new(Monitor::Validation(Metric::Accuracy)).patience(1000))
}

/// Records without their wall-clock times, which differ from run to run.
fn timeless(mut records: Vec<EpochRecord>) -> Vec<EpochRecord> {
    records.iter_mut().for_each(|record| record.elapsed_seconds = 0.0);
    records
}

/// Continues the training in stretches of `steps` (cycled, the last cut short) until `epochs`
/// epochs are done, through a saved and loaded checkpoint file when `through_files`; returns the
/// network, every record handed to `on_epoch`, and the last checkpoint.
fn in_steps(
    batch_size: usize,
    epochs: usize,
    steps: &[u64],
    through_files: bool,
) -> (Network<f32>, Vec<EpochRecord>, Checkpoint<f32>) {
    let (train, validation) = iris_split();
    let (mut network, mut rng, mut checkpoint) = (network(), seeded_rng(7), None);
    let mut records = Vec::new();
    let mut steps_left = (epochs * train.len().div_ceil(batch_size)) as u64;
    for &more in steps.iter().cycle() {
        let more = more.min(steps_left);
        steps_left -= more;
        let mut trainer = trainer(batch_size, epochs).keep_records(1).on_epoch(|record| records.push(record.clone()));
        let end = trainer
            .continue_for(&mut network, checkpoint, Stretch::Steps(more), &train, Some(&validation), &mut rng)
            .unwrap();
        drop(trainer);
        if steps_left == 0 {
            return (network, records, end);
        }
        checkpoint = Some(if through_files {
            Checkpoint::from_bytes(&end.to_bytes().unwrap(), "mid-epoch.safetensors").unwrap()
        } else {
            end
        });
    }
    unreachable!("the cycle ends at the last epoch")
}

#[test]
fn single_steps_give_the_bits_of_one_run_at_every_batch_size() {
    let (train, validation) = iris_split();
    // 120 training samples: batches of 1, 7 (a last one of 1), 16 (of 8), 50 (of 20), 120.
    for batch_size in [1, 7, 16, 50, 120] {
        let epochs = 4;
        let mut straight = network();
        let mut trainer = trainer(batch_size, epochs);
        let history = trainer.fit(&mut straight, &train, Some(&validation), &mut seeded_rng(7)).unwrap();
        let straight_state = trainer.solver().state();

        let (stepped, records, end) = in_steps(batch_size, epochs, &[1], false);
        assert_eq!(bits(&stepped), bits(&straight), "batch size {batch_size}");
        assert_eq!(timeless(records), timeless(history.epochs.clone()), "batch size {batch_size}");
        assert_eq!(end.solver, straight_state, "batch size {batch_size}");
        assert_eq!(end.solver.step, (epochs * train.len().div_ceil(batch_size)) as u64);
        assert_eq!((end.epoch, end.epoch_in_progress), (epochs, None));
    }
}

#[test]
fn stretches_across_epoch_ends_through_checkpoint_files_give_the_same_bits() {
    // 120 samples in batches of 16: 8 steps an epoch; stretches of 3, 5, 11 and 2 steps stop
    // mid-epoch, at an epoch's end and across several epochs.
    let (train, validation) = iris_split();
    let mut straight = network();
    let history = trainer(16, 6).fit(&mut straight, &train, Some(&validation), &mut seeded_rng(7)).unwrap();
    let (stepped, records, end) = in_steps(16, 6, &[3, 5, 11, 2], true);
    assert_eq!(bits(&stepped), bits(&straight));
    assert_eq!(timeless(records), timeless(history.epochs));
    assert_eq!((end.epoch, end.solver.step, end.epoch_in_progress), (6, 6 * 8, None));
}

#[test]
fn a_paused_epoch_is_recorded_when_it_ends_and_its_checkpoint_says_where_it_stands() {
    let (train, validation) = iris_split();
    let (mut network, mut rng) = (network(), seeded_rng(7));
    let mut records = 0;
    let mut counting = trainer(50, 10).on_epoch(|_| records += 1);
    // 120 samples in batches of 50: two steps stand at 100 samples of the first epoch.
    let paused =
        counting.continue_for(&mut network, None, Stretch::Steps(2), &train, Some(&validation), &mut rng).unwrap();
    drop(counting);
    assert_eq!((records, paused.epoch, paused.history.epochs.len()), (0, 0, 0));
    let epoch = paused.epoch_in_progress.clone().unwrap();
    assert_eq!(epoch.samples, 100);
    let mut order = epoch.order.clone();
    order.sort_unstable();
    assert_eq!(order, (0..120).collect::<Vec<_>>(), "the epoch's order visits every sample once");

    // The next batch is the order's rest, as the trainer says; one epoch finishes this one.
    let next = trainer(50, 10).next_batch(Some(&paused), &rng, train.len());
    assert_eq!(next, epoch.order[100..]);
    let ended =
        trainer(50, 10).continue_for(&mut network, Some(paused), 1, &train, Some(&validation), &mut rng).unwrap();
    assert_eq!((ended.epoch, ended.solver.step, ended.epoch_in_progress), (1, 3, None));
}

#[test]
fn the_next_batch_is_the_one_the_next_step_takes() {
    // Plain SGD without dropout: one step on the batch the trainer names is W − η ∂J/∂W on it.
    let mut rng = seeded_rng(5);
    let data = datasets::sine::<f32>(40, &mut rng);
    let start: Network<f32> =
        Network::builder(1).dense(6, Activation::Tanh).dense(1, Activation::Identity).build(&mut rng).unwrap();
    let trainer = || Trainer::new(Sgd::default()).learning_rate(0.1).batch_size(7);
    let (mut network, mut checkpoint) = (start.clone(), None);
    // Steps 1, 2 and 6 of the first epoch (the last, of 5 samples) and the first of the second.
    for step in 0..8 {
        let next = trainer().next_batch(checkpoint.as_ref(), &rng, data.len());
        let mut by_hand = network.clone();
        let batch = data.subset(&next).unwrap();
        let mut plain = Trainer::new(Sgd::default()).learning_rate(0.1).batch_size(next.len()).shuffle(false);
        plain.continue_for(&mut by_hand, None, Stretch::Steps(1), &batch, None, &mut seeded_rng(0)).unwrap();
        let end = trainer().continue_for(&mut network, checkpoint, Stretch::Steps(1), &data, None, &mut rng).unwrap();
        assert_eq!(bits(&network), bits(&by_hand), "step {step}: batch {next:?}");
        assert_eq!(next.len(), if step == 5 { 5 } else { 7 });
        checkpoint = Some(end);
    }
}

#[test]
fn a_full_batch_solver_s_step_is_an_epoch() {
    let (train, _) = iris_split();
    let net = || Network::builder(4).dense(5, Activation::Tanh).dense(3, Activation::Softmax).build(&mut seeded_rng(2));
    for solver in ["lbfgs", "rprop"] {
        let trainer = || match solver {
            "lbfgs" => Trainer::lbfgs(Lbfgs::default()).epochs(6),
            _ => Trainer::with_solver(Rprop::<f32>::new(RpropSettings::default()).unwrap()).epochs(6),
        };
        let mut straight = net().unwrap();
        trainer().fit(&mut straight, &train, None, &mut seeded_rng(4)).unwrap();
        let (mut stepped, mut rng, mut checkpoint) = (net().unwrap(), seeded_rng(4), None);
        for _ in 0..3 {
            let end = trainer().continue_for(&mut stepped, checkpoint, Stretch::Steps(2), &train, None, &mut rng);
            checkpoint = Some(end.unwrap());
        }
        let end = checkpoint.unwrap();
        assert_eq!((end.epoch, end.epoch_in_progress), (6, None), "{solver}");
        assert_eq!(bits(&stepped), bits(&straight), "{solver}");
    }
}

#[test]
fn an_epoch_in_progress_that_is_not_this_data_s_is_refused() {
    let (train, validation) = iris_split();
    let (mut network, mut rng) = (network(), seeded_rng(7));
    let paused =
        trainer(16, 4).continue_for(&mut network, None, Stretch::Steps(1), &train, Some(&validation), &mut rng);
    let mut paused = paused.unwrap();
    paused.epoch_in_progress = Some(EpochInProgress { order: vec![0; 120], samples: 16, loss_sum: 0.0 });
    let error = trainer(16, 4)
        .continue_for(&mut network, Some(paused.clone()), 1, &train, Some(&validation), &mut rng)
        .unwrap_err();
    assert_eq!(error.to_string(), "invalid epoch in progress: is not an epoch over the 120 training samples");
    // A shuffled epoch does not go on in a trainer that keeps the data's order.
    paused.epoch_in_progress = Some(EpochInProgress { order: (0..120).rev().collect(), samples: 16, loss_sum: 0.0 });
    let error =
        trainer(16, 4).shuffle(false).continue_for(&mut network, Some(paused), 1, &train, Some(&validation), &mut rng);
    assert!(error.unwrap_err().to_string().contains("shuffle"));
}
