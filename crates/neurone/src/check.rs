//! The range checks of every setting (optimizers, schedules, layers, penalties, training loop):
//! each names the parameter at fault, so an error reads like `invalid beta1: must be in [0, 1),
//! got 1.5`, and a front end maps that name to its own (a TOML position, a keyword argument).
//! Front ends check their own settings (a data section, say) with the same functions.

use crate::Error;

/// A learning rate must be a positive, finite number.
pub fn check_learning_rate(learning_rate: f64) -> Result<(), Error> {
    check_positive("learning_rate", learning_rate)
}

/// `value > 0` and finite.
pub fn check_positive(parameter: &str, value: f64) -> Result<(), Error> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid(parameter, format!("must be a positive number, got {value}")))
    }
}

/// `value ≥ 0` and finite.
pub fn check_non_negative(parameter: &str, value: f64) -> Result<(), Error> {
    if value >= 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid(parameter, format!("must be a non-negative number, got {value}")))
    }
}

/// `0 ≤ value < 1`: decay rates such as β1, β2, α and momentum μ.
pub fn check_unit_interval(parameter: &str, value: f64) -> Result<(), Error> {
    if (0.0..1.0).contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(parameter, format!("must be in [0, 1), got {value}")))
    }
}

/// `value ≥ minimum`: counts such as epochs, batch sizes and patience.
pub fn check_at_least(parameter: &str, value: usize, minimum: usize) -> Result<(), Error> {
    if value >= minimum {
        Ok(())
    } else {
        Err(Error::invalid(parameter, format!("must be at least {minimum}, got {value}")))
    }
}

/// `0 < value ≤ 1`: multiplicative decay factors such as a schedule's γ.
pub fn check_decay_factor(parameter: &str, value: f64) -> Result<(), Error> {
    if value > 0.0 && value <= 1.0 {
        Ok(())
    } else {
        Err(Error::invalid(parameter, format!("must be in (0, 1], got {value}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_check_names_the_parameter_and_the_bad_value() {
        let message = |result: Result<(), Error>| result.unwrap_err().to_string();
        assert_eq!(message(check_learning_rate(0.0)), "invalid learning_rate: must be a positive number, got 0");
        assert_eq!(message(check_positive("epsilon", f64::NAN)), "invalid epsilon: must be a positive number, got NaN");
        assert_eq!(
            message(check_non_negative("weight_decay", -1.0)),
            "invalid weight_decay: must be a non-negative number, got -1"
        );
        assert_eq!(message(check_unit_interval("beta1", 1.5)), "invalid beta1: must be in [0, 1), got 1.5");
        assert_eq!(message(check_unit_interval("beta2", 1.0)), "invalid beta2: must be in [0, 1), got 1");
        assert_eq!(message(check_decay_factor("gamma", 0.0)), "invalid gamma: must be in (0, 1], got 0");
        assert!(check_unit_interval("beta1", 0.0).is_ok() && check_decay_factor("gamma", 1.0).is_ok());
        assert!(check_non_negative("weight_decay", 0.0).is_ok());
        assert_eq!(message(check_at_least("epochs", 0, 1)), "invalid epochs: must be at least 1, got 0");
        assert!(check_at_least("grid_points", 2, 2).is_ok());
    }
}
