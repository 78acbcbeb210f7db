//! Mainloops: the k-loop that computes one output tile into registers, one file per
//! mechanism. Each file ends with the kernel body that composes its mainloop with a tile
//! scheduler and an epilogue.

pub mod simt_f32;
pub mod sm80_mma_sync;
#[cfg(target_feature = "sm_90a")]
pub mod sm90_pipeline;
#[cfg(target_feature = "sm_90a")]
pub mod sm90_wgmma_tma;
pub mod textbook;
