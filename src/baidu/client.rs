//! The HTTP client: rustls, bounded time, retries with backoff and jitter, capped bodies,
//! and a clear line between "Baidu answered" and "we do not know whether Baidu saw it".

use std::io::Read;
use std::time::{Duration, Instant};

use crate::baidu::error::BaiduError;
use crate::error::{Error, GrantError, Note, sanitize};
use crate::scrub::Scrubber;
use crate::ui::Messages;

/// The most broker reads of an answer; a token response is well under 4 KiB.
pub const MAX_BODY: u64 = 256 * 1024;
/// One attempt never waits longer than this, so a stall leaves time for a retry.
const ATTEMPT_CAP: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most attempts of one request, retries included (each also within the deadline).
const MAX_ATTEMPTS: u32 = 5;
/// The most attempts when the connection is refused: nothing listens on that port (on
/// loopback, a server that is not running), which a few more seconds seldom change.
const REFUSED_ATTEMPTS: u32 = 3;

/// Which request is sent, for messages: a key the catalog names it by (`refresh`,
/// `device-poll`, `code-exchange`, `client-credentials`, `device-code`, `bce-token`), and the
/// profile it is for.
#[derive(Debug, Clone)]
pub struct Request {
    pub name: &'static str,
    pub profile: String,
}

impl Request {
    pub fn new(name: &'static str, profile: &str) -> Self {
        Request {
            name,
            profile: profile.to_owned(),
        }
    }
}

/// For debug lines, which are not translated: `refresh for `nd``.
impl std::fmt::Display for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} for `{}`", self.name, self.profile)
    }
}

/// Which failures may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The request consumes nothing (client_credentials, a BCE bearer token, a device-code
    /// request): retry connection errors, time-outs, 5xx, 429 and `Trigger security policy`.
    Safe,
    /// The request consumes a credential (a netdisk refresh token or code): retry only when it
    /// provably never reached the server, i.e. the connection could not be made.
    ConnectOnly,
    /// Never retry (device-code polling, which has its own schedule).
    Never,
}

/// The form and query fields whose values are secrets: registered with the client's
/// [`Scrubber`] as each request is sent, so no grant can forget to.
const SECRET_FIELDS: [&str; 5] = [
    "client_secret",
    "refresh_token",
    "code",
    "device_code",
    "access_token",
];

/// An HTTP answer, whatever its status, and the secrets its server may have echoed.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    scrubber: Scrubber,
}

impl Answer {
    /// An answer to a request that carried no secret (tests, fuzzing): only age identities
    /// are cut from its text.
    pub fn new(status: u16, body: Vec<u8>) -> Answer {
        Answer {
            status,
            body,
            scrubber: Scrubber::default(),
        }
    }

    /// The Baidu error this answer is, if it is one, with every known secret cut out.
    pub fn error(&self) -> Option<BaiduError> {
        crate::baidu::error::parse(self.status, &self.body, &self.scrubber)
    }

    /// Server text from this answer with every known secret cut out, before it is kept.
    pub fn scrub(&self, text: &str) -> String {
        self.scrubber.scrub(text)
    }
}

/// No answer was read. `maybe_delivered` is true when the request may have reached the
/// server (it was sent, then the connection broke or timed out).
#[derive(Debug)]
pub struct Unanswered {
    pub error: Error,
    pub maybe_delivered: bool,
}

impl From<Unanswered> for Error {
    fn from(u: Unanswered) -> Error {
        u.error
    }
}

/// Clears the progress line when a send returns, whichever way.
struct ProgressDone<'m>(&'m dyn Messages);

impl Drop for ProgressDone<'_> {
    fn drop(&mut self) {
        self.0.progress_done();
    }
}

/// A client with one deadline for the whole command ("retries included", SPEC §5), telling
/// what it does (`-v`) and that it retries (a progress line) through the messages it is given.
pub struct Client<'m> {
    http: reqwest::blocking::Client,
    /// Shortened by [`Client::end_within`], never lengthened.
    deadline: std::cell::Cell<Instant>,
    /// "after N attempts over T" when the last [`Client::send`] returned an answer it had
    /// retried for and given up on (a 5xx, a throttle): [`Client::gave_up`] adds it to the
    /// error the caller makes of that answer.
    retried: std::cell::RefCell<Option<Note>>,
    scrubber: Scrubber,
    out: &'m dyn Messages,
}

impl<'m> Client<'m> {
    pub fn new(timeout: Duration, out: &'m dyn Messages) -> Result<Client<'m>, Error> {
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(None)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("broker/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GrantError::HttpClient {
                reason: e.to_string(),
            })?;
        // Config caps `timeout` at a day; saturate anyway rather than panic on overflow.
        let now = Instant::now();
        let deadline = now
            .checked_add(timeout)
            .unwrap_or_else(|| now + crate::config::MAX_TIMEOUT);
        Ok(Client {
            http,
            deadline: std::cell::Cell::new(deadline),
            retried: std::cell::RefCell::new(None),
            scrubber: Scrubber::default(),
            out,
        })
    }

