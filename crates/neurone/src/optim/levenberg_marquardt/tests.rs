use super::*;

/// e = A x − b for a fixed 3 × 2 matrix A: a linear problem, whose Gauss–Newton step is exact.
struct Linear {
    a: [[f64; 2]; 3],
    b: [f64; 3],
    /// Multiplies the Jacobian it reports: −1 makes every step go uphill.
    jacobian_sign: f64,
    ridge: Vec<f64>,
}

impl Linear {
    fn new() -> Self {
        Self { a: [[1.0, 2.0], [3.0, -1.0], [0.5, 1.0]], b: [1.0, 2.0, -1.0], jacobian_sign: 1.0, ridge: Vec::new() }
    }
}

impl LeastSquares for Linear {
    fn residual_count(&self) -> usize {
        3
    }
    fn residuals(&mut self, x: &[f64], e: &mut [f64]) {
        for (i, e) in e.iter_mut().enumerate() {
            *e = self.a[i][0] * x[0] + self.a[i][1] * x[1] - self.b[i];
        }
    }
    fn jacobian(&mut self, x: &[f64], e: &mut [f64], j: &mut [f64]) {
        self.residuals(x, e);
        for (row, a) in j.chunks_exact_mut(2).zip(&self.a) {
            row.copy_from_slice(&[self.jacobian_sign * a[0], self.jacobian_sign * a[1]]);
        }
    }
    fn ridge(&self) -> &[f64] {
        &self.ridge
    }
}

/// x − (AᵀA + (μ + λ) I)⁻¹ (Aᵀ(Ax − b) + λx), by Cramer's rule on the 2 × 2 system.
fn expected_step(problem: &Linear, x: [f64; 2], mu: f64, lambda: f64) -> [f64; 2] {
    let mut m = [[mu + lambda, 0.0], [0.0, mu + lambda]];
    let mut g = [lambda * x[0], lambda * x[1]];
    for (a, b) in problem.a.iter().zip(problem.b) {
        let e = a[0] * x[0] + a[1] * x[1] - b;
        for r in 0..2 {
            g[r] += a[r] * e;
            for c in 0..2 {
                m[r][c] += a[r] * a[c];
            }
        }
    }
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    let delta = [(g[0] * m[1][1] - m[0][1] * g[1]) / det, (m[0][0] * g[1] - m[1][0] * g[0]) / det];
    [x[0] - delta[0], x[1] - delta[1]]
}

#[test]
fn a_step_is_the_damped_gauss_newton_step_and_lowers_the_damping() {
    let mut problem = Linear::new();
    let mut solver = LevenbergMarquardt::default();
    let mut x = [0.5, -0.25];
    let outcome = solver.step(&mut x, &mut problem).unwrap();
    let expected = expected_step(&problem, [0.5, -0.25], 1e-3, 0.0);
    assert!(x.iter().zip(expected).all(|(x, e)| (x - e).abs() < 1e-13), "{x:?} vs {expected:?}");
    assert_eq!(outcome.status, LevenbergMarquardtStatus::Progress);
    assert_eq!((outcome.solves, solver.damping()), (1, 1e-3 * 0.1));
    let mut e = [0.0; 3];
    problem.residuals(&x, &mut e);
    assert_eq!(outcome.loss, half_sum_of_squares(&e));
}

#[test]
fn a_ridge_term_enters_the_gradient_and_the_matrix() {
    let mut problem = Linear { ridge: vec![0.3, 0.3], ..Linear::new() };
    let mut x = [0.5, -0.25];
    let outcome = LevenbergMarquardt::default().step(&mut x, &mut problem).unwrap();
    let expected = expected_step(&problem, [0.5, -0.25], 1e-3, 0.3);
    assert!(x.iter().zip(expected).all(|(x, e)| (x - e).abs() < 1e-13), "{x:?} vs {expected:?}");
    assert!((outcome.loss - outcome.residual_loss - 0.15 * (x[0] * x[0] + x[1] * x[1])).abs() < 1e-15);
}

#[test]
fn the_linear_problem_converges_to_its_least_squares_solution() {
    let mut problem = Linear::new();
    let mut solver = LevenbergMarquardt::default();
    let mut x = [3.0, 3.0];
    let mut steps = 0;
    while !solver.step(&mut x, &mut problem).unwrap().should_stop() {
        steps += 1;
        assert!(steps < 50);
    }
    // The normal equations AᵀA x = Aᵀb: [[10.25, −0.5], [−0.5, 6]] x = [6.5, −1].
    let solution = [(6.5 * 6.0 - 0.5) / 61.25, (-10.25 + 0.5 * 6.5) / 61.25];
    assert!(x.iter().zip(solution).all(|(x, s)| (x - s).abs() < 1e-9), "{x:?} vs {solution:?}");
}

#[test]
fn steps_that_raise_the_loss_are_retried_with_more_damping_until_its_bound() {
    let mut problem = Linear { jacobian_sign: -1.0, ..Linear::new() };
    let settings = LevenbergMarquardtSettings { max_damping: 1e3, ..Default::default() };
    let mut solver = LevenbergMarquardt::with_settings(settings).unwrap();
    let mut x = [0.5, -0.25];
    let outcome = solver.step(&mut x, &mut problem).unwrap();
    assert_eq!(outcome.status, LevenbergMarquardtStatus::DampingLimit);
    // μ = 10⁻³, 10⁻², …, 10³ all tried: 7 solves, then μ = 10⁴ is past the bound.
    assert_eq!(outcome.solves, 7);
    assert!((solver.damping() - 1e4).abs() < 1e-8);
    assert_eq!(x, [0.5, -0.25], "a refused step leaves x as it was");
}

#[test]
fn its_state_round_trips_and_bad_ones_are_refused() {
    let mut solver = LevenbergMarquardt::default();
    solver.step(&mut [0.5, -0.25], &mut Linear::new()).unwrap();
    let state = solver.state();
    let mut resumed = LevenbergMarquardt::default();
    resumed.load_state(&state).unwrap();
    assert_eq!((resumed.damping(), resumed.iteration_count()), (1e-4, 1));
    let mut bad = state;
    bad.tensors[0].1[0] = -1.0;
    let error = resumed.load_state(&bad).unwrap_err().to_string();
    assert_eq!(error, "invalid optimizer state: levenberg_marquardt keeps one positive `damping` value");
}

#[test]
fn bad_settings_are_refused_naming_the_setting() {
    let error = |settings: LevenbergMarquardtSettings| settings.validate().unwrap_err().to_string();
    let defaults = LevenbergMarquardtSettings::default();
    assert_eq!(
        error(LevenbergMarquardtSettings { damping_decrease: 1.0, ..defaults }),
        "invalid damping_decrease: must be in (0, 1), got 1"
    );
    assert_eq!(
        error(LevenbergMarquardtSettings { damping_increase: 0.5, ..defaults }),
        "invalid damping_increase: must be greater than 1, got 0.5"
    );
    assert_eq!(
        error(LevenbergMarquardtSettings { max_damping: 1e-4, ..defaults }),
        "invalid max_damping: must be at least initial_damping (0.001), got 0.0001"
    );
    assert!(
        error(LevenbergMarquardtSettings { initial_damping: 0.0, ..defaults }).starts_with("invalid initial_damping")
    );
}
