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
    /// Whether [`next`](Self::next) has a tile, without computing it.
    fn has_next(&self) -> bool;
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

    #[inline(always)]
    fn has_next(&self) -> bool {
        self.tile.is_some()
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

    #[inline(always)]
    fn has_next(&self) -> bool {
        self.next < self.grid.count()
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

/// One team's share of a tile: the tile, and the k-tiles `k_begin .. k_end` of it that the
/// team computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Work {
    pub tile: WorkTile,
    pub k_begin: u32,
    pub k_end: u32,
    /// Who else computes k-tiles of the tile, and so who stores it.
    pub share: Share,
}

/// Whether a [`Work`]'s tile is shared, and with whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Share {
    /// The team computes every k-tile of the tile and stores it.
    Whole,
    /// The block's other teams compute the tile's other k-tiles: team 0 adds their partial
    /// sums to its own before it stores the tile, and the others hand theirs over instead of
    /// storing.
    Teams,
    /// Teams of other blocks compute the tile's other k-tiles ([`StreamKRound`]).
    StreamK(Piece),
}

/// One piece of a tile of a [`StreamKRound`], which teams of several blocks share. Each piece
/// leaves its partial sums in its own slot of a workspace ([`Piece::slot`]) and adds its
/// k-tiles to the tile's arrival counter; the piece that completes the count adds up every
/// piece, in slot order ([`stream_k_slots`]), and stores the tile. Nobody waits for another
/// block, and the sum does not depend on who arrives last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// The tile's position in the tile order.
    pub tile: u32,
}

impl Piece {
    /// The tile's position in the round of a grid of `count` tiles over `slots` slots, which
    /// is also its arrival counter.
    #[inline(always)]
    pub const fn in_round(self, count: u32, slots: u32) -> u32 {
        self.tile - whole_round_tiles(count, slots)
    }

    /// Workspace slot of this piece, computed by the team of slot `slot` (its [`team_slot`])
    /// of `slots`, on a grid of `count` tiles: each team computes at most one piece of a tile,
    /// and a tile's pieces come from consecutive slots.
    #[inline(always)]
    pub const fn slot(self, count: u32, slot: u32, slots: u32) -> u32 {
        slot + self.in_round(count, slots)
    }
}

/// Hands one team of a block (see [`team_slot`]) its work, in order: for kernels whose
/// blocks hold several teams that each run their own pipeline.
pub trait WorkScheduler: Copy {
    /// Whether a team may get more than one work.
    const PERSISTENT: bool;
    /// Whether the grid has blocks past the round blocks, which [`new`](Self::new) is then
    /// given as `blocks` ([`GemmParams::round_blocks`](crate::params::GemmParams)) in place of
    /// the grid size.
    const TAIL: bool = false;
    /// Whether some works are pieces of tiles shared through memory ([`Share::StreamK`]).
    const STREAM_K: bool = false;
    /// The schedule of team `team` of `teams` in block `block` of `blocks`, for tiles of
    /// `k_tiles` k-tiles (at least 1).
    fn new(grid: TileGrid, k_tiles: u32, block: u32, blocks: u32, team: u32, teams: u32) -> Self;
    /// The next work, or `None` when this team is done.
    fn next_work(&mut self) -> Option<Work>;
    /// The number of k-tiles of the next work (`k_end - k_begin`), or `None` when there is
    /// none, without computing its tile.
    fn next_k_tiles(&self) -> Option<u32>;
    /// Whether the team claims its works after the first at run time ([`ClaimedTiles`]): the
    /// kernel then claims the next one near the end of each work, and passes the counter value
    /// the claim returned to [`claimed`](Self::claimed) before it asks for that work.
    const CLAIMED: bool = false;
    /// The counter value of the team's claim for its next work.
    #[inline(always)]
    fn claimed(&mut self, _counter: u32) {}
    /// Whether the claim that returned `counter` is the launch's last, which sets the counter
    /// back to zero.
    #[inline(always)]
    fn last_claim(&self, _counter: u32) -> bool {
        false
    }
}

mod claimed;
pub use claimed::ClaimedTiles;

/// Every tile whole, from the [`TileScheduler`] `S` over the teams' slots.
#[derive(Clone, Copy, Debug)]
pub struct WholeTiles<S> {
    tiles: S,
    k_tiles: u32,
}

impl<S: TileScheduler + Copy> WorkScheduler for WholeTiles<S> {
    const PERSISTENT: bool = S::PERSISTENT;

    #[inline(always)]
    fn new(grid: TileGrid, k_tiles: u32, block: u32, blocks: u32, team: u32, teams: u32) -> Self {
        let (slot, slots) = team_slot(block, blocks, team, teams);
        WholeTiles {
            tiles: S::new(grid, slot, slots),
            k_tiles,
        }
    }

    #[inline(always)]
    fn next_work(&mut self) -> Option<Work> {
        let tile = self.tiles.next()?;
        Some(Work {
            tile,
            k_begin: 0,
            k_end: self.k_tiles,
            share: Share::Whole,
        })
    }

    #[inline(always)]
    fn next_k_tiles(&self) -> Option<u32> {
        self.tiles.has_next().then_some(self.k_tiles)
    }
}

/// The tiles of the whole rounds of `count` tiles over `slots` slots: where the partial last
/// round starts.
#[inline(always)]
const fn whole_round_tiles(count: u32, slots: u32) -> u32 {
    count - count % slots
}

/// Whether a persistent grid of teams leaves its partial last round to tail blocks: when there
/// is a whole round, and at most one tile per round block is left (`count` tiles, `blocks`
/// round blocks, `slots` teams in all).
#[inline(always)]
const fn has_tail(count: u32, blocks: u32, slots: u32) -> bool {
    let whole = whole_round_tiles(count, slots);
    whole > 0 && count - whole <= blocks
}

/// The grid of [`PersistentTeams`] for `grid` and `teams` teams per block when `resident`
/// blocks fit on the GPU at once: the round blocks, and the blocks to launch (the round
/// blocks, then one tail block per tile of the partial last round where there is a tail).
#[inline(always)]
pub fn teams_grid_size(grid: &TileGrid, resident: u32, teams: u32) -> (u32, u32) {
    let count = grid.count();
    let blocks = Persistent::grid_size(grid, resident);
    let slots = blocks * teams.max(1);
    if has_tail(count, blocks, slots) {
        (blocks, blocks + count % slots)
    } else {
        (blocks, blocks)
    }
}

/// [`Persistent`] over the slots of the round blocks, `TEAMS` teams each, and a different
/// treatment of the partial last round, which comes in two sizes:
///
/// - **At most one tile per round block** (after a whole round at least): the grid has one
///   *tail* block more per such tile ([`teams_grid_size`]), whose teams share it. The round
///   blocks' tiles end at quite different times (edges, the L2, their neighbours), and the
///   hardware starts a tail block on an SM that is free, as it does a naive grid's last
///   blocks. Handed to fixed round blocks instead, each such tile waits for its block's round
///   however long that takes: on an H100 at 1496 × 3000 × 2504 (one round of 264 tiles and
///   24 more) the busiest SM ran 8% longer than a naive grid's.
/// - **More, or no whole round**: the round blocks take it as a round of their own,
///   whose slots are numbered team after team ([`team_slot`]); when a block's share of it is a
///   single tile (always so when there are no more tiles than blocks), its teams share that
///   tile. (Tail blocks would each get one tile then, two or more per SM one after the other:
///   slower than two own tiles side by side.)
///
/// A shared tile: each team computes a slice of its k-tiles. A team alone on an SM runs one
/// warp per scheduler, which cannot hide the latency of its own loads and `mma`s; two teams on
/// two halves of the k-tiles finish the tile in a little more than half the time. A block
/// launched with fewer teams than `TEAMS` shares nothing (team 0 computes the tile), nor does a
/// tile with fewer k-tiles than teams.
#[derive(Clone, Copy, Debug)]
pub struct PersistentTeams<const TEAMS: u32> {
    grid: TileGrid,
    /// Position of this team's next own tile in the tile order: from `end` on once they are
    /// all handed out, `DONE` once the shared tile is too.
    next: u32,
    stride: u32,
    /// Positions from `end` on are not the block's: the tile count, the whole rounds' end
    /// where tail blocks take the rest, or one past a tail block's tile.
    end: u32,
    k_tiles: u32,
    team: u32,
    /// The block's teams: `TEAMS`, or fewer where the host launched fewer (nothing shared).
    teams: u32,
}

impl<const TEAMS: u32> PersistentTeams<TEAMS> {
    /// Past every position: the host keeps tile counts below `i32::MAX`, and strides (blocks
    /// times teams) far below.
    const DONE: u32 = u32::MAX;

