//! What the query and handler targets share: an index of the bundled
//! corpus (`corpus/` at the repository root), built once per fuzzing
//! process in a temporary folder, never in the real `index/`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The temporary folder (kept alive for the process) and the index in it.
struct Built {
    _root: tempfile::TempDir,
    index: PathBuf,
}

/// The index folder: the bundled reports copied to a temporary corpus and
/// indexed there.
pub fn index_dir() -> &'static Path {
    static BUILT: OnceLock<Built> = OnceLock::new();
    &BUILT
        .get_or_init(|| {
            let root = tempfile::tempdir().expect("a temporary folder");
            let corpus = root.path().join("corpus");
            std::fs::create_dir_all(&corpus).expect("the corpus folder");
            let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
            for entry in std::fs::read_dir(&bundled).expect("the bundled corpus") {
                let path = entry.expect("a corpus entry").path();
                if path.is_file() {
                    let name = path.file_name().expect("a file name");
                    std::fs::copy(&path, corpus.join(name)).expect("a copied report");
                }
            }
            let index = root.path().join("index");
            palabre::index::run(&corpus, &index, Default::default()).expect("the index");
            Built { _root: root, index }
        })
        .index
}
