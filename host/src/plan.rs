//! From a requested [`Kernel`] and a validated call to the entry point that runs it: the one
//! place where kernel choice, fallbacks and "this kernel cannot" errors are decided.

use crate::element::DType;
use crate::error::{Error, Operand, Result};
use crate::kernel::{Kernel, MmaTile, Schedule, WgmmaSchedule};
use crate::module::Arch;
use tessera_kernels::params::{GemmParams, Layout};
use tessera_kernels::select::{
    MmaUnsupported, mma_can_implement, mma_tile, wgmma_prefers_pingpong,
};
use tessera_kernels::shapes::MMA_128X128;

/// Whether `Kernel::Auto` takes the cooperative kernel in 2-block clusters
/// ([`WgmmaSchedule::CooperativeCluster2`]) instead of the plain cooperative one on Hopper.
/// Off until it has been measured faster on an H100; flip it then (the tests below follow).
const AUTO_PREFERS_CLUSTER2: bool = false;

/// The Hopper schedule `Kernel::Auto` takes.
const AUTO_WGMMA: WgmmaSchedule = if AUTO_PREFERS_CLUSTER2 {
    WgmmaSchedule::CooperativeCluster2
} else {
    WgmmaSchedule::Cooperative
};

/// What to launch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The concrete kernel (never `Auto`).
    pub kernel: Kernel,
    /// Its PTX entry point for these element types, layouts and this alignment.
    pub entry: String,
    pub schedule: Schedule,
}

/// The types, device and problem a plan is made for.
pub(crate) struct Call<'a> {
    pub input: DType,
    pub output: DType,
    pub arch: Arch,
    pub sm_count: u32,
    /// Shared memory per SM in bytes.
    pub smem_per_sm: u32,
    /// The launch parameters (with a row-major `C`: see `GemmDesc::with_row_major_c`).
    pub params: &'a GemmParams,
    /// Lengths in elements of the caller's `A` and `B` buffers (as `params` names them).
    pub input_lens: [usize; 2],
}

impl Call<'_> {
    fn a_column_major(&self) -> bool {
        self.params.layout & Layout::A_COLUMN_MAJOR != 0
    }

    fn b_column_major(&self) -> bool {
        self.params.layout & Layout::B_COLUMN_MAJOR != 0
    }

    /// `A`, `B` and `C` start on 16-byte boundaries and every row (column, if column-major)
    /// does too, in every problem of the batch.
    fn rows_16_byte_aligned(&self, operands: &[Operand]) -> bool {
        let p = self.params;
        operands.iter().all(|op| {
            let (ptr, ld, stride, size) = match op {
                Operand::A => (p.a, p.lda, p.batch_stride_a, self.input.size()),
                Operand::B => (p.b, p.ldb, p.batch_stride_b, self.input.size()),
                Operand::C => (p.c, p.ldc, p.batch_stride_c, self.output.size()),
            };
            let stride = if p.batch > 1 { stride } else { 0 };
            ptr.is_multiple_of(16)
                && (ld as usize * size).is_multiple_of(16)
                && (stride as usize * size).is_multiple_of(16)
        })
    }

    /// The last rows of `A` and `B` (of the last problem), rounded up to whole 16-byte chunks,
    /// stay inside the caller's buffers. The 16-byte fp32 path copies a chunk cut by the
    /// matrix edge with a partial `cp.async`, which reads only the bytes inside the matrix but
    /// which compute-sanitizer counts as a whole 16-byte read; where that read would leave
    /// the buffer, the 4-byte path is taken so that a sanitizer run of the caller's program
    /// stays clean. (Row-major operands: the only ones the fp32 tiled kernel reads.)
    fn last_rows_round_up_inside(&self) -> bool {
        let p = self.params;
        let chunk = 16 / self.input.size();
        let last = p.batch.saturating_sub(1) as usize;
        let fits = |rows: u32, cols: u32, ld: u32, stride: u64, len: usize| {
            rows == 0
                || last * stride as usize
                    + (rows as usize - 1) * ld as usize
                    + (cols as usize).next_multiple_of(chunk)
                    <= len
        };
        fits(p.m, p.k, p.lda, p.batch_stride_a, self.input_lens[0])
            && fits(p.k, p.n, p.ldb, p.batch_stride_b, self.input_lens[1])
    }

    /// `_nt`, `_tn`, `_tt` for a column-major `B`, `A`, both (BLAS's "transposed", relative to
    /// the row-major default); empty for row-major operands.
    fn layout_suffix(&self) -> &'static str {
        match (self.a_column_major(), self.b_column_major()) {
            (false, false) => "",
            (false, true) => "_nt",
            (true, false) => "_tn",
            (true, true) => "_tt",
        }
    }

    /// Why the Hopper kernel cannot run this call, if it cannot.
    fn wgmma_unsupported(&self, kernel: Kernel, schedule: WgmmaSchedule) -> Option<Error> {
        if !self.arch.is_hopper() {
            return Some(unsupported(kernel, "needs an sm_90 (Hopper) GPU"));
        }
        if self.params.layout != 0 && schedule != WgmmaSchedule::Cooperative {
            return Some(unsupported(
                kernel,
                "column-major A or B: built for the cooperative schedule only",
            ));
        }
        if let Some(&operand) = [Operand::A, Operand::B]
            .iter()
            .find(|&&op| !self.rows_16_byte_aligned(&[op]))
        {
            return Some(Error::Misaligned {
                operand,
                requirement: "TMA needs a 16-byte aligned start, and a leading dimension and batch stride that are multiples of 8 elements",
            });
        }
        (self.params.k == 0).then(|| unsupported(kernel, "K = 0 (no k-block to load)"))
    }

    fn mma_unsupported(&self, kernel: Kernel) -> Option<Error> {
        match mma_can_implement(self.params) {
            Ok(()) => None,
            Err(
                MmaUnsupported::Misaligned
                | MmaUnsupported::LeadingDimension
                | MmaUnsupported::BatchStride,
            ) => Some(Error::Misaligned {
                operand: [Operand::A, Operand::B, Operand::C]
                    .into_iter()
                    .find(|&op| !self.rows_16_byte_aligned(&[op]))
                    .unwrap_or(Operand::C),
                requirement: "cp.async needs 16-byte aligned starts, and leading dimensions and batch strides that are multiples of 8 elements",
            }),
            Err(MmaUnsupported::Layout) => Some(unsupported(
                kernel,
                "column-major A or B: row-major operands only",
            )),
            Err(why) => Some(unsupported(kernel, &format!("{why:?}"))),
        }
    }
}

