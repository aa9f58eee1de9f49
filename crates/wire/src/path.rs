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
