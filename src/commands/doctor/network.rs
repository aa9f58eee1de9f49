//! The endpoints: each answers an unauthenticated `HEAD /`, and its `Date` agrees with the
//! local clock.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::report::{Report, plural};
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
    for p in profiles {
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
                    .unwrap_or_else(|_| Err("the check itself failed".into()));
                (e, result)
            })
            .collect()
    });
    for (endpoint, result) in probes {
        let users = &endpoints[endpoint];
        let names: Vec<&str> = users.iter().map(|p| p.name.as_str()).collect();
        let used_by = format!("profile{} {}", plural(names.len()), names.join(", "));
        let probe = match result {
            Ok(probe) => probe,
            Err(why) => {
                r.fail(
                    "endpoint",
                    None,
                    Kind::Network,
                    format!("`{endpoint}` ({used_by}) is unreachable: {why}"),
                    format!(
                        "check the network and any proxy (`HTTPS_PROXY`), or the `endpoint` of {used_by}"
                    ),
                );
                continue;
            }
        };
        r.ok(
            "endpoint",
            None,
            format!(
                "`{endpoint}` ({used_by}) answers (HTTP {} in {} ms)",
                probe.status,
                probe.took.as_millis()
            ),
        );
        let Some(date) = probe.date else {
            r.warn(
                "clock",
                None,
                format!("`{endpoint}` sent no `Date` header: the clock was not compared"),
                "compare the clock with a time server by hand",
            );
            continue;
        };
        let skew = (probe.local - date).num_seconds();
        let way = if skew > 0 { "ahead of" } else { "behind" };
        let signs = users.iter().any(|p| p.grant.signs_with_clock());
        let detail = format!(
            "the local clock is {}s {way} `{endpoint}`",
            skew.unsigned_abs()
        );
        let fix = "synchronise the clock (e.g. `timedatectl set-ntp true`, or chrony/ntpd)";
        if signs && skew.abs() > SKEW_BCE_FAIL_SECS {
            r.fail(
                "clock",
                None,
                Kind::Usage,
                format!(
                    "{detail}: BCE IAM refuses signatures this far off (they live {SKEW_BCE_FAIL_SECS}s)"
                ),
                fix,
            );
        } else if skew.abs() > SKEW_WARN_SECS {
            r.warn("clock", None, detail, fix);
        } else {
            r.ok(
                "clock",
                None,
                format!(
                    "the local clock is within {}s of `{endpoint}`",
                    skew.unsigned_abs().max(1)
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
