//! Warp-level data exchange.

use core::arch::asm;

/// The value `x` of lane `lane_id() ^ mask`, for every lane of the warp.
///
/// Every lane of the warp calls it (the member mask is the full warp).
#[inline(always)]
pub fn shfl_xor(x: f32, mask: u32) -> f32 {
    let r: f32;
    // SAFETY: a register-only warp instruction; the callers are warp-uniform code with every
    // lane active, as the full member mask requires.
    unsafe {
        asm!("shfl.sync.bfly.b32 {}, {}, {}, 0x1f, 0xffffffff;", out(reg32) r, in(reg32) x,
            in(reg32) mask, options(pure, nomem, nostack))
    };
    r
}