    /// The block's tile in the round of position `next`, when it is the round's only one (so
    /// team 0's, and the block's last): the round starts at `next - team · blocks`, and its
    /// next slot (team 1's) is already past the end. Never so for a round block whose grid has
    /// tail blocks (`end` is then a whole round's end); always so for a tail block (set up as
    /// a block alone in a round of one tile). No division: this runs at every tile.
    #[inline(always)]
    fn lone_tile(&self) -> Option<u32> {
        if TEAMS < 2 || self.teams != TEAMS || self.k_tiles < TEAMS {
            return None;
        }
        let blocks = self.stride / TEAMS;
        let first = self.next - self.team * blocks;
        (first < self.end && self.end <= first + blocks).then_some(first)
    }

    /// The k-tiles this team computes of a tile, `shared` or not.
    #[inline(always)]
    fn k_range(&self, shared: bool) -> (u32, u32) {
        if shared {
            (
                self.team * self.k_tiles / TEAMS,
                (self.team + 1) * self.k_tiles / TEAMS,
            )
        } else {
            (0, self.k_tiles)
        }
    }
}

impl<const TEAMS: u32> WorkScheduler for PersistentTeams<TEAMS> {
    const PERSISTENT: bool = true;
    const TAIL: bool = true;

    /// `blocks`: the round blocks ([`GemmParams::round_blocks`](crate::params::GemmParams)).
    #[inline(always)]
    fn new(grid: TileGrid, k_tiles: u32, block: u32, blocks: u32, team: u32, teams: u32) -> Self {
        let (slot, slots) = team_slot(block, blocks, team, teams);
        let count = grid.count();
        let (next, stride, end) = if block >= blocks {
            // A tail block: its tile, past the whole rounds, as the lone tile of a block alone
            // in a round of one (team `t` at `tile + t`).
            let tile = whole_round_tiles(count, slots) + (block - blocks);
            (tile + team, teams, tile + 1)
        } else if has_tail(count, blocks, slots) {
            (slot, slots, whole_round_tiles(count, slots))
        } else {
            (slot, slots, count)
        };
        PersistentTeams {
            grid,
            next,
            stride,
            end,
            k_tiles,
            team,
            teams,
        }
    }

    #[inline(always)]
    fn next_work(&mut self) -> Option<Work> {
        if self.next == Self::DONE {
            return None;
        }
        let lone = self.lone_tile();
        let linear = if self.next < self.end {
            // Team 0's own tile; shared if it is the lone one (`lone` is `None` for the other
            // teams while they have tiles of their own).
            let linear = self.next;
            self.next = self.next.saturating_add(self.stride);
            linear
        } else if let Some(first) = lone
            && self.team > 0
        {
            // The other teams' extra work, after their own tiles.
            self.next = Self::DONE;
            first
        } else {
            self.next = Self::DONE;
            return None;
        };
        let (k_begin, k_end) = self.k_range(lone.is_some());
        Some(Work {
            tile: self.grid.tile(linear),
            k_begin,
            k_end,
            share: if lone.is_some() {
                Share::Teams
            } else {
                Share::Whole
            },
        })
    }

    #[inline(always)]
    fn next_k_tiles(&self) -> Option<u32> {
        if self.next == Self::DONE {
            return None;
        }
        let lone = self.lone_tile();
        if self.next >= self.end && (lone.is_none() || self.team == 0) {
            return None;
        }
        let (k_begin, k_end) = self.k_range(lone.is_some());
        Some(k_end - k_begin)
    }
}

/// Whether a persistent grid (`count` tiles of `k_tiles` k-tiles, `blocks` blocks of `slots /
/// blocks` teams each) runs better as one block per tile of the kernel built for a
/// [`NaiveGrid`], which the host then launches in its place. The host checks
/// [`stream_k_share`] first: a split round is not run this way. It does:
///
/// - **Where no slot gets a second tile**: one round (`count ≤ slots`), or, for a grid of
///   teams, one round and a tail of at most one tile per block, which [`teams_grid_size`] gives
///   to tail blocks (a naive grid starts its last blocks on the SMs that are free first, as
///   tail blocks do). Unless the teams of a block share its tile, a lone tile (no more tiles
///   than blocks) or a tail block's, with [`SHARED_TILE_MIN_K_TILES`] k-tiles at least.
/// - **Where one whole round is followed by a longer partial one of short tiles**: below
///   [`SECOND_ROUND_MIN_K_TILES`] k-tiles for a grid of teams (from there on the teams of a
///   block with one tile of that round share it), below [`SHARED_TILE_MIN_K_TILES`] with one
///   team per block. A slot then gets a second tile at most; the blocks that get two take
///   them right after their first, where a naive grid starts its last blocks on the SMs that
///   are free first. On an H100 (`bench/results/raw/h100-dp-stream-k.md`,
///   `bench/results/raw/h100-few-rounds.md`), the persistent grid of teams ran at 0.93–1.02×
///   the naive one's speed at 9 to 35 k-tiles, below 0.98× on half of the 12 shapes; at 43 to
///   60 k-tiles, where the split does not apply, at 0.94–1.04× (0.94–0.96× at 5297 × 1296 ×
///   2840 and 0.97–0.99× at 2097 × 3496 × 3792, 1.01–1.04× on four others, whose gain this
///   gives up); from 75 k-tiles on at 0.99–1.05× (5294 × 1448 × 4800, 1322 × 5592 × 5504,
///   3312 × 2448 × 5744, 4088 × 1920 × 6824, 7824 × 960 × 6776). The grid of one team ran at
///   0.97–1.02× on eight shapes of 3 to 32 k-tiles (1034 × 6456 × 1528 0.97–0.98×, 30720 ×
///   248 × 2048 0.98×).
/// - **With one team per block, where at most half the blocks would get a second tile**, for
///   the same reason. On an H100 the naive grid of 128 × 256 tiles was 1–5% faster there
///   (135–182 tiles on 132 SMs: 777 × 5000 × 3000, 1496 × 3000 × 2504, 2136 × 2064 × 352,
///   1384 × 3864 × 528, 640 × 6784 × 4096), and 0–3% slower with more (192–247 tiles).
/// - **For a grid of teams, up to [`TEAMS_SHORT_MAX_WHOLE_ROUNDS`] whole rounds of tiles
///   shorter than [`SHORT_TILE_K_TILES`] k-tiles.** A persistent block overlaps the start of
///   each tile with the end of the one before, but its two teams run their epilogues side by
///   side (`bench/results/raw/h100-persistent-gap-diagnosis.md`), which over short tiles and
///   few of them costs more. On an H100 (`bench/results/raw/h100-few-rounds.md`), the
///   persistent grid of teams ran at 0.89–1.03× the naive one's speed over two to five whole
///   rounds of 4 to 19 k-tiles, below 0.98× on 12 of 21 shapes (1420 × 6864 × 264 0.89–0.91×,
///   4306 × 3440 × 408 0.94×); at 20 to 39 k-tiles at 0.99–1.06× (10 shapes), and over six to
///   fifteen whole rounds of fewer than 40 k-tiles at 1.00–1.04×.
///
/// Without a second tile there is nothing for a persistent block to overlap, and the kernel
/// built for one tile per block runs a shorter k-loop: without a loop over tiles around it,
/// ptxas keeps the copy bookkeeping on the uniform datapath
/// (`bench/results/raw/h100-per-tile-pipeline-experiment.md`).
#[inline(always)]
pub const fn one_tile_per_block(count: u32, blocks: u32, slots: u32, k_tiles: u32) -> bool {
    let teams = slots > blocks;
    let shared_lone = teams && count <= blocks && k_tiles >= SHARED_TILE_MIN_K_TILES;
    // One whole round and a partial one: with a tail (at most one tile per block), or longer.
    let second_round = count > slots && count < 2 * slots;
    let short_second_round = second_round
        && if teams {
            k_tiles < SECOND_ROUND_MIN_K_TILES
        } else {
            k_tiles < SHARED_TILE_MIN_K_TILES
        };
    let few_second_tiles = !teams && count <= slots + slots / 2;
    let short_rounds =
        teams && count < (TEAMS_SHORT_MAX_WHOLE_ROUNDS + 1) * slots && k_tiles < SHORT_TILE_K_TILES;
    let shared_tail = teams && has_tail(count, blocks, slots) && k_tiles >= SHARED_TILE_MIN_K_TILES;
    (count <= slots && !shared_lone)
        || (short_second_round && !shared_tail)
        || few_second_tiles
        || short_rounds
}

