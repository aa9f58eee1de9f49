//! `grant = "api-key"`: a long-lived Qianfan / AppBuilder API key (`bce-v3/ALTAK-…`) kept
//! encrypted as the profile's `secret_key`. It is the token itself: nothing is fetched,
//! stored or rotated, and it has no expiry. `broker secret set` replaces it, and the service
//! then fires the `rotate` hooks and sinks so consumers follow a manual rotation.

use crate::baidu::client::Client;
use crate::config::Profile;
use crate::error::{GrantError, Result};
use crate::grant::{Fresh, Grant};
use crate::secret::SecretKey;

pub struct ApiKey;

impl Grant for ApiKey {
    fn name(&self) -> &'static str {
        "api-key"
    }

    fn about(&self) -> &'static str {
        "a long-lived Qianfan / AppBuilder API key, kept encrypted: no network"
    }

    /// Qianfan's v2 API (OpenAI-compatible under `/v2`), which these keys are used with; broker
    /// never calls it, but the `openai` preset exports it.
    fn default_endpoint(&self) -> &'static str {
        "https://qianfan.baidubce.com"
    }

    fn static_key(&self) -> bool {
        true
    }

    /// Never asked: the service serves the key itself ([`Grant::static_key`]).
    fn fetch(&self, _client: &Client, _profile: &Profile, _secret: &SecretKey) -> Result<Fresh> {
        Err(GrantError::NotRenewable {
            grant: self.name().to_owned(),
        }
        .into())
    }
}