fn unsupported(kernel: Kernel, reason: &str) -> Error {
    Error::Unsupported {
        kernel: kernel.to_string(),
        reason: reason.into(),
    }
}

/// The plan for `kernel`, or why it cannot run `call`.
///
/// `Kernel::Auto` picks, in order:
/// - fp32: the tiled kernel on the persistent grid for row-major `A` and `B` (any alignment:
///   unaligned operands, and buffers that end inside the 16-byte chunk of their last row,
///   take its 4-byte-access variant);
/// - 16-bit inputs on Hopper: `wgmma` on the persistent grid when `A` and `B` suit TMA
///   (16-byte aligned starts, leading dimensions and batch strides multiples of 8) and
///   `K > 0`, in any layout of `A` and `B`: ping-pong for row-major operands where
///   `select::wgmma_prefers_pingpong` says so (outputs too small or ragged for 128 × 256
///   tiles), otherwise cooperative (in 2-block clusters if [`AUTO_PREFERS_CLUSTER2`] and
///   both operands are row-major);
/// - otherwise `mma.sync` on the persistent grid, tile by `select::mma_tile`, for row-major
///   `A` and `B` that are, with `C`, 16-byte aligned with leading dimensions and batch strides
///   multiples of 8, and `K > 0`;
/// - otherwise the textbook kernel, which takes any call.
///
/// A column-major `C` never reaches the planner: the call is turned into `Cᵀ = Bᵀ · Aᵀ` first,
/// so that all-column-major calls run as all-row-major ones.
pub(crate) fn plan(kernel: Kernel, call: &Call) -> Result<Plan> {
    if !kernel.supports(call.input, call.output) {
        return Err(unsupported(
            kernel,
            &format!(
                "inputs {} with output {} are not supported",
                call.input, call.output
            ),
        ));
    }
    let (input, output) = (call.input, call.output);
    let plan = |entry: String, schedule| Plan {
        kernel,
        entry,
        schedule,
    };
    match kernel {
        Kernel::Auto => Ok(auto(call)),
        Kernel::Textbook => Ok(plan(
            format!("textbook_{input}_{output}"),
            Schedule::NaiveGrid,
        )),
        Kernel::Tiled(s) => {
            if call.params.layout != 0 {
                return Err(unsupported(
                    kernel,
                    "column-major A or B: row-major operands only",
                ));
            }
            let suffix = if call.rows_16_byte_aligned(&[Operand::A, Operand::B, Operand::C])
                && call.last_rows_round_up_inside()
            {
                ""
            } else {
                "_unaligned"
            };
            let batched = if call.params.batch > 1 {
                "_batched"
            } else {
                ""
            };
            Ok(plan(format!("tiled_f32_{s}{suffix}{batched}"), s))
        }
        Kernel::MmaSync(tile, s) => match call.mma_unsupported(kernel) {
            Some(e) => Err(e),
            None => {
                let p = call.params;
                let shape = match tile {
                    MmaTile::Auto => mma_tile(p.m, p.n, call.sm_count, call.smem_per_sm),
                    MmaTile::M128N128 => &MMA_128X128,
                    MmaTile::M128N256 => &tessera_kernels::shapes::MMA_128X256,
                };
                let (bm, bn) = (shape.tile.block_m, shape.tile.block_n);
                Ok(plan(format!("mma_{input}_{output}_{bm}x{bn}_{s}"), s))
            }
        },
        Kernel::Wgmma(w, s) => match call.wgmma_unsupported(kernel, w) {
            Some(e) => Err(e),
            None => Ok(plan(
                format!(
                    "wgmma_{input}_{output}_{}_{s}{}",
                    w.entry_name(),
                    call.layout_suffix()
                ),
                s,
            )),
        },
    }
}

