//! `broker init`: create the age identity and a config whose recipients include it.

use crate::cli::InitArgs;
use crate::commands::Context;
use crate::config::edit::ConfigEdit;
use crate::error::{Error, Result};
use crate::store::identity::{self, IdentitySource};
use crate::ui;

pub fn run(ctx: &Context, args: InitArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let source = ctx.identity_source(&cfg);
    let recipients = match &source {
        IdentitySource::File(path)
        | IdentitySource::ConfigFile(path)
        | IdentitySource::DefaultFile(path)
            if !path.exists() =>
        {
            let passphrase = if args.passphrase {
                Some(new_passphrase()?)
            } else {
                None
            };
            let recipient = identity::generate(path, passphrase.as_ref())?;
            ui::say(format!(
                "created the identity `{}` (keep it safe: it decrypts every secret)",
                path.display()
            ));
            vec![recipient]
        }
        _ => {
            if args.passphrase {
                ui::warn(format!(
                    "an identity already exists ({}); --passphrase changes nothing",
                    source.describe()
                ));
            }
            identity::public_keys(&source)?
        }
    };
    let mut edit = ConfigEdit::open(&ctx.paths.config)?;
    for r in &recipients {
        edit.add_recipient(r);
    }
    edit.save()?;
    ui::say(format!(
        "the config `{}` lists this identity's recipient",
        ctx.paths.config.display()
    ));
    ui::print(
        recipients
            .iter()
            .map(|r| format!("{r}\n"))
            .collect::<String>(),
    );
    Ok(())
}

/// The passphrase for a new identity: `BROKER_AGE_PASSPHRASE`, or typed twice on a terminal.
fn new_passphrase() -> Result<secrecy::SecretString> {
    if let Ok(p) = std::env::var("BROKER_AGE_PASSPHRASE")
        && !p.is_empty()
    {
        return Ok(p.into());
    }
    if !crate::prompt::interactive() {
        return Err(
            crate::prompt::no_terminal("a passphrase is needed").with_hint(
                "set `BROKER_AGE_PASSPHRASE`, or run `broker init --passphrase` in a terminal",
            ),
        );
    }
    let first = rpassword::prompt_password("passphrase for the new identity: ")
        .map_err(|e| Error::usage(format!("cannot read the passphrase: {e}")))?;
    let second = rpassword::prompt_password("same again: ")
        .map_err(|e| Error::usage(format!("cannot read the passphrase: {e}")))?;
    if first != second {
        return Err(Error::usage("the two passphrases differ"));
    }
    if first.is_empty() {
        return Err(Error::usage("the passphrase is empty"));
    }
    Ok(first.into())
}
