//! broker: a command-line credential broker for Baidu apps.
//!
//! Profiles live in a TOML config; app secrets and tokens are age-encrypted at rest; tokens
//! are fetched, cached and rotated single-flight across processes; hooks tell the rest of
//! the system when a token changes. [`run`] is the whole program, callable from tests.
// A failed write to stderr must never panic: messages go through `eline!` (see `ui`).
#![cfg_attr(not(test), deny(clippy::print_stderr))]

pub mod baidu;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod duration;
pub mod env_vars;
pub mod error;
pub mod export;
pub mod failpoint;
pub mod grant;
pub mod hooks;
pub mod process;
pub mod profile;
pub mod prompt;
pub mod rotate;
pub mod scrub;
pub mod secret;
pub mod service;
pub mod shell;
pub mod sinks;
pub mod store;
pub mod ui;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use error::{Error, Result};

/// Parses `args` and runs the command.
pub fn run(args: impl IntoIterator<Item = OsString>) -> Result<()> {
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with exit 0; a bad flag is a usage error (exit 2).
            let _ = e.print();
            return if e.use_stderr() {
                Err(Error::usage("").silent())
            } else {
                Ok(())
            };
        }
    };
    ui::set_verbosity(cli.global.quiet, cli.global.verbose);
    commands::run(cli)
}

/// The binary's entry point: runs, prints an error as one line plus a hint, and maps it to
/// the exit code of SPEC §7.
pub fn main() -> ExitCode {
    install_panic_hook();
    // A shell asking for completions (the scripts of `broker completions SHELL` set the
    // variable): answer and exit. Otherwise one variable lookup, and the command runs.
    clap_complete::CompleteEnv::with_factory(<cli::Cli as clap::CommandFactory>::command)
        .var(commands::completions::VAR)
        .complete();
    match run(std::env::args_os()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.is_silent() {
                let words = e.render();
                crate::eline!("error: {}", words.message);
                if let Some(hint) = words.hint {
                    crate::eline!("hint: {hint}");
                }
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// A panic is a bug: say so in one line, with where, but never the payload (it could hold a
/// secret that was being formatted), and exit 1.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        crate::eline!("error: internal error (a bug in broker){place}");
        crate::eline!("hint: please report it; nothing stored was changed by the failed step");
        std::process::exit(1);
    }));
}
