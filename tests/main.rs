//! The one integration-test binary: every test drives a real server over HTTP on 127.0.0.1.

mod api;
mod audit;
mod autoprune;
mod cli;
mod clients;
mod common;
mod concurrency;
mod crash;
mod credentials;
mod datadir;
mod domain;
mod emulators;
mod gc;
mod hardening;
mod identity;
mod memory;
mod objectstore;
mod ocmirror;
mod operations;
mod protocol;
mod quota;
mod restart;
mod schema;
mod setup;
mod storage;
mod worker;
