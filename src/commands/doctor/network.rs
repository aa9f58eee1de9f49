//! The endpoints: each answers an unauthenticated `HEAD /`, and its `Date` agrees with the
//! local clock.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::report::Report;
use crate::config::Profile;
use crate::error::Kind;

/// Clock skew worth a warning: tokens' expiry is computed locally, but logs and signatures
/// stop making sense.
const SKEW_WARN_SECS: i64 = 300;
/// Beyond this, a bce-auth-v1 signature (valid 1800 s from its timestamp) is dead on arrival
/// or dated in the server's future.
const SKEW_BCE_FAIL_SECS: i64 = 1800;

/// What one endpoint answered to an unauthenticated `HEAD /`.
struct Probe {
    status: u16,
    took: Duration,
    date: Option<DateTime<Utc>>,
    /// The local clock when the answer arrived.
    local: DateTime<Utc>,
}

/// Each distinct endpoint: reachable, and its `Date` against the local clock.
pub(super) fn check_endpoints(profiles: &[&Profile], limit: Duration, r: &mut Report) {
    let mut endpoints: BTreeMap<&str, Vec<&Profile>> = BTreeMap::new();
    // An API key's endpoint is only exported (the `openai` preset): broker never calls it.
    // A plugin's endpoint (if any) is the plugin's business.
    for p in profiles
        .iter()
        .filter(|p| !p.grant.static_key() && !p.grant.runs_plugin())
    {
        endpoints.entry(p.endpoint.as_str()).or_default().push(p);
    }
    // All at once, each bounded by `limit`, so the whole check is too.
    let probes: Vec<(&str, Result<Probe, String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = endpoints
            .keys()
            .map(|&e| (e, s.spawn(crate::catalog::carried(move || probe(e, limit)))))
            .collect();
        handles
            .into_iter()
            .map(|(e, h)| {
                let result = h
                    .join()
                    .unwrap_or_else(|_| Err(crate::t!("ui-doctor-check-failed")));
                (e, result)
            })
            .collect()
    });
    for (endpoint, result) in probes {
        let users = &endpoints[endpoint];
        let names: Vec<&str> = users.iter().map(|p| p.name.as_str()).collect();
        let used_by = crate::t!(
            "ui-doctor-used-by",
            count = names.len(),
            names = names.join(", ")
        );
        let probe = match result {
            Ok(probe) => probe,
            Err(why) => {
                r.fail(
                    "endpoint",
                    None,
                    Kind::Network,
                    crate::t!(
                        "ui-doctor-endpoint-unreachable",
                        endpoint = endpoint,
                        used_by = used_by.as_str(),
                        reason = why
                    ),
                    crate::t!("ui-doctor-endpoint-fix", used_by = used_by.as_str()),
                );
                continue;
            }
        };
        r.ok(
            "endpoint",
            None,
            crate::t!(
                "ui-doctor-endpoint-ok",
                endpoint = endpoint,
                used_by = used_by.as_str(),
                status = probe.status,
                ms = probe.took.as_millis()
            ),
        );
        let Some(date) = probe.date else {
            r.warn(
                "clock",
                None,
                crate::t!("ui-doctor-clock-no-date", endpoint = endpoint),
                crate::t!("ui-doctor-clock-no-date-fix"),
            );
            continue;
        };
        let skew = (probe.local - date).num_seconds();
        let signs = users.iter().any(|p| p.grant.signs_with_clock());
        let (endpoint_text, off) = (endpoint, skew.unsigned_abs());
        let detail = if skew > 0 {
            crate::t!(
                "ui-doctor-clock-ahead",
                seconds = off,
                endpoint = endpoint_text
            )
        } else {
            crate::t!(
                "ui-doctor-clock-behind",
                seconds = off,
                endpoint = endpoint_text
            )
        };
        let fix = crate::t!("ui-doctor-clock-fix");
        if signs && skew.abs() > SKEW_BCE_FAIL_SECS {
            r.fail(
                "clock",
                None,
                Kind::Usage,
                crate::t!(
                    "ui-doctor-clock-bce",
                    detail = detail,
                    seconds = SKEW_BCE_FAIL_SECS
                ),
                fix,
            );
        } else if skew.abs() > SKEW_WARN_SECS {
            r.warn("clock", None, detail, fix);
        } else {
            r.ok(
                "clock",
                None,
                crate::t!(
                    "ui-doctor-clock-ok",
                    seconds = skew.unsigned_abs().max(1),
                    endpoint = endpoint
                ),
            );
        }
    }
}

/// `HEAD {endpoint}/` with no credential, no query, no redirect followed.
fn probe(endpoint: &str, limit: Duration) -> Result<Probe, String> {
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(limit)
        .timeout(limit)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("broker-doctor/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let started = Instant::now();
    let response = client
        .head(format!("{endpoint}/"))
        .send()
        .map_err(|e| describe(&e, limit))?;
    let local = Utc::now();
    let date = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        .map(|d| d.with_timezone(&Utc));
    Ok(Probe {
        status: response.status().as_u16(),
        took: started.elapsed(),
        date,
        local,
    })
}

fn describe(e: &reqwest::Error, limit: Duration) -> String {
    if e.is_timeout() {
        format!("no answer within {}", crate::duration::format(limit))
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        "the connection broke".into()
    }
}
