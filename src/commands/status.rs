//! `broker status [PROFILE] [--json]`: per profile, the grant, masked app key, token expiry,
//! refresh token age, last rotation, last hook result, and where each secret lives.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::cli::StatusArgs;
use crate::commands::Context;
use crate::config::{Config, Profile};
use crate::duration::relative;
use crate::error::{Error, Result, UsageError};
use crate::profile::ProfileName;
use crate::secret::mask;
use crate::store::state::HookResult;
use crate::store::{Journal, Place, StateStore, TokenState};
use crate::ui;
use unicode_width::UnicodeWidthStr;

pub(crate) fn run(ctx: &Context, args: StatusArgs) -> Result<()> {
    let cfg = ctx.config()?;
    let store = ctx.store(&cfg);
    let names: Vec<ProfileName> = match args.profile.as_deref().or(ctx.global.profile.as_deref()) {
        Some(_) => vec![ctx.select(&cfg, args.profile.as_deref())?.0],
        None => cfg.profiles.keys().cloned().collect(),
    };
    let now = Utc::now();
    let in_force = ctx.select(&cfg, None).ok().map(|(n, _)| n);
    let rows = || -> Vec<Value> {
        names
            .iter()
            .map(|n| row(&cfg, &store, &cfg.profiles[n], now))
            .collect()
    };
    // JSON is data: its words (why a login is needed, a hook's outcome) are English whatever
    // the language; the table is for a person and reads in theirs.
    let mut rows = if args.json {
        crate::catalog::in_english(rows)
    } else {
        rows()
    };
    // A shared store says where it is, whether it answers, and who holds a lease.
    let shared = (cfg.backend.name() != "file").then(|| store.info());
    for (r, n) in rows.iter_mut().zip(&names) {
        r["in_force"] = json!(in_force.as_ref() == Some(n));
        if let Some(info) = &shared {
            r["store"] = json!({
                "backend": info.name,
                "location": info.location,
                "reachable": info.reachable.is_ok(),
                "lease_holder": store.holder(n),
            });
        }
    }
    if let Some(info) = &shared
        && !args.json
    {
        match &info.reachable {
            Ok(()) => ui::say(crate::t!(
                "ui-status-store",
                backend = info.name,
                location = info.location.as_str()
            )),
            Err(why) => ui::warn(crate::t!(
                "ui-status-store-unreachable",
                backend = info.name,
                location = info.location.as_str(),
                reason = why.as_str()
            )),
        }
        for n in &names {
            if let Some(h) = store.holder(n) {
                ui::say(crate::t!(
                    "ui-status-lease",
                    profile = n.as_str(),
                    holder = h
                ));
            }
        }
    }
    if args.json {
        ui::print(format!(
            "{}\n",
            serde_json::to_string_pretty(&rows).expect("plain JSON")
        ))?;
        return attention(&rows);
    }
    if rows.is_empty() {
        ui::say(crate::config::profile_list_hint(&cfg.profiles).to_string());
        return Ok(());
    }
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("-").to_owned();
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mark = if r["in_force"] == true { "*" } else { " " };
            vec![
                format!("{mark} {}", text(r, "profile")),
                text(r, "grant"),
                text(r, "app_key"),
                table_state(r),
                expiry(r),
                text(r, "refresh_token_age"),
                text(r, "last_rotation_ago"),
                text(r, "last_hook"),
            ]
        })
        .collect();
    let header = [
        // The two spaces line the names up under the `*` of the profile in force.
        format!("  {}", crate::t!("ui-status-header-profile")),
        crate::t!("ui-status-header-grant"),
        crate::t!("ui-status-header-app-key"),
        crate::t!("ui-status-header-state"),
        crate::t!("ui-status-header-expires"),
        crate::t!("ui-status-header-refresh-token-age"),
        crate::t!("ui-status-header-last-rotation"),
        crate::t!("ui-status-header-last-hook"),
    ];
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let plain = ui::table(&header, &table);
    let widest = plain.lines().map(UnicodeWidthStr::width).max().unwrap_or(0);
    if ui::width().is_some_and(|w| widest > w) {
        ui::print(blocks(&header, &table))?;
    } else {
        // The colour of a state cell by its English state, found from the words shown.
        let colours: Vec<(String, Option<&'static str>)> = rows
            .iter()
            .map(|r| (table_state(r), state_colour(&text(r, "state"))))
            .collect();
        let paint = |column: usize, cell: &str| match column {
            3 => colours
                .iter()
                .find(|(c, _)| c == cell)
                .and_then(|(_, colour)| *colour),
            _ => paint(column, cell),
        };
        ui::print(ui::table_styled(&header, &table, paint))?;
    }
    attention(&rows)
}

