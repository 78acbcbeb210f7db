//! `tessera-bench`: Tessera's kernels on naive and persistent grids next to cuBLAS (see the
//! library's `runner`), and `tessera-bench plot FILE.json` to render a saved run.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tessera::{DType, Error, Schedule};
use tessera_bench::output::{self, Outputs};
use tessera_bench::runner::{self, Plan};
use tessera_bench::select::{Layouts, parse_dtype, parse_layouts, parse_schedule};
use tessera_bench::suite::{Shape, Suite};

#[derive(Parser, Debug)]
#[command(
    about = "Benchmark Tessera's GEMM kernels against cuBLAS on this machine's GPU",
    args_conflicts_with_subcommands = true
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Shapes to run (`MxNxK`, or `N` for a cube); they replace the suite.
    #[arg(long = "shape", value_parser = Shape::parse)]
    shapes: Vec<Shape>,
    /// Named set of shapes.
    #[arg(long, value_enum, default_value_t = Suite::Default)]
    suite: Suite,
    /// Element types of the inputs.
    #[arg(long = "dtype", default_values = ["f32"], value_parser = parse_dtype)]
    dtypes: Vec<DType>,
    /// Only kernels whose name contains one of these (cuBLAS is always run).
    #[arg(long = "kernel")]
    kernels: Vec<String>,
    /// Only kernels on this grid: `naive` or `persistent` (cuBLAS is always run).
    #[arg(long = "schedule", value_parser = parse_schedule)]
    schedules: Vec<Schedule>,
    /// Storage order of A and B: nn (both row-major), nt, tn or tt (t: column-major); C is
    /// row-major.
    #[arg(long = "layout", default_value = "nn", value_parser = parse_layouts)]
    layouts: Layouts,
    /// Timed runs per kernel and shape, the kernels of a shape in turns (the mean over the
    /// copies of the operands of the median on each is reported): at least this many...
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    reps: u32,
    /// ...and at least as many as take this many milliseconds, flushes included (at most
    /// 2000): a call of a few microseconds is measured over hundreds of runs.
    #[arg(long, default_value_t = 100.0)]
    reps_ms: f64,
    /// Untimed rounds of the kernels of a shape first: at least this many...
    #[arg(long, default_value_t = 3)]
    warmup: usize,
    /// ...and at least this many milliseconds of them, so that the GPU's clocks settle
    /// before the timed rounds.
    #[arg(long, default_value_t = 200.0)]
    warmup_ms: f64,
    /// Folder for the JSON and markdown results and the plots.
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
    /// Base name of the result files (default: derived from the GPU's name).
    #[arg(long)]
    name: Option<String>,
    /// Also write the rows as CSV to this file.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Also write the JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Do not render the plots.
    #[arg(long)]
    no_plot: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render the markdown table and the plots of a saved run (FILE.md, FILE.svg, FILE.png,
    /// FILE-ksweep.* next to it).
    Plot {
        /// A JSON file written by the benchmark.
        json: PathBuf,
        /// Folder for the plots (default: beside the JSON).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.command {
        Some(Command::Plot { json, out }) => output::plot_file(json, out.as_deref()),
        None => bench(&args),
    };
    output::finish("tessera-bench", result)
}

fn bench(args: &Args) -> Result<Vec<PathBuf>, String> {
    let ctx = match tessera::context(0) {
        Ok(c) => c,
        Err(e @ (Error::NoDriver | Error::NoDevice)) => {
            return Err(format!(
                "{e}.\nThe benchmark needs an NVIDIA GPU. On a GPU machine without a Rust toolchain, \
                 build a bundle here with `cargo xtask bundle`, copy dist/ there and run dist/run-bench.sh. \
                 Plots of saved results need no GPU: `cargo xtask plot bench/results/FILE.json`."
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    let plan = Plan {
        shapes: (!args.shapes.is_empty()).then(|| args.shapes.clone()),
        suite: args.suite,
        dtypes: args.dtypes.clone(),
        kernels: args.kernels.clone(),
        schedules: args.schedules.clone(),
        layouts: args.layouts,
        reps: args.reps as usize,
        reps_ms: args.reps_ms,
        warmup: args.warmup,
        warmup_ms: args.warmup_ms,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let report = runner::run(&plan, ctx)?;
    println!(
        "\n{}\n\n{}",
        report.gpu,
        tessera_bench::report::markdown(&report.rows)
    );
    output::write_all(
        &report,
        &Outputs {
            dir: args.out.clone(),
            name: args.name.clone(),
            csv: args.csv.clone(),
            json: args.json.clone(),
            plots: !args.no_plot,
        },
    )
}
