//! `cargo xtask <task>`: orchestration only; the work lives in the workspace's crates.
//!
//! - `bench [ARGS]`: the benchmark (`tessera-bench`) in release mode; `--help` lists ARGS.
//! - `plot FILE.json [--out DIR]`: the markdown table and the plots of a saved benchmark run
//!   (`FILE.md`, `FILE.svg`, `FILE.png` and, with a K sweep, `FILE-ksweep.*`), beside it or in
//!   DIR; needs no GPU.
//! - `viz [ARGS]`: the naive-vs-persistent picture (`tessera-viz`): on a GPU, records which SM
//!   computed which tile on both grids and renders timelines and an animated SVG;
//!   `viz --from FILE.json` renders saved records on any machine.
//! - `bundle`: a self-contained `dist/` for a GPU machine without Rust.
//! - `ptx [--check]`: builds the PTX, assembles it with `ptxas -v`, prints registers, shared
//!   memory and spills; `--check` fails on any spill or stack frame.

mod bundle;
mod ptx;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bench") => cargo(
            &["run", "--release", "--quiet", "-p", "tessera-bench", "--"],
            &args[1..],
        ),
        Some("plot") => cargo(
            &["run", "--quiet", "-p", "tessera-bench", "--", "plot"],
            &args[1..],
        ),
        Some("viz") => cargo(
            &[
                "run",
                "--release",
                "--quiet",
                "-p",
                "tessera-bench",
                "--features",
                "record",
                "--bin",
                "tessera-viz",
                "--",
            ],
            &args[1..],
        ),
        Some("bundle") => bundle::run(),
        Some("ptx") => ptx::run(args[1..].iter().any(|a| a == "--check")),
        _ => Err(
            "usage: cargo xtask bench [ARGS] | plot FILE.json [--out DIR] | viz [ARGS] | bundle | ptx [--check]"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs `cargo ARGS EXTRA` in the workspace root; fails with its exit status.
fn cargo(args: &[&str], extra: &[String]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root())
        .args(args)
        .args(extra)
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed ({status})", args.join(" ")))
    }
}
