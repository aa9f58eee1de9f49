//! A local Baidu-compatible OAuth emulator (SPEC §9), for tests, `broker demo`, and anyone
//! trying broker without a Baidu account.
//!
//! It serves Baidu's real paths, parameters, JSON bodies, statuses and error codes
//! (baidu-oauth.md) on 127.0.0.1, keeps the rules that matter (single-use codes and refresh
//! tokens, rotation, device codes pending until approved, bce-auth-v1 signatures), and has an
//! admin API under `/_emulator/` to register apps, approve device codes, move the clock,
//! inject faults and read counters. docs/emulator.md documents the rules and every route.
//!
//! In-process use: [`start`] spawns a thread with its own tokio runtime and returns a
//! [`Handle`] once the port is listening; the handle's methods do what the admin routes do,
//! and dropping it stops the server. `broker emulator` calls [`run_foreground`].
//!
//! Layout: `server` (routes, accept loop, faults in front), one file per endpoint (`token`,
//! `authorize`, `device`, `bce`, `nas`), `admin`, and the pieces they share (`state`,
//! `settings`, `clock`, `counters`, `faults`, `apps`, `tokens`, `params`, `reply`, `qr`).

mod admin;
mod apps;
mod authorize;
mod bce;
mod clock;
mod counters;
mod device;
mod error;
mod faults;
mod nas;
mod params;
mod qr;
mod reply;
mod server;
mod settings;
mod state;
mod sts;
mod token;
mod tokens;

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

pub use admin::PREFIX as ADMIN_PREFIX;
pub use apps::{AI_SCOPE, App, AppView, BceKey};
pub use clock::{ClockUpdate, ClockView};
pub use counters::Counters;
pub use device::DeviceView;
pub use error::{Error, ErrorKind};
pub use faults::{Fault, FaultKind, When};
pub use settings::{Decision, DeviceExpiryError, Grant, Settings, SettingsPatch};
pub use state::{DeviceStatus, Revoke};

use state::{Shared, State};

/// The demo app `broker emulator` registers: an OAuth client for every grant…
pub const DEMO_APP_KEY: &str = "demo-app-key";
pub const DEMO_SECRET_KEY: &str = "demo-secret-key";
/// …and a BCE access-key pair.
pub const DEMO_ACCESS_KEY: &str = "demo-access-key";
pub const DEMO_BCE_SECRET_KEY: &str = "demo-bce-secret-key";

/// How to start an emulator.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Apps registered before the first request.
    pub apps: Vec<App>,
    pub bce_keys: Vec<BceKey>,
    pub settings: Settings,
}

impl Options {
    /// An ephemeral port, the demo credentials registered.
    pub fn demo() -> Self {
        Options {
            port: 0,
            apps: vec![App::new(DEMO_APP_KEY, DEMO_SECRET_KEY)],
            bce_keys: vec![BceKey::new(DEMO_ACCESS_KEY, DEMO_BCE_SECRET_KEY)],
            settings: Settings::default(),
        }
    }

    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }
}

