//! GPU tests against the float64 CPU reference.
//!
//! Without a GPU this prints one line saying the tests were skipped. With one, it runs, for
//! every kernel and every element type it takes: known answers, property tests (random
//! shapes 1..=300, leading dimensions larger than the rows, misaligned starts where the
//! kernel allows them, random alpha/beta, NaN-poisoned outputs), layout-and-batch property
//! tests (every layout of A, B, C the kernel serves, batches of 1..=4 with padded or zero
//! strides), and large shapes with sampled checks; then determinism, concurrency, graph
//! replay and a buffer from another context. Set `TESSERA_SEED` to replay a run, `TESSERA_CASES` to change the number
//! of property cases per kernel and type (default 256; the layout-and-batch test runs a
//! quarter of that, and the persistent `mma.sync` kernels' test of batches of small problems,
//! each case hundreds of them, a thirty-second), and pass `--quick` for the small
//! sizes only (used under compute-sanitizer); other arguments filter tests by name. With
//! `--shard=I/N` a run takes only the tests whose name hashes to `I` modulo `N`, so that `N`
//! processes run the suite side by side (each test in exactly one of them).

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::cell::Cell;
use std::process::ExitCode;
use std::sync::Arc;
use tessera::cudarc::driver::CudaContext;
use tessera::half::{bf16, f16};
use tessera::{
    DType, Element, Error, Gemm, GemmDesc, Kernel, Layout, MmaTile, Operand, Schedule, TileClaims,
    WgmmaSchedule,
};
use tessera_kernels::schedule::{TEAMS_SHORT_MAX_WHOLE_ROUNDS, straddled_rows_unbalance_sms};
use tessera_tests::reliability::{self, Problem};
use tessera_tests::{Case, Check, run_case};

struct Suite<'a> {
    gemm: &'a Gemm,
    /// The same GPU paths as `gemm`, with [`TileClaims::On`]: the claimed kernels run on any
    /// GPU.
    claiming: &'a Gemm,
    /// Put before every test's name: what sets this suite's `Gemm` apart, if anything.
    label: String,
    seed: u64,
    cases: u32,
    quick: bool,
    filters: Vec<String>,
    shard: Shard,
    passed: Cell<usize>,
    failed: Cell<usize>,
}

/// Elements a kernel needs the starts and leading dimensions of `A` and `B`, and of `C`, to
/// be multiples of (the kernels that need none get misaligned cases on purpose).
fn alignment(kernel: Kernel, input: DType) -> (usize, usize) {
    match kernel {
        Kernel::Wgmma(..) => (16 / input.size(), 1),
        // `mma.sync` also needs `ldc` a multiple of 8 elements, whatever the output type.
        Kernel::MmaSync(..) => (16 / input.size(), 8),
        _ => (1, 1),
    }
}

/// The `(A, B, C)` layouts `kernel` serves: all eight for `Auto` (which falls back), the
/// textbook kernel and the cooperative Hopper kernel; all-row-major and all-column-major (the
/// same call, transposed) for the others.
fn layouts(kernel: Kernel) -> Vec<[Layout; 3]> {
    use Layout::{ColMajor as C, RowMajor as R};
    match kernel {
        Kernel::Auto | Kernel::Textbook | Kernel::Wgmma(WgmmaSchedule::Cooperative, _) => (0..8)
            .map(|i| [i & 1, i & 2, i & 4].map(|bit| if bit == 0 { R } else { C }))
            .collect(),
        _ => vec![[R, R, R], [C, C, C]],
    }
}

/// The part `index` of `count` of the suite that one process runs (`--shard=index/count`).
#[derive(Clone, Copy)]
struct Shard {
    index: u64,
    count: u64,
}

impl Shard {
    const WHOLE: Shard = Shard { index: 0, count: 1 };

    fn parse(arg: &str) -> Option<Shard> {
        let (index, count) = arg.split_once('/')?;
        let (index, count) = (index.parse().ok()?, count.parse().ok()?);
        (index < count).then_some(Shard { index, count })
    }

    /// Whether this shard runs the test `name`: by an FNV-1a hash of the name, which does not
    /// depend on the order or number of the tests before it.
    fn takes(&self, name: &str) -> bool {
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        });
        hash % self.count == self.index
    }
}

