//! Momentum, shared by SGD and RMSprop: a running sum of past directions.

use crate::Scalar;

/// `buf ← μ buf + d`: adds the direction `d` of this step to the buffer decayed by μ, and
/// returns the new buffer, the direction the step takes (PyTorch's, without dampening).
#[inline(always)]
pub(crate) fn accumulate<S: Scalar>(buffer: &mut S, momentum: S, direction: S) -> S {
    *buffer = momentum * *buffer + direction;
    *buffer
}
