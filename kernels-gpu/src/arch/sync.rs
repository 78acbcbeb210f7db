//! Barriers and fences.

use core::arch::asm;

/// `__syncthreads()`: every thread of the block arrives; orders shared-memory accesses.
#[inline(always)]
pub fn threads() {
    // SAFETY: all threads of the block reach this call (kernels keep it out of divergent code).
    unsafe { asm!("bar.sync 0;", options(nostack)) }
}

/// Named barrier `id` (1..16) for `count` threads (a multiple of 32): lets a subset of warps,
/// such as one consumer warpgroup, synchronise without stalling the others.
#[inline(always)]
pub fn named(id: u32, count: u32) {
    // SAFETY: the caller's `count` threads all reach a barrier with the same `id`.
    unsafe { asm!("bar.sync {}, {};", in(reg32) id, in(reg32) count, options(nostack)) }
}

/// Arrive at named barrier `id` without waiting (producer side of a named-barrier handshake).
#[inline(always)]
pub fn named_arrive(id: u32, count: u32) {
    // SAFETY: as [`named`].
    unsafe { asm!("bar.arrive {}, {};", in(reg32) id, in(reg32) count, options(nostack)) }
}
