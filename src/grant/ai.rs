//! `grant = "ai"`: AI Open Platform / Qianfan v1, `client_credentials` (baidu-oauth.md §3).

use crate::baidu::client::{Client, Retry};
use crate::config::Profile;
use crate::error::Result;
use crate::grant::{Fresh, Grant, oauth};
use crate::secret::SecretKey;

pub struct Ai;

impl Grant for Ai {
    fn name(&self) -> &'static str {
        "ai"
    }

    fn about(&self) -> &'static str {
        "AI Open Platform / Qianfan v1: client_credentials"
    }

    fn default_endpoint(&self) -> &'static str {
        "https://aip.baidubce.com"
    }

    /// Safe to retry: fetching again does not invalidate earlier tokens.
    fn fetch(&self, client: &Client, profile: &Profile, secret: &SecretKey) -> Result<Fresh> {
        oauth::fetch(
            client,
            profile,
            "client-credentials",
            Retry::Safe,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", profile.app_key.as_str()),
                ("client_secret", secret.expose()),
            ],
            false,
        )
    }
}
