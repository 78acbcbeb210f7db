//! Writing a run's results: the JSON + markdown pair in the results folder, optional extra
//! JSON and CSV copies, and the plots next to the JSON.

use crate::plot;
use crate::report::{self, Report};
use std::path::{Path, PathBuf};

/// Where a run's results go.
#[derive(Clone, Debug)]
pub struct Outputs {
    /// Folder of the `NAME.json` + `NAME.md` pair (and the plots).
    pub dir: PathBuf,
    /// `NAME`; `None`: derived from the GPU's name.
    pub name: Option<String>,
    pub csv: Option<PathBuf>,
    pub json: Option<PathBuf>,
    /// Render the plots next to the JSON.
    pub plots: bool,
}

/// The end of a command that writes files: lists them (or says what failed, prefixed with
/// `program`) on stderr, and gives the exit code.
pub fn finish(program: &str, result: Result<Vec<PathBuf>, String>) -> std::process::ExitCode {
    match result {
        Ok(written) => {
            for path in written {
                eprintln!("wrote {}", path.display());
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{program}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A file name from a GPU name: `NVIDIA H100 80GB HBM3` → `nvidia-h100-80gb-hbm3`.
pub fn file_stem(gpu: &str) -> String {
    gpu.to_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes every output of `report`; returns the paths written.
pub fn write_all(report: &Report, out: &Outputs) -> Result<Vec<PathBuf>, String> {
    let name = out.name.clone().unwrap_or_else(|| file_stem(&report.gpu));
    let stem = out.dir.join(name);
    let json = report::json(report);
    let mut written = vec![stem.with_extension("json"), stem.with_extension("md")];
    write(&written[0], &json)?;
    write(&written[1], &report::markdown_file(report))?;
    if let Some(path) = &out.json {
        write(path, &json)?;
        written.push(path.clone());
    }
    if let Some(path) = &out.csv {
        write(path, &report::csv(report))?;
        written.push(path.clone());
    }
    if out.plots {
        written.extend(plot::render(report, &stem)?);
    }
    Ok(written)
}

/// `tessera-bench plot FILE.json [--out DIR]`: the plots and the markdown table of a saved
/// run, next to it or in `out`.
pub fn plot_file(json: &Path, out: Option<&Path>) -> Result<Vec<PathBuf>, String> {
    let text = std::fs::read_to_string(json).map_err(|e| format!("{}: {e}", json.display()))?;
    let report = report::parse_json(&text).map_err(|e| format!("{}: {e}", json.display()))?;
    let stem_name = json.file_stem().unwrap_or_default();
    let stem = match out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            dir.join(stem_name)
        }
        None => json.with_extension(""),
    };
    let table = stem.with_extension("md");
    write(&table, &report::markdown_file(&report))?;
    let mut written = vec![table];
    written.extend(plot::render(&report, &stem)?);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_file_names() {
        assert_eq!(file_stem("NVIDIA H100 80GB HBM3"), "nvidia-h100-80gb-hbm3");
    }
}
