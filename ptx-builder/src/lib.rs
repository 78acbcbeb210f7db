//! Builds a `no_std` device crate into a PTX module with rustc's `nvptx64-nvidia-cuda` target.
//!
//! ```no_run
//! let ptx = tessera_ptx_builder::PtxBuilder::new("../kernels-gpu")
//!     .arch("sm_90a")
//!     .launch_bounds("my_kernel", 256, 2)
//!     .build()?;
//! # Ok::<(), tessera_ptx_builder::Error>(())
//! ```
//!
//! It runs a nested `cargo rustc --crate-type cdylib -Zbuild-std=core` for the target (the
//! prebuilt `core` for nvptx64 is not shipped with recent nightlies), in a target directory
//! of its own so that it does not wait on the outer build's lock, then adds the launch bounds
//! rustc has no attribute for.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why a PTX build failed.
#[derive(Debug)]
pub enum Error {
    /// `cargo` could not be started.
    Spawn(std::io::Error),
    /// The nested build failed; its output is printed to the build script's stderr.
    Build {
        arch: String,
        status: std::process::ExitStatus,
    },
    /// The build succeeded but left no `.ptx` where expected.
    MissingPtx(PathBuf),
    /// A launch bound names an entry point the PTX does not have.
    UnknownEntry(String),
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Spawn(e) => write!(f, "could not run cargo for the nvptx64 build: {e}"),
            Error::Build { arch, status } => write!(
                f,
                "building the device crate for {arch} failed ({status}); the rustc errors are above. \
                 The toolchain needs the components rust-src and llvm-bitcode-linker (see rust-toolchain.toml)"
            ),
            Error::MissingPtx(p) => {
                write!(f, "the nvptx64 build produced no PTX at {}", p.display())
            }
            Error::UnknownEntry(n) => write!(
                f,
                "launch bounds given for `{n}`, which is not an entry point of the PTX"
            ),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

/// One PTX build: a crate, a GPU architecture, launch bounds.
#[derive(Clone, Debug)]
pub struct PtxBuilder {
    crate_dir: PathBuf,
    arch: String,
    target_dir: Option<PathBuf>,
    features: Vec<String>,
    bounds: Vec<(String, u32, u32)>,
    param_alignment: Option<u32>,
}

impl PtxBuilder {
    /// The device crate at `crate_dir` (a directory holding its `Cargo.toml`).
    pub fn new(crate_dir: impl AsRef<Path>) -> Self {
        PtxBuilder {
            crate_dir: crate_dir.as_ref().to_path_buf(),
            arch: "sm_90a".into(),
            target_dir: None,
            features: Vec::new(),
            bounds: Vec::new(),
            param_alignment: None,
        }
    }

    /// The GPU architecture (`-C target-cpu`), e.g. `sm_90a` or `sm_80`.
    pub fn arch(mut self, arch: &str) -> Self {
        self.arch = arch.into();
        self
    }

    /// Where the nested cargo puts its build (default: `target/nvptx` beside the crate's
    /// workspace, or `$OUT_DIR/nvptx` inside a build script).
    pub fn target_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.target_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Cargo features of the device crate to enable (`--features`); each set of features
    /// builds in a target directory of its own.
    pub fn features<'a>(mut self, features: impl IntoIterator<Item = &'a str>) -> Self {
        self.features.extend(features.into_iter().map(String::from));
        self
    }

    /// `__launch_bounds__(threads, min_blocks)` for entry `name`: written into the PTX as
    /// `.maxntid` and `.minnctapersm`, which cap registers so that `min_blocks` blocks of
    /// `threads` fit on one SM.
    pub fn launch_bounds(mut self, name: &str, threads: u32, min_blocks: u32) -> Self {
        self.bounds.push((name.into(), threads, min_blocks));
        self
    }

    /// Declares every entry's first parameter with `.align bytes` in the PTX.
    ///
    /// rustc's kernel ABI accepts parameter types aligned to at most 16 bytes, but some
    /// hardware reads parameter data in place with stricter rules (a TMA descriptor used from
    /// the parameter space must be 64-byte aligned). Only where the parameter starts changes;
    /// its layout is the Rust type's.
    pub fn param_alignment(mut self, bytes: u32) -> Self {
        self.param_alignment = Some(bytes);
        self
    }

    /// [`launch_bounds`](Self::launch_bounds) for each `(name, threads, min_blocks)`.
    pub fn launch_bounds_all<'a>(
        self,
        bounds: impl IntoIterator<Item = (&'a str, u32, u32)>,
    ) -> Self {
        bounds
            .into_iter()
            .fold(self, |b, (n, t, m)| b.launch_bounds(n, t, m))
    }

