//! GPU tests against the float64 CPU reference.
//!
//! Without a GPU this prints one line saying the tests were skipped. With one, it runs:
//! known answers, property tests (random shapes 1..=300, leading dimensions larger than the
//! rows, misaligned starts, random alpha/beta, NaN-poisoned outputs) for every kernel, and
//! large shapes with sampled checks. Set `TESSERA_SEED` to replay a run, `TESSERA_CASES` to
//! change the number of property cases per kernel (default 256), and pass `--quick` for the
//! small sizes only (used under compute-sanitizer).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::process::ExitCode;
use tessera::{Error, Gemm, GemmDesc, Kernel, Schedule};
use tessera_tests::{Case, Check, run_case};

struct Report {
    passed: usize,
    failed: usize,
}

impl Report {
    fn record(&mut self, name: &str, result: Result<String, String>) {
        match result {
            Ok(detail) => {
                self.passed += 1;
                println!("test {name} ... ok ({detail})");
            }
            Err(why) => {
                self.failed += 1;
                println!("test {name} ... FAILED\n{why}");
            }
        }
    }
}

fn check(
    gemm: &Gemm,
    kernel: Kernel,
    case: &Case,
    sampled: Option<usize>,
) -> Result<String, String> {
    let how = sampled.map_or(Check::Full, Check::Sampled);
    let outcome =
        run_case::<f32, f32>(gemm, kernel, case, how).map_err(|e| format!("{case:?}: {e}"))?;
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

fn case_strategy(seed: u64) -> impl Strategy<Value = Case> {
    let dim = 1usize..=300;
    (
        dim.clone(),
        dim.clone(),
        dim,
        [0usize..9, 0..9, 0..9],
        [0usize..4, 0..4, 0..4],
        -2.0f32..2.0,
        0..3,
        any::<u64>(),
    )
        .prop_map(move |(m, n, k, pad, offsets, alpha, beta_kind, s)| Case {
            desc: GemmDesc::new(m, n, k).with_leading_dims(k + pad[0], n + pad[1], n + pad[2]),
            alpha,
            // A third of the cases have beta = 0, which must not read the NaN-filled C.
            beta: [0.0, 1.0, -0.75][beta_kind as usize],
            offsets,
            seed: s ^ seed,
        })
}

fn property(gemm: &Gemm, kernel: Kernel, cases: u32, seed: u64) -> Result<String, String> {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &{
            let mut s = [0u8; 32];
            s[..8].copy_from_slice(&seed.to_le_bytes());
            s
        }),
    );
    let worst = std::cell::Cell::new(0.0f64);
    runner
        .run(&case_strategy(seed), |case| {
            let outcome = run_case::<f32, f32>(gemm, kernel, &case, Check::Full)
                .map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert!(!outcome.wrote_outside, "wrote outside C");
            prop_assert!(outcome.passed(), "{}", outcome.comparison);
            worst.set(worst.get().max(outcome.comparison.rel_frobenius()));
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "{cases} cases, worst rel. error {:.2e}",
        worst.get()
    ))
}

fn main() -> ExitCode {
    let quick = std::env::args().any(|a| a == "--quick");
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
    let gemm = match Gemm::new(ctx.default_stream()) {
        Ok(g) => g,
        Err(e) => {
            println!("gpu tests: cannot load the kernels: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "gpu tests on {} (compute capability {}.{}, {} SMs), seed {seed}, {cases} property cases per kernel",
        ctx.name().unwrap_or_default(),
        gemm.arch().major,
        gemm.arch().minor,
        gemm.sm_count()
    );
    let mut report = Report {
        passed: 0,
        failed: 0,
    };
    let kernels = Kernel::all();

    for &kernel in &kernels {
        for (what, case) in [
            (
                "2x2x2",
                Case {
                    alpha: 1.5,
                    beta: 0.5,
                    ..Case::dense(2, 2, 2, seed)
                },
            ),
            ("k=1", Case::dense(37, 53, 1, seed)),
            (
                "k=0 gives beta*C",
                Case {
                    beta: -2.0,
                    ..Case::dense(19, 21, 0, seed)
                },
            ),
            ("1x1x1", Case::dense(1, 1, 1, seed)),
            (
                "large k",
                Case::dense(33, 35, if quick { 300 } else { 5000 }, seed),
            ),
        ] {
            report.record(
                &format!("{kernel} {what}"),
                check(&gemm, kernel, &case, None),
            );
        }
        report.record(
            &format!("{kernel} property"),
            property(&gemm, kernel, cases, seed),
        );
    }

    if !quick {
        let large: [(usize, usize, usize, &[Kernel]); 3] = [
            (4096, 4096, 4096, &kernels),
            (
                8192,
                8192,
                8192,
                &[
                    Kernel::Tiled(Schedule::NaiveGrid),
                    Kernel::Tiled(Schedule::Persistent),
                ],
            ),
            (4095, 4097, 1000, &kernels),
        ];
        for (m, n, k, ks) in large {
            for &kernel in ks {
                let case = Case {
                    alpha: 0.5,
                    beta: 2.0,
                    ..Case::dense(m, n, k, seed)
                };
                report.record(
                    &format!("{kernel} {m}x{n}x{k} sampled"),
                    check(&gemm, kernel, &case, Some(4000)),
                );
            }
        }
    }

    println!("\ngpu: {} passed, {} failed", report.passed, report.failed);
    if report.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
