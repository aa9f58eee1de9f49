//! `/oauth/2.0/token`: client authentication, grant dispatch, and the two grants that live
//! nowhere else (`client_credentials`, `refresh_token`). The code and device grants are in
//! `authorize.rs` and `device.rs`, next to the endpoints that issue what they consume.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::apps::App;
use super::clock::after;
use super::params::Params;
use super::reply::{self, OAuthError};
use super::settings::Grant;
use super::state::{
    AccessRecord, RefreshRecord, RefreshStatus, Shared, State, TokenKind, parse_scope, scope_string,
};
use super::{authorize, device, tokens};
use broker_wire as wire;

/// The success body of the netdisk grants, field for field as Baidu sends it.
#[derive(Debug, Serialize)]
pub(crate) struct NetdiskTokenBody {
    pub expires_in: u64,
    pub refresh_token: String,
    pub access_token: String,
    pub session_secret: String,
    pub session_key: String,
    pub scope: String,
}

/// The success body of `client_credentials` (AI Open Platform).
#[derive(Debug, Serialize)]
pub(crate) struct AiTokenBody {
    pub refresh_token: String,
    pub expires_in: u64,
    pub scope: String,
    pub session_key: String,
    pub access_token: String,
    pub session_secret: String,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum TokenBody {
    Netdisk(NetdiskTokenBody),
    Ai(AiTokenBody),
}

/// GET (query) or POST (query and/or form body).
pub(crate) async fn handle(
    Extract(shared): Extract<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::from_request(uri.query(), &headers, &body);
    let mut st = shared.lock();
    match exchange(&mut st, &params) {
        Ok(body) => {
            st.counters.tokens_issued += 1;
            st.prune();
            reply::json(StatusCode::OK, &body)
        }
        Err(e) => {
            st.counters.record_error(e.error);
            e.into_response()
        }
    }
}

/// The whole token request: which grant, which client, then the grant's own rules.
pub(crate) fn exchange(st: &mut State, p: &Params) -> Result<TokenBody, OAuthError> {
    let grant_type = p
        .non_empty("grant_type")
        .ok_or_else(|| OAuthError::missing("grant_type"))?;
    let grant = Grant::parse(grant_type).ok_or_else(|| {
        OAuthError::new(
            wire::code::UNSUPPORTED_GRANT_TYPE,
            "The authorization grant type is not supported",
        )
    })?;
    let app = authenticate(st, p)?;
    if !app.allows(grant) {
        return Err(OAuthError::unauthorized_client());
    }
    let now = st.clock.now();
    match grant {
        Grant::ClientCredentials => Ok(client_credentials(st, &app, now)),
        Grant::AuthorizationCode => authorize::exchange_code(st, p, &app, now),
        Grant::DeviceToken => device::poll(st, p, &app, now),
        Grant::RefreshToken => refresh(st, p, &app, now),
    }
}

/// The two `invalid_client` answers, which tell a wrong AppKey from a wrong SecretKey.
fn authenticate(st: &State, p: &Params) -> Result<App, OAuthError> {
    let app = st.app_for(p)?;
    if p.get("client_secret") != Some(app.client_secret.as_str()) {
        return Err(OAuthError::client_auth_failed());
    }
    Ok(app.clone())
}

/// AI semantics: a fresh token each time, earlier ones stay valid, the refresh token is
/// decoration (it is not stored, so presenting it answers `invalid refresh token`).
fn client_credentials(st: &mut State, app: &App, now: DateTime<Utc>) -> TokenBody {
    let lifetime = st.settings.access_token_secs(Grant::ClientCredentials);
    let expires_at = after(now, lifetime);
    let app_number = tokens::app_number(&app.client_id);
    let uid = app_number % 900_000 + 100_000;
    let access_token = tokens::ai("24", lifetime, expires_at.timestamp(), uid, app_number);
    let refresh_life = 315_360_000;
    let refresh_token = tokens::ai(
        "25",
        refresh_life,
        after(now, refresh_life).timestamp(),
        uid,
        app_number,
    );
    st.access.insert(
        access_token.clone(),
        AccessRecord {
            owner: app.client_id.clone(),
            kind: TokenKind::Ai,
            expires_at,
            revoked: false,
        },
    );
    TokenBody::Ai(AiTokenBody {
        refresh_token,
        expires_in: lifetime,
        scope: app.ai_scope().to_string(),
        session_key: tokens::session_key(),
        access_token,
        session_secret: tokens::hex(32),
    })
}

/// Single-use, rotating refresh tokens (baidu-oauth.md §2 "Refresh tokens").
fn refresh(
    st: &mut State,
    p: &Params,
    app: &App,
    now: DateTime<Utc>,
) -> Result<TokenBody, OAuthError> {
    let invalid = || OAuthError::new(wire::code::INVALID_REQUEST, "invalid refresh token");
    let presented = p.non_empty("refresh_token").ok_or_else(invalid)?;
    let record = st.refresh.get(presented).ok_or_else(invalid)?.clone();
    if record.client_id != app.client_id {
        return Err(OAuthError::revoked());
    }
    match record.status {
        RefreshStatus::Used => {
            st.counters.refresh_reuse += 1;
            return Err(OAuthError::new(
                wire::code::EXPIRED_TOKEN,
                "refresh token has been used",
            ));
        }
        RefreshStatus::Revoked => return Err(OAuthError::revoked()),
        RefreshStatus::Live => {}
    }
    if now >= record.expires_at {
        return Err(OAuthError::new(
            wire::code::INVALID_GRANT,
            "refresh token has expired",
        ));
    }
    let scope = match p.non_empty("scope") {
        None => record.scope.clone(),
        Some(requested) => {
            let requested = parse_scope(requested);
            if !requested.iter().all(|s| record.scope.contains(s)) {
                return Err(OAuthError::new(
                    wire::code::INVALID_SCOPE,
                    "The requested scope is exceeds the scope granted by the resource owner",
                ));
            }
            requested
        }
    };
    if let Some(rec) = st.refresh.get_mut(presented) {
        rec.status = RefreshStatus::Used;
    }
    if st.settings.refresh_revokes_old_access
        && let Some(old) = st.access.get_mut(&record.access_token)
    {
        old.revoked = true;
    }
    Ok(issue_netdisk(
        st,
        &app.client_id,
        &scope,
        Grant::RefreshToken,
        now,
    ))
}

/// Issues and remembers a netdisk access + refresh token pair.
pub(crate) fn issue_netdisk(
    st: &mut State,
    client_id: &str,
    scope: &[String],
    grant: Grant,
    now: DateTime<Utc>,
) -> TokenBody {
    let lifetime = st.settings.access_token_secs(grant);
    let access_token = tokens::netdisk_access();
    let refresh_token = tokens::netdisk_refresh();
    st.access.insert(
        access_token.clone(),
        AccessRecord {
            owner: client_id.to_string(),
            kind: TokenKind::Netdisk,
            expires_at: after(now, lifetime),
            revoked: false,
        },
    );
    st.refresh.insert(
        refresh_token.clone(),
        RefreshRecord {
            client_id: client_id.to_string(),
            scope: scope.to_vec(),
            expires_at: after(now, st.settings.refresh_token_secs),
            status: RefreshStatus::Live,
            access_token: access_token.clone(),
        },
    );
    TokenBody::Netdisk(NetdiskTokenBody {
        expires_in: lifetime,
        refresh_token,
        access_token,
        session_secret: String::new(),
        session_key: String::new(),
        scope: scope_string(scope),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::App;

    fn state() -> State {
        let mut st = State::default();
        st.register_app(App::new("id", "secret"));
        st
    }

    fn params(s: &str) -> Params {
        Params::from_query(Some(s))
    }

    fn err(r: Result<TokenBody, OAuthError>) -> (u16, &'static str) {
        let e = r.expect_err("an error");
        (e.status.as_u16(), e.error)
    }

    #[test]
    fn client_authentication_errors() {
        let mut st = state();
        let table = [
            (
                "grant_type=client_credentials&client_id=nope&client_secret=secret",
                (401, "invalid_client"),
            ),
            (
                "grant_type=client_credentials&client_secret=secret",
                (401, "invalid_client"),
            ),
            (
                "grant_type=client_credentials&client_id=id&client_secret=wrong",
                (401, "invalid_client"),
            ),
            (
                "grant_type=client_credentials&client_id=id",
                (401, "invalid_client"),
            ),
            (
                "grant_type=password&client_id=id&client_secret=secret",
                (400, "unsupported_grant_type"),
            ),
            (
                "client_id=id&client_secret=secret",
                (400, "invalid_request"),
            ),
        ];
        for (query, want) in table {
            assert_eq!(err(exchange(&mut st, &params(query))), want, "{query}");
        }
        let e = exchange(
            &mut st,
            &params("grant_type=client_credentials&client_id=id&client_secret=wrong"),
        )
        .unwrap_err();
        assert_eq!(e.description, "Client authentication failed");
    }

    #[test]
    fn a_grant_the_app_may_not_use_is_unauthorized_client() {
        let mut st = State::default();
        st.register_app(App::new("id", "secret").with_grants(&[Grant::DeviceToken]));
        let got = err(exchange(
            &mut st,
            &params("grant_type=client_credentials&client_id=id&client_secret=secret"),
        ));
        assert_eq!(got, (400, "unauthorized_client"));
    }

    #[test]
    fn refresh_tokens_rotate_and_are_single_use() {
        let mut st = state();
        let now = st.clock.now();
        let TokenBody::Netdisk(first) = issue_netdisk(
            &mut st,
            "id",
            &parse_scope("basic,netdisk"),
            Grant::DeviceToken,
            now,
        ) else {
            panic!("netdisk body")
        };
        let q = format!(
            "grant_type=refresh_token&client_id=id&client_secret=secret&refresh_token={}",
            first.refresh_token
        );
        let TokenBody::Netdisk(second) = exchange(&mut st, &params(&q)).unwrap() else {
            panic!("netdisk body")
        };
        assert_ne!(second.refresh_token, first.refresh_token);
        assert_eq!(second.scope, "basic netdisk");
        assert_eq!(err(exchange(&mut st, &params(&q))), (400, "expired_token"));
        assert_eq!(st.counters.refresh_reuse, 1);

        let narrowed = format!(
            "grant_type=refresh_token&client_id=id&client_secret=secret&scope=netdisk&refresh_token={}",
            second.refresh_token
        );
        let widened = narrowed.replace("scope=netdisk", "scope=basic,super");
        assert_eq!(
            err(exchange(&mut st, &params(&widened))),
            (400, "invalid_scope")
        );
        let TokenBody::Netdisk(third) = exchange(&mut st, &params(&narrowed)).unwrap() else {
            panic!("netdisk body")
        };
        assert_eq!(third.scope, "netdisk");

        let unknown =
            "grant_type=refresh_token&client_id=id&client_secret=secret&refresh_token=122.nope";
        assert_eq!(
            err(exchange(&mut st, &params(unknown))),
            (400, "invalid_request")
        );
    }

    /// baidu-aip uses a token only when its scope lists `brain_all_scope` (`_isPermission`);
    /// without it the SDK silently falls back to AK/SK signing.
    #[test]
    fn ai_tokens_carry_brain_all_scope_and_a_per_app_scope() {
        let mut st = state();
        st.register_app(App::new("narrow", "secret").with_scope("public wise_adapt"));
        let scope_of = |st: &mut State, id: &str| {
            let q = format!("grant_type=client_credentials&client_id={id}&client_secret=secret");
            let TokenBody::Ai(body) = exchange(st, &params(&q)).unwrap() else {
                panic!("ai body")
            };
            body.scope
        };
        let default = scope_of(&mut st, "id");
        let words: Vec<&str> = default.split(' ').collect();
        assert_eq!(words[..2], ["public", "brain_all_scope"], "{default}");
        assert!(words.contains(&"wise_adapt"), "{default}");
        assert_eq!(scope_of(&mut st, "narrow"), "public wise_adapt");
    }

    #[test]
    fn absurd_lifetimes_do_not_overflow() {
        let mut st = state();
        st.settings
            .access_token_secs
            .insert(Grant::ClientCredentials, u64::MAX);
        let q = "grant_type=client_credentials&client_id=id&client_secret=secret";
        let TokenBody::Ai(body) = exchange(&mut st, &params(q)).unwrap() else {
            panic!("ai body")
        };
        assert_eq!(body.expires_in, u64::MAX);
        assert!(st.access[&body.access_token].is_live(st.clock.now()));
    }
}