/// Fewest k-tiles of a tile that the teams of a persistent block share, where every slot has
/// one tile at most ([`one_tile_per_block`]). On an H100
/// (`bench/results/raw/h100-one-tile-per-block.md`), persistent 128 × 128 grids against naive
/// ones:
///
/// - at most one tile per SM, two teams on halves of each tile against the naive grid's one
///   team on the whole: 16 k-tiles 0.92–0.95× its speed, 24 k-tiles 0.97–1.02×, 32 0.95–1.01×,
///   40 1.01–1.02×, 48 1.03×, 64 1.05–1.06×, 128 1.09–1.10×;
/// - one round and a tail of tail blocks: 6 k-tiles 0.82–0.84×, 12 0.88–0.91×, 16 0.92–0.94×,
///   24 0.95–0.97×, 32 0.98–0.99×, 40 1.00×, 44 1.00×, 48 1.01×; with `M` and `N` cut mid-tile,
///   1496 × 3000 × 2504 (40 k-tiles) 1.09× and 777 × 5000 × 3000 (47) 1.19×.
pub const SHARED_TILE_MIN_K_TILES: u32 = 40;

/// Fewest k-tiles of the tiles of a grid of teams with one whole round and a longer partial
/// one that the persistent kernel runs, the teams of a block with one tile of that round
/// sharing it ([`one_tile_per_block`]).
pub const SECOND_ROUND_MIN_K_TILES: u32 = 64;

/// Tiles of fewer k-tiles than this are short: a grid of teams with a few whole rounds of them
/// runs as one block per tile ([`one_tile_per_block`]).
pub const SHORT_TILE_K_TILES: u32 = 20;

/// Most whole rounds of short tiles ([`SHORT_TILE_K_TILES`]) that a grid of teams runs as one
/// block per tile ([`one_tile_per_block`]).
pub const TEAMS_SHORT_MAX_WHOLE_ROUNDS: u32 = 5;

/// Whether an operand's rows, `row_bytes` apart, are an odd number of 16-byte chunks apart,
/// so that a row of its tile spans one 32-byte sector more than it would aligned. Where `B`'s
/// rows do, the SMs of a fixed schedule compute tiles at different rates: on an H100
/// (`bench/results/raw/h100-claimed-tiles.md`), ncu found the SMs of a persistent 128 × 128
/// grid finishing their equal shares from 0.6 to 0.99 of the launch, while a naive grid kept
/// every SM busy to the end by giving the fast ones up to 1.29× the mean work. Such a grid
/// claims its tiles ([`claimed_tiles_pay`], on GPUs of little DRAM bandwidth per SM:
/// [`straddled_rows_unbalance_sms`]) or runs as one block per tile
/// ([`straddled_rows_run_naive`]). Where `A`'s rows do: [`straddled_a_rows_run_naive`].
#[inline(always)]
pub const fn rows_straddle_sectors(row_bytes: u64) -> bool {
    row_bytes % 32 == 16
}

/// Whether a persistent `mma.sync` grid of `count` tiles of `k_tiles` k-tiles over `slots`
/// slots, whose `B` has rows `ldb_bytes` apart, runs [`ClaimedTiles`] in place of its fixed
/// rounds: from [`CLAIMED_MIN_WHOLE_ROUNDS`] whole rounds on, for tiles of at least
/// [`CLAIMED_MIN_K_TILES`], where [`rows_straddle_sectors`].
///
/// Measured on an H100 with the 128 × 128 kernels (`bench/results/raw/h100-claimed-tiles.md`):
/// where `B`'s rows straddle sectors, over three to thirteen whole rounds, claims raised six
/// shapes from 0.94–0.97× the naive grid to 0.98–1.01×; with the claims made late (see
/// [`ClaimedTiles`]), 23 shapes ran at 0.994–1.029× on average over three processes
/// (`bench/results/raw/late-claims.md`). Where the rows are sector-aligned, the
/// fixed rounds stay balanced, and claims moved nine shapes by −4% to +1.4% (8192³: 1.036× →
/// 1.006×). The 128 × 256 kernel lost 1–7% with claims on every shape, and has none. On a GPU
/// with more DRAM bandwidth per SM the fixed rounds ran faster than claims, and the host makes
/// none there ([`straddled_rows_unbalance_sms`]).
#[inline(always)]
pub const fn claimed_tiles_pay(count: u32, slots: u32, k_tiles: u32, ldb_bytes: u64) -> bool {
    slots > 0
        && count / slots >= CLAIMED_MIN_WHOLE_ROUNDS
        && k_tiles >= CLAIMED_MIN_K_TILES
        && rows_straddle_sectors(ldb_bytes)
}

/// Whether a persistent `mma.sync` grid of `count` tiles over `blocks` blocks of `slots` teams
/// in all, whose `B` has rows `ldb_bytes` apart, runs as one block per tile where
/// [`rows_straddle_sectors`]. Its slots would then finish their fixed rounds at the pace of the
/// slowest SMs, while the hardware hands the last tiles of a naive grid to the SMs that are
/// free first. It does from one whole round on:
///
/// - **With one team per block.** On an H100 the 128 × 256 kernel, which has no
///   [`ClaimedTiles`] kernel (it lost 1–7% with claims), ran at 0.95–1.00× the naive grid's
///   speed on 17 of 30 such shapes of one to thirteen whole rounds, below 0.98× in a run at
///   least on eight (5000³ 0.948–0.959×, 5292 × 1832 × 2952 0.960–0.962×, 7330 × 5768 × 4728
///   0.964–0.970×), and at 1.00–1.02× on the other 13 (`bench/results/raw/h100-claimed-tiles.md`,
///   `bench/results/raw/straddled-rows.md`). So does the 128 × 128 grid where it has one
///   team per block (A100): claims were measured only in place of the H100's grid of teams.
/// - **With teams, after one to [`STREAM_K_MAX_WHOLE_ROUNDS`] whole rounds and a last round
///   of more tiles than blocks**, which the grid of teams would split stream-K
///   ([`stream_k_share`]) or run as a round of its own. On an H100
///   (`bench/results/raw/straddled-rows.md`, `bench/results/raw/h100-claimed-tiles.md`,
///   `bench/results/raw/h100-few-rounds.md`), 22 such 128 × 128 shapes ran at 0.95–1.06× the
///   naive grid's speed: below 0.98× in a run at least on eight (4514 × 3320 × 2024
///   0.950–0.958×, 3838 × 3064 × 3320 0.963–0.972×, 2548 × 2504 × 3224 0.965–0.981×), and at
///   1.00–1.06× on twelve (6140 × 1112 × 6192 1.048–1.060×; on an H200, 1644 × 4056 × 2224
///   1.075–1.083×), with nothing in `K`, the whole rounds or the share of the split that told
///   them apart. Those gains are given up for the losses.
///
/// The other grids of teams keep their schedules: a last round of at most one tile per block
/// goes to tail blocks, whose teams share it (up to 1.23× the naive grid's speed there:
/// 3404 × 1400 × 5568, 4031 × 1192 × 6264), and the others of [`CLAIMED_MIN_WHOLE_ROUNDS`]
/// whole rounds or more claim their tiles ([`claimed_tiles_pay`]). A grid of no whole round has
/// no fixed rounds to wait for.
#[inline(always)]
pub const fn straddled_rows_run_naive(count: u32, blocks: u32, slots: u32, ldb_bytes: u64) -> bool {
    rows_straddle_sectors(ldb_bytes)
        && count / slots >= 1
        && (slots == blocks || last_round_may_split(count, blocks, slots))
}

/// Whether the last round of a grid of `count` tiles over `blocks` blocks of `slots` teams is
/// one that [`stream_k_share`] may split: more tiles than blocks, after at most
/// [`STREAM_K_MAX_WHOLE_ROUNDS`] whole rounds. [`straddled_rows_run_naive`] takes the same
/// grids where `B`'s rows straddle sectors.
#[inline(always)]
const fn last_round_may_split(count: u32, blocks: u32, slots: u32) -> bool {
    count % slots > blocks && count / slots <= STREAM_K_MAX_WHOLE_ROUNDS
}

