//! `quay config validate`: a Quay `config.yaml` checked.

use std::path::Path;

use crate::config::LoadedConfig;

pub(super) fn validate(path: &Path) -> anyhow::Result<()> {
    let loaded = LoadedConfig::from_path(path)?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    println!("{}: valid", path.display());
    Ok(())
}
