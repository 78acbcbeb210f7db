//! The shapes the benchmark runs: named suites, or shapes given on the command line.

use clap::ValueEnum;

/// One problem size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    /// `MxNxK`, with a note for special shapes (`(wave+1)`).
    pub name: String,
    pub m: usize,
    pub n: usize,
    pub k: usize,
}

impl Shape {
    pub fn new(m: usize, n: usize, k: usize) -> Self {
        Shape {
            name: format!("{m}x{n}x{k}"),
            m,
            n,
            k,
        }
    }

    pub fn flops(&self) -> f64 {
        2.0 * self.m as f64 * self.n as f64 * self.k as f64
    }

    /// Parses `4096x4096x4096` (or `4096` for a cube); text after the first space (a note such
    /// as `(wave+1)`) is kept in the name and ignored otherwise.
    pub fn parse(s: &str) -> Result<Self, String> {
        let dims_text = s.split_whitespace().next().unwrap_or("");
        let dims: Vec<usize> = dims_text
            .split('x')
            .map(|d| {
                d.parse::<usize>()
                    .map_err(|_| format!("bad shape `{s}`: expected MxNxK"))
            })
            .collect::<Result<_, _>>()?;
        let mut shape = match dims[..] {
            [s] => Shape::new(s, s, s),
            [m, n, k] => Shape::new(m, n, k),
            _ => return Err(format!("bad shape `{s}`: expected MxNxK")),
        };
        if dims.len() == 3 {
            shape.name = s.trim().to_string();
        }
        Ok(shape)
    }
}

/// A named set of shapes (`--suite`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Suite {
    /// Squares, K-light, ragged, and a shape just above a full wave of tiles.
    Default,
    /// Squares 1024 … 8192.
    Square,
    /// M = N = 8192, K = 512 … 16384.
    Ksweep,
    /// All of the above, each shape once.
    All,
}

/// Side lengths of the square shapes.
const SQUARES: [usize; 4] = [1024, 2048, 4096, 8192];
/// `M = N` of the K sweep.
pub const KSWEEP_MN: usize = 8192;
/// `K` of the K sweep.
pub const KSWEEP_K: [usize; 6] = [512, 1024, 2048, 4096, 8192, 16384];

impl Suite {
    /// The shapes of the suite; `resident_tiles`: 128 × 128 tiles the GPU holds at once.
    pub fn shapes(self, resident_tiles: usize) -> Vec<Shape> {
        match self {
            Suite::Default => default_suite(resident_tiles),
            Suite::Square => SQUARES.iter().map(|&s| Shape::new(s, s, s)).collect(),
            Suite::Ksweep => KSWEEP_K
                .iter()
                .map(|&k| Shape::new(KSWEEP_MN, KSWEEP_MN, k))
                .collect(),
            Suite::All => {
                let mut all: Vec<Shape> = Vec::new();
                for suite in [Suite::Default, Suite::Square, Suite::Ksweep] {
                    for s in suite.shapes(resident_tiles) {
                        if !all.iter().any(|o| (o.m, o.n, o.k) == (s.m, s.n, s.k)) {
                            all.push(s);
                        }
                    }
                }
                all
            }
        }
    }
}

/// The default suite: squares, a K-light and a ragged shape, and one whose 128 × 128 tile
/// count is just above a multiple of what the GPU holds at once (`resident_tiles`), where the
/// last wave of a naive grid runs nearly empty.
fn default_suite(resident_tiles: usize) -> Vec<Shape> {
    let mut v: Vec<Shape> = SQUARES.iter().map(|&s| Shape::new(s, s, s)).collect();
    v.push(Shape::new(8192, 8192, 512));
    v.push(Shape::new(4095, 4097, 1000));
    // 5 tile-rows; enough tile-columns for one tile more than a full wave.
    let tiles_n = resident_tiles / 5 + 1;
    let mut wave = Shape::new(5 * 128, tiles_n * 128, 4096);
    wave.name = format!("{} (wave+{})", wave.name, 5 * tiles_n - resident_tiles);
    v.push(wave);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_shapes() {
        assert_eq!(Shape::parse("4096").unwrap(), Shape::new(4096, 4096, 4096));
        assert_eq!(Shape::parse("1x2x3").unwrap(), Shape::new(1, 2, 3));
        let noted = Shape::parse("640x8576x4096 (wave+1)").unwrap();
        assert_eq!((noted.m, noted.n, noted.k), (640, 8576, 4096));
        assert_eq!(noted.name, "640x8576x4096 (wave+1)");
        assert!(Shape::parse("1x2").is_err());
    }

    #[test]
    fn wave_shape_is_just_above_a_full_wave() {
        let s = Suite::Default.shapes(264).pop().unwrap();
        let tiles = s.m.div_ceil(128) * s.n.div_ceil(128);
        assert!(tiles > 264 && tiles <= 264 + 5, "{tiles}");
    }

    #[test]
    fn ksweep_varies_k_only() {
        let ks: Vec<usize> = Suite::Ksweep
            .shapes(264)
            .iter()
            .inspect(|s| assert_eq!((s.m, s.n), (8192, 8192)))
            .map(|s| s.k)
            .collect();
        assert_eq!(ks, [512, 1024, 2048, 4096, 8192, 16384]);
    }

    #[test]
    fn all_has_every_shape_once() {
        let all = Suite::All.shapes(264);
        for suite in [Suite::Default, Suite::Square, Suite::Ksweep] {
            for s in suite.shapes(264) {
                assert_eq!(
                    all.iter()
                        .filter(|o| (o.m, o.n, o.k) == (s.m, s.n, s.k))
                        .count(),
                    1,
                    "{}",
                    s.name
                );
            }
        }
        // 8192³ and 8192x8192x512 are in more than one suite.
        assert_eq!(all.len(), 7 + 4 + 6 - 4 - 2);
    }
}