/// Whether rows of an operand that straddle sectors ([`rows_straddle_sectors`]) make the SMs
/// of a fixed schedule compute at uneven rates on a GPU with `dram_gbps_per_sm` GB/s of DRAM
/// bandwidth per SM (0 where unknown): below [`UNBALANCED_SMS_MAX_DRAM_GBPS_PER_SM`]. There,
/// the grids of [`claimed_tiles_pay`] claim their tiles and those of
/// [`straddled_a_rows_run_naive`] run as one block per tile; elsewhere they keep their fixed
/// rounds.
///
/// The two GPUs measured have the same 132 SMs and differ in memory: an H100 SXM has 3.35 TB/s
/// of DRAM bandwidth (25 GB/s per SM) and 50 MiB of L2, an H200 4.8 TB/s (36 GB/s per SM) and
/// 60 MiB. Which of the two tells them apart here was not separated; the bound is on the
/// bandwidth. On the H100 the fixed rounds of such grids left SMs idle for up to 40% of
/// the launch ([`rows_straddle_sectors`]), and claims raised six of them from 0.94–0.97× the
/// naive grid's speed to 0.98–1.01× ([`claimed_tiles_pay`]). On the H200
/// (`bench/results/raw/h200-claims.md`), over 19 such shapes of four to fourteen whole rounds,
/// two processes each, the fixed rounds ran at 0.994–1.056× the naive grid's speed and claims
/// at 0.984–1.040×: the rounds were ahead on 15, by up to 4.2%, behind on four by up to 2.1%.
/// The bound lies between the two GPUs; no other GPU was measured. Rows of `A` that straddle
/// sectors: see [`straddled_a_rows_run_naive`].
#[inline(always)]
pub const fn straddled_rows_unbalance_sms(dram_gbps_per_sm: u32) -> bool {
    dram_gbps_per_sm < UNBALANCED_SMS_MAX_DRAM_GBPS_PER_SM
}

/// DRAM bandwidth per SM, in GB/s, from which grids keep their fixed rounds where an operand's
/// rows straddle sectors ([`straddled_rows_unbalance_sms`]).
pub const UNBALANCED_SMS_MAX_DRAM_GBPS_PER_SM: u32 = 30;

/// Whether a persistent `mma.sync` grid of `count` tiles over `blocks` blocks of `slots` teams
/// in all, whose `A` has rows `lda_bytes` apart, runs as one block per tile on a GPU where
/// straddled rows unbalance the SMs (`unbalanced`: [`straddled_rows_unbalance_sms`]): where
/// [`rows_straddle_sectors`]`(lda_bytes)`, for a grid of teams after one to
/// [`STREAM_K_MAX_WHOLE_ROUNDS`] whole rounds and a last round of more tiles than blocks, the
/// grids that [`straddled_rows_run_naive`] takes where the rows of `B` straddle. The host asks
/// only where [`stream_k_share`] did not split the last round.
///
/// A row of an `A` tile is 128 bytes of one row of `A`; straddling, it spans five sectors
/// rather than four. On an H100 (`bench/results/raw/h200-claims.md`, section 1, over the
/// earlier records), the persistent 128 × 128 grids of fixed rounds with a sector-aligned `B`
/// ran at 0.968–1.042× the naive grid's speed where `A`'s rows straddle (21 shapes, eleven
/// below 0.995 in a run at least) and at 1.002–1.194× where they do not (20 shapes). Of the
/// four such grids of this kind, 4700 × 4240 × 2856 ran at 0.968–0.972×, 7544 × 2736 × 2360
/// at 0.976–0.979×, 3904 × 3136 × 6296 at 0.992× and 3704 × 3136 × 2504 at 1.023×; that gain
/// is given up for the losses, as for `B`. On an H200 the fixed rounds of twelve such grids ran
/// at 1.028–1.056×, and the naive grid's kernel in their place at 0.997–1.003×, so the rule
/// holds only where `unbalanced`. The grids of one team per block (128 × 256) keep their
/// schedules: on an H100 they ran at 1.00–1.05× with such an `A` (15 shapes).
#[inline(always)]
pub const fn straddled_a_rows_run_naive(
    count: u32,
    blocks: u32,
    slots: u32,
    lda_bytes: u64,
    unbalanced: bool,
) -> bool {
    // With teams, the grids `straddled_rows_run_naive` takes for rows `lda_bytes` apart.
    unbalanced && slots > blocks && straddled_rows_run_naive(count, blocks, slots, lda_bytes)
}

/// Fewest whole rounds of a grid of [`ClaimedTiles`] ([`claimed_tiles_pay`]).
pub const CLAIMED_MIN_WHOLE_ROUNDS: u32 = 3;
/// Fewest k-tiles per tile of a grid of [`ClaimedTiles`]: its claims need at least as many as
/// the pipeline has stages (see the `mma.sync` mainloop's `Claims`).
pub const CLAIMED_MIN_K_TILES: u32 = 4;

/// The k-tiles of each slot's share where a [`StreamKRound`] takes the place of a
/// [`PersistentTeams`] grid (`count` tiles of `k_tiles` k-tiles, `blocks` blocks, `slots`
/// teams in all), or `None` where it does not. It does where all of these hold:
///
/// - **A last round of more tiles than blocks**: in whole tiles some SMs would compute two
///   tiles of it and others one. (A shorter one, after whole rounds, goes to tail blocks: see
///   [`PersistentTeams`].) The whole rounds before it, if any, run in the same launch, each
///   slot going on to its share as soon as its own tiles are done: a launch of its own for
///   the split round, after the whole rounds, would wait for their slowest SM, which on an H100
///   cost more than the split saved (1280 × 9216 × 1024: 0.86× the whole-tile grid's speed,
///   30720 × 248 × 2048: 0.78×).
/// - **At most [`STREAM_K_MAX_WHOLE_ROUNDS`] whole rounds before it.**
/// - **The split saves at least a third of each team's k-tiles, and at least
///   [`STREAM_K_MIN_SAVED`]**: the partial sums' round trip through memory, and teams that no
///   longer read the same k-slabs of the operands at the same time, cost the rest. On an H100
///   (`bench/results/raw/h100-stream-k-round.md`): 768 × 4096 × 8192, a 27% saving, 0.91×;
///   4509 × 456 × 4096, 45%, 1.10–1.16×; 768 × 3072 × 1024, 7 of 16 k-tiles, 0.84×;
///   1152 × 2176 × 1536, 10 of 24, 0.93×; 502 × 5048 × 2336, 14 of 37, 1.05×.
///
///   After one or two whole rounds ([`STREAM_K_QUARTER_MAX_WHOLE_ROUNDS`]) a quarter is
///   enough: there, the whole-tile grid's last round follows tiles that ended at different
///   times. On an H100 (`bench/results/raw/h100-few-rounds.md`), eight shapes whose split
///   saves a quarter to a third went from 0.93–1.04× the naive grid's speed to 0.95–1.04×:
///   6477 × 1080 × 3440 0.97 → 1.03, 2566 × 2600 × 5704 0.95 → 1.01, 3160 × 2248 × 5576
///   0.94 → 0.99, 6079 × 1816 × 5904 0.95–0.98 → 1.02–1.03; 2522 × 4592 × 3344 1.03 → 0.99–1.00
///   and 1634 × 4360 × 2816 1.01 → 0.99 lost. (After three whole rounds, 4874 × 3096 × 2688
///   lost 2%: 1.02 → 1.00.)
/// - **The grid's k-tiles fit an `i32`**.
///
/// A grid with no whole round is split only where `B` fits the L2 as well
/// ([`stream_k_reads_fit`], which the host checks).
#[inline(always)]
pub const fn stream_k_share(count: u32, blocks: u32, slots: u32, k_tiles: u32) -> Option<u32> {
    if !last_round_may_split(count, blocks, slots)
        || count as u64 * k_tiles as u64 > i32::MAX as u64
    {
        return None;
    }
    let whole = count / slots;
    let share = stream_k_even_share(count, slots, k_tiles);
    let saved = if whole == 0 || whole > STREAM_K_QUARTER_MAX_WHOLE_ROUNDS {
        3 * share <= 2 * k_tiles
    } else {
        4 * share <= 3 * k_tiles
    };
    if saved && share + STREAM_K_MIN_SAVED <= k_tiles {
        Some(share)
    } else {
        None
    }
}

/// Whether a [`stream_k_share`] split of a grid with no whole round (`count ≤ slots`) reads
/// `B` (`b_bytes` bytes, every `B` of a batch) no more than a naive grid does: where `B` fits
/// [`STREAM_K_ONE_ROUND_MAX_B_BYTES`]. The tiles of a column of the tile order share their
/// `B` panel; a naive grid runs them side by side, so that each k-slab of it comes from
/// memory once, while the pieces of a split round reach the same k-slab at different times,
/// and read it again from DRAM unless `B` stays in the L2. On an H100
/// (`bench/results/raw/h100-few-rounds.md`, `bench/results/raw/h100-stream-k-round.md`),
/// splits of one round with 70 and 76 MB of `B` (300 × 7000 × 5000, 310 × 7088 × 5344) ran
/// at 0.92–0.95× the naive grid's speed; with 24 to 42 MB at 0.98–1.12×. A grid with whole
/// rounds is not held to this: its split round is a small part of its time.
#[inline(always)]
pub const fn stream_k_reads_fit(count: u32, slots: u32, b_bytes: u64) -> bool {
    count > slots || b_bytes <= STREAM_K_ONE_ROUND_MAX_B_BYTES
}

