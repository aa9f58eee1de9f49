//! broker: a command-line credential broker for Baidu apps.
//!
//! Profiles live in a TOML config; app secrets and tokens are age-encrypted at rest; tokens
//! are fetched, cached and rotated single-flight across processes; hooks tell the rest of
//! the system when a token changes. `run()` is the whole program, callable from tests.
#![forbid(unsafe_code)]

pub mod baidu;
pub mod cli;
pub mod commands;
pub mod config;
pub mod duration;
pub mod emulator;
pub mod error;
pub mod grant;
pub mod profile;
pub mod secret;
pub mod store;

pub use error::{Error, Result};
