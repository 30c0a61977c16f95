//! Arbitrary bytes as a report: decode (text, Markdown, HTML) and segment.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let path = ["r.txt", "r.md", "r.html"][usize::from(pick) % 3];
    if let Ok(text) = palabre::corpus::decode(Path::new(path), bytes) {
        let _ = palabre::segment::segment(path, &text);
    }
});
