//! `broker secret set|encrypt|rekey`: SecretKeys in the config, and re-encryption to the
//! current recipients.

use crate::cli::{NameArg, SecretCommand};
use crate::commands::Context;
use crate::config::edit::ConfigEdit;
use crate::error::Result;
use crate::profile::ProfileName;
use crate::secret::SecretKey;
use crate::ui;

pub(crate) fn run(ctx: &Context, cmd: SecretCommand) -> Result<()> {
    match cmd {
        SecretCommand::Set(args) => set(ctx, args),
        SecretCommand::Encrypt => encrypt(ctx),
        SecretCommand::Rekey => rekey(ctx),
    }
}

fn set(ctx: &Context, args: NameArg) -> Result<()> {
    let name = ctx.named_by(&args.name)?;
    let cfg = ctx.config()?;
    let static_key = cfg.profile(&name)?.grant.static_key();
    if static_key {
        // Checked before anything changes: the hooks of a replaced API key must be able to run.
        crate::hooks::refuse_nested(&name, "run the hooks of")?;
    }
    let vault = ctx.vault(&cfg);
    vault.check_recipients()?;
    let secret = crate::prompt::read_secret(&format!(
        "{} ",
        crate::t!("ui-secret-set-prompt", profile = name.as_str())
    ))?;
    let armored = vault.encrypt_secret(&secret)?;
    let mut edit = ConfigEdit::open(&ctx.paths.config)?;
    edit.set_secret(&name, &armored)?;
    edit.save()?;
    ui::say(crate::t!("ui-secret-replaced", profile = name.as_str()));
    // An API key is the token: its consumers follow the new one through the hooks and sinks.
    if static_key {
        let cfg = ctx.config()?;
        let profile = cfg.profile(&name)?;
        let store = ctx.store(&cfg);
        ctx.service(&cfg, &store).key_replaced(profile)?;
    }
    Ok(())
}

fn encrypt(ctx: &Context) -> Result<()> {
    let cfg = ctx.config_allowing_plaintext()?;
    let vault = ctx.vault(&cfg);
    vault.check_recipients()?;
    // Re-encrypting to recipients that leave this identity out would lock it out of everything.
    vault.check_readable_here_unlocking()?;
    let mut edit = ConfigEdit::open(&ctx.paths.config)?;
    let plain = edit.plaintext_secrets();
    for (name, value) in &plain {
        let name = ProfileName::parse(name)?;
        let armored = vault.encrypt_secret(&SecretKey::new(value.clone()))?;
        edit.set_secret(&name, &armored)?;
    }
    edit.save()?;
    ui::say(crate::t!(
        "ui-secret-encrypted",
        count = plain.len(),
        config = ctx.paths.config.display().to_string()
    ));
    Ok(())
}

fn rekey(ctx: &Context) -> Result<()> {
    let cfg = ctx.config()?;
    let vault = ctx.vault(&cfg);
    vault.check_recipients()?;
    // Re-encrypting to recipients that leave this identity out would lock it out of everything.
    vault.check_readable_here_unlocking()?;
    let mut edit = ConfigEdit::open(&ctx.paths.config)?;
    let secrets = edit.encrypted_secrets();
    // Decrypt everything first: if the identity cannot read one, nothing is rewritten.
    let mut plain = Vec::with_capacity(secrets.len());
    for (name, armored) in &secrets {
        plain.push((ProfileName::parse(name)?, vault.decrypt_secret(armored)?));
    }
    for (name, secret) in &plain {
        edit.set_secret(name, &vault.encrypt_secret(secret)?)?;
    }
    edit.save()?;
    let states = crate::store::StateStore::rekey(&ctx.store(&cfg))?;
    ui::say(crate::t!(
        "ui-secret-rekeyed",
        secrets = plain.len(),
        states = states,
        recipients = vault.recipients().len()
    ));
    Ok(())
}