/// Most bytes of `B` for a split of one round ([`stream_k_reads_fit`]): about an H100's L2
/// (50 MB), the only GPU with the two teams per block that a split needs.
pub const STREAM_K_ONE_ROUND_MAX_B_BYTES: u64 = 48 << 20;

/// Most whole rounds a [`StreamKRound`] runs before the split one ([`stream_k_share`]). Its
/// kernel computes whole tiles a little slower than the [`PersistentTeams`] kernel (one team
/// per block, two blocks per SM), which over many rounds costs more than the split saves. On an
/// H100 (`bench/results/raw/h100-dp-stream-k.md`), the split grid against the persistent grid
/// of teams: 1.04–1.15× after one whole round, 1.02–1.08× after two, 1.02–1.05× after three,
/// 1.01× after four (one shape), 0.97–0.98× after fifteen (8192 × 8192 × 2048 to 16384).
/// After four, on eleven more sector-aligned shapes (`bench/results/raw/late-claims.md`), the
/// split raised the persistent / naive ratio on nine, by 1–7% (6644 × 2832 × 6008
/// 1.031–1.039× → 1.071–1.078×, 6780 × 2896 × 2056 0.989–0.991× → 1.017–1.021×), and lowered
/// it on two of 29 and 42 k-tiles, by 1–1.5% (6596 × 2848 × 1840 1.013–1.018× → 1.004×).
pub const STREAM_K_MAX_WHOLE_ROUNDS: u32 = 4;

/// Most whole rounds after which a split that saves a quarter of each team's k-tiles, rather
/// than a third, is made ([`stream_k_share`]).
pub const STREAM_K_QUARTER_MAX_WHOLE_ROUNDS: u32 = 2;

/// Fewest k-tiles a stream-K split must save each team ([`stream_k_share`]): each piece's
/// partial sums go to memory and back, which costs about what a few k-tiles do, whatever the
/// share.
pub const STREAM_K_MIN_SAVED: u32 = 12;

/// The k-tiles of the partial last round (`count` tiles of `k_tiles` k-tiles over `slots`
/// slots) cut into `slots` equal shares, rounded up: [`stream_k_share`] where it is `Some`.
#[inline(always)]
pub const fn stream_k_even_share(count: u32, slots: u32, k_tiles: u32) -> u32 {
    (count % slots * k_tiles).div_ceil(slots)
}

/// Workspace slots a [`StreamKRound`] over `slots` slots needs: a piece's slot is its team's
/// slot plus its tile's position in the round, both below `slots` ([`Piece::slot`]).
#[inline(always)]
pub const fn stream_k_pieces(slots: u32) -> u32 {
    2 * slots
}

/// The workspace slots of the pieces of tile `tile` of a [`StreamKRound`] with shares of
/// `share` k-tiles, tiles of `k_tiles`: the first, and how many (consecutive). The slots whose
/// shares cover the tile's k-tiles are those from `tile · k_tiles / share` on.
#[inline(always)]
pub const fn stream_k_slots(tile: u32, k_tiles: u32, share: u32) -> (u32, u32) {
    let first = tile * k_tiles / share;
    let last = (tile * k_tiles + k_tiles - 1) / share;
    (first + tile, last - first + 1)
}

/// A persistent grid whose last round is split *stream-K*: each slot takes its tiles of the
/// whole rounds, if any, one after the other, then its share of the last round. That round's
/// tiles' k-tiles, one tile after the other, are cut into one share per slot of
/// [`stream_k_share`] k-tiles, so that every slot computes as many. A share that crosses tiles
/// is two works; every work of the last round is a [`Piece`] of its tile.
///
/// A kernel of its own runs it in place of the [`PersistentTeams`] one, with one block of one
/// team per slot of that grid, block `b` taking slot `b`. Then no persistent k-loop carries
/// this bookkeeping, which, in the [`PersistentTeams`] kernel, cost registers and
/// instructions per k-tile. Every slot computes the same k-tiles, up to one: where the
/// hardware places the blocks does not matter.
#[derive(Clone, Copy, Debug)]
pub struct StreamKRound {
    grid: TileGrid,
    /// Positions in the k-tiles of all tiles, one tile after the other (below `i32::MAX`, see
    /// [`stream_k_share`]): the team's next, and the end of its current work (a whole tile, or
    /// its share of the last round).
    next: u32,
    end: u32,
    k_tiles: u32,
    /// Slots of the grid: the stride of a slot's whole tiles.
    slots: u32,
}

impl StreamKRound {
    /// The positions of slot `slot`'s share of the last round.
    #[inline(always)]
    const fn share_of(count: u32, slots: u32, k_tiles: u32, slot: u32) -> (u32, u32) {
        let share = stream_k_even_share(count, slots, k_tiles);
        let begin = whole_round_tiles(count, slots) * k_tiles + slot * share;
        let end = begin + share;
        let all = count * k_tiles;
        (begin, if end < all { end } else { all })
    }
}

impl WorkScheduler for StreamKRound {
    const PERSISTENT: bool = true;
    const STREAM_K: bool = true;

    /// Slot `team_slot(block, blocks, team, teams)` of `blocks · teams`, which the host
    /// launches where [`stream_k_share`] says so.
    #[inline(always)]
    fn new(grid: TileGrid, k_tiles: u32, block: u32, blocks: u32, team: u32, teams: u32) -> Self {
        let (slot, slots) = team_slot(block, blocks, team, teams);
        let count = grid.count();
        let (next, end) = if slot < whole_round_tiles(count, slots) {
            (slot * k_tiles, (slot + 1) * k_tiles)
        } else {
            Self::share_of(count, slots, k_tiles, slot)
        };
        StreamKRound {
            grid,
            next,
            end,
            k_tiles,
            slots,
        }
    }

    #[inline(always)]
    fn next_work(&mut self) -> Option<Work> {
        let k_tiles = self.next_k_tiles()?;
        let tile = self.next / self.k_tiles;
        let k_begin = self.next - tile * self.k_tiles;
        self.next += k_tiles;
        let count = self.grid.count();
        let whole = whole_round_tiles(count, self.slots);
        let share = if tile < whole {
            // A whole tile: next, the slot's tile of the next round, or its share of the last
            // (past the whole rounds, `following` is the slot plus their tiles).
            let following = tile + self.slots;
            (self.next, self.end) = if following < whole {
                (following * self.k_tiles, (following + 1) * self.k_tiles)
            } else {
                Self::share_of(count, self.slots, self.k_tiles, following - whole)
            };
            Share::Whole
        } else {
            Share::StreamK(Piece { tile })
        };
        Some(Work {
            tile: self.grid.tile(tile),
            k_begin,
            k_end: k_begin + k_tiles,
            share,
        })
    }

    #[inline(always)]
    fn next_k_tiles(&self) -> Option<u32> {
        (self.next < self.end)
            .then(|| (self.k_tiles - self.next % self.k_tiles).min(self.end - self.next))
    }
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

