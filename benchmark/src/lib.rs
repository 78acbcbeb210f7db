//! Tessera's benchmark as a library: shape suites, the measurement on the GPU, the reports it
//! writes (JSON, CSV, markdown) and the plots rendered from them. `main.rs` parses the
//! command line and dispatches here.

pub mod cublas;
pub mod font;
pub mod output;
pub mod peak;
pub mod plot;
pub mod report;
pub mod runner;
pub mod select;
pub mod suite;
pub mod timing;
pub mod viz;
