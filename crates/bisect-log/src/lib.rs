//! Model, lossless parser, trust analysis and writer for syzbot bisection logs.
//!
//! ```
//! let log = "bisecting cause commit starting from 1111111111111111111111111111111111111111\n";
//! let bisection = bisect_log::parse(log).unwrap();
//! assert_eq!(bisection.kind, bisect_log::Kind::Cause);
//! assert_eq!(bisect_log::write(&bisection), log);
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analysis;
pub mod decimal;
pub mod job;
mod line;
pub mod model;
mod parse;
pub mod paths;
pub mod report;
pub mod summary;
mod write;

pub use analysis::{analyze, what_if, Analysis, Trust};
pub use model::*;
pub use parse::{parse, parse_bytes, ParseError};
pub use summary::Summary;
pub use write::write;
