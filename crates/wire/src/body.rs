//! Baidu's error bodies in the two shapes the token endpoints send: OAuth
//! `{"error","error_description"}` and BCE `{"requestId","code","message"}`. The emulator
//! writes them; broker's client reads these and the other shapes Baidu APIs use.

use serde::Serialize;

/// An OAuth error body.
#[derive(Debug, Serialize)]
pub struct OAuthError<'a> {
    pub error: &'a str,
    pub error_description: &'a str,
}

/// A BCE error body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BceError<'a> {
    pub request_id: &'a str,
    pub code: &'a str,
    pub message: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_have_baidus_field_names() {
        let oauth = serde_json::to_value(OAuthError {
            error: "invalid_grant",
            error_description: "x",
        })
        .unwrap();
        assert_eq!(
            oauth,
            serde_json::json!({"error": "invalid_grant", "error_description": "x"})
        );
        let bce = serde_json::to_value(BceError {
            request_id: "r",
            code: "RequestExpired",
            message: "m",
        })
        .unwrap();
        assert_eq!(
            bce,
            serde_json::json!({"requestId": "r", "code": "RequestExpired", "message": "m"})
        );
    }
}