    #[inline(always)]
    fn has_next(&self) -> bool {
        self.inner.has_next()
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

    #[test]
    fn tail_tiles_are_split_between_the_teams() {
        let work = |grid, k_tiles, block, round_blocks, team, teams| {
            let mut s = PersistentTeams::<2>::new(grid, k_tiles, block, round_blocks, team, teams);
            core::iter::from_fn(move || s.next_work()).collect::<Vec<_>>()
        };
        let slice = |tile, k_begin, k_end| Work {
            tile,
            k_begin,
            k_end,
            share: Share::Teams,
        };
        // 8 × 8 tiles on 132 SMs, two teams: not one round; 64 blocks of one shared tile.
        let grid = TileGrid::new(1024, 1024, 128, 128, 8, 1);
        assert_eq!(teams_grid_size(&grid, 132, 2), (64, 64));
        assert_eq!(work(grid, 16, 5, 64, 0, 2), [slice(grid.tile(5), 0, 8)]);
        assert_eq!(work(grid, 16, 5, 64, 1, 2), [slice(grid.tile(5), 8, 16)]);
        // Launched with one team, or one k-tile: nothing to share.
        let alone = work(grid, 16, 5, 64, 0, 1);
        assert_eq!(
            alone.iter().map(|w| (w.k_end, w.share)).collect::<Vec<_>>(),
            [(16, Share::Whole)]
        );
        assert_eq!(work(grid, 1, 5, 64, 1, 2), []);
        // 16 × 16 and 32 × 32 tiles: tails of 256 - 132 and 1024 - 3 · 264 tiles are longer
        // than the round blocks, which take them.
        let (square, big) = (
            TileGrid::new(2048, 2048, 128, 128, 8, 1),
            TileGrid::new(4096, 4096, 128, 128, 8, 1),
        );
        assert_eq!(teams_grid_size(&square, 132, 2), (132, 132));
        assert_eq!(teams_grid_size(&big, 132, 2), (132, 132));
        // 12 × 24 tiles: one round of 264 and a tail of 24 blocks.
        let grid = TileGrid::new(1496, 3000, 128, 128, 8, 1);
        assert_eq!(teams_grid_size(&grid, 132, 2), (132, 156));
        let tiles = |w: Vec<Work>| w.iter().map(|w| (w.tile, w.share)).collect::<Vec<_>>();
        assert_eq!(
            tiles(work(grid, 40, 0, 132, 1, 2)),
            [(grid.tile(132), Share::Whole)]
        );
        assert_eq!(
            work(grid, 40, 155, 132, 1, 2),
            [slice(grid.tile(287), 20, 40)]
        );
    }

    #[test]
    fn grids_of_one_tile_per_slot_run_one_tile_per_block() {
        // 132 blocks of two teams (264 slots), as an H100 runs the persistent 128 × 128 grid.
        let (blocks, slots) = (132, 264);
        let min = SHARED_TILE_MIN_K_TILES;
        // No more tiles than blocks: the teams share each block's tile when it is long enough.
        assert!(one_tile_per_block(64, 64, 128, 16));
        assert!(one_tile_per_block(64, 64, 128, min - 1));
        assert!(!one_tile_per_block(64, 64, 128, min));
        assert!(!one_tile_per_block(blocks, blocks, slots, 64));
        // More tiles than blocks, one round at most: whatever K.
        assert!(one_tile_per_block(blocks + 1, blocks, slots, 16));
        assert!(one_tile_per_block(slots, blocks, slots, 1000));
        // One round and a tail of at most one tile per block: tail blocks share their tiles
        // when they are long enough.
        assert!(one_tile_per_block(slots + 1, blocks, slots, 16));
        assert!(one_tile_per_block(slots + blocks, blocks, slots, min - 1));
        assert!(!one_tile_per_block(slots + 1, blocks, slots, min));
        // One round and a longer partial one: the teams of a block with one tile of it share
        // that tile when it is long enough.
        let second = SECOND_ROUND_MIN_K_TILES;
        assert!(one_tile_per_block(slots + blocks + 1, blocks, slots, 16));
        assert!(one_tile_per_block(2 * slots - 1, blocks, slots, second - 1));
        assert!(!one_tile_per_block(
            slots + blocks + 1,
            blocks,
            slots,
            second
        ));
        // Two to five whole rounds, and a partial one or none: one tile per block for short
        // tiles, the persistent kernel from `SHORT_TILE_K_TILES` k-tiles on.
        let short = SHORT_TILE_K_TILES;
        assert!(one_tile_per_block(2 * slots, blocks, slots, 16));
        assert!(one_tile_per_block(2 * slots + 1, blocks, slots, short - 1));
        assert!(one_tile_per_block(6 * slots - 1, blocks, slots, 1));
        assert!(!one_tile_per_block(2 * slots + 1, blocks, slots, short));
        assert!(!one_tile_per_block(5 * slots + blocks, blocks, slots, min));
        // Six whole rounds or more: the persistent kernel.
        assert!(!one_tile_per_block(6 * slots, blocks, slots, 16));
        assert!(!one_tile_per_block(15 * slots + 136, blocks, slots, 1));
        // One team per block (128 × 256): nothing to share, one tile per block up to a round
        // and a half, and up to two rounds below `SHARED_TILE_MIN_K_TILES` k-tiles.
        assert!(one_tile_per_block(132, 132, 132, 1000));
        assert!(one_tile_per_block(198, 132, 132, 1000));
        assert!(one_tile_per_block(263, 132, 132, min - 1));
        assert!(!one_tile_per_block(199, 132, 132, min));
        assert!(!one_tile_per_block(264, 132, 132, 16));
        // The host asks `stream_k_share` first: some one-round grids are split.
        assert!(stream_k_share(144, blocks, slots, 64).is_some());
    }

    #[test]
    fn a_partial_round_of_more_tiles_than_blocks_is_split_stream_k() {
        // 36 × 4 tiles of 64 k-tiles on 132 SMs, two teams: no whole round, 144 tiles on 132
        // blocks. Each of the 264 slots gets 35 of the round's 9216 k-tiles, 29 fewer than a
        // whole tile.
        let grid = TileGrid::new(4509, 456, 128, 128, 8, 1);
        assert_eq!(teams_grid_size(&grid, 132, 2), (132, 132));
        assert_eq!(stream_k_share(144, 132, 264, 64), Some(35));
        let work = |block, team| {
            let mut s = StreamKRound::new(grid, 64, block, 132, team, 2);
            core::iter::from_fn(move || s.next_work()).collect::<Vec<_>>()
        };
        let piece = |tile: u32, k_begin, k_end| Work {
            tile: grid.tile(tile),
            k_begin,
            k_end,
            share: Share::StreamK(Piece { tile }),
        };
        let slot = |tile, slot| Piece { tile }.slot(144, slot, 264);
        // Slot 0: k-tiles 0..35 of tile 0, which slots 0 and 1 cover.
        assert_eq!(work(0, 0), [piece(0, 0, 35)]);
        assert_eq!(slot(0, 0), 0);
        assert_eq!(stream_k_slots(0, 64, 35), (0, 2));
        // Slot 1: the rest of tile 0, then the start of tile 1 (k-tiles 64..128: slots 1 to 3).
        assert_eq!(work(1, 0), [piece(0, 35, 64), piece(1, 0, 6)]);
        assert_eq!((slot(0, 1), slot(1, 1)), (1, 2));
        assert_eq!(stream_k_slots(1, 64, 35), (2, 3));
        // Slot 263 (block 131, team 1): what is left, the round's last 11 k-tiles (of tile
        // 143, which slots 261 to 263 cover).
        assert_eq!(work(131, 1), [piece(143, 53, 64)]);
        assert_eq!(slot(143, 263), 406);
        assert_eq!(stream_k_slots(143, 64, 35), (404, 3));
        // Splitting would save less than a third: 9 of 10 k-tiles.
        assert_eq!(stream_k_share(240, 132, 264, 10), None);
        // Or fewer than `STREAM_K_MIN_SAVED` k-tiles: 144 tiles of 16 k-tiles, 9 each.
        assert_eq!(stream_k_share(144, 132, 264, 16), None);
        // At most one tile per block: the teams of a block share them.
        assert_eq!(stream_k_share(132, 132, 264, 64), None);
        // A whole round before: the same share. With a last round of no more tiles than
        // blocks, tail blocks take it.
        assert_eq!(stream_k_share(264 + 144, 132, 264, 64), Some(35));
        assert_eq!(stream_k_share(264 + 132, 132, 264, 64), None);
        // At most four whole rounds before it.
        assert_eq!(stream_k_share(4 * 264 + 144, 132, 264, 64), Some(35));
        assert_eq!(stream_k_share(5 * 264 + 144, 132, 264, 64), None);
        // After one or two whole rounds, a quarter saved is enough: 192 tiles of 77 k-tiles,
        // 56 each. Not without a whole round, nor after three.
        assert_eq!(stream_k_share(192, 132, 264, 77), None);
        assert_eq!(stream_k_share(264 + 192, 132, 264, 77), Some(56));
        assert_eq!(stream_k_share(2 * 264 + 192, 132, 264, 77), Some(56));
        assert_eq!(stream_k_share(3 * 264 + 192, 132, 264, 77), None);
        // Less than a quarter: 252 tiles of 64 k-tiles after a whole round, 62 each.
        assert_eq!(stream_k_share(264 + 252, 132, 264, 64), None);
        // Slot 5 of such a grid: its tile of the whole round, then its share of the last.
        let grid = TileGrid::new(24 * 128, 17 * 128, 128, 128, 8, 1);
        assert_eq!(grid.count(), 264 + 144);
        let mut s = StreamKRound::new(grid, 64, 5, 132, 0, 2);
        let whole = |tile| Work {
            tile: grid.tile(tile),
            k_begin: 0,
            k_end: 64,
            share: Share::Whole,
        };
        let piece = |tile: u32, k_begin, k_end| Work {
            tile: grid.tile(tile),
            k_begin,
            k_end,
            share: Share::StreamK(Piece { tile }),
        };
        let works: Vec<_> = core::iter::from_fn(|| s.next_work()).collect();
        // Slot 5's share: k-tiles 175..210 of the round, 47..64 of its tile 2 and 0..18 of 3.
        assert_eq!(
            works,
            [whole(5), piece(264 + 2, 47, 64), piece(264 + 3, 0, 18)]
        );
        // One team per block: a partial round never has more tiles than blocks.
        assert_eq!(stream_k_share(200, 264, 264, 64), None);
        // A split of one round needs `B` to fit the L2; after whole rounds it need not.
        let mib = 1 << 20;
        assert!(stream_k_reads_fit(168, 264, 48 * mib));
        assert!(!stream_k_reads_fit(168, 264, 48 * mib + 1));
        assert!(!stream_k_reads_fit(264, 264, 76 * mib));
        assert!(stream_k_reads_fit(265, 264, 76 * mib));
    }

    /// Claims from three whole rounds on, for tiles of four k-tiles or more, where `B`'s rows
    /// are an odd number of 16-byte chunks apart (bf16 `B` of 5000, 7016 or 5768 columns; not
    /// 8192 or 7328).
    #[test]
    fn claimed_tiles_where_rows_of_b_straddle_sectors() {
        let row = |n: u64| 2 * n;
        // 5000³ and 7321x7896x3464 on 264 slots: six and thirteen whole rounds.
        assert!(claimed_tiles_pay(1600, 264, 79, row(5000)));
        assert!(claimed_tiles_pay(3596, 264, 55, row(7896)));
        assert!(!claimed_tiles_pay(4096, 264, 128, row(8192)));
        assert!(!claimed_tiles_pay(2204, 264, 94, row(7328)));
        // Rounds and k-tiles at their bounds.
        assert!(claimed_tiles_pay(3 * 264, 264, 4, row(5000)));
        assert!(!claimed_tiles_pay(3 * 264 - 1, 264, 4, row(5000)));
        assert!(!claimed_tiles_pay(3 * 264, 264, 3, row(5000)));
        assert!(!claimed_tiles_pay(3 * 264, 0, 4, row(5000)));
    }

    /// Where `A`'s rows straddle sectors (bf16 `K` of 2856: 5712 bytes; not 2864): the grid of
    /// teams of 4700x4240 (1258 tiles over 264 slots of 132 blocks: four whole rounds and 202
    /// tiles) on a GPU where straddled rows unbalance the SMs, not on others, not with one team
    /// per block, and not after five whole rounds or with a last round of at most one tile per
    /// block.
    #[test]
    fn straddled_rows_of_a_run_naive_where_sms_fall_out_of_balance() {
        let row = |k: u64| 2 * k;
        assert!(straddled_a_rows_run_naive(1258, 132, 264, row(2856), true));
        assert!(!straddled_a_rows_run_naive(
            1258,
            132,
            264,
            row(2856),
            false
        ));
        assert!(!straddled_a_rows_run_naive(1258, 132, 264, row(2864), true));
        assert!(!straddled_a_rows_run_naive(1258, 132, 132, row(2856), true));
        assert!(straddled_a_rows_run_naive(
            264 + 133,
            132,
            264,
            row(2856),
            true
        ));
        assert!(!straddled_a_rows_run_naive(
            264 + 132,
            132,
            264,
            row(2856),
            true
        ));
        assert!(!straddled_a_rows_run_naive(
            5 * 264 + 202,
            132,
            264,
            row(2856),
            true
        ));
        assert!(!straddled_a_rows_run_naive(202, 132, 264, row(2856), true));
    }

    /// An H100 SXM (3.35 TB/s over 132 SMs) claims; an H200 (4.8 TB/s) keeps its rounds; a GPU
    /// whose bandwidth is unknown claims, as before the bound.
    #[test]
    fn claims_where_dram_bandwidth_per_sm_is_low() {
        assert!(straddled_rows_unbalance_sms(3352 / 132));
        assert!(!straddled_rows_unbalance_sms(4814 / 132));
        assert!(straddled_rows_unbalance_sms(0));
        assert!(straddled_rows_unbalance_sms(
            UNBALANCED_SMS_MAX_DRAM_GBPS_PER_SM - 1
        ));
        assert!(!straddled_rows_unbalance_sms(
            UNBALANCED_SMS_MAX_DRAM_GBPS_PER_SM
        ));
    }

    /// Where `B`'s rows straddle sectors: one team per block from one whole round on, teams
    /// after one to four whole rounds and a last round of more tiles than blocks.
    #[test]
    fn straddled_rows_run_naive_after_fixed_rounds() {
        let row = |n: u64| 2 * n;
        // 128 × 256 tiles on 132 SMs: 5000³ (six whole rounds), 2868x2328x6272 (one).
        assert!(straddled_rows_run_naive(800, 132, 132, row(5000)));
        assert!(straddled_rows_run_naive(230, 132, 132, row(2328)));
        assert!(!straddled_rows_run_naive(800, 132, 132, row(5008)));
        assert!(!straddled_rows_run_naive(131, 132, 132, row(5000)));
        // 128 × 128 tiles, two teams per block: 2548x2504x3224 (one whole round and 136
        // tiles), 3838x3064x3320 (two and 192), 4514x3320x2024 (three and 144), 5156x3832x3496
        // (four and 174); not a tail of at most one tile per block, five whole rounds, one
        // round, or sector-aligned rows.
        assert!(straddled_rows_run_naive(400, 132, 264, row(2504)));
        assert!(straddled_rows_run_naive(720, 132, 264, row(3064)));
        assert!(straddled_rows_run_naive(936, 132, 264, row(3320)));
        assert!(straddled_rows_run_naive(4 * 264 + 174, 132, 264, row(3832)));
        assert!(!straddled_rows_run_naive(264 + 132, 132, 264, row(5000)));
        assert!(!straddled_rows_run_naive(
            5 * 264 + 200,
            132,
            264,
            row(5000)
        ));
        assert!(!straddled_rows_run_naive(263, 132, 264, row(5000)));
        assert!(!straddled_rows_run_naive(720, 132, 264, row(3072)));
        // f32 rows of 4 bytes: 1004 columns straddle, 1000 do not.
        assert!(straddled_rows_run_naive(800, 132, 132, 4 * 1004));
        assert!(!straddled_rows_run_naive(800, 132, 132, 4 * 1000));
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

        /// [`StreamKRound`] on grids of whole rounds (none to four) and a last round of more
        /// tiles than blocks: every k-tile of every tile computed once, each whole tile by one
        /// slot of its round, no slot past its whole tiles and its share, each tile's pieces in
        /// the workspace slots [`stream_k_slots`] gives it, no slot or counter used twice.
        #[test]
        fn stream_k_rounds_cover_every_k_tile_once(
            blocks in 2u32..200, teams in 2u32..4, k_tiles in 1u32..300, at in 0.0f64..1.0,
            group_m in 1u32..9, rounds in 0u32..=STREAM_K_MAX_WHOLE_ROUNDS,
        ) {
            let slots = blocks * teams;
            let rest = blocks + 1 + ((slots - blocks - 2) as f64 * at) as u32;
            let count = rounds * slots + rest;
            let grid = TileGrid { tiles_m: count, tiles_n: 1, group_m, batches: 1 };
            let Some(share) = stream_k_share(count, blocks, slots, k_tiles) else {
                let share = stream_k_even_share(count, slots, k_tiles);
                prop_assert!(3 * share > 2 * k_tiles || share + STREAM_K_MIN_SAVED > k_tiles);
                return Ok(());
            };
            let whole = rounds * slots;
            let mut covered = std::collections::HashMap::<u32, Vec<(u32, u32, u32)>>::new();
            for b in 0..blocks {
                for team in 0..teams {
                    let (slot, _) = team_slot(b, blocks, team, teams);
                    let mut r = StreamKRound::new(grid, k_tiles, b, blocks, team, teams);
                    let (mut streamed, mut wholes) = (0, Vec::new());
                    loop {
                        let k = r.next_k_tiles();
                        let Some(w) = r.next_work() else { break };
                        prop_assert_eq!(k, Some(w.k_end - w.k_begin));
                        if w.share == Share::Whole {
                            // The slot's tiles of the whole rounds, before its share.
                            prop_assert_eq!(streamed, 0);
                            prop_assert_eq!((w.k_begin, w.k_end), (0, k_tiles));
                            wholes.push(w.tile);
                            continue;
                        }
                        let Share::StreamK(piece) = w.share else { panic!("{w:?}") };
                        prop_assert!(piece.tile >= whole);
                        prop_assert_eq!(grid.tile(piece.tile), w.tile);
                        streamed += w.k_end - w.k_begin;
                        covered.entry(piece.in_round(count, slots)).or_default()
                            .push((w.k_begin, w.k_end, piece.slot(count, slot, slots)));
                    }
                    let own: Vec<_> = (0..rounds).map(|r| grid.tile(slot + r * slots)).collect();
                    prop_assert_eq!(wholes, own);
                    prop_assert!(streamed <= share);
                }
            }
            prop_assert_eq!(covered.len() as u32, rest);
            let mut used = HashSet::new();
            for (tile, mut pieces) in covered {
                pieces.sort();
                let (first, n) = stream_k_slots(tile, k_tiles, share);
                prop_assert_eq!(n as usize, pieces.len());
                let mut next = 0;
                for (i, &(begin, end, slot)) in pieces.iter().enumerate() {
                    prop_assert_eq!((begin, slot), (next, first + i as u32));
                    prop_assert!(slot < stream_k_pieces(slots) && used.insert(slot));
                    next = end;
                }
                prop_assert_eq!(next, k_tiles);
            }
        }

        /// [`PersistentTeams`] on its grid: every k-tile of every tile computed once, a shared
        /// tile by all of its block's teams, the teams of a block within one k-tile of each
        /// other where they share a tile (one tile otherwise), every round block with the same
        /// tiles, and a tail shorter than a round.
        #[test]
        fn teams_cover_every_k_tile_once(
            m in 1u32..9000, n in 1u32..9000, k_tiles in 1u32..80, sms in 1u32..200,
            teams in 1u32..4, batches in 1u32..3,
        ) {
            /// `PersistentTeams` built for `teams` teams.
            #[derive(Clone, Copy)]
            enum Teams { One(PersistentTeams<1>), Two(PersistentTeams<2>), Three(PersistentTeams<3>) }
            impl Teams {
                fn new(grid: TileGrid, k_tiles: u32, b: u32, blocks: u32, team: u32, teams: u32) -> Self {
                    match teams {
                        1 => Teams::One(WorkScheduler::new(grid, k_tiles, b, blocks, team, teams)),
                        2 => Teams::Two(WorkScheduler::new(grid, k_tiles, b, blocks, team, teams)),
                        _ => Teams::Three(WorkScheduler::new(grid, k_tiles, b, blocks, team, teams)),
                    }
                }
                fn next_work(&mut self) -> Option<Work> {
                    match self {
                        Teams::One(s) => s.next_work(),
                        Teams::Two(s) => s.next_work(),
                        Teams::Three(s) => s.next_work(),
                    }
                }
                fn next_k_tiles(&self) -> Option<u32> {
                    match self {
                        Teams::One(s) => s.next_k_tiles(),
                        Teams::Two(s) => s.next_k_tiles(),
                        Teams::Three(s) => s.next_k_tiles(),
                    }
                }
            }
            /// A schedule's works, checking `next_k_tiles` against each.
            fn works(mut next_k_tiles: impl FnMut() -> Option<u32>, mut next_work: impl FnMut() -> Option<Work>) -> Vec<Work> {
                core::iter::from_fn(|| {
                    let k = next_k_tiles();
                    let w = next_work();
                    assert_eq!(k, w.map(|w| w.k_end - w.k_begin));
                    w
                })
                .collect()
            }
            let grid = TileGrid::new(m, n, 128, 128, 8, batches);
            let (round_blocks, blocks) = teams_grid_size(&grid, sms, teams);
            // At most one tail block per round block.
            prop_assert!(blocks - round_blocks <= round_blocks, "{round_blocks} {blocks}");
            let mut covered = std::collections::HashMap::<WorkTile, Vec<(u32, u32)>>::new();
            let mut pieces = std::collections::HashMap::<WorkTile, Vec<(u32, u32)>>::new();
            let mut round_loads = Vec::new();
            for b in 0..blocks {
                let mut load = Vec::new();
                let mut shared_by = Vec::new();
                for team in 0..teams {
                    // The host launches the stream-K round in place of the persistent grid.
                    let share = stream_k_share(grid.count(), round_blocks, round_blocks * teams, k_tiles);
                    let s = core::cell::RefCell::new(Teams::new(grid, k_tiles, b, round_blocks, team, teams));
                    let mut work = if share.is_none() {
                        works(|| s.borrow().next_k_tiles(), || s.borrow_mut().next_work())
                    } else {
                        Vec::new()
                    };
                    // A team's work shared with its block's other teams is its last.
                    prop_assert!(
                        work.iter().rev().skip(1).all(|w| w.share != Share::Teams),
                        "{work:?}"
                    );
                    prop_assert!(work.iter().all(|w| matches!(w.share, Share::Whole | Share::Teams)));
                    // Or in its place the stream-K grid: whole tiles, then at most a share of
                    // the last round in pieces of tiles.
                    let round = if share.is_some() && b < round_blocks {
                        let r = core::cell::RefCell::new(StreamKRound::new(grid, k_tiles, b, round_blocks, team, teams));
                        works(|| r.borrow().next_k_tiles(), || r.borrow_mut().next_work())
                    } else {
                        Vec::new()
                    };
                    let streamed: u32 = round.iter().filter(|w| w.share != Share::Whole).map(|w| w.k_end - w.k_begin).sum();
                    prop_assert!(streamed <= share.unwrap_or(0), "{streamed} {share:?}");
                    for w in round.iter().filter(|w| w.share != Share::Whole) {
                        let Share::StreamK(piece) = w.share else { panic!("{w:?}") };
                        let (slot, slots) = team_slot(b, round_blocks, team, teams);
                        prop_assert_eq!(grid.tile(piece.tile), w.tile);
                        let n = grid.count();
                        pieces.entry(w.tile).or_default().push((piece.in_round(n, slots), piece.slot(n, slot, slots)));
                    }
                    work.extend(round);
                    for w in &work {
                        prop_assert!(w.k_begin < w.k_end && w.k_end <= k_tiles, "{w:?}");
                        covered.entry(w.tile).or_default().push((w.k_begin, w.k_end));
                        if w.share == Share::Teams {
                            shared_by.push((team, w.tile));
                        }
                    }
                    load.push(work.iter().map(|w| w.k_end - w.k_begin).sum::<u32>());
                }
                if !shared_by.is_empty() {
                    prop_assert_eq!(shared_by.len() as u32, teams);
                    prop_assert!(shared_by.iter().all(|&(_, t)| t == shared_by[0].1));
                }
                // In k-tiles: one tile apart at most, or one k-tile where they share.
                let (lo, hi) = (load.iter().min().unwrap(), load.iter().max().unwrap());
                let bound = if shared_by.is_empty() { k_tiles } else { 1 };
                prop_assert!(hi - lo <= bound, "{load:?}");
                if b < round_blocks {
                    round_loads.push(load.iter().sum::<u32>());
                }
            }
            // Round blocks: the same tiles where tail blocks take the rest, within one tile
            // otherwise.
            let (lo, hi) = (round_loads.iter().min().unwrap(), round_loads.iter().max().unwrap());
            let bound = if blocks > round_blocks { 0 } else { k_tiles };
            prop_assert!(hi - lo <= bound, "{round_loads:?}");
            prop_assert_eq!(covered.len() as u32, grid.count());
            // Stream-K: each tile's pieces agree on its counter and have the slots
            // `stream_k_slots` gives it, one each; no two tiles share a counter or a slot.
            let slots = round_blocks * teams;
            let (mut counters, mut used) = (HashSet::new(), HashSet::new());
            for (tile, mut p) in pieces {
                p.sort_by_key(|&(_, slot)| slot);
                let counter = p[0].0;
                prop_assert!(counter < slots && counters.insert(counter), "{:?}", tile);
                let share = stream_k_share(grid.count(), round_blocks, slots, k_tiles).unwrap();
                let (first, n) = stream_k_slots(counter, k_tiles, share);
                prop_assert_eq!(n as usize, p.len(), "{:?}", tile);
                for (i, &(t, slot)) in p.iter().enumerate() {
                    prop_assert_eq!((t, slot), (counter, first + i as u32));
                    prop_assert!(slot < stream_k_pieces(slots) && used.insert(slot));
                }
            }
            for (tile, mut slices) in covered {
                prop_assert!(tile.m < grid.tiles_m && tile.n < grid.tiles_n && tile.batch < grid.batches);
                slices.sort();
                let mut next = 0;
                for (begin, end) in slices {
                    prop_assert_eq!(begin, next, "{:?}", tile);
                    next = end;
                }
                prop_assert_eq!(next, k_tiles, "{:?}", tile);
            }
        }
    }
}
