//! The netdisk login flows: the device flow (a code approved elsewhere), an authorization
//! code pasted here (`oob`), and a browser redirected to a one-shot loopback listener.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use crate::baidu::client::Client;
use crate::config::Profile;
use crate::error::{Error, GrantError, Result, sanitize};
use crate::grant::Fresh;
use crate::grant::netdisk::{self, Poll};
use crate::prompt;
use crate::secret::{Code, SecretKey};
use crate::ui::{self, Messages};

/// How long `--browser` waits for the redirect.
const BROWSER_WAIT: Duration = Duration::from_secs(300);

/// The device flow: show a code and a QR, poll until a person approves it elsewhere.
pub(super) fn with_device(
    profile: &Profile,
    secret: &SecretKey,
    qr: bool,
    out: &dyn Messages,
) -> Result<Fresh> {
    if prompt::in_ci() {
        return Err(GrantError::DeviceLoginNeedsTerminal {
            profile: profile.name.to_string(),
        }
        .into());
    }
    // The device login has its own deadline, from the server.
    let client = Client::new(Duration::from_secs(3600 + 60), out)?;
    // Not sent for a device code, but what that answer shows must not carry it either.
    client.knows(secret.expose());
    let device = netdisk::device_code(&client, profile)?;
    let url = device.prefilled_url();
    out.say(crate::t!(
        "ui-login-device",
        profile = profile.name.as_str(),
        url = sanitize(&device.verification_url),
        code = netdisk::shown(&device.user_code)
    ));
    out.say(crate::t!("ui-login-device-or", url = sanitize(&url)));
    if qr && let Some(code) = qr_code(&url) {
        out.say(code);
    }
    let deadline = Instant::now() + Duration::from_secs(device.expires_in);
    let mut interval = Duration::from_secs(device.interval.max(netdisk::MIN_POLL_INTERVAL));
    let spinner = spinner();
    loop {
        let wait_until = Instant::now() + interval;
        while Instant::now() < wait_until {
            let left = deadline.saturating_duration_since(Instant::now()).as_secs();
            spinner.set_message(crate::t!(
                "ui-login-device-waiting",
                left = format!("{}:{:02}", left / 60, left % 60)
            ));
            spinner.tick();
            std::thread::sleep(
                Duration::from_millis(200)
                    .min(wait_until.saturating_duration_since(Instant::now())),
            );
        }
        if Instant::now() >= deadline {
            spinner.finish_and_clear();
            return Err(GrantError::DeviceCodeExpired {
                profile: profile.name.to_string(),
            }
            .into());
        }
        match netdisk::poll(&client, profile, secret, &device) {
            Ok(Poll::Pending) => {}
            Ok(Poll::SlowDown) => interval += Duration::from_secs(5),
            Ok(Poll::Done(fresh)) => {
                spinner.finish_and_clear();
                return Ok(fresh);
            }
            // A poll that got no answer is retried at the next interval: nothing was consumed.
            Err(e) if e.exit_code() == 5 => out.debug(1, format!("poll failed: {}", e.message())),
            Err(e) => {
                spinner.finish_and_clear();
                return Err(e);
            }
        }
    }
}

fn spinner() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) || ui::is_quiet() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

/// The verification URL as a QR code drawn with half blocks.
fn qr_code(url: &str) -> Option<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// `--code CODE` (or `--code -` to read it from stdin, or `--code` alone to be asked).
pub(super) fn with_code(
    profile: &Profile,
    secret: &SecretKey,
    given: &str,
    timeout: Duration,
    out: &dyn Messages,
) -> Result<Fresh> {
    let code = match given {
        "" => {
            if !prompt::interactive() {
                return Err(GrantError::CodeNeedsTerminal.into());
            }
            out.say(format!(
                "{}\n{}",
                crate::t!("ui-login-code-open"),
                netdisk::authorize_url(profile, "oob", None)
            ));
            read_line(&format!("{} ", crate::t!("ui-login-code-prompt")))?
        }
        "-" => read_stdin_line()?,
        code => code.to_owned(),
    };
    let code = code.trim();
    if code.is_empty()
        || code.len() > 512
        || code.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(GrantError::MalformedCode.into());
    }
    netdisk::exchange_code(
        &Client::new(timeout, out)?,
        profile,
        secret,
        &Code::new(code),
        "oob",
    )
}

fn read_line(prompt_text: &str) -> Result<String> {
    // Never `eprint!`: a closed stderr must not panic (the answer is still read).
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(prompt_text.as_bytes())
        .and_then(|()| err.flush());
    drop(err);
    read_stdin_line()
}

