//! bce-auth-v1 request signing (Qianfan v2 / BCE IAM), baidu-oauth.md §4.
//!
//! One implementation serves both sides: the token client signs its `GET /v1/BCE-BEARER/token`
//! with [`authorization`], and the emulator checks a request by parsing the header with
//! [`parse_authorization`] and recomputing the signature with [`verify`]. The SecretKey is
//! taken as `&str` (callers expose it from its wrapper at the call) and is never logged.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The scheme name that opens every bce-auth-v1 `Authorization` value.
pub const SCHEME: &str = "bce-auth-v1";

/// The `enc` of the protocol: keeps `A-Z a-z 0-9 - . _ ~` and writes every other byte of the
/// UTF-8 text as `%XX` with upper-case hex.
pub fn encode(s: &str) -> String {
    encode_keeping(s, false)
}

/// Percent-encodes a URI path the same way as [`encode`] but keeps `/`, as the canonical URI
/// of the protocol requires.
pub fn encode_path(path: &str) -> String {
    encode_keeping(path, true)
}

fn encode_keeping(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if unreserved || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The request timestamp in the one form the protocol accepts: UTC, `YYYY-MM-DDThh:mm:ssZ`.
pub fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `canonicalRequest = METHOD \n URI \n QUERY \n HEADERS` (§4 step 3).
///
/// `path` and the query pairs are the decoded values; they are encoded here. `headers` are
/// exactly the headers to sign. An `authorization` query parameter is left out, as BCE does,
/// because it would have to contain its own signature.
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
) -> String {
    let mut query_parts: Vec<String> = query
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    query_parts.sort();

    let mut header_lines: Vec<String> = headers
        .iter()
        .map(|(name, value)| {
            format!(
                "{}:{}",
                encode(&name.trim().to_ascii_lowercase()),
                encode(value.trim())
            )
        })
        .collect();
    header_lines.sort();

    let uri = if path.is_empty() {
        "/".to_string()
    } else {
        encode_path(path)
    };
    format!(
        "{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        uri,
        query_parts.join("&"),
        header_lines.join("\n")
    )
}

/// `signingKey = hex(HMAC-SHA256(key = SK, msg = "bce-auth-v1/{AK}/{timestamp}/{expiration}"))`.
pub fn signing_key(ak: &str, sk: &str, timestamp: &str, expiration_secs: u64) -> String {
    let prefix = auth_prefix(ak, timestamp, expiration_secs);
    hex::encode(hmac_sha256(sk.as_bytes(), prefix.as_bytes()))
}

/// `signature = hex(HMAC-SHA256(key = signingKey, msg = canonicalRequest))`.
pub fn signature(signing_key: &str, canonical_request: &str) -> String {
    hex::encode(hmac_sha256(
        signing_key.as_bytes(),
        canonical_request.as_bytes(),
    ))
}

/// Checks a hex signature against the canonical request in constant time, so the emulator
/// does not teach a client the right signature one byte at a time.
pub fn verify(signing_key: &str, canonical_request: &str, signature_hex: &str) -> bool {
    let Ok(tag) = hex::decode(signature_hex) else {
        return false;
    };
    let mut mac = new_mac(signing_key.as_bytes());
    mac.update(canonical_request.as_bytes());
    mac.verify_slice(&tag).is_ok()
}

/// The sorted, lower-case, `;`-joined names of the signed headers.
pub fn signed_headers(headers: &[(String, String)]) -> String {
    let mut names: Vec<String> = headers
        .iter()
        .map(|(name, _)| name.trim().to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    names.join(";")
}

/// The whole `Authorization` header value for a request:
/// `bce-auth-v1/{AK}/{timestamp}/{expiration}/{signedHeaders}/{signature}`.
///
/// `headers` are the headers to sign, normally `host` and `x-bce-date`, with the values the
/// request will really carry.
#[allow(clippy::too_many_arguments)] // mirrors the protocol's inputs one to one
pub fn authorization(
    ak: &str,
    sk: &str,
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    timestamp: &str,
    expiration_secs: u64,
) -> String {
    let key = signing_key(ak, sk, timestamp, expiration_secs);
    let canonical = canonical_request(method, path, query, headers);
    format!(
        "{}/{}/{}",
        auth_prefix(ak, timestamp, expiration_secs),
        signed_headers(headers),
        signature(&key, &canonical)
    )
}

/// The parts of a bce-auth-v1 `Authorization` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuth {
    pub access_key: String,
    pub timestamp: String,
    pub expiration_secs: u64,
    /// Lower-case header names, in the order the header lists them.
    pub signed_headers: Vec<String>,
    /// Lower-case hex, 64 characters.
    pub signature: String,
}