    /// Makes a secret this command holds but may not send (the current access token, a BCE
    /// SecretKey that only signs) known to the scrubbing of every answer. What a request
    /// sends in [`SECRET_FIELDS`] is known without this.
    pub fn knows(&self, secret: &str) {
        self.scrubber.add(secret);
    }

    /// `text` with every secret this client knows cut out (a plugin's stderr).
    pub fn scrub(&self, text: &str) -> String {
        self.scrubber.scrub(text)
    }

    /// Where this command's messages go (`-v` lines).
    pub fn messages(&self) -> &'m dyn Messages {
        self.out
    }

    pub fn remaining(&self) -> Duration {
        self.deadline
            .get()
            .saturating_duration_since(Instant::now())
    }

    /// Brings the deadline forward to `limit` from now, if that is sooner: a request that
    /// must end before something else does (a lease).
    pub fn end_within(&self, limit: Duration) {
        let at = Instant::now() + limit;
        if at < self.deadline.get() {
            self.deadline.set(at);
        }
    }

    /// `error`, made of the last answer, with how often it was tried when that was more than
    /// once ("…, after 5 attempts over 21 s").
    pub fn gave_up(&self, error: Error) -> Error {
        match self.retried.borrow_mut().take() {
            Some(tries) => error.note(tries),
            None => error,
        }
    }

    /// Sends the request built by `build` (called again for each attempt) and reads the answer.
    pub fn send(
        &self,
        what: &Request,
        retry: Retry,
        build: impl Fn(&reqwest::blocking::Client) -> reqwest::blocking::RequestBuilder,
    ) -> Result<Answer, Unanswered> {
        let first = Instant::now();
        let mut attempt: u32 = 0;
        // A one-line note on a terminal while retrying; cleared when this returns.
        let _progress = ProgressDone(self.out);
        self.retried.replace(None);
        let tries = |attempt: u32| {
            (attempt > 1).then(|| Note::Retried {
                attempts: attempt,
                over: seconds(first.elapsed()),
            })
        };
        let with_tries = |error: GrantError, attempt: u32| match tries(attempt) {
            Some(t) => Error::from(error).note(t),
            None => error.into(),
        };
        loop {
            attempt += 1;
            let remaining = self.remaining();
            if remaining.is_zero() {
                return Err(Unanswered {
                    error: with_tries(
                        GrantError::OutOfTime {
                            request: what.name,
                            profile: what.profile.clone(),
                        },
                        attempt - 1,
                    ),
                    maybe_delivered: false,
                });
            }
            let started = Instant::now();
            // Built here, so every secret it sends is known to the scrubbing of its answer
            // before it leaves.
            let result = build(&self.http)
                .build()
                .inspect(|r| self.learn(r))
                .map_err(Failure::Send)
                .and_then(|request| {
                    exchange(
                        &self.http,
                        request,
                        &self.scrubber,
                        remaining.min(ATTEMPT_CAP),
                    )
                });
            match result {
                Ok(answer) => {
                    self.out.debug(
                        1,
                        format!("{what}: HTTP {} in {:?}", answer.status, started.elapsed()),
                    );
                    if answer.body.len() as u64 > MAX_BODY {
                        return Err(Unanswered {
                            error: GrantError::AnswerTooLarge {
                                request: what.name,
                                profile: what.profile.clone(),
                                limit: MAX_BODY,
                            }
                            .into(),
                            maybe_delivered: true,
                        });
                    }
                    if retry == Retry::Safe && is_transient(&answer) {
                        if attempt < MAX_ATTEMPTS && self.backoff(attempt) {
                            self.out
                                .debug(1, format!("{what}: retrying after HTTP {}", answer.status));
                            self.out.progress(&crate::t!(
                                "ui-retrying",
                                attempt = attempt + 1,
                                most = MAX_ATTEMPTS,
                                reason = format!("HTTP {}", answer.status)
                            ));
                            continue;
                        }
                        self.retried.replace(tries(attempt));
                    }
                    return Ok(answer);
                }
                Err(e) => {
                    let connect = matches!(&e, Failure::Send(e) if e.is_connect());
                    let refused = matches!(&e, Failure::Send(e) if is_refused(e));
                    let failed = |failure, url, reason| GrantError::RequestFailed {
                        request: what.name,
                        profile: what.profile.clone(),
                        failure,
                        url,
                        reason,
                    };
                    let failed = match &e {
                        Failure::Send(e) => failed(describe(e), url_of(e), String::new()),
                        Failure::Read(e) => failed("broke-off", String::new(), e.to_string()),
                        Failure::TimedOut => failed("deadline", String::new(), String::new()),
                    };
                    self.out.debug(1, Error::from(failed.clone()).message());
                    let may_retry = match retry {
                        Retry::Safe => true,
                        Retry::ConnectOnly => connect,
                        Retry::Never => false,
                    };
                    let most = if refused {
                        REFUSED_ATTEMPTS
                    } else {
                        MAX_ATTEMPTS
                    };
                    if may_retry && attempt < most && self.backoff(attempt) {
                        self.out.progress(&crate::t!(
                            "ui-retrying",
                            attempt = attempt + 1,
                            most = most,
                            reason = short_reason(&e, refused)
                        ));
                        continue;
                    }
                    return Err(Unanswered {
                        error: with_tries(failed, attempt),
                        maybe_delivered: !connect,
                    });
                }
            }
        }
    }

    /// Registers the secret values of a request's query and form body before it is sent.
    fn learn(&self, request: &reqwest::blocking::Request) {
        let form = request
            .body()
            .and_then(|b| b.as_bytes())
            .map(url::form_urlencoded::parse)
            .into_iter()
            .flatten();
        for (key, value) in request.url().query_pairs().chain(form) {
            if SECRET_FIELDS.contains(&key.as_ref()) {
                self.scrubber.add(&value);
            }
        }
    }

    /// Sleeps before attempt `attempt + 1`: exponential with full jitter, within the deadline.
    /// False when no time is left for another attempt.
    fn backoff(&self, attempt: u32) -> bool {
        let ceiling = Duration::from_millis(200u64.saturating_mul(1 << attempt.min(5)));
        let pause = ceiling
            .mul_f64(rand::random::<f64>())
            .max(Duration::from_millis(50));
        if pause + Duration::from_millis(100) >= self.remaining() {
            return false;
        }
        std::thread::sleep(pause);
        true
    }
}