impl Suite<'_> {
    fn record(&self, name: String, test: impl FnOnce() -> Result<String, String>) {
        let name = format!("{}{name}", self.label);
        if !self.filters.is_empty() && !self.filters.iter().any(|f| name.contains(f.as_str())) {
            return;
        }
        if !self.shard.takes(&name) {
            return;
        }
        match test() {
            Ok(detail) => {
                self.passed.set(self.passed.get() + 1);
                println!("test {name} ... ok ({detail})");
            }
            Err(why) => {
                self.failed.set(self.failed.get() + 1);
                println!("test {name} ... FAILED\n{why}");
            }
        }
    }

    fn check<I: Element, O: Element>(
        &self,
        kernel: Kernel,
        case: &Case,
        sampled: Option<usize>,
    ) -> Result<String, String> {
        self.check_on::<I, O>(self.gemm, kernel, case, sampled)
    }

    fn check_on<I: Element, O: Element>(
        &self,
        gemm: &Gemm,
        kernel: Kernel,
        case: &Case,
        sampled: Option<usize>,
    ) -> Result<String, String> {
        let how = sampled.map_or(Check::Full, Check::Sampled);
        let outcome =
            run_case::<I, O>(gemm, kernel, case, how).map_err(|e| format!("{case:?}: {e}"))?;
        if outcome.wrote_outside {
            return Err(format!("{case:?}: wrote outside C"));
        }
        if !outcome.passed() {
            return Err(format!("{case:?}: {}", outcome.comparison));
        }
        Ok(format!(
            "rel. error {:.2e}",
            outcome.comparison.rel_frobenius()
        ))
    }

    /// Runs `cases` cases of `strategy` with `kernel`, from the suite's seed plus `stream`
    /// (so that two tests of one kernel draw different cases): each must match the reference
    /// and write nothing outside `C`.
    fn run_cases<I: Element, O: Element>(
        &self,
        kernel: Kernel,
        cases: u32,
        stream: u64,
        strategy: impl Strategy<Value = Case>,
    ) -> Result<String, String> {
        let config = Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        };
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&self.seed.wrapping_add(stream).to_le_bytes());
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let worst = std::cell::Cell::new(0.0f64);
        runner
            .run(&strategy, |case| {
                let outcome = run_case::<I, O>(self.gemm, kernel, &case, Check::Full)
                    .map_err(|e| TestCaseError::fail(format!("{case:?}: {e}")))?;
                prop_assert!(!outcome.wrote_outside, "{case:?}: wrote outside C");
                prop_assert!(outcome.passed(), "{case:?}: {}", outcome.comparison);
                worst.set(worst.get().max(outcome.comparison.rel_frobenius()));
                Ok(())
            })
            .map_err(|e| e.to_string())?;
        Ok(format!(
            "{cases} cases, worst rel. error {:.2e}",
            worst.get()
        ))
    }

    fn property<I: Element, O: Element>(&self, kernel: Kernel) -> Result<String, String> {
        let (align, align_c) = alignment(kernel, I::DTYPE);
        let dim = 1usize..=300;
        let strategy = (
            dim.clone(),
            dim.clone(),
            dim,
            [0usize..9, 0..9, 0..9],
            [0usize..4, 0..4, 0..4],
            -2.0f32..2.0,
            0..3,
            any::<u64>(),
        )
            .prop_map(move |(m, n, k, pad, offsets, alpha, beta_kind, s)| {
                let ld = |cols: usize, pad: usize| cols.next_multiple_of(align) + pad * align;
                Case {
                    desc: GemmDesc::new(m, n, k).with_leading_dims(
                        ld(k, pad[0]),
                        ld(n, pad[1]),
                        n.next_multiple_of(align_c) + pad[2] * align_c,
                    ),
                    alpha,
                    // A third of the cases have beta = 0, which must not read the NaN-filled C.
                    beta: [0.0, 1.0, -0.75][beta_kind as usize],
                    offsets: [offsets[0] * align, offsets[1] * align, offsets[2] * align_c],
                    seed: s,
                }
            });
        self.run_cases::<I, O>(kernel, self.cases, 0, strategy)
    }

    /// Random layouts (those `kernel` serves), batches of 1..=4 with strides that pad the
    /// problems apart or share `A` or `B` (stride 0), leading dimensions and offsets at the
    /// kernel's alignment, NaN-poisoned outputs.
    fn layouts_property<I: Element, O: Element>(&self, kernel: Kernel) -> Result<String, String> {
        let (align, align_c) = alignment(kernel, I::DTYPE);
        let choices = layouts(kernel);
        let dim = 1usize..=160;
        let strategy = (
            (dim.clone(), dim.clone(), dim),
            prop::sample::select(choices),
            1usize..=4,
            [0usize..4, 0..4, 1..4],
            [0usize..3, 0..3, 0..3],
            [0usize..3, 0..3, 0..3],
            (-2.0f32..2.0, 0..3, any::<u64>()),
        )
            .prop_map(
                move |(
                    (m, n, k),
                    [la, lb, lc],
                    batch,
                    strides,
                    pad,
                    offsets,
                    (alpha, beta_kind, s),
                )| {
                    let dense = GemmDesc::new(m, n, k).with_layouts(la, lb, lc);
                    let al = [align, align, align_c];
                    let ld = |op: Operand, i: usize| {
                        dense.storage(op).1.next_multiple_of(al[i]) + pad[i] * al[i]
                    };
                    let d = dense.with_leading_dims(
                        ld(Operand::A, 0),
                        ld(Operand::B, 1),
                        ld(Operand::C, 2),
                    );
                    // Kind 0: shared (A, B only); otherwise one problem's extent plus padding.
                    let stride = |op: Operand, i: usize| {
                        if strides[i] == 0 {
                            return 0;
                        }
                        // `d` is one problem: its `min_len` is one problem's extent.
                        d.min_len(op).next_multiple_of(al[i]) + (strides[i] - 1) * al[i]
                    };
                    Case {
                        desc: d.with_batch(
                            batch,
                            stride(Operand::A, 0),
                            stride(Operand::B, 1),
                            stride(Operand::C, 2),
                        ),
                        alpha,
                        beta: [0.0, 1.0, -0.75][beta_kind as usize],
                        offsets: [offsets[0] * align, offsets[1] * align, offsets[2] * align_c],
                        seed: s,
                    }
                },
            );
        self.run_cases::<I, O>(kernel, (self.cases / 4).max(1), 1, strategy)
    }

    /// Batches of small problems with tiles for several rounds of a persistent grid (one round
    /// being one tile per resident block, or per team where blocks have teams), each problem of
    /// its own random size and `C` padded apart: a persistent `mma.sync` call of few rounds of
    /// such short tiles runs another kernel in place of the persistent one, which then needs
    /// these to see its loop over tiles on small problems and their edges.
    fn rounds_property<I: Element, O: Element>(&self, kernel: Kernel) -> Result<String, String> {
        let (align, align_c) = alignment(kernel, I::DTYPE);
        // 128 × 128 tiles, two per SM: a batch of these many tiles gives a grid of teams one
        // whole round more than it hands to the naive kernel for tiles of one k-tile
        // (`schedule::one_tile_per_block`), and a partial one.
        let rounds = TEAMS_SHORT_MAX_WHOLE_ROUNDS as usize + 1;
        let many_rounds = 2 * rounds * self.gemm.sm_count() as usize + 1;
        let strategy = (
            (1usize..=260, 1usize..=260, 1usize..=64),
            [0usize..3, 0..3, 0..3],
            0usize..64,
            (-2.0f32..2.0, 0..3, any::<u64>()),
        )
            .prop_map(move |((m, n, k), pad, extra, (alpha, beta_kind, s))| {
                let tiles = m.div_ceil(128) * n.div_ceil(128);
                let batch = many_rounds.div_ceil(tiles) + extra;
                let d = GemmDesc::new(m, n, k).with_leading_dims(
                    k.next_multiple_of(align) + pad[0] * align,
                    n.next_multiple_of(align) + pad[1] * align,
                    n.next_multiple_of(align_c) + pad[2] * align_c,
                );
                let stride = |op: Operand| d.min_len(op).next_multiple_of(align_c.max(align));
                Case {
                    desc: d.with_batch(
                        batch,
                        stride(Operand::A),
                        stride(Operand::B),
                        stride(Operand::C) + align_c,
                    ),
                    alpha,
                    beta: [0.0, 1.0, -0.75][beta_kind as usize],
                    offsets: [0, 0, 0],
                    seed: s,
                }
            });
        // Each case is hundreds of problems: fewer cases than the other properties.
        self.run_cases::<I, O>(kernel, (self.cases / 32).max(1), 2, strategy)
    }

    /// Every test of `kernel` with inputs `I` and output `O`.
    fn kernel<I: Element, O: Element>(&self, kernel: Kernel) {
        if !kernel.supports(I::DTYPE, O::DTYPE) {
            return;
        }
        let tag = format!("{kernel} {}->{}", I::DTYPE, O::DTYPE);
        // The kernels that may hand a persistent call to another kernel (stream-K, naive).
        let persistent_mma = matches!(kernel, Kernel::MmaSync(_, Schedule::Persistent));
        let (align, align_c) = alignment(kernel, I::DTYPE);
        let seed = self.seed;
        let dense = |m: usize, n: usize, k: usize| {
            let c = Case::dense(m, n, k, seed);
            let (lda, ldb) = (k.next_multiple_of(align), n.next_multiple_of(align));
            Case {
                desc: c
                    .desc
                    .with_leading_dims(lda, ldb, n.next_multiple_of(align_c)),
                ..c
            }
        };
        let mut cases = vec![
            (
                "2x2x2",
                Case {
                    alpha: 1.5,
                    beta: 0.5,
                    ..dense(2, 2, 2)
                },
            ),
            ("k=1", dense(37, 53, 1)),
            ("1x1x1", dense(1, 1, 1)),
            (
                "large k",
                dense(33, 35, if self.quick { 300 } else { 5000 }),
            ),
        ];
        if !matches!(kernel, Kernel::Wgmma(..) | Kernel::MmaSync(..)) {
            cases.push((
                "k=0 gives beta*C",
                Case {
                    beta: -2.0,
                    ..dense(19, 21, 0)
                },
            ));
        }
        for (what, case) in cases {
            self.record(format!("{tag} {what}"), || {
                self.check::<I, O>(kernel, &case, None)
            });
        }
        // A large case, checked at 4000 sampled elements.
        let sampled = |what: String, case: Case, alpha: f32, beta: f32| {
            let case = Case {
                alpha,
                beta,
                ..case
            };
            self.record(format!("{tag} {what} sampled"), || {
                self.check::<I, O>(kernel, &case, Some(4000))
            });
        };
        // More tiles than a persistent grid has blocks, with a partial last round: on 132 SMs,
        // 648 tiles of 128 × 128 over 264 blocks (120 in the last round), 324 of 128 × 256
        // over 132 (60), 728 of 128 × 128 (200), and 1720 of 128 × 128 (six whole rounds and
        // 136 tiles: below that, a persistent 128 × 128 call of so few k-tiles runs the naive
        // grid's kernel). K from one k-tile (where the mma.sync producer runs two tiles ahead
        // of its consumer) to many; M and N ragged. Rows of `B` sector-aligned, except at
        // 5000 × 5496 (where only the 128 × 128 grid keeps its rounds: see
        // `schedule::straddled_rows_run_naive`).
        let mut tails = vec![(2296, 4592, 64), (2296, 4592, 136), (5000, 5496, 64)];
        if !self.quick {
            tails.extend([(3320, 3584, 192), (2296, 4592, 1000), (5000, 5496, 136)]);
        }
        for (m, n, k) in tails {
            sampled(format!("tail {m}x{n}x{k}"), dense(m, n, k), -0.5, 1.5);
        }
        // Many rounds where rows of `B` are an odd multiple of 16 bytes apart (on 132 SMs: 1720
        // tiles over 264 slots), with 20 k-tiles and with 8, K cut: the blocks of a persistent
        // 128 × 128 call claim their tiles at run time with `TileClaims::On`, and as the GPU's
        // DRAM bandwidth decides by default (`claimed_entry_points`). Every element type runs
        // the claimed case in turn, so that a launch that left the tile counter above zero
        // makes the next one skip tiles.
        for (m, n, k) in [(5000, 5496, 1280), (5000, 5496, 500)] {
            let case = Case {
                alpha: 0.75,
                beta: -1.0,
                ..dense(m, n, k)
            };
            self.record(format!("{tag} claimed {m}x{n}x{k} sampled"), || {
                self.check_on::<I, O>(self.claiming, kernel, &case, Some(4000))
            });
            sampled(format!("straddled rows {m}x{n}x{k}"), case, 0.75, -1.0);
        }
        // On 132 SMs: 15 tiles of 49 k-tiles, K cut mid-tile, where the two teams of each
        // persistent 128 × 128 block share its tile; one round of 264 such tiles and a tail
        // of 24 (tail blocks, their teams sharing each tile), M and N cut mid-tile; and, each
        // run by the naive grid's kernel in place of the persistent one, one round and 230
        // tiles of 35 k-tiles, one round and 198 tiles of 45, three whole rounds and 198
        // tiles of 14, all cut, and one round of 168 tiles with a `B` of 76 MB, too large to
        // split.
        for (what, m, n, k) in [
            ("lone", 384, 520, 3100),
            ("one round and a tail of", 1500, 3010, 3100),
            ("one round and most of another of", 2384, 3288, 2192),
            ("one round and most of another of", 5297, 1296, 2840),
            ("three rounds and most of another of", 2769, 5752, 848),
            ("one round with a large B of", 310, 7088, 5344),
        ] {
            sampled(
                format!("{what} tiles {m}x{n}x{k}"),
                dense(m, n, k),
                1.25,
                0.5,
            );
        }
        // A last round of more tiles than blocks, which the persistent 128 × 128 grid splits
        // stream-K (on 132 SMs): one round of 162 tiles; then, in the full run, one round of
        // 160 tiles with M, N and K cut mid-tile, and two problems of 72 tiles. For the
        // persistent `mma.sync` kernels also after whole rounds: one whole round and 136 tiles,
        // cut, and one whole round and 195 tiles, each slot's share three quarters of a tile;
        // in the full run, two whole rounds and 150 tiles, cut, two whole rounds and 192 tiles
        // (shares of three quarters again), and two problems of 200 tiles, one whole round and
        // 136 tiles across both, cut. After whole rounds, rows of `B` sector-aligned: where they
        // straddle sectors, the naive grid's kernel takes some of those calls
        // (`schedule::straddled_rows_run_naive`).
        let mut split = vec![(1112, 2224, 2000, 1)];
        if !self.quick {
            split.extend([(1000, 2504, 2504, 1), (432, 2224, 2000, 2)]);
        }
        if persistent_mma {
            split.extend([(2504, 2496, 2504, 1), (6477, 1072, 3440, 1)]);
            if !self.quick {
                split.extend([
                    (763, 14416, 2000, 1),
                    (6079, 1808, 5904, 1),
                    (1272, 2544, 2488, 2),
                ]);
            }
        }
        for (m, n, k, batch) in split {
            let c = dense(m, n, k);
            let d = c.desc;
            let [sa, sb, sc] = [Operand::A, Operand::B, Operand::C].map(|op| d.min_len(op));
            let case = Case {
                desc: d.with_batch(batch, sa, sb, sc),
                ..c
            };
            sampled(format!("split round {m}x{n}x{k}x{batch}"), case, 0.75, -0.5);
        }
        self.record(format!("{tag} property"), || self.property::<I, O>(kernel));
        self.record(format!("{tag} layouts and batches"), || {
            self.layouts_property::<I, O>(kernel)
        });
        if persistent_mma {
            self.record(format!("{tag} rounds of small problems"), || {
                self.rounds_property::<I, O>(kernel)
            });
        }
        if self.quick {
            return;
        }
        let mut large = vec![(4096, 4096, 4096), (4095, 4097, 1000)];
        if kernel != Kernel::Textbook {
            large.push((8192, 8192, 8192));
        }
        for (m, n, k) in large {
            sampled(format!("{m}x{n}x{k}"), dense(m, n, k), 0.5, 2.0);
        }
    }
}

