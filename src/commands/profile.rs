//! `broker profile add|list|show|remove`.

use serde_json::json;

use crate::cli::{ListArgs, ProfileAddArgs, ProfileCommand, RemoveArgs, ShowArgs};
use crate::commands::Context;
use crate::config::edit::{ConfigEdit, NewProfile};
use crate::config::{Config, Profile, is_env_name, validate_endpoint};
use crate::error::{ConfigError, Error, Result, UsageError};
use crate::profile::{ProfileName, read_use_default, use_default_path};
use crate::secret::mask;
use crate::store::StateStore;
use crate::ui;

pub(crate) fn run(ctx: &Context, cmd: ProfileCommand) -> Result<()> {
    match cmd {
        ProfileCommand::Add(args) => add(ctx, args),
        ProfileCommand::List(args) => list(ctx, args),
        ProfileCommand::Show(args) => show(ctx, args),
        ProfileCommand::Remove(args) => remove(ctx, args),
    }
}

fn add(ctx: &Context, args: ProfileAddArgs) -> Result<()> {
    // Everything that can be checked is checked before a secret is read or a file touched.
    let name = ProfileName::parse(&args.name)?;
    let app_key = args.app_key.as_deref().map_or("", str::trim);
    if app_key.is_empty() && !args.grant.static_key() {
        return Err(match args.app_key {
            Some(_) => UsageError::AppKeyEmpty,
            None => UsageError::AppKeyMissing {
                grant: args.grant.as_str().to_owned(),
            },
        }
        .into());
    }
    let endpoint = args
        .endpoint
        .as_deref()
        .map(validate_endpoint)
        .transpose()?;
    if let Some(var) = &args.secret_key_env
        && !is_env_name(var)
    {
        return Err(UsageError::NotAVariableName {
            var: crate::error::sanitize(var),
        }
        .into());
    }
    if args.scope.is_some() && args.grant.default_scope().is_none() {
        return Err(UsageError::ScopeNotApplicable {
            flags: crate::grant::names_where(
                |g| g.default_scope().is_some(),
                |n| format!("`--grant {n}`"),
            ),
        }
        .into());
    }
    let cfg = ctx.config()?;
    if cfg.profiles.contains_key(&name) {
        return Err(ConfigError::ProfileExists {
            name: name.to_string(),
            config: cfg.paths.config.display().to_string(),
        }
        .into());
    }
    let armored = match &args.secret_key_env {
        Some(_) => None,
        None => {
            let vault = ctx.vault(&cfg);
            vault.check_recipients()?;
            let secret = crate::prompt::read_secret(&format!(
                "{} ",
                crate::t!("ui-profile-add-secret-prompt", profile = name.as_str())
            ))?;
            Some(vault.encrypt_secret(&secret)?)
        }
    };
    let mut edit = ConfigEdit::open(&ctx.paths.config)?;
    edit.add_profile(
        &name,
        NewProfile {
            grant: args.grant,
            app_key,
            secret_key: armored.as_deref(),
            secret_key_env: args.secret_key_env.as_deref(),
            scope: args.scope.as_deref(),
            endpoint: endpoint.as_deref(),
            description: args.description.as_deref(),
        },
    )?;
    edit.save()?;
    ui::say(crate::t!(
        "ui-profile-added",
        profile = name.as_str(),
        grant = args.grant.as_str()
    ));
    Ok(())
}

