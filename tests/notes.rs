//! Notes in a link, in headless Chromium (the compression is the browser's
//! `CompressionStream`): round trip, damaged data, and the link length of
//! realistic notes (the README's figures).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bisect_lens::notes::link::{self, MAX_LINK};
use bisect_lens::notes::{Note, Notes, Target};
use bisect_log::Verdict;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `n` notes as a reader writes them: a sentence or two each, all
/// different, on steps, runs, diagnostics and line ranges, one doubted verdict.
fn notes(n: usize) -> Notes {
    let texts = [
        "Only 2 of 10 runs crashed here, and with another title: the reproducer is flaky on this config.",
        "Same kernel signature as step 4, so this verdict adds nothing.",
        "Boot failure, not the bug: git was told bad anyway.",
        "This is the line where the unrelated KASAN report starts.",
        "The compiler changed between these two steps (gcc 10 to clang 11).",
        "I reran this commit locally 20 times without a crash, so good looks right.",
        "SYZFAIL here is an infrastructure problem, the verdict should have been skip.",
        "The culprit only touches Documentation/, it cannot cause a use-after-free.",
        "io_uring changes start at this merge; the bug is likely inside it.",
        "Run 3 hit a different WARNING in the same function; probably related.",
        "The config minimization dropped CONFIG_KASAN, which hides this bug.",
        "This release test is older than the reproducer's syscalls.",
        "Fix bisection: 'good' here means it still crashed.",
        "The crash title changed after this commit; the bug might have moved.",
        "Two of the runs timed out, which syzkaller counts as OK.",
        "Probably the real culprit is the parent: see the lock ordering change.",
    ];
    Notes(
        (0..n)
            .map(|i| Note {
                target: match i % 4 {
                    0 => Target::Step(i),
                    1 => Target::Run {
                        step: i,
                        run: i % 10,
                    },
                    2 => Target::Diag(i % 3),
                    _ => Target::Lines(100 + i as u32 * 7, 104 + i as u32 * 7),
                },
                text: if i < texts.len() {
                    texts[i].to_string()
                } else {
                    format!("{} (again at {i})", texts[i % texts.len()])
                },
                doubt: (i == 0).then_some(Verdict::Good),
            })
            .collect(),
    )
}

const BASE: &str = "https://bisect-lens.example/?log=https%3A%2F%2Fsyzkaller.appspot.com%2Fx%2Fbisect.txt%3Fx%3D15f1e2b6580000";

#[wasm_bindgen_test]
async fn link_round_trip() {
    let n = notes(5);
    let data = link::encode(&n.to_json()).await.unwrap();
    assert!(data
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let json = link::decode(&data).await.unwrap();
    assert_eq!(Notes::parse(&json), Ok(n));
    // Unicode and the empty list survive too.
    let odd = Notes(vec![Note {
        target: Target::Step(0),
        text: "\u{1f41b} \"quoted\" <b>not html</b> & 100%".into(),
        doubt: Some(Verdict::Bad),
    }]);
    let back = link::decode(&link::encode(&odd.to_json()).await.unwrap())
        .await
        .unwrap();
    assert_eq!(Notes::parse(&back), Ok(odd));
}

#[wasm_bindgen_test]
async fn damaged_data_is_an_error() {
    let e = link::decode("not*base64").await.unwrap_err();
    assert!(e.contains("base64url"), "{e}");
    let e = link::decode("AAAAAAAAAA").await.unwrap_err();
    assert!(e.contains("damaged"), "{e}");
}

#[wasm_bindgen_test]
async fn link_lengths() {
    let mut lengths = Vec::new();
    for n in [1, 4, 16, 32] {
        let json = notes(n).to_json();
        let data = link::encode(&json).await.unwrap();
        let l = link::link(BASE, "step=3&tab=raw", &data);
        lengths.push((n, json.len(), l.len()));
    }
    web_sys::console::log_1(&format!("notes, JSON bytes, link characters: {lengths:?}").into());
    // 16 notes fit comfortably, and compression more than pays for base64.
    let (_, json16, link16) = lengths[2];
    assert!(link16 < MAX_LINK / 2, "{lengths:?}");
    assert!(link16 - BASE.len() < json16, "{lengths:?}");
}
