//! The parser must never panic, and whatever it accepts the writer must give
//! back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = bisect_log::parse_bytes(data) {
        let text = bisect_log::write(&b);
        // Invalid UTF-8 is decoded lossily; everything else must come back as it was.
        assert_eq!(text, String::from_utf8_lossy(data), "writer lost or changed text");
        let again = bisect_log::parse(&text).expect("written text parses");
        let mut again = again;
        again.invalid_utf8_lines = b.invalid_utf8_lines.clone();
        assert_eq!(again, b, "parse(write(parse(x))) != parse(x)");
    }
});
