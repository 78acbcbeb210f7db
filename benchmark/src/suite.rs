//! The shapes the benchmark runs.

/// One problem size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
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

    /// Parses `4096x4096x4096` (or `4096` for a cube).
    pub fn parse(s: &str) -> Result<Self, String> {
        let dims: Vec<usize> = s
            .split('x')
            .map(|d| {
                d.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("bad shape `{s}`: expected MxNxK"))
            })
            .collect::<Result<_, _>>()?;
        match dims[..] {
            [s] => Ok(Shape::new(s, s, s)),
            [m, n, k] => Ok(Shape::new(m, n, k)),
            _ => Err(format!("bad shape `{s}`: expected MxNxK")),
        }
    }
}

/// The default suite: squares, a K-light and a ragged shape, and one whose 128 × 128 tile
/// count is just above a multiple of what the GPU holds at once (`resident_tiles`), where the
/// last wave of a naive grid runs nearly empty.
pub fn default_suite(resident_tiles: usize) -> Vec<Shape> {
    let mut v: Vec<Shape> = [1024, 2048, 4096, 8192]
        .iter()
        .map(|&s| Shape::new(s, s, s))
        .collect();
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
        assert!(Shape::parse("1x2").is_err());
    }

    #[test]
    fn wave_shape_is_just_above_a_full_wave() {
        let s = default_suite(264).pop().unwrap();
        let tiles = s.m.div_ceil(128) * s.n.div_ceil(128);
        assert!(tiles > 264 && tiles <= 264 + 5, "{tiles}");
    }
}
