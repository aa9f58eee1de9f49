//! The emulator over real HTTP on 127.0.0.1: every endpoint's success path, the errors of
//! baidu-oauth.md's tables, the single-use and rotation rules, the bce-auth-v1 test vector,
//! faults, counters and the admin API. Time passes through the emulator's clock, not sleeps.

use std::time::{Duration, Instant};

use broker_emulator::{
    self as emulator, App, BceKey, Decision, Fault, FaultKind, Grant, Handle, Options,
};
use broker_wire::sign;
use reqwest::StatusCode;
use serde_json::{Value, json};

const APP: &str = "test-app-key";
const SECRET: &str = "test-secret-key";
const AK: &str = "AKEXAMPLE0123456789";
const SK: &str = "SKEXAMPLEabcdefghijklmnop";
const VECTOR_AUTH: &str = "bce-auth-v1/AKEXAMPLE0123456789/2024-11-28T06:09:57Z/1800/host;x-bce-date/cf1ee267b2b025b24589d6b2f664f504e0e524de23bbede25e0fd948aefc4927";

fn start() -> Handle {
    emulator::start(Options {
        apps: vec![App::new(APP, SECRET)],
        bce_keys: vec![BceKey::new(AK, SK)],
        ..Options::default()
    })
    .expect("emulator starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

/// The status and JSON body of an answer (panics on a non-JSON body: the test is wrong then).
async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, json)
}

async fn get(e: &Handle, path_and_query: &str) -> (StatusCode, Value) {
    answer(
        client()
            .get(format!("{}{path_and_query}", e.base_url()))
            .send()
            .await
            .expect("request"),
    )
    .await
}

async fn post_form(e: &Handle, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    answer(
        client()
            .post(format!("{}{path}", e.base_url()))
            .form(form)
            .send()
            .await
            .expect("request"),
    )
    .await
}

async fn token(e: &Handle, form: &[(&str, &str)]) -> (StatusCode, Value) {
    post_form(e, "/oauth/2.0/token", form).await
}

