//! Inputs the fuzzer (`fuzz/fuzz_targets/parse.rs`) once broke: each must
//! parse without panicking and be written back unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn fuzz_findings_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if let Ok(b) = bisect_log::parse_bytes(&data) {
            let text = bisect_log::write(&b);
            {
                // Invalid UTF-8 is decoded lossily; the rest must come back as it was.
                let original = String::from_utf8_lossy(&data);
                if let Some(line) = text.lines().zip(original.lines()).position(|(a, b)| a != b) {
                    panic!(
                        "{}: line {} written as {:?}, was {:?}",
                        path.display(),
                        line + 1,
                        text.lines().nth(line),
                        original.lines().nth(line)
                    );
                }
                assert_eq!(text, original, "{}", path.display());
            }
            let mut again = bisect_log::parse(&text).unwrap();
            again.invalid_utf8_lines = b.invalid_utf8_lines.clone();
            assert_eq!(again, b, "{}", path.display());
        }
        checked += 1;
    }
    assert!(checked > 0, "no fuzz fixtures in {}", dir.display());
}
