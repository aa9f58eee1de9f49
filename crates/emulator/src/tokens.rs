//! Random tokens and codes shaped like Baidu's, so clients meet realistic lengths and
//! alphabets (dots, underscores, dashes, slashes) rather than friendly test strings.

use rand::RngExt;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const TOKEN_BODY: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn pick(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

/// `len` lower-case hex digits.
pub(crate) fn hex(len: usize) -> String {
    pick(b"0123456789abcdef", len)
}

/// A modern openapi.baidu.com token: `{prefix}.{32 hex}.{35 url-safe}.{6 upper}`, e.g.
/// `121.fd4b…f567.Y74pa1…Ouw5.LPOBOA` (access, prefix 121) or `122.…` (refresh).
fn modern(prefix: &str) -> String {
    format!(
        "{prefix}.{}.{}.{}",
        hex(32),
        pick(TOKEN_BODY, 35),
        pick(UPPER, 6)
    )
}

pub(crate) fn netdisk_access() -> String {
    modern("121")
}

pub(crate) fn netdisk_refresh() -> String {
    modern("122")
}

/// An AI token in the legacy form the AI platform still uses:
/// `{prefix}.{32 hex}.{lifetime}.{expiry unix}.{uid}-{appid}`.
pub(crate) fn ai(
    prefix: &str,
    lifetime_secs: u64,
    expires_unix: i64,
    uid: u32,
    app_id: u32,
) -> String {
    format!(
        "{prefix}.{}.{lifetime_secs}.{expires_unix}.{uid}-{app_id}",
        hex(32)
    )
}

/// A stable number derived from a client id, standing in for the Baidu app id in AI tokens.
pub(crate) fn app_number(client_id: &str) -> u32 {
    // FNV-1a: deterministic across runs, unlike std's randomly seeded hasher.
    let mut h: u32 = 0x811c_9dc5;
    for b in client_id.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    1_000_000 + h % 9_000_000
}

/// The AI `session_key`: opaque base64-looking text, documented as unused.
pub(crate) fn session_key() -> String {
    pick(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        92,
    )
}

/// An authorization code: 32 hex digits, as Baidu issues them.
pub(crate) fn code() -> String {
    hex(32)
}

/// A device-flow user code: 8 lower-case letters and digits, e.g. `u67xpvun`.
pub(crate) fn user_code() -> String {
    pick(LOWER_ALNUM, 8)
}

/// A BCE bearer token: `bce-v3/ALTAK-{20 alnum}/{40 hex}`.
pub(crate) fn bce_bearer() -> String {
    format!("bce-v3/ALTAK-{}/{}", pick(ALNUM, 20), hex(40))
}

/// A BCE `requestId`: UUID-shaped.
pub(crate) fn request_id() -> String {
    format!("{}-{}-{}-{}-{}", hex(8), hex(4), hex(4), hex(4), hex(12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_look_like_baidus() {
        let access = netdisk_access();
        let parts: Vec<&str> = access.split('.').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0], "121");
        assert_eq!(parts[1].len(), 32);
        assert!(access.len() <= 256);
        assert!(netdisk_refresh().starts_with("122."));
        assert_ne!(netdisk_access(), access);

        let ai = ai("24", 2592000, 1485516651, 282335, 8574074);
        assert!(
            ai.starts_with("24.") && ai.ends_with(".2592000.1485516651.282335-8574074"),
            "{ai}"
        );

        let bce = bce_bearer();
        assert!(
            bce.starts_with("bce-v3/ALTAK-") && bce.len() <= 256,
            "{bce}"
        );
        assert_eq!(user_code().len(), 8);
        assert_eq!(request_id().len(), 36);
        assert_eq!(app_number("demo-app-key"), app_number("demo-app-key"));
    }
}
