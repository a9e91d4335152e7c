//! Activations, initialisers, losses and monitors are written as their text
//! (`"leaky_relu(0.2)"`, `"he_normal"`, `"val_accuracy"`) in every format: serialised with
//! `Display`, read back with `FromStr`.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Activation, Error, Init, Loss, Monitor};

macro_rules! serde_as_text {
    ($($type:ty),*) => {$(
        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(|error: Error| D::Error::custom(reason(error)))
            }
        }
    )*};
}

serde_as_text!(Activation, Init, Loss, Monitor);

/// The format already places the value ("unknown activation …" at a line and column, or under
/// a key): keep only what is wrong with it.
fn reason(error: Error) -> String {
    match error {
        Error::InvalidParameter { reason, .. } => reason,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Metric;

    #[test]
    fn values_are_written_as_their_text_and_read_back() {
        let activation = Activation::LeakyRelu { slope: 0.2 };
        assert_eq!(serde_json::to_string(&activation).unwrap(), "\"leaky_relu(0.2)\"");
        assert_eq!(serde_json::from_str::<Activation>("\"leaky_relu(0.2)\"").unwrap(), activation);
        assert_eq!(serde_json::from_str::<Monitor>("\"val_accuracy\"").unwrap(), Monitor::Validation(Metric::Accuracy));
        let error = serde_json::from_str::<Loss>("\"msee\"").unwrap_err().to_string();
        assert!(error.starts_with("unknown loss `msee`"), "{error}");
    }
}
