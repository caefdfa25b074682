//! Reusable parts of the pages: props down, callbacks up.

pub mod chart;
pub mod culprit;
pub mod details;
pub mod dialogs;
pub mod excerpt;
pub mod file_button;
pub mod header;
pub mod log_actions;
pub mod notes;
pub mod raw_log;
pub mod report;
pub mod summary;
pub mod timeline;
