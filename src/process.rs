//! Child processes broker supervises (whoever starts them: hooks, `BROKER_AGE_KEY_CMD`; this
//! module knows nothing of what they are for): each runs in its own
//! process group, which a time limit ends as a whole (SIGTERM, then SIGKILL after a grace
//! period); output is read by threads, so a grandchild that keeps a pipe open never holds broker
//! up; and SIGINT, SIGTERM or SIGHUP sent to broker while one runs is passed on to its group,
//! which then gets the same grace before SIGKILL; [`Group::wait`] then returns an error of
//! kind `Interrupted`, and [`interrupted`] tells the command to end with 128 + the signal. The
//! library never exits the process itself: the command returns, and its caller exits.
//!
//! The signal watcher is installed by the first [`spawn`], so commands that start no process
//! (the warm `broker token`) keep the default dispositions and pay nothing. Once installed, a
//! signal that arrives while no supervised process runs gets the default disposition, as if
//! no watcher were there: broker ends at once (128 + signal in the shell's `$?`).

use std::io::{self, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use zeroize::Zeroizing;

/// Between SIGTERM (or the passed-on signal) and SIGKILL: enough to clean up, short enough that
/// a process that ignores the signal cannot hold broker up for long.
pub const GRACE: Duration = Duration::from_secs(2);

/// How long to wait for a captured output pipe to close after the process exited. A process it
/// left running in the background may keep the pipe open forever; what was read is kept.
pub const DRAIN: Duration = Duration::from_secs(1);

/// How many supervised processes run now, and the signal broker received meanwhile (0: none).
/// One lock, so the watcher and a process that is just ending cannot both miss the signal.
static RUNNING: Mutex<usize> = Mutex::new(0);
static PENDING: AtomicI32 = AtomicI32::new(0);
/// Set by `broker exec`, which passes signals on to its command itself.
static HANDED_OVER: AtomicBool = AtomicBool::new(false);

/// How a supervised process ended.
pub enum Ended {
    Exited(ExitStatus),
    /// Its time limit passed; its group was ended (SIGTERM, then SIGKILL) and it was reaped.
    TimedOut,
}

/// A running child that leads its own process group.
pub struct Group {
    child: Child,
    pgid: Option<Pid>,
    /// Still counted in [`RUNNING`].
    counted: bool,
}

/// Starts `cmd` as the leader of a new process group, watched as the module says.
pub fn spawn(cmd: &mut Command) -> io::Result<Group> {
    watch_signals();
    cmd.process_group(0);
    // Counted before it exists, so a signal arriving during the spawn is not taken as "nothing
    // runs" (which would exit and leave the new group behind).
    *running() += 1;
    match cmd.spawn() {
        Ok(child) => {
            let pgid = i32::try_from(child.id()).ok().map(Pid::from_raw);
            let mut group = Group {
                child,
                pgid,
                counted: true,
            };
            group.check_pending()?;
            Ok(group)
        }
        Err(e) => {
            *running() -= 1;
            Err(e)
        }
    }
}

/// `broker exec` forwards signals to its command itself (and keeps the command's exit code):
/// from here on the watcher leaves them alone.
pub fn hand_over_signals() {
    HANDED_OVER.store(true, Ordering::SeqCst);
}

fn running() -> std::sync::MutexGuard<'static, usize> {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}

fn watch_signals() {
    static WATCHING: OnceLock<()> = OnceLock::new();
    WATCHING.get_or_init(|| {
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            // Without a watcher the default dispositions stay: broker dies by the signal and
            // the group lives on until its time limit would have ended it. Nothing better to do.
            return;
        };
        std::thread::spawn(move || {
            for sig in signals.forever() {
                if HANDED_OVER.load(Ordering::SeqCst) {
                    continue;
                }
                let running = running();
                if *running == 0 {
                    // Nothing to pass it on to: what the signal would have done without the
                    // watcher. Should that fail, it is pending like any other.
                    let _ = signal_hook::low_level::emulate_default_handler(sig);
                }
                // The main thread polls for it while it waits for the group, and ends it.
                PENDING.store(sig, Ordering::SeqCst);
            }
        });
    });
}

/// The exit code the command must end with, 128 + signal, when broker received a signal
/// while a supervised process ran (the process was ended, see the module doc). A command
/// that started processes checks this when they are done, and ends at once if it is set.
pub fn interrupted() -> Option<u8> {
    let sig = PENDING.load(Ordering::SeqCst);
    (sig != 0).then(|| u8::try_from(128 + sig).unwrap_or(u8::MAX))
}

/// The error a wait or a spawn ends with when a signal came.
fn interruption(sig: i32) -> io::Error {
    io::Error::new(
        io::ErrorKind::Interrupted,
        format!("interrupted by signal {sig}"),
    )
}

