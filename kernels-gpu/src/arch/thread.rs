//! Thread, block and grid indices (the PTX special registers).

use core::arch::asm;

macro_rules! special_register {
    ($(#[$doc:meta])* $name:ident, $reg:literal) => {
        $(#[$doc])*
        #[inline(always)]
        pub fn $name() -> u32 {
            let r: u32;
            // SAFETY: reading a special register has no side effects.
            unsafe { asm!(concat!("mov.u32 {}, ", $reg, ";"), out(reg32) r, options(pure, nomem, nostack)) };
            r
        }
    };
}

special_register!(
    /// `threadIdx.x`
    index_x,
    "%tid.x"
);
special_register!(
    /// `blockIdx.x`
    block_index_x,
    "%ctaid.x"
);
special_register!(
    /// `blockDim.x`
    block_dim_x,
    "%ntid.x"
);
special_register!(
    /// `gridDim.x`
    grid_dim_x,
    "%nctaid.x"
);
special_register!(
    /// Lane within the warp, `0..32`.
    lane_id,
    "%laneid"
);
special_register!(
    /// The SM this block runs on (for recording schedules; not stable across launches).
    sm_id,
    "%smid"
);

/// [`index_x`] read again: not `pure`, so that LLVM neither hoists the read nor merges it with
/// an earlier one. Kernels at the register limit read the index where rarely run code needs
/// it, rather than holding it in a register through their loops.
#[inline(always)]
pub fn index_x_again() -> u32 {
    let r: u32;
    // SAFETY: reading a special register has no side effects.
    unsafe { asm!("mov.u32 {}, %tid.x;", out(reg32) r, options(nomem, nostack)) };
    r
}

/// [`block_index_x`] read again, as [`index_x_again`] reads the thread index: for code that
/// runs once per tile, which would otherwise hold the index in a register through the k-loop.
#[inline(always)]
pub fn block_index_x_again() -> u32 {
    let r: u32;
    // SAFETY: reading a special register has no side effects.
    unsafe { asm!("mov.u32 {}, %ctaid.x;", out(reg32) r, options(nomem, nostack)) };
    r
}

/// Warp index within the block (`threadIdx.x / 32`), uniform across the warp.
#[inline(always)]
pub fn warp_id() -> u32 {
    index_x() / 32
}
