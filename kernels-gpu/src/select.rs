//! Whether the tensor-core kernels can run a problem, and with which tile configuration.

use crate::params::GemmParams;
use crate::shapes::{
    MMA_128X128, MMA_128X256, MmaShape, TileShape, WGMMA_COOPERATIVE, WGMMA_PINGPONG,
};

/// Why the `mma.sync` kernels cannot run a problem (the host then falls back to another path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MmaUnsupported {
    /// `m`, `n` or `k` is 0.
    Empty,
    /// `A`, `B` or `C` does not start on a 16-byte boundary (`cp.async` copies 16-byte chunks).
    Misaligned,
    /// `lda`, `ldb` or `ldc` is not a multiple of 8 elements (16 bytes), so rows would not
    /// start on 16-byte boundaries.
    LeadingDimension,
    /// A leading dimension is shorter than its row (`lda < k`, `ldb < n` or `ldc < n`).
    RowLongerThanLeadingDimension,
    /// A batch stride is not a multiple of 8 elements: later problems would not start on
    /// 16-byte boundaries.
    BatchStride,
    /// `A` or `B` is column-major: the kernels read row-major operands only.
    Layout,
    /// `m`, `n` or `k` is so close to `u32::MAX` that tile indices would overflow.
    TooLarge,
}

/// The conditions `mainloop::sm80_mma_sync` relies on, checked on the parameters the host
/// is about to launch with (device addresses, elements counted in the kernels' own types).
/// Whatever passes runs correctly for every shape: the padding along `K` is zero-filled on
/// load, chunks below `M` or right of `N` are skipped or read from inside the matrix (they
/// feed only outputs that are never stored), and stores are masked.
pub const fn mma_can_implement(p: &GemmParams) -> Result<(), MmaUnsupported> {
    /// Largest tile extent: indices up to `extent + 256` are formed in 32 bits.
    const MARGIN: u32 = 256;
    if p.m == 0 || p.n == 0 || p.k == 0 {
        return Err(MmaUnsupported::Empty);
    }
    if !(p.a.is_multiple_of(16) && p.b.is_multiple_of(16) && p.c.is_multiple_of(16)) {
        return Err(MmaUnsupported::Misaligned);
    }
    if !(p.lda.is_multiple_of(8) && p.ldb.is_multiple_of(8) && p.ldc.is_multiple_of(8)) {
        return Err(MmaUnsupported::LeadingDimension);
    }
    if p.layout != 0 {
        return Err(MmaUnsupported::Layout);
    }
    if p.lda < p.k || p.ldb < p.n || p.ldc < p.n {
        return Err(MmaUnsupported::RowLongerThanLeadingDimension);
    }
    if p.batch > 1
        && !(p.batch_stride_a.is_multiple_of(8)
            && p.batch_stride_b.is_multiple_of(8)
            && p.batch_stride_c.is_multiple_of(8))
    {
        return Err(MmaUnsupported::BatchStride);
    }
    if p.m > u32::MAX - MARGIN || p.n > u32::MAX - MARGIN || p.k > u32::MAX - MARGIN {
        return Err(MmaUnsupported::TooLarge);
    }
    Ok(())
}

