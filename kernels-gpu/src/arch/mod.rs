//! Thin, safe-where-possible wrappers over PTX: the device-support layer the kernels are
//! written against. Reads like `cuda_std`: `thread::index_x()`, `smem::dynamic::<T>()`,
//! `sync::threads()`, `warp::shfl_xor()`.
//!
//! Everything here is `#[inline(always)]`: a wrapper must cost nothing over the instruction.

pub mod convert;
pub mod cp_async;
pub mod global;
pub mod mma;
pub mod smem;
pub mod sync;
pub mod thread;
pub mod timer;
pub mod unroll;

// Hopper-only instructions: absent from the sm_80 module.
#[cfg(target_feature = "sm_90a")]
pub mod cluster;
#[cfg(target_feature = "sm_90a")]
pub mod mbarrier;
#[cfg(target_feature = "sm_90a")]
pub mod tma;
#[cfg(target_feature = "sm_90a")]
pub mod warpgroup;
#[cfg(target_feature = "sm_90a")]
pub mod wgmma;

/// Aborts the kernel; the launch fails with `CUDA_ERROR_LAUNCH_FAILED` on the host.
#[inline(always)]
pub fn trap() -> ! {
    // SAFETY: `trap` has no operands and does not return.
    unsafe { core::arch::asm!("trap;", options(noreturn, nostack)) }
}
