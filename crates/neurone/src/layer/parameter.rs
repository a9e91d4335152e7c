//! A layer's parameter tensors as the rest of the library sees them: read-only, or with the
//! value and its gradient mutable.

/// One parameter tensor of a layer with its gradient, to read: what
/// [`Network::parameters`](crate::Network::parameters) yields.
#[derive(Clone, Copy, Debug)]
pub struct Parameter<'a, S> {
    /// The tensor's name within its layer (`"weight"`, `"bias"`), as in PyTorch.
    pub name: &'static str,
    /// Whether weight penalties and decoupled weight decay apply: true for dense weights only,
    /// never for biases or batch-norm scales and shifts.
    pub regularised: bool,
    /// The values.
    pub value: &'a [S],
    /// ∂J/∂value from the last backward pass.
    pub gradient: &'a [S],
}

/// One parameter tensor of a layer with its gradient, both mutable: optimizers update the value
/// (see [`Optimizer::update`](crate::Optimizer::update)), penalties and clipping change the
/// gradient.
#[derive(Debug)]
pub struct ParameterMut<'a, S> {
    /// The tensor's name within its layer (`"weight"`, `"bias"`), as in PyTorch.
    pub name: &'static str,
    /// Whether weight penalties and decoupled weight decay apply: true for dense weights only,
    /// never for biases or batch-norm scales and shifts.
    pub regularised: bool,
    /// The values.
    pub value: &'a mut [S],
    /// ∂J/∂value from the last backward pass.
    pub gradient: &'a mut [S],
}
