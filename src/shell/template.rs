//! `[env]` templates (SPEC §6): text with `{placeholder}`s, `{{` and `}}` for literal braces.
//! An unknown placeholder is a config error, found before any value is computed.

use crate::error::sanitize;

/// What a template may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    AccessToken,
    AppKey,
    ExpiresAt,
    Profile,
    Scope,
    SecretKey,
}

impl Placeholder {
    pub const ALL: [Placeholder; 6] = [
        Placeholder::AccessToken,
        Placeholder::AppKey,
        Placeholder::ExpiresAt,
        Placeholder::Profile,
        Placeholder::Scope,
        Placeholder::SecretKey,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Placeholder::AccessToken => "access_token",
            Placeholder::AppKey => "app_key",
            Placeholder::ExpiresAt => "expires_at",
            Placeholder::Profile => "profile",
            Placeholder::Scope => "scope",
            Placeholder::SecretKey => "secret_key",
        }
    }

    /// Whether a value holding this placeholder must be treated as a secret (masked in CI).
    pub fn is_secret(self) -> bool {
        matches!(self, Placeholder::AccessToken | Placeholder::SecretKey)
    }

    fn parse(s: &str) -> Option<Placeholder> {
        Self::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Value(Placeholder),
}

/// What is wrong with a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadTemplate {
    /// A `{` with no `}` after it.
    Unclosed,
    /// `{name}` where `name` is no placeholder.
    UnknownPlaceholder(String),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(Vec<Piece>);

impl Template {
    /// Parses `text`; the error says what is wrong, for the caller to place in the config.
    pub fn parse(text: &str) -> Result<Template, BadTemplate> {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            lit.push_str(&rest[..i]);
            let tail = &rest[i..];
            if let Some(after) = tail.strip_prefix("{{") {
                lit.push('{');
                rest = after;
            } else if let Some(after) = tail.strip_prefix("}}") {
                lit.push('}');
                rest = after;
            } else if let Some(after) = tail.strip_prefix('}') {
                // A lone `}` cannot be confused with anything: keep it.
                lit.push('}');
                rest = after;
            } else {
                let Some(end) = tail.find('}') else {
                    return Err(BadTemplate::Unclosed);
                };
                let name = &tail[1..end];
                let Some(p) = Placeholder::parse(name) else {
                    return Err(BadTemplate::UnknownPlaceholder(sanitize(name)));
                };
                if !lit.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Value(p));
                rest = &tail[end + 1..];
            }
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            pieces.push(Piece::Text(lit));
        }
        Ok(Template(pieces))
    }

    pub fn uses(&self, p: Placeholder) -> bool {
        self.0.contains(&Piece::Value(p))
    }

    pub fn is_secret(&self) -> bool {
        Placeholder::ALL
            .into_iter()
            .any(|p| p.is_secret() && self.uses(p))
    }

    /// The text with every placeholder replaced by `value(placeholder)`.
    pub fn expand<'a>(&self, value: impl Fn(Placeholder) -> &'a str) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Value(p) => out.push_str(value(*p)),
            }
        }
        out
    }
}

/// `{access_token}, {app_key}, …` for hints.
pub fn placeholder_list() -> Vec<String> {
    Placeholder::ALL
        .iter()
        .map(|p| format!("{{{}}}", p.name()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(t: &str) -> String {
        Template::parse(t).unwrap().expand(|p| match p {
            Placeholder::AccessToken => "TOK",
            Placeholder::Profile => "p",
            _ => "?",
        })
    }

    #[test]
    fn expands_placeholders_and_braces() {
        let table = [
            ("{access_token}", "TOK"),
            ("Bearer {access_token}", "Bearer TOK"),
            ("{{literal}} {profile}}", "{literal} p}"),
            ("no placeholders", "no placeholders"),
            ("", ""),
            ("{profile}{access_token}", "pTOK"),
            ("a}b", "a}b"),
        ];
        for (t, want) in table {
            assert_eq!(expand(t), want, "{t}");
        }
    }

    #[test]
    fn unknown_or_unclosed_placeholders_are_errors() {
        let unknown = |s: &str| BadTemplate::UnknownPlaceholder(s.into());
        for (t, want) in [
            ("{token}", unknown("token")),
            ("{access_token", BadTemplate::Unclosed),
            ("{}", unknown("")),
            ("{Access_Token}", unknown("Access_Token")),
        ] {
            assert_eq!(Template::parse(t).unwrap_err(), want, "{t}");
        }
    }

    #[test]
    fn secrecy_follows_the_placeholders() {
        assert!(Template::parse("x{secret_key}").unwrap().is_secret());
        assert!(Template::parse("{access_token}").unwrap().is_secret());
        assert!(!Template::parse("{app_key}:{profile}").unwrap().is_secret());
    }
}
