//! Model selection: folds for k-fold cross-validation ([`KFold`], [`StratifiedKFold`]), the
//! cross-validation of a network described by the [`spec`](crate::spec) types
//! ([`CrossValidation`]), and the distributions a random search draws settings from
//! ([`Distribution`]), and the [`search`] over candidates they score.
//!
//! A model is chosen on folds of the training data; the test split is touched once, by the
//! model chosen.
//!
//! ```
//! use neurone::model_selection::{CrossValidation, StratifiedKFold};
//! use neurone::spec::{NetworkSpec, Task, TrainingSpec};
//!
//! let iris = neurone::datasets::iris::<f32>().dataset;
//! let folds = StratifiedKFold::new(3).seed(7).split_dataset(&iris)?;
//! let training = TrainingSpec { epochs: 5, ..TrainingSpec::default() };
//! let cv = CrossValidation::new(NetworkSpec::default(), training, Task::Classification);
//! let result = cv.cross_validate(&iris, &folds)?;
//! assert_eq!(result.folds.len(), 3);
//! let accuracy = result.mean(neurone::Metric::Accuracy).unwrap();
//! assert!((0.0..=1.0).contains(&accuracy));
//! # Ok::<(), neurone::Error>(())
//! ```

mod cross_validation;
mod distribution;
mod folds;
pub mod search;

pub use cross_validation::{CrossValidation, CrossValidationResult, FoldResult};
pub use distribution::{Distribution, Sample};
pub use folds::{DEFAULT_FOLDS, KFold, StratifiedKFold};
pub use search::{grid, random};
