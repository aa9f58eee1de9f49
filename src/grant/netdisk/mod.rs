//! `grant = "netdisk"`: user-authorized apps on openapi.baidu.com (baidu-oauth.md §2).
//! A person authorizes once (device code, or an authorization code: pasted, or caught by a
//! loopback listener; the flows are in `login.rs`); after that the token is renewed with a
//! refresh token that Baidu accepts exactly once.

mod login;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::baidu::client::{Answer, Client, Request, Retry};
use crate::config::Profile;
use crate::error::{Error, GrantError, Note, Result, sanitize};
use crate::grant::{Fresh, Grant, Login, RefreshError, oauth, parse_token};
use crate::secret::{Code, RefreshToken, SecretKey};

pub const DEVICE_CODE_PATH: &str = broker_wire::path::DEVICE_CODE;
pub const AUTHORIZE_PATH: &str = broker_wire::path::AUTHORIZE;
/// Baidu's rule: never poll faster than this.
pub const MIN_POLL_INTERVAL: u64 = 5;
/// The scope asked for at login when the profile names none.
pub const DEFAULT_SCOPE: &str = "basic,netdisk";

pub struct Netdisk;

impl Grant for Netdisk {
    fn name(&self) -> &'static str {
        "netdisk"
    }

    fn about(&self) -> &'static str {
        "Netdisk and other user-authorized apps: device code or authorization code, then refresh tokens"
    }

    fn default_endpoint(&self) -> &'static str {
        "https://openapi.baidu.com"
    }

    fn default_scope(&self) -> Option<&'static str> {
        Some(DEFAULT_SCOPE)
    }

    fn refreshes(&self) -> bool {
        true
    }

    fn needs_login(&self) -> bool {
        true
    }

    fn logout_hint(&self) -> Option<&'static str> {
        Some(
            "hint: Baidu has no revoke API for netdisk; unbind the app in Baidu's account settings to revoke it",
        )
    }

    fn fetch(&self, _client: &Client, _profile: &Profile, _secret: &SecretKey) -> Result<Fresh> {
        Err(GrantError::FetchNeedsLogin.into())
    }

    fn refresh(
        &self,
        client: &Client,
        profile: &Profile,
        secret: &SecretKey,
        refresh_token: &RefreshToken,
    ) -> Result<Fresh, RefreshError> {
        refresh(client, profile, secret, refresh_token)
    }

    fn login(
        &self,
        profile: &Profile,
        secret: &SecretKey,
        flow: Login<'_>,
        timeout: Duration,
    ) -> Result<Fresh> {
        match flow {
            Login::Code(code) => login::with_code(profile, secret, code, timeout),
            Login::Browser => login::with_browser(profile, secret, timeout),
            Login::Device { qr } => login::with_device(profile, secret, qr),
        }
    }
}

/// The scope asked for at login: the profile's, else [`DEFAULT_SCOPE`].
fn scope(profile: &Profile) -> &str {
    profile.scope.as_deref().unwrap_or(DEFAULT_SCOPE)
}

/// Sends the refresh token, once. Never retried after it may have reached the server.
fn refresh(
    client: &Client,
    profile: &Profile,
    secret: &SecretKey,
    refresh_token: &RefreshToken,
) -> Result<Fresh, RefreshError> {
    let answer = oauth::post(
        client,
        profile,
        "refresh",
        Retry::ConnectOnly,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
            ("client_id", profile.app_key.as_str()),
            ("client_secret", secret.expose()),
        ],
    )
    .map_err(|u| {
        if u.maybe_delivered {
            RefreshError::Unknown(u.error)
        } else {
            RefreshError::NotSent(u.error)
        }
    })?;
    if let Some(e) = answer.error() {
        let err = e.to_error(profile.name.as_str());
        return Err(if e.is_grant_rejected() {
            RefreshError::Rejected(err)
        } else {
            RefreshError::Answered(err)
        });
    }
    // An answer that is no token may still have consumed the refresh token.
    crate::grant::parse_token_salvaging(&answer, profile.name.as_str(), Utc::now(), true).map_err(
        |(e, fresh)| match fresh {
            Some(fresh) => RefreshError::Salvaged(fresh, e),
            None => RefreshError::Unknown(e),
        },
    )
}

/// What `/oauth/2.0/device/code` answers.
pub struct DeviceCode {
    pub device_code: Code,
    pub user_code: String,
    pub verification_url: String,
    pub qrcode_url: Option<String>,
    pub expires_in: u64,
    pub interval: u64,
}

impl DeviceCode {
    /// The verification page with the user code filled in.
    pub fn prefilled_url(&self) -> String {
        let sep = if self.verification_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}code={}", self.verification_url, self.user_code)
    }
}

#[derive(Deserialize)]
struct DeviceBody {
    device_code: Option<String>,
    user_code: Option<String>,
    verification_url: Option<String>,
    qrcode_url: Option<String>,
    expires_in: Option<u64>,
    interval: Option<u64>,
}

