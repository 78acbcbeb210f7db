//! The font the PNG renderer draws text with, embedded so that no system font is needed.

use plotters::style::{FontStyle, register_font};
use std::sync::Once;

/// The family name plots use for all text.
pub const FAMILY: &str = "sans-serif";

/// Registers DejaVu Sans as [`FAMILY`] (once per process).
pub fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for (style, bytes) in [
            (FontStyle::Normal, dejavu::sans::regular()),
            (FontStyle::Bold, dejavu::sans::bold()),
        ] {
            if register_font(FAMILY, style, bytes).is_err() {
                panic!("the embedded DejaVu Sans font does not parse");
            }
        }
    });
}
