//! Shared-memory transaction barriers (`mbarrier`): the handshake between the TMA producer and
//! the `wgmma` consumers (sm_90), and the `mma.sync` teams' hand-over of partial sums (sm_80
//! and newer: [`init`], [`arrive`] and [`test_wait`] need no sm_90 feature).
//!
//! A barrier lives in 8 bytes of shared memory and counts down, per *phase*, a number of
//! arrivals and (on sm_90) a number of transaction bytes; when both reach zero the phase
//! completes, its parity flips and the counts reload. Waiters name the parity of the phase
//! they wait for, so one barrier serves every trip round a stage ring.
//!
//! Every function takes the barrier's 32-bit shared address ([`super::smem::address`]).

use core::arch::asm;

/// Initialises the barrier at `bar` to expect `arrivals` arrivals per phase; its current
/// phase has parity 0.
///
/// # Safety
/// `bar` is an 8-byte aligned shared address no other thread uses yet; publish the
/// initialisation with [`fence_init`] and a block barrier before anyone else touches it.
#[inline(always)]
pub unsafe fn init(bar: u32, arrivals: u32) {
    unsafe {
        asm!("mbarrier.init.shared::cta.b64 [{}], {};", in(reg32) bar, in(reg32) arrivals,
            options(nostack))
    };
}

/// Orders this thread's prior `mbarrier.init`s before later uses by other threads and by the
/// asynchronous proxy (TMA's `complete_tx`). A `bar.sync` must follow before those uses.
#[inline(always)]
pub fn fence_init() {
    // SAFETY: a fence has no operands.
    unsafe { asm!("fence.mbarrier_init.release.cluster;", options(nostack)) };
}

/// Arrives once (release semantics at CTA scope: this thread's prior accesses, and the
/// `wgmma` reads it has waited for, happen before the phase completes).
///
/// # Safety
/// `bar` is an initialised barrier.
#[inline(always)]
pub unsafe fn arrive(bar: u32) {
    unsafe { asm!("mbarrier.arrive.shared::cta.b64 _, [{}];", in(reg32) bar, options(nostack)) };
}

/// Arrives once on a barrier of any block of the cluster: `bar` is a cluster-window address
/// ([`super::cluster::map_shared`]), possibly of this block's own barrier.
///
/// Release semantics at CTA scope, as [`arrive`]: enough for a barrier that only says "this
/// thread is done *reading*" (the reads it stands for have completed before it issues; no
/// write of this thread needs to reach the waiter). Cluster scope would order this thread's
/// writes for the other block too, at the price of a `MEMBAR.GPU` per arrival (ptxas'
/// lowering of `.release.cluster`).
///
/// # Safety
/// `bar` is an initialised barrier of a block of this cluster that has not exited.
#[inline(always)]
pub unsafe fn arrive_cluster(bar: u32) {
    unsafe {
        asm!("mbarrier.arrive.release.cta.shared::cluster.b64 _, [{}];", in(reg32) bar,
            options(nostack))
    };
}

/// Arrives once and raises the phase's expected transaction count by `bytes`: the phase then
/// also waits for that many bytes of `complete_tx` (the TMA loads that name this barrier).
///
/// # Safety
/// `bar` is an initialised barrier.
#[inline(always)]
pub unsafe fn arrive_expect_tx(bar: u32, bytes: u32) {
    unsafe {
        asm!("mbarrier.arrive.expect_tx.shared::cta.b64 _, [{}], {};",
            in(reg32) bar, in(reg32) bytes, options(nostack))
    };
}

/// `mbarrier.OP.parity` on `bar` for `parity`, as a `bool`: the two queries differ only in
/// the instruction.
macro_rules! phase_completed {
    ($op:literal, $bar:expr, $parity:expr) => {{
        let done: u32;
        unsafe {
            asm!(
                concat!("{{ .reg .pred p; mbarrier.", $op, ".parity.shared::cta.b64 p, [{bar}], {parity}; selp.u32 {done}, 1, 0, p; }}"),
                bar = in(reg32) $bar, parity = in(reg32) $parity, done = out(reg32) done,
                options(nostack)
            )
        };
        done != 0
    }};
}

/// Whether the phase of parity `parity` has completed (acquire semantics at CTA scope). The
/// hardware suspends the thread for a while before answering `false`, so a loop around it is
/// not a hot spin.
///
/// # Safety
/// `bar` is an initialised barrier.
#[inline(always)]
pub unsafe fn try_wait(bar: u32, parity: u32) -> bool {
    phase_completed!("try_wait", bar, parity)
}

/// As [`try_wait`], without the suspension, and on sm_80 too: a loop around it spins.
///
/// # Safety
/// `bar` is an initialised barrier.
#[inline(always)]
pub unsafe fn test_wait(bar: u32, parity: u32) -> bool {
    phase_completed!("test_wait", bar, parity)
}

/// Blocks until the phase of parity `parity` has completed.
///
/// The caller must know that the barrier is at most one phase behind: a barrier two phases
/// behind has the same parity as the one awaited and would let the wait through.
///
/// # Safety
/// `bar` is an initialised barrier.
#[inline(always)]
pub unsafe fn wait(bar: u32, parity: u32) {
    while !unsafe { try_wait(bar, parity) } {}
}
