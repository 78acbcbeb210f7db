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
