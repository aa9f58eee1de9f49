//! `broker doctor [--json]`: checks what broker depends on — the config, the identity and the
//! recipients, file modes, each profile's secret and state, the clock, and each endpoint — and
//! says what to fix. It never prompts, never rotates, never writes, and never sends a
//! credential: the network checks are an unauthenticated `HEAD` of each base URL.
//!
//! Exit 0 when no check fails (warnings are printed but do not fail it); otherwise the SPEC §7
//! code of the first failing check, in the order printed, which runs from the most basic
//! (the config) to the most remote (the endpoints). docs/doctor.md has the table.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use age::x25519;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::cli::DoctorArgs;
use crate::commands::Context;
use crate::config::{Config, Profile, SecretSource};
use crate::duration::relative;
use crate::error::{Error, Kind, Result, sanitize};
use crate::store::identity::{self, IdentitySource};
use crate::store::{Journal, SealedStore, StateStore, Vault, atomic};
use crate::ui;

/// How long the endpoint checks may take in all (they run at once), unless `--timeout` says.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(5);
/// Clock skew worth a warning: tokens' expiry is computed locally, but logs and signatures
/// stop making sense.
const SKEW_WARN_SECS: i64 = 300;
/// Beyond this, a bce-auth-v1 signature (valid 1800 s from its timestamp) is dead on arrival
/// or dated in the server's future.
const SKEW_BCE_FAIL_SECS: i64 = 1800;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One line of the report.
#[derive(Debug, Serialize)]
struct Finding {
    check: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    status: Status,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
    /// The SPEC §7 family of a failure, for the exit code.
    #[serde(skip)]
    kind: Kind,
}

#[derive(Default)]
struct Report(Vec<Finding>);

impl Report {
    fn push(
        &mut self,
        check: &'static str,
        profile: Option<&str>,
        status: Status,
        detail: impl Into<String>,
        fix: Option<String>,
        kind: Kind,
    ) {
        self.0.push(Finding {
            check,
            profile: profile.map(str::to_owned),
            status,
            detail: detail.into(),
            fix,
            kind,
        });
    }

    fn ok(&mut self, check: &'static str, profile: Option<&str>, detail: impl Into<String>) {
        self.push(check, profile, Status::Ok, detail, None, Kind::Internal);
    }

    fn warn(
        &mut self,
        check: &'static str,
        profile: Option<&str>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let fix = Some(fix.into());
        self.push(check, profile, Status::Warn, detail, fix, Kind::Internal);
    }

    fn fail(
        &mut self,
        check: &'static str,
        profile: Option<&str>,
        kind: Kind,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.push(check, profile, Status::Fail, detail, Some(fix.into()), kind);
    }

    /// A failure reported by broker's own code: its message, its hint as the fix.
    fn fail_with(&mut self, check: &'static str, profile: Option<&str>, e: &Error, fallback: &str) {
        let fix = e.hint().unwrap_or(fallback).to_owned();
        self.fail(check, profile, e.kind(), e.message(), fix);
    }
}

pub(crate) fn run(ctx: &Context, args: DoctorArgs) -> Result<()> {
    let mut report = Report::default();
    let cfg = check_config(ctx, &mut report);
    let source = match &cfg {
        Some(cfg) => ctx.identity_source(cfg),
        None => IdentitySource::from_env(None, ctx.paths.default_identity.clone()),
    };
    let keys = check_identity(&source, &mut report);
    // With no config file at all, the config's own warning already says to run `broker init`.
    if let Some(cfg) = cfg.as_ref().filter(|c| c.exists) {
        check_recipients(cfg, keys.as_deref(), &mut report);
    }
    check_modes(ctx, &source, &mut report);
    if let Some(cfg) = &cfg {
        let profiles: Vec<&Profile> = match ctx.global.profile.as_deref() {
            Some(name) => vec![cfg.profile(&crate::profile::ProfileName::parse(name)?)?],
            None => cfg.profiles.values().collect(),
        };
        let vault = keys.map(|k| Vault::with_identities(cfg.recipients.clone(), source.clone(), k));
        let store = vault.map(|v| crate::store::open(ctx.paths.state_dir.clone(), v));
        for profile in &profiles {
            check_secret(profile, store.as_ref().map(SealedStore::vault), &mut report);
            if let Some(store) = &store {
                check_state(profile, store, &mut report);
            }
        }
        let limit = ctx.global.timeout.map_or(NETWORK_TIMEOUT, |t| t.0);
        check_endpoints(&profiles, limit, &mut report);
    }
    print(&report, args.json)?;
    conclude(&report)
}