/// Picks the `mma.sync` tile for an `m × n` output on a GPU with `sms` multiprocessors of
/// `smem_per_sm` bytes of shared memory each.
///
/// # Rule
/// Count, for each configuration, the work of the busiest SM in units of one 128 × 128
/// tile: `ceil(tiles / sms) · (block_n / 128)`. Blocks resident on an SM at once share its
/// tensor cores, so a SM's time is roughly proportional to that load. Then:
///
/// - Where the 128 × 256 tile's 144 KiB do not fit at all (Ada's 100 KiB), 128 × 128.
/// - Where two 128 × 128 blocks fit on an SM (their 2 × 96 KiB of stages: Hopper's 228 KiB),
///   take 128 × 256 only when its load is smaller. Two narrow blocks side by side run at
///   least as fast as one wide block (measured on an H100, bf16, in the same runs: 8192³
///   446 and 448 against 436 and 435 TFLOP/s on the naive grid; 8192 × 8192 × 512 345
///   against 314; 1024³ 106 against 75): each block's barrier stalls only its own four warps
///   while the other block's keep the tensor cores busy. In practice the wide tile's load is
///   never smaller there, so Hopper takes 128 × 128.
/// - Where one narrow block fits (A100's 164 KiB), take 128 × 256 unless its load is larger:
///   a lone 4-warp block hides less latency than an 8-warp one, and the wide tile moves 25%
///   fewer bytes from L2 per output (`(128 + 256) / (128 · 256)` against
///   `2 · 128 / (128 · 128)` per k). 128 × 128 still wins when the wide tile leaves SMs idle
///   (fewer tiles than SMs), pays for a padded half (`n` just above a multiple of 256) or a
///   worse last wave.
///
/// `k` scales both loads alike, so it does not enter the rule.
pub const fn mma_tile(m: u32, n: u32, sms: u32, smem_per_sm: u32) -> &'static MmaShape {
    let sms = if sms == 0 { 1 } else { sms };
    let (wide, narrow) = (
        load(&MMA_128X256.tile, m, n, sms),
        load(&MMA_128X128.tile, m, n, sms),
    );
    if smem_per_sm < MMA_128X256.smem_bytes() {
        // The wide tile's stages do not fit (Ada: 100 KiB per SM).
        return &MMA_128X128;
    }
    let narrow_pairs = smem_per_sm >= 2 * MMA_128X128.smem_bytes();
    if wide < narrow || (!narrow_pairs && wide == narrow) {
        &MMA_128X256
    } else {
        &MMA_128X128
    }
}

/// Whether the Hopper kernel runs an `m × n` output faster ping-pong (a 128 × 128 tile per
/// consumer) than cooperative (a 128 × 256 tile per block), on a GPU with `sms`
/// multiprocessors.
///
/// # Rule
/// [`mma_tile`]'s: the busiest SM's work in 128 × 128 tiles, with one block per SM either
/// way (a ping-pong block's two consumers take alternate tiles). Ping-pong when its load is
/// smaller, i.e. when the wide tile leaves SMs idle or adds a ragged last wave (1024², or
/// 640 × 6784: 135 wide tiles on 132 SMs, load 4, against 265 narrow ones, load 3).
/// Cooperative on ties: it reads 25% fewer bytes from L2 per output, which is what bounds
/// large squares (measured on an H100: 802 against 713 TFLOP/s at 8192³, bf16).
pub const fn wgmma_prefers_pingpong(m: u32, n: u32, sms: u32) -> bool {
    let sms = if sms == 0 { 1 } else { sms };
    load(&WGMMA_PINGPONG.tile, m, n, sms) < load(&WGMMA_COOPERATIVE.tile, m, n, sms)
}

