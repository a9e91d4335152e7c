//! How fast a training plays: stretches of gradient steps as long as a frame at most, and no
//! faster than the speed the page asks for, down to one step a frame.

use std::time::{Duration, Instant};

/// How fast a training plays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    /// As fast as the machine goes.
    Full,
    /// At most this many epochs a second.
    EpochsPerSecond(f64),
    /// At most this many gradient steps a second (one a frame up to 25).
    StepsPerSecond(f64),
}

/// How long a stretch of steps lasts at full speed: a frame every 40 ms, 25 frames per second
/// at most.
const STRETCH: Duration = Duration::from_millis(40);

/// How fast a training plays: the steps of a stretch, and when the next is due.
pub(super) struct Pace {
    pub(super) speed: Speed,
    pub(super) steps_per_stretch: u64,
    pub(super) next_stretch: Instant,
}

impl Pace {
    /// After a stretch of `steps` that began at `started` and took `seconds`: the length of
    /// the next one and when it is due, as long as [`STRETCH`] at most (a frame every 40 ms)
    /// and no faster than asked. Returns the seconds this stretch's steps are given.
    pub(super) fn after_stretch(&mut self, started: Instant, steps: u64, seconds: f64, steps_per_epoch: u64) -> f64 {
        let per_step = seconds / steps as f64;
        let mut next = (STRETCH.as_secs_f64() / per_step) as u64;
        let steps_per_second = match self.speed {
            Speed::Full => None,
            Speed::EpochsPerSecond(epochs) => Some(epochs * steps_per_epoch as f64),
            Speed::StepsPerSecond(steps) => Some(steps),
        };
        let period = match steps_per_second {
            Some(speed) => {
                // Slower than a stretch's steps: fewer steps a stretch, down to one a frame.
                next = next.min((speed * STRETCH.as_secs_f64()).round() as u64);
                seconds.max(steps as f64 / speed)
            }
            None => seconds,
        };
        self.steps_per_stretch = next.clamp(1, 10_000_000);
        self.next_stretch = started + Duration::from_secs_f64(period);
        period
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps of the next stretch and the seconds until it, after one of `steps` that took
    /// `seconds`, at `speed`, 25 steps an epoch.
    fn after(speed: Speed, steps: u64, seconds: f64) -> (u64, f64) {
        let started = Instant::now();
        let mut pace = Pace { speed, steps_per_stretch: steps, next_stretch: started };
        pace.after_stretch(started, steps, seconds, 25);
        (pace.steps_per_stretch, (pace.next_stretch - started).as_secs_f64())
    }

    #[test]
    fn slow_speeds_take_one_step_a_frame_and_fast_ones_fill_a_frame() {
        // A step takes 1 ms here.
        assert_eq!(after(Speed::StepsPerSecond(1.0), 1, 0.001), (1, 1.0), "one step, a second later");
        assert_eq!(after(Speed::StepsPerSecond(10.0), 1, 0.001), (1, 0.1));
        // 5 epochs a second of 25 steps: 5 steps every 40 ms.
        let (steps, seconds) = after(Speed::EpochsPerSecond(5.0), 5, 0.005);
        assert_eq!(steps, 5);
        assert!((seconds - 0.04).abs() < 1e-9, "{seconds}");
        // Full speed: as many steps as fit in 40 ms, at once.
        assert_eq!(after(Speed::Full, 10, 0.01), (40, 0.01));
    }
}
