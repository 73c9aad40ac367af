//! Publication-date accuracy on htmldate's evaluation set.

use std::path::Path;

pub fn run(data: &Path, verbose: bool) -> anyhow::Result<()> {
    let _ = (data, verbose);
    anyhow::bail!("not implemented yet")
}
