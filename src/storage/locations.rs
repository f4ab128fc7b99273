//! Quay's storage locations: every entry of `DISTRIBUTED_STORAGE_CONFIG` is a [`Storage`] with the
//! id of its `imagestoragelocation` row. Uploads go to the preferred location (the first of
//! `DISTRIBUTED_STORAGE_PREFERENCE`); a blob is read from the first location, in preference order,
//! that its `imagestorageplacement` rows name; with `FEATURE_STORAGE_REPLICATION`, every new blob
//! is copied to each of `DISTRIBUTED_STORAGE_DEFAULT_LOCATIONS` by the replication job.
//!
//! The layout can change while the registry runs (`quay migrate storage` edits `config.yaml`):
//! [`Locations`] holds the current one and is swapped whole; a request keeps the layout it
//! started with.

use std::sync::{Arc, RwLock};

use super::Storage;

/// One configured location.
#[derive(Clone)]
pub struct Location {
    /// Its `imagestoragelocation` row.
    pub id: i32,
    pub name: String,
    pub storage: Storage,
}

/// The locations of one config, the preferred one first.
pub struct Layout {
    locations: Vec<Location>,
    /// Location ids every new blob is copied to.
    replicate_to: Vec<i32>,
    /// Identifies the config this layout was made from, to tell nodes that applied it.
    pub fingerprint: String,
}

impl Layout {
    /// `locations` in read order, the preferred one first; never empty.
    pub fn new(locations: Vec<Location>, replicate_to: Vec<i32>, fingerprint: String) -> anyhow::Result<Layout> {
        anyhow::ensure!(!locations.is_empty(), "no storage location is configured");
        Ok(Layout { locations, replicate_to, fingerprint })
    }

    /// Where uploads go.
    pub fn preferred(&self) -> &Location {
        &self.locations[0]
    }

    pub fn all(&self) -> &[Location] {
        &self.locations
    }

    pub fn get(&self, id: i32) -> Option<&Location> {
        self.locations.iter().find(|l| l.id == id)
    }

    pub fn by_name(&self, name: &str) -> Option<&Location> {
        self.locations.iter().find(|l| l.name == name)
    }

    /// Whether there is one location only (reads then need not look at placements).
    pub fn is_single(&self) -> bool {
        self.locations.len() == 1
    }

    /// The first location, in read order, among `placed`.
    pub fn first_of(&self, placed: &[i32]) -> Option<&Location> {
        self.locations.iter().find(|l| placed.contains(&l.id))
    }

    /// The locations a blob placed in `placed` still has to be copied to.
    pub fn replication_targets(&self, placed: &[i32]) -> Vec<&Location> {
        self.replicate_to.iter().filter(|id| !placed.contains(id)).filter_map(|id| self.get(*id)).collect()
    }
}

/// The layout in use, replaced whole when the config changes.
pub struct Locations {
    current: RwLock<Arc<Layout>>,
}

impl Locations {
    pub fn new(layout: Layout) -> Locations {
        Locations { current: RwLock::new(Arc::new(layout)) }
    }

    pub fn current(&self) -> Arc<Layout> {
        self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    pub fn replace(&self, layout: Layout) {
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(layout);
    }

    /// The preferred location's storage (uploads, and every read when there is one location).
    pub fn preferred(&self) -> Storage {
        self.current().preferred().storage.clone()
    }
}
