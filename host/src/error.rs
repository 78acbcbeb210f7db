//! The one error type of the public API.

use cudarc::driver::DriverError;
use std::fmt;

/// Which operand an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// The left input, `M × K`.
    A,
    /// The right input, `K × N`.
    B,
    /// The output, `M × N`.
    C,
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operand::A => "A",
            Operand::B => "B",
            Operand::C => "C",
        })
    }
}

/// Everything that can go wrong; every message says what to change.
///
/// Validation errors are returned before anything is launched; only [`Error::Driver`] can
/// come from the GPU itself.
///
/// ```
/// use tessera::{Error, GemmDesc, Operand};
/// let err = GemmDesc::new(4, 4, 4).validate(16, 16, 10).unwrap_err();
/// assert!(matches!(err, Error::BufferTooShort { operand: Operand::C, needed: 16, len: 10 }));
/// println!("{err}"); // buffer C holds 10 elements, but the matrix described needs 16
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No NVIDIA driver (`libcuda`) could be loaded.
    NoDriver,
    /// The driver is there but reports no usable GPU.
    NoDevice,
    /// A leading dimension is smaller than the row it must hold.
    LeadingDimension {
        /// The matrix.
        operand: Operand,
        /// The leading dimension given.
        ld: usize,
        /// The smallest leading dimension that works: the row length.
        min: usize,
    },
    /// A buffer holds fewer elements than the matrix described needs.
    BufferTooShort {
        /// The matrix.
        operand: Operand,
        /// Elements the matrix needs.
        needed: usize,
        /// Elements the buffer has.
        len: usize,
    },
    /// A dimension or leading dimension does not fit the kernels' 32-bit index math.
    IndexOverflow {
        /// The quantity (`M`, `lda`, number of output tiles, ...).
        what: &'static str,
        /// Its value.
        value: usize,
    },
    /// `M`, `N` or the batch count is 0: there is no output to compute.
    ZeroDimension {
        /// `M`, `N` or `batch`.
        what: &'static str,
    },
    /// The batch stride of `C` is smaller than one problem's `C`: problems would write the
    /// same elements.
    BatchStride {
        /// The matrix (`C`).
        operand: Operand,
        /// The stride given, in elements.
        stride: usize,
        /// The smallest stride that keeps the problems apart: one problem's extent.
        min: usize,
    },
    /// `C` overlaps `A` or `B` in memory; the kernels read `A` and `B` while writing `C`.
    Aliasing {
        /// The input `C` overlaps.
        operand: Operand,
    },
    /// A buffer is not aligned as the requested kernel needs.
    Misaligned {
        /// The matrix.
        operand: Operand,
        /// What the kernel needs.
        requirement: &'static str,
    },
    /// A buffer belongs to another CUDA context than the `Gemm`'s stream.
    WrongContext {
        /// The matrix.
        operand: Operand,
    },
    /// The requested kernel cannot serve this call (dtype, GPU architecture, alignment).
    Unsupported {
        /// The kernel's name, as [`Kernel`](crate::Kernel)'s `Display` gives it.
        kernel: String,
        /// Why it cannot.
        reason: String,
    },
    /// The driver failed a call (including a failed launch).
    Driver(DriverError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoDriver => write!(
                f,
                "no NVIDIA driver found (libcuda could not be loaded); on a machine with an NVIDIA GPU, \
                 install the driver, or put libcuda.so on LD_LIBRARY_PATH"
            ),
            Error::NoDevice => write!(f, "the NVIDIA driver reports no usable GPU"),
            Error::ZeroDimension { what } => write!(
                f,
                "{what} = 0: the output is empty; skip the call (K = 0 is allowed and gives C = beta·C)"
            ),
            Error::BatchStride {
                operand,
                stride,
                min,
            } => write!(
                f,
                "the batch stride of {operand} is {stride} elements, but one problem's {operand} spans {min}: the problems would overwrite each other"
            ),
            Error::Aliasing { operand } => write!(
                f,
                "C overlaps {operand} in memory; the output must not share memory with an input"
            ),
            Error::LeadingDimension { operand, ld, min } => write!(
                f,
                "leading dimension of {operand} is {ld}, but a row of {operand} has {min} elements: ld{} must be at least {min}",
                operand.to_string().to_lowercase()
            ),
            Error::BufferTooShort {
                operand,
                needed,
                len,
            } => write!(
                f,
                "buffer {operand} holds {len} elements, but the matrix described needs {needed}"
            ),
            Error::IndexOverflow { what, value } => write!(
                f,
                "{what} = {value} exceeds {} (the kernels index with 32-bit integers); split the problem",
                i32::MAX
            ),
            Error::Misaligned {
                operand,
                requirement,
            } => {
                write!(
                    f,
                    "buffer {operand} is not aligned as the kernel requires: {requirement}"
                )
            }
            Error::WrongContext { operand } => write!(
                f,
                "buffer {operand} was allocated in another CUDA context than the Gemm's stream"
            ),
            Error::Unsupported { kernel, reason } => {
                write!(f, "kernel {kernel} cannot run this call: {reason}")
            }
            Error::Driver(e) => write!(f, "CUDA driver error: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Driver(e) => Some(e),
            _ => None,
        }
    }
}

impl From<DriverError> for Error {
    fn from(e: DriverError) -> Self {
        Error::Driver(e)
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
