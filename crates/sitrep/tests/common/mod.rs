//! What the `sitrep` binary's test files share: the command, its standard error, the model.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `sitrep` binary with no store from the environment, warnings only, and embeddings off
/// unless a test asks for them: what the tests check must not depend on whether the model was
/// fetched.
pub fn sitrep() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitrep"));
    cmd.env_remove("SITREP_DB")
        .env("SITREP_LOG", "warn")
        .env("SITREP_EMBED", "off");
    cmd
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The sentence embedding model folder (`models/minilm`), or `None` with a note that `test`
/// is skipped when the model is not fetched.
pub fn minilm(test: &str) -> Option<PathBuf> {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/minilm");
    if model.join("model.safetensors").is_file() {
        return Some(model);
    }
    eprintln!(
        "note: {test} skipped: no model in {} (run scripts/fetch-models)",
        model.display()
    );
    None
}