impl Group {
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Waits for the leader to exit, at most `timeout`; past it, ends the group (SIGTERM, then
    /// SIGKILL after [`GRACE`]). A signal broker receives meanwhile is passed on to the group,
    /// which gets the same grace; then this returns an `Interrupted` error, and
    /// [`interrupted`] gives the command's exit code.
    pub fn wait(&mut self, timeout: Duration) -> io::Result<Ended> {
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(5);
        loop {
            self.check_pending()?;
            if let Some(status) = self.child.try_wait()? {
                self.uncount();
                return Ok(Ended::Exited(status));
            }
            let now = Instant::now();
            if now >= deadline {
                self.end(Signal::SIGTERM);
                self.uncount();
                return Ok(Ended::TimedOut);
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    /// When broker received a signal: pass it on, end the group, and say so.
    fn check_pending(&mut self) -> io::Result<()> {
        match PENDING.load(Ordering::SeqCst) {
            0 => Ok(()),
            sig => self.interrupt(sig),
        }
    }

    /// Passes `sig` on to the group, ends it, and returns the `Interrupted` error.
    fn interrupt(&mut self, sig: i32) -> io::Result<()> {
        if let Ok(signal) = Signal::try_from(sig) {
            self.end(signal);
        }
        self.uncount();
        Err(interruption(sig))
    }

    /// No longer counted as running. A signal that came meanwhile stays pending: the command
    /// sees it through [`interrupted`].
    fn uncount(&mut self) {
        if std::mem::take(&mut self.counted) {
            *running() -= 1;
        }
    }

    /// Sends `first` to the whole group, SIGKILL to what is left after the grace period; the
    /// leader is reaped either way.
    fn end(&mut self, first: Signal) {
        let Some(group) = self.pgid else {
            let _ = self.child.kill();
            let _ = self.child.wait();
            return;
        };
        let _ = killpg(group, first);
        let grace_end = Instant::now() + GRACE;
        let leader_gone = matches!(wait_until(&mut self.child, grace_end), Ok(Some(_)));
        if leader_gone {
            // Give the rest of the group a moment too; a member that was reparented may stay
            // a zombie (still "in the group") if nothing reaps it, so do not wait long.
            let until = (Instant::now() + Duration::from_millis(500)).min(grace_end);
            while Instant::now() < until && killpg(group, None).is_ok() {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // Only while the group still exists, so a reused number is never signalled.
        if killpg(group, None).is_ok() {
            let _ = killpg(group, Signal::SIGKILL);
        }
        if !leader_gone {
            let _ = self.child.wait();
        }
    }
}

impl Drop for Group {
    /// A group dropped while its leader runs (an early return) is ended, never left behind.
    fn drop(&mut self) {
        if self.counted {
            if !matches!(self.child.try_wait(), Ok(Some(_))) {
                self.end(Signal::SIGTERM);
            }
            self.uncount();
        }
    }
}

/// Polls the child until it exits or `deadline` passes (`Ok(None)`).
fn wait_until(child: &mut Child, deadline: Instant) -> io::Result<Option<ExitStatus>> {
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// `exit 0`, `exit 3`, `killed by SIGTERM`.
pub fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(sig)) => match Signal::try_from(sig) {
            Ok(s) => format!("killed by {}", s.as_str()),
            Err(_) => format!("killed by signal {sig}"),
        },
        (None, None) => "ended".into(),
    }
}

/// What a process printed on stdout, read by [`Capture`]. Zeroised on drop: it may be a key.
pub struct Captured {
    pub bytes: Zeroizing<Vec<u8>>,
    /// More than the cap was printed; `bytes` holds the first `max` bytes only.
    pub too_large: bool,
}

/// Reads a child's stdout (or stderr) in a thread, keeping at most `max` bytes.
pub struct Capture {
    read: Arc<Mutex<Captured>>,
    done: mpsc::Receiver<()>,
}

impl Capture {
    pub fn start(mut pipe: impl Read + Send + 'static, max: usize) -> Capture {
        let read = Arc::new(Mutex::new(Captured {
            bytes: Zeroizing::new(Vec::new()),
            too_large: false,
        }));
        let (tx, done) = mpsc::channel();
        let shared = read.clone();
        std::thread::spawn(move || {
            let mut buf = Zeroizing::new([0u8; 8192]);
            loop {
                let n = match pipe.read(&mut buf[..]) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                };
                let mut c = shared.lock().unwrap_or_else(|e| e.into_inner());
                let room = max.saturating_sub(c.bytes.len());
                if n > room {
                    c.bytes.extend_from_slice(&buf[..room]);
                    c.too_large = true;
                    // Closing the pipe stops a writer that would go on forever.
                    break;
                }
                c.bytes.extend_from_slice(&buf[..n]);
            }
            let _ = tx.send(());
        });
        Capture { read, done }
    }

    /// What was read, once the pipe closed or [`DRAIN`] passed (a grandchild holding it open).
    pub fn finish(self) -> Captured {
        let _ = self.done.recv_timeout(DRAIN);
        let mut c = self.read.lock().unwrap_or_else(|e| e.into_inner());
        Captured {
            bytes: std::mem::take(&mut c.bytes),
            too_large: c.too_large,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (issue 12): a signal received while a process ran ended broker from inside
    /// the library (`process::exit`), so no caller (a test, an agent) kept control. It ends
    /// the group and returns now; the command exits with [`interrupted`]'s code.
    #[test]
    fn a_signal_ends_the_group_and_returns_instead_of_exiting() {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg("sleep 30 & wait");
        let mut group = spawn(&mut cmd).unwrap();
        let pgid = group.pgid.unwrap();
        let started = Instant::now();
        let e = group.interrupt(Signal::SIGTERM as i32).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::Interrupted);
        assert!(started.elapsed() < GRACE + Duration::from_secs(1));
        // The whole group is gone, the sleeping grandchild too (once whoever inherited it has
        // reaped it: allow for a busy machine).
        let deadline = Instant::now() + Duration::from_secs(5);
        while killpg(pgid, None).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            killpg(pgid, None).is_err(),
            "the group outlived the interruption"
        );
        assert!(!group.counted);
    }
}
