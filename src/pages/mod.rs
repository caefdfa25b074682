//! Whole-screen views: the start page, loading, a failed load, the viewer.

pub mod compare;
pub mod failed;
pub mod job;
pub mod library;
pub mod loading;
pub mod new_job;
pub mod start;
pub mod viewer;
