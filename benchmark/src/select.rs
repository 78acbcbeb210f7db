//! Which kernels a run measures: `--kernel` name filters, the `--schedule` filter, and the
//! operands' `--layout`.

use std::fmt;
use tessera::{DType, GemmDesc, Kernel, Layout, Schedule};

/// The storage order of `A` and `B` (`C` is row-major), in BLAS's letters relative to
/// row-major: `nn` both row-major, `nt` `B` column-major, `tn` `A` column-major, `tt` both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layouts {
    pub a: Layout,
    pub b: Layout,
}

impl Layouts {
    /// Both row-major.
    pub const NN: Layouts = Layouts {
        a: Layout::RowMajor,
        b: Layout::RowMajor,
    };

    /// The densely packed call of this shape in these layouts.
    pub fn desc(self, m: usize, n: usize, k: usize) -> GemmDesc {
        GemmDesc::new(m, n, k).with_layouts(self.a, self.b, Layout::RowMajor)
    }
}

impl fmt::Display for Layouts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letter = |l: Layout| if l == Layout::RowMajor { 'n' } else { 't' };
        write!(f, "{}{}", letter(self.a), letter(self.b))
    }
}

/// Parses `nn`, `nt`, `tn` or `tt`.
pub fn parse_layouts(s: &str) -> Result<Layouts, String> {
    let layout = |c: char| match c {
        'n' => Some(Layout::RowMajor),
        't' => Some(Layout::ColMajor),
        _ => None,
    };
    let mut chars = s.chars();
    match (
        chars.next().and_then(layout),
        chars.next().and_then(layout),
        chars.next(),
    ) {
        (Some(a), Some(b), None) => Ok(Layouts { a, b }),
        _ => Err(format!(
            "unknown layouts `{s}` (nn, nt, tn, tt: A then B, n row-major, t column-major)"
        )),
    }
}

/// The grid a kernel runs on (the textbook kernel has one block per tile).
pub fn schedule_of(k: Kernel) -> Option<Schedule> {
    match k {
        Kernel::Auto => None,
        Kernel::Textbook => Some(Schedule::NaiveGrid),
        Kernel::Tiled(s) | Kernel::MmaSync(_, s) | Kernel::Wgmma(_, s) => Some(s),
    }
}

/// Parses `naive` or `persistent`.
pub fn parse_schedule(s: &str) -> Result<Schedule, String> {
    Schedule::ALL
        .into_iter()
        .find(|x| x.to_string() == s)
        .ok_or_else(|| format!("unknown schedule `{s}` (naive, persistent)"))
}

/// Parses `f32`, `bf16` or `f16`.
pub fn parse_dtype(s: &str) -> Result<DType, String> {
    [DType::F32, DType::BF16, DType::F16]
        .into_iter()
        .find(|d| d.to_string() == s)
        .ok_or_else(|| format!("unknown dtype `{s}` (f32, bf16, f16)"))
}

/// The kernels that take `input` → `output` and pass the filters: a name containing one of
/// `names` (all when empty) and a grid among `schedules` (all when empty).
pub fn kernels(
    input: DType,
    output: DType,
    names: &[String],
    schedules: &[Schedule],
) -> Vec<Kernel> {
    Kernel::all()
        .into_iter()
        .filter(|k| k.supports(input, output))
        .filter(|k| names.is_empty() || names.iter().any(|f| k.to_string().contains(f.as_str())))
        .filter(|k| schedules.is_empty() || schedule_of(*k).is_some_and(|s| schedules.contains(&s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_filter_keeps_one_grid() {
        let naive = kernels(DType::F32, DType::F32, &[], &[Schedule::NaiveGrid]);
        assert_eq!(
            naive,
            [Kernel::Textbook, Kernel::Tiled(Schedule::NaiveGrid)]
        );
        let persistent = kernels(DType::BF16, DType::BF16, &[], &[Schedule::Persistent]);
        assert!(!persistent.is_empty());
        assert!(
            persistent
                .iter()
                .all(|k| k.to_string().ends_with("/persistent"))
        );
    }

    #[test]
    fn name_filter_matches_substrings() {
        let tiled = kernels(DType::F32, DType::F32, &["tiled".into()], &[]);
        assert_eq!(tiled, Schedule::ALL.map(Kernel::Tiled));
    }

    #[test]
    fn parses_names_as_displayed() {
        assert_eq!(parse_schedule("persistent"), Ok(Schedule::Persistent));
        assert!(parse_schedule("grid").is_err());
        assert_eq!(parse_dtype("bf16"), Ok(DType::BF16));
        assert!(parse_dtype("f64").is_err());
        for l in ["nn", "nt", "tn", "tt"] {
            assert_eq!(parse_layouts(l).unwrap().to_string(), l);
        }
        assert!(parse_layouts("ntt").is_err() && parse_layouts("x").is_err());
        let d = parse_layouts("nt").unwrap().desc(4, 5, 6);
        assert_eq!((d.lda, d.ldb, d.ldc), (6, 6, 5));
    }
}
