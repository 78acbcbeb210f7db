//! Element types the kernels take and produce.

use cudarc::driver::{DeviceRepr, ValidAsZeroBits};
use half::{bf16, f16};
use std::fmt;

/// A kernel's element type, as named in entry points and benchmark rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    /// IEEE single precision.
    F32,
    /// bfloat16: 8 exponent bits, 7 mantissa bits.
    BF16,
    /// IEEE half precision.
    F16,
}

impl DType {
    /// Unit roundoff of the type (half the distance from 1 to the next value).
    pub fn unit_roundoff(self) -> f64 {
        match self {
            DType::F32 => f64::from(f32::EPSILON) / 2.0,
            DType::BF16 => 2f64.powi(-8),
            DType::F16 => 2f64.powi(-11),
        }
    }

    /// Half the spacing of the type's subnormal numbers: the rounding error of results too
    /// small for the relative bound of [`unit_roundoff`](Self::unit_roundoff).
    pub fn subnormal_roundoff(self) -> f64 {
        match self {
            DType::F32 => 2f64.powi(-150),
            DType::BF16 => 2f64.powi(-134),
            DType::F16 => 2f64.powi(-25),
        }
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::BF16 | DType::F16 => 2,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DType::F32 => "f32",
            DType::BF16 => "bf16",
            DType::F16 => "f16",
        })
    }
}

/// A matrix element: `f32`, [`bf16`] or [`struct@f16`].
pub trait Element:
    DeviceRepr + ValidAsZeroBits + Copy + Default + Send + Sync + fmt::Debug + 'static
{
    /// The runtime tag of this type.
    const DTYPE: DType;
    /// Exact conversion to `f64`.
    fn to_f64(self) -> f64;
    /// Rounds to nearest.
    fn from_f64(x: f64) -> Self;
}

impl Element for f32 {
    const DTYPE: DType = DType::F32;
    fn to_f64(self) -> f64 {
        self.into()
    }
    fn from_f64(x: f64) -> Self {
        x as f32
    }
}

impl Element for bf16 {
    const DTYPE: DType = DType::BF16;
    fn to_f64(self) -> f64 {
        bf16::to_f64(self)
    }
    fn from_f64(x: f64) -> Self {
        bf16::from_f64(x)
    }
}

impl Element for f16 {
    const DTYPE: DType = DType::F16;
    fn to_f64(self) -> f64 {
        f16::to_f64(self)
    }
    fn from_f64(x: f64) -> Self {
        f16::from_f64(x)
    }
}
