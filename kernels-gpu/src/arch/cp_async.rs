//! `cp.async` (sm_80+): global → shared copies that bypass registers and complete
//! asynchronously, so a load in flight costs no register while the thread computes.

use super::{global, smem};
use core::arch::asm;

/// Copies 16 bytes, reading only the first `src_bytes` (0..=16) of `src` and zero-filling the
/// rest: a partial or empty copy at a matrix edge needs no separate path.
///
/// # Safety
/// `dst` is a 16-byte aligned shared address; `src` is 16-byte aligned, and its first
/// `src_bytes` bytes are readable global memory.
#[inline(always)]
pub unsafe fn copy_16(dst: u32, src: *const u8, src_bytes: u32) {
    // .cg: cache in L2 only; a tile is read once per block, L1 would only be polluted.
    unsafe {
        asm!("cp.async.cg.shared.global [{}], [{}], 16, {};",
            in(reg32) dst, in(reg64) src, in(reg32) src_bytes, options(nostack))
    };
}

/// Copies 16 bytes if `copy`, and otherwise issues nothing: `dst` keeps what it held. For
/// chunks whose contents do not matter, where a zero-fill would cost the selects of a size
/// and a safe address.
///
/// # Safety
/// As [`copy_16`] with `src_bytes` 16, where `copy`; nothing otherwise.
#[inline(always)]
pub unsafe fn copy_16_if(dst: u32, src: *const u8, copy: bool) {
    unsafe {
        asm!(
            "{{ .reg .pred p; setp.ne.u32 p, {}, 0; @p cp.async.cg.shared.global [{}], [{}], 16; }}",
            in(reg32) copy as u32, in(reg32) dst, in(reg64) src, options(nostack)
        )
    };
}

/// As [`copy_16`], for a chunk that a matrix edge may cut: a whole or empty chunk goes through
/// `cp.async`, a cut one (`src_bytes` 2..=14, even) is read with ordinary 2-byte loads and
/// stored at once. A partial `cp.async` reads only `src_bytes`, but compute-sanitizer counts it
/// as a 16-byte read and reports it when the chunk ends past the allocation; edge chunks are
/// rare, so the synchronous path costs nothing measurable and keeps the sanitizer meaningful.
///
/// # Safety
/// As [`copy_16`]; `src_bytes` is even.
#[inline(always)]
pub unsafe fn copy_16_at_edge(dst: u32, src: *const u8, src_bytes: u32) {
    if src_bytes == 0 || src_bytes == 16 {
        unsafe { copy_16(dst, src, src_bytes) };
        return;
    }
    let half = |i: u32| {
        if 2 * i < src_bytes {
            // SAFETY: the first `src_bytes` bytes of `src` are readable.
            u32::from(unsafe { global::load_b16(src.add(2 * i as usize).cast()) })
        } else {
            0
        }
    };
    let words = [0, 1, 2, 3].map(|w| half(2 * w) | half(2 * w + 1) << 16);
    unsafe { smem::store_b32x4(dst, words) };
}

/// Copies 4 bytes, or writes 4 zero bytes when `src_bytes` is 0.
///
/// # Safety
/// `dst` is a 4-byte aligned shared address; `src` is 4-byte aligned and readable when
/// `src_bytes` is 4.
#[inline(always)]
pub unsafe fn copy_4(dst: u32, src: *const u8, src_bytes: u32) {
    unsafe {
        asm!("cp.async.ca.shared.global [{}], [{}], 4, {};",
            in(reg32) dst, in(reg64) src, in(reg32) src_bytes, options(nostack))
    };
}

/// Closes the group of copies issued so far by this thread.
#[inline(always)]
pub fn commit() {
    // SAFETY: no operands.
    unsafe { asm!("cp.async.commit_group;", options(nostack)) };
}

/// Waits until at most `pending` of this thread's committed groups are still in flight.
/// Other threads' copies need a barrier after this before they are read.
///
/// `pending` must be a constant after inlining (the instruction takes an immediate): the
/// `match` turns it into one and the other arms fold away. Counts above 7 wait as for 7,
/// which is only stricter.
#[inline(always)]
pub fn wait_group(pending: usize) {
    macro_rules! wait {
        ($n:literal) => {
            // SAFETY: waits for this thread's own copies.
            unsafe { asm!(concat!("cp.async.wait_group ", $n, ";"), options(nostack)) }
        };
    }
    match pending {
        0 => wait!(0),
        1 => wait!(1),
        2 => wait!(2),
        3 => wait!(3),
        4 => wait!(4),
        5 => wait!(5),
        6 => wait!(6),
        _ => wait!(7),
    }
}
