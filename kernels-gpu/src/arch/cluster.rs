//! Thread-block clusters (sm_90): blocks launched together on one GPC, which can read, write
//! and signal each other's shared memory (distributed shared memory).
//!
//! A grid launched with cluster dimensions `(c, 1, 1)` is cut into clusters of `c`
//! consecutive blocks: block `b` is rank `b % c` of cluster `b / c` (PTX's `%cluster_ctaid`
//! is `%ctaid` modulo the cluster's extent). A grid launched without clusters is a grid of
//! clusters of one.

use core::arch::asm;

/// This block's rank in its cluster, `0..`[`size`] (`%cluster_ctarank`).
#[inline(always)]
pub fn rank() -> u32 {
    let r: u32;
    // SAFETY: reading a special register has no side effects.
    unsafe { asm!("mov.u32 {}, %cluster_ctarank;", out(reg32) r, options(pure, nomem, nostack)) };
    r
}

/// Blocks in this block's cluster (`%cluster_nctarank`): 1 when launched without clusters.
#[inline(always)]
pub fn size() -> u32 {
    let r: u32;
    // SAFETY: as [`rank`].
    unsafe { asm!("mov.u32 {}, %cluster_nctarank;", out(reg32) r, options(pure, nomem, nostack)) };
    r
}

/// The address, in the cluster's shared window, of the variable at CTA-local shared address
/// `addr` in the shared memory of the block of rank `rank` (`mapa`). Every block of a kernel
/// lays out its shared memory alike, so the same offset names the same variable.
#[inline(always)]
pub fn map_shared(addr: u32, rank: u32) -> u32 {
    let r: u32;
    // SAFETY: address arithmetic only; nothing is accessed.
    unsafe {
        asm!("mapa.shared::cluster.u32 {}, {}, {};", out(reg32) r, in(reg32) addr, in(reg32) rank,
            options(pure, nomem, nostack))
    };
    r
}

/// Every thread of every block of the cluster arrives, then waits for all of them: a
/// `__syncthreads()` over the cluster. Release / acquire at cluster scope: memory accesses
/// (and mbarrier initialisations fenced with `fence.mbarrier_init`) before it, in any block,
/// are visible to every thread of the cluster after it.
///
/// The non-`.aligned` forms: callers reach it right after warp-divergent code (one thread of
/// a warp initialising barriers or producing), where `.aligned` would require the whole warp
/// to execute the same instruction instance.
#[inline(always)]
pub fn sync() {
    // SAFETY: every non-exited thread of the cluster reaches this call (kernels call it
    // outside divergent code, once per block per use); it has no operands.
    unsafe {
        asm!(
            "barrier.cluster.arrive.release;",
            "barrier.cluster.wait.acquire;",
            options(nostack)
        )
    };
}
