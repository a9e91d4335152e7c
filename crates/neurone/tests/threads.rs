//! The number of threads changes the speed of training, never its bits.

use neurone::{Activation, Adam, Dataset, Matrix, Network, Trainer, seeded_rng, set_threads};

/// MNIST-shaped data: 784 inputs, 10 one-hot classes, values drawn from the seed.
fn data(rows: usize, seed: u64) -> Dataset<f32> {
    use rand::RngExt;
    let mut rng = seeded_rng(seed);
    let inputs: Vec<f32> = (0..rows * 784).map(|_| rng.random::<f32>()).collect();
    let targets: Vec<f32> =
        (0..rows).flat_map(|row| (0..10).map(move |class| f32::from(u8::from(row % 10 == class)))).collect();
    Dataset::new(Matrix::new(rows, 784, inputs).unwrap(), Matrix::new(rows, 10, targets).unwrap()).unwrap()
}

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
    let one = trained_bits(1);
    assert_eq!(trained_bits(2), one, "2 threads");
    assert_eq!(trained_bits(3), one, "3 threads");
    set_threads(1);
}
