//! Warpgroups (sm_90): four consecutive warps, 128 threads, the unit that issues `wgmma` and
//! that `setmaxnreg` re-sizes.

use core::arch::asm;

use super::thread;

/// Threads per warpgroup.
pub const THREADS: u32 = 128;

/// This thread's warpgroup, `threadIdx.x / 128`.
#[inline(always)]
pub fn index() -> u32 {
    thread::index_x() / THREADS
}

/// This thread's index within its warpgroup, `0..128`.
#[inline(always)]
pub fn thread_index() -> u32 {
    thread::index_x() % THREADS
}

/// Releases registers: every thread of the warpgroup keeps at most `N` (24..=256, a multiple
/// of 8). A producer warpgroup, which needs few, gives them back to the pool so that consumer
/// warpgroups can [`increase_registers`].
///
/// The kernel must be compiled with `.maxntid` (launch bounds), or ptxas ignores `setmaxnreg`
/// (warning C7508).
///
/// # Safety
/// All 128 threads of the warpgroup execute it together, and no live value needs more than
/// `N` registers afterwards (ptxas allocates the code that follows within `N`).
#[inline(always)]
pub unsafe fn decrease_registers<const N: u32>() {
    unsafe { asm!("setmaxnreg.dec.sync.aligned.u32 {};", const N, options(nostack)) };
}

/// Claims registers: every thread of the warpgroup may use up to `N` (24..=256, a multiple of
/// 8); waits until the pool has them.
///
/// # Safety
/// All 128 threads of the warpgroup execute it together; the block's warpgroups together never
/// ask for more than the SM's 64 K registers, or this waits forever.
#[inline(always)]
pub unsafe fn increase_registers<const N: u32>() {
    unsafe { asm!("setmaxnreg.inc.sync.aligned.u32 {};", const N, options(nostack)) };
}
