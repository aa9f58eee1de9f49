//! `grant = "ai"`: AI Open Platform / Qianfan v1, `client_credentials` (baidu-oauth.md §3).

use chrono::Utc;

use crate::baidu::client::{Client, Retry};
use crate::config::Profile;
use crate::error::Result;
use crate::grant::{Fresh, parse_token};
use crate::secret::SecretKey;

pub const TOKEN_PATH: &str = broker_wire::path::TOKEN;

/// Fetches a token. Safe to retry: fetching again does not invalidate earlier tokens.
pub fn fetch(client: &Client, profile: &Profile, secret: &SecretKey) -> Result<Fresh> {
    let url = format!("{}{TOKEN_PATH}", profile.endpoint);
    // The SecretKey travels in the POST body, never in the URL.
    let answer = client.send(
        &format!("client_credentials for `{}`", profile.name),
        Retry::Safe,
        |http| {
            http.post(&url).form(&[
                ("grant_type", "client_credentials"),
                ("client_id", profile.app_key.as_str()),
                ("client_secret", secret.expose()),
            ])
        },
    )?;
    parse_token(&answer, profile.name.as_str(), Utc::now(), false)
}