/// Why no answer was read: the request failed, the answer's body broke off, or the time ran
/// out.
enum Failure {
    Send(reqwest::Error),
    Read(std::io::Error),
    TimedOut,
}

/// How often the waiting thread looks at the clock, and how late a look may come before the
/// process is taken to have been stopped in between.
const TICK: Duration = Duration::from_millis(100);
const STOPPED_AFTER: Duration = Duration::from_millis(600);

/// One attempt: sends the request and reads the whole answer on a worker thread, waiting at
/// most `limit` for it — not counting time the process spent stopped (Ctrl-Z, SIGSTOP). An
/// answer that arrived while the process was stopped sits in the socket buffer; when the
/// process goes on after its deadline, the time stopped is given back, so that answer is read
/// and saved rather than dropped (which could lose a spent refresh token's successor). A
/// timer inside the HTTP client would fire at once on resuming, before the buffer is read.
fn exchange(
    http: &reqwest::blocking::Client,
    request: reqwest::blocking::Request,
    scrubber: &Scrubber,
    limit: Duration,
) -> Result<Answer, Failure> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let (http, scrubber) = (http.clone(), scrubber.clone());
    // Left behind on a time-out: it ends with the process (or when its request does).
    std::thread::spawn(move || {
        let result = http
            .execute(request)
            .map_err(Failure::Send)
            .and_then(|response| {
                let status = response.status().as_u16();
                let mut body = Vec::new();
                response
                    .take(MAX_BODY + 1)
                    .read_to_end(&mut body)
                    .map_err(Failure::Read)?;
                Ok(Answer {
                    status,
                    body,
                    scrubber,
                })
            });
        let _ = tx.send(result);
    });
    let mut deadline = Instant::now() + limit;
    let mut last = Instant::now();
    loop {
        let now = Instant::now();
        let gap = now - last;
        if gap > STOPPED_AFTER {
            deadline += gap.saturating_sub(TICK);
        }
        last = now;
        if now >= deadline {
            return Err(Failure::TimedOut);
        }
        match rx.recv_timeout(TICK.min(deadline - now)) {
            Ok(result) => return result,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Failure::Read(std::io::Error::other(
                    "the HTTP worker ended without an answer",
                )));
            }
        }
    }
}

/// The connection was refused: the host answered that nothing listens on the port.
fn is_refused(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        source = err.source();
    }
    false
}

/// A failure in a few words, for the progress line.
fn short_reason(e: &Failure, refused: bool) -> &'static str {
    match e {
        _ if refused => "connection refused",
        Failure::TimedOut => "timed out",
        Failure::Send(e) if e.is_timeout() => "timed out",
        Failure::Send(e) if e.is_connect() => "cannot connect",
        Failure::Send(_) | Failure::Read(_) => "the connection broke",
    }
}

