//! Memory known before it is spent: what a network and its training will hold, and what the
//! machine has available, so that a run that cannot fit is refused with a message instead of
//! aborted by a failed allocation.

use std::fmt;
use std::path::Path;

use crate::Error;

/// The bytes a network and its training hold at once, by kind; sums saturate, so an absurd
/// architecture gives a huge figure rather than an overflow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryNeed {
    /// Weights, biases and batch-normalisation statistics, with the trainer's copy of the last
    /// good (or best) weights.
    pub parameters: u64,
    /// One gradient per trainable parameter.
    pub gradients: u64,
    /// The optimizer's buffers (momentum, moments, L-BFGS history).
    pub optimizer_state: u64,
    /// One batch's `z`, `a`, `delta`, dropout masks and normalised values, and the batch itself.
    pub activations: u64,
}

impl MemoryNeed {
    /// All of it.
    pub fn total(&self) -> u64 {
        self.parameters
            .saturating_add(self.gradients)
            .saturating_add(self.optimizer_state)
            .saturating_add(self.activations)
    }

    /// Refuses a need larger than the memory available, naming `key` (the setting that makes
    /// most of it: `model.layers` or `train.batch_size`). Where the available memory is not
    /// known (outside Linux), everything passes.
    pub fn check_fits(&self, key: &str) -> Result<(), Error> {
        match beyond_available(self.total()) {
            Some(available) => {
                Err(Error::invalid(key, format!("{self}, more than the {available} of memory available")))
            }
            None => Ok(()),
        }
    }
}

/// Refuses a file whose loading needs `bytes` of memory when they are not available: the
/// error names the file.
pub fn check_loadable(path: &Path, bytes: u64) -> Result<(), Error> {
    match beyond_available(bytes) {
        Some(available) => Err(Error::data(
            path,
            format!("loading it needs {}, more than the {available} of memory available", Bytes(bytes)),
        )),
        None => Ok(()),
    }
}

/// The memory available, when it is known and less than `bytes`.
fn beyond_available(bytes: u64) -> Option<Bytes> {
    available_memory().filter(|&available| bytes > available).map(Bytes)
}

impl fmt::Display for MemoryNeed {
    /// `the network and its training need 320 GB (parameters 160 GB, gradients 160 GB, …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the network and its training need {} (parameters {}, gradients {}, optimizer state {}, activations {})",
            Bytes(self.total()),
            Bytes(self.parameters),
            Bytes(self.gradients),
            Bytes(self.optimizer_state),
            Bytes(self.activations)
        )
    }
}

/// A size in bytes, shown in decimal units as `1.5 GB`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];
        if self.0 < 1000 {
            return write!(f, "{} bytes", self.0);
        }
        let mut value = self.0 as f64 / 1000.0;
        let mut unit = 0;
        while value >= 1000.0 && unit + 1 < UNITS.len() {
            value /= 1000.0;
            unit += 1;
        }
        write!(f, "{value:.1} {}", UNITS[unit])
    }
}

/// The memory the system can give a new allocation without swapping: `MemAvailable` of
/// `/proc/meminfo` on Linux; `None` elsewhere (macOS, Windows: the memory check is then
/// skipped), or when it cannot be read.
pub fn available_memory() -> Option<u64> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    kilobytes_of(&meminfo, "MemAvailable:")
}

/// The most memory this process has held resident at once so far (its peak RSS, `VmHWM` of
/// `/proc/self/status` on Linux); `None` elsewhere (metrics.json then says `null`), or when it
/// cannot be read.
pub fn peak_resident_memory() -> Option<u64> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    kilobytes_of(&status, "VmHWM:")
}

/// The value of a `/proc` line `Name:   1234 kB`, in bytes.
fn kilobytes_of(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find_map(|line| line.strip_prefix(name))?;
    let kilobytes: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kilobytes.saturating_mul(1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_human_units() {
        assert_eq!(Bytes(999).to_string(), "999 bytes");
        assert_eq!(Bytes(1_500).to_string(), "1.5 kB");
        assert_eq!(Bytes(160_000_000_000).to_string(), "160.0 GB");
        assert_eq!(Bytes(u64::MAX).to_string(), "18.4 EB");
    }

    #[test]
    fn a_need_beyond_the_memory_available_is_refused_naming_the_key() {
        let Some(available) = available_memory() else { return };
        let need = MemoryNeed { parameters: available, gradients: available, ..Default::default() };
        let error = need.check_fits("model.layers").unwrap_err().to_string();
        assert!(error.contains("model.layers") && error.contains("of memory available"), "{error}");
        assert!(MemoryNeed { parameters: 1000, ..Default::default() }.check_fits("model.layers").is_ok());
    }

    #[test]
    fn the_peak_resident_memory_counts_what_was_touched() {
        let Some(before) = peak_resident_memory() else { return };
        // 64 MB written page by page is resident, at least for a moment.
        let touched = std::hint::black_box(vec![1u8; 64 << 20]);
        let after = peak_resident_memory().unwrap();
        assert!(after >= before && after >= touched.len() as u64, "peak {after} bytes after touching 64 MiB");
    }
}
