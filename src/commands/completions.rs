//! Shell completions, generated from the clap definition in `cli.rs` and completed by broker
//! itself: the script `broker completions SHELL` prints calls `broker` back on each TAB
//! (clap_complete's dynamic completion, through `BROKER_COMPLETE`), so profile names come
//! from the config as it is now. Completing never decrypts, never reads a state file and
//! never touches the network: it reads the config's table of profiles, and nothing else.

use clap_complete::CompletionCandidate;
use clap_complete::env::{EnvCompleter, Shells};

use crate::cli::CompletionsArgs;
use crate::config::Paths;
use crate::error::{Error, InternalError, Result, UsageError};
use crate::store::read;
use crate::ui;

/// The variable the completion scripts set when they call broker back.
pub(crate) const VAR: &str = crate::env_vars::BROKER_COMPLETE;

pub(crate) fn run(args: CompletionsArgs) -> Result<()> {
    let name = args.shell.to_string();
    let shells = Shells::builtins();
    let shell: &dyn EnvCompleter = shells.completer(&name).ok_or_else(|| {
        Error::from(UsageError::NoCompletions {
            shell: name.clone(),
        })
    })?;
    let mut out = Vec::new();
    shell
        .write_registration(VAR, "broker", "broker", "broker", &mut out)
        .map_err(|e| {
            Error::from(InternalError::CannotWriteCompletions {
                reason: e.to_string(),
            })
        })?;
    ui::print(String::from_utf8_lossy(&out))?;
    Ok(())
}

/// The profiles in the config (`BROKER_CONFIG` or the default place), each with its grant and
/// description as help: parsed as plain TOML, without validating or decrypting anything. An
/// unreadable or broken config completes nothing rather than print an error into the shell.
pub(crate) fn profile_candidates() -> Vec<CompletionCandidate> {
    let Ok(paths) = Paths::resolve(None) else {
        return Vec::new();
    };
    // The same guarded read as the config's (a FIFO would hang the shell at every TAB, a huge
    // file would be read whole), without its warnings: nothing may be printed into the shell.
    let Ok(Some(contents)) = read::file(&paths.config, read::MAX_CONFIG, read::FileRole::Config)
    else {
        return Vec::new();
    };
    let Ok(text) = std::str::from_utf8(&contents.bytes) else {
        return Vec::new();
    };
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let Some(profiles) = doc.get("profiles").and_then(toml::Value::as_table) else {
        return Vec::new();
    };
    profiles
        .iter()
        .map(|(name, p)| {
            let field = |k: &str| p.get(k).and_then(toml::Value::as_str).unwrap_or_default();
            let help = match (field("grant"), field("description")) {
                ("", d) => d.to_owned(),
                (g, "") => g.to_owned(),
                (g, d) => format!("{g}: {d}"),
            };
            CompletionCandidate::new(name).help((!help.is_empty()).then(|| help.into()))
        })
        .collect()
}