impl ParsedAuth {
    /// The signing time as a UTC instant, when the timestamp has the protocol's form.
    pub fn signed_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        parse_timestamp(&self.timestamp)
    }
}

/// Parses a `YYYY-MM-DDThh:mm:ssZ` timestamp (also accepting any RFC 3339 form, as BCE does
/// for `x-bce-date`).
pub fn parse_timestamp(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Splits an `Authorization` value into its six parts; `None` when it is not a well-formed
/// bce-auth-v1 value (wrong scheme, missing part, non-numeric expiration, bad signature hex,
/// an empty name in the signed headers). An empty signedHeaders field (`…/1800//sig`, how
/// the BCE SDKs sign by default) gives no names: the verifier then uses BCE's default set.
pub fn parse_authorization(header: &str) -> Option<ParsedAuth> {
    let parts: Vec<&str> = header.trim().split('/').collect();
    let [scheme, ak, ts, expiration, headers, sig] = parts.as_slice() else {
        return None;
    };
    if *scheme != SCHEME || ak.is_empty() || ts.is_empty() {
        return None;
    }
    let expiration_secs = expiration.parse::<u64>().ok()?;
    let signature_ok = sig.len() == 64 && sig.bytes().all(|b| b.is_ascii_hexdigit());
    if !signature_ok {
        return None;
    }
    let signed_headers: Vec<String> = headers
        .split(';')
        .filter(|_| !headers.is_empty())
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if signed_headers.iter().any(|h| h.is_empty()) {
        return None;
    }
    Some(ParsedAuth {
        access_key: ak.to_string(),
        timestamp: ts.to_string(),
        expiration_secs,
        signed_headers,
        signature: sig.to_ascii_lowercase(),
    })
}

fn auth_prefix(ak: &str, timestamp: &str, expiration_secs: u64) -> String {
    format!("{SCHEME}/{ak}/{timestamp}/{expiration_secs}")
}

fn new_mac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC hashes or pads a key of any length; `InvalidLength` cannot happen for it.
    <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts a key of any length")
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = new_mac(key);
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vector of baidu-oauth.md §4 (fake keys).
    const AK: &str = "AKEXAMPLE0123456789";
    const SK: &str = "SKEXAMPLEabcdefghijklmnop";
    const TS: &str = "2024-11-28T06:09:57Z";

    fn vector_query() -> Vec<(String, String)> {
        vec![("expireInSeconds".into(), "2592000".into())]
    }

    fn vector_headers() -> Vec<(String, String)> {
        vec![
            ("host".into(), "iam.bj.baidubce.com".into()),
            ("x-bce-date".into(), TS.into()),
        ]
    }

    #[test]
    fn canonical_request_matches_the_doc_vector() {
        let got = canonical_request(
            "GET",
            "/v1/BCE-BEARER/token",
            &vector_query(),
            &vector_headers(),
        );
        let want = "GET\n/v1/BCE-BEARER/token\nexpireInSeconds=2592000\nhost:iam.bj.baidubce.com\nx-bce-date:2024-11-28T06%3A09%3A57Z";
        assert_eq!(got, want);
    }

    #[test]
    fn signing_key_matches_the_doc_vector() {
        assert_eq!(
            signing_key(AK, SK, TS, 1800),
            "5e1fbe2139595da08ab7bac11ae677f5d9612c90126b235b550d31cf45f02eec"
        );
    }

    #[test]
    fn authorization_matches_the_doc_vector() {
        let got = authorization(
            AK,
            SK,
            "GET",
            "/v1/BCE-BEARER/token",
            &vector_query(),
            &vector_headers(),
            TS,
            1800,
        );
        let want = "bce-auth-v1/AKEXAMPLE0123456789/2024-11-28T06:09:57Z/1800/host;x-bce-date/cf1ee267b2b025b24589d6b2f664f504e0e524de23bbede25e0fd948aefc4927";
        assert_eq!(got, want);
    }

    #[test]
    fn header_order_and_case_do_not_change_the_signature() {
        let shuffled = vec![
            ("X-BCE-Date".to_string(), format!(" {TS} ")),
            ("Host".to_string(), "iam.bj.baidubce.com".into()),
        ];
        let a = authorization(
            AK,
            SK,
            "get",
            "/v1/BCE-BEARER/token",
            &vector_query(),
            &vector_headers(),
            TS,
            1800,
        );
        let b = authorization(
            AK,
            SK,
            "GET",
            "/v1/BCE-BEARER/token",
            &vector_query(),
            &shuffled,
            TS,
            1800,
        );
        assert_eq!(a, b);
    }

    #[test]
    fn encode_keeps_only_unreserved_bytes() {
        let table = [
            ("AZaz09-._~", "AZaz09-._~"),
            ("a b", "a%20b"),
            ("a+b/c", "a%2Bb%2Fc"),
            ("2024-11-28T06:09:57Z", "2024-11-28T06%3A09%3A57Z"),
            ("é", "%C3%A9"),
            ("", ""),
        ];
        for (input, want) in table {
            assert_eq!(encode(input), want, "{input:?}");
        }
        assert_eq!(encode_path("/v1/a b/c"), "/v1/a%20b/c");
    }

    #[test]
    fn query_is_sorted_encoded_and_skips_authorization() {
        let query = vec![
            ("b".to_string(), "2 3".to_string()),
            ("a".to_string(), "".to_string()),
            ("authorization".to_string(), "x".to_string()),
        ];
        let got = canonical_request("GET", "/", &query, &[]);
        assert_eq!(got, "GET\n/\na=&b=2%203\n");
    }

    #[test]
    fn verify_accepts_the_right_signature_only() {
        let key = signing_key(AK, SK, TS, 1800);
        let canonical = canonical_request(
            "GET",
            "/v1/BCE-BEARER/token",
            &vector_query(),
            &vector_headers(),
        );
        let good = signature(&key, &canonical);
        assert!(verify(&key, &canonical, &good));
        assert!(!verify(&key, &canonical, &"0".repeat(64)));
        assert!(!verify(&key, &canonical, "not hex"));
    }

    #[test]
    fn parse_authorization_round_trips_and_rejects_malformed_values() {
        let header = authorization(
            AK,
            SK,
            "GET",
            "/v1/BCE-BEARER/token",
            &vector_query(),
            &vector_headers(),
            TS,
            1800,
        );
        let parsed = parse_authorization(&header).expect("well-formed");
        assert_eq!(parsed.access_key, AK);
        assert_eq!(parsed.timestamp, TS);
        assert_eq!(parsed.expiration_secs, 1800);
        assert_eq!(parsed.signed_headers, ["host", "x-bce-date"]);
        assert_eq!(parsed.signed_at().map(timestamp).as_deref(), Some(TS));

        let sig = "a".repeat(64);
        let malformed = [
            String::new(),
            "Bearer abc".to_string(),
            format!("bce-auth-v2/{AK}/{TS}/1800/host/{sig}"),
            format!("bce-auth-v1/{AK}/{TS}/soon/host/{sig}"),
            format!("bce-auth-v1/{AK}/{TS}/1800/host/abc"),
            format!("bce-auth-v1//{TS}/1800/host/{sig}"),
            format!("bce-auth-v1/{AK}/{TS}/1800/host;;x-bce-date/{sig}"),
            format!("bce-auth-v1/{AK}/{TS}/1800/host/{sig}/extra"),
        ];
        for value in malformed {
            assert_eq!(parse_authorization(&value), None, "{value:?}");
        }
        let default_set = parse_authorization(&format!("bce-auth-v1/{AK}/{TS}/1800//{sig}"))
            .expect("an empty signedHeaders field is the SDKs' default");
        assert!(default_set.signed_headers.is_empty());
    }
}
