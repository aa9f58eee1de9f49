//! The identity and the recipients: the key loads (never prompting), and it is among the
//! recipients.

use age::x25519;

use super::report::Report;
use crate::config::Config;
use crate::error::Kind;
use crate::store::Vault;
use crate::store::identity::{self, IdentitySource};

/// The identity is found and loads, without ever asking for a passphrase.
pub(super) fn check_identity(
    source: &IdentitySource,
    r: &mut Report,
) -> Option<Vec<x25519::Identity>> {
    match identity::load_without_prompt(source) {
        Ok(Some(keys)) => {
            let publics: Vec<String> = keys.iter().map(|k| k.to_public().to_string()).collect();
            r.ok(
                "identity",
                None,
                crate::t!(
                    "ui-doctor-identity-ok",
                    identity = source.describe(),
                    keys = publics.join(", ")
                ),
            );
            Some(keys)
        }
        Ok(None) => {
            r.warn(
                "identity",
                None,
                crate::t!(
                    "ui-doctor-identity-passphrase",
                    identity = source.describe(),
                    var = identity::ENV_PASSPHRASE
                ),
                crate::t!(
                    "ui-doctor-identity-passphrase-fix",
                    var = identity::ENV_PASSPHRASE
                ),
            );
            None
        }
        Err(e) => {
            r.fail_with("identity", None, &e, &crate::t!("ui-doctor-identity-fix"));
            None
        }
    }
}

/// Recipients exist, parse, and include this identity.
pub(super) fn check_recipients(cfg: &Config, keys: Option<&[x25519::Identity]>, r: &mut Report) {
    let path = cfg.paths.config.display();
    if cfg.recipients.is_empty() {
        r.fail(
            "recipients",
            None,
            Kind::Store,
            crate::t!("ui-doctor-recipients-empty", path = path.to_string()),
            crate::t!("ui-doctor-recipients-empty-fix"),
        );
        return;
    }
    let vault = Vault::new(
        cfg.recipients.clone(),
        IdentitySource::Key(String::new().into()),
    );
    if let Err(e) = vault.check_recipients() {
        r.fail_with(
            "recipients",
            None,
            &e,
            &crate::t!("ui-doctor-recipients-fix"),
        );
        return;
    }
    let n = cfg.recipients.len();
    let Some(keys) = keys else {
        r.ok(
            "recipients",
            None,
            crate::t!("ui-doctor-recipients-parse", count = n),
        );
        return;
    };
    let listed: Vec<&str> = cfg.recipients.iter().map(|s| s.trim()).collect();
    let publics: Vec<String> = keys.iter().map(|k| k.to_public().to_string()).collect();
    if publics.iter().any(|p| listed.contains(&p.as_str())) {
        r.ok(
            "recipients",
            None,
            crate::t!("ui-doctor-recipients-ok", count = n),
        );
    } else {
        let mine = publics.first().map_or("", String::as_str);
        r.fail(
            "recipients",
            None,
            Kind::Store,
            crate::t!(
                "ui-doctor-recipients-without-me",
                key = mine,
                count = n,
                path = path.to_string()
            ),
            crate::t!("ui-doctor-recipients-without-me-fix", key = mine),
        );
    }
}
