//! Request parameters: `application/x-www-form-urlencoded` parsing that never fails.
//!
//! Baidu's token endpoint reads parameters from the query string and, for POST, from a form
//! body. A hand-written decoder keeps malformed input (stray `%`, invalid UTF-8) an ordinary
//! value the handlers can reject with Baidu's own error shape, instead of a framework's 400.

use axum::http::{HeaderMap, header};

/// Decoded `key=value` pairs, looked up by the first occurrence of a key.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Query parameters with form semantics (`+` is a space), as OAuth servers read them.
    pub(crate) fn from_query(raw: Option<&str>) -> Self {
        Params(parse(raw.unwrap_or(""), true))
    }

    /// The parameters of a request that may carry a form body: the body first, then the
    /// query string, so a body value wins over a query value of the same name.
    pub(crate) fn from_request(raw_query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Self {
        let mut pairs = if is_form(headers) {
            parse(&String::from_utf8_lossy(body), true)
        } else {
            Vec::new()
        };
        pairs.extend(parse(raw_query.unwrap_or(""), true));
        Params(pairs)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Like [`Params::get`], but an empty value counts as absent.
    pub(crate) fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }
}

/// A body is read as a form when it says so, or says nothing at all (a bare body is most
/// likely a form whose client forgot the header).
fn is_form(headers: &HeaderMap) -> bool {
    match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        None => true,
        Some(ct) => ct
            .trim()
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded"),
    }
}

/// Splits `a=1&b=2` into decoded pairs. With `plus_is_space`, `+` decodes to a space (form
/// encoding); without it `+` stays literal, as BCE's canonical query reads it.
pub(crate) fn parse(raw: &str, plus_is_space: bool) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (decode(k, plus_is_space), decode(v, plus_is_space))
        })
        .collect()
}

/// Percent-decodes; a `%` not followed by two hex digits is kept as is, and invalid UTF-8
/// becomes U+FFFD.
pub(crate) fn decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex_value);
            let lo = bytes.get(i + 2).copied().and_then(hex_value);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_handles_escapes_plus_and_garbage() {
        let table = [
            ("a%20b", true, "a b"),
            ("a+b", true, "a b"),
            ("a+b", false, "a+b"),
            ("%3a%3A", true, "::"),
            ("100%", true, "100%"),
            ("%zz", true, "%zz"),
            ("%e4%b8%ad", true, "中"),
            ("%ff", true, "\u{fffd}"),
        ];
        for (input, plus, want) in table {
            assert_eq!(decode(input, plus), want, "{input:?}");
        }
    }

    #[test]
    fn parse_splits_pairs_and_keeps_empty_values() {
        let got = parse("a=1&&b=&c&d=x%3Dy", true);
        let want: Vec<(String, String)> = [("a", "1"), ("b", ""), ("c", ""), ("d", "x=y")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn body_wins_over_query_and_only_forms_are_read() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        let p = Params::from_request(Some("a=query&b=query"), &headers, b"a=body");
        assert_eq!(p.get("a"), Some("body"));
        assert_eq!(p.get("b"), Some("query"));

        headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        let p = Params::from_request(Some("b=query"), &headers, b"a=body");
        assert_eq!(p.get("a"), None);
        assert_eq!(p.non_empty("b"), Some("query"));
    }
}
