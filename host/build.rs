//! Builds the device crate into PTX for each supported architecture and embeds it, so that a
//! program using `tessera` needs nothing at run time but the NVIDIA driver.

use std::path::PathBuf;
use tessera_kernels::kernels::KERNELS;
use tessera_ptx_builder::PtxBuilder;

/// Architectures with their own PTX; `host/src/module.rs` picks one at run time.
const ARCHES: &[&str] = &["sm_90a", "sm_80"];

fn main() {
    let kernels =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../kernels-gpu");
    println!("cargo::rerun-if-changed={}", kernels.join("src").display());
    println!(
        "cargo::rerun-if-changed={}",
        kernels.join("Cargo.toml").display()
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for arch in ARCHES {
        // Launch bounds only for the entries this module has (see `KernelInfo::min_arch`).
        let builder = KERNELS
            .iter()
            .filter(|k| k.min_arch <= arch_number(arch))
            .fold(PtxBuilder::new(&kernels).arch(arch), |b, k| {
                b.launch_bounds(k.name, k.tile.threads, k.min_blocks_per_sm)
            });
        let ptx = builder.build().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(out.join(format!("kernels_{arch}.ptx")), ptx).unwrap();
    }
}

/// `sm_90a` → 90.
fn arch_number(arch: &str) -> u32 {
    arch.trim_start_matches("sm_")
        .trim_end_matches(char::is_alphabetic)
        .parse()
        .unwrap_or_else(|_| panic!("unknown architecture {arch}"))
}
