//! Per-parameter optimizer state: one buffer per tensor slot, created at the slot's first
//! update, and its conversion to and from named tensors for checkpoints.

use std::collections::HashSet;

use crate::{Error, Scalar};

/// One buffer per tensor slot (e.g. Adam's first moments), named in checkpoints
/// `<name>.<slot>` (e.g. `exp_avg.3`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SlotBuffers<S> {
    name: &'static str,
    buffers: Vec<Vec<S>>,
}

impl<S: Scalar> SlotBuffers<S> {
    /// No buffers yet, named `name` in checkpoints.
    pub(crate) fn new(name: &'static str) -> Self {
        Self { name, buffers: Vec::new() }
    }

    /// The buffer of `slot`, filled with `initial` on the slot's first update: the only time a
    /// buffer is allocated, so later steps allocate nothing.
    ///
    /// # Panics
    /// If the tensor in `slot` has changed length since the buffer was made (for instance after
    /// loading the state of another network), since no update could then be right.
    pub(crate) fn get(&mut self, slot: usize, length: usize, initial: S) -> &mut [S] {
        if slot >= self.buffers.len() {
            self.buffers.resize_with(slot + 1, Vec::new);
        }
        let buffer = &mut self.buffers[slot];
        if buffer.is_empty() {
            buffer.resize(length, initial);
        }
        assert_eq!(
            buffer.len(),
            length,
            "the optimizer's `{}.{slot}` holds {} values but tensor slot {slot} has {length}: \
             was its state loaded from another network?",
            self.name,
            buffer.len()
        );
        buffer
    }

    /// The buffer of `slot`, if that slot has been updated (or loaded).
    pub(crate) fn slot(&self, slot: usize) -> Option<&[S]> {
        self.buffers.get(slot).filter(|buffer| !buffer.is_empty()).map(Vec::as_slice)
    }

    /// Appends `(<name>.<slot>, values)` for every slot that has a buffer.
    fn export(&self, tensors: &mut Vec<(String, Vec<f64>)>) {
        for (slot, buffer) in self.buffers.iter().enumerate().filter(|(_, buffer)| !buffer.is_empty()) {
            tensors.push((format!("{}.{slot}", self.name), buffer.iter().map(|value| value.to_f64()).collect()));
        }
    }
}

/// The buffers of `groups` as named tensors, slot by slot within each group, groups in the
/// order given.
pub(crate) fn export_buffers<S: Scalar>(groups: &[&SlotBuffers<S>]) -> Vec<(String, Vec<f64>)> {
    let mut tensors = Vec::new();
    for group in groups {
        group.export(&mut tensors);
    }
    tensors
}

/// Replaces the buffers in `groups` with `tensors`, saved by the optimizer called `optimizer`.
/// Nothing changes unless all of them are valid: every tensor is named `<group>.<slot>` for one
/// of the groups, appears once, holds finite values, and has the same length as the other
/// groups' tensors of its slot and as the buffer already held for that slot, if any; a slot
/// present in one group is present in all.
pub(crate) fn import_buffers<S: Scalar>(
    tensors: &[(String, Vec<f64>)],
    optimizer: &str,
    groups: &mut [&mut SlotBuffers<S>],
) -> Result<(), Error> {
    let invalid = |reason: String| Error::invalid("optimizer state", reason);
    // The length each slot must have: first from the state already held, then from the state read.
    let mut lengths: Vec<Option<usize>> = Vec::new();
    for group in groups.iter() {
        for (slot, buffer) in group.buffers.iter().enumerate().filter(|(_, buffer)| !buffer.is_empty()) {
            set_length(&mut lengths, slot, buffer.len());
        }
    }
    let mut loaded: Vec<Vec<Vec<S>>> = vec![Vec::new(); groups.len()];
    let mut seen = HashSet::new();
    for (name, values) in tensors {
        let parsed = name.rsplit_once('.').and_then(|(stem, slot)| {
            let group = groups.iter().position(|group| group.name == stem)?;
            Some((group, slot.parse::<usize>().ok()?))
        });
        let Some((group, slot)) = parsed else {
            let expected: Vec<String> = groups.iter().map(|group| format!("`{}.<slot>`", group.name)).collect();
            let expected = if expected.is_empty() { "none".to_string() } else { expected.join(", ") };
            return Err(invalid(format!("unexpected tensor `{name}` for `{optimizer}` (expected: {expected})")));
        };
        if !seen.insert((group, slot)) {
            return Err(invalid(format!("tensor `{name}` appears twice")));
        }
        if let Some(value) = values.iter().find(|value| !value.is_finite()) {
            return Err(invalid(format!("tensor `{name}` holds the non-finite value {value}")));
        }
        match lengths.get(slot).copied().flatten() {
            Some(expected) if expected != values.len() => {
                return Err(invalid(format!(
                    "tensor `{name}` has {} values where tensor slot {slot} has {expected}",
                    values.len()
                )));
            }
            _ => set_length(&mut lengths, slot, values.len()),
        }
        let buffers = &mut loaded[group];
        if slot >= buffers.len() {
            buffers.resize_with(slot + 1, Vec::new);
        }
        buffers[slot] = values.iter().map(|&value| S::from_f64(value)).collect();
    }
    for slot in 0..lengths.len() {
        let present: Vec<bool> = (0..groups.len()).map(|group| seen.contains(&(group, slot))).collect();
        if present.contains(&true) && present.contains(&false) {
            let missing = groups[present.iter().position(|&here| !here).expect("one is missing")].name;
            return Err(invalid(format!("tensor slot {slot} has no `{missing}.{slot}`")));
        }
    }
    for (group, buffers) in groups.iter_mut().zip(loaded) {
        group.buffers = buffers;
    }
    Ok(())
}