/// Starts an emulator on its own thread and tokio runtime; returns once the port listens.
pub fn start(options: Options) -> Result<Handle, Error> {
    let std_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, options.port)).map_err(|e| {
        Error::usage(format!(
            "cannot listen on `127.0.0.1:{}`: {}",
            options.port,
            io_reason(&e)
        ))
        .with_hint("choose another port, or 0 for any free one")
    })?;
    let addr = std_listener
        .local_addr()
        .map_err(|e| Error::internal(format!("cannot read the emulator's address: {e}")))?;
    std_listener
        .set_nonblocking(true)
        .map_err(|e| Error::internal(format!("cannot configure the emulator's socket: {e}")))?;

    // One thread is plenty: every handler is short, and the waits (latency, delay faults) are
    // timers, not blocked threads.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the emulator's runtime: {e}")))?;
    let listener = {
        let _guard = runtime.enter();
        tokio::net::TcpListener::from_std(std_listener)
            .map_err(|e| Error::internal(format!("cannot register the emulator's socket: {e}")))?
    };

    let mut state = State::new(options.settings);
    for app in options.apps {
        state.register_app(app);
    }
    for key in options.bce_keys {
        state.register_bce_key(key);
    }
    let shared = Arc::new(Shared::new(state, format!("http://{addr}")));

    let (stop, stopped) = oneshot::channel();
    let server_shared = shared.clone();
    let thread = std::thread::Builder::new()
        .name(format!("broker-emulator-{}", addr.port()))
        .spawn(move || runtime.block_on(server::serve(listener, server_shared, stopped)))
        .map_err(|e| Error::internal(format!("cannot start the emulator's thread: {e}")))?;

    Ok(Handle {
        shared,
        addr,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// An I/O error's reason without the "(os error N)" tail, lower-case like every message.
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    text.split(" (os error")
        .next()
        .unwrap_or(&text)
        .to_lowercase()
}

/// A running emulator. Its methods are the admin API without HTTP; dropping it (or
/// [`Handle::stop`]) shuts the server down and closes every connection.
pub struct Handle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Handle {
    /// `http://127.0.0.1:PORT`, with no trailing slash: what a profile's `endpoint` takes.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Registers (or replaces) an OAuth app.
    pub fn register_app(&self, app: App) {
        self.shared.lock().register_app(app);
    }

    /// Registers (or replaces) a BCE access-key pair.
    pub fn register_bce_key(&self, key: BceKey) {
        self.shared.lock().register_bce_key(key);
    }

    /// Approves the device code with `user_code`, or the latest pending one; returns its user code.
    pub fn approve_device(&self, user_code: Option<&str>) -> Result<String, Error> {
        self.decide(user_code, Decision::Approve)
    }

    /// Declines the device code with `user_code`, or the latest pending one; returns its user code.
    pub fn decline_device(&self, user_code: Option<&str>) -> Result<String, Error> {
        self.decide(user_code, Decision::Decline)
    }

    fn decide(&self, user_code: Option<&str>, decision: Decision) -> Result<String, Error> {
        device::decide(&mut self.shared.lock(), user_code, decision)
            .map_err(|e| Error::usage(e.to_string()))
    }

    /// Every device code issued so far, oldest first.
    pub fn devices(&self) -> Vec<DeviceView> {
        device::list(&self.shared.lock())
    }

    /// Every device code issued so far, for tests that prove a client never shows one. Not on
    /// the admin HTTP API, where the device code stays the client's secret.
    pub fn issued_device_codes(&self) -> Vec<String> {
        self.shared
            .lock()
            .devices
            .iter()
            .map(|d| d.device_code.clone())
            .collect()
    }

    /// What the emulated user answers at `/oauth/2.0/authorize`.
    pub fn set_authorize_decision(&self, decision: Decision) {
        self.shared.lock().set_authorize_decision(decision);
    }

    /// Queues a fault.
    pub fn inject_fault(&self, fault: Fault) {
        self.shared.lock().faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    pub fn pending_faults(&self) -> Vec<Fault> {
        self.shared.lock().faults.pending()
    }

    pub fn counters(&self) -> Counters {
        self.shared.lock().counters.clone()
    }

    /// Zeroes the counters; returns what they were.
    pub fn reset_counters(&self) -> Counters {
        std::mem::take(&mut self.shared.lock().counters)
    }

    /// Runs the emulator's clock at real time plus `secs`.
    pub fn set_clock_offset(&self, secs: i64) -> ClockView {
        self.update_clock(ClockUpdate {
            offset_secs: Some(secs),
            ..Default::default()
        })
    }

    /// Moves the emulator's clock by `secs` (frozen or not).
    pub fn advance_clock(&self, secs: i64) -> ClockView {
        self.update_clock(ClockUpdate {
            advance_secs: Some(secs),
            ..Default::default()
        })
    }

    /// Freezes the emulator's clock at `at`.
    pub fn freeze_clock(&self, at: DateTime<Utc>) -> ClockView {
        self.update_clock(ClockUpdate {
            fixed: Some(at),
            ..Default::default()
        })
    }

    pub fn update_clock(&self, update: ClockUpdate) -> ClockView {
        let mut st = self.shared.lock();
        st.clock.apply(&update);
        st.clock.view()
    }

    /// The emulator's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.lock().clock.now()
    }

    /// Sets the access-token lifetime (`expires_in`) of one grant.
    pub fn set_lifetime(&self, grant: Grant, secs: u64) {
        self.shared
            .lock()
            .settings
            .access_token_secs
            .insert(grant, secs);
    }

    /// Applies a partial settings change; returns the settings now in force.
    pub fn update_settings(&self, patch: SettingsPatch) -> Settings {
        let mut st = self.shared.lock();
        st.settings.apply(&patch);
        st.settings.clone()
    }

    pub fn settings(&self) -> Settings {
        self.shared.lock().settings.clone()
    }

    /// Revokes tokens; returns how many changed.
    pub fn revoke(&self, what: &Revoke) -> usize {
        self.shared.lock().revoke(what)
    }

    /// Revokes every access and refresh token of an app (a client id or a BCE access key).
    pub fn revoke_app(&self, client_id: &str) -> usize {
        self.revoke(&Revoke {
            client_id: Some(client_id.to_string()),
            ..Default::default()
        })
    }

    /// Stops the server and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// `eline!("…")`: one formatted line on stderr (see [`stderr_line`]).
macro_rules! eline {
    ($($arg:tt)*) => {
        stderr_line(format_args!($($arg)*))
    };
}

/// `broker emulator [--port N]`: serves with the demo credentials until Ctrl-C (or SIGTERM).
/// The base URL goes to stdout (it is the command's data); the rest to stderr.
pub fn run_foreground(port: u16) -> Result<(), Error> {
    let handle = start(Options::demo().port(port))?;
    let base = handle.base_url();
    // A closed stdout (`broker emulator | head -1`) is not a reason to stop serving.
    let _ = writeln!(std::io::stdout(), "{base}").and_then(|()| std::io::stdout().flush());
    eline!("broker emulator listening on {base} (Ctrl-C to stop)");
    eline!(
        "demo OAuth app (ai and netdisk):  app_key = {DEMO_APP_KEY}   secret_key = {DEMO_SECRET_KEY}"
    );
    eline!(
        "demo BCE key pair (bce):          app_key = {DEMO_ACCESS_KEY}   secret_key = {DEMO_BCE_SECRET_KEY}"
    );
    eline!(
        "device codes: approve at {base}/device, or: curl -X POST {base}{ADMIN_PREFIX}/devices/approve"
    );
    eline!(
        "admin API: {base}{ADMIN_PREFIX}/ (counters, faults, clock, settings; see docs/emulator.md)"
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start a runtime to wait for Ctrl-C: {e}")))?;
    runtime.block_on(wait_for_stop_signal())?;
    eline!("broker emulator stopped");
    handle.stop();
    Ok(())
}

/// One line on stderr; a closed stderr is not a reason to stop serving.
fn stderr_line(args: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

async fn wait_for_stop_signal() -> Result<(), Error> {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())
            .map_err(|e| Error::internal(format!("cannot watch for SIGTERM: {e}")))?;
        tokio::select! {
            r = ctrl_c => r.map_err(|e| Error::internal(format!("cannot watch for Ctrl-C: {e}"))),
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        ctrl_c
            .await
            .map_err(|e| Error::internal(format!("cannot watch for Ctrl-C: {e}")))
    }
}
