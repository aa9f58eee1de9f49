//! `broker://PROFILE/FIELD` references (`broker inject`, `broker run`): their grammar, the
//! fields a profile's grant has, and a template's `{{ broker://PROFILE/FIELD }}` markers (the
//! grammar of 1Password's `op inject`: spaces inside the braces optional). Parsing and checking
//! never touch the network, so a bad reference is refused before any token is fetched.

use zeroize::Zeroizing;

use crate::config::Profile;
use crate::error::{Result, UsageError, sanitize};
use crate::profile::ProfileName;
use crate::store::TokenState;

/// The scheme of a reference.
pub const SCHEME: &str = "broker://";

/// What a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    AccessToken,
    AppKey,
    ExpiresAt,
    Scope,
    AccessKeyId,
    SecretAccessKey,
    SessionToken,
}

impl Field {
    const ALL: [(&'static str, Field); 7] = [
        ("access_token", Field::AccessToken),
        ("app_key", Field::AppKey),
        ("expires_at", Field::ExpiresAt),
        ("scope", Field::Scope),
        ("access_key_id", Field::AccessKeyId),
        ("secret_access_key", Field::SecretAccessKey),
        ("session_token", Field::SessionToken),
    ];

    fn parse(s: &str) -> Option<Field> {
        Field::ALL.iter().find(|(n, _)| *n == s).map(|(_, f)| *f)
    }

    pub fn as_str(self) -> &'static str {
        Field::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(n, _)| n)
    }

    /// Whether a profile of this grant has the field: the STS pair only for grants with
    /// temporary keys; an API key has no expiry; a scope for grants that are neither.
    fn is_of(self, profile: &Profile) -> bool {
        let grant = profile.grant;
        match self {
            Field::AccessToken | Field::AppKey => true,
            Field::ExpiresAt => !grant.static_key(),
            Field::Scope => !grant.static_key() && !grant.temporary_keys(),
            Field::AccessKeyId | Field::SecretAccessKey | Field::SessionToken => {
                grant.temporary_keys()
            }
        }
    }

    /// The field's value in `state` (a valid token of `profile`).
    pub fn value(self, profile: &Profile, state: &TokenState) -> Zeroizing<String> {
        let text = match self {
            Field::AccessToken | Field::SessionToken => state.access_token.expose().to_owned(),
            Field::AppKey => profile.app_key.clone(),
            Field::ExpiresAt => crate::shell::expires_at(profile, state),
            Field::Scope => crate::shell::scope(profile, state),
            Field::AccessKeyId => state
                .sts
                .as_ref()
                .map(|k| k.access_key_id.clone())
                .unwrap_or_default(),
            Field::SecretAccessKey => state
                .sts
                .as_ref()
                .map(|k| k.secret_access_key.expose().to_owned())
                .unwrap_or_default(),
        };
        Zeroizing::new(text)
    }
}

/// One `broker://PROFILE/FIELD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub profile: ProfileName,
    pub field: Field,
}

impl Reference {
    /// `text` as a whole reference; `None` when it does not start with [`SCHEME`] (not a
    /// reference at all), an error when it does but is not `PROFILE/FIELD` with a known field.
    pub fn parse(text: &str) -> Option<Result<Reference>> {
        let rest = text.strip_prefix(SCHEME)?;
        let bad = || {
            UsageError::BadReference {
                reference: sanitize(text),
            }
            .into()
        };
        let Some((profile, field)) = rest.split_once('/') else {
            return Some(Err(bad()));
        };
        let Some(field) = Field::parse(field) else {
            return Some(Err(bad()));
        };
        Some(ProfileName::parse(profile).map(|profile| Reference { profile, field }))
    }

    /// Refuses a field the profile's grant does not have (exit 2).
    pub fn check(&self, profile: &Profile) -> Result<()> {
        if self.field.is_of(profile) {
            Ok(())
        } else {
            Err(UsageError::FieldNotOfGrant {
                profile: self.profile.to_string(),
                field: self.field.as_str(),
                grant: profile.grant.as_str(),
            }
            .into())
        }
    }
}

/// A template: text, and the references between it.
#[derive(Debug)]
pub enum Piece<'a> {
    Text(&'a str),
    Reference(Reference),
}

/// Splits `template` at its `{{ broker://PROFILE/FIELD }}` markers. `{{` not followed by a
/// `broker://` reference is text (other tools' templates pass through); a marker that starts
/// one but is malformed or unclosed is exit 2.
pub fn parse_template(template: &str) -> Result<Vec<Piece<'_>>> {
    let mut pieces = Vec::new();
    let mut rest = template;
    let mut text_start = 0;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let inner = after.trim_start_matches([' ', '\t']);
        if !inner.starts_with(SCHEME) {
            offset += open + 2;
            rest = after;
            continue;
        }
        let bad = || {
            let end = inner
                .find(char::is_whitespace)
                .unwrap_or(inner.len())
                .min(200);
            UsageError::BadReference {
                reference: sanitize(&inner[..end]),
            }
        };
        let Some(close) = inner.find("}}") else {
            return Err(bad().into());
        };
        let reference = inner[..close].trim_end_matches([' ', '\t']);
        let reference = match Reference::parse(reference) {
            Some(r) => r?,
            None => return Err(bad().into()),
        };
        let start = offset + open;
        if start > text_start {
            pieces.push(Piece::Text(&template[text_start..start]));
        }
        pieces.push(Piece::Reference(reference));
        let consumed = (after.len() - inner.len()) + close + 2;
        offset += open + 2 + consumed;
        text_start = offset;
        rest = &after[consumed..];
    }
    if text_start < template.len() {
        pieces.push(Piece::Text(&template[text_start..]));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(t: &str) -> Vec<String> {
        parse_template(t)
            .unwrap()
            .iter()
            .map(|p| match p {
                Piece::Text(s) => format!("T({s})"),
                Piece::Reference(r) => format!("R({}/{})", r.profile, r.field.as_str()),
            })
            .collect()
    }

    #[test]
    fn markers_with_or_without_spaces() {
        assert_eq!(
            refs("a={{ broker://p/access_token }}\nb={{broker://q-1/app_key}}!"),
            [
                "T(a=)",
                "R(p/access_token)",
                "T(\nb=)",
                "R(q-1/app_key)",
                "T(!)"
            ]
        );
        assert_eq!(refs("{{broker://p/scope}}"), ["R(p/scope)"]);
    }

    #[test]
    fn other_braces_are_text() {
        assert_eq!(
            refs("{{ .Values.x }} {{op://a/b}}"),
            ["T({{ .Values.x }} {{op://a/b}})"]
        );
        assert_eq!(refs(""), Vec::<String>::new());
    }

    #[test]
    fn malformed_markers_are_usage_errors() {
        for t in [
            "{{ broker://p/access_token",
            "{{ broker://p/password }}",
            "{{ broker://p }}",
            "{{ broker://p/access_token x }}",
            "{{ broker://../access_token }}",
        ] {
            let e = parse_template(t).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{t}");
        }
    }

    #[test]
    fn whole_values() {
        assert!(Reference::parse("https://x").is_none());
        let r = Reference::parse("broker://p/session_token")
            .unwrap()
            .unwrap();
        assert_eq!(r.field, Field::SessionToken);
        assert!(Reference::parse("broker://p/nope").unwrap().is_err());
    }
}
