//! `quay`: a Quay-compatible OCI registry in one binary. See `docs/ARCHITECTURE.md` for the map.

pub mod accounts;
pub mod app;
pub mod appliance;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod config;
pub mod db;
pub mod durability;
pub mod http;
pub mod journal;
pub mod migrate;
pub mod oci;
pub mod registry;
pub mod remote;
pub mod storage;
pub mod testhooks;
pub mod tls;
pub mod util;
pub mod worker;
