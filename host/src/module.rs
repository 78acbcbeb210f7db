//! The embedded PTX, loaded once per `Gemm`, and its entry points.

use crate::error::{Error, Result};
use crate::raw;
use cudarc::driver::result::DriverError;
use cudarc::driver::sys::{self, CUfunction_attribute};
use cudarc::driver::{CudaContext, CudaFunction, CudaModule, LaunchConfig};
use cudarc::nvrtc::Ptx;
use std::sync::Arc;
use tessera_kernels::kernels::{KERNELS, KernelInfo};

/// PTX for Hopper (`wgmma`, TMA, `setmaxnreg` need the `a` variant of sm_90).
pub const PTX_SM90A: &str = include_str!(concat!(env!("OUT_DIR"), "/kernels_sm_90a.ptx"));
/// PTX for Ampere and Ada (and anything newer than Hopper, through the driver's JIT).
pub const PTX_SM80: &str = include_str!(concat!(env!("OUT_DIR"), "/kernels_sm_80.ptx"));

/// The GPU generation a module was built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arch {
    /// Compute capability, major (9 for Hopper).
    pub major: i32,
    /// Compute capability, minor.
    pub minor: i32,
}

impl Arch {
    /// The embedded PTX for this GPU: Hopper's own on compute capability 9.0, the sm_80 one on
    /// 8.x and newer generations.
    fn ptx(self) -> Result<&'static str> {
        self.pick(PTX_SM90A, PTX_SM80)
    }

    /// `sm90a` on compute capability 9.0, `sm80` on 8.x and newer generations.
    pub(crate) fn pick(self, sm90a: &'static str, sm80: &'static str) -> Result<&'static str> {
        match (self.major, self.minor) {
            (9, 0) => Ok(sm90a),
            (m, _) if m >= 8 => Ok(sm80),
            _ => Err(Error::Unsupported {
                kernel: "all".into(),
                reason: format!(
                    "compute capability {}.{}: Tessera needs 8.0 (Ampere) or newer",
                    self.major, self.minor
                ),
            }),
        }
    }

    /// Whether this is Hopper with its sm_90a instructions.
    pub fn is_hopper(self) -> bool {
        (self.major, self.minor) == (9, 0)
    }
}

/// One loaded entry point, ready to launch.
#[derive(Debug)]
pub(crate) struct Entry {
    pub func: CudaFunction,
    pub info: &'static KernelInfo,
    /// Threads and bytes of dynamic shared memory per block at launch: `info`'s, or fewer
    /// teams' worth where the GPU cannot give a block all of `info.teams` (see
    /// [`teams_that_fit`]).
    pub threads: u32,
    pub smem_bytes: u32,
    /// The teams of a block at launch (1 for kernels without teams).
    pub teams: u32,
    /// Blocks of this kernel that fit on the whole GPU at once; for a kernel launched in
    /// clusters, in whole clusters (a multiple of `info.cluster_m`).
    pub resident: u32,
}

