//! `broker demo`: the whole tour offline. In a temporary home it starts the emulator,
//! creates an identity, adds an AI, a Netdisk and a Qianfan v2 profile pointed at it, gets
//! their tokens (approving the device login through the emulator's admin API), rotates one,
//! and shows `broker status`. Every step runs the real `broker` binary, as a user would.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, InternalError, Result};
use crate::export::sh_quote;
use crate::ui;
use broker_emulator::{
    self as emulator, DEMO_ACCESS_KEY, DEMO_APP_KEY, DEMO_BCE_SECRET_KEY, DEMO_SECRET_KEY,
};

/// `keep`: leave the temporary home in place, so the files the tour points at can be read
/// afterwards (and `HOME=… broker status` run against it).
pub(crate) fn run(keep: bool) -> Result<()> {
    let home = tempfile::Builder::new()
        .prefix("broker-demo-")
        .tempdir()
        .map_err(|e| {
            Error::from(InternalError::CannotCreateDemoHome {
                reason: e.to_string(),
            })
        })?;
    let emu = emulator::start(emulator::Options::demo())?;
    let url = emu.base_url();
    let tour = Tour { home: home.path() };
    ui::say(format!(
        "{}\n",
        crate::t!(
            "ui-demo-start",
            home = home.path().display().to_string(),
            url = url.as_str()
        )
    ));

    tour.note(&crate::t!("ui-demo-init"));
    tour.run(&["init"], None)?;

    tour.note(&crate::t!("ui-demo-add"));
    tour.run(
        &[
            "profile",
            "add",
            "ai-demo",
            "--grant",
            "ai",
            "--app-key",
            DEMO_APP_KEY,
            "--endpoint",
            &url,
            "--description",
            "AI Open Platform app",
        ],
        Some(DEMO_SECRET_KEY),
    )?;
    tour.run(
        &[
            "profile",
            "add",
            "netdisk-demo",
            "--grant",
            "netdisk",
            "--app-key",
            DEMO_APP_KEY,
            "--endpoint",
            &url,
            "--description",
            "Netdisk app, user-authorized",
        ],
        Some(DEMO_SECRET_KEY),
    )?;
    tour.run(
        &[
            "profile",
            "add",
            "qianfan-demo",
            "--grant",
            "bce",
            "--app-key",
            DEMO_ACCESS_KEY,
            "--endpoint",
            &url,
            "--description",
            "Qianfan v2 (BCE IAM)",
        ],
        Some(DEMO_BCE_SECRET_KEY),
    )?;
    tour.run(&["profile", "list"], None)?;

    tour.note(&crate::t!("ui-demo-tokens"));
    tour.run(&["token", "ai-demo"], None)?;
    tour.run(&["token", "qianfan-demo"], None)?;
    tour.note(&crate::t!("ui-demo-cached"));
    tour.run(&["token", "ai-demo"], None)?;

    tour.note(&crate::t!("ui-demo-device"));
    let mut login = tour.command(&["login", "netdisk-demo", "--no-qr"]);
    let child = login.stderr(Stdio::inherit()).spawn().map_err(|e| {
        Error::from(InternalError::CannotRunBroker {
            reason: e.to_string(),
        })
    })?;
    tour.echo(&["login", "netdisk-demo", "--no-qr"]);
    let started = Instant::now();
    loop {
        if emu.approve_device(None).is_ok() {
            ui::say(format!("   {}", crate::t!("ui-demo-approved")));
            break;
        }
        if started.elapsed() > Duration::from_secs(20) {
            return Err(InternalError::DemoNoDeviceCode.into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().map_err(|e| {
        Error::from(InternalError::CannotWaitForBroker {
            reason: e.to_string(),
        })
    })?;
    if !out.status.success() {
        return Err(InternalError::DemoLoginFailed.into());
    }
    tour.run(&["token", "netdisk-demo"], None)?;

    tour.note(&crate::t!("ui-demo-rotate"));
    tour.run(&["refresh", "netdisk-demo", "--force"], None)?;
    tour.run(&["status"], None)?;

    let c = emu.counters();
    tour.note(&crate::t!(
        "ui-demo-counters",
        requests = c.requests,
        secret_in_url = c.secret_in_url,
        refresh_reuse = c.refresh_reuse
    ));
    emu.stop();
    if keep {
        let home = home.keep();
        let path = |tail: &str| sh_quote(&home.join(tail).to_string_lossy()).to_string();
        ui::say(format!(
            "\n# {}",
            crate::t!(
                "ui-demo-state-files-kept",
                identity = path(".config/broker/identity.txt"),
                state = path(".local/state/broker/profiles/netdisk-demo.age")
            )
        ));
        let quoted = sh_quote(&home.to_string_lossy()).to_string();
        ui::say(crate::t!("ui-demo-done-kept", home = quoted));
    } else {
        tour.note(&crate::t!("ui-demo-state-files"));
        ui::say(crate::t!("ui-demo-done"));
    }
    Ok(())
}

struct Tour<'a> {
    home: &'a Path,
}

impl Tour<'_> {
    fn note(&self, text: &str) {
        ui::say(format!("\n# {text}"));
    }

    /// The command as a person would type it: arguments that a shell would split or expand
    /// are quoted, so every echoed line can be pasted.
    fn echo(&self, args: &[&str]) {
        let words: Vec<String> = args
            .iter()
            .map(|a| {
                let plain = !a.is_empty()
                    && a.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c));
                if plain {
                    (*a).to_string()
                } else {
                    sh_quote(a).to_string()
                }
            })
            .collect();
        ui::say(format!("$ broker {}", words.join(" ")));
    }

    /// `broker ARGS` in the demo home, with nothing of the caller's environment but PATH and
    /// the language the demo speaks.
    fn command(&self, args: &[&str]) -> Command {
        let exe = std::env::current_exe().unwrap_or_else(|_| "broker".into());
        let lang = match crate::catalog::lang() {
            crate::catalog::Lang::En => "en",
            crate::catalog::Lang::ZhCn => "zh",
        };
        let mut cmd = Command::new(exe);
        cmd.env_clear()
            .env(crate::env_vars::HOME, self.home)
            .env(crate::env_vars::NO_COLOR, "1")
            .env(crate::env_vars::BROKER_LANG, lang)
            .args(args);
        if let Some(path) = std::env::var_os(crate::env_vars::PATH) {
            cmd.env(crate::env_vars::PATH, path);
        }
        cmd
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Result<()> {
        self.echo(args);
        let mut cmd = self.command(args);
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            Error::from(InternalError::CannotRunBroker {
                reason: e.to_string(),
            })
        })?;
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            let _ = pipe.write_all(text.as_bytes());
        }
        let out: Output = child.wait_with_output().map_err(|e| {
            Error::from(InternalError::CannotWaitForBroker {
                reason: e.to_string(),
            })
        })?;
        for line in String::from_utf8_lossy(&out.stdout)
            .lines()
            .chain(String::from_utf8_lossy(&out.stderr).lines())
        {
            ui::say(format!("   {line}"));
        }
        if out.status.success() {
            Ok(())
        } else {
            Err(InternalError::DemoStepFailed {
                command: args.join(" "),
            }
            .into())
        }
    }
}
