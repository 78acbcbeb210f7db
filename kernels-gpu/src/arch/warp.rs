//! Warp-level data exchange.

use core::arch::asm;

/// The 32 bits `x` of lane `lane_id() ^ mask`, for every lane of the warp.
///
/// Every lane of the warp calls it (the member mask is the full warp).
#[inline(always)]
pub fn shfl_xor(x: u32, mask: u32) -> u32 {
    let r: u32;
    // SAFETY: a register-only warp instruction; the callers are warp-uniform code with every
    // lane active, as the full member mask requires. Not `pure`: LLVM could then sink it into
    // a branch that uses its result (a store taken by some lanes only), where the other lanes
    // would not meet it; an instruction with side effects stays where the source puts it.
    unsafe {
        asm!("shfl.sync.bfly.b32 {}, {}, {}, 0x1f, 0xffffffff;", out(reg32) r, in(reg32) x,
            in(reg32) mask, options(nomem, nostack))
    };
    r
}

/// Lane 0's `x`, for every lane of the warp. For a value that is already the same in every
/// lane (such as `threadIdx.x / 128`), this tells ptxas so: branches and addresses derived
/// from it then stay warp-uniform (uniform registers, no per-use `R2UR`), which ptxas cannot
/// prove from the thread index alone.
///
/// Every lane of the warp calls it (the member mask is the full warp).
#[inline(always)]
pub fn broadcast(x: u32) -> u32 {
    let r: u32;
    // SAFETY: as [`shfl_xor`], and not `pure` for the same reason.
    unsafe {
        asm!("shfl.sync.idx.b32 {}, {}, 0, 0x1f, 0xffffffff;", out(reg32) r, in(reg32) x,
            options(nomem, nostack))
    };
    r
}
