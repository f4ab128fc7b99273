//! `quay config validate`: a Quay `config.yaml` checked (`--config FILE`, or the data dir's),
//! without changing anything.

use super::{Create, Source, existing_data_dir};
use crate::config::LoadedConfig;

pub(super) fn validate(source: &Source) -> anyhow::Result<()> {
    let path = match &source.config {
        Some(path) => path.clone(),
        None => existing_data_dir(source, Create::Refused)?.join("config.yaml"),
    };
    let loaded = LoadedConfig::from_path(&path)?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    println!("{}: valid", loaded.file.display());
    Ok(())
}
