//! Tile schedulers: which output tile a thread block computes next.
//!
//! Plain integer math, compiled for the GPU and for the host, where it is property-tested.
//!
//! - [`NaiveGrid`]: one block per output tile; the hardware hands out blocks, and each block
//!   computes exactly one tile.
//! - [`Persistent`]: as many blocks as fit on the GPU at once; each loops over tiles
//!   `block, block + blocks, block + 2·blocks, …`, so a block's setup is paid once and the
//!   next tile's first loads can be issued while the previous tile's epilogue runs.
//!
//! Both walk tiles in the same grouped order ([`TileGrid::tile`]), so the difference between
//! them is persistence alone.
//!
//! [`Clustered`] wraps either for kernels launched in thread-block clusters: the wrapped
//! scheduler hands out cluster tiles (`CLUSTER_M` tiles stacked along M), and each block of
//! the cluster computes its own tile of them.

/// One output tile: its position in tiles (not elements) and its problem of the batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WorkTile {
    /// Tile row: output rows `m · BLOCK_M ..`.
    pub m: u32,
    /// Tile column: output columns `n · BLOCK_N ..`.
    pub n: u32,
    /// Problem of the batch (0 without a batch).
    pub batch: u32,
}

/// The output matrices of a batch cut into `BLOCK_M × BLOCK_N` tiles, and the order they are
/// visited in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileGrid {
    pub tiles_m: u32,
    pub tiles_n: u32,
    /// Tile-rows per group; at least 1.
    pub group_m: u32,
    /// Problems of the batch; at least 1.
    pub batches: u32,
}

impl TileGrid {
    /// The tiles of `batches` outputs of `m × n` with `block_m × block_n` tiles (`m`, `n` ≥ 1;
    /// the host checks that the total count fits `u32`).
    #[inline(always)]
    pub const fn new(
        m: u32,
        n: u32,
        block_m: u32,
        block_n: u32,
        group_m: u32,
        batches: u32,
    ) -> Self {
        TileGrid {
            tiles_m: m.div_ceil(block_m),
            tiles_n: n.div_ceil(block_n),
            group_m: if group_m == 0 { 1 } else { group_m },
            batches: if batches == 0 { 1 } else { batches },
        }
    }

    /// Tiles of one problem.
    #[inline(always)]
    pub const fn per_batch(&self) -> u32 {
        self.tiles_m * self.tiles_n
    }

    /// Number of tiles, over the whole batch.
    #[inline(always)]
    pub const fn count(&self) -> u32 {
        self.per_batch() * self.batches
    }

    /// The tile at position `linear` of the grouped order.
    ///
    /// Problems follow each other (a persistent grid so spreads the tiles of every problem
    /// over the SMs, and a small problem leaves no SM idle). Inside one, consecutive positions
    /// walk down a column of `group_m` tile-rows before moving one tile-column right. Blocks
    /// that run at the same time then share the same few rows of `A` and columns of `B`,
    /// which stay in L2, instead of streaming whole rows of tiles.
    #[inline(always)]
    pub const fn tile(&self, linear: u32) -> WorkTile {
        let batch = linear / self.per_batch();
        let linear = linear - batch * self.per_batch();
        let per_group = self.group_m * self.tiles_n;
        let group = linear / per_group;
        let first_m = group * self.group_m;
        let rows_in_group = min(self.tiles_m - first_m, self.group_m);
        let in_group = linear - group * per_group;
        WorkTile {
            m: first_m + in_group % rows_in_group,
            n: in_group / rows_in_group,
            batch,
        }
    }
}

#[inline(always)]
const fn min(a: u32, b: u32) -> u32 {
    if a < b { a } else { b }
}

/// Hands a thread block its output tiles, one at a time.
pub trait TileScheduler: Sized {
    /// Whether a block may get more than one tile (and should prepare the next one early).
    const PERSISTENT: bool;
    /// Blocks per cluster, stacked along M (see [`Clustered`]); 1 for a grid launched
    /// without clusters. The host launches in clusters of this size.
    const CLUSTER_M: u32 = 1;
    /// How many blocks to launch for `grid`, when `resident` blocks fit on the GPU at once.
    fn grid_size(grid: &TileGrid, resident: u32) -> u32;
    /// The scheduler of block `block` out of `blocks`.
    fn new(grid: TileGrid, block: u32, blocks: u32) -> Self;
    /// The next tile, or `None` when this block is done.
    fn next(&mut self) -> Option<WorkTile>;
}

