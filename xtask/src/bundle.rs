//! `cargo xtask bundle`: release binaries of the benchmark, the schedule recorder
//! (`tessera-viz`) and the GPU tests, plus the PTX,
//! in `dist/`, with scripts that run them on a GPU machine that has the NVIDIA driver but
//! no Rust toolchain.

use crate::{cargo, root};
use std::process::Command;

const RUN_TESTS: &str = r#"#!/usr/bin/env bash
# GPU tests against the CPU reference. Arguments go to the test binary (--quick: small shapes).
set -euo pipefail
cd "$(dirname "$0")"
./gpu-tests "$@"
"#;

const RUN_BENCH: &str = r#"#!/usr/bin/env bash
# The benchmark; `./run-bench.sh --help` lists its options. cuBLAS is loaded at run time:
# this looks for it in the usual places when it is not on LD_LIBRARY_PATH already.
set -euo pipefail
cd "$(dirname "$0")"
for d in /usr/local/cuda/lib64 /usr/lib/x86_64-linux-gnu \
         $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13/lib") for p in nvidia.__path__))' 2>/dev/null) \
         $(python3 -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib"))' 2>/dev/null); do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; break; fi
done
./tessera-bench "$@"
"#;

const RUN_ALL: &str = r#"#!/usr/bin/env bash
# Everything that belongs together on a GPU machine, logs and results into DIR (default
# ./results): the GPU tests, the four compute-sanitizer tools on small shapes for every
# kernel, the benchmark suites (fp32; bf16 and f16; a K-sweep at M = N = 8192) and the
# naive-vs-persistent recording, and the embedding example.
set -uo pipefail
cd "$(dirname "$0")"
out=$(realpath -m "${1:-results}")
mkdir -p "$out"
status=0
# Four shards side by side: the suite is mostly waiting on small launches and the CPU
# reference, and each test lands in exactly one shard.
pids=()
for i in 0 1 2 3; do
  ./gpu-tests --shard=$i/4 > "$out/gpu-tests-$i.log" 2>&1 & pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
tail -q -n 1 "$out"/gpu-tests-*.log
if command -v compute-sanitizer >/dev/null; then
  for tool in memcheck racecheck synccheck initcheck; do
    # Small shapes for every kernel and type: the 2x2 known answer, K = 300 (the pipelines
    # wrap around their stages), three random property cases and one random layout-and-batch
    # case.
    TESSERA_CASES=3 compute-sanitizer --tool "$tool" --error-exitcode 1 ./gpu-tests --quick \
      2x2x2 "large k" property layouts > "$out/sanitizer-$tool.log" 2>&1 || status=1
    echo "$tool: $(grep -E 'SUMMARY' "$out/sanitizer-$tool.log" | tail -n 1)"
  done
fi
./run-bench.sh --dtype f32 --out "$out" --name f32 > "$out/bench-f32.log" 2>&1 || status=1
./run-bench.sh --dtype bf16 --dtype f16 --out "$out" --name tensor-cores > "$out/bench-tensor-cores.log" 2>&1 || status=1
./run-bench.sh --dtype bf16 --kernel wgmma --suite ksweep --out "$out" --name ksweep > "$out/bench-ksweep.log" 2>&1 || status=1
./run-viz.sh > "$out/viz.log" 2>&1 && cp -r viz "$out/" || status=1
./matmul > "$out/example-matmul.log" 2>&1 || status=1
exit $status
"#;

const RUN_VIZ: &str = r#"#!/usr/bin/env bash
# The naive-vs-persistent picture: records one fp32 GEMM on both grids and draws timelines and
# an animation into viz/ (records JSON included). `./run-viz.sh --help` lists its options.
set -euo pipefail
cd "$(dirname "$0")"
./tessera-viz --out viz "$@"
"#;

pub fn run() -> Result<(), String> {
    let dist = root().join("dist");
    std::fs::create_dir_all(&dist).map_err(|e| e.to_string())?;
    cargo(
        &[
            "build",
            "--release",
            "-p",
            "tessera-bench",
            "--features",
            "record",
            "--bins",
        ],
        &[],
    )?;
    for bin in ["tessera-bench", "tessera-viz"] {
        std::fs::copy(root().join("target/release").join(bin), dist.join(bin))
            .map_err(|e| e.to_string())?;
    }
    copy_test_binary("gpu", &dist.join("gpu-tests"))?;
    cargo(
        &["build", "--release", "-p", "tessera", "--example", "matmul"],
        &[],
    )?;
    std::fs::copy(
        root().join("target/release/examples/matmul"),
        dist.join("matmul"),
    )
    .map_err(|e| e.to_string())?;
    for (arch, ptx) in crate::ptx::build()? {
        std::fs::copy(ptx, dist.join(format!("kernels_{arch}.ptx"))).map_err(|e| e.to_string())?;
    }
    for (name, text) in [
        ("run-tests.sh", RUN_TESTS),
        ("run-bench.sh", RUN_BENCH),
        ("run-viz.sh", RUN_VIZ),
        ("run-all.sh", RUN_ALL),
    ] {
        let path = dist.join(name);
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        Command::new("chmod")
            .arg("+x")
            .arg(&path)
            .status()
            .map_err(|e| e.to_string())?;
    }
    println!(
        "bundle in {}: copy it to the GPU machine and run ./run-tests.sh, ./run-bench.sh, ./run-viz.sh, or all of them with ./run-all.sh DIR",
        dist.display()
    );
    Ok(())
}

/// Builds the `tests/` test target `name` in release mode and copies its executable to `to`.
fn copy_test_binary(name: &str, to: &std::path::Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root())
        .args([
            "test",
            "--release",
            "-p",
            "tessera-tests",
            "--test",
            name,
            "--no-run",
            "--message-format=json",
        ])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "building the {name} tests failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let exe = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["target"]["name"] == name)
        .find_map(|v| v["executable"].as_str().map(String::from))
        .ok_or_else(|| format!("cargo reported no executable for the {name} tests"))?;
    std::fs::copy(&exe, to).map_err(|e| e.to_string())?;
    Ok(())
}
