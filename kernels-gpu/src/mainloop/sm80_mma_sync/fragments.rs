//! The consumer: `ldmatrix` fragments of a stage and the `mma`s of one k16 step.

use super::{Accumulators, MI, NI, Tiling, next_stage, stage_address};
use crate::arch::mma::{MmaInput, ldmatrix_x4, ldmatrix_x4_trans};
use crate::mma_layout::{a_fragment_offset, a_lane_offset, b_fragment_offset, b_lane_offset};
use crate::unroll;

/// The `mma` operands of one k16 step of a warp tile.
#[derive(Clone, Copy)]
pub(super) struct Fragments {
    a: [[u32; 4]; MI], // (MI m16 tiles) × 4 registers
    b: [[u32; 2]; NI], // (NI n8 tiles) × 2 registers
}

/// The consumer's reading position: per-lane swizzled offsets and the stage read now.
pub(super) struct Reads<G> {
    /// Offset in the `A` tile of this lane's `ldmatrix` row for m-tile 0, k16 step 0.
    a_lane: u32,
    /// Offset in the `B` tile of this lane's `ldmatrix.trans` row for n-tiles 0–1, step 0.
    b_lane: u32,
    stage: u32,
    _tiling: core::marker::PhantomData<G>,
}

impl<G: Tiling> Reads<G> {
    /// With the stages `stages` bytes past the address [`Reads::load`] is given: a multiple
    /// of 128 (the window's alignment, whole stages), as [`a_fragment_offset`] and
    /// [`b_fragment_offset`] flip bits 5 and 6 of the lane offsets.
    #[inline(always)]
    pub(super) fn new(warp_m: u32, warp_n: u32, lane: u32, stages: u32) -> Self {
        Reads {
            a_lane: stages + a_lane_offset(warp_m, lane),
            b_lane: stages + b_lane_offset(warp_n, lane, G::B_ROW_CHUNKS),
            stage: 0,
            _tiling: core::marker::PhantomData,
        }
    }

    /// The fragments of k16 step `k16` (a constant after unrolling) of the current stage.
    ///
    /// # Safety
    /// The current stage holds a landed k-tile (or stale data, past the end of the stream);
    /// the whole warp calls it.
    #[inline(always)]
    pub(super) unsafe fn load(&self, smem: u32, k16: u32) -> Fragments {
        let s_a = stage_address::<G>(smem, self.stage);
        let s_b = s_a + G::A_BYTES;
        let mut f = Fragments {
            a: [[0; 4]; MI],
            b: [[0; 2]; NI],
        };
        unroll!(M in 0..4 => {
            let a = a_fragment_offset(self.a_lane, M as u32, k16);
            f.a[M] = unsafe { ldmatrix_x4(s_a + a) };
        });
        unroll!(J in 0..4 => {
            let b = b_fragment_offset(self.b_lane, J as u32, k16, G::B_ROW_CHUNKS);
            let r = unsafe { ldmatrix_x4_trans(s_b + b) };
            f.b[2 * J] = [r[0], r[1]];
            f.b[2 * J + 1] = [r[2], r[3]];
        });
        f
    }

    #[inline(always)]
    pub(super) fn advance(&mut self) {
        self.stage = next_stage::<G>(self.stage);
    }
}

/// `r_acc += A·B` for one k16 step of the warp tile.
#[inline(always)]
pub(super) fn mma<In: MmaInput>(r_acc: &mut Accumulators, f: &Fragments) {
    unroll!(M in 0..4 => {
        unroll!(N in 0..8 => {
            // Serpentine order: consecutive `mma`s share an operand, which the register
            // reuse cache can then serve.
            let n = if M.is_multiple_of(2) { N } else { NI - 1 - N };
            In::mma_m16n8k16(&mut r_acc[M][n], f.a[M], f.b[n]);
        });
    });
}
