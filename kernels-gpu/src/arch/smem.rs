//! Shared memory.

use core::arch::asm;

/// The block's dynamic shared memory, viewed as one `T`.
///
/// The host sizes the launch with `size_of::<T>()` bytes; the window is aligned to
/// `align_of::<T>()` (TMA's 128-byte swizzle needs 1024).
///
/// # Safety
/// The launch must provide at least `size_of::<T>()` bytes of dynamic shared memory, and
/// every kernel must view it through one type.
#[inline(always)]
pub unsafe fn dynamic<T>() -> *mut T {
    // The intrinsic returns a pointer into the `.shared` window that LLVM can see is shared
    // memory, so plain Rust loads and stores through it become `ld.shared`/`st.shared`.
    core::intrinsics::gpu::gpu_launch_sized_workgroup_mem::<T>()
}

/// The 32-bit shared-window address of `p`, as `ldmatrix`, `cp.async`, `mbarrier`, TMA and
/// `wgmma` descriptors take it.
#[inline(always)]
pub fn address<T>(p: *const T) -> u32 {
    let a: u32;
    // SAFETY: pure address arithmetic.
    unsafe {
        asm!(
            "{{ .reg .u64 t; cvta.to.shared.u64 t, {p}; cvt.u32.u64 {a}, t; }}",
            p = in(reg64) p, a = out(reg32) a, options(pure, nomem, nostack)
        )
    };
    a
}

/// Stores 16 bytes at the shared-window address `addr`.
///
/// # Safety
/// `addr` is a 16-byte aligned address inside the block's shared memory.
#[inline(always)]
pub unsafe fn store_b32x4(addr: u32, v: [u32; 4]) {
    unsafe {
        asm!("st.shared.v4.b32 [{}], {{{}, {}, {}, {}}};",
            in(reg32) addr, in(reg32) v[0], in(reg32) v[1], in(reg32) v[2], in(reg32) v[3],
            options(nostack))
    };
}

/// Loads 16 bytes from the shared-window address `addr`.
///
/// # Safety
/// `addr` is a 16-byte aligned address inside the block's shared memory.
#[inline(always)]
pub unsafe fn load_b32x4(addr: u32) -> [u32; 4] {
    let v: [u32; 4];
    unsafe {
        let (a, b, c, d): (u32, u32, u32, u32);
        asm!("ld.shared.v4.b32 {{{}, {}, {}, {}}}, [{}];",
            out(reg32) a, out(reg32) b, out(reg32) c, out(reg32) d, in(reg32) addr,
            options(nostack, readonly));
        v = [a, b, c, d];
    }
    v
}

/// Stores 8 bytes at the shared-window address `addr`.
///
/// # Safety
/// `addr` is an 8-byte aligned address inside the block's shared memory.
#[inline(always)]
pub unsafe fn store_b32x2(addr: u32, v: [u32; 2]) {
    unsafe {
        asm!("st.shared.v2.b32 [{}], {{{}, {}}};", in(reg32) addr, in(reg32) v[0], in(reg32) v[1],
            options(nostack))
    };
}

/// Stores 4 bytes at the shared-window address `addr`.
///
/// # Safety
/// `addr` is a 4-byte aligned address inside the block's shared memory.
#[inline(always)]
pub unsafe fn store_b32(addr: u32, v: u32) {
    unsafe { asm!("st.shared.b32 [{}], {};", in(reg32) addr, in(reg32) v, options(nostack)) };
}

/// Loads 4 bytes from the shared-window address `addr`.
///
/// # Safety
/// `addr` is a 4-byte aligned address inside the block's shared memory.
#[inline(always)]
pub unsafe fn load_b32(addr: u32) -> u32 {
    let v: u32;
    unsafe {
        asm!("ld.shared.b32 {}, [{}];", out(reg32) v, in(reg32) addr, options(nostack, readonly))
    };
    v
}