/// One block per output tile.
#[derive(Clone, Copy, Debug)]
pub struct NaiveGrid {
    grid: TileGrid,
    tile: Option<u32>,
}

impl TileScheduler for NaiveGrid {
    const PERSISTENT: bool = false;

    #[inline(always)]
    fn grid_size(grid: &TileGrid, _resident: u32) -> u32 {
        grid.count()
    }

    #[inline(always)]
    fn new(grid: TileGrid, block: u32, _blocks: u32) -> Self {
        let tile = if block < grid.count() {
            Some(block)
        } else {
            None
        };
        NaiveGrid { grid, tile }
    }

    #[inline(always)]
    fn next(&mut self) -> Option<WorkTile> {
        let linear = self.tile.take()?;
        Some(self.grid.tile(linear))
    }
}

/// One block per resident slot; each block strides over the tiles.
#[derive(Clone, Copy, Debug)]
pub struct Persistent {
    grid: TileGrid,
    next: u32,
    stride: u32,
}

impl TileScheduler for Persistent {
    const PERSISTENT: bool = true;

    #[inline(always)]
    fn grid_size(grid: &TileGrid, resident: u32) -> u32 {
        min(grid.count(), if resident == 0 { 1 } else { resident })
    }

    #[inline(always)]
    fn new(grid: TileGrid, block: u32, blocks: u32) -> Self {
        Persistent {
            grid,
            next: block,
            stride: blocks,
        }
    }

    #[inline(always)]
    fn next(&mut self) -> Option<WorkTile> {
        if self.next >= self.grid.count() {
            return None;
        }
        let tile = self.grid.tile(self.next);
        // Saturating: `next + stride` must not wrap back into range.
        self.next = self.next.saturating_add(self.stride);
        Some(tile)
    }
}

/// The scheduler slot of team `team` of block `block` in a grid of `blocks` blocks with
/// `teams` teams each (the `mma.sync` kernel's teams: groups of warps of one block that work
/// through tiles of their own), and the number of slots: team `i` of block `b` is slot
/// `b + i · blocks`.
///
/// A block's teams share an SM, and the slots of one round of [`Persistent`] are numbered
/// team after team: when the tiles end part-way through a round, the slots that get one tile
/// more are those of different blocks, and no SM has two more tiles than another. (With
/// separate blocks the hardware decides which slots share an SM, and the extra tiles of a
/// partial round can land on both blocks of some SMs.)
#[inline(always)]
pub const fn team_slot(block: u32, blocks: u32, team: u32, teams: u32) -> (u32, u32) {
    (block + team * blocks, blocks * teams)
}

/// Clusters of `CLUSTER_M` consecutive blocks (the host launches with cluster dimensions
/// `(CLUSTER_M, 1, 1)`), scheduled by `S` over cluster tiles of `CLUSTER_M · block_m ×
/// block_n`: block `b` is rank `b % CLUSTER_M` of cluster `b / CLUSTER_M` and computes tile
/// row `CLUSTER_M · i + rank` of each cluster tile row `i` its cluster gets.
///
/// Every block of a cluster gets the same number of tiles, in step, with the same tile column:
/// what lets them share the `B` tile of each k-block. When `tiles_m` is not a multiple of
/// `CLUSTER_M`, the last cluster tile row hangs over M: blocks of higher rank then get tiles
/// with `m ≥ tiles_m`, entirely below the matrix, which they must still walk (their cluster
/// peers rely on their loads and barrier arrivals) but store nothing of.
#[derive(Clone, Copy, Debug)]
pub struct Clustered<S, const CLUSTER_M: u32> {
    inner: S,
    rank: u32,
}

impl<S, const CLUSTER_M: u32> Clustered<S, CLUSTER_M> {
    /// The grid of cluster tiles; groups keep (at least) as many tile rows as `grid`'s.
    #[inline(always)]
    const fn cluster_grid(grid: &TileGrid) -> TileGrid {
        TileGrid {
            tiles_m: grid.tiles_m.div_ceil(CLUSTER_M),
            tiles_n: grid.tiles_n,
            group_m: grid.group_m.div_ceil(CLUSTER_M),
            batches: grid.batches,
        }
    }
}

impl<S: TileScheduler, const CLUSTER_M: u32> TileScheduler for Clustered<S, CLUSTER_M> {
    const PERSISTENT: bool = S::PERSISTENT;
    const CLUSTER_M: u32 = {
        assert!(CLUSTER_M >= 1 && S::CLUSTER_M == 1);
        CLUSTER_M
    };