/// The paths of a GPU with `kib` KiB of shared memory per block, on this one (A100: 163,
/// Ada: 99): the 128 × 128 `mma.sync` kernels on both grids (the persistent one with one
/// team per block, as its two teams' 192 KiB do not fit), and the 128 × 256 ones where their
/// 144 KiB fit; where they do not, a call for them is refused with `Unsupported`.
fn smaller_gpu(suite: &Suite, ctx: &Arc<CudaContext>, kib: u32) {
    let label = format!("[{kib} KiB per block] ");
    let load = || Gemm::with_shared_memory_limit(ctx.default_stream(), kib * 1024);
    let (gemm, claiming) = match (load(), load()) {
        (Ok(g), Ok(c)) => (g, c.with_tile_claims(TileClaims::On)),
        (Err(e), _) | (_, Err(e)) => {
            return suite.record(format!("{label}load"), || Err(e.to_string()));
        }
    };
    let small = Suite {
        gemm: &gemm,
        claiming: &claiming,
        label,
        filters: suite.filters.clone(),
        passed: Cell::new(0),
        failed: Cell::new(0),
        ..*suite
    };
    for schedule in [Schedule::NaiveGrid, Schedule::Persistent] {
        small.kernel::<bf16, bf16>(Kernel::MmaSync(MmaTile::M128N128, schedule));
        small.kernel::<f16, f32>(Kernel::MmaSync(MmaTile::M128N128, schedule));
        let wide = Kernel::MmaSync(MmaTile::M128N256, schedule);
        if kib >= 144 {
            small.kernel::<bf16, bf16>(wide);
            continue;
        }
        small.record(format!("{wide} is refused"), || {
            let case = Case::dense(256, 256, 64, suite.seed);
            match run_case::<bf16, bf16>(&gemm, wide, &case, Check::Full) {
                Err(Error::Unsupported { reason, .. }) => Ok(format!("Unsupported: {reason}")),
                Err(e) => Err(format!("expected Unsupported, got {e}")),
                Ok(_) => Err("expected Unsupported, but it ran".into()),
            }
        });
    }
    suite.passed.set(suite.passed.get() + small.passed.get());
    suite.failed.set(suite.failed.get() + small.failed.get());
}

