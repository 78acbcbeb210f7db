//! `cargo xtask ptx [--check]`: every kernel through `ptxas -v`.

use crate::root;
use std::process::Command;
use tessera_kernels::kernels::{ARCHES, PARAM_ALIGNMENT, launch_bounds};
use tessera_ptx_builder::PtxBuilder;

/// What `ptxas -v` reported for one entry point.
#[derive(Debug, Default)]
struct Resources {
    name: String,
    registers: u32,
    stack: u32,
    spill_stores: u32,
    spill_loads: u32,
}

/// Builds the PTX of every architecture into `target/ptx/`, returning `(arch, path)`.
pub fn build() -> Result<Vec<(String, std::path::PathBuf)>, String> {
    let dir = root().join("target/ptx");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    ARCHES
        .iter()
        .map(|arch| {
            let ptx = PtxBuilder::new(root().join("kernels-gpu"))
                .arch(arch)
                .target_dir(root().join("target/nvptx"))
                .param_alignment(PARAM_ALIGNMENT)
                .launch_bounds_all(launch_bounds(arch))
                .build()
                .map_err(|e| e.to_string())?;
            let path = dir.join(format!("kernels_{arch}.ptx"));
            std::fs::write(&path, ptx).map_err(|e| e.to_string())?;
            Ok((arch.to_string(), path))
        })
        .collect()
}

/// Parses `ptxas -v` output into one record per entry point.
fn parse(report: &str) -> Vec<Resources> {
    let mut out: Vec<Resources> = Vec::new();
    let number = |line: &str, before: &str| -> u32 {
        line.split(before)
            .next()
            .and_then(|s| s.split_whitespace().last())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let mut in_entry = false;
    for line in report.lines() {
        if let Some(rest) = line.split("Compiling entry function '").nth(1) {
            out.push(Resources {
                name: rest.split('\'').next().unwrap_or("").into(),
                ..Default::default()
            });
            in_entry = true;
        } else if line.contains("Function properties for") {
            // Properties of a called function (e.g. a panic path) follow; they belong to no entry.
            in_entry = line.contains(&format!(
                "for {}",
                out.last().map_or("", |r| r.name.as_str())
            ));
        } else if let (true, Some(r)) = (in_entry, out.last_mut()) {
            if line.contains("stack frame") {
                r.stack = number(line, " bytes stack frame");
                r.spill_stores = number(line, " bytes spill stores");
                r.spill_loads = number(line, " bytes spill loads");
            } else if line.contains("Used") && line.contains("registers") {
                r.registers = number(line, " registers");
                in_entry = false;
            }
        }
    }
    out
}

pub fn run(check: bool) -> Result<(), String> {
    let ptxas = std::env::var("PTXAS").unwrap_or_else(|_| "ptxas".into());
    let mut bad = Vec::new();
    for (arch, path) in build()? {
        let cubin = path.with_extension("cubin");
        let out = Command::new(&ptxas)
            .args([&format!("-arch={arch}"), "-v", "-warn-spills", "-warn-lmem-usage"])
            .arg(&path)
            .arg("-o")
            .arg(&cubin)
            .output()
            .map_err(|e| format!("could not run `{ptxas}` ({e}); install it with `pip install nvidia-cuda-nvcc==13.0.*` or set PTXAS"))?;
        let report = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(format!("ptxas failed on {}:\n{report}", path.display()));
        }
        for line in report.lines().filter(|l| l.contains("warning")) {
            println!("{arch}: {line}");
            bad.push(format!("{arch}: {line}"));
        }
        println!("{arch}: {}", path.display());
        println!(
            "  {:<48} {:>5} {:>6} {:>13}",
            "entry", "regs", "stack", "spill st/ld"
        );
        for r in parse(&report) {
            println!(
                "  {:<48} {:>5} {:>6} {:>6}/{:<6}",
                r.name, r.registers, r.stack, r.spill_stores, r.spill_loads
            );
            if r.stack + r.spill_stores + r.spill_loads > 0 {
                bad.push(format!(
                    "{arch} {}: {} bytes stack, {}/{} bytes spilled",
                    r.name, r.stack, r.spill_stores, r.spill_loads
                ));
            }
        }
    }
    if check && !bad.is_empty() {
        return Err(format!("ptx check failed:\n{}", bad.join("\n")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_and_skips_called_functions() {
        let report = "\
ptxas info    : Compiling entry function 'k1' for 'sm_90a'
ptxas info    : Function properties for k1
    0 bytes stack frame, 8 bytes spill stores, 4 bytes spill loads
ptxas info    : Used 128 registers, used 1 barriers
ptxas info    : Function properties for panic_fmt
    16 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Compiling entry function 'k2' for 'sm_90a'
ptxas info    : Function properties for k2
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 40 registers, used 0 barriers
";
        let r = parse(report);
        assert_eq!(r.len(), 2);
        assert_eq!(
            (
                r[0].registers,
                r[0].spill_stores,
                r[0].spill_loads,
                r[0].stack
            ),
            (128, 8, 4, 0)
        );
        assert_eq!(
            (r[1].name.as_str(), r[1].registers, r[1].stack),
            ("k2", 40, 0)
        );
    }
}
