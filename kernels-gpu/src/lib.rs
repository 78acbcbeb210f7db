//! Tessera's device code.
//!
//! Built twice:
//! - for `nvptx64-nvidia-cuda` by `host/build.rs` (see `tessera-ptx-builder`), which turns the
//!   entry points of [`kernels`] into a PTX module;
//! - for the host, where only the parts that do not touch hardware are compiled: the tile
//!   schedulers ([`schedule`]), the parameter structs the host fills in ([`params`]) and the
//!   kernel table ([`kernels::KERNELS`]). Those are unit- and property-tested on the CPU, so the
//!   index math that runs on the GPU is the math that was tested.
//!
//! Layout of a GEMM kernel (CUTLASS vocabulary): a **tile scheduler** says which output tile a
//! block works on next, a **mainloop** runs the k-loop for one tile into a register
//! accumulator, an **epilogue** applies `alpha`/`beta` and stores. Naive vs persistent grid is
//! only a choice of scheduler.
#![no_std]
#![cfg_attr(
    target_arch = "nvptx64",
    feature(
        abi_ptx,
        asm_experimental_arch,
        core_intrinsics,
        gpu_intrinsics,
        gpu_launch_sized_workgroup_mem
    )
)]
#![cfg_attr(target_arch = "nvptx64", allow(internal_features))]

#[cfg(target_arch = "nvptx64")]
pub mod arch;
#[cfg(target_arch = "nvptx64")]
pub mod epilogue;
#[cfg(target_arch = "nvptx64")]
pub mod mainloop;

pub mod element;
pub mod kernels;
pub mod mma_layout;
pub mod params;
pub mod record;
pub mod schedule;
pub mod select;
pub mod shapes;
pub mod sm90_layout;
pub mod swizzle;

/// A kernel that panics (it should not: the host validates every input) traps, which fails the
/// launch with an error the host reports, instead of hanging the GPU.
#[cfg(target_arch = "nvptx64")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    arch::trap()
}
