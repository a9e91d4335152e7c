//! The one place that decides how a matrix product is computed: [`plan`] maps its shape, its
//! operands' layouts, its scalar type and the instruction set in use to a [`Path`], and
//! [`gemm`](super::gemm) follows it. `docs/performance.md`'s table of paths is tested against it.
//!
//! The instruction set is the best this CPU runs, unless `NEURONE_KERNELS` names another one it
//! runs (`portable`, `avx2`, `avx512`, `neon`): every path computes each value by the same
//! operations, so forcing one changes the speed, never the bits, and the tests compare them.

use std::fmt;
use std::sync::OnceLock;

use super::gemm::Op;

/// The instruction sets the kernels are written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstructionSet {
    /// Plain Rust, for any CPU.
    Portable,
    /// x86-64's 8-lane AVX2 with fused multiply-add.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// x86-64's 16-lane AVX-512 (foundation) with 32 registers.
    #[cfg(target_arch = "x86_64")]
    Avx512,
    /// aarch64's 4-lane NEON.
    #[cfg(target_arch = "aarch64")]
    Neon,
}

/// The value of `NEURONE_KERNELS` naming each instruction set, in the order of [`InstructionSet`].
const NAMES: [&str; 4] = ["portable", "avx2", "avx512", "neon"];

impl InstructionSet {
    /// Every instruction set of this architecture, the portable one first.
    pub const ALL: &[InstructionSet] = &[
        InstructionSet::Portable,
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx2,
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx512,
        #[cfg(target_arch = "aarch64")]
        InstructionSet::Neon,
    ];

    /// Its name as `NEURONE_KERNELS` spells it.
    pub fn name(self) -> &'static str {
        match self {
            InstructionSet::Portable => NAMES[0],
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx2 => NAMES[1],
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx512 => NAMES[2],
            #[cfg(target_arch = "aarch64")]
            InstructionSet::Neon => NAMES[3],
        }
    }

    /// Whether this CPU runs it.
    pub fn is_available(self) -> bool {
        match self {
            InstructionSet::Portable => true,
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx2 => super::avx2::Avx2::detect().is_some(),
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx512 => super::avx512::Avx512::detect().is_some(),
            #[cfg(target_arch = "aarch64")]
            InstructionSet::Neon => super::neon::Neon::detect().is_some(),
        }
    }

    /// The instruction sets this CPU runs, the portable one first.
    pub fn available() -> impl Iterator<Item = InstructionSet> {
        InstructionSet::ALL.iter().copied().filter(|set| set.is_available())
    }
}

impl fmt::Display for InstructionSet {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// `NEURONE_KERNELS` names no instruction set this CPU runs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("NEURONE_KERNELS={given:?}: expected one of {choices} (the instruction sets this CPU runs)")]
pub struct UnknownInstructionSet {
    given: String,
    choices: String,
}

/// The instruction set of `NEURONE_KERNELS` (`None`: unset or empty), else the best this CPU runs.
pub(super) fn choose(forced: Option<&str>) -> Result<InstructionSet, UnknownInstructionSet> {
    let best = InstructionSet::available().last().unwrap_or(InstructionSet::Portable);
    match forced.map(str::trim).filter(|name| !name.is_empty()) {
        None => Ok(best),
        Some(name) => InstructionSet::available().find(|set| set.name() == name).ok_or_else(|| UnknownInstructionSet {
            given: name.to_owned(),
            choices: InstructionSet::available().map(InstructionSet::name).collect::<Vec<_>>().join(", "),
        }),
    }
}

/// The instruction set every kernel uses, chosen once per process from `NEURONE_KERNELS` (one
/// this CPU runs: `portable`, `avx2`, `avx512` or `neon`), else the best this CPU runs. A front
/// end calls it first to report a bad value; the kernels themselves then use the best set (a
/// library does not stop on an environment variable).
pub fn instruction_set() -> Result<InstructionSet, UnknownInstructionSet> {
    let (set, error) = chosen();
    error.clone().map_or(Ok(*set), Err)
}

/// The instruction set the kernels use.
pub(super) fn in_use() -> InstructionSet {
    chosen().0
}

/// What `NEURONE_KERNELS` chose, and the error for a value that names nothing this CPU runs.
fn chosen() -> &'static (InstructionSet, Option<UnknownInstructionSet>) {
    static CHOSEN: OnceLock<(InstructionSet, Option<UnknownInstructionSet>)> = OnceLock::new();
    CHOSEN.get_or_init(|| match choose(std::env::var("NEURONE_KERNELS").ok().as_deref()) {
        Ok(set) => (set, None),
        Err(error) => (choose(None).unwrap_or(InstructionSet::Portable), Some(error)),
    })
}

/// The scalar types of a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    /// `f32`: training and inference.
    F32,
    /// `f64`: gradient checks, and the Python package's float64 networks.
    F64,
}