/// Asks for a device code. Nothing is consumed, so it may be retried.
fn device_code(client: &Client, profile: &Profile) -> Result<DeviceCode> {
    let url = format!("{}{DEVICE_CODE_PATH}", profile.endpoint);
    let answer = client.send(
        &Request::new("device-code", profile.name.as_str()),
        Retry::Safe,
        |http| {
            http.get(&url).query(&[
                ("response_type", "device_code"),
                ("client_id", profile.app_key.as_str()),
                ("scope", scope(profile)),
            ])
        },
    )?;
    parse_device_code(&answer, profile.name.as_str())
}

/// Reads a `/oauth/2.0/device/code` answer (whatever its status): a usable device code, or a
/// typed error. Pure, so the hostile-server tests and the fuzz targets reach it without HTTP.
pub fn parse_device_code(answer: &Answer, profile: &str) -> Result<DeviceCode> {
    if let Some(e) = answer.error() {
        return Err(e.to_error(profile));
    }
    let bad = || {
        Error::from(GrantError::DeviceCodeUnusable {
            profile: profile.to_owned(),
        })
    };
    let text = crate::baidu::json_object(&answer.body).ok_or_else(bad)?;
    let body: DeviceBody = serde_json::from_str(text).map_err(|_| bad())?;
    let printable = |s: &str| !s.is_empty() && s.len() <= 512 && !s.chars().any(char::is_control);
    let user_code = body
        .user_code
        .map(|c| answer.scrub(&c))
        .filter(|c| printable(c) && c.chars().all(|c| c.is_ascii_alphanumeric()))
        .ok_or_else(bad)?;
    // Shown to the person: server text like any other, so scrubbed like any other.
    let verification_url = body
        .verification_url
        .map(|u| answer.scrub(&u))
        .filter(|u| printable(u) && is_web_url(u))
        .ok_or_else(bad)?;
    Ok(DeviceCode {
        device_code: Code::new(body.device_code.filter(|c| printable(c)).ok_or_else(bad)?),
        user_code,
        verification_url,
        qrcode_url: body
            .qrcode_url
            .map(|u| answer.scrub(&u))
            .filter(|u| printable(u) && is_web_url(u)),
        expires_in: body.expires_in.filter(|&e| e > 0).unwrap_or(300).min(3600),
        interval: body
            .interval
            .unwrap_or(MIN_POLL_INTERVAL)
            .clamp(MIN_POLL_INTERVAL, 60),
    })
}

fn is_web_url(u: &str) -> bool {
    u.starts_with("https://") || u.starts_with("http://")
}

/// One poll of the device flow.
pub enum Poll {
    Pending,
    SlowDown,
    Done(Fresh),
}

/// Polls once. Declined, expired or invalid codes end the flow with exit 3.
fn poll(
    client: &Client,
    profile: &Profile,
    secret: &SecretKey,
    device: &DeviceCode,
) -> Result<Poll> {
    let answer = oauth::post(
        client,
        profile,
        "device-poll",
        Retry::Never,
        &[
            ("grant_type", "device_token"),
            ("code", device.device_code.expose()),
            ("client_id", profile.app_key.as_str()),
            ("client_secret", secret.expose()),
        ],
    )?;
    parse_poll(&answer, profile.name.as_str(), Utc::now())
}

/// Reads one answer to a device poll: still pending, slow down, or the token. Declined,
/// expired or invalid codes are exit 3; anything else is [`parse_token`]'s reading.
pub fn parse_poll(answer: &Answer, name: &str, now: DateTime<Utc>) -> Result<Poll> {
    if let Some(e) = answer.error() {
        return match e.code.as_str() {
            "authorization_pending" => Ok(Poll::Pending),
            "slow_down" => Ok(Poll::SlowDown),
            "authorization_declined" | "access_denied" => Err(GrantError::AuthorizationDeclined {
                profile: name.to_owned(),
            }
            .into()),
            "expired_token" | "invalid_grant" => Err(GrantError::DeviceCodeRefused {
                profile: name.to_owned(),
                said: e.said(),
            }
            .into()),
            _ => Err(e.to_error(name)),
        };
    }
    parse_token(answer, name, now, true).map(Poll::Done)
}

/// Exchanges an authorization code (single use; the same `redirect_uri` as the authorize step).
fn exchange_code(
    client: &Client,
    profile: &Profile,
    secret: &SecretKey,
    code: &Code,
    redirect_uri: &str,
) -> Result<Fresh> {
    oauth::fetch(
        client,
        profile,
        "code-exchange",
        Retry::ConnectOnly,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("client_id", profile.app_key.as_str()),
            ("client_secret", secret.expose()),
            ("redirect_uri", redirect_uri),
        ],
        true,
    )
    .map_err(|e| {
        if e.exit_code() == 3 {
            e.note(Note::CodesAreSingleUse)
        } else {
            e
        }
    })
}

/// The page where a person authorizes the app.
fn authorize_url(profile: &Profile, redirect_uri: &str, state: Option<&str>) -> String {
    let mut url = reqwest::Url::parse(&format!("{}{AUTHORIZE_PATH}", profile.endpoint))
        .expect("validated endpoint");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &profile.app_key)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", scope(profile))
            .append_pair("display", "page");
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    url.to_string()
}

/// Makes a user code safe to print (it comes from the server).
fn shown(s: &str) -> String {
    sanitize(s)
}
