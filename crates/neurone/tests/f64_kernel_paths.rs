//! Every instruction set this CPU runs trains the same f64 networks, bit for bit: the Python
//! package's float64 fits (iris's, the sine's and digits' shapes) and a network whose products
//! are split across two threads and sliced along their depth. The set is chosen once per process
//! (`NEURONE_KERNELS`), so the test runs itself once per set and compares what each run prints.

use neurone::{Activation, Adam, Dataset, InstructionSet, Loss, Matrix, Network, Optimizer, Sgd, Trainer, seeded_rng};

/// Set in the runs the test starts, each with its instruction set.
const CHILD: &str = "NEURONE_F64_KERNEL_PATHS_CHILD";

/// `rows` samples of `inputs` values drawn from the seed, and `outputs` one-hot classes (or,
/// for one output, a sine of the first input).
fn data(rows: usize, (inputs, outputs): (usize, usize), seed: u64) -> Dataset<f64> {
    use rand::RngExt;
    let mut rng = seeded_rng(seed);
    let x: Vec<f64> = (0..rows * inputs).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
    let y: Vec<f64> = (0..rows)
        .flat_map(|row| {
            let first = x[row * inputs];
            (0..outputs).map(move |class| match outputs {
                1 => (3.0 * first).sin(),
                _ => f64::from(u8::from(row % outputs == class)),
            })
        })
        .collect();
    Dataset::new(Matrix::new(rows, inputs, x).unwrap(), Matrix::new(rows, outputs, y).unwrap()).unwrap()
}

/// Every parameter's bits after training `network` on `train` for a few epochs.
fn trained(mut network: Network<f64>, optimizer: impl Optimizer<f64>, train: &Dataset<f64>, batch: usize) -> Vec<u64> {
    Trainer::new(optimizer)
        .learning_rate(1e-2)
        .epochs(3)
        .batch_size(batch)
        .fit(&mut network, train, None, &mut seeded_rng(7))
        .unwrap();
    network.parameters().flat_map(|(_, parameter)| parameter.value).map(|value| value.to_bits()).collect()
}

/// The four trainings' parameters, as one line of hexadecimal bits.
fn every_training() -> String {
    let rng = &mut seeded_rng(3);
    let iris = Network::builder(4).dense(100, Activation::Relu).dense(3, Activation::Softmax).build(rng).unwrap();
    let sine = Network::builder(1)
        .dense(16, Activation::Tanh)
        .dense(16, Activation::Tanh)
        .dense(1, Activation::Identity)
        .loss(Loss::MeanSquaredError)
        .build(rng)
        .unwrap();
    let digits = Network::builder(64)
        .dense(64, Activation::Relu)
        .dense(32, Activation::Relu)
        .dense(10, Activation::Softmax)
        .build(rng)
        .unwrap();
    // 64 × 600 × 300 multiply-adds: split across the threads, and in three depth slices of 200.
    let wide = Network::builder(600).dense(300, Activation::Sigmoid).dense(10, Activation::Softmax).build(rng).unwrap();
    neurone::set_threads(2);
    let bits = [
        trained(iris, Adam::default(), &data(150, (4, 3), 1), 150),
        trained(sine, Sgd::default(), &data(200, (1, 1), 2), 16),
        trained(digits, Adam::default(), &data(300, (64, 10), 3), 32),
        trained(wide, Adam::default(), &data(128, (600, 10), 4), 64),
    ];
    bits.iter().flatten().map(|bits| format!("{bits:016x}")).collect()
}

#[test]
fn every_instruction_set_trains_the_same_f64_networks() {
    if std::env::var_os(CHILD).is_some() {
        // (On a line of its own: the test harness has written the test's name before it.)
        println!("\nbits {}", every_training());
        return;
    }
    let sets: Vec<InstructionSet> = InstructionSet::available().collect();
    let trained_with = |set: InstructionSet| {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "every_instruction_set_trains_the_same_f64_networks", "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .env("NEURONE_KERNELS", set.name())
            .output()
            .unwrap();
        assert!(output.status.success(), "{set}: {}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8(output.stdout).unwrap();
        stdout.lines().find_map(|line| line.strip_prefix("bits ")).expect("the run prints its bits").to_owned()
    };
    let reference = trained_with(sets[0]);
    assert!(reference.len() > 16 * 1000, "{} values", reference.len() / 16);
    for &set in &sets[1..] {
        assert!(trained_with(set) == reference, "f64: {set} trained other parameters than {}", sets[0]);
    }
}