/// A duration for messages: `0.8 s`, `21 s`.
fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(10) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} s", d.as_secs_f64().round())
    }
}

/// Worth retrying for a request that consumes nothing.
fn is_transient(answer: &Answer) -> bool {
    if answer.status == 429 || answer.status >= 500 {
        return true;
    }
    answer.error().is_some_and(|e| e.is_security_policy())
}

fn describe(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed-out"
    } else if is_refused(e) {
        "refused"
    } else if e.is_connect() {
        "cannot-connect"
    } else {
        "broke"
    }
}

/// The URL a request failed on, without its query (where Baidu's own examples put secrets).
/// A request's error always carries its URL; `<url>` stands in otherwise.
fn url_of(e: &reqwest::Error) -> String {
    e.url()
        .map_or_else(|| "<url>".to_owned(), |u| redact_url(u.as_str()))
}

/// A URL fit for a message or a log: the query's values replaced by `****`.
pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = reqwest::Url::parse(url) else {
        return "<url>".into();
    };
    let _ = u.set_password(None);
    let _ = u.set_username("");
    if u.query().is_some() {
        let keys: Vec<String> = u.query_pairs().map(|(k, _)| k.into_owned()).collect();
        let redacted: Vec<String> = keys.iter().map(|k| format!("{k}=****")).collect();
        u.set_query(Some(&redacted.join("&")));
    }
    sanitize(u.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// What a front end other than the terminal would receive.
    #[derive(Default)]
    struct Kept(Mutex<Vec<String>>);

    impl Messages for Kept {
        fn say(&self, msg: String) {
            self.0.lock().unwrap().push(msg);
        }
        fn warn(&self, msg: String) {
            self.0.lock().unwrap().push(format!("warning: {msg}"));
        }
        fn debug(&self, _level: u8, msg: String) {
            self.0.lock().unwrap().push(format!("debug: {msg}"));
        }
        fn progress(&self, msg: &str) {
            self.0.lock().unwrap().push(format!("progress: {msg}"));
        }
        fn progress_done(&self) {
            self.0.lock().unwrap().push("progress done".into());
        }
    }

    #[test]
    fn a_deadline_is_brought_forward_never_pushed_back() {
        let kept = Kept::default();
        let client = Client::new(Duration::from_secs(30), &kept).unwrap();
        client.end_within(Duration::from_secs(60));
        assert!(client.remaining() > Duration::from_secs(29));
        assert!(client.remaining() <= Duration::from_secs(30));
        client.end_within(Duration::from_secs(5));
        assert!(client.remaining() <= Duration::from_secs(5));
        client.end_within(Duration::from_secs(10));
        assert!(client.remaining() <= Duration::from_secs(5));
    }

    /// A server on 127.0.0.1 answering each connection with the next of `statuses`.
    fn server(statuses: &'static [u16]) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for (status, stream) in statuses.iter().zip(listener.incoming()) {
                let mut stream = stream.unwrap();
                let mut buf = [0u8; 4096];
                let _ = std::io::Read::read(&mut stream, &mut buf);
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}"
                );
                let _ = std::io::Write::write_all(&mut stream, answer.as_bytes());
            }
        });
        url
    }

    #[test]
    fn a_retry_is_told_through_the_messages_given_not_the_terminal() {
        let url = server(&[503, 200]);
        let kept = Kept::default();
        let client = Client::new(Duration::from_secs(20), &kept).unwrap();
        let request = Request::new("refresh", "p");
        let answer = client
            .send(&request, Retry::Safe, |http| http.get(&url))
            .ok()
            .unwrap();
        assert_eq!(answer.status, 200);
        let said = kept.0.lock().unwrap().clone();
        assert!(
            said.iter()
                .any(|m| m == "progress: retrying… 2/5, HTTP 503"),
            "{said:?}"
        );
        assert_eq!(
            said.last().map(String::as_str),
            Some("progress done"),
            "{said:?}"
        );
        assert!(said.iter().any(|m| m.starts_with("debug: ")), "{said:?}");
    }

    #[test]
    fn redacts_query_values() {
        let r = redact_url(
            "https://openapi.baidu.com/rest/2.0/xpan/nas?method=uinfo&access_token=121.secret",
        );
        assert!(!r.contains("121.secret"));
        assert!(r.contains("access_token=****"));
    }

    #[test]
    fn transient_answers() {
        let a = |status, body: &str| Answer::new(status, body.as_bytes().to_vec());
        assert!(is_transient(&a(503, "")));
        assert!(is_transient(&a(429, "")));
        assert!(is_transient(&a(
            400,
            r#"{"error":"Trigger security policy","error_description":"x"}"#
        )));
        assert!(!is_transient(&a(400, r#"{"error":"invalid_grant"}"#)));
        assert!(!is_transient(&a(200, "{}")));
    }
}
