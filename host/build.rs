//! Builds the device crate into PTX for each supported architecture and embeds it, so that a
//! program using `tessera` needs nothing at run time but the NVIDIA driver. With the `record`
//! feature, also the PTX of the recorded entry points (`tessera_kernels::record`).

use std::path::PathBuf;
use tessera_kernels::kernels::{ARCHES, PARAM_ALIGNMENT, launch_bounds};
use tessera_kernels::record::RECORDED_KERNELS;
use tessera_ptx_builder::PtxBuilder;

fn main() {
    let kernels =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../kernels-gpu");
    println!("cargo::rerun-if-changed={}", kernels.join("src").display());
    println!(
        "cargo::rerun-if-changed={}",
        kernels.join("Cargo.toml").display()
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let record = std::env::var_os("CARGO_FEATURE_RECORD").is_some();
    for arch in ARCHES {
        let ptx = PtxBuilder::new(&kernels)
            .arch(arch)
            .param_alignment(PARAM_ALIGNMENT)
            .launch_bounds_all(launch_bounds(arch))
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(out.join(format!("kernels_{arch}.ptx")), ptx).unwrap();
        if record {
            let ptx = PtxBuilder::new(&kernels)
                .arch(arch)
                .features(["record"])
                .param_alignment(PARAM_ALIGNMENT)
                .launch_bounds_all(
                    RECORDED_KERNELS
                        .iter()
                        .map(|k| (k.name, k.tile.threads, k.min_blocks_per_sm)),
                )
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(out.join(format!("kernels_record_{arch}.ptx")), ptx).unwrap();
        }
    }
}
