//! Compile-time loop unrolling.
//!
//! Register tiles (`[[f32; 8]; 8]` accumulators, fragments) stay in registers only if every
//! index is a constant after optimisation; a loop LLVM declines to unroll turns the array
//! into local memory (a stack frame in the `ptxas -v` report). `unroll!` makes the index a
//! `const` in each copy of the body, so that cannot happen.

/// `unroll!(i in 0..N => { … })`: the body, N times, with `i` a `const usize`.
///
/// `N` is a literal in {1, 2, 4, 8, 16}, or an expression that is constant after
/// monomorphisation (a const generic such as `MI`, or `NI / 2`) with a value in {1, 2, 4, 8}:
/// then a `match` picks the literal form, rustc only generates the arm that is taken, and a
/// compile-time assertion rejects other values.
#[macro_export]
macro_rules! unroll {
    ($i:ident in 0..1 => $body:block) => {{ const $i: usize = 0; $body }};
    ($i:ident in 0..2 => $body:block) => { $crate::unroll!(@list $i [0 1] $body) };
    ($i:ident in 0..4 => $body:block) => { $crate::unroll!(@list $i [0 1 2 3] $body) };
    ($i:ident in 0..8 => $body:block) => { $crate::unroll!(@list $i [0 1 2 3 4 5 6 7] $body) };
    ($i:ident in 0..16 => $body:block) => {
        $crate::unroll!(@list $i [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15] $body)
    };
    ($i:ident in 0..$n:expr => $body:block) => {{
        const { assert!(matches!($n, 1 | 2 | 4 | 8), "unroll!: trip count must be 1, 2, 4 or 8") };
        match $n {
            1 => $crate::unroll!($i in 0..1 => $body),
            2 => $crate::unroll!($i in 0..2 => $body),
            4 => $crate::unroll!($i in 0..4 => $body),
            _ => $crate::unroll!($i in 0..8 => $body),
        }
    }};
    (@list $i:ident [$($n:literal)*] $body:block) => {{
        $({ const $i: usize = $n; $body })*
    }};
}
