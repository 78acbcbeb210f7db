//! Timing with CUDA events: the compared calls in turns, each from an L2 cleared of its operands.
//!
//! An H100 running these GEMMs back to back sits at its power limit, and its clocks swing by
//! a quarter over a few seconds as the power management reacts; which kernel ran in a fast
//! or a slow phase would then decide the comparison. So the calls of a shape take turns, round
//! after round (`Turns`): every call runs in every position of a round equally often.
//!
//! What runs just before a call matters too. A call on the buffers its predecessor just used
//! finds the part of them the predecessor read last still in L2, and that part depends on the
//! predecessor's tile order; a predecessor that drew more power leaves lower clocks. Rounds that
//! only rotate one order would give every call the same predecessor in every round, so that
//! the difference would not average out: two rows of one kernel measured 2% apart. So each
//! call starts from the same L2 (before it, outside its events, a memset of a scratch buffer
//! twice the L2's size evicts the operands), and the order of the calls changes every few
//! rounds, so that each call follows each other one about equally often.
//!
//! Where the operands lie in memory matters as well: on an H100 a claimed-tiles kernel ran
//! 6% faster on two of four copies of the same operands than on the other two, in every
//! process, while the naive kernel ran alike on all four. A median over one placement would
//! carry that placement's luck into the comparison. So the rounds go through several copies of
//! the operands in turn (`placements`), and a call's time is the mean over the copies of its
//! median on each.
//!
//! The calls of a round are enqueued back to back, and the host waits only once, after the
//! last round: the GPU never sits idle waiting for the next launch, so an interval is the
//! call's own time, not the host's launch latency (which, for a call of a few tens of
//! microseconds, would be a large part of it).

use cudarc::driver::sys::CUevent_flags;
use cudarc::driver::{CudaEvent, CudaSlice, CudaStream, DriverError};
use rand::seq::SliceRandom;
use rand::{SeedableRng, rngs::StdRng};
use std::sync::Arc;

/// One call to time, on the state all calls share.
pub type Call<'a, S> = Box<dyn FnMut(&mut S) -> Result<(), String> + 'a>;

/// A scratch buffer whose memset evicts the whole L2.
pub struct L2Flush(CudaSlice<u8>);

impl L2Flush {
    /// Twice `l2_bytes`: the L2 is not strictly LRU, and one pass of its size can leave lines.
    pub fn new(stream: &Arc<CudaStream>, l2_bytes: usize) -> Result<Self, String> {
        let scratch = stream.alloc_zeros::<u8>(2 * l2_bytes.max(1)).map_err(err)?;
        Ok(L2Flush(scratch))
    }

    fn run(&mut self, stream: &Arc<CudaStream>) -> Result<(), String> {
        stream.memset_zeros(&mut self.0).map_err(err)
    }
}

/// Most timed rounds that `reps_ms` asks for ([`interleaved_medians`]).
const MAX_ROUNDS: usize = 2000;

fn err(e: DriverError) -> String {
    e.to_string()
}

