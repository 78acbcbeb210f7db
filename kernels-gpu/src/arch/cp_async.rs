//! Asynchronous global → shared copies (`cp.async`, sm_80+).
//!
//! A thread issues copies, closes them into a *group* with [`commit_group`], and later waits
//! until at most `N` of its groups are still in flight with [`wait_group`]. Groups complete in
//! order. Completion only covers the calling thread's copies: a block barrier after the wait
//! makes every thread's copies visible to every other thread.

use core::arch::asm;

/// Copies 16 bytes from global `src` to shared `dst`, bypassing L1 (`.cg`), reading only the
/// first `src_bytes` (0..=16) and zero-filling the rest.
///
/// `src_bytes == 0` reads nothing and writes 16 zero bytes: the way tiles are padded at the
/// matrix edges without touching memory outside the caller's buffers.
///
/// # Safety
/// `dst` is a 16-byte aligned shared-window address of 16 writable bytes; `src` is a
/// 16-byte aligned global address whose first `src_bytes` bytes are readable (with
/// `src_bytes == 0` any aligned address of the same allocation, such as its start, will do).
/// Nothing else reads or writes `dst` until the group holding this copy has been waited for.
#[inline(always)]
pub unsafe fn copy_16_zfill(dst: u32, src: *const u8, src_bytes: u32) {
    unsafe {
        asm!(
            "cp.async.cg.shared.global [{dst}], [{src}], 16, {n};",
            dst = in(reg32) dst, src = in(reg64) src, n = in(reg32) src_bytes,
            options(nostack)
        )
    };
}

/// Closes the copies issued since the previous commit into one group (possibly empty: an
/// empty group keeps the count of groups per pipeline step uniform).
#[inline(always)]
pub fn commit_group() {
    // SAFETY: only bookkeeping of this thread's copies.
    unsafe { asm!("cp.async.commit_group;", options(nostack)) }
}

/// Waits until at most `pending` of this thread's committed groups are incomplete.
///
/// `pending` must be a constant after inlining (the instruction takes an immediate): a
/// `match` turns it into one, and the other arms fold away. Counts above 7 wait as for 7,
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
