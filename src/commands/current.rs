//! `broker current [--explain] [--json]`: the profile in force, which SPEC §4 rule chose it,
//! and (with `--explain`) whether the token exported into this environment is still the
//! stored one.

use serde_json::json;

use crate::cli::CurrentArgs;
use crate::commands::Context;
use crate::config::Config;
use crate::error::Result;
use crate::profile::ProfileName;
use crate::store::StateStore;
use crate::ui;

pub(crate) fn run(ctx: &Context, args: CurrentArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let (name, source) = ctx.select(&cfg, None)?;
    // Only `--explain` decrypts: plain `current` stays a config read.
    let check = if args.explain {
        environment_check(ctx, &cfg, &name)
    } else {
        Check::NotExported
    };
    if args.json {
        // Data: English whatever the language.
        let value = crate::catalog::in_english(|| {
            let mut value = json!({
                "profile": name.as_str(),
                "source": source_name(source),
                "explain": source.explain(),
            });
            if args.explain {
                value["environment"] = json!(check.as_str());
                value["store"] = store_facts(ctx, &cfg, &name);
            }
            value
        });
        ui::print(format!("{value}\n"))?;
        return Ok(());
    }
    if args.explain {
        ui::print(format!("{name}\n{}\n", source.explain()))?;
        // The file store is this machine's own: only a shared one is worth a line.
        if cfg.backend.name() != "file" {
            let facts = store_facts(ctx, &cfg, &name);
            let text = |k: &str| facts[k].as_str().unwrap_or("-").to_owned();
            let line = match (facts["reachable"] == true, facts["lease_holder"].as_str()) {
                (true, None) => crate::t!(
                    "ui-current-store",
                    backend = text("backend"),
                    location = text("location")
                ),
                (true, Some(h)) => crate::t!(
                    "ui-current-store-leased",
                    backend = text("backend"),
                    location = text("location"),
                    holder = h
                ),
                (false, None) => crate::t!(
                    "ui-current-store-unreachable",
                    backend = text("backend"),
                    location = text("location")
                ),
                (false, Some(h)) => crate::t!(
                    "ui-current-store-unreachable-leased",
                    backend = text("backend"),
                    location = text("location"),
                    holder = h
                ),
            };
            ui::print(format!("{line}\n"))?;
        }
        match &check {
            Check::Stale => {
                ui::warn(crate::t!("ui-current-stale", profile = name.as_str()));
                ui::say(crate::t!("ui-current-stale-hint", profile = name.as_str()));
            }
            Check::OtherProfile(other) => ui::warn(crate::t!(
                "ui-current-other-profile",
                other = other.as_str(),
                profile = name.as_str()
            )),
            Check::Unreadable(why) => {
                ui::warn(crate::t!("ui-current-unreadable", reason = why.as_str()));
            }
            Check::Current | Check::NotExported | Check::NotStored => {}
        }
    } else {
        ui::print(format!("{name}\n"))?;
    }
    Ok(())
}

/// Where the profile's state lives: the backend, its place, whether it answers, who holds
/// the lease.
fn store_facts(ctx: &Context, cfg: &Config, name: &ProfileName) -> serde_json::Value {
    let store = ctx.store(cfg);
    let info = store.info();
    json!({
        "backend": info.name,
        "location": info.location,
        "reachable": info.reachable.is_ok(),
        "lease_holder": store.holder(name),
    })
}

/// How the token in this environment compares with the stored one.
enum Check {
    /// No `BAIDU_ACCESS_TOKEN` here.
    NotExported,
    /// It is the stored token.
    Current,
    /// It is not: the token was rotated (or the profile logged out and in) since the export.
    Stale,
    /// The variables here belong to another profile.
    OtherProfile(String),
    /// Nothing is stored for the profile.
    NotStored,
    Unreadable(String),
}

impl Check {
    fn as_str(&self) -> &'static str {
        match self {
            Check::NotExported => "not exported",
            Check::Current => "current",
            Check::Stale => "stale",
            Check::OtherProfile(_) => "other profile",
            Check::NotStored => "not stored",
            Check::Unreadable(_) => "unreadable",
        }
    }
}

fn environment_check(ctx: &Context, cfg: &Config, name: &ProfileName) -> Check {
    let Some(exported) = std::env::var(crate::env_vars::BAIDU_ACCESS_TOKEN)
        .ok()
        .filter(|t| !t.is_empty())
        .map(zeroize::Zeroizing::new)
    else {
        return Check::NotExported;
    };
    if let Ok(other) = std::env::var(crate::env_vars::BROKER_PROFILE)
        && !other.is_empty()
        && other != name.as_str()
    {
        return Check::OtherProfile(crate::error::sanitize(&other));
    }
    // A profile whose `[env]` rewrites BAIDU_ACCESS_TOKEN exports something else on purpose.
    if cfg
        .profile(name)
        .is_ok_and(|p| p.env.contains_key(crate::env_vars::BAIDU_ACCESS_TOKEN))
    {
        return Check::NotExported;
    }
    match ctx.store(cfg).load(name) {
        Ok(Some(state)) if state.access_token.expose() == exported.as_str() => Check::Current,
        Ok(Some(_)) => Check::Stale,
        Ok(None) => Check::NotStored,
        Err(e) => Check::Unreadable(e.message().to_owned()),
    }
}

fn source_name(source: crate::profile::Source) -> &'static str {
    use crate::profile::Source;
    match source {
        Source::Argument => "argument",
        Source::Environment => "environment",
        Source::UseDefault => "use",
        Source::ConfigDefault => "config",
    }
}
