//! `preset = "…"` on a profile: the variables one consumer tool reads, so a profile can feed
//! it without an `[env]` table. docs/presets.md lists each preset's variables with the source
//! they were taken from, and the grants it fits. A preset never exports a long-lived SecretKey:
//! only tokens, API keys (which are the token of an `api-key` profile) and STS temporary
//! credentials. `[env]` entries of the same name win.

use serde::{Deserialize, Serialize};

use crate::config::Profile;
use crate::shell::Var;
use crate::store::TokenState;

/// The tools broker has presets for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::VariantNames)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Preset {
    /// OpenAI clients, pointed at Qianfan's OpenAI-compatible v2 API.
    Openai,
    /// The Qianfan SDK.
    Qianfan,
    /// The AppBuilder SDK.
    Appbuilder,
    /// The BCE command-line tools and SDKs that read `BCE_*` credentials.
    BceCli,
    /// terraform-provider-baiducloud.
    Terraform,
}

/// Qianfan's OpenAI-compatible API, for a `bce` profile (whose endpoint is IAM's).
pub const QIANFAN_OPENAI_BASE: &str = "https://qianfan.baidubce.com/v2";

impl Preset {
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Openai => "openai",
            Preset::Qianfan => "qianfan",
            Preset::Appbuilder => "appbuilder",
            Preset::BceCli => "bce-cli",
            Preset::Terraform => "terraform",
        }
    }

    /// The grants this preset fits, by name.
    pub fn grants(self) -> &'static [&'static str] {
        match self {
            Preset::Openai | Preset::Appbuilder => &["api-key", "bce"],
            Preset::BceCli | Preset::Terraform => &["sts"],
            Preset::Qianfan => &["ai", "netdisk", "bce", "sts", "api-key"],
        }
    }

    pub fn fits(self, grant: &str) -> bool {
        self.grants().contains(&grant)
    }

    /// The names this preset exports for a profile of `grant` (with no value computed).
    pub fn names(self, grant: &str) -> &'static [&'static str] {
        match (self, grant) {
            (Preset::Openai, _) => &["OPENAI_API_KEY", "OPENAI_BASE_URL"],
            (Preset::Qianfan, "bce" | "api-key") => &["QIANFAN_BEARER_TOKEN"],
            // The SDK reads no session token, so STS credentials are no use to it.
            (Preset::Qianfan, "sts") => &[],
            (Preset::Qianfan, _) => &["QIANFAN_ACCESS_TOKEN"],
            (Preset::Appbuilder, _) => &["APPBUILDER_TOKEN"],
            (Preset::BceCli, _) => &[
                "BCE_ACCESS_KEY_ID",
                "BCE_SECRET_ACCESS_KEY",
                "BCE_SESSION_TOKEN",
            ],
            (Preset::Terraform, _) => &["BAIDUCLOUD_ACCESS_KEY", "BAIDUCLOUD_SECRET_KEY"],
        }
    }

    /// The variables for the token in `state` (a preset the grant fits: checked at load).
    pub fn variables(self, profile: &Profile, state: &TokenState) -> Vec<Var> {
        let grant = profile.grant.as_str();
        let token = state.access_token.expose();
        let names = self.names(grant);
        let sts = state.sts.as_ref();
        let values: Vec<(String, bool)> = match self {
            Preset::Openai => vec![
                (token.to_owned(), true),
                (
                    if profile.grant.static_key() {
                        format!("{}/v2", profile.endpoint)
                    } else {
                        QIANFAN_OPENAI_BASE.to_owned()
                    },
                    false,
                ),
            ],
            Preset::Qianfan | Preset::Appbuilder => {
                names.iter().map(|_| (token.to_owned(), true)).collect()
            }
            Preset::BceCli => match sts {
                Some(k) => vec![
                    (k.access_key_id.clone(), false),
                    (k.secret_access_key.expose().to_owned(), true),
                    (token.to_owned(), true),
                ],
                None => Vec::new(),
            },
            Preset::Terraform => match sts {
                Some(k) => vec![
                    (k.access_key_id.clone(), false),
                    (k.secret_access_key.expose().to_owned(), true),
                ],
                None => Vec::new(),
            },
        };
        names
            .iter()
            .zip(values)
            .map(|(name, (value, secret))| Var::new(*name, value, secret))
            .collect()
    }
}