/// Peak DRAM bandwidth of `ctx`'s GPU in GB/s: two transfers per memory clock (kHz) over the
/// bus (bits). 0 where the driver does not give either.
fn dram_gbps(ctx: &CudaContext) -> u32 {
    use cudarc::driver::sys::CUdevice_attribute as Attribute;
    let clock_khz = ctx.attribute(Attribute::CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
    let bus_bits = ctx.attribute(Attribute::CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
    match (clock_khz, bus_bits) {
        (Ok(khz), Ok(bits)) if khz > 0 && bits > 0 => {
            (2 * khz as u64 * bits as u64 / 8 / 1_000_000) as u32
        }
        _ => 0,
    }
}

/// The module and every entry point it has.
#[derive(Debug)]
pub(crate) struct Module {
    pub arch: Arch,
    pub sm_count: u32,
    /// Shared memory per SM in bytes (how many blocks of a tile configuration share one).
    pub smem_per_sm: u32,
    /// Peak DRAM bandwidth in GB/s, from the memory clock and bus width; 0 where the driver
    /// does not give them.
    pub dram_gbps: u32,
    entries: Vec<Entry>,
}

impl Module {
    /// Loads every kernel, holding them to `smem_limit` bytes of shared memory per block and
    /// per SM (`u32::MAX`: the GPU's own limits).
    pub fn load(ctx: &Arc<CudaContext>, smem_limit: u32) -> Result<Self> {
        Self::load_table(ctx, Arch::ptx, KERNELS, smem_limit)
    }

    /// Loads the PTX `ptx` picks for the GPU, with the entry points of `table` it has, held to
    /// `smem_limit` bytes of shared memory per block and per SM.
    pub fn load_table(
        ctx: &Arc<CudaContext>,
        ptx: fn(Arch) -> Result<&'static str>,
        table: &'static [KernelInfo],
        smem_limit: u32,
    ) -> Result<Self> {
        let (major, minor) = ctx.compute_capability()?;
        let arch = Arch { major, minor };
        let ptx = ptx(arch)?;
        let module: Arc<CudaModule> = ctx.load_module(Ptx::from_src(ptx))?;
        let sm_count = ctx.attribute(
            cudarc::driver::sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
        )? as u32;
        let smem_per_sm = (ctx.attribute(
            cudarc::driver::sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR,
        )? as u32)
            .min(smem_limit);
        let smem_per_block = (ctx.attribute(
            cudarc::driver::sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
        )? as u32)
            .min(smem_limit);
        let dram_gbps = dram_gbps(ctx);
        let entries = table
            .iter()
            // Hopper-only kernels are not in the sm_80 PTX, and a GPU with less shared memory
            // per block than one team's stages (Ada's 99 KiB against the 144 KiB of the
            // 128 × 256 `mma.sync` tile) cannot launch it: such entries are left out.
            .filter(|info| ptx.contains(&format!(".entry {}(", info.name)))
            .filter_map(|info| match teams_that_fit(info, smem_per_block) {
                0 => None,
                teams => Some(Self::entry(&module, info, teams, sm_count)),
            })
            .collect::<Result<_>>()?;
        Ok(Module {
            arch,
            sm_count,
            smem_per_sm,
            dram_gbps,
            entries,
        })
    }

    /// `info`'s entry in `module`, launched with `teams` of its teams per block.
    fn entry(
        module: &Arc<CudaModule>,
        info: &'static KernelInfo,
        teams: u32,
        sm_count: u32,
    ) -> Result<Entry> {
        let func = module.load_function(info.name)?;
        let (threads, smem_bytes) = info.with_teams(teams);
        if smem_bytes > 48 * 1024 {
            // Blocks above 48 KiB of dynamic shared memory must opt in.
            func.set_attribute(
                CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                smem_bytes as i32,
            )?;
        }
        let per_sm = func.occupancy_max_active_blocks_per_multiprocessor(
            threads,
            smem_bytes as usize,
            None,
        )?;
        let blocks = per_sm.max(1) * sm_count;
        let resident = match info.cluster_m {
            1 => blocks,
            // A cluster's blocks must share one GPC, so whole clusters may fit fewer blocks
            // than the SMs allow; without an answer from the driver, assume all SMs pair up.
            c => Self::max_active_clusters(&func, info, threads, smem_bytes)
                .ok()
                .filter(|&n| n > 0)
                .map_or(blocks / c * c, |n| n * c),
        };
        Ok(Entry {
            func,
            info,
            threads,
            smem_bytes,
            teams,
            resident,
        })
    }

    /// Clusters of `info.cluster_m` blocks of `func` (`threads` and `smem_bytes` each, as the
    /// entry launches them) that can run on the GPU at once
    /// (`cuOccupancyMaxActiveClusters`; the cluster size must be given, the kernel has none
    /// built in). Uses the current context, which loading the module bound.
    fn max_active_clusters(
        func: &CudaFunction,
        info: &KernelInfo,
        threads: u32,
        smem_bytes: u32,
    ) -> std::result::Result<u32, DriverError> {
        let cfg = LaunchConfig {
            grid_dim: (info.cluster_m, 1, 1),
            block_dim: (threads, 1, 1),
            shared_mem_bytes: smem_bytes,
        };
        let mut attrs = [raw::cluster_dimension(info.cluster_m)];
        let config = raw::launch_config(&cfg, std::ptr::null_mut(), &mut attrs);
        let mut clusters = 0;
        // SAFETY: every pointer is to a live local; the function belongs to the current
        // context.
        unsafe {
            sys::cuOccupancyMaxActiveClusters(&mut clusters, func.cu_function(), &config)
                .result()?
        };
        Ok(clusters.max(0) as u32)
    }

    /// The entry point called `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.info.name == name)
    }

    /// Every entry point loaded.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}

/// How many of `info`'s teams one block can have on a GPU with `smem_per_block` bytes of
/// shared memory per block: all, or as many as their stages fit (0: the entry cannot run).
/// The `mma.sync` kernel reads the number of its teams from the block size.
pub(crate) fn teams_that_fit(info: &KernelInfo, smem_per_block: u32) -> u32 {
    match smem_per_block.checked_div(info.with_teams(1).1) {
        Some(teams) => teams.min(info.teams),
        // No dynamic shared memory at all.
        None => info.teams,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str) -> &'static KernelInfo {
        KERNELS.iter().find(|k| k.name == name).unwrap()
    }

    #[test]
    fn blocks_take_the_teams_whose_stages_fit() {
        const KIB: u32 = 1024;
        let paired = info("mma_bf16_bf16_128x128_persistent");
        assert_eq!(paired.teams, 2);
        // Shared memory per block: H100 227 KiB, A100 163 KiB, Ada 99 KiB.
        assert_eq!(teams_that_fit(paired, 227 * KIB), 2);
        assert_eq!(teams_that_fit(paired, 163 * KIB), 1);
        assert_eq!(teams_that_fit(paired, 99 * KIB), 1);
        assert_eq!(teams_that_fit(paired, 64 * KIB), 0);
        let wide = info("mma_bf16_bf16_128x256_persistent");
        assert_eq!(teams_that_fit(wide, 163 * KIB), 1);
        assert_eq!(teams_that_fit(wide, 99 * KIB), 0);
        assert_eq!(teams_that_fit(info("tiled_f32_naive"), 48 * KIB), 1);
        assert_eq!(teams_that_fit(info("textbook_f32_f32"), 0), 1);
        for k in KERNELS {
            assert_eq!(teams_that_fit(k, 227 * KIB), k.teams, "{}", k.name);
        }
    }
}
