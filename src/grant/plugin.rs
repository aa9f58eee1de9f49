//! `grant = "plugin:NAME"`: tokens from an external program, `broker-plugin-NAME` on `PATH`
//! (docs/plugins.md). broker runs it supervised ([`crate::process`]: its own process group, a
//! time limit, capped output), writes one JSON request on its stdin and reads one JSON answer
//! on its stdout. Everything else (locking, storage, the refresh-token journal, hooks,
//! exports) stays broker's: a plugin that hands out refresh tokens gets them back once each,
//! exactly as netdisk's are sent.
//!
//! The secrets travel on stdin only: never in argv, and the plugin's environment loses
//! broker's secret variables and any variable that holds the SecretKey or refresh token.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::baidu::client::Client;
use crate::config::Profile;
use crate::error::{Error, GrantError, Result, sanitize};
use crate::grant::{Fresh, Grant, RefreshError, valid_token};
use crate::process::{self, Capture, Ended};
use crate::secret::{AccessToken, RefreshToken, SecretKey};

/// The variables a plugin inherits (with `LC_*`): to run, find files, and reach the network
/// through the same proxies and certificates as broker.
const PLUGIN_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "TZ",
    "TMPDIR",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
];

/// `grant = "plugin:NAME"`.
pub const PREFIX: &str = "plugin:";
/// The program run for `plugin:NAME`: `broker-plugin-NAME`, looked up in `PATH`.
pub const PROGRAM_PREFIX: &str = "broker-plugin-";
/// The protocol version broker speaks, in the request and (if the plugin says) the answer.
pub const VERSION: u64 = 1;
/// A plugin's time limit when the profile sets no `timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The most of a plugin's stdout read: one small JSON object.
const MAX_ANSWER: usize = 64 * 1024;
/// The most of a plugin's stderr kept for `-v`.
const MAX_STDERR: usize = 64 * 1024;
/// The longest `expires_in` taken: ten years (a larger one is a bug in the plugin).
const MAX_EXPIRES_IN: u64 = 10 * 366 * 86_400;
/// How much of a plugin's own error text is repeated.
const MAX_SAID: usize = 300;

/// The grant for one plugin name.
pub struct Plugin {
    /// `plugin:NAME`, as the config and the state name it.
    name: &'static str,
    /// `broker-plugin-NAME`.
    program: String,
}

/// The grant called `name` if it is `plugin:NAME` with a valid NAME. Made once per name and
/// kept for the life of the process ([`crate::grant::GrantKind`] holds `&'static` grants): a
/// process reads a handful of names at most.
pub fn named(name: &str) -> Option<&'static dyn Grant> {
    let plugin = name.strip_prefix(PREFIX)?;
    if !valid_name(plugin) {
        return None;
    }
    static MADE: Mutex<Vec<&'static Plugin>> = Mutex::new(Vec::new());
    let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = made.iter().find(|p| p.name == name) {
        return Some(*p);
    }
    let p: &'static Plugin = Box::leak(Box::new(Plugin {
        name: Box::leak(name.to_owned().into_boxed_str()),
        program: format!("{PROGRAM_PREFIX}{plugin}"),
    }));
    made.push(p);
    Some(p)
}

