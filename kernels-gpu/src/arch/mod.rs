//! Thin, safe-where-possible wrappers over PTX: the device-support layer the kernels are
//! written against. Reads like `cuda_std`: `thread::index_x()`, `smem::dynamic::<T>()`,
//! `sync::threads()`, `warp::shfl_xor()`.
//!
//! Everything here is `#[inline(always)]`: a wrapper must cost nothing over the instruction.

pub mod convert;
pub mod cp_async;
pub mod global;
pub mod mbarrier;
pub mod mma;
pub mod smem;
pub mod sync;
pub mod thread;
pub mod timer;
pub mod unroll;
pub mod warp;

// Hopper-only instructions: absent from the sm_80 module.
#[cfg(target_feature = "sm_90a")]
pub mod cluster;
#[cfg(target_feature = "sm_90a")]
pub mod tma;
#[cfg(target_feature = "sm_90a")]
pub mod warpgroup;
#[cfg(target_feature = "sm_90a")]
pub mod wgmma;

/// `x`, unchanged, from an instruction the compiler may neither look through nor move: what
/// is computed from the result is computed where it is written. Kernels at the register limit
/// use it to keep the address arithmetic of an epilogue inside the epilogue; without it LLVM
/// hoists the tile-invariant part out of the tile loop, where it stays live (and spills)
/// through the mainloop.
#[inline(always)]
pub fn pinned(x: u32) -> u32 {
    let r;
    // SAFETY: a register move. Not `pure`, so that it is neither hoisted nor merged.
    unsafe {
        core::arch::asm!("mov.b32 {}, {};", out(reg32) r, in(reg32) x, options(nomem, nostack))
    };
    r
}

/// Aborts the kernel; the launch fails with `CUDA_ERROR_LAUNCH_FAILED` on the host.
#[inline(always)]
pub fn trap() -> ! {
    // SAFETY: `trap` has no operands and does not return.
    unsafe { core::arch::asm!("trap;", options(noreturn, nostack)) }
}
