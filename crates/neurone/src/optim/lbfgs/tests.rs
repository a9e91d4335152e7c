//! Tests of [`Lbfgs`]: convergence on Rosenbrock and quadratics, the first step replayed by
//! hand, state round trips and errors.

use super::*;
use crate::optim::OptimizerState;

/// The chained Rosenbrock function Σ 100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², minimised at (1, …, 1).
fn rosenbrock(x: &[f64], gradient: &mut [f64]) -> f64 {
    gradient.fill(0.0);
    let mut f = 0.0;
    for i in 0..x.len() - 1 {
        let (valley, offset) = (x[i + 1] - x[i] * x[i], 1.0 - x[i]);
        f += 100.0 * valley * valley + offset * offset;
        gradient[i] += -400.0 * x[i] * valley - 2.0 * offset;
        gradient[i + 1] += 200.0 * valley;
    }
    f
}

/// f(x) = ½ xᵀ A x − bᵀ x with A tridiagonal (4 on the diagonal, 1 beside it: eigenvalues in
/// (2, 6)) and b = A·(1, 2, …, n), so that the minimum is at (1, 2, …, n).
fn quadratic(x: &[f64], gradient: &mut [f64]) -> f64 {
    let n = x.len();
    let times_a =
        |v: &[f64], i: usize| 4.0 * v[i] + if i > 0 { v[i - 1] } else { 0.0 } + if i + 1 < n { v[i + 1] } else { 0.0 };
    let minimum: Vec<f64> = (1..=n).map(|i| i as f64).collect();
    let mut f = 0.0;
    for i in 0..n {
        let (ax, b) = (times_a(x, i), times_a(&minimum, i));
        f += 0.5 * x[i] * ax - b * x[i];
        gradient[i] = ax - b;
    }
    f
}

/// Steps until L-BFGS stops (at most `limit` times); returns the number of steps.
fn run(lbfgs: &mut Lbfgs, x: &mut [f64], objective: fn(&[f64], &mut [f64]) -> f64, limit: usize) -> usize {
    let mut objective = objective;
    for steps in 1..=limit {
        let outcome = lbfgs.step(x, &mut objective).unwrap();
        if outcome.should_stop() {
            assert!(outcome.converged(), "stopped without converging: {outcome:?}");
            return steps;
        }
    }
    panic!("no convergence in {limit} steps");
}

fn tight() -> Lbfgs {
    Lbfgs::default().gradient_tolerance(1e-10).unwrap().change_tolerance(0.0).unwrap()
}

#[test]
fn converges_on_the_two_dimensional_rosenbrock_function() {
    let mut x = [-1.2, 1.0];
    run(&mut tight(), &mut x, rosenbrock, 200);
    assert!(x.iter().all(|x| (x - 1.0).abs() < 1e-6), "{x:?}");
}

#[test]
fn converges_on_the_ten_dimensional_rosenbrock_function() {
    let mut x = [0.0; 10];
    let mut lbfgs = tight();
    run(&mut lbfgs, &mut x, rosenbrock, 500);
    assert!(x.iter().all(|x| (x - 1.0).abs() < 1e-6), "{x:?}");
    assert_eq!(lbfgs.history_len(), 10, "a long run fills the history");
}

#[test]
fn reaches_the_minimum_of_a_convex_quadratic_in_few_more_than_n_iterations() {
    // With near-exact line searches, BFGS on a quadratic ends in n steps (Nocedal & Wright §6.4).
    let n = 8;
    let mut x = vec![0.0; n];
    let mut lbfgs = tight().line_search_curvature(1e-3).unwrap();
    let steps = run(&mut lbfgs, &mut x, quadratic, 100);
    assert!(steps <= n + 3, "{steps} iterations");
    assert!(x.iter().enumerate().all(|(i, x)| (x - (i + 1) as f64).abs() < 1e-8), "{x:?}");
}