    /// `CLUSTER_M` blocks per cluster `S` would launch with `resident / CLUSTER_M` slots:
    /// a multiple of `CLUSTER_M`, as the cluster launch requires.
    #[inline(always)]
    fn grid_size(grid: &TileGrid, resident: u32) -> u32 {
        CLUSTER_M * S::grid_size(&Self::cluster_grid(grid), resident / CLUSTER_M)
    }

    #[inline(always)]
    fn new(grid: TileGrid, block: u32, blocks: u32) -> Self {
        Clustered {
            inner: S::new(
                Self::cluster_grid(&grid),
                block / CLUSTER_M,
                blocks / CLUSTER_M,
            ),
            rank: block % CLUSTER_M,
        }
    }

    #[inline(always)]
    fn next(&mut self) -> Option<WorkTile> {
        let t = self.inner.next()?;
        Some(WorkTile {
            m: t.m * CLUSTER_M + self.rank,
            ..t
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    extern crate std;
    use std::collections::HashSet;
    use std::vec::Vec;

    fn visit_all<S: TileScheduler>(grid: TileGrid, resident: u32) -> Vec<WorkTile> {
        let blocks = S::grid_size(&grid, resident);
        let mut seen = Vec::new();
        for block in 0..blocks {
            let mut s = S::new(grid, block, blocks);
            while let Some(t) = s.next() {
                seen.push(t);
            }
        }
        seen
    }

    /// Every block's tiles, in order.
    fn per_block<S: TileScheduler>(grid: TileGrid, resident: u32) -> Vec<Vec<WorkTile>> {
        let blocks = S::grid_size(&grid, resident);
        (0..blocks)
            .map(|block| {
                let mut s = S::new(grid, block, blocks);
                core::iter::from_fn(|| s.next()).collect()
            })
            .collect()
    }

    /// The clustered schedule of `S` covers every tile once, hands the blocks of a cluster
    /// vertically adjacent tiles of one column in step, and gives tiles below the matrix only
    /// to the last cluster row's higher ranks.
    fn assert_clustered<S: TileScheduler>(grid: TileGrid, resident: u32) {
        const C: u32 = 2;
        let blocks = per_block::<Clustered<S, C>>(grid, resident);
        assert_eq!(blocks.len() as u32 % C, 0, "{grid:?}");
        for cluster in blocks.chunks(C as usize) {
            for (rank, tiles) in cluster.iter().enumerate() {
                assert_eq!(tiles.len(), cluster[0].len(), "{grid:?}");
                for (t, t0) in tiles.iter().zip(&cluster[0]) {
                    assert_eq!(
                        (t.m, t.n, t.batch),
                        (t0.m + rank as u32, t0.n, t0.batch),
                        "{grid:?}"
                    );
                    assert_eq!(t0.m % C, 0);
                }
            }
        }
        let seen: Vec<WorkTile> = blocks.into_iter().flatten().collect();
        let (inside, below): (Vec<_>, Vec<_>) = seen.iter().partition(|t| t.m < grid.tiles_m);
        assert_exactly_once(grid, &inside);
        assert!(
            below.iter().all(|t| t.m == grid.tiles_m && t.m % C == 1),
            "{grid:?}: {below:?}"
        );
    }

    fn assert_exactly_once(grid: TileGrid, seen: &[WorkTile]) {
        assert_eq!(seen.len() as u32, grid.count(), "{grid:?}");
        let unique: HashSet<_> = seen.iter().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "a tile was visited twice: {grid:?}"
        );
        for t in seen {
            assert!(
                t.m < grid.tiles_m && t.n < grid.tiles_n && t.batch < grid.batches,
                "{t:?} outside {grid:?}"
            );
        }
    }

    #[test]
    fn grouped_order_walks_down_a_group_first() {
        let grid = TileGrid::new(4 * 128, 3 * 128, 128, 128, 2, 1);
        let order: Vec<_> = (0..grid.count())
            .map(|i| grid.tile(i))
            .map(|t| (t.m, t.n))
            .collect();
        assert_eq!(
            order,
            [
                (0, 0),
                (1, 0),
                (0, 1),
                (1, 1),
                (0, 2),
                (1, 2),
                (2, 0),
                (3, 0),
                (2, 1),
                (3, 1),
                (2, 2),
                (3, 2)
            ]
        );
    }

    #[test]
    fn last_group_may_be_short() {
        let grid = TileGrid::new(3, 2, 1, 1, 2, 1);
        let order: Vec<_> = (0..grid.count())
            .map(|i| grid.tile(i))
            .map(|t| (t.m, t.n))
            .collect();
        assert_eq!(order, [(0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (2, 1)]);
    }

    #[test]
    fn clustered_grids_are_whole_clusters() {
        // 3 × 2 tiles: cluster tile rows {0, 1} and {2, 3 (below M)}, 4 cluster tiles.
        let grid = TileGrid::new(3 * 128, 2 * 128, 128, 128, 8, 1);
        assert_eq!(Clustered::<NaiveGrid, 2>::grid_size(&grid, 132), 8);
        assert_eq!(Clustered::<Persistent, 2>::grid_size(&grid, 132), 8);
        assert_eq!(Clustered::<Persistent, 2>::grid_size(&grid, 5), 4);
        // Fewer slots than a cluster still launches one cluster.
        assert_eq!(Clustered::<Persistent, 2>::grid_size(&grid, 1), 2);
        let mut last = Clustered::<NaiveGrid, 2>::new(grid, 7, 8);
        assert_eq!(
            last.next(),
            Some(WorkTile {
                m: 3,
                n: 1,
                batch: 0
            })
        );
        assert_eq!(last.next(), None);
    }

    #[test]
    fn batches_follow_each_other() {
        let grid = TileGrid::new(2, 2, 1, 1, 8, 3);
        assert_eq!(grid.count(), 12);
        let batches: Vec<_> = (0..grid.count()).map(|i| grid.tile(i).batch).collect();
        assert_eq!(batches, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
        assert_eq!(
            grid.tile(5),
            WorkTile {
                m: 1,
                n: 0,
                batch: 1
            }
        );
    }

    #[test]
    fn persistent_launches_no_more_blocks_than_tiles() {
        let grid = TileGrid::new(100, 100, 128, 128, 8, 1);
        assert_eq!(Persistent::grid_size(&grid, 264), 1);
        assert_eq!(NaiveGrid::grid_size(&grid, 264), 1);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn every_tile_exactly_once(
            m in 1u32..5000, n in 1u32..5000,
            bm in prop::sample::select(&[16u32, 64, 128, 256][..]),
            bn in prop::sample::select(&[16u32, 64, 128, 256][..]),
            group_m in 0u32..17, resident in 0u32..700, batches in 0u32..4,
        ) {
            let grid = TileGrid::new(m, n, bm, bn, group_m, batches);
            assert_exactly_once(grid, &visit_all::<NaiveGrid>(grid, resident));
            assert_exactly_once(grid, &visit_all::<Persistent>(grid, resident));
            assert_clustered::<NaiveGrid>(grid, resident);
            assert_clustered::<Persistent>(grid, resident);
        }

        #[test]
        fn persistent_blocks_share_the_work_evenly(
            m in 1u32..20000, n in 1u32..20000, resident in 1u32..1000, batches in 1u32..5,
        ) {
            let grid = TileGrid::new(m, n, 128, 128, 8, batches);
            let blocks = Persistent::grid_size(&grid, resident);
            let per_block: Vec<u32> = (0..blocks)
                .map(|b| { let mut s = Persistent::new(grid, b, blocks); core::iter::from_fn(|| s.next()).count() as u32 })
                .collect();
            let (lo, hi) = (per_block.iter().min().unwrap(), per_block.iter().max().unwrap());
            prop_assert!(hi - lo <= 1, "{per_block:?}");
        }

        /// Blocks of teams (one per SM): every tile once, and every block within one tile of
        /// every other, whatever the tile count.
        #[test]
        fn team_blocks_share_the_work_evenly(
            m in 1u32..20000, n in 1u32..20000, sms in 1u32..200, teams in 1u32..4,
        ) {
            let grid = TileGrid::new(m, n, 128, 128, 8, 1);
            let blocks = Persistent::grid_size(&grid, sms);
            let mut seen = Vec::new();
            let per_block: Vec<usize> = (0..blocks)
                .map(|b| {
                    let before = seen.len();
                    for team in 0..teams {
                        let (slot, slots) = team_slot(b, blocks, team, teams);
                        let mut s = Persistent::new(grid, slot, slots);
                        seen.extend(core::iter::from_fn(|| s.next()));
                    }
                    seen.len() - before
                })
                .collect();
            assert_exactly_once(grid, &seen);
            let (lo, hi) = (per_block.iter().min().unwrap(), per_block.iter().max().unwrap());
            prop_assert!(hi - lo <= 1, "{per_block:?}");
        }
    }
}
