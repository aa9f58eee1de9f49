//! The error codes Baidu answers with that broker acts on and the emulator sends, each named
//! once. OAuth codes travel as `error`, BCE codes as `code`.

// OAuth (RFC 6749 and the device flow of RFC 8628, as Baidu spells them).
pub const INVALID_REQUEST: &str = "invalid_request";
pub const INVALID_CLIENT: &str = "invalid_client";
pub const INVALID_GRANT: &str = "invalid_grant";
pub const INVALID_SCOPE: &str = "invalid_scope";
pub const UNAUTHORIZED_CLIENT: &str = "unauthorized_client";
pub const UNSUPPORTED_GRANT_TYPE: &str = "unsupported_grant_type";
pub const ACCESS_DENIED: &str = "access_denied";
pub const AUTHORIZATION_PENDING: &str = "authorization_pending";
pub const SLOW_DOWN: &str = "slow_down";
pub const EXPIRED_TOKEN: &str = "expired_token";
/// Baidu's throttle after repeated failures, sent as an OAuth `error`.
pub const SECURITY_POLICY: &str = "Trigger security policy";

// BCE (IAM) codes.
pub const SIGNATURE_DOES_NOT_MATCH: &str = "SignatureDoesNotMatch";
pub const REQUEST_EXPIRED: &str = "RequestExpired";
pub const INVALID_ACCESS_KEY_ID: &str = "InvalidAccessKeyId";
pub const BCE_ACCESS_DENIED: &str = "AccessDenied";
/// The `Authorization` header itself was malformed (a bug in the signer, not a wrong key).
pub const INVALID_HTTP_AUTH_HEADER: &str = "InvalidHTTPAuthHeader";
/// The authorization-code flow's `redirect_uri` is not the app's registered one.
pub const REDIRECT_URI_MISMATCH: &str = "redirect_uri_mismatch";
/// A request parameter out of range or malformed (STS `durationSeconds`, IAM `expireInSeconds`).
pub const INVALID_ARGUMENT: &str = "InvalidArgument";
/// A request signed with STS temporary credentials but without their session token, or with
/// another one (the emulator's check).
pub const INVALID_SESSION_TOKEN: &str = "InvalidSessionToken";
