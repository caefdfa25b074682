//! bisect-lens server: log storage and sharing, and bisection jobs.

pub mod engine;
