//! `tessera-viz`: the naive-vs-persistent picture. On a GPU, runs one fp32 GEMM on each grid
//! with every tile's SM and start/end time recorded, saves the records as JSON and renders
//! timelines and an animation from them; `--from records.json` renders saved records on any
//! machine.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use tessera::record::{Recorder, Recording};
use tessera::{Error, GemmDesc, Schedule};
use tessera_bench::suite::Shape;
use tessera_bench::viz::{self, Records, Run, Tile};

#[derive(Parser, Debug)]
#[command(
    about = "Record which SM computed which tile on the naive and persistent grids, and draw it"
)]
struct Args {
    /// The GEMM to record (`MxNxK`).
    #[arg(long, default_value = "8192x8192x1024", value_parser = Shape::parse)]
    shape: Shape,
    /// Render saved records instead of recording.
    #[arg(long)]
    from: Option<PathBuf>,
    /// Folder for the records and pictures.
    #[arg(long, default_value = "bench/results/viz")]
    out: PathBuf,
    /// Base name of the files (default: from the GPU and the shape, or the records file).
    #[arg(long)]
    name: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    tessera_bench::output::finish("tessera-viz", run(&args))
}

fn run(args: &Args) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let mut written = Vec::new();
    let (records, name) = match &args.from {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            (viz::parse_json(&text)?, stem.into_owned())
        }
        None => {
            let records = record(&args.shape)?;
            let stem = format!(
                "{}-{}",
                tessera_bench::output::file_stem(&records.gpu),
                args.shape.name.replace(' ', "")
            );
            let path = args
                .out
                .join(format!("{}.json", args.name.as_deref().unwrap_or(&stem)));
            let json = serde_json::to_string(&records).expect("records serialise");
            std::fs::write(&path, json).map_err(|e| format!("{}: {e}", path.display()))?;
            written.push(path);
            (records, stem)
        }
    };
    let stem = args.out.join(args.name.as_deref().unwrap_or(&name));
    written.extend(viz::render(&records, &stem)?);
    Ok(written)
}

/// Records `shape` on both grids (each after one unrecorded warm-up launch).
fn record(shape: &Shape) -> Result<Records, String> {
    let ctx = match tessera::context(0) {
        Ok(c) => c,
        Err(e @ (Error::NoDriver | Error::NoDevice)) => {
            return Err(format!(
                "{e}.\nRecording needs an NVIDIA GPU: build a bundle with `cargo xtask bundle` and run \
                 dist/run-viz.sh there, then render the records anywhere with `cargo xtask viz --from FILE.json`."
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    let e = |e: Error| e.to_string();
    let stream = ctx.default_stream();
    let recorder = Recorder::new(stream.clone()).map_err(e)?;
    let desc = GemmDesc::new(shape.m, shape.n, shape.k);
    let a_host: Vec<f32> = (0..shape.m * shape.k)
        .map(|i| (i % 17) as f32 * 0.125 - 1.0)
        .collect();
    let b_host: Vec<f32> = (0..shape.k * shape.n)
        .map(|i| (i % 13) as f32 * 0.125 - 0.75)
        .collect();
    let d = |e: tessera::cudarc::driver::DriverError| e.to_string();
    let a = stream.clone_htod(&a_host).map_err(d)?;
    let b = stream.clone_htod(&b_host).map_err(d)?;
    let mut c = stream.alloc_zeros::<f32>(shape.m * shape.n).map_err(d)?;
    let mut runs = Vec::new();
    let mut tile = (0, 0);
    for schedule in Schedule::ALL {
        recorder
            .record(schedule, &desc, &a, &b, &mut c)
            .map_err(e)?;
        let recording = recorder
            .record(schedule, &desc, &a, &b, &mut c)
            .map_err(e)?;
        tile = recording.tile;
        runs.push(to_run(recording));
    }
    Ok(Records {
        gpu: ctx.name().map_err(d)?,
        sm_count: recorder.sm_count(),
        m: shape.m,
        n: shape.n,
        k: shape.k,
        tile,
        runs,
    })
}

fn to_run(r: Recording) -> Run {
    Run {
        schedule: r.schedule.to_string(),
        blocks: r.blocks,
        tiles_m: r.tiles_m,
        tiles_n: r.tiles_n,
        tiles: r
            .records
            .iter()
            .map(|t| Tile {
                m: t.m,
                n: t.n,
                sm: t.sm,
                block: t.block,
                start_ns: t.start_ns,
                end_ns: t.end_ns,
            })
            .collect(),
    }
}