#[test]
fn the_first_step_goes_down_the_gradient_and_stores_the_pair() {
    let x0 = [-1.2, 1.0];
    // ∇f(−1.2, 1) written out: ∂f/∂x = −400 x (y − x²) − 2 (1 − x) = −215.6, ∂f/∂y = 200 (y − x²) = −88.
    let gradient0: [f64; 2] = [-400.0 * -1.2 * (1.0 - 1.44) - 2.0 * 2.2, 200.0 * (1.0 - 1.44)];
    assert!((gradient0[0] + 215.6).abs() < 1e-12 && (gradient0[1] + 88.0).abs() < 1e-12);
    let mut lbfgs = Lbfgs::default();
    let mut x = x0;
    let outcome = lbfgs.step(&mut x, &mut rosenbrock).unwrap();
    assert_eq!(lbfgs.direction(), [-gradient0[0], -gradient0[1]]);
    let t = outcome.step_length;
    assert!(t > 0.0);
    assert_eq!(x, [x0[0] - t * gradient0[0], x0[1] - t * gradient0[1]]);
    let mut gradient1 = [0.0; 2];
    assert_eq!(outcome.loss, rosenbrock(&x, &mut gradient1));
    assert!(outcome.loss < 24.2, "f(x0) = 24.2 must decrease");
    assert_eq!(outcome.gradient_norm, gradient1[0].abs().max(gradient1[1].abs()));
    let (s, y) = lbfgs.history(0).unwrap();
    assert_eq!(s, [x[0] - x0[0], x[1] - x0[1]]);
    assert_eq!(y, [gradient1[0] - gradient0[0], gradient1[1] - gradient0[1]]);
    assert_eq!((lbfgs.history_len(), lbfgs.iteration_count()), (1, 1));
    assert_eq!(lbfgs.evaluation_count(), outcome.evaluations as u64);
}

#[test]
fn state_round_trips_and_the_restored_solver_continues_identically() {
    let mut lbfgs = Lbfgs::default().history_size(3).unwrap();
    let mut x = [-1.2, 1.0, 0.5];
    for _ in 0..5 {
        lbfgs.step(&mut x, &mut rosenbrock).unwrap();
    }
    let state = lbfgs.state();
    assert_eq!((state.optimizer.as_str(), state.step, state.tensors.len()), ("lbfgs", 5, 6));
    assert_eq!(state.tensors[1].0, "gradient_change.0");
    let mut restored = Lbfgs::default().history_size(3).unwrap();
    restored.load_state(&state).unwrap();
    assert_eq!(restored.state(), state);
    let mut y = x;
    for _ in 0..3 {
        let (a, b) = (lbfgs.step(&mut x, &mut rosenbrock).unwrap(), restored.step(&mut y, &mut rosenbrock).unwrap());
        assert_eq!((a.loss, a.step_length), (b.loss, b.step_length));
        assert_eq!(x, y);
    }
}

#[test]
fn bad_states_are_rejected_and_change_nothing() {
    let mut lbfgs = Lbfgs::default().history_size(2).unwrap();
    let mut x = [-1.2, 1.0];
    for _ in 0..3 {
        lbfgs.step(&mut x, &mut rosenbrock).unwrap();
    }
    let state = lbfgs.state();
    let before = lbfgs.clone();
    let mut check = |state: OptimizerState, message: &str| {
        let error = lbfgs.load_state(&state).unwrap_err().to_string();
        assert!(error.contains(message), "{error}");
        assert_eq!(lbfgs, before);
    };
    check(
        OptimizerState { optimizer: "adam".into(), ..state.clone() },
        "saved by `adam`, cannot be loaded into `lbfgs`",
    );
    let mut longer = state.clone();
    longer.tensors[0].1.push(0.0);
    check(longer, "tensor `parameter_change.0` has 3 values where 2 were expected");
    let mut swapped = state.clone();
    swapped.tensors.swap(0, 1);
    check(swapped, "unexpected tensor `gradient_change.0` where `parameter_change.0` was expected");
    let mut too_many = state.clone();
    too_many.tensors.extend(state.tensors.clone());
    check(too_many, "holds 4 pairs, more than the history size 2");
    let mut odd = state.clone();
    odd.tensors.pop();
    check(odd, "unexpected tensor `parameter_change.1`");
    let mut uphill = state;
    uphill.tensors[1].1.iter_mut().for_each(|y| *y = -*y);
    check(uphill, "has yᵀs ≤ 0");
}

