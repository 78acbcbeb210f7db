//! Warpgroup matrix multiply-accumulate (`wgmma`, sm_90a).
//!
//! One `wgmma.mma_async` is issued by all 128 threads of a warpgroup together and computes
//! `D(64 × N) = A(64 × 16) · B(16 × N) + scale_d · D`, with `A` and `B` read from shared memory
//! through 64-bit matrix descriptors ([`crate::sm90_layout`]) and `D` held in registers, `N / 2`
//! f32 per thread. It runs asynchronously: issue several, [`commit_group`], and
//! [`wait_group`] before touching `D` or reusing the shared memory.
//!
//! # Accumulator layout (f32, `m64nNk16`)
//! Warp `w` of the warpgroup owns rows `16w .. 16w + 16`. Register `4c + r` (`c` the 8-column
//! chunk, `0..N / 8`) of lane `l` holds row `16w + l / 4 + 8 · (r / 2)`, column
//! `8c + 2 · (l % 4) + r % 2`: see [`accumulator_position`].

use core::arch::asm;

use crate::element::{Bf16, F16};

/// Orders this warpgroup's earlier register and shared-memory accesses before the `wgmma`s
/// that follow (needed before the first `wgmma` and whenever other instructions touched the
/// accumulators).
#[inline(always)]
pub fn fence() {
    // SAFETY: `.sync.aligned`: every thread of the warp executes it together; the kernels
    // call it in warpgroup-uniform code.
    unsafe { asm!("wgmma.fence.sync.aligned;", options(nostack)) };
}

/// Closes the group of `wgmma`s issued since the previous commit.
#[inline(always)]
pub fn commit_group() {
    // SAFETY: as [`fence`].
    unsafe { asm!("wgmma.commit_group.sync.aligned;", options(nostack)) };
}

/// Waits until at most `N` committed groups are still in flight: the older ones have written
/// their accumulators and finished reading shared memory.
#[inline(always)]
pub fn wait_group<const N: u32>() {
    // SAFETY: as [`fence`].
    unsafe { asm!("wgmma.wait_group.sync.aligned {};", const N, options(nostack)) };
}

/// Row and column, within the 64 × N result of one `wgmma`, of accumulator register `reg` of
/// thread `t` (`0..128`) of the warpgroup.
#[inline(always)]
pub const fn accumulator_position(t: u32, reg: u32) -> (u32, u32) {
    let (warp, lane) = (t / 32, t % 32);
    let (chunk, r) = (reg / 4, reg % 4);
    (
        16 * warp + lane / 4 + 8 * (r / 2),
        8 * chunk + 2 * (lane % 4) + r % 2,
    )
}

/// `wgmma` with f32 accumulators for one input element type. `TRANS_A`, `TRANS_B`: 0 for a
/// K-major operand, 1 for an MN-major one (`imm-trans-a`, `imm-trans-b`; 16-bit inputs take
/// either).
pub trait Operand {
    /// `d(64 × 128) = A · B + scale_d · d`.
    ///
    /// # Safety
    /// Warpgroup-uniform; `a` and `b` describe initialised shared memory that stays untouched
    /// until a [`wait_group`] covers this instruction; [`fence`] since `d` was last written
    /// by other instructions.
    unsafe fn mma_m64n128k16<const TRANS_A: u32, const TRANS_B: u32>(
        d: &mut [f32; 64],
        a: u64,
        b: u64,
        scale_d: bool,
    );
    /// `d(64 × 256) = A · B + scale_d · d`.
    ///
    /// # Safety
    /// As [`Operand::mma_m64n128k16`].
    unsafe fn mma_m64n256k16<const TRANS_A: u32, const TRANS_B: u32>(
        d: &mut [f32; 128],
        a: u64,
        b: u64,
        scale_d: bool,
    );
}

/// One `wgmma` with its accumulators as operands `{0}` … `{N/2 - 1}`. `scale-d` is a
/// predicate; `imm-scale-a/b = 1`; `imm-trans-a/b` from the const parameters.
macro_rules! wgmma_fn {
    ($name:ident, $shape:literal, $ty:literal, $regs:literal, [$first:literal $($i:literal)*]) => {
        #[inline(always)]
        unsafe fn $name<const TRANS_A: u32, const TRANS_B: u32>(
            d: &mut [f32; $regs],
            a: u64,
            b: u64,
            scale_d: bool,
        ) {
            unsafe {
                asm!(
                    concat!(
                        "{{ .reg .pred p; setp.ne.b32 p, {scale_d}, 0; wgmma.mma_async.sync.aligned.",
                        $shape, ".f32.", $ty, ".", $ty, " {{{", stringify!($first), "}",
                        $(", {", stringify!($i), "}",)*
                        "}}, {a}, {b}, p, 1, 1, {trans_a}, {trans_b}; }}"
                    ),
                    inout(reg32) d[$first], $(inout(reg32) d[$i],)*
                    a = in(reg64) a, b = in(reg64) b, scale_d = in(reg32) scale_d as u32,
                    trans_a = const TRANS_A, trans_b = const TRANS_B,
                    options(nostack)
                )
            }
        }
    };
}

macro_rules! impl_operand {
    ($t:ty, $ty:literal) => {
        impl Operand for $t {
            wgmma_fn!(mma_m64n128k16, "m64n128k16", $ty, 64, [
                0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
                16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
                32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47
                48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63
            ]);
            wgmma_fn!(mma_m64n256k16, "m64n256k16", $ty, 128, [
                0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
                16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
                32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47
                48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63
                64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79
                80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95
                96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111
                112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127
            ]);
        }
    };
}

impl_operand!(Bf16, "bf16");
impl_operand!(F16, "f16");

macro_rules! fence_operands_impl {
    ($d:ident, [$($i:literal)*]) => {
        // SAFETY: the template is a PTX comment; nothing executes. Not `pure`: it must stay
        // ordered after the (volatile) `wait_group` before it.
        unsafe {
            asm!(
                concat!("// wgmma accumulator fence", $(" {", stringify!($i), "}",)*),
                $(inout(reg32) $d[$i],)* options(nostack)
            )
        }
    };
}

/// Makes every accumulator register an output of an empty instruction, after a
/// [`wait_group`]: code that reads `d` then depends on this point, so the compiler cannot move
/// it above the wait (it would read registers a `wgmma` is still writing).
#[inline(always)]
pub fn fence_operands(d: &mut [f32; 64]) {
    fence_operands_impl!(d, [
        0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
        16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
        32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47
        48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63
    ]);
}