/// Determinism, concurrency and graph capture for `kernel` with `I` → `O`.
fn reliability<I: Element, O: Element>(
    suite: &Suite,
    ctx: &Arc<CudaContext>,
    kernel: Kernel,
    seed: u64,
) {
    // Dimensions multiples of 8, so that every kernel's alignment rules hold; more tiles than
    // a persistent grid has blocks, so that its blocks loop over several tiles and the last
    // round is partial; rows of `B` sector-aligned, so that the persistent grids keep their
    // rounds.
    let p = Problem::<I>::new(2296, 4592, 1000, seed);
    let tag = format!("{kernel} {}->{}", I::DTYPE, O::DTYPE);
    suite.record(format!("{tag} deterministic"), || {
        reliability::deterministic::<I, O>(suite.gemm, kernel, &p)
    });
    // A whole round, then a last round split stream-K (on 132 SMs): the same bits whichever
    // piece arrives last.
    let split = Problem::<I>::new(2504, 2496, 2504, seed);
    suite.record(format!("{tag} deterministic split round"), || {
        reliability::deterministic::<I, O>(suite.gemm, kernel, &split)
    });
    suite.record(format!("{tag} concurrent"), || {
        reliability::concurrent::<I, O>(ctx, kernel, &p, 4)
    });
    suite.record(format!("{tag} graph replay"), || {
        reliability::graph_replay::<I, O>(ctx, kernel, &p)
    });
}

