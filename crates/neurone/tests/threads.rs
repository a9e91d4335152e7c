//! The number of threads changes the speed of training, never its bits.

use neurone::{
    Activation, Adagrad, Adam, Dataset, Matrix, Network, Optimizer, RmsProp, Scalar, Sgd, Trainer, seeded_rng,
    set_threads,
};

/// MNIST-shaped data: 784 inputs, 10 one-hot classes, values drawn from the seed.
fn data<S: Scalar>(rows: usize, seed: u64) -> Dataset<S> {
    use rand::RngExt;
    let mut rng = seeded_rng(seed);
    let inputs: Vec<S> = (0..rows * 784).map(|_| S::from_f64(rng.random::<f64>())).collect();
    let targets: Vec<S> =
        (0..rows).flat_map(|row| (0..10).map(move |class| if row % 10 == class { S::ONE } else { S::ZERO })).collect();
    Dataset::new(Matrix::new(rows, 784, inputs).unwrap(), Matrix::new(rows, 10, targets).unwrap()).unwrap()
}

/// The thread count is global: one test at a time sets it and trains.
static THREAD_COUNT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The bits of every parameter after three epochs on `threads` threads.
fn trained_bits(threads: usize) -> Vec<u32> {
    set_threads(threads);
    let train = data(300, 1);
    // 64 × 784 × 400 multiply-adds in the first product: large enough to be split.
    let mut network: Network = Network::builder(784)
        .dense(400, Activation::Relu)
        .dense(40, Activation::Relu)
        .dense(10, Activation::Softmax)
        .build(&mut seeded_rng(2))
        .unwrap();
    Trainer::new(Adam::default())
        .learning_rate(1e-3)
        .epochs(3)
        .batch_size(64)
        .fit(&mut network, &train, None, &mut seeded_rng(3))
        .unwrap();
    network.parameters().flat_map(|(_, parameter)| parameter.value).map(|value| value.to_bits()).collect()
}

#[test]
fn training_on_one_two_or_three_threads_gives_the_same_bits() {
    let _alone = THREAD_COUNT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let one = trained_bits(1);
    assert_eq!(trained_bits(2), one, "2 threads");
    assert_eq!(trained_bits(3), one, "3 threads");
    set_threads(1);
}

/// Every parameter, as f64 bits (exact for f32 too), after two epochs with `optimizer` on
/// `threads` threads, through batch norm and dropout. The first weight matrix holds
/// 784 × 43 = 33,712 values (not a multiple of 3), more than the 2^15 from which an optimizer's update is split
/// among the threads; its product, 64 × 784 × 43, is split too (in f32).
fn bits_through_every_layer_kind<S: Scalar>(threads: usize, optimizer: impl Optimizer<S>) -> Vec<u64> {
    set_threads(threads);
    let train = data::<S>(128, 4);
    let mut network: Network<S> = Network::builder(784)
        .dense(43, Activation::Tanh)
        .batch_norm()
        .dropout(0.25)
        .dense(10, Activation::Softmax)
        .loss(neurone::Loss::CategoricalCrossEntropy)
        .build(&mut seeded_rng(5))
        .unwrap();
    assert!(network.layers()[0].parameter_count() >= 1 << 15);
    Trainer::new(optimizer)
        .learning_rate(1e-2)
        .epochs(2)
        .batch_size(64)
        .fit(&mut network, &train, None, &mut seeded_rng(6))
        .unwrap();
    network.parameters().flat_map(|(_, parameter)| parameter.value).map(|value| value.to_f64().to_bits()).collect()
}

/// One optimizer of each kind that splits its update or keeps per-value buffers.
fn optimizers<S: Scalar>() -> Vec<(&'static str, Box<dyn Optimizer<S>>)> {
    vec![
        ("sgd with momentum", Box::new(Sgd::default().momentum(0.9).unwrap().nesterov(true).unwrap())),
        ("rmsprop", Box::new(RmsProp::default().momentum(0.5).unwrap().centered(true))),
        ("adagrad", Box::new(Adagrad::default())),
        ("adam", Box::new(Adam::default())),
    ]
}

fn same_bits_on_one_two_or_three_threads<S: Scalar>(precision: &str) {
    let _alone = THREAD_COUNT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for (index, (name, optimizer)) in optimizers::<S>().into_iter().enumerate() {
        let one = bits_through_every_layer_kind::<S>(1, optimizer);
        for threads in [2, 3] {
            let (_, optimizer) = optimizers::<S>().swap_remove(index);
            let bits = bits_through_every_layer_kind::<S>(threads, optimizer);
            assert!(bits == one, "{name} in {precision}: {threads} threads give other bits");
        }
    }
    set_threads(1);
}

#[test]
fn batch_norm_dropout_and_every_optimizer_give_the_same_bits_on_any_thread_count_in_f32() {
    same_bits_on_one_two_or_three_threads::<f32>("f32");
}

#[test]
fn batch_norm_dropout_and_every_optimizer_give_the_same_bits_on_any_thread_count_in_f64() {
    same_bits_on_one_two_or_three_threads::<f64>("f64");
}
