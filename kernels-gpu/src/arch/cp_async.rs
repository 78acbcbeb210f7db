//! `cp.async` (sm_80+): global → shared copies that bypass registers and complete
//! asynchronously, so a load in flight costs no register while the thread computes.

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