/// The entry points of persistent 128 × 256 `mma.sync` calls of 18 whole rounds: the naive
/// grid's kernel where `B`'s rows are an odd number of 16-byte chunks apart (4600 bf16
/// columns), the persistent one where padding the rows to 4608 aligns them; and the naive
/// kernel's own for a naive call. Nothing is launched.
fn entry_points(gemm: &Gemm) -> Result<String, String> {
    let stream = gemm.stream();
    let (m, n, k) = (128 * gemm.sm_count() as usize, 4600, 1024);
    let alloc = |len: usize| stream.alloc_zeros::<bf16>(len).map_err(|e| e.to_string());
    let (a, b, mut c) = (alloc(m * k)?, alloc(k * 4608)?, alloc(m * 4608)?);
    let mut entry = |schedule: Schedule, ldb: usize| {
        let desc = GemmDesc::new(m, n, k).with_leading_dims(k, ldb, 4608);
        let kernel = Kernel::MmaSync(MmaTile::M128N256, schedule);
        gemm.entry_point(kernel, &desc, &a, &b, &mut c)
    };
    let got = match entry(Schedule::Persistent, 4600) {
        Err(Error::Unsupported { reason, .. }) => return Ok(format!("not on this GPU: {reason}")),
        other => [
            other,
            entry(Schedule::Persistent, 4608),
            entry(Schedule::NaiveGrid, 4600),
        ]
        .map(|e| e.map_err(|e| e.to_string())),
    };
    let want = [
        "mma_bf16_bf16_128x256_naive",
        "mma_bf16_bf16_128x256_persistent",
        "mma_bf16_bf16_128x256_naive",
    ];
    let got = got.into_iter().collect::<Result<Vec<_>, _>>()?;
    same_entries("", &got, &want)
}

