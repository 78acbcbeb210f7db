//! cuBLAS as the reference row: `cublasGemmEx` with f32 compute (no TF32), on the same
//! stream and buffers as Tessera's kernels. Loaded at run time, like the driver.

use cudarc::cublas::CudaBlas;
use cudarc::cublas::sys::{
    self, cublasComputeType_t, cublasGemmAlgo_t, cublasMath_t, cublasOperation_t, cudaDataType,
};
use cudarc::driver::{CudaStream, DevicePtr, DevicePtrMut};
use std::sync::Arc;
use tessera::{DType, Element, GemmDesc, Layout};

/// A cuBLAS handle on the benchmark's stream.
pub struct Cublas {
    blas: CudaBlas,
    stream: Arc<CudaStream>,
}

fn data_type(d: DType) -> cudaDataType {
    match d {
        DType::F32 => cudaDataType::CUDA_R_32F,
        DType::BF16 => cudaDataType::CUDA_R_16BF,
        DType::F16 => cudaDataType::CUDA_R_16F,
    }
}

impl Cublas {
    /// `None` (with the reason) when libcublas cannot be loaded.
    pub fn new(stream: Arc<CudaStream>) -> Result<Self, String> {
        // SAFETY: only tries to load the library.
        if !unsafe { sys::is_culib_present() } {
            return Err("libcublas not found (put its folder on LD_LIBRARY_PATH)".into());
        }
        let blas = CudaBlas::new(stream.clone()).map_err(|e| e.to_string())?;
        // Plain fp32 arithmetic for SGEMM: no TF32 tensor-core shortcut.
        // SAFETY: valid handle.
        unsafe { sys::cublasSetMathMode(*blas.handle(), cublasMath_t::CUBLAS_DEFAULT_MATH) }
            .result()
            .map_err(|e| e.to_string())?;
        Ok(Cublas { blas, stream })
    }

    /// `C = alpha·A·B + beta·C` with a row-major `C`, computed as the column-major
    /// `Cᵀ = Bᵀ·Aᵀ`: a row-major operand is its transpose in cuBLAS's column-major view (no
    /// operation), a column-major one needs `CUBLAS_OP_T`.
    pub fn gemm<I: Element, O: Element>(
        &self,
        d: &GemmDesc,
        alpha: f32,
        a: &impl DevicePtr<I>,
        b: &impl DevicePtr<I>,
        beta: f32,
        c: &mut impl DevicePtrMut<O>,
    ) -> Result<(), String> {
        let (a, _ra) = a.device_ptr(&self.stream);
        let (b, _rb) = b.device_ptr(&self.stream);
        let (c, _wc) = c.device_ptr_mut(&self.stream);
        debug_assert_eq!(d.layout_c, Layout::RowMajor);
        let op = |l: Layout| match l {
            Layout::RowMajor => cublasOperation_t::CUBLAS_OP_N,
            Layout::ColMajor => cublasOperation_t::CUBLAS_OP_T,
        };
        // SAFETY: the buffers hold the matrices `d` describes (checked by the caller through
        // Tessera's validation of the same call).
        unsafe {
            sys::cublasGemmEx(
                *self.blas.handle(),
                op(d.layout_b),
                op(d.layout_a),
                d.n as i32,
                d.m as i32,
                d.k as i32,
                (&raw const alpha).cast(),
                b as *const _,
                data_type(I::DTYPE),
                d.ldb as i32,
                a as *const _,
                data_type(I::DTYPE),
                d.lda as i32,
                (&raw const beta).cast(),
                c as *mut _,
                data_type(O::DTYPE),
                d.ldc as i32,
                cublasComputeType_t::CUBLAS_COMPUTE_32F,
                cublasGemmAlgo_t::CUBLAS_GEMM_DEFAULT,
            )
        }
        .result()
        .map_err(|e| e.to_string())
    }
}
