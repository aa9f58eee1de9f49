//! broker: a command-line credential broker for Baidu apps.
//!
//! Profiles live in a TOML config; app secrets and tokens are age-encrypted at rest; tokens
//! are fetched, cached and rotated single-flight across processes; hooks tell the rest of
//! the system when a token changes. [`run`] is the whole program, callable from tests.
// A failed write to stderr must never panic: messages go through `eline!` (see `ui`).
#![cfg_attr(not(test), deny(clippy::print_stderr))]

pub mod agent;
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
pub mod help;
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

pub use error::{Error, Result};

/// The command line parsed. clap builds the whole command tree to parse it; the tree is then
/// left to the end of the process rather than dropped, which costs more than the parse itself
/// on a warm `broker token` (docs/performance.md).
fn parse(args: &[OsString]) -> std::result::Result<cli::Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let mut cmd = cli::Cli::command();
    let parsed = match cmd.try_get_matches_from_mut(args) {
        Ok(mut matches) => {
            cli::Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut cmd))
        }
        Err(e) => Err(e),
    };
    std::mem::forget(cmd);
    parsed
}

/// Parses `args` and runs the command.
pub fn run(args: impl IntoIterator<Item = OsString>) -> Result<()> {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match parse(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let e = localized_help(e, &args);
            // Help and version go to stdout with exit 0; a bad flag is a usage error (exit 2),
            // said in the reader's language.
            let localized = match catalog::lang() {
                catalog::Lang::En => None,
                _ if !e.use_stderr() => None,
                lang => help::localized_error(&e, lang, &args),
            };
            let _ = match &localized {
                Some(l) => l.print(),
                None => e.print(),
            };
            return if e.use_stderr() {
                Err(Error::from(error::UsageError::BadArguments).silent())
            } else {
                Ok(())
            };
        }
    };
    ui::set_verbosity(cli.global.quiet, cli.global.verbose);
    commands::run(cli)
}

/// Help about to be shown, in the language of the person when it is not English: the
/// `Command` is built again with the catalog's texts (only now: a normal run never does).
fn localized_help(e: clap::Error, args: &[OsString]) -> clap::Error {
    use clap::error::ErrorKind;
    let help = matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    match catalog::lang() {
        catalog::Lang::En => e,
        _ if !help => e,
        lang => help::command_in(lang)
            .try_get_matches_from(args)
            .err()
            .filter(|l| l.kind() == e.kind())
            .unwrap_or(e),
    }
}

/// The binary's entry point: runs, prints an error as one line plus a hint, and maps it to
/// the exit code of SPEC §7.
pub fn main() -> ExitCode {
    install_panic_hook();
    // A shell asking for completions (the scripts of `broker completions SHELL` set the
    // variable): answer and exit. Otherwise one variable lookup, and the command runs.
    // Only a completion request calls the factory, so the catalog is read only then.
    clap_complete::CompleteEnv::with_factory(commands::man::localized_command)
        .var(commands::completions::VAR)
        .complete();
    // A panic was reported by the hook below; unwinding to here (rather than exiting in the
    // hook) lets every guard on the way release what it holds.
    let outcome = std::panic::catch_unwind(|| run(std::env::args_os()));
    if PANICKED.load(std::sync::atomic::Ordering::SeqCst) {
        // A panic on another thread (an output reader) is as much a bug as one here.
        return ExitCode::FAILURE;
    }
    // A signal ended a process broker supervised (a hook, `BROKER_AGE_KEY_CMD`): whatever the
    // command made of that, it ends with 128 + signal, having said all it had to say.
    if let Some(code) = process::interrupted() {
        return ExitCode::from(code);
    }
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            if !e.is_silent() {
                report(&e);
            }
            ExitCode::from(e.exit_code())
        }
        Err(_) => ExitCode::FAILURE,
    }
}

/// An error as the person reads it: one `error:` line and an optional `hint:` line.
fn report(e: &Error) {
    say_error(e.render());
}

/// The `error:` and `hint:` lines of an error already in words, with their prefixes in the
/// reader's language.
pub(crate) fn say_error(words: error::Rendered) {
    let line = |id: &str, name: &'static str, text: String, english: &str| {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set(name, text.clone());
        catalog::message(id, &args).unwrap_or_else(|| format!("{english}{text}"))
    };
    crate::eline!(
        "{}",
        line("line-error", "message", words.message, "error: ")
    );
    if let Some(hint) = words.hint {
        crate::eline!("{}", line("line-hint", "hint", hint, "hint: "));
    }
}

/// Set by the panic hook: whatever else happened, the program ends with exit 1.
static PANICKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A panic is a bug: say so in one line, with where, but never the payload (it could hold a
/// secret that was being formatted). `main` then exits 1.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        PANICKED.store(true, std::sync::atomic::Ordering::SeqCst);
        let (file, line) = info
            .location()
            .map_or((String::new(), 0), |l| (l.file().to_owned(), l.line()));
        report(&Error::from(error::InternalError::Panic { file, line }));
    }));
}