/// A NAME that makes a plain program name: letters, digits, `-`, `_`; no path, no option.
fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Grant for Plugin {
    fn name(&self) -> &'static str {
        self.name
    }

    fn about(&self) -> &'static str {
        "a token from an external program, broker-plugin-NAME on PATH"
    }

    /// None: the plugin knows where it goes.
    fn default_endpoint(&self) -> &'static str {
        ""
    }

    /// A plugin may hand out refresh tokens; each is sent back once, journaled as netdisk's
    /// are. Without one, the next token is fetched again with the SecretKey.
    fn refreshes(&self) -> bool {
        true
    }

    fn runs_plugin(&self) -> bool {
        true
    }

    fn fetch(&self, client: &Client, profile: &Profile, secret: &SecretKey) -> Result<Fresh> {
        match self.run(client, profile, secret, None) {
            Ran::Token(fresh) => Ok(*fresh),
            Ran::NotRun(e) | Ran::Refused(e, _) | Ran::Failed(e) | Ran::Salvaged(_, e) => Err(e),
        }
    }

    fn refresh(
        &self,
        client: &Client,
        profile: &Profile,
        secret: &SecretKey,
        refresh_token: &RefreshToken,
    ) -> Result<Fresh, RefreshError> {
        match self.run(client, profile, secret, Some(refresh_token)) {
            Ran::Token(fresh) => Ok(*fresh),
            Ran::NotRun(e) => Err(RefreshError::NotSent(e)),
            // The plugin says its issuer refused the refresh token: a person must log in.
            Ran::Refused(e, Refused::Login) => Err(RefreshError::Rejected(e)),
            // Refused for the app's credentials: the refresh token was not taken.
            Ran::Refused(e, Refused::Credentials) => Err(RefreshError::Answered(e)),
            // A network failure, a crash, a timeout, garbage: the plugin may have sent the
            // token, so the journal mark stays and the next run presents it once more.
            Ran::Refused(e, Refused::Network) | Ran::Failed(e) => Err(RefreshError::Unknown(e)),
            // The old refresh token is spent and a new one came back: keep it.
            Ran::Salvaged(fresh, e) => Err(RefreshError::Salvaged(fresh, e)),
        }
    }
}

/// What a plugin run came to.
enum Ran {
    Token(Box<Fresh>),
    /// The plugin never started: nothing was sent.
    NotRun(Error),
    /// The plugin answered `{"error", "kind"}`.
    Refused(Error, Refused),
    /// It ran, and gave no usable answer.
    Failed(Error),
    /// It ran and gave a new refresh token (and an access token), in an answer otherwise
    /// unusable: the tokens, saved as due, and what was wrong.
    Salvaged(Box<Fresh>, Error),
}

#[derive(Clone, Copy)]
enum Refused {
    Credentials,
    Login,
    Network,
}

/// The request, written once on the plugin's stdin. No `Debug`: it holds the secrets.
#[derive(Serialize)]
struct Request<'a> {
    version: u64,
    action: &'static str,
    profile: &'a str,
    app_key: &'a str,
    secret_key: &'a str,
    refresh_token: Option<&'a str>,
    settings: &'a Value,
}

impl Plugin {
    fn run(
        &self,
        client: &Client,
        profile: &Profile,
        secret: &SecretKey,
        refresh_token: Option<&RefreshToken>,
    ) -> Ran {
        let name = profile.name.as_str();
        let limit = profile
            .plugin_timeout
            .map_or(DEFAULT_TIMEOUT, |t| t.0)
            .min(client.remaining());
        if limit.is_zero() {
            return Ran::NotRun(
                GrantError::OutOfTime {
                    request: "plugin",
                    profile: name.to_owned(),
                }
                .into(),
            );
        }
        client.knows(secret.expose());
        if let Some(rt) = refresh_token {
            client.knows(rt.expose());
        }
        let failed = |why: &'static str, detail: String| -> Error {
            GrantError::PluginFailed {
                plugin: self.program.clone(),
                profile: name.to_owned(),
                why,
                detail,
            }
            .into()
        };
        let request = Request {
            version: VERSION,
            action: if refresh_token.is_some() {
                "refresh"
            } else {
                "fetch"
            },
            profile: name,
            app_key: &profile.app_key,
            secret_key: secret.expose(),
            refresh_token: refresh_token.map(RefreshToken::expose),
            settings: &profile.plugin_settings,
        };
        let mut json = Zeroizing::new(Vec::new());
        if serde_json::to_writer(&mut *json, &request).is_err() {
            return Ran::NotRun(failed("cannot-run", "cannot write the request".into()));
        }
        json.push(b'\n');

