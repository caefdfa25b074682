//! Parser benchmark: throughput over a folder of logs and the memory the
//! model of the largest one takes.
//!
//! `cargo run --release -p bisect-log --example bench -- ../shared/corpus/syzbot`

// A counting global allocator needs `unsafe impl GlobalAlloc`; it only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Counts live heap bytes so the model's footprint can be measured exactly.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/corpus/syzbot".to_string());
    let mut logs = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "txt") {
            logs.push((path.display().to_string(), std::fs::read(&path)?));
        }
    }
    let bytes: usize = logs.iter().map(|(_, b)| b.len()).sum();
    let lines: usize = logs
        .iter()
        .map(|(_, b)| b.iter().filter(|&&c| c == b'\n').count())
        .sum();

    let rounds = 5;
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let start = Instant::now();
        for (_, b) in &logs {
            std::hint::black_box(bisect_log::parse_bytes(b).ok());
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "parse: {} logs, {:.1} MB, {} lines in {:.1} ms (best of {rounds}) = {:.0} MB/s",
        logs.len(),
        bytes as f64 / 1e6,
        lines,
        best * 1e3,
        bytes as f64 / 1e6 / best
    );

    let (name, largest) = logs.iter().max_by_key(|(_, b)| b.len()).ok_or("no logs")?;
    let before = LIVE.load(Ordering::Relaxed);
    let model = bisect_log::parse_bytes(largest)?;
    let model_bytes = LIVE.load(Ordering::Relaxed) - before;
    let start = Instant::now();
    std::hint::black_box(bisect_log::parse_bytes(largest).ok());
    let one = start.elapsed().as_secs_f64();
    println!(
        "largest: {name}: {:.2} MB, model {:.2} MB on the heap = {:.2}× the text, parsed in {:.2} ms",
        largest.len() as f64 / 1e6,
        model_bytes as f64 / 1e6,
        model_bytes as f64 / largest.len() as f64,
        one * 1e3
    );
    drop(model);
    Ok(())
}
