//! Conversions between `f32` and the 16-bit float formats, round-to-nearest-even.
//!
//! Packed forms put the first element (the lower column index) in the low 16 bits, which is
//! how two consecutive elements sit in memory. `cvt.rn.{bf16,f16}x2.f32 d, a, b` writes `a`
//! to the *upper* half, so the operands are passed in the order `(second, first)`.

use core::arch::asm;

macro_rules! narrow {
    ($(#[$doc:meta])* $one:ident, $pair:ident, $ty:literal) => {
        $(#[$doc])*
        #[inline(always)]
        pub fn $one(x: f32) -> u16 {
            let r: u16;
            // SAFETY: register-only conversion.
            unsafe {
                asm!(concat!("cvt.rn.", $ty, ".f32 {}, {};"), out(reg16) r, in(reg32) x,
                    options(pure, nomem, nostack))
            };
            r
        }

        /// The pair `[first, second]`, packed with `first` in the low half.
        #[inline(always)]
        pub fn $pair([first, second]: [f32; 2]) -> u32 {
            let r: u32;
            // SAFETY: register-only conversion.
            unsafe {
                asm!(concat!("cvt.rn.", $ty, "x2.f32 {}, {}, {};"),
                    out(reg32) r, in(reg32) second, in(reg32) first,
                    options(pure, nomem, nostack))
            };
            r
        }
    };
}

narrow!(
    /// `f32` → bfloat16 bits.
    bf16_from_f32,
    bf16x2_from_f32,
    "bf16"
);
narrow!(
    /// `f32` → binary16 bits.
    f16_from_f32,
    f16x2_from_f32,
    "f16"
);

/// bfloat16 bits → `f32`: exact, bfloat16 is the upper half of an `f32` (no instruction
/// needed, and `cvt.f32.bf16` would need sm_90).
#[inline(always)]
pub fn f32_from_bf16(x: u16) -> f32 {
    f32::from_bits((x as u32) << 16)
}

/// binary16 bits → `f32` (exact).
#[inline(always)]
pub fn f32_from_f16(x: u16) -> f32 {
    let r: f32;
    // SAFETY: register-only conversion.
    unsafe {
        asm!("cvt.f32.f16 {}, {};", out(reg32) r, in(reg16) x, options(pure, nomem, nostack))
    };
    r
}
