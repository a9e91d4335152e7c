//! What a file given where a model is expected really is: an ONNX export, a checkpoint, a CSV
//! or an experiment file — so that the error can say so, and what to give instead.

use super::checkpoint_format::CHECKPOINT_FORMAT_NAME;

/// A file that is not a model file but looks like one of the files neurone reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Impostor {
    Onnx,
    Checkpoint,
    Csv,
    Toml,
}

impl Impostor {
    /// What `bytes` look like when they are not a safetensors file, if anything we know.
    pub(crate) fn of_bytes(bytes: &[u8]) -> Option<Self> {
        if is_onnx(bytes) {
            return Some(Self::Onnx);
        }
        // The first lines are enough, and a cut inside a character does not make them binary.
        let start = &bytes[..bytes.len().min(4096)];
        let text = match std::str::from_utf8(start) {
            Ok(text) => text,
            Err(error) if error.error_len().is_none() => std::str::from_utf8(&start[..error.valid_up_to()]).ok()?,
            Err(_) => return None,
        };
        let text = text.trim_start_matches('\u{feff}');
        let first = text.lines().map(str::trim).find(|line| !line.is_empty() && !line.starts_with('#'))?;
        if first.starts_with('[') || first.split_once('=').is_some_and(|(key, _)| !key.contains(',')) {
            Some(Self::Toml)
        } else if first.contains(',') && !text.contains('\0') {
            Some(Self::Csv)
        } else {
            None
        }
    }

    /// A safetensors file's `format` metadata, when it marks another neurone file.
    pub(crate) fn of_format(format: &str) -> Option<Self> {
        (format == CHECKPOINT_FORMAT_NAME).then_some(Self::Checkpoint)
    }

    /// Why the file is refused as a model, and what to give instead.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::Onnx => {
                "an ONNX file (a model exported for inference elsewhere), not a neurone model: give the \
                           model.safetensors it was exported from"
            }
            Self::Checkpoint => {
                "a training checkpoint, not a model: give the model.safetensors its run wrote beside it \
                                 (a checkpoint is for `neurone train --resume`)"
            }
            Self::Csv => {
                "a CSV file, not a model: give a model.safetensors file first (the one a training run \
                          wrote), then the data"
            }
            Self::Toml => {
                "a TOML file (an experiment?), not a model: train it first, then give the \
                           model.safetensors the run wrote"
            }
        }
    }
}

/// An ONNX `ModelProto` begins with its `ir_version` (field 1, a small varint), followed by
/// another of its fields (producer, domain, version, doc string, graph, opsets).
fn is_onnx(bytes: &[u8]) -> bool {
    const NEXT_FIELDS: [u8; 7] = [0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42];
    matches!(bytes, [0x08, version, next, ..] if (1..0x80).contains(version) && NEXT_FIELDS.contains(next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_impostor_is_recognised() {
        assert_eq!(Impostor::of_bytes(&[0x08, 0x07, 0x12, 0x07, b'n']), Some(Impostor::Onnx));
        assert_eq!(Impostor::of_bytes(b"\xef\xbb\xbfx,colour,y\n1,red,2\n"), Some(Impostor::Csv));
        assert_eq!(Impostor::of_bytes(b"# digits\nname = \"mnist\"\n[model]\nlayers = [1, 2]\n"), Some(Impostor::Toml));
        assert_eq!(Impostor::of_bytes(b"[data]\ndataset = \"iris\"\n"), Some(Impostor::Toml));
        assert_eq!(Impostor::of_format("neurone-checkpoint"), Some(Impostor::Checkpoint));
        assert_eq!(Impostor::of_bytes(&[0xff, 0x00, 0x12, 0x99]), None);
        assert_eq!(Impostor::of_bytes(b"just words\n"), None);
        assert_eq!(Impostor::of_format("neurone"), None);
    }
}