/// The table one profile at a time, for a terminal too narrow for its rows: the name, grant
/// and app key on one line, then one indented line per other column that has a value.
fn blocks(header: &[&str], table: &[Vec<String>]) -> String {
    let labels: Vec<String> = header[3..].iter().map(|h| h.to_lowercase()).collect();
    let pad = labels.iter().map(|l| l.width()).max().unwrap_or(0);
    let mut out = String::new();
    for (i, row) in table.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{}  {}  {}\n", row[0], row[1], row[2]));
        for (label, cell) in labels.iter().zip(&row[3..]).filter(|(_, c)| *c != "-") {
            let fill = " ".repeat(pad - label.width());
            out.push_str(&format!("    {label}{fill}  {cell}\n"));
        }
    }
    out
}

/// Exit non-zero when a profile needs someone to act, as `gh auth status` does, with the
/// code of the most serious problem: 6 a state broker cannot read, 4 a SecretKey Baidu
/// rejected, 3 a login needed, 7 a failed hook. Tokens that merely expired, and an interrupted
/// refresh, are not a problem: the next `token` fetches, refreshes or recovers them.
fn attention(rows: &[Value]) -> Result<()> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let mut problems: Vec<(u8, String, &str)> = Vec::new();
    for r in rows {
        let name = text(r, "profile");
        let state = text(r, "state");
        let (rank, what) = match state.as_str() {
            "unreadable" => (0, "unreadable"),
            "SecretKey rejected" => (1, "secret-key-rejected"),
            "credentials rejected" => (1, "credentials-rejected"),
            // "refresh interrupted" is not here: the next use recovers it (docs/rotation.md).
            "not logged in" => (2, "not-logged-in"),
            "needs login" => (2, "needs-login"),
            _ if text(r, "last_hook").contains("FAILED") => (3, "hook-failed"),
            _ => continue,
        };
        problems.push((rank, name, what));
    }
    let Some((rank, name, _)) = problems.iter().min_by_key(|p| p.0).cloned() else {
        return Ok(());
    };
    // Each item in the words of the status table, as the rows above show it, in the
    // person's language (`attention-item`).
    let list: Vec<String> = problems
        .iter()
        .map(|(_, n, what)| {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("profile", n.clone());
            args.set("state", *what);
            crate::catalog::message("attention-item", &args).unwrap_or_else(|| format!("`{n}`"))
        })
        .collect();
    Err(Error::from(UsageError::NeedsAttention {
        count: list.len(),
        problems: list,
        profile: name,
        worst: match rank {
            0 => "unreadable",
            1 => "rejected",
            2 => "login",
            _ => "hook",
        },
    }))
}

/// The expiry both as a time and relative: `2026-07-01 12:00 UTC (in 29 days)`.
fn expiry(row: &Value) -> String {
    let at = row
        .get("expires_at")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    let rel = row.get("expires").and_then(Value::as_str);
    match (at, rel) {
        (Some(at), Some(rel)) => format!("{} ({rel})", at.format("%Y-%m-%d %H:%M UTC")),
        _ => "-".into(),
    }
}

/// The state column of a row as the table shows it, in the reader's language.
fn table_state(r: &Value) -> String {
    let state = r.get("state").and_then(Value::as_str).unwrap_or("-");
    match r.get("copied_from") {
        Some(_) => crate::t!("ui-status-copied", state = state_words(state)),
        None => state_words(state),
    }
}