/// Exit 0 unless something failed; then the code of the first failure, as one error line.
fn conclude(report: &Report) -> Result<()> {
    let failed: Vec<&Finding> = report
        .0
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    let warned = report.0.iter().filter(|f| f.status == Status::Warn).count();
    let Some(first) = failed.first() else {
        match warned {
            0 => ui::say("all is well"),
            n => ui::say(format!(
                "all is well, with {n} warning{} (warnings do not fail `broker doctor`)",
                plural(n)
            )),
        }
        return Ok(());
    };
    let mut names: Vec<String> = failed.iter().map(|f| label(f)).collect();
    names.dedup();
    Err(Error::new(
        first.kind,
        format!(
            "{} of {} checks failed: {}",
            failed.len(),
            report.0.len(),
            names.join(", ")
        ),
    )
    .with_hint("each `fail` line says how to fix it; the exit code is that of the first one"))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `state[nd]`, or `config`.
fn label(f: &Finding) -> String {
    match &f.profile {
        Some(p) => format!("{}[{p}]", f.check),
        None => f.check.to_owned(),
    }
}

fn print(report: &Report, json: bool) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(&report.0).unwrap_or_else(|_| "[]".into());
        return ui::print(format!("{text}\n"));
    }
    let color = ui::color_stdout();
    let mut out = String::new();
    for f in &report.0 {
        let word = f.status.word();
        let padded = format!("{word:<4}");
        let shown = match (color, f.status) {
            (false, _) => padded,
            (true, Status::Ok) => format!("\x1b[{}m{padded}\x1b[0m", ui::style::GREEN),
            (true, Status::Warn) => format!("\x1b[{}m{padded}\x1b[0m", ui::style::YELLOW),
            (true, Status::Fail) => format!("\x1b[{}m{padded}\x1b[0m", ui::style::RED),
        };
        out.push_str(&format!("{shown}  {}: {}\n", label(f), f.detail));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("      fix: {fix}\n"));
        }
    }
    ui::print(out)
}

/// The config parses and validates. Plaintext secrets are let through here and reported per
/// profile, so one of them does not hide every other check.
fn check_config(ctx: &Context, r: &mut Report) -> Option<Config> {
    let path = ctx.paths.config.display().to_string();
    match ctx.config_allowing_plaintext() {
        Err(e) => {
            r.fail_with(
                "config",
                None,
                &e,
                "fix the config file, then run `broker doctor` again",
            );
            None
        }
        Ok(cfg) if !cfg.exists => {
            r.warn(
                "config",
                None,
                format!("no config at `{path}`: no profiles"),
                "run `broker init`, then `broker profile add`",
            );
            Some(cfg)
        }
        Ok(cfg) => {
            let n = cfg.profiles.len();
            r.ok(
                "config",
                None,
                format!("`{path}` parses and validates ({n} profile{})", plural(n)),
            );
            Some(cfg)
        }
    }
}

/// The identity is found and loads, without ever asking for a passphrase.
fn check_identity(source: &IdentitySource, r: &mut Report) -> Option<Vec<x25519::Identity>> {
    match identity::load_without_prompt(source) {
        Ok(Some(keys)) => {
            let publics: Vec<String> = keys.iter().map(|k| k.to_public().to_string()).collect();
            r.ok(
                "identity",
                None,
                format!("{} loads ({})", source.describe(), publics.join(", ")),
            );
            Some(keys)
        }
        Ok(None) => {
            r.warn(
                "identity",
                None,
                format!(
                    "{} is passphrase-protected and `{}` is not set: doctor does not prompt, so secrets and state were not checked",
                    source.describe(),
                    identity::ENV_PASSPHRASE
                ),
                format!("set `{}` to check them too", identity::ENV_PASSPHRASE),
            );
            None
        }
        Err(e) => {
            r.fail_with("identity", None, &e, "run `broker init`");
            None
        }
    }
}