fn list(ctx: &Context, args: ListArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let chosen = ctx.select(&cfg, None).ok().map(|(n, _)| n);
    if args.json {
        let items: Vec<_> = cfg
            .profiles
            .values()
            .map(|p| summary(p, chosen.as_ref() == Some(&p.name)))
            .collect();
        ui::print(format!(
            "{}\n",
            serde_json::to_string_pretty(&items).expect("plain JSON")
        ))?;
        return Ok(());
    }
    if cfg.profiles.is_empty() {
        ui::say(crate::config::profile_list_hint(&cfg.profiles).to_string());
        return Ok(());
    }
    let rows: Vec<Vec<String>> = cfg
        .profiles
        .values()
        .map(|p| {
            let mark = if chosen.as_ref() == Some(&p.name) {
                "*"
            } else {
                " "
            };
            vec![
                format!("{mark} {}", p.name),
                p.grant.as_str().to_owned(),
                mask(&p.app_key),
                p.endpoint.clone(),
                p.description.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let header = [
        // The two spaces line the names up under the `*` of the profile in force.
        format!("  {}", crate::t!("ui-profile-list-header-name")),
        crate::t!("ui-status-header-grant"),
        crate::t!("ui-status-header-app-key"),
        crate::t!("ui-profile-list-header-endpoint"),
        crate::t!("ui-profile-list-header-description"),
    ];
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    ui::print(ui::table_styled(
        &header,
        &rows,
        |column, cell| match column {
            0 if cell.starts_with('*') => Some(ui::style::BOLD),
            2 | 3 => Some(ui::style::DIM),
            _ => None,
        },
    ))?;
    Ok(())
}

/// A profile as data (`--json`): its words in English whatever the language.
fn summary(p: &Profile, in_force: bool) -> serde_json::Value {
    crate::catalog::in_english(|| summary_words(p, in_force))
}

fn summary_words(p: &Profile, in_force: bool) -> serde_json::Value {
    json!({
        "name": p.name.as_str(),
        "grant": p.grant.as_str(),
        "app_key": mask(&p.app_key),
        "endpoint": p.endpoint,
        "scope": p.scope,
        "description": p.description,
        "secret_key": p.secret.describe(),
        "refresh_before": crate::duration::format(p.refresh_before.0),
        "hooks": p.hooks.len(),
        "sinks": p.sinks.len(),
        "in_force": in_force,
    })
}

fn show(ctx: &Context, args: ShowArgs) -> Result<()> {
    let name = ctx.named_by(&args.name)?;
    let cfg = ctx.config()?;
    let p = cfg.profile(&name)?;
    let in_force = ctx.select(&cfg, None).is_ok_and(|(n, _)| n == name);
    if args.json {
        ui::print(format!(
            "{}\n",
            serde_json::to_string_pretty(&summary(p, in_force)).expect("plain JSON")
        ))?;
        return Ok(());
    }
    // What identifies the profile first, then how it authenticates, then how it rotates;
    // every value the one in effect, marked where it is the default.
    let default = |value: String, is_default: bool| {
        if is_default {
            crate::t!("ui-profile-show-default", value = value)
        } else {
            value
        }
    };
    let mut rows: Vec<(&str, String)> = vec![("name", name.to_string())];
    if let Some(d) = &p.description {
        rows.push(("description", crate::error::sanitize(d)));
    }
    rows.push(("grant", p.grant.as_str().to_owned()));
    rows.push(("app_key", mask(&p.app_key)));
    rows.push(("secret_key", p.secret.describe()));
    if let Some(scope) = p.grant.default_scope() {
        rows.push((
            "scope",
            default(
                p.scope.as_deref().unwrap_or(scope).to_owned(),
                p.scope.is_none(),
            ),
        ));
    }
    rows.push((
        "endpoint",
        default(p.endpoint.clone(), p.endpoint == p.grant.default_endpoint()),
    ));
    rows.push((
        "refresh_before",
        default(
            crate::duration::format(p.refresh_before.0),
            p.refresh_before == cfg.settings.refresh_before,
        ),
    ));
    if let Some(e) = p.expires_in {
        rows.push((p.grant.lifetime_key(), crate::duration::format(e.0)));
    }
    if let Some(preset) = p.preset {
        rows.push(("preset", preset.as_str().into()));
    }
    if p.policy.is_some() {
        // The ACL may be long: it is in the config for whoever wants to read it.
        rows.push(("policy", "set".into()));
    }
    rows.push(("hooks", p.hooks.len().to_string()));
    rows.push(("sinks", p.sinks.len().to_string()));
    rows.push((
        "in_force",
        if in_force {
            crate::t!("ui-yes")
        } else {
            crate::t!("ui-no")
        },
    ));
    let out: String = rows.iter().map(|(k, v)| format!("{k:<15} {v}\n")).collect();
    ui::print(out)?;
    Ok(())
}

fn remove(ctx: &Context, args: RemoveArgs) -> Result<()> {
    let name = ctx.named_by(&args.name)?;
    let cfg: Config = ctx.config()?;
    cfg.profile(&name)?;
    // A person at a terminal is asked; a script (no terminal) proceeds as it always did.
    if !args.yes && crate::prompt::interactive() {
        let answer = crate::prompt::read_line(&format!(
            "{} ",
            crate::t!("ui-profile-remove-confirm", profile = name.as_str())
        ))?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            return Err(UsageError::NotConfirmed {
                profile: name.to_string(),
            }
            .into());
        }
    }
    let mut edit = ConfigEdit::open(&ctx.paths.config)?;
    edit.remove_profile(&name);
    edit.save()?;
    ctx.store(&cfg).remove(&name)?;
    if read_use_default(&ctx.paths.state_dir)?.as_ref() == Some(&name) {
        let path = use_default_path(&ctx.paths.state_dir);
        std::fs::remove_file(&path).map_err(|e| Error::io(crate::error::IoOp::Remove, &path, e))?;
    }
    ui::say(crate::t!("ui-profile-removed", profile = name.as_str()));
    if std::env::var(crate::env_vars::BROKER_PROFILE).is_ok_and(|p| p == name.as_str()) {
        ui::warn(crate::t!(
            "ui-profile-removed-still-used",
            profile = name.as_str()
        ));
        ui::say(crate::t!("ui-profile-removed-still-used-hint"));
    }
    Ok(())
}