/// How a product is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Plain loops that the compiler vectorises, for the products that are really matrix–vector
    /// or outer ones (`kernels/gemm.rs`), whatever the number of rows. Unfused multiplies and
    /// adds: other bits than the kernels' fused chain, but the same on every CPU.
    Loops,
    /// A single row (one sample): the kernels' fused chain for each value, several values side
    /// by side in plain loops compiled for the instruction set in use, without packing
    /// (`kernels/one_row.rs`), so that the row has the bits it has in a batch.
    OneRow,
    /// Products of depth 8 or less, row after row (`kernels/shallow_gemm.rs` in f32,
    /// `kernels/shallow_chain.rs` in f64).
    Shallow(InstructionSet),
    /// Products in packed panels and register tiles (`kernels/packed_gemm.rs`); the portable
    /// set computes the same chain in plain loops (`kernels/portable.rs`).
    Packed(InstructionSet),
}

/// The deepest product the shallow path computes; deeper ones are packed, which reads each
/// value of B once per tile of rows where the shallow loop reads it once per row.
pub(super) const SHALLOW_DEPTH: usize = 8;

/// How the product `op(A)·op(B)` (m×k by k×n, row-major operands) is computed.
///
/// The same arguments always give the same path, so a product gives the same bits on every
/// run; the paths other than [`Path::Loops`] give the same bits as each other, and the path of
/// a product depends on its number of rows m only through [`Path::OneRow`], which gives the
/// bits of the others: a row's values do not depend on the rows computed with it.
pub fn plan((m, k, n): (usize, usize, usize), a: Op, b: Op, scalar: ScalarType, set: InstructionSet) -> Path {
    // A depth of one (one input), a single column against a row-major matrix, or a single row
    // of a transposed A (the column of a one-output layer's δ, whose dW = Δᵀ·A sums the batch:
    // a row of a batch only for m > 1): a packed kernel would spend longer packing than
    // multiplying.
    if k == 1 || (n == 1 && b == Op::Transposed) || (m == 1 && a == Op::Transposed) {
        return Path::Loops;
    }
    // A single row (one sample): the same chains without the packing (one sample through a
    // 784×128 layer took the packed kernel 2.3 times as many instructions).
    if m == 1 {
        return Path::OneRow;
    }
    match scalar {
        // Shallow f32 products narrower than an AVX-512 register keep AVX2's loop, whose 8 lanes
        // fit them (the loop computes narrower rows one value at a time).
        #[cfg(target_arch = "x86_64")]
        ScalarType::F32 if k <= SHALLOW_DEPTH && set == InstructionSet::Avx512 && n < 16 => {
            Path::Shallow(InstructionSet::Avx2)
        }
        _ if k <= SHALLOW_DEPTH => Path::Shallow(set),
        _ => Path::Packed(set),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_or_unavailable_set_is_one_line_naming_the_choices() {
        let error = choose(Some("sse9")).unwrap_err().to_string();
        assert!(!error.contains('\n'));
        assert!(error.starts_with("NEURONE_KERNELS=\"sse9\": expected one of portable"), "{error}");
        for set in InstructionSet::available() {
            assert!(error.contains(set.name()), "{error}");
        }
        // A set of another architecture is refused the same way.
        #[cfg(target_arch = "x86_64")]
        assert!(choose(Some("neon")).is_err());
    }

    #[test]
    fn each_available_set_can_be_forced_and_the_best_is_the_default() {
        for set in InstructionSet::available() {
            assert_eq!(choose(Some(set.name())), Ok(set));
        }
        assert_eq!(choose(None), Ok(InstructionSet::available().last().unwrap()));
        assert_eq!(choose(Some(" ")), choose(None));
    }

    #[test]
    fn the_documented_table_of_paths_is_what_plan_decides() {
        let doc = include_str!("../../../../docs/performance.md");
        let table = doc.split("<!-- paths -->").nth(1).expect("docs/performance.md marks its table of paths");
        let cells = |line: &str| line.split('|').map(|cell| cell.trim().replace('`', "")).collect::<Vec<_>>();
        let mut lines = table.lines().skip_while(|line| !line.starts_with('|'));
        let header = cells(lines.next().expect("a header"));
        let rows: Vec<_> = lines.skip(1).take_while(|line| line.starts_with('|')).map(cells).collect();
        assert!(rows.len() >= 8, "{rows:?}");
        for row in rows {
            let shape = row[1].split_whitespace().next().expect("m×k×n");
            let numbers: Vec<usize> = shape.split('×').map(|value| value.parse().expect("m×k×n")).collect();
            let [m, k, n] = <[usize; 3]>::try_from(numbers).expect("m×k×n");
            let op = |transposed: bool| if transposed { Op::Transposed } else { Op::Plain };
            let (a, b) = row[2].split_once('·').expect("A·B");
            let scalar = if row[3] == "f64" { ScalarType::F64 } else { ScalarType::F32 };
            for &set in InstructionSet::ALL {
                let column = header.iter().position(|name| name == set.name()).expect("a column per instruction set");
                let planned = match plan((m, k, n), op(a.ends_with('ᵀ')), op(b.ends_with('ᵀ')), scalar, set) {
                    Path::Loops => "loops".to_owned(),
                    Path::OneRow => "one row".to_owned(),
                    Path::Shallow(kernels) => format!("shallow {kernels}"),
                    Path::Packed(kernels) => format!("packed {kernels}"),
                };
                assert_eq!(planned, row[column], "{shape} {} {} with {set}", row[2], row[3]);
            }
        }
    }
}
