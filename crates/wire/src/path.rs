//! Baidu's endpoint paths, as both the client and the emulator use them.

/// The OAuth token endpoint of every OAuth grant (`ai` and `netdisk`).
pub const TOKEN: &str = "/oauth/2.0/token";
/// The device-code endpoint of the netdisk device flow.
pub const DEVICE_CODE: &str = "/oauth/2.0/device/code";
/// The authorization-code endpoint a browser opens.
pub const AUTHORIZE: &str = "/oauth/2.0/authorize";
/// The BCE bearer-token endpoint, signed with bce-auth-v1.
pub const BCE_TOKEN: &str = "/v1/BCE-BEARER/token";
/// Netdisk's file API (`method=uinfo` answers who a token belongs to).
pub const NAS: &str = "/rest/2.0/xpan/nas";
/// The BCE STS endpoint (`POST /v1/sessionToken?durationSeconds=N`), signed with bce-auth-v1.
pub const STS_SESSION_TOKEN: &str = "/v1/sessionToken";
/// The emulator's check of STS temporary credentials: a `GET` signed with the temporary
/// AccessKey/SecretKey and carrying [`SECURITY_TOKEN_HEADER`], as BOS and the other BCE
/// services take them. Not a Baidu path: it stands for any BCE API a consumer calls.
pub const STS_CHECK: &str = "/v1/emulator/sts-check";
/// The header that carries an STS session token beside a request signed with the temporary
/// AccessKey/SecretKey (the BCE SDKs' `x-bce-security-token`).
pub const SECURITY_TOKEN_HEADER: &str = "x-bce-security-token";
