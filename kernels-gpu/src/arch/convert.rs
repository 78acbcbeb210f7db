//! Conversions between f32 and the 16-bit float formats, round to nearest even (`cvt.rn`).
//!
//! Pairs are packed as they lie in memory: element 0 in the low 16 bits.

use core::arch::asm;

macro_rules! pack_pair {
    ($(#[$doc:meta])* $name:ident, $ty:literal) => {
        $(#[$doc])*
        #[inline(always)]
        pub fn $name(v: [f32; 2]) -> u32 {
            let r: u32;
            // SAFETY: register-only conversion. `cvt.rn.*x2.f32 d, a, b` puts `a` in the upper
            // half, so element 1 goes first.
            unsafe {
                asm!(concat!("cvt.rn.", $ty, "x2.f32 {}, {}, {};"), out(reg32) r,
                    in(reg32) v[1], in(reg32) v[0], options(pure, nomem, nostack))
            };
            r
        }
    };
}

macro_rules! narrow {
    ($(#[$doc:meta])* $name:ident, $ty:literal) => {
        $(#[$doc])*
        #[inline(always)]
        pub fn $name(v: f32) -> u16 {
            let r: u16;
            // SAFETY: register-only conversion.
            unsafe {
                asm!(concat!("cvt.rn.", $ty, ".f32 {}, {};"), out(reg16) r, in(reg32) v,
                    options(pure, nomem, nostack))
            };
            r
        }
    };
}

pack_pair!(
    /// Two f32 → two bf16.
    f32x2_to_bf16x2,
    "bf16"
);
pack_pair!(
    /// Two f32 → two f16.
    f32x2_to_f16x2,
    "f16"
);
narrow!(
    /// f32 → bf16 bits.
    f32_to_bf16,
    "bf16"
);
narrow!(
    /// f32 → f16 bits.
    f32_to_f16,
    "f16"
);

/// bf16 bits → f32 (exact: bf16 is the upper half of an f32).
#[inline(always)]
pub fn bf16_to_f32(v: u16) -> f32 {
    f32::from_bits((v as u32) << 16)
}

/// f16 bits → f32 (exact).
#[inline(always)]
pub fn f16_to_f32(v: u16) -> f32 {
    let r: f32;
    // SAFETY: register-only conversion.
    unsafe {
        asm!("cvt.f32.f16 {}, {};", out(reg32) r, in(reg16) v, options(pure, nomem, nostack))
    };
    r
}
