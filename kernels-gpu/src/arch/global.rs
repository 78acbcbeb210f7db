//! Global-memory access with explicit widths.
//!
//! The kernels' parameters hold plain addresses, so LLVM cannot prove a pointer is global and
//! would emit generic loads; these wrappers say `.global` and the vector width outright.

use core::arch::asm;

/// Four consecutive `f32`, one 16-byte load.
///
/// # Safety
/// `p` is a global address aligned to 16 bytes with 16 readable bytes.
#[inline(always)]
pub unsafe fn load_f32x4(p: *const f32) -> [f32; 4] {
    let (x, y, z, w): (f32, f32, f32, f32);
    unsafe {
        asm!("ld.global.v4.f32 {{{}, {}, {}, {}}}, [{}];",
            out(reg32) x, out(reg32) y, out(reg32) z, out(reg32) w, in(reg64) p,
            options(readonly, nostack, pure))
    };
    [x, y, z, w]
}

/// One `f32`.
///
/// # Safety
/// `p` is a readable global address aligned to 4 bytes.
#[inline(always)]
pub unsafe fn load_f32(p: *const f32) -> f32 {
    let x: f32;
    unsafe {
        asm!("ld.global.f32 {}, [{}];", out(reg32) x, in(reg64) p, options(readonly, nostack, pure))
    };
    x
}

/// Four consecutive `f32`, one 16-byte store.
///
/// # Safety
/// `p` is a global address aligned to 16 bytes with 16 writable bytes.
#[inline(always)]
pub unsafe fn store_f32x4(p: *mut f32, v: [f32; 4]) {
    unsafe {
        asm!("st.global.v4.f32 [{}], {{{}, {}, {}, {}}};",
            in(reg64) p, in(reg32) v[0], in(reg32) v[1], in(reg32) v[2], in(reg32) v[3],
            options(nostack))
    };
}

/// One `f32`.
///
/// # Safety
/// `p` is a writable global address aligned to 4 bytes.
#[inline(always)]
pub unsafe fn store_f32(p: *mut f32, v: f32) {
    unsafe { asm!("st.global.f32 [{}], {};", in(reg64) p, in(reg32) v, options(nostack)) };
}

/// Two consecutive `f32`, one 8-byte load.
///
/// # Safety
/// `p` is a readable global address aligned to 8 bytes.
#[inline(always)]
pub unsafe fn load_f32x2(p: *const f32) -> [f32; 2] {
    unsafe { load_b32x2(p.cast()) }.map(f32::from_bits)
}

/// Two consecutive `f32`, one 8-byte store.
///
/// # Safety
/// `p` is a writable global address aligned to 8 bytes.
#[inline(always)]
pub unsafe fn store_f32x2(p: *mut f32, v: [f32; 2]) {
    unsafe { store_b32x2(p.cast(), v.map(f32::to_bits)) }
}

/// 64 bits as two 32-bit words, e.g. four 16-bit elements.
///
/// # Safety
/// `p` is a readable global address aligned to 8 bytes.
#[inline(always)]
pub unsafe fn load_b32x2(p: *const u32) -> [u32; 2] {
    let (x, y): (u32, u32);
    unsafe {
        asm!("ld.global.v2.b32 {{{}, {}}}, [{}];", out(reg32) x, out(reg32) y, in(reg64) p,
            options(readonly, nostack, pure))
    };
    [x, y]
}

/// 64 bits as two 32-bit words.
///
/// # Safety
/// `p` is a writable global address aligned to 8 bytes.
#[inline(always)]
pub unsafe fn store_b32x2(p: *mut u32, v: [u32; 2]) {
    unsafe {
        asm!("st.global.v2.b32 [{}], {{{}, {}}};", in(reg64) p, in(reg32) v[0], in(reg32) v[1],
            options(nostack))
    };
}

/// 32 bits, e.g. a pair of 16-bit elements.
///
/// # Safety
/// `p` is a readable global address aligned to 4 bytes.
#[inline(always)]
pub unsafe fn load_b32(p: *const u32) -> u32 {
    let x: u32;
    unsafe {
        asm!("ld.global.b32 {}, [{}];", out(reg32) x, in(reg64) p, options(readonly, nostack, pure))
    };
    x
}

/// 32 bits.
///
/// # Safety
/// `p` is a writable global address aligned to 4 bytes.
#[inline(always)]
pub unsafe fn store_b32(p: *mut u32, v: u32) {
    unsafe { asm!("st.global.b32 [{}], {};", in(reg64) p, in(reg32) v, options(nostack)) };
}

/// 16 bits.
///
/// # Safety
/// `p` is a readable global address aligned to 2 bytes.
#[inline(always)]
pub unsafe fn load_b16(p: *const u16) -> u16 {
    let x: u16;
    unsafe {
        asm!("ld.global.b16 {}, [{}];", out(reg16) x, in(reg64) p, options(readonly, nostack, pure))
    };
    x
}

/// 16 bits.
///
/// # Safety
/// `p` is a writable global address aligned to 2 bytes.
#[inline(always)]
pub unsafe fn store_b16(p: *mut u16, v: u16) {
    unsafe { asm!("st.global.b16 [{}], {};", in(reg64) p, in(reg16) v, options(nostack)) };
}

/// Four consecutive `f32`, one 16-byte load from L2 (`.cg`), never from this SM's L1: for
/// data that another block wrote during this launch, which a line the L1 kept from earlier
/// would hide. Not `pure`: it stays after the barriers and atomics that order it.
///
/// # Safety
/// `p` is a global address aligned to 16 bytes with 16 readable bytes.
#[inline(always)]
pub unsafe fn load_f32x4_l2(p: *const f32) -> [f32; 4] {
    let (x, y, z, w): (f32, f32, f32, f32);
    unsafe {
        asm!("ld.global.cg.v4.f32 {{{}, {}, {}, {}}}, [{}];",
            out(reg32) x, out(reg32) y, out(reg32) z, out(reg32) w, in(reg64) p,
            options(readonly, nostack))
    };
    [x, y, z, w]
}

/// Adds `v` to the `u32` at `p` and returns the value before, as one atomic of GPU scope with
/// acquire and release semantics: what this thread (and, through a barrier before, its block)
/// wrote is visible to the thread that reads the sum after it, and what was written before the
/// sums this one read is visible here.
///
/// # Safety
/// `p` is a writable global address aligned to 4 bytes.
#[inline(always)]
pub unsafe fn fetch_add_acq_rel(p: *mut u32, v: u32) -> u32 {
    let old: u32;
    unsafe {
        asm!("atom.acq_rel.gpu.global.add.u32 {}, [{}], {};", out(reg32) old, in(reg64) p,
            in(reg32) v, options(nostack))
    };
    old
}

/// Adds `v` to the `u32` at `p` and returns the value before, as one relaxed atomic of GPU
/// scope: it orders nothing else, for a counter that publishes no data.
///
/// # Safety
/// `p` is a writable global address aligned to 4 bytes.
#[inline(always)]
pub unsafe fn fetch_add_relaxed(p: *mut u32, v: u32) -> u32 {
    let old: u32;
    unsafe {
        asm!("atom.relaxed.gpu.global.add.u32 {}, [{}], {};", out(reg32) old, in(reg64) p,
            in(reg32) v, options(nostack))
    };
    old
}
