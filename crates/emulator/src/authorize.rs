//! `/oauth/2.0/authorize` (the browser step of the authorization-code flow) and the
//! `authorization_code` grant that spends its codes.
//!
//! There is no login page: an emulated user answers at once, approving unless the admin API
//! said to decline. A code is single use, lives 10 minutes by default, and must be exchanged
//! with the `redirect_uri` it was issued for.

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::apps::App;
use super::clock::after;
use super::params::Params;
use super::reply::{self, OAuthError};
use super::settings::{Decision, Grant};
use super::state::{CodeRecord, Shared, State, parse_scope};
use super::token::{TokenBody, issue_netdisk};
use super::tokens;
use broker_wire as wire;
use broker_wire::sign::encode;

/// The `redirect_uri` that asks Baidu to show the code on a page instead of redirecting.
pub(crate) const OOB: &str = "oob";

/// What the emulated user's answer turns into.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// `redirect_uri=oob`, approved: a page with the code in its title and body.
    OobCode(String),
    /// `redirect_uri=oob`, declined.
    OobDenied,
    /// A 302 to the client's callback.
    Redirect(String),
}

pub(crate) async fn handle(Extract(shared): Extract<Arc<Shared>>, uri: Uri) -> Response {
    let params = Params::from_query(uri.query());
    let mut st = shared.lock();
    match authorize(&mut st, &params) {
        Ok(outcome) => respond(outcome),
        Err(e) => {
            st.counters.record_error(e.error);
            e.into_response()
        }
    }
}

pub(crate) fn authorize(st: &mut State, p: &Params) -> Result<Outcome, OAuthError> {
    if p.get("response_type") != Some("code") {
        return Err(OAuthError::new(
            "unsupported_response_type",
            "The authorization server does not support obtaining an authorization code using this method",
        ));
    }
    let app = st.app_for(p)?.clone();
    let redirect_uri = p
        .non_empty("redirect_uri")
        .ok_or_else(|| OAuthError::missing("redirect_uri"))?;
    let registered_elsewhere = app
        .redirect_uri
        .as_deref()
        .is_some_and(|r| r != redirect_uri);
    if redirect_uri != OOB && registered_elsewhere {
        return Err(OAuthError::new(
            "redirect_uri_mismatch",
            "Invalid redirect uri",
        ));
    }
    if !app.allows(Grant::AuthorizationCode) {
        return Err(OAuthError::unauthorized_client());
    }
    let state_param = p.get("state");
    let oob = redirect_uri == OOB;

    if st.settings.authorize == Decision::Decline {
        if oob {
            return Ok(Outcome::OobDenied);
        }
        let mut query = vec![("error", wire::code::ACCESS_DENIED)];
        query.extend(state_param.map(|s| ("state", s)));
        return Ok(Outcome::Redirect(with_query(redirect_uri, &query)));
    }

    let code = tokens::code();
    let scope = p
        .non_empty("scope")
        .map(parse_scope)
        .unwrap_or_else(|| vec!["basic".to_string()]);
    let now = st.clock.now();
    let expires_at = after(now, st.settings.code_secs);
    st.codes.insert(
        code.clone(),
        CodeRecord {
            client_id: app.client_id.clone(),
            redirect_uri: redirect_uri.to_string(),
            scope,
            expires_at,
            used: false,
        },
    );
    if oob {
        return Ok(Outcome::OobCode(code));
    }
    let mut query = vec![("code", code.as_str())];
    query.extend(state_param.map(|s| ("state", s)));
    Ok(Outcome::Redirect(with_query(redirect_uri, &query)))
}

fn respond(outcome: Outcome) -> Response {
    match outcome {
        Outcome::OobCode(code) => reply::html(
            StatusCode::OK,
            &code,
            &format!(
                "<h1>授权成功 Authorization succeeded</h1>\n<p>Copy this authorization code into the application:</p>\n<p><code id=\"code\">{code}</code></p>\n<p>It expires in 10 minutes and can be used once.</p>"
            ),
        ),
        Outcome::OobDenied => reply::html(
            StatusCode::OK,
            wire::code::ACCESS_DENIED,
            "<h1>Authorization declined</h1>\n<p>error: <code id=\"error\">access_denied</code></p>",
        ),
        // A callback carrying bytes that cannot be a header value gets Baidu's error shape
        // rather than a panic.
        Outcome::Redirect(location) => match HeaderValue::from_str(&location) {
            Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
            Err(_) => {
                OAuthError::new("redirect_uri_mismatch", "Invalid redirect uri").into_response()
            }
        },
    }
}

