//! Integration tests: the real `broker` binary in a temporary home, against the emulator.

// Helpers are `pub` for the sibling modules (and, for hostile/checks.rs, the fuzz targets that
// include it); a test crate has no API for `unreachable_pub` to guard.
#![allow(unreachable_pub)]

mod harness;

mod agent;
mod api_key;
mod browser;
mod ci;
mod clock;
mod config;
mod crash;
#[cfg(feature = "emulator")] // `broker demo` is in the default `emulator` feature
mod demo;
mod doctor;
mod exec;
mod grants;
mod hooks;
mod hostile;
mod inject;
mod languages;
mod leaks;
mod output;
mod plugins;
mod presets;
mod profiles;
mod readme;
mod recovery;
mod redis;
mod rotation;
mod secrets;
mod shell;
mod snapshots;
mod sts;
