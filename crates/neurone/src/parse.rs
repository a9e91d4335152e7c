//! Parsing of names with an optional numeric parameter, like `leaky_relu(0.1)` or `huber(1.5)`.

use crate::Error;

/// Splits `name(argument)` into the name and the parsed argument; a bare name has none.
pub(crate) fn name_and_argument<'t>(what: &str, text: &'t str) -> Result<(&'t str, Option<f64>), Error> {
    let text = text.trim();
    let Some((name, rest)) = text.split_once('(') else {
        return Ok((text, None));
    };
    let malformed = || Error::invalid(what, format!("`{text}` is not of the form name(number)"));
    let argument = rest.strip_suffix(')').ok_or_else(malformed)?;
    let value: f64 = argument.trim().parse().map_err(|_| malformed())?;
    if !value.is_finite() {
        return Err(Error::invalid(what, format!("the parameter of `{text}` must be finite")));
    }
    Ok((name.trim(), Some(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_name_and_argument() {
        assert_eq!(name_and_argument("x", "relu").unwrap(), ("relu", None));
        assert_eq!(name_and_argument("x", " huber( 1.5 ) ").unwrap(), ("huber", Some(1.5)));
        assert!(name_and_argument("x", "huber(1.5").is_err());
        assert!(name_and_argument("x", "huber(abc)").is_err());
        assert!(name_and_argument("x", "huber(inf)").is_err());
    }
}