fn read_stdin_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take_line(&mut line)
        .map_err(|e| GrantError::CannotReadCode {
            reason: e.to_string(),
        })?;
    Ok(line.trim().to_owned())
}

/// Reads at most one bounded line.
trait TakeLine {
    fn take_line(self, buf: &mut String) -> std::io::Result<usize>;
}

impl<R: BufRead> TakeLine for R {
    fn take_line(self, buf: &mut String) -> std::io::Result<usize> {
        std::io::Read::take(self, 4096).read_line(buf)
    }
}

/// `--browser`: a one-shot listener on 127.0.0.1 as the redirect URI, a random `state` that
/// must come back unchanged.
pub(super) fn with_browser(
    profile: &Profile,
    secret: &SecretKey,
    timeout: Duration,
    out: &dyn Messages,
) -> Result<Fresh> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| loopback("listen", &e))?;
    let port = listener
        .local_addr()
        .map_err(|e| loopback("other", &e))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let state: String = hex::encode(rand::random::<[u8; 16]>());
    let url = netdisk::authorize_url(profile, &redirect_uri, Some(&state));
    out.say(format!("{}\n{url}", crate::t!("ui-login-browser")));
    open_browser(&url, out);
    let code = wait_for_redirect(&listener, &state)?;
    netdisk::exchange_code(
        &Client::new(timeout, out)?,
        profile,
        secret,
        &code,
        &redirect_uri,
    )
}

/// `$BROWSER`, else the desktop's opener; failing that, the printed URL is enough.
fn open_browser(url: &str, out: &dyn Messages) {
    let opener = std::env::var(crate::env_vars::BROWSER)
        .ok()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| "xdg-open".into());
    let spawned = std::process::Command::new(&opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        out.debug(1, format!("could not start `{}`", sanitize(&opener)));
    }
}

/// The loopback listener failed at `step` (`listen`, `accept`, `other`).
fn loopback(step: &'static str, e: &std::io::Error) -> Error {
    GrantError::Loopback {
        step,
        reason: e.to_string(),
    }
    .into()
}

/// Serves the one redirect: checks `state`, answers a short page, returns the code.
fn wait_for_redirect(listener: &TcpListener, state: &str) -> Result<Code> {
    listener
        .set_nonblocking(true)
        .map_err(|e| loopback("other", &e))?;
    let deadline = Instant::now() + BROWSER_WAIT;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                if let Some(result) = handle_redirect(stream, state) {
                    return result;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err(GrantError::BrowserTimeout.into());
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => {
                return Err(loopback("accept", &e));
            }
        }
    }
}

/// The `error` of a declined redirect, with every secret of this login cut out.
fn declined_reason(err: &str, state: &str) -> String {
    let scrubber = crate::scrub::Scrubber::default();
    scrubber.add(state);
    scrubber.scrub(err)
}

/// None for a request that is not the redirect (a favicon, a probe): keep waiting.
fn handle_redirect(mut stream: TcpStream, state: &str) -> Option<Result<Code>> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut line = String::new();
    BufReader::new(&stream).take_line(&mut line).ok()?;
    let target = line.split_whitespace().nth(1)?;
    let url = reqwest::Url::parse(&format!("http://127.0.0.1{target}")).ok()?;
    if url.path() != "/callback" {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return None;
    }
    let param = |k: &str| {
        url.query_pairs()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.into_owned())
    };
    let (page, result) = match (param("state"), param("code"), param("error")) {
        (Some(s), _, _) if s != state => (
            "The state did not match; this answer was ignored.",
            Err(GrantError::StateMismatch.into()),
        ),
        // Only an answer carrying our `state` may end the login as declined: anything else on
        // this port could otherwise abort it. Its text is the server's: scrubbed like any.
        (Some(_), _, Some(err)) => (
            "Authorization was declined. You can close this tab.",
            Err(GrantError::Declined {
                reason: sanitize(&declined_reason(&err, state)),
            }
            .into()),
        ),
        (Some(_), Some(code), None) if !code.is_empty() => (
            "broker is authorized. You can close this tab.",
            Ok(Code::new(code)),
        ),
        _ => (
            "The redirect carried no code.",
            Err(GrantError::NoCodeInRedirect.into()),
        ),
    };
    let body = format!("<!doctype html><title>broker</title><p>{page}</p>");
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    Some(result)
}