#[test]
fn a_gradient_that_contradicts_the_objective_makes_the_line_search_fail_without_moving() {
    let mut wrong = |x: &[f64], gradient: &mut [f64]| {
        let f = rosenbrock(x, gradient);
        gradient.iter_mut().for_each(|g| *g = -*g);
        f
    };
    let mut x = [-1.2, 1.0];
    let outcome = Lbfgs::default().step(&mut x, &mut wrong).unwrap();
    assert_eq!(outcome.status, LbfgsStatus::LineSearchFailed);
    assert_eq!(x, [-1.2, 1.0]);
}

#[test]
fn a_point_that_already_satisfies_the_tolerance_is_left_alone() {
    let mut x = [1.0, 1.0];
    let outcome = Lbfgs::default().step(&mut x, &mut rosenbrock).unwrap();
    assert!(outcome.converged() && outcome.loss == 0.0 && outcome.step_length == 0.0);
    assert_eq!(x, [1.0, 1.0]);
}

#[test]
fn bad_settings_and_inputs_are_errors() {
    assert_eq!(
        Lbfgs::default().history_size(0).unwrap_err().to_string(),
        "invalid history_size: must be at least 1, got 0"
    );
    let error = Lbfgs::default().max_line_search_evaluations(0).unwrap_err();
    assert_eq!(error.to_string(), "invalid max_line_search_evaluations: must be at least 1, got 0");
    assert!(
        Lbfgs::default().gradient_tolerance(-1.0).unwrap_err().to_string().starts_with("invalid gradient_tolerance")
    );
    let error = Lbfgs::default().line_search_curvature(1.0).unwrap_err();
    assert_eq!(error.to_string(), "invalid line_search_curvature: must be in (0.0001, 1), got 1");
    assert!(
        Lbfgs::default().change_tolerance(f64::NAN).unwrap_err().to_string().starts_with("invalid change_tolerance")
    );
    let mut lbfgs = Lbfgs::default();
    lbfgs.step(&mut [0.0, 0.0], &mut rosenbrock).unwrap();
    let error = lbfgs.step(&mut [0.0, 0.0, 0.0], &mut rosenbrock).unwrap_err();
    assert_eq!(error.to_string(), "shape mismatch: L-BFGS was started on 2 parameters, not 3");
    let error = Lbfgs::default().step(&mut [f64::NAN, 0.0], &mut rosenbrock).unwrap_err();
    assert!(error.to_string().starts_with("invalid objective: f or ∇f is not finite"), "{error}");
}

#[test]
fn stops_at_the_step_that_goes_past_max_evaluations_without_converging() {
    // Rosenbrock from (−1.2, 1) takes some forty evaluations to converge: 15 end it early.
    let mut lbfgs = tight().max_evaluations(15).unwrap();
    let (mut x, mut objective) = ([-1.2, 1.0], rosenbrock as fn(&[f64], &mut [f64]) -> f64);
    let (before, last) = loop {
        let before = lbfgs.evaluation_count();
        let outcome = lbfgs.step(&mut x, &mut objective).unwrap();
        if outcome.should_stop() {
            break (before, outcome);
        }
        assert!(lbfgs.evaluation_count() <= 15);
    };
    assert_eq!(last.status, LbfgsStatus::EvaluationLimit);
    assert!(before <= 15 && lbfgs.evaluation_count() > 15, "{before} then {}", lbfgs.evaluation_count());
    assert!(Lbfgs::default().max_evaluations(0).unwrap_err().to_string().starts_with("invalid max_evaluations"));
}
