//! The one place where server text loses the secrets it may echo.
//!
//! A server (or a proxy in front of it) may put the request it received in its error
//! description: the form body with the SecretKey and the refresh token, the query with an
//! access token. The HTTP client registers every secret value it sends (and callers add the
//! ones they hold but do not send); every piece of server text is passed through
//! [`Scrubber::scrub`] when it becomes a value broker keeps (a [`BaiduError`], a scope), so
//! no message, log line, state file or hook input built from it can carry a secret.
//!
//! What is cut, for each secret: the value as sent, its form-encoded and percent-encoded
//! forms (upper- and lower-case hex, `+` or `%20` for a space), and its JSON-escaped form (a
//! description that quotes a JSON request); any run of at least [`MIN_FRAGMENT`] characters
//! of one of those (a server that truncates its echo cuts a secret in two); and any age
//! identity (`AGE-SECRET-KEY-1…`), ours or not.
//!
//! [`BaiduError`]: crate::baidu::error::BaiduError

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

/// The shortest piece of a secret that is cut on its own. Shorter runs are left, so that an
/// ordinary word shared with a secret (`-key-`) does not shred a message; a whole secret is
/// cut whatever its length.
pub const MIN_FRAGMENT: usize = 12;

/// What replaces a secret in server text.
pub const MASK: &str = "****";

/// The secrets known so far, shared by a client and the answers it returns. Cloning shares.
#[derive(Clone, Default)]
pub struct Scrubber {
    known: Arc<Mutex<Vec<SecretString>>>,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scrubber(****)")
    }
}

impl Scrubber {
    /// Remembers a secret, in every form a server may echo it.
    pub fn add(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        for mut form in forms(secret) {
            if !known.iter().any(|k| k.expose_secret() == form.as_str()) {
                known.push(SecretString::from(std::mem::take(&mut *form)));
            }
        }
    }

    /// The text with every known secret, every fragment of one, and every age identity cut.
    pub fn scrub(&self, text: &str) -> String {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = text.as_bytes();
        let mut cut = vec![false; bytes.len()];
        let mut mark = |start: usize, len: usize| {
            cut[start..start + len].iter_mut().for_each(|c| *c = true);
        };
        // Every window of MIN_FRAGMENT bytes that occurs in a secret marks its bytes; the
        // union of the marks is exactly the runs shared with a secret that are that long.
        let fragments: HashSet<&[u8]> = known
            .iter()
            .flat_map(|k| k.expose_secret().as_bytes().windows(MIN_FRAGMENT))
            .collect();
        if !fragments.is_empty() {
            for (i, window) in bytes.windows(MIN_FRAGMENT).enumerate() {
                if fragments.contains(window) {
                    mark(i, MIN_FRAGMENT);
                }
            }
        }
        for k in known.iter().map(|k| k.expose_secret()) {
            if k.len() < MIN_FRAGMENT {
                for (i, _) in text.match_indices(k) {
                    mark(i, k.len());
                }
            }
        }
        for (i, _) in text.match_indices(AGE_IDENTITY) {
            let len = bytes[i + AGE_IDENTITY.len()..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            mark(i, AGE_IDENTITY.len() + len);
        }
        masked(text, &cut)
    }
}

/// How every age identity starts (bech32, so only letters and digits follow).
const AGE_IDENTITY: &str = "AGE-SECRET-KEY-1";

/// A secret as sent, and as a server may write it back. Every copy is zeroised when dropped.
fn forms(secret: &str) -> Vec<Zeroizing<String>> {
    let form: Zeroizing<String> =
        Zeroizing::new(url::form_urlencoded::byte_serialize(secret.as_bytes()).collect());
    let percent = Zeroizing::new(form.replace('+', "%20"));
    let quoted = Zeroizing::new(serde_json::to_string(secret).unwrap_or_default());
    let json = Zeroizing::new(
        quoted
            .get(1..quoted.len().saturating_sub(1))
            .unwrap_or_default()
            .to_owned(),
    );
    let mut out = vec![
        Zeroizing::new(secret.to_owned()),
        lower_hex(&form),
        lower_hex(&percent),
        Zeroizing::new(json.replace('/', "\\/")),
        json,
        form,
        percent,
    ];
    // Duplicates (a secret with nothing to encode has one form) are skipped by `add`.
    out.retain(|f| !f.is_empty());
    out
}

/// `%2B` as `%2b`: some servers decode and encode again in lower case.
fn lower_hex(encoded: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(encoded.len()));
    let mut hex_left = 0;
    for c in encoded.chars() {
        if c == '%' {
            hex_left = 2;
            out.push(c);
        } else if hex_left > 0 {
            hex_left -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The text with each run of marked bytes (widened to whole characters) replaced by [`MASK`].
fn masked(text: &str, cut: &[bool]) -> String {
    if !cut.contains(&true) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    for (i, c) in text.char_indices() {
        if cut[i..i + c.len_utf8()].contains(&true) {
            if !in_run {
                out.push_str(MASK);
                in_run = true;
            }
        } else {
            in_run = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(secrets: &[&str]) -> Scrubber {
        let s = Scrubber::default();
        for secret in secrets {
            s.add(secret);
        }
        s
    }

    #[test]
    fn cuts_every_form_of_a_secret() {
        let s = with(&["a+b/c d\"e=f&g-0123456789"]);
        for echo in [
            "a+b/c d\"e=f&g-0123456789",
            "a%2Bb%2Fc+d%22e%3Df%26g-0123456789",
            "a%2Bb%2Fc%20d%22e%3Df%26g-0123456789",
            "a%2bb%2fc+d%22e%3df%26g-0123456789",
            r#"a+b/c d\"e=f&g-0123456789"#,
            r#"a+b\/c d\"e=f&g-0123456789"#,
        ] {
            let out = s.scrub(&format!("echo: [{echo}] end"));
            assert_eq!(out, "echo: [****] end", "{echo}");
        }
    }

    #[test]
    fn cuts_a_truncated_echo_but_not_short_shared_words() {
        let s = with(&["test-secret-key-0001"]);
        // The echo was cut after 14 characters of the secret.
        assert_eq!(
            s.scrub("client_secret=test-secret-ke"),
            "client_secret=****"
        );
        // `-key-0001` is shared with the (public) AppKey: too short to be cut on its own.
        assert_eq!(
            s.scrub("unknown client id test-app-key-0001"),
            "unknown client id test-app-key-0001"
        );
    }

    #[test]
    fn cuts_short_secrets_whole_and_age_identities_always() {
        let s = with(&["short"]);
        assert_eq!(s.scrub("a short one"), "a **** one");
        let id = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
        assert_eq!(
            Scrubber::default().scrub(&format!("key {id}, done")),
            "key ****, done"
        );
    }

    #[test]
    fn leaves_text_without_secrets_alone_and_keeps_characters_whole() {
        let s = with(&["秘密秘密秘密-0123456789"]);
        assert_eq!(s.scrub("普通的文字 plain"), "普通的文字 plain");
        assert_eq!(s.scrub("x秘密秘密秘密-0123456789y"), "x****y");
        assert_eq!(with(&[]).scrub("nothing known"), "nothing known");
    }

    #[test]
    fn clones_share_what_they_know() {
        let s = Scrubber::default();
        let answer_side = s.clone();
        s.add("registered-after-the-clone");
        assert_eq!(answer_side.scrub("registered-after-the-clone"), "****");
        assert_eq!(format!("{s:?}"), "Scrubber(****)");
    }
}
