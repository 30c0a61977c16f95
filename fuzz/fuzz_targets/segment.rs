//! Arbitrary bytes as a report: the first byte picks the file extension
//! (text, Markdown, PDF, Word, OpenDocument, HTML), the rest goes through
//! that decoder and the segmenter, as `palabre index` reads a file. Checks
//! that nothing panics, that segment ids are unique and ordinals follow
//! the order, and that the report serialises (`palabre inspect --json`).
#![no_main]
use std::collections::HashSet;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use palabre::decode::Format;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let (ext, _) = Format::EXTENSIONS[usize::from(pick) % Format::EXTENSIONS.len()];
    let doc = format!("report.{ext}");
    let Ok(text) = palabre::corpus::decode(Path::new(&doc), bytes) else {
        return;
    };
    let report = palabre::segment::segment(&doc, &text);
    let mut ids = HashSet::new();
    for (i, segment) in report.segments.iter().enumerate() {
        assert_eq!(segment.ordinal, i, "ordinal of {:?}", segment.title);
        assert!(
            ids.insert(&segment.id),
            "two segments with id {}",
            segment.id
        );
    }
    serde_json::to_string(&report).expect("a report serialises");
});
