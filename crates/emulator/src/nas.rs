//! `/rest/2.0/xpan/nas?method=uinfo&access_token=…`: the netdisk token check.
//!
//! Like Baidu, a bad token is not an HTTP error: the answer is HTTP 200 with
//! `{"errno":-6,"errmsg":"Invalid Bduss"}`, for unknown, revoked and expired tokens alike.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use super::params::Params;
use super::reply;
use super::state::{Shared, State, TokenKind};

/// The emulated Baidu user behind every netdisk token.
pub(crate) const USER_NAME: &str = "emulator_user";
pub(crate) const USER_UK: u64 = 2_982_475_104;

#[derive(Debug, Serialize)]
pub(crate) struct UinfoBody {
    pub avatar_url: String,
    pub baidu_name: String,
    pub errmsg: String,
    pub errno: i64,
    pub netdisk_name: String,
    pub request_id: String,
    pub uk: u64,
    pub vip_type: u8,
}

pub(crate) async fn handle(
    Extract(shared): Extract<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::from_request(uri.query(), &headers, &body);
    let mut st = shared.lock();
    match uinfo(&st, &params) {
        Ok(body) => reply::json(StatusCode::OK, &body),
        Err((errno, errmsg)) => {
            st.counters.record_error(&format!("errno:{errno}"));
            reply::json(
                StatusCode::OK,
                &json!({ "errno": errno, "errmsg": errmsg, "request_id": request_id() }),
            )
        }
    }
}

pub(crate) fn uinfo(st: &State, p: &Params) -> Result<UinfoBody, (i64, &'static str)> {
    let now = st.clock.now();
    let live = p
        .non_empty("access_token")
        .and_then(|t| st.access.get(t))
        .is_some_and(|rec| rec.kind == TokenKind::Netdisk && rec.is_live(now));
    if !live {
        return Err((-6, "Invalid Bduss"));
    }
    if p.get("method") != Some("uinfo") {
        return Err((2, "param error: the emulator serves method=uinfo only"));
    }
    Ok(UinfoBody {
        avatar_url: "https://dss0.bdstatic.com/7Ls0a8Sm1A5BphGlnYG/sys/portrait/item/netdisk.1.3d20c095.phlucxvny00WCx9W4kLifw.jpg".into(),
        baidu_name: USER_NAME.into(),
        errmsg: "succ".into(),
        errno: 0,
        netdisk_name: USER_NAME.into(),
        request_id: request_id(),
        uk: USER_UK,
        vip_type: 0,
    })
}

/// Netdisk request ids are long decimal numbers.
fn request_id() -> String {
    let hex = super::tokens::hex(15);
    u64::from_str_radix(&hex, 16)
        .map(|n| n.to_string())
        .unwrap_or(hex)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::AccessRecord;
    use chrono::Duration;

    #[test]
    fn only_live_netdisk_tokens_pass() {
        let mut st = State::default();
        let now = st.clock.now();
        let rec = |kind, secs: i64, revoked| AccessRecord {
            owner: "id".into(),
            kind,
            expires_at: now + Duration::seconds(secs),
            revoked,
        };
        st.access
            .insert("good".into(), rec(TokenKind::Netdisk, 60, false));
        st.access
            .insert("expired".into(), rec(TokenKind::Netdisk, -1, false));
        st.access
            .insert("revoked".into(), rec(TokenKind::Netdisk, 60, true));
        st.access.insert("ai".into(), rec(TokenKind::Ai, 60, false));
        let check = |token: &str| {
            uinfo(
                &st,
                &Params::from_query(Some(&format!("method=uinfo&access_token={token}"))),
            )
        };
        assert_eq!(check("good").unwrap().uk, USER_UK);
        for bad in ["expired", "revoked", "ai", "unknown", ""] {
            assert_eq!(check(bad).unwrap_err(), (-6, "Invalid Bduss"), "{bad}");
        }
        let other = uinfo(
            &st,
            &Params::from_query(Some("method=list&access_token=good")),
        );
        assert_eq!(other.unwrap_err().0, 2);
    }
}
