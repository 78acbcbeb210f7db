//! Timing with CUDA events, the compared calls in turns.
//!
//! An H100 running these GEMMs back to back sits at its power limit, and its clocks swing by
//! a quarter over a few seconds as the power management reacts; which kernel ran in a fast
//! or a slow phase would then decide the comparison. So the calls of a shape take turns, round
//! after round, each round starting one call later than the one before: every call sees the
//! same mix of phases and of predecessors, and a ratio between two of them is measured under
//! the same conditions.
//!
//! The calls of a round are enqueued back to back between events, and the host waits only
//! once, after the last round: the GPU never sits idle waiting for the next launch, so an
//! interval is the call's own time, not the host's launch latency (which, for a call of a few
//! tens of microseconds, would be a large part of it).

use cudarc::driver::sys::CUevent_flags;
use cudarc::driver::{CudaEvent, CudaStream};

/// One call to time, on the state all calls share; its second argument is the index of the
/// run (to rotate input sets).
pub type Call<'a, S> = Box<dyn FnMut(&mut S, usize) -> Result<(), String> + 'a>;

/// Median milliseconds of each of `calls` on `state`: untimed rounds until at least `warmup`
/// rounds and `warmup_ms` milliseconds have passed, then `reps` timed rounds.
pub fn interleaved_medians<S>(
    stream: &CudaStream,
    (warmup, warmup_ms): (usize, f64),
    reps: usize,
    state: &mut S,
    calls: &mut [Call<'_, S>],
) -> Result<Vec<f64>, String> {
    let n = calls.len();
    let e = |e: cudarc::driver::DriverError| e.to_string();
    // Created before the timed rounds: creating an event costs host time.
    let ctx = stream.context();
    let events: Vec<CudaEvent> = (0..=(reps * n).max(1))
        .map(|_| ctx.new_event(Some(CUevent_flags::CU_EVENT_DEFAULT)))
        .collect::<Result<_, _>>()
        .map_err(e)?;
    // Warm-up, in batches of rounds sized from the time per round so far.
    let (mut rounds, mut spent_ms, mut batch) = (0, 0.0, warmup.max(1));
    while rounds < warmup || spent_ms < warmup_ms {
        events[0].record(stream).map_err(e)?;
        for _ in 0..batch {
            round(rounds, state, calls, |_| Ok(()))?;
            rounds += 1;
        }
        events[1].record(stream).map_err(e)?;
        spent_ms += f64::from(events[0].elapsed_ms(&events[1]).map_err(e)?);
        let per_round = spent_ms / rounds as f64;
        batch = ((warmup_ms - spent_ms) / per_round)
            .ceil()
            .clamp(1.0, 1000.0) as usize;
    }
    // `order[j]`: the call timed between events `j` and `j + 1`.
    let mut order = Vec::with_capacity(reps * n);
    events[0].record(stream).map_err(e)?;
    for r in rounds..rounds + reps {
        round(r, state, calls, |c| {
            order.push(c);
            events[order.len()].record(stream).map_err(e)
        })?;
    }
    events[order.len()].synchronize().map_err(e)?;
    let mut times = vec![Vec::with_capacity(reps); n];
    for (j, &c) in order.iter().enumerate() {
        times[c].push(f64::from(events[j].elapsed_ms(&events[j + 1]).map_err(e)?));
    }
    Ok(times.into_iter().map(median).collect())
}

/// Round `r`: every call once, starting with call `r % n`, each followed by `after(call)`.
fn round<S>(
    r: usize,
    state: &mut S,
    calls: &mut [Call<'_, S>],
    mut after: impl FnMut(usize) -> Result<(), String>,
) -> Result<(), String> {
    let n = calls.len();
    for t in 0..n {
        let c = (r + t) % n;
        calls[c](state, r)?;
        after(c)?;
    }
    Ok(())
}

/// The median of `v` (not empty); the upper one of an even count.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
