//! `broker watch [PROFILE] -- CMD…`: on a Redis fleet, run CMD once for each rotation another
//! machine (or this one) announces, so that this machine can write its own sinks or restart
//! what uses the token. The event carries no secret: CMD gets `BROKER_EVENT=rotate`,
//! `BROKER_PROFILE`, `BROKER_GENERATION` and `BROKER_EXPIRES_AT`, and asks `broker token`
//! for the token itself.

use std::process::Command;
use std::time::Duration;

use serde::Deserialize;

use crate::cli::WatchArgs;
use crate::commands::Context;
use crate::env_vars;
use crate::error::{Error, InternalError, Result, StoreError, sanitize};
use crate::process::{self, Ended};
use crate::profile::ProfileName;
use crate::store::redis::errors;
use crate::ui;

/// How long CMD may run for one event.
const CMD_TIMEOUT: Duration = Duration::from_secs(300);

/// After this long without a message the connection is checked with a PING: a connection a
/// NAT or firewall dropped while idle would otherwise wait forever for events.
const IDLE_PING: Duration = Duration::from_secs(30);

/// The first and the longest pause between attempts to subscribe again after the connection
/// was lost (doubling in between).
const FIRST_PAUSE: Duration = Duration::from_millis(250);
const MAX_PAUSE: Duration = Duration::from_secs(30);

/// The payload of a rotation event, as `RedisBackend::announce` publishes it.
#[derive(Deserialize)]
struct Event {
    profile: String,
    generation: u64,
    expires_at: String,
}

pub(crate) fn run(ctx: &Context, args: WatchArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let only = match ctx.named(args.profile.as_deref())? {
        Some(n) => Some(cfg.profile(&n)?.name.clone()),
        None => None,
    };
    let store = ctx.store(&cfg);
    let Some(redis) = store.redis() else {
        return Err(StoreError::WatchNeedsRedis.into());
    };
    let (program, rest) = args
        .command
        .split_first()
        .ok_or(InternalError::Unreachable {
            what: "`broker watch` without a command (clap requires one)",
        })?;
    let secret_vars: Vec<String> = cfg.secret_key_vars().map(str::to_owned).collect();
    let channel = redis.channel();
    let url = &redis.settings().url;
    let subscribe = |conn: &mut redis::Connection| -> Result<()> {
        redis::cmd("SUBSCRIBE")
            .arg(&channel)
            .exec(conn)
            .and_then(|()| conn.set_read_timeout(Some(IDLE_PING)))
            .map_err(|e| errors::unreachable(url, &e))
    };
    // The first connection must work (a wrong URL or password is said at once, exit 5);
    // after that, a lost one is made again, however long Redis is away.
    let mut conn = redis.subscriber()?;
    subscribe(&mut conn)?;
    let shown = url.to_string();
    ui::say(match &only {
        Some(n) => crate::t!(
            "ui-watch-one",
            profile = n.as_str(),
            channel = channel.as_str(),
            url = shown.as_str()
        ),
        None => crate::t!(
            "ui-watch-all",
            channel = channel.as_str(),
            url = shown.as_str()
        ),
    });
    loop {
        let msg = match next_message(&mut conn) {
            Ok(msg) => msg,
            Err(e) => {
                ui::debug(
                    1,
                    format!(
                        "lost the subscription ({}); reconnecting",
                        sanitize(&url.scrub(&e.to_string()))
                    ),
                );
                let mut pause = FIRST_PAUSE;
                conn = loop {
                    std::thread::sleep(pause);
                    match redis
                        .subscriber()
                        .and_then(|mut c| subscribe(&mut c).map(|()| c))
                    {
                        Ok(c) => break c,
                        Err(e) => {
                            ui::debug(1, format!("{}; trying again in {pause:?}", e.message()));
                            pause = (pause * 2).min(MAX_PAUSE);
                        }
                    }
                };
                ui::debug(1, format!("reconnected to {url}; watching on `{channel}`"));
                continue;
            }
        };
        let Ok(payload) = msg.get_payload::<String>() else {
            continue;
        };
        let Ok(event) = serde_json::from_str::<Event>(&payload) else {
            ui::debug(1, "ignored a message that is not a rotation event");
            continue;
        };
        let Ok(profile) = ProfileName::parse(&event.profile) else {
            continue;
        };
        if only.as_ref().is_some_and(|o| *o != profile) {
            continue;
        }
        let expires_at = sanitize(&event.expires_at);
        ui::debug(
            1,
            format!(
                "`{profile}` rotated (generation {}, expires {expires_at})",
                event.generation
            ),
        );
        let mut cmd = Command::new(program);
        cmd.args(rest)
            .env(env_vars::BROKER_EVENT, "rotate")
            .env(env_vars::BROKER_PROFILE, profile.as_str())
            .env(env_vars::BROKER_GENERATION, event.generation.to_string())
            .env(env_vars::BROKER_EXPIRES_AT, &expires_at);
        // The command is told of a rotation, never handed a secret it did not ask for.
        for var in crate::hooks::WITHHELD
            .iter()
            .copied()
            .chain(secret_vars.iter().map(String::as_str))
        {
            cmd.env_remove(var);
        }
        let shown = sanitize(&program.to_string_lossy());
        match process::spawn(&mut cmd).and_then(|mut g| g.wait(CMD_TIMEOUT)) {
            Ok(Ended::Exited(s)) if s.success() => {}
            Ok(Ended::Exited(s)) => ui::warn(crate::t!(
                "ui-watch-failed",
                command = shown.as_str(),
                profile = profile.as_str(),
                how = process::describe(s)
            )),
            Ok(Ended::TimedOut) => ui::warn(crate::t!(
                "ui-watch-timed-out",
                command = shown.as_str(),
                profile = profile.as_str(),
                seconds = CMD_TIMEOUT.as_secs()
            )),
            Err(e) => {
                let cause = match e.kind() {
                    std::io::ErrorKind::NotFound => "not-found",
                    std::io::ErrorKind::PermissionDenied => "not-executable",
                    _ => "other",
                };
                return Err(Error::from(InternalError::CannotRun {
                    command: shown,
                    cause,
                    reason: crate::error::internal::io_reason(&e),
                })
                .with_exit_code(if cause == "not-found" { 127 } else { 126 }));
            }
        }
    }
}

/// The next message on a subscribed connection. A connection quiet for [`IDLE_PING`] is sent
/// a PING (its answer read here like any message, so no event is lost meanwhile); quiet for
/// as long again, it counts as lost: a connection dropped without a word is found out.
fn next_message(conn: &mut redis::Connection) -> redis::RedisResult<redis::Msg> {
    let mut pinged = false;
    loop {
        match conn.recv_response() {
            Ok(value) => {
                pinged = false;
                if let Some(msg) = redis::Msg::from_owned_value(value) {
                    return Ok(msg);
                }
                // A PONG or a subscription's confirmation: nothing to do.
            }
            Err(e) if e.is_timeout() && !pinged => {
                conn.send_packed_command(&redis::cmd("PING").get_packed_command())?;
                pinged = true;
            }
            Err(e) => return Err(e),
        }
    }
}
