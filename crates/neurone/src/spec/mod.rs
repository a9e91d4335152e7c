//! What a user chooses, as plain data: the network ([`NetworkSpec`]) and its training
//! ([`TrainingSpec`], with its [`OptimizerSpec`]), and the defaults that depend on the
//! [`Task`].
//!
//! Every front end (the command line's TOML files, the Python package's keyword arguments, the
//! browser's JSON) describes networks and training with these types: each option, its default
//! and its check are written here, once. The types (de)serialise with serde; `validate`
//! returns [`Error::InvalidParameter`](crate::Error::InvalidParameter) naming the key at fault
//! as a path from the type (`optimizer.beta2`, `layers[1]`), which a front end prefixes with
//! [`Error::within`](crate::Error::within) and maps onto its own syntax.
//!
//! ```
//! use neurone::spec::{NetworkSpec, Task, TrainingSpec};
//! use neurone::{datasets, seeded_rng};
//!
//! let mut network: NetworkSpec = serde_json::from_str(r#"{ "layers": [16, 16] }"#).unwrap();
//! let mut training: TrainingSpec =
//!     serde_json::from_str(r#"{ "optimizer": { "kind": "adam", "beta2": 0.99 }, "epochs": 20 }"#).unwrap();
//! network.resolve(Task::Regression, 1);
//! training.resolve(Task::Regression, 1);
//! assert_eq!(training.learning_rate, Some(1e-3), "Adam's default");
//!
//! let mut rng = seeded_rng(42);
//! let data = datasets::sine(200, &mut rng);
//! let mut model = network.build::<f32>(1, 1, training.loss(), &mut rng)?;
//! training.trainer()?.fit(&mut model, &data, None, &mut rng)?;
//!
//! let bad: TrainingSpec = serde_json::from_str(r#"{ "optimizer": { "kind": "adam", "beta2": 1.5 } }"#).unwrap();
//! assert_eq!(bad.validate().unwrap_err().to_string(), "invalid optimizer.beta2: must be in [0, 1), got 1.5");
//! # Ok::<(), neurone::Error>(())
//! ```

mod memory;
mod network;
mod optimizer;
mod task;
mod text;
mod training;

pub use network::NetworkSpec;
pub use optimizer::OptimizerSpec;
pub use task::Task;
pub use training::TrainingSpec;