/// Appends query parameters to a callback that may already have a query of its own.
fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    let (base, fragment) = base
        .split_once('#')
        .map_or((base, None), |(b, f)| (b, Some(f)));
    let sep = if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let mut out = format!("{base}{sep}{}", query.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The `authorization_code` grant.
pub(crate) fn exchange_code(
    st: &mut State,
    p: &Params,
    app: &App,
    now: DateTime<Utc>,
) -> Result<TokenBody, OAuthError> {
    let code = p
        .non_empty("code")
        .ok_or_else(|| OAuthError::missing("code"))?;
    let record = match st.codes.get(code) {
        Some(r) if r.client_id == app.client_id => r.clone(),
        _ => {
            return Err(OAuthError::new(
                wire::code::INVALID_GRANT,
                "Invalid authorization code",
            ));
        }
    };
    if record.used {
        return Err(OAuthError::new(
            wire::code::INVALID_GRANT,
            "authorization code has been used",
        ));
    }
    if now >= record.expires_at {
        return Err(OAuthError::new(
            wire::code::INVALID_GRANT,
            "authorization code has expired",
        ));
    }
    if p.get("redirect_uri") != Some(record.redirect_uri.as_str()) {
        return Err(OAuthError::new(
            wire::code::INVALID_GRANT,
            "redirect_uri does not match the authorization request",
        ));
    }
    if let Some(r) = st.codes.get_mut(code) {
        r.used = true;
    }
    Ok(issue_netdisk(
        st,
        &app.client_id,
        &record.scope,
        Grant::AuthorizationCode,
        now,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        let mut st = State::default();
        st.register_app(App::new("id", "secret"));
        st.register_app(App::new("fixed", "secret").with_redirect_uri("http://127.0.0.1:9/cb"));
        st
    }

    #[test]
    fn approve_redirects_with_code_and_state() {
        let mut st = state();
        let p = Params::from_query(Some(
            "response_type=code&client_id=id&redirect_uri=http%3A%2F%2Fx%2Fcb%3Fa%3D1&state=s%201",
        ));
        let Outcome::Redirect(location) = authorize(&mut st, &p).unwrap() else {
            panic!("redirect")
        };
        assert!(location.starts_with("http://x/cb?a=1&code="), "{location}");
        assert!(location.ends_with("&state=s%201"), "{location}");
    }

    #[test]
    fn decline_redirects_with_access_denied() {
        let mut st = state();
        st.settings.authorize = Decision::Decline;
        let p = Params::from_query(Some(
            "response_type=code&client_id=id&redirect_uri=http://x/cb&state=abc",
        ));
        assert_eq!(
            authorize(&mut st, &p).unwrap(),
            Outcome::Redirect("http://x/cb?error=access_denied&state=abc".into())
        );
        let p = Params::from_query(Some("response_type=code&client_id=id&redirect_uri=oob"));
        assert_eq!(authorize(&mut st, &p).unwrap(), Outcome::OobDenied);
    }

    #[test]
    fn authorize_errors() {
        let mut st = state();
        let table = [
            ("client_id=id&redirect_uri=oob", "unsupported_response_type"),
            (
                "response_type=code&client_id=nope&redirect_uri=oob",
                "invalid_client",
            ),
            ("response_type=code&client_id=id", "invalid_request"),
            (
                "response_type=code&client_id=fixed&redirect_uri=http://evil/cb",
                "redirect_uri_mismatch",
            ),
        ];
        for (query, want) in table {
            let e = authorize(&mut st, &Params::from_query(Some(query))).unwrap_err();
            assert_eq!(e.error, want, "{query}");
        }
        let p = Params::from_query(Some("response_type=code&client_id=fixed&redirect_uri=oob"));
        assert!(matches!(authorize(&mut st, &p), Ok(Outcome::OobCode(_))));
    }

    #[test]
    fn with_query_keeps_existing_query_and_fragment() {
        assert_eq!(
            with_query("http://h/cb", &[("code", "c")]),
            "http://h/cb?code=c"
        );
        assert_eq!(
            with_query("http://h/cb?x=1", &[("code", "c")]),
            "http://h/cb?x=1&code=c"
        );
        assert_eq!(
            with_query("http://h/cb?", &[("code", "c")]),
            "http://h/cb?code=c"
        );
        assert_eq!(
            with_query("http://h/cb#f", &[("code", "c")]),
            "http://h/cb?code=c#f"
        );
    }
}