/// Whether entry points `got` are `want`, each message starting with `context`.
fn same_entries(context: &str, got: &[&str], want: &[&str]) -> Result<String, String> {
    if got == want {
        Ok(format!("{context}{}", got.join(", ")))
    } else {
        Err(format!("{context}expected {want:?}, got {got:?}"))
    }
}

/// The entry points of a persistent 128 × 128 `mma.sync` call of many whole rounds where the
/// rows of `B` are an odd number of 16-byte chunks apart (5496 bf16 columns, `M` = 128 × the
/// SMs: 43 tiles per SM), through handles of each [`TileClaims`]: the claimed kernel with
/// `On`, the persistent one with `Off`, and with `Auto` the one the GPU's DRAM bandwidth per
/// SM picks. Nothing is launched.
fn claimed_entry_points(ctx: &Arc<CudaContext>) -> Result<String, String> {
    let load = |claims| {
        Gemm::new(ctx.default_stream())
            .map(|g| g.with_tile_claims(claims))
            .map_err(|e| e.to_string())
    };
    let [auto, on, off] = [TileClaims::Auto, TileClaims::On, TileClaims::Off].map(load);
    let (auto, on, off) = (auto?, on?, off?);
    let stream = auto.stream();
    let (m, n, k) = (128 * auto.sm_count() as usize, 5496, 1280);
    let alloc = |len: usize| stream.alloc_zeros::<bf16>(len).map_err(|e| e.to_string());
    let (a, b, mut c) = (alloc(m * k)?, alloc(k * n)?, alloc(m * n)?);
    let kernel = Kernel::MmaSync(MmaTile::M128N128, Schedule::Persistent);
    let desc = GemmDesc::new(m, n, k);
    let mut entry = |gemm: &Gemm| {
        gemm.entry_point(kernel, &desc, &a, &b, &mut c)
            .map_err(|e| e.to_string())
    };
    let got = [entry(&auto)?, entry(&on)?, entry(&off)?];
    if got[1].ends_with("_naive") {
        return Ok(format!("not on this GPU (one team per block): {got:?}"));
    }
    let per_sm = auto.dram_gbps() / auto.sm_count();
    let claimed = "mma_bf16_bf16_128x128_claimed";
    let rounds = "mma_bf16_bf16_128x128_persistent";
    let want = [
        if straddled_rows_unbalance_sms(per_sm) {
            claimed
        } else {
            rounds
        },
        claimed,
        rounds,
    ];
    same_entries(&format!("{per_sm} GB/s per SM: "), &got, &want)
}

