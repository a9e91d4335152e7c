//! Files: writing them so that a crash never leaves half of one behind.

mod atomic;

pub use atomic::write_atomic;