/// A state (the words of `--json`, English) as a person reads it.
fn state_words(state: &str) -> String {
    match state {
        "ok" => crate::t!("ui-state-ok"),
        "expired" => crate::t!("ui-state-expired"),
        "not logged in" => crate::t!("ui-state-not-logged-in"),
        "no token yet" => crate::t!("ui-state-no-token-yet"),
        "api key" => crate::t!("ui-state-api-key"),
        "needs login" => crate::t!("ui-state-needs-login"),
        "unreadable" => crate::t!("ui-state-unreadable"),
        "SecretKey rejected" => crate::t!("ui-state-secret-key-rejected"),
        "credentials rejected" => crate::t!("ui-state-credentials-rejected"),
        "refresh under way" => crate::t!("ui-state-refresh-under-way"),
        "refresh interrupted" => crate::t!("ui-state-refresh-interrupted"),
        other => other.to_owned(),
    }
}

/// The colour of a state on a terminal: green when all is well, red when someone must act
/// or the token is gone, yellow for the rest.
fn state_colour(state: &str) -> Option<&'static str> {
    match state {
        "ok" => Some(ui::style::GREEN),
        "expired"
        | "needs login"
        | "unreadable"
        | "SecretKey rejected"
        | "credentials rejected" => Some(ui::style::RED),
        _ => Some(ui::style::YELLOW),
    }
}

/// Colours for a terminal: the state column and a failed hook.
fn paint(column: usize, cell: &str) -> Option<&'static str> {
    match (column, cell) {
        (0, c) if c.starts_with('*') => Some(ui::style::BOLD),
        (7, c) if c.contains("FAILED") => Some(ui::style::RED),
        (1 | 2 | 5 | 6, _) => Some(ui::style::DIM),
        _ => None,
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// How long ago something happened. A past event that seems to lie in the future means the
/// wall clock was set back since (times are stored as absolute UTC): say so rather than print
/// a negative age or "in 3 days" for something that already happened.
fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (t - now).num_seconds();
    if secs > CLOCK_SLACK_SECS {
        crate::t!("ui-time-future")
    } else {
        relative(secs.min(0))
    }
}

/// Clocks of two machines, or one clock stepped by NTP, may disagree this much without it
/// being worth a remark.
const CLOCK_SLACK_SECS: i64 = 60;

fn row(cfg: &Config, store: &dyn StateStore, p: &Profile, now: DateTime<Utc>) -> Value {
    let mut v = json!({
        "profile": p.name.as_str(),
        "grant": p.grant.as_str(),
        "app_key": mask(&p.app_key),
        "endpoint": p.endpoint,
        "secret_key": p.secret.describe(),
        "refresh_before": crate::duration::format(p.refresh_before.0),
    });
    let obj = v.as_object_mut().expect("an object");
    match store.load(&p.name) {
        Ok(None) => {
            let state = if p.grant.static_key() {
                "api key"
            } else if p.grant.needs_login() {
                "not logged in"
            } else {
                "no token yet"
            };
            obj.insert("state".into(), json!(state));
        }
        Ok(Some(mut s)) => {
            // Results of hooks removed from the config since: nothing will replace them.
            let configured = crate::hooks::configured(cfg, p);
            s.hooks.retain(|h| configured.contains(&h.name));
            // A rejection older than the config may be fixed already (`secret set` rewrites
            // it); the next rotation will tell, and record it again if not.
            let edited = std::fs::metadata(&cfg.paths.config)
                .and_then(|m| m.modified())
                .map(DateTime::<Utc>::from);
            if s.credentials_rejected
                .as_ref()
                .is_some_and(|r| edited.is_ok_and(|t| t > r.at))
            {
                s.credentials_rejected = None;
            }
            describe(obj, &s, store.journal(&p.name, &s), now);
            if p.grant.refreshes() {
                copied(obj, p, &s, store.place(&p.name).as_ref());
            }
        }
        Err(e) => {
            obj.insert("state".into(), json!("unreadable"));
            obj.insert("error".into(), json!(e.message()));
        }
    }
    obj.insert("state_file".into(), json!(store.location(&p.name)));
    v
}

