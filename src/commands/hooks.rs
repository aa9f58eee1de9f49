//! `broker hooks test [PROFILE]` and `broker hooks run [PROFILE]`: try a profile's hooks
//! without a rotation. Neither asks Baidu anything; both exit 7 when a hook failed.

use crate::cli::HooksCommand;
use crate::commands::Context;
use crate::config::Event;
use crate::error::{Error, Result};
use crate::hooks;
use crate::store::StateStore;
use crate::ui;

pub(crate) fn run(ctx: &Context, cmd: HooksCommand) -> Result<()> {
    let cfg = ctx.config()?;
    let (HooksCommand::Test(args) | HooksCommand::Run(args)) = &cmd;
    let (name, _) = ctx.select(&cfg, args.profile.as_deref())?;
    let profile = cfg.profile(&name)?;
    let store = ctx.store(&cfg);
    let hooks_of = |event: Event| {
        cfg.hooks
            .iter()
            .chain(profile.hooks.iter())
            .filter(|h| event == Event::Test || h.on.contains(&event))
            .count()
    };
    hooks::refuse_nested(&name, "run the hooks of")?;
    let report = match cmd {
        HooksCommand::Test(_) => {
            if hooks_of(Event::Test) == 0 {
                ui::say(format!("`{name}` has no hooks, global or its own"));
                return Ok(());
            }
            // The stored token, if any, so the hook sees what a real event would give it;
            // without one the hooks run all the same, with no BROKER_ACCESS_TOKEN.
            let state = store.load(&name)?;
            hooks::test(&cfg, &store, profile, state.as_ref())
        }
        HooksCommand::Run(_) => {
            if hooks_of(Event::Rotate) == 0 && profile.sinks.is_empty() {
                ui::say(format!("`{name}` has no sinks and no `rotate` hooks"));
                return Ok(());
            }
            let Some(state) = store.load(&name)? else {
                return Err(
                    Error::needs_person(format!("no token is stored for `{name}`"))
                        .with_hint(format!(
                            "get one with `broker token {name}` (or `broker login {name}`); its hooks run then"
                        )),
                );
            };
            if state.is_expired(chrono::Utc::now()) {
                ui::warn(format!(
                    "the stored token of `{name}` has expired; the hooks get it all the same (`broker refresh {name}` rotates it)"
                ));
            }
            hooks::rerun(&cfg, &store, profile, &state)
        }
    };
    report.into_result()
}