/// The busiest SM's work, in 128 × 128 tiles, with `tile`-sized tiles.
const fn load(tile: &TileShape, m: u32, n: u32, sms: u32) -> u64 {
    let tiles = m.div_ceil(tile.block_m) as u64 * n.div_ceil(tile.block_n) as u64;
    tiles.div_ceil(sms as u64) * (tile.block_m as u64 * tile.block_n as u64) / (128 * 128)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H100: u32 = 132;
    const A100: u32 = 108;
    /// Shared memory per SM.
    const H100_SMEM: u32 = 228 * 1024;
    const A100_SMEM: u32 = 164 * 1024;

    #[test]
    fn large_squares_take_two_narrow_blocks_where_they_fit_else_the_wide_tile() {
        for s in [2048, 4096, 8192] {
            assert_eq!(mma_tile(s, s, H100, H100_SMEM), &MMA_128X128, "{s}");
        }
        for s in [4096, 8192] {
            assert_eq!(mma_tile(s, s, A100, A100_SMEM), &MMA_128X256, "{s}");
        }
        // 2048² on an A100: 128 wide tiles need two rounds of 108 SMs (load 4), 256 narrow
        // ones three (load 3).
        assert_eq!(mma_tile(2048, 2048, A100, A100_SMEM), &MMA_128X128);
    }

    #[test]
    fn fewer_tiles_than_sms_take_the_small_tile() {
        // 1024²: 64 tiles of 128 × 128 already leave half of an H100 idle.
        assert_eq!(mma_tile(1024, 1024, H100, A100_SMEM), &MMA_128X128);
        assert_eq!(mma_tile(1, 1, H100, A100_SMEM), &MMA_128X128);
    }

    #[test]
    fn narrow_outputs_do_not_pad_to_256() {
        // n = 128: a 256-wide tile would compute a padded half.
        assert_eq!(mma_tile(16384, 128, H100, A100_SMEM), &MMA_128X128);
        // n = 257: 2 wide tiles per row (511 columns computed) vs 3 narrow (384).
        assert_eq!(mma_tile(16384, 257, H100, A100_SMEM), &MMA_128X128);
    }

    #[test]
    fn wave_quantisation_decides() {
        // 33 × 16 = 528 wide tiles = exactly 4 waves of 132; 128 × 128 has 1056 = 8 waves.
        assert_eq!(mma_tile(33 * 128, 4096, H100, A100_SMEM), &MMA_128X256);
        // 132 wide tiles + 1: the wide tile needs a second wave (load 4), the narrow one
        // spreads 266 tiles as 3 per SM at most (load 3).
        assert_eq!(mma_tile(133 * 128, 256, H100, A100_SMEM), &MMA_128X128);
    }

    #[test]
    fn hopper_takes_ping_pong_only_where_its_load_is_smaller() {
        for s in [2048, 4096, 8192] {
            assert!(!wgmma_prefers_pingpong(s, s, H100), "{s}");
        }
        assert!(wgmma_prefers_pingpong(1024, 1024, H100));
        assert!(wgmma_prefers_pingpong(640, 6784, H100));
        assert!(!wgmma_prefers_pingpong(8192, 8192, 1));
    }

    fn params(m: u32, n: u32, k: u32) -> GemmParams {
        GemmParams {
            a: 0x1000,
            b: 0x2000,
            c: 0x3000,
            m,
            n,
            k,
            lda: k.next_multiple_of(8),
            ldb: n.next_multiple_of(8),
            ldc: n.next_multiple_of(8),
            alpha: 1.0,
            beta: 0.0,
            ..GemmParams::default()
        }
    }

    #[test]
    fn odd_shapes_with_padded_leading_dimensions_are_supported() {
        for (m, n, k) in [(1, 1, 1), (777, 1000, 4095), (4096, 4096, 4096), (5, 3, 9)] {
            assert_eq!(mma_can_implement(&params(m, n, k)), Ok(()), "{m} {n} {k}");
        }
    }

    #[test]
    fn each_requirement_is_reported() {
        let ok = params(100, 100, 100);
        let cases = [
            (GemmParams { k: 0, ..ok }, MmaUnsupported::Empty),
            (GemmParams { b: ok.b + 8, ..ok }, MmaUnsupported::Misaligned),
            (GemmParams { c: ok.c + 4, ..ok }, MmaUnsupported::Misaligned),
            (
                GemmParams { lda: 100, ..ok },
                MmaUnsupported::LeadingDimension,
            ),
            (
                GemmParams { ldc: 96, ..ok },
                MmaUnsupported::RowLongerThanLeadingDimension,
            ),
            (
                GemmParams {
                    m: u32::MAX - 8,
                    ..ok
                },
                MmaUnsupported::TooLarge,
            ),
        ];
        for (p, why) in cases {
            assert_eq!(mma_can_implement(&p), Err(why), "{p:?}");
        }
    }

    #[test]
    fn the_wide_tile_needs_its_shared_memory() {
        const ADA_SMEM: u32 = 100 * 1024;
        assert_eq!(mma_tile(8192, 8192, 128, ADA_SMEM), &MMA_128X128);
    }

    #[test]
    fn zero_sms_is_treated_as_one() {
        assert_eq!(mma_tile(4096, 4096, 0, A100_SMEM), &MMA_128X256);
    }
}