/// A netdisk state read somewhere other than where it was written: the same single-use
/// lineage may live in two places. Warned about on stderr when first seen (until `token` or a
/// rotation records it), and shown in the table and the JSON while it is known.
fn copied(
    obj: &mut serde_json::Map<String, Value>,
    p: &Profile,
    s: &TokenState,
    here: Option<&Place>,
) {
    let Some(from) = s.copied_from(here) else {
        return;
    };
    if s.newly_copied(here) {
        ui::warn(crate::t!(
            "ui-status-copied-warning",
            profile = p.name.as_str(),
            from = from.to_string()
        ));
    }
    obj.insert(
        "copied_from".into(),
        json!({"path": from.path, "host": from.host}),
    );
}

/// `journal` is [`StateStore::journal`] of `s`: the check `doctor` makes too, so a refresh
/// under way is never shown as interrupted.
fn describe(
    obj: &mut serde_json::Map<String, Value>,
    s: &TokenState,
    journal: Option<Journal<'_>>,
    now: DateTime<Utc>,
) {
    let state = if s.needs_login.is_some() {
        "needs login"
    } else if let Some(r) = &s.credentials_rejected {
        // The message is broker's own (baidu::error): it names the SecretKey when Baidu
        // refused it, or the signature made with it (BCE).
        if r.blames_the_secret_key() {
            "SecretKey rejected"
        } else {
            "credentials rejected"
        }
    } else if let Some(Journal::UnderWay(_)) = journal {
        "refresh under way"
    } else if let Some(Journal::Interrupted(_)) = journal {
        "refresh interrupted"
    } else if s.is_expired(now) {
        "expired"
    } else {
        "ok"
    };
    obj.insert("state".into(), json!(state));
    obj.insert("expires_at".into(), json!(time(s.expires_at)));
    obj.insert(
        "expires".into(),
        json!(relative((s.expires_at - now).num_seconds())),
    );
    obj.insert("obtained_at".into(), json!(time(s.obtained_at)));
    obj.insert("generation".into(), json!(s.generation));
    if let Some(l) = &s.lineage {
        obj.insert("lineage".into(), json!(l));
    }
    if let Some(t) = s.refresh_token_obtained_at {
        obj.insert("refresh_token_obtained_at".into(), json!(time(t)));
        obj.insert(
            "refresh_token_age".into(),
            json!(ago(t, now).replace(" ago", "")),
        );
    }
    if let Some(t) = s.last_rotation {
        obj.insert("last_rotation".into(), json!(time(t)));
        obj.insert("last_rotation_ago".into(), json!(ago(t, now)));
    }
    if let Some(n) = &s.needs_login {
        obj.insert(
            "needs_login".into(),
            json!({"reason": n.reason.to_string(), "code": n.reason.code(), "at": time(n.at)}),
        );
    }
    if let Some(r) = &s.credentials_rejected {
        obj.insert(
            "credentials_rejected".into(),
            json!({"reason": r.reason.to_string(), "code": r.reason.code(), "at": time(r.at)}),
        );
    }
    if let Some(f) = &s.refresh_in_flight {
        obj.insert(
            "refresh_in_flight".into(),
            json!({"started_at": time(f.started_at), "pid": f.pid, "attempts": f.attempts}),
        );
    }
    // A failure outranks a later success of another hook: it is what someone must act on.
    let shown = (s.hooks.iter().filter(|h| !h.ok).max_by_key(|h| h.at))
        .or_else(|| s.hooks.iter().max_by_key(|h| h.at));
    if let Some(h) = shown {
        let failed = s.hooks.iter().filter(|h| !h.ok).count();
        let more = if failed > 1 {
            format!(", {} more failed", failed - 1)
        } else {
            String::new()
        };
        let summary = format!(
            "{} {} ({}, {}){more}",
            h.name,
            if h.ok { "ok" } else { "FAILED" },
            h.status,
            ago(h.at, now)
        );
        obj.insert("last_hook".into(), json!(summary));
    }
    obj.insert(
        "hooks".into(),
        Value::Array(s.hooks.iter().map(HookResult::to_json).collect()),
    );
}