/// Recipients exist, parse, and include this identity.
fn check_recipients(cfg: &Config, keys: Option<&[x25519::Identity]>, r: &mut Report) {
    let path = cfg.paths.config.display();
    if cfg.recipients.is_empty() {
        r.fail(
            "recipients",
            None,
            Kind::Store,
            format!("`[store] recipients` in `{path}` is empty: nothing can be encrypted"),
            "run `broker init`, or add your `age1…` public key to `[store] recipients`",
        );
        return;
    }
    let vault = Vault::new(
        cfg.recipients.clone(),
        IdentitySource::Key(String::new().into()),
    );
    if let Err(e) = vault.check_recipients() {
        r.fail_with("recipients", None, &e, "fix `[store] recipients`");
        return;
    }
    let n = cfg.recipients.len();
    let Some(keys) = keys else {
        r.ok(
            "recipients",
            None,
            format!("{n} recipient{} parse", plural(n)),
        );
        return;
    };
    let listed: Vec<&str> = cfg.recipients.iter().map(|s| s.trim()).collect();
    let publics: Vec<String> = keys.iter().map(|k| k.to_public().to_string()).collect();
    if publics.iter().any(|p| listed.contains(&p.as_str())) {
        r.ok(
            "recipients",
            None,
            format!("{n} recipient{}, this identity among them", plural(n)),
        );
    } else {
        let mine = publics.first().map_or("", String::as_str);
        r.fail(
            "recipients",
            None,
            Kind::Store,
            format!(
                "this identity (`{mine}`) is not among the {n} `[store] recipients` of `{path}`: what broker encrypts from now on is unreadable by you, and what others encrypted may be too"
            ),
            format!(
                "add `{mine}` to `[store] recipients`, then run `broker secret rekey` with an identity that can read the current secrets"
            ),
        );
    }
}

/// What must be private, and how private.
enum Expect {
    /// No bit for group or others (the identity, state files and folders): fail otherwise.
    Private,
    /// The config: writable by others is a fail (hooks run commands as you); readable by others
    /// only a warning (AppKeys and hook commands show, secrets are encrypted).
    Config,
}

/// File modes: group or other bits where secrets live.
fn check_modes(ctx: &Context, source: &IdentitySource, r: &mut Report) {
    let mut paths: Vec<(PathBuf, Expect, Kind)> = Vec::new();
    if let Some(p) = source.path() {
        paths.push((p.to_path_buf(), Expect::Private, Kind::Store));
    }
    paths.push((ctx.paths.config.clone(), Expect::Config, Kind::Usage));
    let state = &ctx.paths.state_dir;
    paths.push((state.clone(), Expect::Private, Kind::Store));
    for sub in ["profiles", "locks"] {
        paths.push((state.join(sub), Expect::Private, Kind::Store));
    }
    paths.push((
        crate::profile::use_default_path(state),
        Expect::Private,
        Kind::Store,
    ));
    if let Ok(entries) = std::fs::read_dir(state.join("profiles")) {
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        paths.extend(files.into_iter().map(|p| (p, Expect::Private, Kind::Store)));
    }
    let mut checked = 0;
    let mut bad = 0;
    for (path, expect, kind) in &paths {
        // Followed through symlinks: what matters is the file the link leads to.
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        checked += 1;
        let mode = meta.permissions().mode() & 0o777;
        let (want, chmod) = if meta.is_dir() {
            (atomic::DIR_MODE, "700")
        } else {
            (atomic::FILE_MODE, "600")
        };
        let shown = shown(path);
        let fix = format!("chmod {chmod} '{shown}'");
        match expect {
            Expect::Private if mode & 0o077 != 0 => {
                bad += 1;
                r.fail(
                    "mode",
                    None,
                    *kind,
                    format!(
                        "`{shown}` is {mode:04o}: group or others can reach it (want {want:04o})"
                    ),
                    fix,
                );
            }
            Expect::Config if crate::store::read::writable_by_others(mode) => {
                bad += 1;
                r.fail(
                    "mode",
                    None,
                    *kind,
                    format!(
                        "`{shown}` is {mode:04o}: others can change it, and its hooks run as you"
                    ),
                    fix,
                );
            }
            Expect::Config if mode & 0o044 != 0 => {
                bad += 1;
                r.warn(
                    "mode",
                    None,
                    format!(
                        "`{shown}` is {mode:04o}: others can read the AppKeys and hook commands (secrets are encrypted)"
                    ),
                    fix,
                );
            }
            _ => {}
        }
    }
    if checked == 0 {
        r.ok("mode", None, "no identity, config or state file yet");
    } else if bad == 0 {
        r.ok(
            "mode",
            None,
            format!(
                "the identity, the config and the state are private ({checked} file{} and folder{} checked)",
                plural(checked),
                plural(checked)
            ),
        );
    }
}

