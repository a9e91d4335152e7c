//! The distributions a random search draws each setting from.

use rand::RngExt;

use crate::{Error, Rng};

/// Where a random search draws a setting from: a number uniform on an interval, a number whose
/// logarithm is uniform (for scales such as a learning rate or an L2 coefficient), or one of a
/// list of values.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution<T> {
    /// Uniform on [low, high).
    Uniform {
        /// The smallest value.
        low: f64,
        /// The bound values stay below.
        high: f64,
    },
    /// exp(u) with u uniform on [ln low, ln high), 0 < low < high (scipy's `loguniform`).
    LogUniform {
        /// The smallest value, positive.
        low: f64,
        /// The bound values stay below.
        high: f64,
    },
    /// One of the values, each as likely.
    Choice(Vec<T>),
}

/// A value drawn from a [`Distribution`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sample<'a, T> {
    /// From a uniform or log-uniform distribution.
    Number(f64),
    /// One of a choice's values.
    Choice(&'a T),
}

impl<T> Distribution<T> {
    /// Uniform on [low, high); low < high, both finite.
    pub fn uniform(low: f64, high: f64) -> Result<Self, Error> {
        check_interval(low, high)?;
        Ok(Self::Uniform { low, high })
    }

    /// Log-uniform on [low, high); 0 < low < high, both finite.
    pub fn log_uniform(low: f64, high: f64) -> Result<Self, Error> {
        check_interval(low, high)?;
        if low <= 0.0 {
            return Err(Error::invalid("low", format!("a log-uniform distribution needs 0 < low, got {low}")));
        }
        Ok(Self::LogUniform { low, high })
    }

    /// One of `values`, at least one.
    pub fn choice(values: Vec<T>) -> Result<Self, Error> {
        if values.is_empty() {
            return Err(Error::invalid("choice", "needs at least one value"));
        }
        Ok(Self::Choice(values))
    }

    /// Draws a value.
    pub fn sample(&self, rng: &mut Rng) -> Sample<'_, T> {
        match self {
            Self::Uniform { low, high } => Sample::Number(low + (high - low) * rng.random::<f64>()),
            Self::LogUniform { low, high } => {
                let (low, high) = (low.ln(), high.ln());
                Sample::Number((low + (high - low) * rng.random::<f64>()).exp())
            }
            Self::Choice(values) => Sample::Choice(&values[rng.random_range(0..values.len())]),
        }
    }
}

fn check_interval(low: f64, high: f64) -> Result<(), Error> {
    if !(low.is_finite() && high.is_finite() && low < high) {
        return Err(Error::invalid("high", format!("needs finite bounds with low < high, got ({low}, {high})")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeded_rng;

    fn numbers(distribution: &Distribution<()>, count: usize) -> Vec<f64> {
        let mut rng = seeded_rng(3);
        (0..count)
            .map(|_| match distribution.sample(&mut rng) {
                Sample::Number(value) => value,
                Sample::Choice(_) => unreachable!("a number distribution"),
            })
            .collect()
    }

    #[test]
    fn numbers_stay_in_their_interval_and_log_uniform_spreads_over_the_decades() {
        let uniform = numbers(&Distribution::uniform(-1.0, 1.0).unwrap(), 1000);
        assert!(uniform.iter().all(|value| (-1.0..1.0).contains(value)));
        let log = numbers(&Distribution::log_uniform(1e-4, 1.0).unwrap(), 4000);
        assert!(log.iter().all(|value| (1e-4..1.0).contains(value)));
        // A quarter of the draws in each of the four decades.
        let below_1e_3 = log.iter().filter(|&&value| value < 1e-3).count();
        assert!((800..1200).contains(&below_1e_3), "{below_1e_3} of 4000 below 1e-3");
    }

    #[test]
    fn a_choice_draws_every_value() {
        let choice = Distribution::choice(vec!["a", "b", "c"]).unwrap();
        let mut rng = seeded_rng(1);
        let mut seen: Vec<&str> = (0..100)
            .map(|_| match choice.sample(&mut rng) {
                Sample::Choice(value) => *value,
                Sample::Number(_) => unreachable!("a choice"),
            })
            .collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, ["a", "b", "c"]);
    }

    #[test]
    fn bad_bounds_are_errors() {
        let message = |result: Result<Distribution<()>, Error>| result.unwrap_err().to_string();
        assert_eq!(
            message(Distribution::uniform(1.0, 1.0)),
            "invalid high: needs finite bounds with low < high, got (1, 1)"
        );
        assert_eq!(
            message(Distribution::log_uniform(0.0, 1.0)),
            "invalid low: a log-uniform distribution needs 0 < low, got 0"
        );
        assert_eq!(
            message(Distribution::uniform(f64::NAN, 1.0)),
            "invalid high: needs finite bounds with low < high, got (NaN, 1)"
        );
        assert_eq!(message(Distribution::choice(vec![])), "invalid choice: needs at least one value");
    }
}
