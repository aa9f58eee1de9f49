//! `[store] backend = "redis"`: the server's URL (its password masked wherever it is shown),
//! the key prefix, and how long a local copy is trusted without asking Redis.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::errors;
use crate::error::Result;

/// The key prefix when the config names none.
pub const DEFAULT_PREFIX: &str = "broker";

/// What the Redis backend needs from the config.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisSettings {
    pub url: RedisUrl,
    /// The key namespace, e.g. one per team: letters, digits, `-`, `_`, `.`.
    pub prefix: String,
    /// How long a local copy validated against Redis is served without asking again
    /// (`[store] cache_window`; 0, the default, asks every time: one GET of a small key).
    pub cache_window: Duration,
}

impl RedisSettings {
    /// From the `[store]` table; `env_url` (`BROKER_REDIS_URL`) overrides `url`.
    pub fn from_config(
        url: Option<&str>,
        env_url: Option<&str>,
        prefix: Option<&str>,
        cache_window: Option<Duration>,
        cfg_path: &str,
    ) -> Result<Self> {
        let url = match (env_url.filter(|u| !u.is_empty()), url) {
            (Some(u), _) => RedisUrl::parse(u, crate::env_vars::BROKER_REDIS_URL)?,
            (None, Some(u)) => RedisUrl::parse(u, &format!("[store] url` in `{cfg_path}"))?,
            (None, None) => return Err(errors::no_url(cfg_path)),
        };
        let prefix = prefix.unwrap_or(DEFAULT_PREFIX);
        if prefix.is_empty()
            || prefix.len() > 64
            || !prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(errors::bad_prefix(prefix, cfg_path));
        }
        Ok(RedisSettings {
            url,
            prefix: prefix.to_owned(),
            cache_window: cache_window.unwrap_or(Duration::ZERO),
        })
    }

    /// A short tag of the server and prefix (never the password), naming the local copies
    /// of this store apart from another's.
    pub fn tag(&self) -> String {
        let digest = Sha256::digest(format!("{}\n{}", self.url.masked(), self.prefix).as_bytes());
        hex::encode(&digest[..6])
    }
}

/// A `redis://` or `rediss://` URL. The password it may hold is shown masked everywhere
/// (`Display`, `Debug`, messages, status, doctor): only [`RedisUrl::secret`] gives it whole,
/// to the client that connects.
#[derive(Clone, PartialEq)]
pub struct RedisUrl {
    full: String,
    masked: String,
    password: Vec<String>,
}

impl RedisUrl {
    /// `from` says where the URL came from, for the error (which never quotes the URL: it
    /// may hold a password).
    pub fn parse(text: &str, from: &str) -> Result<Self> {
        let bad = |why: &'static str| errors::bad_url(from, why);
        let mut url = url::Url::parse(text.trim()).map_err(|_| bad("not-a-url"))?;
        if !matches!(url.scheme(), "redis" | "rediss") {
            return Err(bad("scheme"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("no-host"));
        }
        // Both spellings: a client error may show the password decoded or as written.
        let password: Vec<String> = url
            .password()
            .map(|p| vec![p.to_owned(), percent_decode(p)])
            .unwrap_or_default();
        if !password.is_empty() {
            let _ = url.set_password(Some("****"));
        }
        let masked = url.to_string();
        // Checked now, without connecting, so a URL the client cannot use is a config error.
        redis::Client::open(text.trim()).map_err(|_| bad("client"))?;
        Ok(RedisUrl {
            full: text.trim().to_owned(),
            masked,
            password,
        })
    }

    /// The URL with its password replaced by `****`.
    pub fn masked(&self) -> &str {
        &self.masked
    }

    /// The whole URL, password included: for the client only.
    pub(super) fn secret(&self) -> &str {
        &self.full
    }

    /// Cuts the password out of `text` (a client error may echo what it was given).
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.replace(&self.full, &self.masked);
        for p in self.password.iter().filter(|p| !p.is_empty()) {
            out = out.replace(p.as_str(), "****");
        }
        out
    }

    pub fn is_tls(&self) -> bool {
        self.full.starts_with("rediss:")
    }
}

/// `%40` → `@`: a password in a URL is percent-encoded, and a client error may show either.
fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}

impl std::fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked)
    }
}

impl std::fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedisUrl({})", self.masked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_masked_in_every_rendering() {
        let u = RedisUrl::parse("rediss://ci:s3cr%40t@redis.example:6380/2", "test").unwrap();
        assert_eq!(u.masked(), "rediss://ci:****@redis.example:6380/2");
        for shown in [
            u.to_string(),
            format!("{u:?}"),
            u.scrub("auth s3cr@t failed: s3cr%40t"),
        ] {
            assert!(!shown.contains("s3cr"), "{shown}");
        }
        assert!(u.is_tls());
        let s =
            RedisSettings::from_config(Some("redis://127.0.0.1/0"), None, None, None, "c").unwrap();
        assert!(!format!("{s:?}").contains("s3cr"));
        assert_eq!(s.prefix, "broker");
    }

    #[test]
    fn the_environment_overrides_the_file_and_bad_values_are_config_errors() {
        let s = RedisSettings::from_config(
            Some("redis://file:6379"),
            Some("redis://env:6379"),
            Some("team-a"),
            None,
            "c",
        )
        .unwrap();
        assert_eq!(s.url.masked(), "redis://env:6379");
        for (url, prefix) in [
            (Some("http://x:pw@h/"), None),
            (Some("redis://:hunter2@"), None),
            (Some("not a url hunter2"), None),
            (None, None),
            (Some("redis://h"), Some("a:b")),
            (Some("redis://h"), Some("")),
        ] {
            let err = RedisSettings::from_config(url, None, prefix, None, "c").unwrap_err();
            assert_eq!(err.exit_code(), 2, "{}", err.message());
            assert!(!err.message().contains("hunter2"), "{}", err.message());
        }
    }
}