/// Milliseconds of each of `calls` on `state`, each call after an L2 flush: untimed rounds
/// until at least `warmup` rounds and `warmup_ms` milliseconds (flushes included) have passed,
/// then timed rounds, a whole number per placement: at least `reps`, and as many as take about
/// `reps_ms` at the warm-up's pace (at most `MAX_ROUNDS`). Round `r` runs on placement
/// `r % placements` of the operands, which `place` selects on `state`; a call's time is the
/// mean over the placements of its median on each.
pub fn interleaved_medians<S>(
    stream: &Arc<CudaStream>,
    flush: &mut L2Flush,
    (warmup, warmup_ms): (usize, f64),
    (reps, reps_ms): (usize, f64),
    state: &mut S,
    (placements, mut place): (usize, impl FnMut(&mut S, usize)),
    calls: &mut [Call<'_, S>],
) -> Result<Vec<f64>, String> {
    let placements = placements.max(1);
    let n = calls.len();
    let mut turns = Turns::new(n);
    let ctx = stream.context();
    let event = || ctx.new_event(Some(CUevent_flags::CU_EVENT_DEFAULT));
    // Warm-up, in batches of rounds sized from the time per round so far.
    let (start, stop) = (event().map_err(err)?, event().map_err(err)?);
    let (mut rounds, mut spent_ms, mut batch) = (0, 0.0, warmup.max(1));
    while rounds < warmup || spent_ms < warmup_ms {
        start.record(stream).map_err(err)?;
        for _ in 0..batch {
            place(state, rounds % placements);
            for c in turns.round() {
                flush.run(stream)?;
                calls[c](state)?;
            }
            rounds += 1;
        }
        stop.record(stream).map_err(err)?;
        spent_ms += f64::from(start.elapsed_ms(&stop).map_err(err)?);
        let per_round = spent_ms / rounds as f64;
        batch = ((warmup_ms - spent_ms) / per_round)
            .ceil()
            .clamp(1.0, 1000.0) as usize;
    }
    let reps = timed_rounds((reps, reps_ms), spent_ms / rounds as f64, placements);
    // Created before the timed rounds: creating an event costs host time. A pair per timed
    // call, since the flushes run between the calls.
    let events: Vec<(CudaEvent, CudaEvent)> = (0..reps * n)
        .map(|_| Ok((event()?, event()?)))
        .collect::<Result<_, DriverError>>()
        .map_err(err)?;
    // `order[j]`: the call timed by event pair `j`; the flush runs before the pair's start.
    let mut order = Vec::with_capacity(reps * n);
    for round in 0..reps {
        place(state, round % placements);
        for c in turns.round() {
            let (start, stop) = &events[order.len()];
            flush.run(stream)?;
            start.record(stream).map_err(err)?;
            calls[c](state)?;
            stop.record(stream).map_err(err)?;
            order.push(c);
        }
    }
    let (_, last) = &events[order.len() - 1];
    last.synchronize().map_err(err)?;
    // `times[c][p]`: call `c`'s times on placement `p`; event pair `j` is of round `j / n`.
    let mut times = vec![vec![Vec::with_capacity(reps / placements); placements]; n];
    for (j, (&c, (start, stop))) in order.iter().zip(&events).enumerate() {
        let ms = f64::from(start.elapsed_ms(stop).map_err(err)?);
        times[c][j / n % placements].push(ms);
    }
    Ok(times.into_iter().map(mean_of_medians).collect())
}

/// Timed rounds for rounds of `per_round_ms`: at least `reps`, and as many as take `reps_ms`
/// (at most [`MAX_ROUNDS`]), a whole number per placement. One event interval is coarse
/// against a call of a few microseconds, and so is a median of a few of them: short calls get
/// more rounds.
fn timed_rounds((reps, reps_ms): (usize, f64), per_round_ms: f64, placements: usize) -> usize {
    let for_time = (reps_ms / per_round_ms).ceil();
    let for_time = if for_time.is_finite() {
        (for_time as usize).min(MAX_ROUNDS)
    } else {
        MAX_ROUNDS
    };
    reps.max(for_time).max(1).next_multiple_of(placements)
}

/// The mean over placements of the median time on each (none empty).
fn mean_of_medians(per_placement: Vec<Vec<f64>>) -> f64 {
    let n = per_placement.len() as f64;
    per_placement.into_iter().map(median).sum::<f64>() / n
}

/// The order of the calls in each round: every `n` rounds a new random order of the `n`
/// calls, which each of those rounds starts one call later. So per `n` rounds every call runs
/// once in every position, and over many rounds it follows every other call about equally
/// often. The orders are the same in every run (a fixed seed).
struct Turns {
    order: Vec<usize>,
    round: usize,
    rng: StdRng,
}

impl Turns {
    fn new(n: usize) -> Self {
        Turns {
            order: (0..n).collect(),
            round: 0,
            rng: StdRng::seed_from_u64(0),
        }
    }

    /// The calls of the next round, in order.
    fn round(&mut self) -> Vec<usize> {
        let n = self.order.len();
        let shift = self.round % n;
        if shift == 0 {
            self.order.shuffle(&mut self.rng);
        }
        self.round += 1;
        (0..n).map(|t| self.order[(shift + t) % n]).collect()
    }
}

/// The median of `v` (not empty); the upper one of an even count.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::{MAX_ROUNDS, Turns, mean_of_medians, timed_rounds};

    #[test]
    fn short_rounds_get_more_of_them() {
        // 20 rounds of 5 ms take 100 ms already; rounds of 0.2 ms need 500.
        assert_eq!(timed_rounds((20, 100.0), 5.0, 4), 20);
        assert_eq!(timed_rounds((20, 100.0), 0.2, 4), 500);
        assert_eq!(
            timed_rounds((20, 100.0), 0.0001, 3),
            MAX_ROUNDS.next_multiple_of(3)
        );
        assert_eq!(timed_rounds((20, 0.0), 0.2, 4), 20);
        assert_eq!(timed_rounds((5, 0.0), 0.2, 4), 8);
        assert_eq!(timed_rounds((3000, 100.0), 0.2, 1), 3000);
    }

    #[test]
    fn each_placement_weighs_alike_whatever_its_outliers() {
        // Two placements 6% apart, one outlier each: the mean of the medians sits between
        // them, where the median of all ten runs would be one placement's figure.
        let fast = vec![0.492, 0.493, 0.491, 0.900, 0.492];
        let slow = vec![0.520, 0.521, 0.100, 0.519, 0.520];
        assert!((mean_of_medians(vec![fast, slow]) - 0.506).abs() < 1e-9);
        assert_eq!(mean_of_medians(vec![vec![3.0, 1.0, 2.0]]), 2.0);
    }

    #[test]
    fn every_call_runs_once_in_every_position_per_n_rounds() {
        for n in 1..=7 {
            let mut turns = Turns::new(n);
            for _ in 0..4 {
                let mut seen = vec![vec![0; n]; n];
                for _ in 0..n {
                    for (position, c) in turns.round().into_iter().enumerate() {
                        seen[c][position] += 1;
                    }
                }
                assert!(seen.iter().flatten().all(|&k| k == 1), "n = {n}: {seen:?}");
            }
        }
    }

    #[test]
    fn every_call_follows_every_other_one() {
        let n = 5;
        let mut turns = Turns::new(n);
        let mut after = vec![vec![0; n]; n];
        let mut previous = None;
        for _ in 0..40 * n {
            for c in turns.round() {
                if let Some(p) = previous {
                    after[c][p] += 1;
                }
                previous = Some(c);
            }
        }
        // 200 rounds: 999 successions over 20 ordered pairs (an order that only rotated would
        // give each call two predecessors).
        let mean = (40 * n * n - 1) / (n * (n - 1));
        for (c, row) in after.iter().enumerate() {
            for (p, &k) in row.iter().enumerate() {
                assert!(
                    p == c || 2 * k >= mean,
                    "call {c} ran after call {p} {k} times: {after:?}"
                );
            }
        }
    }
}