        let mut cmd = Command::new(&self.program);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.clear_secrets(&mut cmd, secret, refresh_token);
        client.messages().debug(
            1,
            format!(
                "running `{}` ({}) for `{name}`",
                self.program, request.action
            ),
        );
        let mut group = match process::spawn(&mut cmd) {
            Ok(g) => g,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ran::NotRun(
                    GrantError::PluginNotFound {
                        plugin: self.program.clone(),
                        profile: name.to_owned(),
                    }
                    .into(),
                );
            }
            Err(e) => {
                return Ran::NotRun(failed("cannot-run", sanitize(&e.to_string())));
            }
        };
        let child = group.child();
        if let Some(mut stdin) = child.stdin.take() {
            // A thread, so a plugin that never reads stdin cannot block broker on a full pipe.
            std::thread::spawn(move || {
                let _ = stdin.write_all(&json);
            });
        }
        let stdout = child.stdout.take().map(|p| Capture::start(p, MAX_ANSWER));
        let stderr = child.stderr.take().map(|p| Capture::start(p, MAX_STDERR));
        let ended = group.wait(limit);
        let stdout = stdout.map(Capture::finish);
        let stderr = stderr.map(Capture::finish);
        let ran = match ended {
            Err(e) => Ran::Failed(failed("cannot-run", sanitize(&e.to_string()))),
            Ok(Ended::TimedOut) => {
                // Whole seconds, rounded up: what is left of `--timeout` is rarely whole.
                let secs = limit.as_secs() + u64::from(limit.subsec_nanos() > 0);
                Ran::Failed(failed(
                    "timed-out",
                    crate::duration::format(Duration::from_secs(secs)),
                ))
            }
            Ok(Ended::Exited(status)) => match &stdout {
                Some(out) if out.too_large => {
                    Ran::Failed(failed("too-large", format!("{} KiB", MAX_ANSWER >> 10)))
                }
                _ => self.read_answer(
                    client,
                    name,
                    stdout.as_ref().map_or(&[][..], |c| &c.bytes[..]),
                    status,
                ),
            },
        };
        // Shown once the new tokens are known, so the scrubbing cuts them too.
        if let Some(err) = stderr {
            let text = client.scrub(&String::from_utf8_lossy(&err.bytes));
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                client
                    .messages()
                    .debug(1, format!("[{}] {}", self.program, sanitize(line)));
            }
        }
        ran
    }

    /// The plugin's environment: only what a program needs to run and reach the network
    /// (`PLUGIN_ENV`), and none of that if it holds the SecretKey or the refresh token. Other
    /// profiles' `secret_key_env` variables, broker's own secret variables and any token a
    /// caller exported never reach it; what a plugin needs to know comes in `settings`.
    fn clear_secrets(
        &self,
        cmd: &mut Command,
        secret: &SecretKey,
        refresh_token: Option<&RefreshToken>,
    ) {
        let secrets: Vec<&str> = [
            Some(secret.expose()),
            refresh_token.map(RefreshToken::expose),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
        cmd.env_clear();
        for (k, v) in std::env::vars_os() {
            let name = k.to_string_lossy();
            let passes = PLUGIN_ENV.contains(&name.as_ref()) || name.starts_with("LC_");
            let text = String::from_utf8_lossy(v.as_encoded_bytes());
            if passes && !secrets.iter().any(|s| text.contains(s)) {
                cmd.env(&k, &v);
            }
        }
    }

    /// The plugin's answer: a token, an error it reports, or why it is neither.
    fn read_answer(
        &self,
        client: &Client,
        profile: &str,
        stdout: &[u8],
        status: std::process::ExitStatus,
    ) -> Ran {
        let failed = |why: &'static str, detail: String| {
            Ran::Failed(
                GrantError::PluginFailed {
                    plugin: self.program.clone(),
                    profile: profile.to_owned(),
                    why,
                    detail,
                }
                .into(),
            )
        };
        let answer = match serde_json::from_slice::<Value>(stdout) {
            Ok(Value::Object(map)) => map,
            _ if !status.success() => return failed("exited", process::describe(status)),
            _ => return failed("garbage", String::new()),
        };
        if let Some(v) = answer.get("version")
            && v.as_u64() != Some(VERSION)
        {
            return failed("version", clip(&client.scrub(&v.to_string())));
        }
        if let Some(error) = answer.get("error") {
            let said = clip(
                &client.scrub(
                    &error
                        .as_str()
                        .map_or_else(|| error.to_string(), str::to_owned),
                ),
            );
            let kind = answer.get("kind").and_then(Value::as_str).unwrap_or("");
            let refused = match kind {
                "credentials" => Refused::Credentials,
                "login" => Refused::Login,
                "network" => Refused::Network,
                other => return failed("unknown-kind", clip(&client.scrub(other))),
            };
            let kind = match refused {
                Refused::Credentials => "credentials",
                Refused::Login => "login",
                Refused::Network => "network",
            };
            return Ran::Refused(
                GrantError::PluginRefused {
                    plugin: self.program.clone(),
                    profile: profile.to_owned(),
                    refused: kind,
                    said,
                }
                .into(),
                refused,
            );
        }
        let token = |field: &str| -> Option<String> {
            match answer.get(field) {
                Some(Value::String(t)) if valid_token(t) => Some(t.clone()),
                _ => None,
            }
        };
        let usable_access = token("access_token");
        let usable_refresh = token("refresh_token");
        for t in usable_access.iter().chain(&usable_refresh) {
            client.knows(t);
        }
        // A new refresh token next to a usable access token is kept whatever else is wrong
        // (a non-zero exit, an unusable `expires_in`): the issuer has spent the old one. Saved
        // as due, so the next use refreshes with it, as netdisk's salvaged answers are.
        let keep = |ran: Ran| -> Ran {
            match (ran, &usable_access, &usable_refresh) {
                (Ran::Failed(e), Some(at), Some(rt)) => Ran::Salvaged(
                    Box::new(Fresh {
                        access_token: AccessToken::new(at.clone()),
                        expires_at: Utc::now(),
                        refresh_token: Some(RefreshToken::new(rt.clone())),
                        scope: None,
                        sts: None,
                    }),
                    e,
                ),
                (ran, ..) => ran,
            }
        };
        if !status.success() {
            return keep(failed("exited", process::describe(status)));
        }
        let Some(access_token) = usable_access.clone() else {
            return failed("no-usable", "access_token".into());
        };
        let refresh_token = match answer.get("refresh_token") {
            None | Some(Value::Null) => None,
            Some(_) => match &usable_refresh {
                Some(rt) => Some(RefreshToken::new(rt.clone())),
                None => return failed("no-usable", "refresh_token".into()),
            },
        };
        let Some(expires_in) = answer
            .get("expires_in")
            .and_then(Value::as_u64)
            .filter(|s| (1..=MAX_EXPIRES_IN).contains(s))
        else {
            return keep(failed("no-usable", "expires_in".into()));
        };
        if !matches!(
            answer.get("extra"),
            None | Some(Value::Null | Value::Object(_))
        ) {
            return keep(failed("no-usable", "extra".into()));
        }
        let expires_at = Utc::now() + chrono::Duration::seconds(expires_in as i64);
        Ran::Token(Box::new(Fresh {
            access_token: AccessToken::new(access_token),
            expires_at,
            refresh_token,
            scope: None,
            sts: None,
        }))
    }
}

/// A plugin's text, one line, bounded, safe to echo.
fn clip(text: &str) -> String {
    let text = sanitize(text);
    match text.char_indices().nth(MAX_SAID) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use crate::grant::GrantKind;

    #[test]
    fn a_plugin_name_is_a_grant_made_once_and_a_bad_name_is_none() {
        let a = GrantKind::parse("plugin:ads").unwrap();
        let b = GrantKind::parse("plugin:ads").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "plugin:ads");
        assert!(a.runs_plugin() && a.refreshes() && !a.needs_login() && !a.static_key());
        for bad in [
            "plugin:",
            "plugin:../x",
            "plugin:a/b",
            "plugin:-v",
            "plugin:a b",
            "ads",
        ] {
            assert!(GrantKind::parse(bad).is_none(), "{bad}");
        }
    }
}