fn set_length(lengths: &mut Vec<Option<usize>>, slot: usize, length: usize) {
    if slot >= lengths.len() {
        lengths.resize(slot + 1, None);
    }
    lengths[slot] = Some(length);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buffers(name: &'static str, slots: &[&[f64]]) -> SlotBuffers<f64> {
        let mut buffers = SlotBuffers::new(name);
        for (slot, values) in slots.iter().enumerate() {
            buffers.get(slot, values.len(), 0.0).copy_from_slice(values);
        }
        buffers
    }

    #[test]
    fn buffers_are_created_once_filled_with_the_initial_value() {
        let mut sums = SlotBuffers::<f32>::new("sum");
        assert_eq!(sums.slot(1), None);
        sums.get(1, 3, 0.5)[0] = 2.0;
        assert_eq!(sums.slot(0), None);
        assert_eq!(sums.slot(1), Some(&[2.0, 0.5, 0.5][..]));
        let pointer = sums.slot(1).unwrap().as_ptr();
        assert_eq!(sums.get(1, 3, 9.0).as_ptr(), pointer, "a second update reuses the buffer");
    }

    #[test]
    #[should_panic(expected = "the optimizer's `sum.0` holds 2 values but tensor slot 0 has 3")]
    fn a_tensor_that_changed_length_is_caught() {
        let mut sums = SlotBuffers::<f64>::new("sum");
        sums.get(0, 2, 0.0);
        sums.get(0, 3, 0.0);
    }

    #[test]
    fn buffers_round_trip_and_bad_ones_change_nothing() {
        let first = buffers("exp_avg", &[&[1.0, 2.0], &[3.0]]);
        let second = buffers("exp_avg_sq", &[&[4.0, 5.0], &[6.0]]);
        let tensors = export_buffers(&[&first, &second]);
        let names: Vec<&str> = tensors.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["exp_avg.0", "exp_avg.1", "exp_avg_sq.0", "exp_avg_sq.1"]);
        let (mut a, mut b) = (SlotBuffers::new("exp_avg"), SlotBuffers::new("exp_avg_sq"));
        import_buffers(&tensors, "adam", &mut [&mut a, &mut b]).unwrap();
        assert_eq!((&a, &b), (&first, &second));

        let error = |tensors: &[(String, Vec<f64>)]| {
            let (mut a, mut b) = (first.clone(), second.clone());
            let message = import_buffers(tensors, "adam", &mut [&mut a, &mut b]).unwrap_err().to_string();
            assert_eq!((&a, &b), (&first, &second), "a rejected state must change nothing");
            message
        };
        let mut wrong = tensors.clone();
        wrong[1].1.push(0.0);
        assert_eq!(error(&wrong), "invalid optimizer state: tensor `exp_avg.1` has 2 values where tensor slot 1 has 1");
        let mut wrong = tensors.clone();
        wrong.pop();
        assert_eq!(error(&wrong), "invalid optimizer state: tensor slot 1 has no `exp_avg_sq.1`");
        let mut wrong = tensors.clone();
        wrong[0].0 = "momentum_buffer.0".into();
        assert!(error(&wrong).contains("unexpected tensor `momentum_buffer.0` for `adam`"));
        let mut wrong = tensors.clone();
        wrong[2].1[0] = f64::NAN;
        assert!(error(&wrong).contains("non-finite value NaN"));
        let mut wrong = tensors;
        wrong[3].0 = "exp_avg_sq.0".into();
        assert_eq!(error(&wrong), "invalid optimizer state: tensor `exp_avg_sq.0` appears twice");
    }

    #[test]
    fn buffers_for_another_network_are_rejected_by_the_sizes_already_held() {
        let mut held = buffers("sum", &[&[1.0, 2.0]]);
        let other = [("sum.0".to_owned(), vec![1.0])];
        let error = import_buffers(&other, "adagrad", &mut [&mut held]).unwrap_err();
        assert_eq!(error.to_string(), "invalid optimizer state: tensor `sum.0` has 1 values where tensor slot 0 has 2");
    }
}
