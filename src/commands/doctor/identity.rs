//! The identity and the recipients: the key loads (never prompting), and it is among the
//! recipients.

use age::x25519;

use super::report::{Report, plural};
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
                format!("{} loads ({})", source.describe(), publics.join(", ")),
            );
            Some(keys)
        }
        Ok(None) => {
            r.warn(
                "identity",
                None,
                format!(
                    "{} is passphrase-protected and `{}` is not set: doctor does not prompt, so secrets and state were not checked",
                    source.describe(),
                    identity::ENV_PASSPHRASE
                ),
                format!("set `{}` to check them too", identity::ENV_PASSPHRASE),
            );
            None
        }
        Err(e) => {
            r.fail_with("identity", None, &e, "run `broker init`");
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
            format!("`[store] recipients` in `{path}` is empty: nothing can be encrypted"),
            "run `broker init`, or add your `age1…` public key to `[store] recipients`",
        );
        return;
    }
    let vault = Vault::new(
        cfg.recipients.clone(),
        IdentitySource::Key(String::new().into()),
    );
    if let Err(e) = vault.check_recipients() {
        r.fail_with("recipients", None, &e, "fix `[store] recipients`");
        return;
    }
    let n = cfg.recipients.len();
    let Some(keys) = keys else {
        r.ok(
            "recipients",
            None,
            format!("{n} recipient{} parse", plural(n)),
        );
        return;
    };
    let listed: Vec<&str> = cfg.recipients.iter().map(|s| s.trim()).collect();
    let publics: Vec<String> = keys.iter().map(|k| k.to_public().to_string()).collect();
    if publics.iter().any(|p| listed.contains(&p.as_str())) {
        r.ok(
            "recipients",
            None,
            format!("{n} recipient{}, this identity among them", plural(n)),
        );
    } else {
        let mine = publics.first().map_or("", String::as_str);
        r.fail(
            "recipients",
            None,
            Kind::Store,
            format!(
                "this identity (`{mine}`) is not among the {n} `[store] recipients` of `{path}`: what broker encrypts from now on is unreadable by you, and what others encrypted may be too"
            ),
            format!(
                "add `{mine}` to `[store] recipients`, then run `broker secret rekey` with an identity that can read the current secrets"
            ),
        );
    }
}
