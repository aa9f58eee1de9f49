//! Registered apps: OAuth clients (AppKey + SecretKey) and BCE access-key pairs.
//!
//! The emulator's credentials are fake by construction, but they still print as `****`:
//! a habit that should not depend on knowing which secrets are real.

use serde::{Deserialize, Serialize};

use super::settings::Grant;

/// An OAuth client, for `/oauth/2.0/*`: AI apps (client_credentials) and netdisk apps alike.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    pub client_id: String,
    pub client_secret: String,
    /// The grants this app may use; all of them when absent. Another one answers
    /// `unauthorized_client`.
    #[serde(default)]
    pub grants: Option<Vec<Grant>>,
    /// The registered callback. When set, `/oauth/2.0/authorize` answers
    /// `redirect_uri_mismatch` for any other `redirect_uri` except `oob`.
    #[serde(default)]
    pub redirect_uri: Option<String>,
    /// The `scope` its `client_credentials` (AI Open Platform) tokens carry; [`AI_SCOPE`]
    /// when absent.
    #[serde(default)]
    pub scope: Option<String>,
}

/// The scope a real AI Open Platform app's token carries, as Baidu answers it (gathered from
/// real token answers): `public`, `brain_all_scope` (which the official `baidu-aip` SDK
/// requires before it uses a token at all, in `_isPermission`), then the platform-wide
/// scopes every app gets. Real apps also list one scope per ability they enabled
/// (`brain_ocr_general_basic`, …) after `brain_all_scope`; those vary per app, so the
/// default names none.
pub const AI_SCOPE: &str = "public brain_all_scope wise_adapt lebo_resource_base \
lightservice_public hetu_basic lightcms_map_poi kaidian_kaidian ApsMisTest_Test权限 \
vis-classify_flower lpq_开放 cop_helloScope ApsMis_fangdi_permission smartapp_snsapi_base \
iop_autocar oauth_tp_app smartapp_smart_game_openapi oauth_sessionkey smartapp_swanid_verify \
smartapp_opensource_openapi smartapp_opensource_recapi fake_face_detect_开放Scope \
vis-ocr_虚拟人物助理 idl-video_虚拟人物助理";

impl App {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        App {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            grants: None,
            redirect_uri: None,
            scope: None,
        }
    }

    pub fn with_grants(mut self, grants: &[Grant]) -> Self {
        self.grants = Some(grants.to_vec());
        self
    }

    pub fn with_redirect_uri(mut self, redirect_uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(redirect_uri.into());
        self
    }

    /// The scope its AI tokens carry instead of [`AI_SCOPE`].
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The scope answered with its `client_credentials` tokens.
    pub(crate) fn ai_scope(&self) -> &str {
        self.scope.as_deref().unwrap_or(AI_SCOPE)
    }

    pub(crate) fn allows(&self, grant: Grant) -> bool {
        self.grants.as_ref().is_none_or(|g| g.contains(&grant))
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("client_id", &self.client_id)
            .field("client_secret", &"****")
            .field("grants", &self.grants)
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .finish()
    }
}

/// A BCE AccessKey / SecretKey pair, for `/v1/BCE-BEARER/token`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BceKey {
    pub access_key: String,
    pub secret_key: String,
    /// The `userId` the token answer reports; derived from the access key when absent.
    #[serde(default)]
    pub user_id: Option<String>,
}

impl BceKey {
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        BceKey {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            user_id: None,
        }
    }
}

impl std::fmt::Debug for BceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BceKey")
            .field("access_key", &self.access_key)
            .field("secret_key", &"****")
            .field("user_id", &self.user_id)
            .finish()
    }
}

/// What the admin API lists about an app: never its secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppView {
    pub client_id: String,
    pub grants: Option<Vec<Grant>>,
    pub redirect_uri: Option<String>,
    /// The scope its AI tokens carry.
    pub scope: String,
}

impl From<&App> for AppView {
    fn from(app: &App) -> Self {
        AppView {
            client_id: app.client_id.clone(),
            grants: app.grants.clone(),
            redirect_uri: app.redirect_uri.clone(),
            scope: app.ai_scope().to_string(),
        }
    }
}
