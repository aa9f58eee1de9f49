//! The test harness: a temporary home with an isolated environment, the real `broker`
//! binary, and (when asked) the emulator running in-process on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use broker_emulator::{self as emulator, Handle};

pub const APP_KEY: &str = "test-app-key-0001";
pub const SECRET: &str = "test-secret-key-0001";
pub const BCE_AK: &str = "test-bce-access-key";
pub const BCE_SK: &str = "test-bce-secret-key";

pub struct Home {
    pub dir: tempfile::TempDir,
    pub emulator: Option<Handle>,
}

impl Home {
    /// An empty home: no config, no identity, no state.
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
            emulator: None,
        }
    }

    /// A home with `broker init` done.
    pub fn init() -> Home {
        let home = Home::new();
        home.ok(&["init"]);
        home
    }

    /// A home with `broker init` done and the emulator running with the test app registered.
    pub fn with_emulator() -> Home {
        let mut home = Home::init();
        let handle = emulator::start(emulator::Options::default()).expect("emulator starts");
        handle.register_app(emulator::App::new(APP_KEY, SECRET));
        handle.register_bce_key(emulator::BceKey::new(BCE_AK, BCE_SK));
        home.emulator = Some(handle);
        home
    }

    pub fn emu(&self) -> &Handle {
        self.emulator.as_ref().expect("started with_emulator")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn config(&self) -> PathBuf {
        self.path().join(".config/broker/profiles.toml")
    }
    pub fn identity(&self) -> PathBuf {
        self.path().join(".config/broker/identity.txt")
    }
    pub fn state_dir(&self) -> PathBuf {
        self.path().join(".local/state/broker")
    }
    pub fn state_file(&self, profile: &str) -> PathBuf {
        self.state_dir().join(format!("profiles/{profile}.age"))
    }

    /// `broker ARGS` with nothing of the caller's environment but PATH (stdin: nothing).
    pub fn cmd(&self, args: &[&str]) -> Command {
        Command::from_std(self.std_cmd(args))
    }

    /// The same as a plain `std::process::Command`, for tests that spawn and signal.
    pub fn std_cmd(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("broker"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("LANG", "C.UTF-8")
            .current_dir(self.path())
            .args(args);
        cmd
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args).output().expect("runs");
        assert!(
            out.status.success(),
            "broker {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs with `stdin`, asserting success.
    pub fn ok_stdin(&self, args: &[&str], stdin: &str) -> String {
        let out = self.cmd(args).write_stdin(stdin).output().expect("runs");
        assert!(
            out.status.success(),
            "broker {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs, expecting exit `code`; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.cmd(args).output().expect("runs");
        assert_failed(&out, code, args);
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// Adds a profile pointed at the emulator with the test credentials.
    pub fn add(&self, name: &str, grant: &str) {
        let endpoint = self.emu().base_url();
        let (key, secret) = if grant == "bce" || grant == "sts" {
            (BCE_AK, BCE_SK)
        } else {
            (APP_KEY, SECRET)
        };
        self.ok_stdin(
            &[
                "profile",
                "add",
                name,
                "--grant",
                grant,
                "--app-key",
                key,
                "--endpoint",
                &endpoint,
            ],
            secret,
        );
    }

    /// Adds a netdisk profile and logs it in with `--code -`, through the emulator's
    /// authorize page (as a person with a browser would).
    pub fn login_netdisk(&self, name: &str) {
        self.add(name, "netdisk");
        let code = self.oob_code();
        self.ok_stdin(&["login", name, "--code", "-"], &code);
    }

    pub fn read_config(&self) -> String {
        std::fs::read_to_string(self.config()).expect("config")
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config(), text).expect("write config");
    }

    /// Decrypts a file with the reference `age` CLI and the home's identity.
    pub fn age_decrypt(&self, file: &Path) -> String {
        let out = std::process::Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(self.identity())
            .arg(file)
            .output()
            .expect("the reference `age` tool is installed");
        assert!(
            out.status.success(),
            "age -d failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// The state JSON of a profile, decrypted by the reference `age`.
    pub fn state_json(&self, profile: &str) -> serde_json::Value {
        serde_json::from_str(&self.age_decrypt(&self.state_file(profile))).expect("state JSON")
    }
}

pub fn assert_failed(out: &Output, code: i32, what: impl std::fmt::Debug) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what:?}: expected exit {code}; stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{what:?} panicked: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(
        lines.len(),
        1,
        "{what:?}: one error line expected: {stderr}"
    );
}

impl Home {
    /// Makes the stored token of `profile` look expired, as the reference `age` sees it.
    pub fn expire(&self, profile: &str) {
        self.rewrite_state(profile, |state| {
            let past = (chrono::Utc::now() - chrono::TimeDelta::seconds(60)).to_rfc3339();
            state["expires_at"] = serde_json::Value::String(past);
        });
    }

    /// Changes the state of `profile` as a person with the reference `age` would: decrypt,
    /// `change` the JSON, encrypt again to the home's recipient.
    pub fn rewrite_state(&self, profile: &str, change: impl FnOnce(&mut serde_json::Value)) {
        use std::io::Write;
        let mut state = self.state_json(profile);
        change(&mut state);
        let recipient = self.ok(&["init"]).trim().to_owned();
        let mut child = std::process::Command::new("age")
            .args(["-r", &recipient, "-o"])
            .arg(self.state_file(profile))
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("age");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(state.to_string().as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
    }

    /// Runs `n` copies of `broker ARGS` at once; returns their outputs.
    pub fn parallel(&self, n: usize, args: &[&str]) -> Vec<Output> {
        let children: Vec<_> = (0..n)
            .map(|_| {
                self.std_cmd(args)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        children
            .into_iter()
            .map(|c| c.wait_with_output().expect("wait"))
            .collect()
    }
}

impl Home {
    /// What a person does with `redirect_uri=oob`: open the authorize page, approve, and copy
    /// the code it shows (Baidu puts it in the page title too).
    pub fn oob_code(&self) -> String {
        let url = format!(
            "{}/oauth/2.0/authorize?response_type=code&client_id={APP_KEY}&redirect_uri=oob&scope=basic,netdisk&display=page",
            self.emu().base_url()
        );
        let page = reqwest::blocking::get(url)
            .expect("authorize page")
            .text()
            .expect("html");
        let start = page.find("<title>").expect("a title") + "<title>".len();
        let end = page[start..].find("</title>").expect("title end") + start;
        page[start..end].to_owned()
    }
}

impl Home {
    /// Adds a profile with AppKey `k` pointed at a loopback port nobody listens on: for tests
    /// of config and store behaviour that must never reach a server.
    pub fn add_offline(&self, name: &str, grant: &str, secret: &str) {
        self.ok_stdin(
            &[
                "profile",
                "add",
                name,
                "--grant",
                grant,
                "--app-key",
                "k",
                "--endpoint",
                "http://127.0.0.1:1",
            ],
            secret,
        );
    }
}

impl Home {
    /// `PROGRAM PREFIX… broker ARGS…` with broker's isolated environment: for running broker
    /// under a wrapper (`faketime`, `unshare`, `sh -c 'ulimit …; exec "$@"'`).
    pub fn wrapped(&self, program: &str, prefix: &[&str], args: &[&str]) -> std::process::Command {
        let inner = self.std_cmd(args);
        let mut cmd = std::process::Command::new(program);
        cmd.env_clear();
        for (k, v) in inner.get_envs() {
            if let Some(v) = v {
                cmd.env(k, v);
            }
        }
        cmd.current_dir(self.path())
            .args(prefix)
            .arg(inner.get_program())
            .args(inner.get_args());
        cmd
    }
}

impl Home {
    /// How many refresh-token requests the emulator has answered since its last reset.
    pub fn refreshes(&self) -> u64 {
        self.emu()
            .counters()
            .grants
            .get("refresh_token")
            .copied()
            .unwrap_or(0)
    }
}