    /// Builds and returns the PTX text.
    pub fn build(&self) -> Result<String, Error> {
        let target_dir =
            self.target_dir
                .clone()
                .unwrap_or_else(|| match std::env::var_os("OUT_DIR") {
                    Some(out) => PathBuf::from(out).join("nvptx"),
                    None => self.crate_dir.join("../target/nvptx"),
                });
        let target_dir = target_dir.join(
            std::iter::once(self.arch.as_str())
                .chain(self.features.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join("-"),
        );
        let flags = [
            format!("-Ctarget-cpu={}", self.arch),
            "-Ctarget-feature=+ptx86".into(),
            "-Cpanic=abort".into(),
        ]
        .join("\x1f");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(&self.crate_dir)
            .args([
                "rustc",
                "--release",
                "--lib",
                "--crate-type",
                "cdylib",
                "--target",
                TARGET,
            ])
            .args(["-Zbuild-std=core", "--target-dir"])
            .arg(&target_dir)
            .args(
                (!self.features.is_empty())
                    .then(|| ["--features".to_string(), self.features.join(",")])
                    .into_iter()
                    .flatten(),
            )
            // The outer build's flags are for the host, not for nvptx64.
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env_remove("RUSTC_WRAPPER")
            .env("CARGO_ENCODED_RUSTFLAGS", flags)
            .status()
            .map_err(Error::Spawn)?;
        if !status.success() {
            return Err(Error::Build {
                arch: self.arch.clone(),
                status,
            });
        }
        let name = crate_name(&self.crate_dir.join("Cargo.toml")).map_err(Error::Io)?;
        let ptx_path = target_dir
            .join(TARGET)
            .join("release")
            .join(format!("{name}.ptx"));
        let ptx = std::fs::read_to_string(&ptx_path).map_err(|_| Error::MissingPtx(ptx_path))?;
        let ptx = match self.param_alignment {
            Some(bytes) => align_first_params(&ptx, bytes),
            None => ptx,
        };
        self.bounds
            .iter()
            .try_fold(ptx, |ptx, (n, t, b)| add_launch_bounds(&ptx, n, *t, *b))
    }
}

const TARGET: &str = "nvptx64-nvidia-cuda";

/// The library name (`package.name` with `-` as `_`) from a manifest.
fn crate_name(manifest: &Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(manifest)?;
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(v) = line.strip_prefix("name") {
            let v = v
                .trim_start()
                .trim_start_matches('=')
                .trim()
                .trim_matches('"');
            return Ok(v.replace('-', "_"));
        }
    }
    Err(std::io::Error::other(format!(
        "no package name in {}",
        manifest.display()
    )))
}

/// Inserts `.maxntid`/`.minnctapersm` between entry `name`'s parameter list and its body.
fn add_launch_bounds(
    ptx: &str,
    name: &str,
    threads: u32,
    min_blocks: u32,
) -> Result<String, Error> {
    let header = format!(".entry {name}(");
    let start = ptx
        .find(&header)
        .ok_or_else(|| Error::UnknownEntry(name.into()))?;
    let body = start
        + ptx[start..]
            .find("\n{")
            .ok_or_else(|| Error::UnknownEntry(name.into()))?;
    Ok(format!(
        "{}\n.maxntid {threads}, 1, 1\n.minnctapersm {min_blocks}{}",
        &ptx[..body],
        &ptx[body..]
    ))
}

/// Rewrites `.param .align N .b8 <entry>_param_0[` of every entry to `.align bytes`.
fn align_first_params(ptx: &str, bytes: u32) -> String {
    let mut out = String::with_capacity(ptx.len());
    let mut in_entry_header = false;
    for line in ptx.lines() {
        let trimmed = line.trim_start();
        if trimmed.contains(".entry ") {
            in_entry_header = true;
        }
        match trimmed.strip_prefix(".param .align ") {
            Some(rest) if in_entry_header && rest.contains("_param_0[") => {
                let decl = rest.split_once(' ').map_or(rest, |(_, d)| d);
                out.push_str(&format!("\t.param .align {bytes} {decl}"));
                in_entry_header = false;
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_bounds_go_before_the_body() {
        let ptx = ".visible .entry k(\n\t.param .b64 p\n)\n{\n\tret;\n}\n";
        let out = add_launch_bounds(ptx, "k", 256, 2).unwrap();
        assert_eq!(
            out,
            ".visible .entry k(\n\t.param .b64 p\n)\n.maxntid 256, 1, 1\n.minnctapersm 2\n{\n\tret;\n}\n"
        );
    }

    #[test]
    fn first_parameter_alignment_is_raised() {
        let ptx = ".visible .entry k(\n\t.param .align 8 .b8 k_param_0[320]\n)\n{\n\tret;\n}\n";
        let out = align_first_params(ptx, 64);
        assert_eq!(
            out,
            ".visible .entry k(\n\t.param .align 64 .b8 k_param_0[320]\n)\n{\n\tret;\n}\n"
        );
    }

    #[test]
    fn unknown_entry_is_an_error() {
        assert!(matches!(
            add_launch_bounds(".entry k(\n)\n{\n}", "q", 1, 1),
            Err(Error::UnknownEntry(_))
        ));
    }
}
