//! The 16-bit element types of the tensor-core kernels, as storage: the kernels never do
//! arithmetic on them, they hand them to `wgmma` and convert on load and store.

/// bfloat16: 1 sign, 8 exponent, 7 mantissa bits.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bf16(pub u16);

/// IEEE half precision: 1 sign, 5 exponent, 10 mantissa bits.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct F16(pub u16);