async fn admin(
    e: &Handle,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client().request(method, format!("{}/_emulator{path}", e.base_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    answer(request.send().await.expect("admin request")).await
}

fn assert_error(got: &(StatusCode, Value), status: u16, error: &str) {
    assert_eq!(got.0.as_u16(), status, "{}", got.1);
    assert_eq!(got.1["error"], error, "{}", got.1);
    assert!(got.1["error_description"].is_string(), "{}", got.1);
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// Asserts the netdisk success body of baidu-oauth.md, exactly its fields.
fn assert_netdisk_tokens(body: &Value, scope: &str) {
    let fields: Vec<&String> = body.as_object().expect("object").keys().collect();
    let mut want = [
        "access_token",
        "expires_in",
        "refresh_token",
        "scope",
        "session_key",
        "session_secret",
    ];
    want.sort();
    assert_eq!(fields, want, "{body}");
    assert!(s(&body["access_token"]).starts_with("121."), "{body}");
    assert!(s(&body["refresh_token"]).starts_with("122."), "{body}");
    assert!(s(&body["access_token"]).len() <= 256);
    assert_eq!(body["scope"], scope);
    assert_eq!(body["session_key"], "");
    assert_eq!(body["session_secret"], "");
    assert_eq!(body["expires_in"], 2592000);
}

/// Runs a device flow with an approval and returns the token body.
async fn device_login(e: &Handle) -> Value {
    let (_, code) = get(
        e,
        &format!(
            "/oauth/2.0/device/code?response_type=device_code&client_id={APP}&scope=basic,netdisk"
        ),
    )
    .await;
    e.approve_device(Some(s(&code["user_code"])))
        .expect("approve");
    let (status, body) = token(
        e,
        &[
            ("grant_type", "device_token"),
            ("code", s(&code["device_code"])),
            ("client_id", APP),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn exchange_code(e: &Handle, redirect_uri: &str, code: &str) -> (StatusCode, Value) {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", APP),
        ("client_secret", SECRET),
        ("redirect_uri", redirect_uri),
    ];
    token(e, &form).await
}

async fn refresh(e: &Handle, refresh_token: &str) -> (StatusCode, Value) {
    token(
        e,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", APP),
            ("client_secret", SECRET),
        ],
    )
    .await
}

async fn uinfo(e: &Handle, access_token: &str) -> (StatusCode, Value) {
    let url = format!("{}/rest/2.0/xpan/nas", e.base_url());
    let response = client()
        .get(url)
        .query(&[("method", "uinfo"), ("access_token", access_token)])
        .send()
        .await
        .expect("request");
    answer(response).await
}

// ---------------------------------------------------------------------------------------
// AI: client_credentials

#[tokio::test]
async fn client_credentials_answers_the_ai_shape_by_get_and_post() {
    let e = start();
    let query = format!(
        "/oauth/2.0/token?grant_type=client_credentials&client_id={APP}&client_secret={SECRET}"
    );
    let (status, by_get) = get(&e, &query).await;
    assert_eq!(status, StatusCode::OK, "{by_get}");
    let (status, by_post) = token(
        &e,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{by_post}");

    for body in [&by_get, &by_post] {
        assert!(s(&body["access_token"]).starts_with("24."), "{body}");
        assert!(s(&body["access_token"]).contains(".2592000."), "{body}");
        assert!(s(&body["refresh_token"]).starts_with("25."), "{body}");
        assert_eq!(body["scope"], emulator::AI_SCOPE);
        assert_eq!(body["expires_in"], 2592000);
        assert!(!s(&body["session_key"]).is_empty() && !s(&body["session_secret"]).is_empty());
    }
    // Fetching again does not invalidate the earlier token, and tokens are fresh each time.
    assert_ne!(by_get["access_token"], by_post["access_token"]);
}

#[tokio::test]
async fn client_credentials_errors_tell_a_wrong_key_from_a_wrong_secret() {
    let e = start();
    let wrong_key = token(
        &e,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "nope"),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_error(&wrong_key, 401, "invalid_client");
    assert_eq!(wrong_key.1["error_description"], "unknown client id");

    let wrong_secret = token(
        &e,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", "nope"),
        ],
    )
    .await;
    assert_error(&wrong_secret, 401, "invalid_client");
    assert_eq!(
        wrong_secret.1["error_description"],
        "Client authentication failed"
    );

    let unknown_grant = token(
        &e,
        &[
            ("grant_type", "password"),
            ("client_id", APP),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_error(&unknown_grant, 400, "unsupported_grant_type");

    e.register_app(App::new("device-only", "s").with_grants(&[Grant::DeviceToken]));
    let not_allowed = token(
        &e,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "device-only"),
            ("client_secret", "s"),
        ],
    )
    .await;
    assert_error(&not_allowed, 400, "unauthorized_client");
}

#[tokio::test]
async fn secret_in_url_counts_a_get_with_client_secret_but_not_a_post_form() {
    let e = start();
    let query = format!(
        "/oauth/2.0/token?grant_type=client_credentials&client_id={APP}&client_secret={SECRET}"
    );
    get(&e, &query).await;
    assert_eq!(e.counters().secret_in_url, 1);
    token(
        &e,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", SECRET),
        ],
    )
    .await;
    let counters = e.counters();
    assert_eq!(counters.secret_in_url, 1);
    assert_eq!(counters.grants["client_credentials"], 2);
    assert_eq!(counters.endpoints["/oauth/2.0/token"], 2);
    assert_eq!(counters.tokens_issued, 2);
}

// ---------------------------------------------------------------------------------------
// Netdisk: device flow

#[tokio::test]
async fn device_code_answers_baidus_shape() {
    let e = start();
    let (status, body) = get(
        &e,
        &format!(
            "/oauth/2.0/device/code?response_type=device_code&client_id={APP}&scope=basic,netdisk"
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(s(&body["device_code"]).len(), 32);
    assert_eq!(s(&body["user_code"]).len(), 8);
    assert_eq!(body["verification_url"], format!("{}/device", e.base_url()));
    let qrcode_url = s(&body["qrcode_url"]);
    assert!(
        qrcode_url.starts_with(&format!("{}/device/qrcode/", e.base_url())),
        "{qrcode_url}"
    );
    assert!(
        qrcode_url.ends_with(&format!("/{}", s(&body["user_code"]))),
        "{qrcode_url}"
    );
    assert_eq!(
        (body["expires_in"].as_u64(), body["interval"].as_u64()),
        (Some(300), Some(5))
    );

    let unknown = get(
        &e,
        "/oauth/2.0/device/code?response_type=device_code&client_id=nope",
    )
    .await;
    assert_error(&unknown, 401, "invalid_client");

    // Both are configurable through the admin API.
    let (status, _) = admin(
        &e,
        reqwest::Method::POST,
        "/settings",
        Some(json!({"device_expires_in": 1800, "device_interval": 7})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = get(
        &e,
        &format!("/oauth/2.0/device/code?response_type=device_code&client_id={APP}"),
    )
    .await;
    assert_eq!(
        (body["expires_in"].as_u64(), body["interval"].as_u64()),
        (Some(1800), Some(7))
    );
}

#[tokio::test]
async fn device_flow_pending_slow_down_approve_and_single_use() {
    let e = start();
    let (_, code) = get(
        &e,
        &format!(
            "/oauth/2.0/device/code?response_type=device_code&client_id={APP}&scope=basic,netdisk"
        ),
    )
    .await;
    let poll = [
        ("grant_type", "device_token"),
        ("code", s(&code["device_code"])),
        ("client_id", APP),
        ("client_secret", SECRET),
    ];

    assert_error(&token(&e, &poll).await, 400, "authorization_pending");
    assert_error(&token(&e, &poll).await, 400, "slow_down");
    // slow_down added 5 s to the 5 s interval.
    e.advance_clock(11);
    assert_error(&token(&e, &poll).await, 400, "authorization_pending");

    let (status, approved) = admin(
        &e,
        reqwest::Method::POST,
        "/devices/approve",
        Some(json!({"user_code": code["user_code"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "approved");

    e.advance_clock(11);
    let (status, tokens) = token(&e, &poll).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_netdisk_tokens(&tokens, "basic netdisk");

    // A device code is single use.
    e.advance_clock(11);
    assert_error(&token(&e, &poll).await, 400, "invalid_grant");

    let counters = e.counters();
    assert_eq!(counters.errors["slow_down"], 1);
    assert_eq!(counters.errors["authorization_pending"], 2);
    assert_eq!(counters.grants["device_token"], 5);
    assert_eq!(counters.secret_in_url, 0);
}

#[tokio::test]
async fn device_flow_decline_and_expiry() {
    let e = start();
    let url = format!("/oauth/2.0/device/code?response_type=device_code&client_id={APP}");
    let (_, declined) = get(&e, &url).await;
    let (_, expiring) = get(&e, &url).await;

    // The latest pending code is `expiring`; decline the other one by its user code.
    let (status, body) = admin(
        &e,
        reqwest::Method::POST,
        "/devices/decline",
        Some(json!({"user_code": declined["user_code"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let poll = |code: &Value| {
        vec![
            ("grant_type", "device_token".to_string()),
            ("code", s(&code["device_code"]).to_string()),
            ("client_id", APP.to_string()),
            ("client_secret", SECRET.to_string()),
        ]
    };
    let form = poll(&declined);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_error(&token(&e, &form).await, 400, "authorization_declined");

    e.advance_clock(301);
    let form = poll(&expiring);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_error(&token(&e, &form).await, 400, "expired_token");
    // An expired code can no longer be approved.
    let (status, _) = admin(
        &e,
        reqwest::Method::POST,
        "/devices/approve",
        Some(json!({"user_code": expiring["user_code"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Nothing is pending any more.
    let (status, body) = admin(&e, reqwest::Method::POST, "/devices/approve", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["error"].is_string());

    // The other expiry answer observed in the wild, on request.
    e.update_settings(emulator::SettingsPatch {
        device_expiry_error: Some(emulator::DeviceExpiryError::InvalidGrant),
        ..Default::default()
    });
    assert_error(&token(&e, &form).await, 400, "invalid_grant");
}

#[tokio::test]
async fn device_verification_page_and_qr_code() {
    let e = start();
    let (_, code) = get(
        &e,
        &format!("/oauth/2.0/device/code?response_type=device_code&client_id={APP}"),
    )
    .await;
    let user_code = s(&code["user_code"]);

    let png = client()
        .get(s(&code["qrcode_url"]))
        .send()
        .await
        .expect("qr");
    assert_eq!(png.status(), StatusCode::OK);
    assert_eq!(png.headers()["content-type"], "image/png");
    assert!(
        png.bytes()
            .await
            .expect("png")
            .starts_with(b"\x89PNG\r\n\x1a\n")
    );

    let page = client()
        .get(format!("{}?code={user_code}", s(&code["verification_url"])))
        .send()
        .await
        .expect("page");
    assert!(
        page.text()
            .await
            .expect("html")
            .contains(&format!("value=\"{user_code}\""))
    );

    let submitted = client()
        .post(s(&code["verification_url"]))
        .form(&[("code", user_code), ("action", "approve")])
        .send()
        .await
        .expect("submit");
    assert_eq!(submitted.status(), StatusCode::OK);
    assert_eq!(e.devices()[0].status, emulator::DeviceStatus::Approved);
}

// ---------------------------------------------------------------------------------------
// Netdisk: authorization code

#[tokio::test]
async fn authorization_code_oob_page_then_single_use_exchange() {
    let e = start();
    let url = format!(
        "{}/oauth/2.0/authorize?response_type=code&client_id={APP}&redirect_uri=oob&scope=basic,netdisk&display=tv",
        e.base_url()
    );
    let page = client().get(url).send().await.expect("authorize");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    let code = html
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .expect("title")
        .to_string();
    assert_eq!(code.len(), 32, "{html}");
    assert!(
        html.matches(&code).count() >= 2,
        "the code is in the title and the body: {html}"
    );

    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("client_id", APP),
        ("client_secret", SECRET),
        ("redirect_uri", "oob"),
    ];
    let (status, tokens) = token(&e, &exchange).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_netdisk_tokens(&tokens, "basic netdisk");
    assert_error(&token(&e, &exchange).await, 400, "invalid_grant");
}

#[tokio::test]
async fn authorization_code_redirect_mismatch_expiry_and_decline() {
    let e = start();
    let callback = "http://127.0.0.1:9/callback";
    let url = format!("{}/oauth/2.0/authorize", e.base_url());
    let authorize = || {
        client().get(&url).query(&[
            ("response_type", "code"),
            ("client_id", APP),
            ("redirect_uri", callback),
            ("scope", "basic,netdisk"),
            ("state", "xyz 1"),
        ])
    };
    let response = authorize().send().await.expect("authorize");
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(
        location.starts_with(&format!("{callback}?code=")),
        "{location}"
    );
    assert!(location.ends_with("&state=xyz%201"), "{location}");
    let code = location
        .split("code=")
        .nth(1)
        .and_then(|r| r.split('&').next())
        .expect("code")
        .to_string();

    assert_error(
        &exchange_code(&e, "http://127.0.0.1:9/other", &code).await,
        400,
        "invalid_grant",
    );
    let (status, body) = exchange_code(&e, callback, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A code lives 10 minutes.
    let response = authorize().send().await.expect("authorize");
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let late = location
        .split("code=")
        .nth(1)
        .and_then(|r| r.split('&').next())
        .expect("code")
        .to_string();
    e.advance_clock(601);
    assert_error(
        &exchange_code(&e, callback, &late).await,
        400,
        "invalid_grant",
    );

    // The emulated user can refuse.
    let (status, _) = admin(
        &e,
        reqwest::Method::POST,
        "/settings",
        Some(json!({"authorize": "decline"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let response = authorize().send().await.expect("authorize");
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"],
        format!("{callback}?error=access_denied&state=xyz%201").as_str()
    );
    e.set_authorize_decision(Decision::Approve);

    let (status, body) = get(
        &e,
        "/oauth/2.0/authorize?response_type=code&client_id=nope&redirect_uri=oob",
    )
    .await;
    assert_eq!(status.as_u16(), 401, "{body}");
}

// ---------------------------------------------------------------------------------------
// Netdisk: refresh

#[tokio::test]
async fn refresh_tokens_rotate_once_and_reuse_is_counted() {
    let e = start();
    let first = device_login(&e).await;
    let old_refresh = s(&first["refresh_token"]).to_string();

    let (status, second) = refresh(&e, &old_refresh).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_netdisk_tokens(&second, "basic netdisk");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);

    let reused = refresh(&e, &old_refresh).await;
    assert_error(&reused, 400, "expired_token");
    assert_eq!(reused.1["error_description"], "refresh token has been used");
    assert_eq!(e.counters().refresh_reuse, 1);

    // The new one works, once; a narrower scope is allowed, a wider one is not.
    let new_refresh = s(&second["refresh_token"]).to_string();
    let wider = token(
        &e,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &new_refresh),
            ("client_id", APP),
            ("client_secret", SECRET),
            ("scope", "basic,netdisk,super"),
        ],
    )
    .await;
    assert_error(&wider, 400, "invalid_scope");
    let (status, third) = token(
        &e,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &new_refresh),
            ("client_id", APP),
            ("client_secret", SECRET),
            ("scope", "basic"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{third}");
    assert_eq!(third["scope"], "basic");

    let unknown = refresh(&e, "122.unknown").await;
    assert_error(&unknown, 400, "invalid_request");
    assert_eq!(unknown.1["error_description"], "invalid refresh token");

    // Revoked through the admin API.
    let (status, revoked) = admin(
        &e,
        reqwest::Method::POST,
        "/revoke",
        Some(json!({"refresh_token": third["refresh_token"]})),
    )
    .await;
    assert_eq!(
        (status, revoked["revoked"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    assert_error(
        &refresh(&e, s(&third["refresh_token"])).await,
        400,
        "invalid_grant",
    );

    assert_eq!(e.counters().secret_in_url, 0);
}

// ---------------------------------------------------------------------------------------
// Netdisk: token check

#[tokio::test]
async fn uinfo_accepts_live_tokens_only() {
    let e = start();
    let (status, _) = admin(
        &e,
        reqwest::Method::POST,
        "/settings",
        Some(json!({"access_token_secs": {"device_token": 60}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let tokens = device_login(&e).await;
    assert_eq!(tokens["expires_in"], 60);
    let access = s(&tokens["access_token"]);

    let (status, body) = uinfo(&e, access).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["errno"].as_i64(), s(&body["errmsg"])),
        (Some(0), "succ"),
        "{body}"
    );
    assert!(
        body["baidu_name"].is_string() && body["netdisk_name"].is_string() && body["uk"].is_u64()
    );
    assert_eq!(body["vip_type"], 0);

    let (status, bad) = uinfo(&e, "121.not-a-token").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (bad["errno"].as_i64(), s(&bad["errmsg"])),
        (Some(-6), "Invalid Bduss")
    );

    // AI tokens are not netdisk tokens.
    let (_, ai) = token(
        &e,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_eq!(uinfo(&e, s(&ai["access_token"])).await.1["errno"], -6);

    e.advance_clock(61);
    assert_eq!(uinfo(&e, access).await.1["errno"], -6);

    // Revoking an app kills its tokens.
    e.advance_clock(-61);
    assert_eq!(uinfo(&e, access).await.1["errno"], 0);
    assert!(e.revoke_app(APP) >= 2);
    assert_eq!(uinfo(&e, access).await.1["errno"], -6);
}

// ---------------------------------------------------------------------------------------
// BCE bearer tokens

async fn bce_request(
    e: &Handle,
    query: &str,
    host: &str,
    date: &str,
    auth: &str,
) -> (StatusCode, Value) {
    let response = client()
        .get(format!("{}/v1/BCE-BEARER/token?{query}", e.base_url()))
        .header("host", host)
        .header("x-bce-date", date)
        .header("authorization", auth)
        .send()
        .await
        .expect("bce request");
    answer(response).await
}

fn assert_bce_error(got: &(StatusCode, Value), status: u16, code: &str) {
    assert_eq!(got.0.as_u16(), status, "{}", got.1);
    assert_eq!(got.1["code"], code, "{}", got.1);
    assert!(
        got.1["requestId"].is_string() && got.1["message"].is_string(),
        "{}",
        got.1
    );
}

#[tokio::test]
async fn bce_test_vector_end_to_end() {
    let e = start();
    let (status, clock) = admin(
        &e,
        reqwest::Method::POST,
        "/clock",
        Some(json!({"fixed": "2024-11-28T06:10:00Z"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{clock}");

    let host = "iam.bj.baidubce.com";
    let date = "2024-11-28T06:09:57Z";
    let (status, body) = bce_request(&e, "expireInSeconds=2592000", host, date, VECTOR_AUTH).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(s(&body["userId"]).len() >= 8);
    assert!(s(&body["token"]).starts_with("bce-v3/ALTAK-"), "{body}");
    assert_eq!(body["status"], "enable");
    assert_eq!(body["createTime"], "2024-11-28T06:10:00.000Z");
    assert_eq!(body["expireTime"], "2024-12-28T06:10:00.000Z");

    let wrong = VECTOR_AUTH.replace("/cf1e", "/cf1f");
    assert_bce_error(
        &bce_request(&e, "expireInSeconds=2592000", host, date, &wrong).await,
        400,
        "SignatureDoesNotMatch",
    );
    // The signed query is checked too.
    assert_bce_error(
        &bce_request(&e, "expireInSeconds=3600", host, date, VECTOR_AUTH).await,
        400,
        "SignatureDoesNotMatch",
    );
    // And the real Host header.
    assert_bce_error(
        &bce_request(
            &e,
            "expireInSeconds=2592000",
            "127.0.0.1",
            date,
            VECTOR_AUTH,
        )
        .await,
        400,
        "SignatureDoesNotMatch",
    );

    let unknown = VECTOR_AUTH.replace(AK, "AKUNKNOWN");
    assert_bce_error(
        &bce_request(&e, "expireInSeconds=2592000", host, date, &unknown).await,
        403,
        "InvalidAccessKeyId",
    );
    assert_bce_error(
        &bce_request(
            &e,
            "expireInSeconds=2592000",
            host,
            date,
            "bce-auth-v1/nonsense",
        )
        .await,
        400,
        "InvalidHTTPAuthHeader",
    );

    // 31 minutes after signing, the 1800 s window is over.
    e.advance_clock(31 * 60);
    assert_bce_error(
        &bce_request(&e, "expireInSeconds=2592000", host, date, VECTOR_AUTH).await,
        400,
        "RequestExpired",
    );
    let counters = e.counters();
    assert_eq!(counters.tokens_issued, 1);
    assert_eq!(counters.errors["SignatureDoesNotMatch"], 3);
}

#[tokio::test]
async fn bce_signed_now_with_the_real_host_and_a_capped_lifetime() {
    let e = start();
    let host = e.addr().to_string();
    let date = sign::timestamp(e.now());
    let query = vec![("expireInSeconds".to_string(), "99999999".to_string())];
    let headers = vec![
        ("host".to_string(), host.clone()),
        ("x-bce-date".to_string(), date.clone()),
    ];
    let auth = sign::authorization(
        AK,
        SK,
        "GET",
        "/v1/BCE-BEARER/token",
        &query,
        &headers,
        &date,
        1800,
    );
    let response = client()
        .get(format!(
            "{}/v1/BCE-BEARER/token?expireInSeconds=99999999",
            e.base_url()
        ))
        .header("x-bce-date", &date)
        .header("authorization", &auth)
        .send()
        .await
        .expect("bce request");
    let (status, body) = answer(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created = sign::parse_timestamp(s(&body["createTime"])).expect("createTime");
    let expires = sign::parse_timestamp(s(&body["expireTime"])).expect("expireTime");
    assert_eq!((expires - created).num_seconds(), 2_592_000);
}

// ---------------------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn status_garbage_security_policy_and_expired_token_faults() {
    let e = start();
    let cc = [
        ("grant_type", "client_credentials"),
        ("client_id", APP),
        ("client_secret", SECRET),
    ];
    let url = format!("{}/oauth/2.0/token", e.base_url());
    let (status, queued) = admin(
        &e,
        reqwest::Method::POST,
        "/faults",
        Some(json!([
            {"kind": "status", "status": 503, "body": "{\"error_code\":18,\"error_msg\":\"Open api qps request limit reached\"}", "path": "/oauth/2.0/token"},
            {"kind": "status", "status": 502, "path": "/oauth/2.0/token"},
            {"kind": "garbage", "path": "/oauth/2.0/token"},
            {"kind": "security_policy", "path": "/oauth/2.0/token"},
            {"kind": "expired_token", "path": "/oauth/2.0/token"}
        ])),
    )
    .await;
    assert_eq!(
        (status, queued["queued"].as_u64()),
        (StatusCode::CREATED, Some(5)),
        "{queued}"
    );

    // A fault for another path leaves this one alone, and the queue fires in order.
    let (status, _) = get(
        &e,
        &format!("/oauth/2.0/device/code?response_type=device_code&client_id={APP}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = token(&e, &cc).await;
    assert_eq!(
        (status.as_u16(), body["error_code"].as_i64()),
        (503, Some(18))
    );
    let response = client().post(&url).form(&cc).send().await.expect("502");
    assert_eq!(response.status().as_u16(), 502);
    let response = client().post(&url).form(&cc).send().await.expect("garbage");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&response.text().await.expect("text")).is_err());
    let throttled = token(&e, &cc).await;
    assert_error(&throttled, 400, "Trigger security policy");
    assert_eq!(throttled.1["error_description"], "Please try again later");
    assert_error(&token(&e, &cc).await, 400, "expired_token");

    // The queue is empty: back to normal.
    assert_eq!(token(&e, &cc).await.0, StatusCode::OK);
    assert_eq!(e.counters().faults_fired, 5);
    assert!(e.pending_faults().is_empty());
}

#[tokio::test]
async fn drop_fault_is_a_connection_error_not_an_answer() {
    let e = start();
    e.inject_fault(Fault::new(FaultKind::Drop).on_path("/oauth/2.0/token"));
    let cc = [
        ("grant_type", "client_credentials"),
        ("client_id", APP),
        ("client_secret", SECRET),
    ];
    let err = client()
        .post(format!("{}/oauth/2.0/token", e.base_url()))
        .form(&cc)
        .send()
        .await
        .expect_err("dropped");
    assert!(err.status().is_none(), "{err:?}");
    assert!(!err.is_timeout(), "{err:?}");
    assert_eq!(token(&e, &cc).await.0, StatusCode::OK);
}

#[tokio::test]
async fn drop_after_handling_spends_the_refresh_token_without_an_answer() {
    let e = start();
    let first = device_login(&e).await;
    let refresh_token = s(&first["refresh_token"]).to_string();
    e.inject_fault(
        Fault::new(FaultKind::Drop)
            .on_path("/oauth/2.0/token")
            .after_handling(),
    );
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.as_str()),
        ("client_id", APP),
        ("client_secret", SECRET),
    ];
    let err = client()
        .post(format!("{}/oauth/2.0/token", e.base_url()))
        .form(&form)
        .send()
        .await
        .expect_err("dropped");
    assert!(err.status().is_none(), "{err:?}");
    // The refresh took effect: the token is spent.
    assert_error(&refresh(&e, &refresh_token).await, 400, "expired_token");
}

#[tokio::test]
async fn delay_fault_and_latency_slow_answers_down() {
    let e = start();
    let cc = [
        ("grant_type", "client_credentials"),
        ("client_id", APP),
        ("client_secret", SECRET),
    ];
    let url = format!("{}/oauth/2.0/token", e.base_url());

    // A long stall: the client's own timeout is what ends it.
    e.inject_fault(Fault::new(FaultKind::Delay { ms: 60_000 }));
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let err = quick
        .post(&url)
        .form(&cc)
        .send()
        .await
        .expect_err("stalled");
    assert!(err.is_timeout(), "{err:?}");

    // A short delay still answers.
    e.inject_fault(Fault::new(FaultKind::Delay { ms: 200 }));
    let t0 = Instant::now();
    assert_eq!(token(&e, &cc).await.0, StatusCode::OK);
    assert!(t0.elapsed() >= Duration::from_millis(200));

    let (status, settings) = admin(
        &e,
        reqwest::Method::POST,
        "/settings",
        Some(json!({"latency_ms": 150})),
    )
    .await;
    assert_eq!(
        (status, settings["latency_ms"].as_u64()),
        (StatusCode::OK, Some(150))
    );
    let t0 = Instant::now();
    assert_eq!(token(&e, &cc).await.0, StatusCode::OK);
    assert!(t0.elapsed() >= Duration::from_millis(150));

    // Stopping the emulator does not wait for the stalled connection.
    let t0 = Instant::now();
    e.stop();
    assert!(t0.elapsed() < Duration::from_secs(5));
}

// ---------------------------------------------------------------------------------------
// Admin API and lifecycle

#[tokio::test]
async fn admin_api_registers_apps_and_reads_and_resets_counters() {
    let e = emulator::start(Options::default()).expect("emulator");
    let (status, health) = admin(&e, reqwest::Method::GET, "/health", None).await;
    assert_eq!(
        (status, health["base_url"].as_str()),
        (StatusCode::OK, Some(e.base_url().as_str()))
    );

    let (status, app) = admin(
        &e,
        reqwest::Method::POST,
        "/apps",
        Some(json!({"client_id": "http-app", "client_secret": "http-secret"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    let (_, apps) = admin(&e, reqwest::Method::GET, "/apps", None).await;
    assert_eq!(apps[0]["client_id"], "http-app");
    assert!(
        !apps.to_string().contains("http-secret"),
        "secrets are not listed: {apps}"
    );

    let query = "/oauth/2.0/token?grant_type=client_credentials&client_id=http-app&client_secret=http-secret";
    assert_eq!(get(&e, query).await.0, StatusCode::OK);
    assert_eq!(get(&e, "/no/such/api").await.0, StatusCode::NOT_FOUND);

    let (status, counters) = admin(&e, reqwest::Method::GET, "/counters", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(counters["requests"], 2);
    assert_eq!(counters["secret_in_url"], 1);
    assert_eq!(counters["endpoints"]["/oauth/2.0/token"], 1);
    assert_eq!(counters["endpoints"]["other"], 1);
    assert_eq!(counters["grants"]["client_credentials"], 1);

    let (status, before) = admin(&e, reqwest::Method::POST, "/counters/reset", None).await;
    assert_eq!(
        (status, before["requests"].as_u64()),
        (StatusCode::OK, Some(2))
    );
    let (_, after) = admin(&e, reqwest::Method::GET, "/counters", None).await;
    assert_eq!(after["requests"], 0);
    assert_eq!(after["secret_in_url"], 0);

    // Admin errors are JSON too.
    let bad = answer(
        client()
            .post(format!("{}/_emulator/apps", e.base_url()))
            .body("{nope")
            .send()
            .await
            .expect("bad"),
    )
    .await;
    assert_eq!(bad.0, StatusCode::BAD_REQUEST);
    assert!(bad.1["error"].is_string());
    let (status, _) = admin(
        &e,
        reqwest::Method::POST,
        "/faults",
        Some(json!({"kind": "explode"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, bce) = admin(
        &e,
        reqwest::Method::POST,
        "/bce-keys",
        Some(json!({"access_key": "ak", "secret_key": "sk", "user_id": "u1"})),
    )
    .await;
    assert_eq!(
        (status, bce["user_id"].as_str()),
        (StatusCode::CREATED, Some("u1"))
    );

    // An app's AI token scope is set at registration and shown in the listing.
    let (status, app) = admin(
        &e,
        reqwest::Method::POST,
        "/apps",
        Some(json!({"client_id": "ocr", "client_secret": "s", "scope": "public brain_all_scope brain_ocr_general_basic"})),
    )
    .await;
    assert_eq!(
        (status, app["scope"].as_str()),
        (
            StatusCode::CREATED,
            Some("public brain_all_scope brain_ocr_general_basic")
        )
    );
    let (_, body) = token(
        &e,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "ocr"),
            ("client_secret", "s"),
        ],
    )
    .await;
    assert_eq!(
        body["scope"],
        "public brain_all_scope brain_ocr_general_basic"
    );
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let e = start();
    let url = e.base_url();
    drop(e);
    let err = client()
        .get(format!("{url}/_emulator/health"))
        .send()
        .await
        .expect_err("stopped");
    assert!(err.is_connect(), "{err:?}");
}
