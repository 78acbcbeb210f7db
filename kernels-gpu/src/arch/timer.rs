//! Clocks, for recording when a block worked on which tile.

use core::arch::asm;

/// Nanoseconds from the GPU's global timer (`%globaltimer`); coarse (about 1 µs steps on
/// some GPUs) but comparable across SMs.
#[inline(always)]
pub fn global_ns() -> u64 {
    let t: u64;
    // SAFETY: reading a special register.
    unsafe { asm!("mov.u64 {}, %globaltimer;", out(reg64) t, options(nomem, nostack)) };
    t
}