/// The entry points of persistent 128 × 128 `mma.sync` calls of two whole rounds and a last
/// round of 1.5 tiles per SM, which stream-K does not split (`N` = 256, `M` = 128 × 2.75 × the
/// SMs, 45 k-tiles): where the rows of `A` straddle sectors (`K` = 2856), the naive grid's
/// kernel on a GPU where such rows unbalance the SMs and the grid has two teams per block (a
/// Hopper GPU), the persistent kernel elsewhere; with `K` = 2864, the persistent kernel.
/// Nothing is launched.
fn straddled_a_entry_points(gemm: &Gemm) -> Result<String, String> {
    let stream = gemm.stream();
    let sms = gemm.sm_count() as usize;
    let (m, n, k) = (128 * (2 * sms + 3 * sms / 4), 256, 2864);
    let alloc = |len: usize| stream.alloc_zeros::<bf16>(len).map_err(|e| e.to_string());
    let (a, b, mut c) = (alloc(m * k)?, alloc(k * n)?, alloc(m * n)?);
    let kernel = Kernel::MmaSync(MmaTile::M128N128, Schedule::Persistent);
    let mut entry = |k: usize| {
        gemm.entry_point(kernel, &GemmDesc::new(m, n, k), &a, &b, &mut c)
            .map_err(|e| e.to_string())
    };
    let got = [entry(2856)?, entry(2864)?];
    let per_sm = gemm.dram_gbps() / gemm.sm_count();
    let rounds = "mma_bf16_bf16_128x128_persistent";
    let straddled = if straddled_rows_unbalance_sms(per_sm) && gemm.arch().is_hopper() {
        "mma_bf16_bf16_128x128_naive"
    } else {
        rounds
    };
    same_entries(
        &format!("{per_sm} GB/s per SM: "),
        &got,
        &[straddled, rounds],
    )
}

