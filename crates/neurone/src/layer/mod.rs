//! Layers: the building blocks a [`Network`](crate::Network) stacks.

mod dense;

pub use dense::Dense;

/// One parameter tensor of a layer with its gradient, as handed to an optimizer.
pub struct Tensor<'a, S> {
    /// The tensor's name within its layer (`"weight"`, `"bias"`), as in PyTorch.
    pub name: &'static str,
    /// The values, updated in place by the optimizer.
    pub value: &'a mut [S],
    /// ∂J/∂value from the last backward pass.
    pub gradient: &'a [S],
}