fn auto(call: &Call) -> Plan {
    let p = call.params;
    // Ping-pong and the clustered schedules are built for row-major operands only.
    let hopper = if p.layout != 0 {
        WgmmaSchedule::Cooperative
    } else if wgmma_prefers_pingpong(p.m, p.n, call.sm_count) {
        WgmmaSchedule::PingPong
    } else {
        AUTO_WGMMA
    };
    let candidates: &[Kernel] = if call.input == DType::F32 {
        &[Kernel::Tiled(Schedule::Persistent)]
    } else {
        &[
            Kernel::Wgmma(hopper, Schedule::Persistent),
            Kernel::MmaSync(MmaTile::Auto, Schedule::Persistent),
        ]
    };
    candidates
        .iter()
        .find_map(|&k| plan(k, call).ok())
        .unwrap_or_else(|| {
            plan(Kernel::Textbook, call).expect("the textbook kernel takes every call")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOPPER: Arch = Arch { major: 9, minor: 0 };
    const AMPERE: Arch = Arch { major: 8, minor: 0 };

    fn params(m: u32, n: u32, k: u32) -> GemmParams {
        GemmParams {
            a: 1 << 20,
            b: 2 << 20,
            c: 3 << 20,
            m,
            n,
            k,
            lda: k,
            ldb: n,
            ldc: n,
            ..Default::default()
        }
    }

    fn auto_entry(input: DType, output: DType, arch: Arch, p: &GemmParams) -> String {
        plan(
            Kernel::Auto,
            &Call {
                input,
                output,
                arch,
                sm_count: 132,
                // An H100's or an A100's.
                smem_per_sm: if arch.is_hopper() { 228 } else { 164 } * 1024,
                params: p,
                input_lens: [usize::MAX; 2],
            },
        )
        .unwrap()
        .entry
    }

    #[test]
    fn auto_prefers_wgmma_on_hopper_then_mma_then_textbook() {
        let p = params(4096, 4096, 4096);
        assert_eq!(
            auto_entry(DType::BF16, DType::BF16, HOPPER, &p),
            format!("wgmma_bf16_bf16_{AUTO_WGMMA}_persistent")
        );
        assert_eq!(
            auto_entry(DType::BF16, DType::F32, AMPERE, &p),
            "mma_bf16_f32_128x256_persistent"
        );
        let odd = GemmParams { lda: 4097, ..p };
        assert_eq!(
            auto_entry(DType::F16, DType::F16, HOPPER, &odd),
            "textbook_f16_f16"
        );
        // Too few 128 × 256 tiles for the SMs: ping-pong.
        assert_eq!(
            auto_entry(DType::BF16, DType::BF16, HOPPER, &params(1024, 1024, 1024)),
            "wgmma_bf16_bf16_pingpong_persistent"
        );
        let k0 = params(64, 64, 0);
        assert_eq!(
            auto_entry(DType::BF16, DType::BF16, HOPPER, &k0),
            "textbook_bf16_bf16"
        );
    }

    #[test]
    fn auto_takes_mma_when_only_c_breaks_tma_free_rules() {
        // C misaligned: wgmma does not care (its epilogue masks), mma.sync does.
        let p = GemmParams {
            c: (3 << 20) + 2,
            ..params(4096, 4096, 512)
        };
        assert_eq!(
            auto_entry(DType::BF16, DType::BF16, HOPPER, &p),
            format!("wgmma_bf16_bf16_{AUTO_WGMMA}_persistent")
        );
        assert_eq!(
            auto_entry(DType::BF16, DType::BF16, AMPERE, &p),
            "textbook_bf16_bf16"
        );
    }

    /// Every kernel of `Kernel::all()` (what the GPU tests and benchmarks run), for every type
    /// pair it takes, plans an entry point that is built, on Hopper with aligned operands.
    #[test]
    fn every_kernel_plans_a_built_entry() {
        use tessera_kernels::kernels::KERNELS;
        let p = params(4096, 4096, 4096);
        let types = [DType::F32, DType::BF16, DType::F16];
        for kernel in Kernel::all() {
            for (input, output) in types.iter().flat_map(|&i| types.map(|o| (i, o))) {
                if !kernel.supports(input, output) {
                    continue;
                }
                let call = Call {
                    input,
                    output,
                    arch: HOPPER,
                    sm_count: 132,
                    smem_per_sm: 228 * 1024,
                    params: &p,
                    input_lens: [usize::MAX; 2],
                };
                let entry = plan(kernel, &call).unwrap().entry;
                let info = KERNELS.iter().find(|k| k.name == entry);
                let info = info.unwrap_or_else(|| panic!("{kernel}: {entry} is not built"));
                let clustered = kernel.to_string().contains("_cluster2/");
                assert_eq!(info.cluster_m, if clustered { 2 } else { 1 }, "{entry}");
            }
        }
        assert_eq!(
            Kernel::Wgmma(WgmmaSchedule::CooperativeCluster2, Schedule::Persistent).to_string(),
            "wgmma/cooperative_cluster2/persistent"
        );
    }

    /// Column-major operands take the cooperative Hopper entry of their layout (built), the
    /// textbook kernel where nothing else serves them, and a clear error from forced kernels
    /// that cannot; batch strides count in the alignment rules.
    #[test]
    fn layouts_and_batches_plan_built_entries_or_say_why_not() {
        use tessera_kernels::kernels::KERNELS;
        fn call(p: &GemmParams, input: DType, arch: Arch) -> Call<'_> {
            Call {
                input,
                output: input,
                arch,
                sm_count: 132,
                smem_per_sm: 228 * 1024,
                params: p,
                input_lens: [usize::MAX; 2],
            }
        }
        for (layout, suffix) in [(1, "_tn"), (2, "_nt"), (3, "_tt")] {
            let p = GemmParams {
                layout,
                ..params(512, 512, 512)
            };
            let entry = plan(Kernel::Auto, &call(&p, DType::BF16, HOPPER))
                .unwrap()
                .entry;
            assert_eq!(
                entry,
                format!("wgmma_bf16_bf16_cooperative_persistent{suffix}")
            );
            assert!(KERNELS.iter().any(|k| k.name == entry), "{entry}");
            let naive = Kernel::Wgmma(WgmmaSchedule::Cooperative, Schedule::NaiveGrid);
            let entry = plan(naive, &call(&p, DType::BF16, HOPPER)).unwrap().entry;
            assert!(KERNELS.iter().any(|k| k.name == entry), "{entry}");
            for arch in [HOPPER, AMPERE] {
                let e = plan(Kernel::Auto, &call(&p, DType::F32, arch))
                    .unwrap()
                    .entry;
                assert_eq!(e, "textbook_f32_f32");
            }
            assert_eq!(
                plan(Kernel::Auto, &call(&p, DType::F16, AMPERE))
                    .unwrap()
                    .entry,
                "textbook_f16_f16"
            );
            for forced in [
                Kernel::Tiled(Schedule::Persistent),
                Kernel::Wgmma(WgmmaSchedule::PingPong, Schedule::Persistent),
            ] {
                let input = if forced.supports(DType::F32, DType::F32) {
                    DType::F32
                } else {
                    DType::BF16
                };
                let err = plan(forced, &call(&p, input, HOPPER)).unwrap_err();
                assert!(matches!(err, Error::Unsupported { .. }), "{err}");
            }
        }
        let batched = GemmParams {
            batch: 3,
            batch_stride_a: 512 * 512,
            batch_stride_b: 0,
            batch_stride_c: 512 * 512 + 4,
            ..params(512, 512, 512)
        };
        let fp32 = plan(Kernel::Auto, &call(&batched, DType::F32, HOPPER)).unwrap();
        // C's stride of 4 f32 keeps 16-byte alignment; 4 bf16 would not (8 needed).
        assert_eq!(fp32.entry, "tiled_f32_persistent_batched");
        assert!(KERNELS.iter().any(|k| k.name == fp32.entry));
        let bf16 = plan(Kernel::Auto, &call(&batched, DType::BF16, AMPERE)).unwrap();
        assert_eq!(bf16.entry, "textbook_bf16_bf16");
        let odd = GemmParams {
            batch_stride_c: 512 * 512 + 1,
            ..batched
        };
        let fp32 = plan(Kernel::Auto, &call(&odd, DType::F32, HOPPER)).unwrap();
        assert_eq!(fp32.entry, "tiled_f32_persistent_unaligned_batched");
        assert!(KERNELS.iter().any(|k| k.name == fp32.entry));
    }

    #[test]
    fn fp32_takes_4_byte_copies_when_a_cut_chunk_would_leave_the_buffer() {
        // K = 1001 with lda = 1004: the last row of A ends 3 elements before its chunk does.
        let p = GemmParams {
            lda: 1004,
            ..params(100, 100, 1001)
        };
        let entry = |a_len: usize| {
            plan(
                Kernel::Auto,
                &Call {
                    input: DType::F32,
                    output: DType::F32,
                    arch: HOPPER,
                    sm_count: 132,
                    smem_per_sm: 228 * 1024,
                    params: &p,
                    input_lens: [a_len, usize::MAX],
                },
            )
            .unwrap()
            .entry
        };
        assert_eq!(entry(99 * 1004 + 1001), "tiled_f32_persistent_unaligned");
        assert_eq!(entry(99 * 1004 + 1004), "tiled_f32_persistent");
    }

    #[test]
    fn fp32_picks_the_unaligned_variant_when_needed() {
        let p = GemmParams {
            lda: 1001,
            ..params(100, 100, 1000)
        };
        assert_eq!(
            auto_entry(DType::F32, DType::F32, HOPPER, &p),
            "tiled_f32_persistent_unaligned"
        );
        assert_eq!(
            auto_entry(DType::F32, DType::F32, HOPPER, &params(100, 100, 1000)),
            "tiled_f32_persistent"
        );
    }

    #[test]
    fn forced_kernels_say_why_they_cannot_run() {
        let p = GemmParams {
            b: (2 << 20) + 8,
            ..params(256, 256, 256)
        };
        let call = Call {
            input: DType::BF16,
            output: DType::BF16,
            arch: HOPPER,
            sm_count: 132,
            smem_per_sm: 228 * 1024,
            params: &p,
            input_lens: [usize::MAX; 2],
        };
        let err = plan(
            Kernel::Wgmma(WgmmaSchedule::PingPong, Schedule::Persistent),
            &call,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Misaligned {
                    operand: Operand::B,
                    ..
                }
            ),
            "{err}"
        );
        let ampere = Call {
            arch: AMPERE,
            params: &params(256, 256, 256),
            ..call
        };
        let err = plan(
            Kernel::Wgmma(WgmmaSchedule::Cooperative, Schedule::NaiveGrid),
            &ampere,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }), "{err}");
        let f32_call = Call {
            input: DType::F32,
            output: DType::BF16,
            ..ampere
        };
        assert!(matches!(
            plan(Kernel::Tiled(Schedule::NaiveGrid), &f32_call),
            Err(Error::Unsupported { .. })
        ));
    }
}