/// A buffer allocated in a second (non-primary) context of the same GPU gives
/// [`Error::WrongContext`], and nothing is launched.
fn wrong_context(gemm: &Gemm) -> Result<String, String> {
    let other = CudaContext::new_non_primary(0, 0).map_err(|e| e.to_string())?;
    let theirs = other.default_stream();
    let ours = gemm.stream();
    let (m, n, k) = (64, 64, 64);
    let a = theirs
        .alloc_zeros::<f32>(m * k)
        .map_err(|e| e.to_string())?;
    let b = ours.alloc_zeros::<f32>(k * n).map_err(|e| e.to_string())?;
    let mut c = ours.alloc_zeros::<f32>(m * n).map_err(|e| e.to_string())?;
    match gemm.matmul(
        Kernel::Auto,
        &GemmDesc::new(m, n, k),
        1.0,
        &a,
        &b,
        0.0,
        &mut c,
    ) {
        Err(Error::WrongContext {
            operand: Operand::A,
        }) => Ok("WrongContext { A }".into()),
        other => Err(format!("expected WrongContext for A, got {other:?}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let shard = match args.iter().find_map(|a| a.strip_prefix("--shard=")) {
        None => Shard::WHOLE,
        Some(spec) => match Shard::parse(spec) {
            Some(shard) => shard,
            None => {
                println!("gpu tests: --shard={spec}: expected I/N with I < N");
                return ExitCode::FAILURE;
            }
        },
    };
    let ctx = match tessera::context(0) {
        Ok(ctx) => ctx,
        Err(e @ (Error::NoDriver | Error::NoDevice)) => {
            println!("gpu tests: skipped, no GPU on this machine ({e})");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            println!("gpu tests: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let seed: u64 = std::env::var("TESSERA_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    let cases: u32 = std::env::var("TESSERA_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if quick { 8 } else { 256 });
    let load = || Gemm::new(ctx.default_stream());
    let (gemm, claiming) = match (load(), load()) {
        (Ok(g), Ok(c)) => (g, c.with_tile_claims(TileClaims::On)),
        (Err(e), _) | (_, Err(e)) => {
            println!("gpu tests: cannot load the kernels: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "gpu tests on {} (compute capability {}.{}, {} SMs, {} GB/s DRAM), seed {seed}, {cases} property cases per kernel and type, shard {}/{}",
        ctx.name().unwrap_or_default(),
        gemm.arch().major,
        gemm.arch().minor,
        gemm.sm_count(),
        gemm.dram_gbps(),
        shard.index,
        shard.count
    );
    let filters = args.into_iter().filter(|a| !a.starts_with("--")).collect();
    let suite = Suite {
        gemm: &gemm,
        claiming: &claiming,
        label: String::new(),
        seed,
        cases,
        quick,
        filters,
        shard,
        passed: Cell::new(0),
        failed: Cell::new(0),
    };
    for kernel in std::iter::once(Kernel::Auto).chain(Kernel::all()) {
        if matches!(kernel, Kernel::Wgmma(..)) && !gemm.arch().is_hopper() {
            println!("test {kernel}: skipped, needs an sm_90 GPU");
            continue;
        }
        suite.kernel::<f32, f32>(kernel);
        suite.kernel::<bf16, bf16>(kernel);
        suite.kernel::<bf16, f32>(kernel);
        suite.kernel::<f16, f16>(kernel);
        suite.kernel::<f16, f32>(kernel);
    }
    for kernel in [Kernel::Auto, Kernel::Tiled(Schedule::Persistent)] {
        reliability::<f32, f32>(&suite, &ctx, kernel, seed);
    }
    for kernel in [
        Kernel::Auto,
        Kernel::MmaSync(MmaTile::Auto, Schedule::Persistent),
        Kernel::MmaSync(MmaTile::M128N256, Schedule::Persistent),
    ] {
        reliability::<bf16, bf16>(&suite, &ctx, kernel, seed);
    }
    for kib in [163, 99] {
        smaller_gpu(&suite, &ctx, kib);
    }
    suite.record("buffer from another context is rejected".into(), || {
        wrong_context(&gemm)
    });
    suite.record("entry points of persistent 128x256 calls".into(), || {
        entry_points(&gemm)
    });
    suite.record("entry points of claimed 128x128 grids".into(), || {
        claimed_entry_points(&ctx)
    });
    suite.record(
        "entry points of 128x128 grids with straddled rows of A".into(),
        || straddled_a_entry_points(&gemm),
    );
    println!(
        "\ngpu: {} passed, {} failed",
        suite.passed.get(),
        suite.failed.get()
    );
    if suite.failed.get() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
