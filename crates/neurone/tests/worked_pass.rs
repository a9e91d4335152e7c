//! `docs/worked-pass.md` (and its French twin) computes one forward pass, one backward pass and
//! one SGD step of a 2 → 2 → 1 network by hand. This test reads the pages' `text` blocks, builds
//! the network they describe with neurone, and checks every number they print, so that the
//! pages and the code cannot drift apart.

use std::collections::BTreeMap;
use std::path::Path;

use neurone::optim::Step;
use neurone::{Activation, Init, Matrix, Network, Sgd, seeded_rng};

/// The pages' printed precision: six decimals, rounded.
const PRINTED: f64 = 1e-6;

/// Each line `name … = [numbers]` of the page's `text` blocks: the name (the text before the
/// first ` = `) with the numbers after the last ` = `, in the order they are written.
fn worked_lines(page: &str) -> Vec<(String, Vec<f64>)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs").join(page)).unwrap();
    let mut lines = Vec::new();
    let mut in_text = false;
    for line in text.lines() {
        match line.trim() {
            "```text" => in_text = true,
            "```" => in_text = false,
            line if in_text && !line.is_empty() => {
                let (name, _) = line.split_once(" = ").unwrap_or_else(|| panic!("{page}: no ` = ` in `{line}`"));
                let (_, result) = line.rsplit_once(" = ").unwrap();
                let numbers = result
                    .replace(['[', ']', ','], " ")
                    .split_whitespace()
                    .map(|number| number.parse::<f64>().unwrap_or_else(|_| panic!("{page}: `{number}` in `{line}`")))
                    .collect();
                lines.push((name.to_string(), numbers));
            }
            _ => {}
        }
    }
    lines
}

/// The numbers neurone computes for the network and sample that `given` describes.
fn computed_by_neurone(given: &BTreeMap<String, Vec<f64>>) -> BTreeMap<&'static str, Vec<f64>> {
    let value = |name: &str| given.get(name).unwrap_or_else(|| panic!("the page gives no `{name}`")).clone();
    let (x, y) = (Matrix::new(1, 2, value("x")).unwrap(), Matrix::new(1, 1, value("y")).unwrap());
    let mut network: Network<f64> = Network::builder(2)
        .dense_with_init(2, Activation::Sigmoid, Init::Zeros, Init::Zeros)
        .dense_with_init(1, Activation::Identity, Init::Zeros, Init::Zeros)
        .build(&mut seeded_rng(0))
        .unwrap();
    for (index, layer) in network.layers_mut().iter_mut().enumerate() {
        let dense = layer.as_dense_mut().unwrap();
        dense.weights_mut().copy_from_slice(&value(&format!("W({})", index + 1)));
        dense.bias_mut().copy_from_slice(&value(&format!("b({})", index + 1)));
    }

    let mut numbers = BTreeMap::new();
    let loss = network.compute_gradients(&x, &y).unwrap();
    let (hidden, output) = (network.layers()[0].as_dense().unwrap(), network.layers()[1].as_dense().unwrap());
    numbers.insert("z(1)", hidden.z().to_vec());
    numbers.insert("a(1)", hidden.a().to_vec());
    numbers.insert("z(2)", output.z().to_vec());
    numbers.insert("a(2)", output.a().to_vec());
    numbers.insert("J", vec![loss]);
    numbers.insert("δ(2)", output.delta().to_vec());
    numbers.insert("∂J/∂W(2)", output.weight_gradient().to_vec());
    numbers.insert("∂J/∂b(2)", output.bias_gradient().to_vec());
    // The two halves of δ(1), from neurone's W(2), δ(2) and a(1); δ(1) itself is neurone's.
    let handed_down: Vec<f64> = output.weights().iter().map(|w| w * output.delta()[0]).collect();
    let slope: Vec<f64> = hidden.a().iter().map(|a| a * (1.0 - a)).collect();
    numbers.insert("W(2)ᵀ δ(2)", handed_down);
    numbers.insert("σ'(z(1))", slope);
    numbers.insert("δ(1)", hidden.delta().to_vec());
    numbers.insert("∂J/∂W(1)", hidden.weight_gradient().to_vec());
    numbers.insert("∂J/∂b(1)", hidden.bias_gradient().to_vec());

    let step = Step { number: 1, learning_rate: value("η")[0] };
    network.update(&mut Sgd::default(), step);
    let (hidden, output) = (network.layers()[0].as_dense().unwrap(), network.layers()[1].as_dense().unwrap());
    numbers.insert("W(1) ← W(1) - η ∂J/∂W(1)", hidden.weights().to_vec());
    numbers.insert("b(1) ← b(1) - η ∂J/∂b(1)", hidden.bias().to_vec());
    numbers.insert("W(2) ← W(2) - η ∂J/∂W(2)", output.weights().to_vec());
    numbers.insert("b(2) ← b(2) - η ∂J/∂b(2)", output.bias().to_vec());
    numbers.insert("J(new weights)", vec![network.evaluate(&x, &y).unwrap()]);
    numbers
}

/// What is wrong with the page's `lines`: numbers neurone does not compute, numbers it computes
/// differently, numbers the page leaves out.
fn mismatches(lines: &[(String, Vec<f64>)]) -> Vec<String> {
    let given: BTreeMap<_, _> = lines.iter().cloned().collect();
    let computed = computed_by_neurone(&given);
    let inputs = ["x", "y", "W(1)", "b(1)", "W(2)", "b(2)", "η"];
    let mut wrong = Vec::new();
    for (name, printed) in lines.iter().filter(|(name, _)| !inputs.contains(&name.as_str())) {
        match computed.get(name.as_str()) {
            None => wrong.push(format!("`{name}` is not a number neurone computes")),
            Some(expected) => {
                let close = printed.len() == expected.len()
                    && printed.iter().zip(expected).all(|(printed, expected)| (printed - expected).abs() <= PRINTED);
                if !close {
                    wrong.push(format!("`{name}` prints {printed:?}, neurone computes {expected:?}"));
                }
            }
        }
    }
    wrong.extend(
        computed.keys().filter(|name| !given.contains_key(**name)).map(|name| format!("`{name}` is not shown")),
    );
    wrong
}

#[test]
fn the_english_page_prints_the_numbers_neurone_computes() {
    assert_eq!(mismatches(&worked_lines("worked-pass.md")), Vec::<String>::new());
}

#[test]
fn the_french_page_prints_the_numbers_neurone_computes() {
    assert_eq!(mismatches(&worked_lines("worked-pass.fr.md")), Vec::<String>::new());
}

#[test]
fn a_number_off_by_a_few_millionths_or_left_out_is_caught() {
    let mut lines = worked_lines("worked-pass.md");
    let delta = lines.iter().position(|(name, _)| name == "δ(1)").unwrap();
    lines[delta].1[0] += 3.0 * PRINTED;
    let wrong = mismatches(&lines);
    assert!(wrong.len() == 1 && wrong[0].starts_with("`δ(1)` prints"), "{wrong:?}");
    lines.remove(delta);
    assert_eq!(mismatches(&lines), ["`δ(1)` is not shown"]);
}
