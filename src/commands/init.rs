//! `broker init`: create the age identity and a config whose recipients include it.

use crate::cli::InitArgs;
use crate::commands::Context;
use crate::config::edit::ConfigEdit;
use crate::config::{Config, SecretSource};
use crate::error::{Error, Note, Result, StoreError, UsageError};
use crate::store::StateStore;
use crate::store::identity::{self, IdentitySource};
use crate::ui;

pub(crate) fn run(ctx: &Context, args: InitArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let source = ctx.identity_source(&cfg);
    let recipients = match &source {
        IdentitySource::File(path)
        | IdentitySource::ConfigFile(path)
        | IdentitySource::DefaultFile(path)
            if !path.exists() =>
        {
            // Checked before anything is written: a new identity next to data encrypted to
            // the lost one only adds a recipient nobody can use for the old data.
            if let Some((secrets, tokens)) = unreadable(ctx, &cfg, &[])? {
                let lost = Error::from(StoreError::IdentityCannotRead {
                    identity: source.describe(),
                    lost: true,
                    secrets,
                    tokens,
                });
                if !args.force {
                    return Err(lost);
                }
                ui::warn(crate::t!("ui-init-forced", error = lost.message()));
                ui::say(crate::t!("ui-init-forced-hint"));
            }
            let passphrase = if args.passphrase {
                Some(new_passphrase()?)
            } else {
                None
            };
            let recipient = identity::generate(path, passphrase.as_ref())?;
            ui::say(crate::t!(
                "ui-init-created",
                path = path.display().to_string()
            ));
            vec![recipient]
        }
        _ => {
            if args.passphrase {
                ui::warn(crate::t!(
                    "ui-init-passphrase-ignored",
                    identity = source.describe()
                ));
            }
            let keys = identity::public_keys(&source)?;
            if let Some((secrets, tokens)) = unreadable(ctx, &cfg, &keys)? {
                let foreign = Error::from(StoreError::IdentityCannotRead {
                    identity: source.describe(),
                    lost: false,
                    secrets,
                    tokens,
                });
                if !args.force {
                    return Err(foreign);
                }
                ui::warn(crate::t!("ui-init-forced", error = foreign.message()));
                ui::say(crate::t!("ui-init-forced-hint"));
            }
            keys
        }
    };
    let mut edit = ConfigEdit::open(&ctx.paths.config)?;
    for r in &recipients {
        edit.add_recipient(r);
    }
    edit.save()?;
    ui::say(crate::t!(
        "ui-init-recipient-listed",
        config = ctx.paths.config.display().to_string()
    ));
    ui::print(
        recipients
            .iter()
            .map(|r| format!("{r}\n"))
            .collect::<String>(),
    )?;
    Ok(())
}

/// How many secrets and token files exist that none of `keys` (the identity's recipients;
/// empty for a new identity) is a recipient of; None when there is nothing to lose. Judged
/// by the config's recipients, so no passphrase is asked and nothing decrypted.
fn unreadable(ctx: &Context, cfg: &Config, keys: &[String]) -> Result<Option<(usize, usize)>> {
    if keys
        .iter()
        .any(|k| cfg.recipients.iter().any(|r| r.trim() == k))
    {
        return Ok(None);
    }
    let secrets = cfg
        .profiles
        .values()
        .filter(|p| matches!(p.secret, SecretSource::Encrypted(_)))
        .count();
    let states = ctx.store(cfg).profiles()?.len();
    Ok((secrets + states > 0).then_some((secrets, states)))
}

/// The passphrase for a new identity: `BROKER_AGE_PASSPHRASE`, or typed twice on a terminal.
fn new_passphrase() -> Result<secrecy::SecretString> {
    if let Ok(p) = std::env::var(crate::env_vars::BROKER_AGE_PASSPHRASE)
        && !p.is_empty()
    {
        return Ok(p.into());
    }
    if !crate::prompt::interactive() {
        return Err(
            crate::prompt::cannot_ask(crate::prompt::Needed::Passphrase).note(Note::NewPassphrase)
        );
    }
    let first = rpassword::prompt_password(format!("{} ", crate::t!("ui-init-passphrase-prompt")))
        .map_err(|e| {
            Error::from(UsageError::CannotReadPassphrase {
                reason: e.to_string(),
            })
        })?;
    let second = rpassword::prompt_password(format!("{} ", crate::t!("ui-init-passphrase-again")))
        .map_err(|e| {
            Error::from(UsageError::CannotReadPassphrase {
                reason: e.to_string(),
            })
        })?;
    if first != second {
        return Err(UsageError::PassphrasesDiffer.into());
    }
    if first.is_empty() {
        return Err(StoreError::EmptyPassphrase.into());
    }
    Ok(first.into())
}
