//! The tensor-memory accelerator (TMA, sm_90): bulk tensor copies global → shared and shared →
//! global described by a `CUtensorMap` the host encoded.
//!
//! Descriptors live in global memory (see `GemmParams::tensor_maps`): rustc has no
//! `__grid_constant__`, and a by-value kernel parameter whose address is taken is copied to
//! local memory, which TMA cannot read. They are passed as generic addresses.

use core::arch::asm;

/// Pulls the descriptor at `map` into the TMA unit's descriptor cache, so that the first copy
/// does not wait for it.
///
/// # Safety
/// `map` is the generic address of a valid `CUtensorMap` (64-byte aligned).
#[inline(always)]
pub unsafe fn prefetch_descriptor(map: u64) {
    unsafe { asm!("prefetch.tensormap [{}];", in(reg64) map, options(nostack)) };
}

/// Copies the box at element coordinates `(x, y, z)` (`x` the contiguous dimension, `z` the
/// matrix of a batch) of the 3-D tensor `map` to shared memory at `dst`, and signals `complete_tx` of the box's size in
/// bytes on the mbarrier `bar` when the data has landed. Elements outside the tensor are
/// written as zero and count towards the bytes.
///
/// `.shared::cluster` with a CTA-local address: a block launched without a cluster is a
/// cluster of one, and its own shared window is part of the cluster window.
///
/// # Safety
/// `map` as in [`prefetch_descriptor`]; `dst` is a shared address aligned as the map's
/// swizzle requires (1024 bytes for 128-byte swizzle) with room for the box; `bar` is an
/// initialised mbarrier whose current phase expects these bytes.
#[inline(always)]
pub unsafe fn load_3d(dst: u32, map: u64, bar: u32, (x, y, z): (i32, i32, i32)) {
    unsafe {
        asm!(
            "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes [{dst}], [{map}, {{{x}, {y}, {z}}}], [{bar}];",
            dst = in(reg32) dst, map = in(reg64) map, x = in(reg32) x, y = in(reg32) y,
            z = in(reg32) z, bar = in(reg32) bar, options(nostack)
        )
    };
}

/// [`load_3d`] into every block of the cluster whose rank is set in `cta_mask`: the box lands
/// at CTA-local shared address `dst` in each of them, and each one's mbarrier at `bar` (the
/// same offset in each block) gets the `complete_tx` of the box's bytes. The box is read from
/// L2 once.
///
/// # Safety
/// As [`load_3d`], in every block of `cta_mask` (each has a barrier at `bar` whose current
/// phase expects these bytes, and room at `dst`); the blocks of `cta_mask` stay resident
/// until the copy completes.
#[inline(always)]
pub unsafe fn load_3d_multicast(
    dst: u32,
    map: u64,
    bar: u32,
    (x, y, z): (i32, i32, i32),
    cta_mask: u16,
) {
    unsafe {
        asm!(
            "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster [{dst}], [{map}, {{{x}, {y}, {z}}}], [{bar}], {mask};",
            dst = in(reg32) dst, map = in(reg64) map, x = in(reg32) x, y = in(reg32) y,
            z = in(reg32) z, bar = in(reg32) bar, mask = in(reg16) cta_mask, options(nostack)
        )
    };
}

/// Makes this thread's earlier ordinary writes to shared memory visible to the async proxy
/// (TMA), which reads shared memory outside the ordinary memory model: every writing thread
/// fences before the barrier after which one thread issues [`store_3d`].
#[inline(always)]
pub fn fence_proxy_async_shared() {
    // SAFETY: a fence, no operands.
    unsafe { asm!("fence.proxy.async.shared::cta;", options(nostack)) };
}

/// Copies the box at shared address `src` to element coordinates `(x, y, z)` of the 3-D tensor
/// `map`, in this thread's current bulk group ([`commit`]). Elements outside the tensor are
/// not written.
///
/// # Safety
/// `map` as in [`prefetch_descriptor`]; `src` holds the box, laid out as the map's swizzle
/// says, written before a [`fence_proxy_async_shared`] of every writer and a barrier, and
/// left untouched until [`wait_read`] covers this copy.
#[inline(always)]
pub unsafe fn store_3d(map: u64, src: u32, (x, y, z): (i32, i32, i32)) {
    unsafe {
        asm!(
            "cp.async.bulk.tensor.3d.global.shared::cta.bulk_group [{map}, {{{x}, {y}, {z}}}], [{src}];",
            map = in(reg64) map, src = in(reg32) src, x = in(reg32) x, y = in(reg32) y,
            z = in(reg32) z, options(nostack)
        )
    };
}

/// Closes this thread's bulk group of [`store_3d`]s.
#[inline(always)]
pub fn commit() {
    // SAFETY: no operands.
    unsafe { asm!("cp.async.bulk.commit_group;", options(nostack)) };
}

/// Waits until at most `N` of this thread's committed bulk groups are still reading their
/// shared memory (the others' sources may be overwritten).
#[inline(always)]
pub fn wait_read<const N: u32>() {
    // SAFETY: no memory operands.
    unsafe { asm!("cp.async.bulk.wait_group.read {};", const N, options(nostack)) };
}

/// Waits until every bulk group of this thread has completed, its writes to global memory
/// included.
#[inline(always)]
pub fn wait_all() {
    // SAFETY: no memory operands.
    unsafe { asm!("cp.async.bulk.wait_group 0;", options(nostack)) };
}