/// Where the SecretKey lives, and whether it can be read.
fn check_secret(profile: &Profile, vault: Option<&Vault>, r: &mut Report) {
    let name = profile.name.as_str();
    let p = Some(name);
    match &profile.secret {
        SecretSource::Encrypted(armored) => match vault {
            None => {}
            Some(vault) => match vault.decrypt_secret(armored) {
                Ok(_) => r.ok("secret", p, "encrypted in the config; decrypts"),
                Err(e) => r.fail_with(
                    "secret",
                    p,
                    &e,
                    &format!("set it again with `broker secret set {name}`"),
                ),
            },
        },
        SecretSource::Env(var) => match std::env::var_os(var) {
            Some(v) if !v.is_empty() => r.ok("secret", p, format!("from `{var}`, which is set")),
            _ => r.fail(
                "secret",
                p,
                Kind::Usage,
                format!("`secret_key_env = \"{var}\"`, but `{var}` is not set here"),
                format!("export `{var}`, or store the SecretKey with `broker secret set {name}`"),
            ),
        },
        SecretSource::Plaintext => r.fail(
            "secret",
            p,
            Kind::Usage,
            "the SecretKey is plaintext in the config",
            "run `broker secret encrypt`",
        ),
        SecretSource::Missing => r.fail(
            "secret",
            p,
            Kind::Usage,
            "no SecretKey (neither `secret_key` nor `secret_key_env`)",
            format!("set one with `broker secret set {name}`"),
        ),
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The stored state: readable, no journal mark left, no login needed, not expired.
fn check_state(profile: &Profile, store: &dyn StateStore, r: &mut Report) {
    let name = profile.name.as_str();
    let p = Some(name);
    let login = format!("run `broker login {name}`");
    let state = match store.load(&profile.name) {
        Err(e) => return r.fail_with("state", p, &e, &login),
        Ok(None) if profile.grant.needs_login() => {
            return r.warn("state", p, "not logged in yet", login);
        }
        Ok(None) => return r.ok("state", p, "no token yet; one is fetched on first use"),
        Ok(Some(s)) => s,
    };
    let now = Utc::now();
    if let Some(n) = &state.needs_login {
        return r.fail(
            "state",
            p,
            Kind::NeedsPerson,
            format!(
                "Baidu refused the refresh token at {}: {}",
                time(n.at),
                sanitize(&n.reason)
            ),
            login,
        );
    }
    match store.journal(&profile.name, &state) {
        Some(Journal::UnderWay(f)) => {
            return r.warn(
                "state",
                p,
                format!("a refresh is under way (pid {})", f.pid),
                "run `broker doctor` again when it is done",
            );
        }
        // Not a failure any more: the next use presents the refresh token once more.
        Some(Journal::Interrupted(f)) => {
            return r.warn(
                "state",
                p,
                format!(
                    "a refresh was interrupted: {}; the next use presents its refresh token once more to recover",
                    f.story()
                ),
                format!("run `broker token {name}` to recover now"),
            );
        }
        None => {}
    }
    let left = relative(state.seconds_left(now));
    if state.is_expired(now) {
        let how = if profile.grant.refreshes() {
            "renewed with the refresh token on next use"
        } else {
            "fetched again on next use"
        };
        return r.warn(
            "state",
            p,
            format!("the token expired {left}; it is {how}"),
            format!("run `broker token {name}` to renew it now"),
        );
    }
    r.ok(
        "state",
        p,
        format!(
            "token valid until {} ({left}), generation {}",
            time(state.expires_at),
            state.generation
        ),
    );
}

/// What one endpoint answered to an unauthenticated `HEAD /`.
struct Probe {
    status: u16,
    took: Duration,
    date: Option<DateTime<Utc>>,
    /// The local clock when the answer arrived.
    local: DateTime<Utc>,
}

/// Each distinct endpoint: reachable, and its `Date` against the local clock.
fn check_endpoints(profiles: &[&Profile], limit: Duration, r: &mut Report) {
    let mut endpoints: BTreeMap<&str, Vec<&Profile>> = BTreeMap::new();
    for p in profiles {
        endpoints.entry(p.endpoint.as_str()).or_default().push(p);
    }
    // All at once, each bounded by `limit`, so the whole check is too.
    let probes: Vec<(&str, Result<Probe, String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = endpoints
            .keys()
            .map(|&e| (e, s.spawn(move || probe(e, limit))))
            .collect();
        handles
            .into_iter()
            .map(|(e, h)| {
                let result = h
                    .join()
                    .unwrap_or_else(|_| Err("the check itself failed".into()));
                (e, result)
            })
            .collect()
    });
    for (endpoint, result) in probes {
        let users = &endpoints[endpoint];
        let names: Vec<&str> = users.iter().map(|p| p.name.as_str()).collect();
        let used_by = format!("profile{} {}", plural(names.len()), names.join(", "));
        let probe = match result {
            Ok(probe) => probe,
            Err(why) => {
                r.fail(
                    "endpoint",
                    None,
                    Kind::Network,
                    format!("`{endpoint}` ({used_by}) is unreachable: {why}"),
                    format!(
                        "check the network and any proxy (`HTTPS_PROXY`), or the `endpoint` of {used_by}"
                    ),
                );
                continue;
            }
        };
        r.ok(
            "endpoint",
            None,
            format!(
                "`{endpoint}` ({used_by}) answers (HTTP {} in {} ms)",
                probe.status,
                probe.took.as_millis()
            ),
        );
        let Some(date) = probe.date else {
            r.warn(
                "clock",
                None,
                format!("`{endpoint}` sent no `Date` header: the clock was not compared"),
                "compare the clock with a time server by hand",
            );
            continue;
        };
        let skew = (probe.local - date).num_seconds();
        let way = if skew > 0 { "ahead of" } else { "behind" };
        let signs = users.iter().any(|p| p.grant.signs_with_clock());
        let detail = format!(
            "the local clock is {}s {way} `{endpoint}`",
            skew.unsigned_abs()
        );
        let fix = "synchronise the clock (e.g. `timedatectl set-ntp true`, or chrony/ntpd)";
        if signs && skew.abs() > SKEW_BCE_FAIL_SECS {
            r.fail(
                "clock",
                None,
                Kind::Usage,
                format!(
                    "{detail}: BCE IAM refuses signatures this far off (they live {SKEW_BCE_FAIL_SECS}s)"
                ),
                fix,
            );
        } else if skew.abs() > SKEW_WARN_SECS {
            r.warn("clock", None, detail, fix);
        } else {
            r.ok(
                "clock",
                None,
                format!(
                    "the local clock is within {}s of `{endpoint}`",
                    skew.unsigned_abs().max(1)
                ),
            );
        }
    }
}

/// `HEAD {endpoint}/` with no credential, no query, no redirect followed.
fn probe(endpoint: &str, limit: Duration) -> Result<Probe, String> {
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(limit)
        .timeout(limit)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("broker-doctor/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let started = Instant::now();
    let response = client
        .head(format!("{endpoint}/"))
        .send()
        .map_err(|e| describe(&e, limit))?;
    let local = Utc::now();
    let date = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        .map(|d| d.with_timezone(&Utc));
    Ok(Probe {
        status: response.status().as_u16(),
        took: started.elapsed(),
        date,
        local,
    })
}

fn describe(e: &reqwest::Error, limit: Duration) -> String {
    if e.is_timeout() {
        format!("no answer within {}", crate::duration::format(limit))
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        "the connection broke".into()
    }
}

/// Paths in messages go through here (a hostile file name cannot forge lines).
fn shown(p: &Path) -> String {
    sanitize(&p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(findings: &[(Status, Kind)]) -> Report {
        let mut r = Report::default();
        for (i, (status, kind)) in findings.iter().enumerate() {
            let profile = (i % 2 == 0).then_some("p");
            r.push("check", profile, *status, "detail", None, *kind);
        }
        r
    }

    #[test]
    fn warnings_alone_exit_0() {
        assert!(
            conclude(&report(&[
                (Status::Ok, Kind::Internal),
                (Status::Warn, Kind::Internal)
            ]))
            .is_ok()
        );
    }

    #[test]
    fn the_first_failure_gives_the_exit_code() {
        let r = report(&[
            (Status::Ok, Kind::Internal),
            (Status::Warn, Kind::Internal),
            (Status::Fail, Kind::NeedsPerson),
            (Status::Fail, Kind::Network),
        ]);
        let e = conclude(&r).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert_eq!(e.message(), "2 of 4 checks failed: check[p], check");
    }
}
