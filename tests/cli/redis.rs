//! The shared store of a fleet (`[store] backend = "redis"`), against a real `redis-server`
//! that each test starts on a free loopback port (never a mock): several homes (separate
//! config and state folders, the same identity) share one Redis and prefix.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{Home, assert_failed};

/// A `redis-server` of the test's own, killed on drop. Its folder outlives a stop, so a
/// server started again with `--appendonly yes` finds what it wrote.
pub struct Redis {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
    appendonly: bool,
}

impl Redis {
    /// `None` (said on stderr) when redis-server is not installed; with `CI` set that is a
    /// failure, never a silent skip.
    pub fn start(appendonly: bool) -> Option<Redis> {
        if Command::new("redis-server")
            .arg("--version")
            .output()
            .is_err()
        {
            assert!(
                std::env::var_os("CI").is_none(),
                "redis-server is not installed (scripts/test.sh installs it)"
            );
            eprintln!("SKIPPED: redis-server is not installed");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut r = Redis {
            child: None,
            port,
            dir: tempfile::tempdir().unwrap(),
            appendonly,
        };
        r.run();
        Some(r)
    }

    fn run(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", if self.appendonly { "yes" } else { "no" }])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let started = Instant::now();
        while self.cli(&["PING"]).trim() != "PONG" {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not answer PING"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server (SIGKILL: what it had not written to its AOF is lost).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGSTOP / SIGCONT: a server that keeps its connections open and never answers.
    pub fn freeze(&self, frozen: bool) {
        let pid = self.child.as_ref().expect("running").id();
        let signal = if frozen {
            nix::sys::signal::Signal::SIGSTOP
        } else {
            nix::sys::signal::Signal::SIGCONT
        };
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), signal).unwrap();
    }

    /// Starts it again on the same port and folder.
    pub fn restart(&mut self) {
        self.stop();
        self.run();
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// `redis-cli ARGS` against this server; stdout.
    pub fn cli(&self, args: &[&str]) -> String {
        self.cli_bytes(args)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    pub fn cli_bytes(&self, args: &[&str]) -> Option<Vec<u8>> {
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "--no-raw"])
            .args(args)
            .output()
            .ok()?;
        out.status.success().then_some(out.stdout)
    }

    /// The raw bytes of a key (`redis-cli --raw GET`, its trailing newline cut).
    pub fn get_raw(&self, key: &str) -> Vec<u8> {
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "--raw", "GET", key])
            .output()
            .expect("redis-cli");
        let mut b = out.stdout;
        if b.last() == Some(&b'\n') {
            b.pop();
        }
        b
    }

    /// Every key, by `redis-cli --scan`.
    pub fn keys(&self) -> Vec<String> {
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string(), "--scan"])
            .output()
            .expect("redis-cli");
        let mut keys: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        keys.sort();
        keys
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `[store]` for Redis appended to a home's config.
pub fn use_redis(home: &Home, url: &str) {
    let mut text = home.read_config();
    text = text.replacen(
        "[store]\n",
        &format!("[store]\nbackend = \"redis\"\nurl = \"{url}\"\nprefix = \"fleet\"\n"),
        1,
    );
    assert!(text.contains("backend = \"redis\""), "{text}");
    home.write_config(&text);
}

/// A home that shares `first`'s config and identity (another machine of the fleet).
pub fn another_machine(first: &Home) -> Home {
    let home = Home::new();
    std::fs::create_dir_all(home.config().parent().unwrap()).unwrap();
    std::fs::copy(first.config(), home.config()).unwrap();
    std::fs::copy(first.identity(), home.identity()).unwrap();
    home
}

/// A home with the emulator, its config on `redis`, and netdisk profile `nd` logged in.
pub fn fleet_home(redis: &Redis) -> Home {
    let home = Home::with_emulator();
    use_redis(&home, &redis.url());
    home.login_netdisk("nd");
    home
}

/// The state of `profile` in Redis, decrypted by the reference `age`.
pub fn redis_state(home: &Home, redis: &Redis, profile: &str) -> serde_json::Value {
    let file = home.path().join("from-redis.age");
    std::fs::write(&file, redis.get_raw(&format!("fleet:{profile}:state"))).unwrap();
    serde_json::from_str(&home.age_decrypt(&file)).expect("state JSON")
}

/// Changes the state in Redis as a person with `age` and `redis-cli` would, moving its
/// version on (as every write does) so that local copies see the change.
pub fn rewrite_redis_state(
    home: &Home,
    redis: &Redis,
    profile: &str,
    change: impl FnOnce(&mut serde_json::Value),
) {
    let mut state = redis_state(home, redis, profile);
    change(&mut state);
    let recipient = home.ok(&["init"]).trim().to_owned();
    let plain = home.path().join("plain.json");
    let sealed = home.path().join("sealed.age");
    std::fs::write(&plain, state.to_string()).unwrap();
    let ok = Command::new("age")
        .args(["-r", &recipient, "-o"])
        .arg(&sealed)
        .arg(&plain)
        .status()
        .unwrap();
    assert!(ok.success());
    std::fs::remove_file(&plain).unwrap();
    let out = Command::new("redis-cli")
        .args([
            "-p",
            &redis.port.to_string(),
            "-x",
            "SET",
            &format!("fleet:{profile}:state"),
        ])
        .stdin(std::fs::File::open(&sealed).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    // Moved on, as every write does, so that local copies see the change.
    let key = format!("fleet:{profile}:version");
    let moved = format!("{}:by-hand", version_counter(redis, profile) + 1000);
    redis.cli(&["SET", &key, &moved]);
}

/// The write counter of a profile's version key (`N…`; 0 when there is none).
pub fn version_counter(redis: &Redis, profile: &str) -> u64 {
    let raw = redis.get_raw(&format!("fleet:{profile}:version"));
    let digits: String = String::from_utf8_lossy(&raw)
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(0)
}

pub fn expire_in_redis(home: &Home, redis: &Redis, profile: &str) {
    rewrite_redis_state(home, redis, profile, |s| {
        let past = (chrono::Utc::now() - chrono::TimeDelta::seconds(60)).to_rfc3339();
        s["expires_at"] = serde_json::Value::String(past);
    });
}

/// Waits until the server counts one subscriber on the rotation channel.
fn wait_for_a_subscriber(redis: &Redis) {
    let started = Instant::now();
    while !redis
        .cli(&["PUBSUB", "NUMSUB", "fleet:rotations"])
        .contains("(integer) 1")
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "watch is not subscribed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn local_state_files(home: &Home) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&home.state_dir().join("profiles"), &mut out);
    out
}

#[test]
fn three_homes_times_32_processes_on_an_expired_netdisk_token_refresh_once_across_the_fleet() {
    let Some(redis) = Redis::start(false) else {
        return;
    };
    let first = fleet_home(&redis);
    let log = first.path().join("hooks.log");
    let mut text = first.read_config();
    text.push_str(&format!(
        "\n[[profiles.nd.hooks]]\nname = \"count\"\non = [\"rotate\"]\nrun = \"echo rotated >> '{}'\"\n",
        log.display()
    ));
    first.write_config(&text);
    let homes = [another_machine(&first), another_machine(&first)];
    // Every machine has read the token once (so each has a local copy to go stale).
    let before = first.ok(&["token", "nd"]);
    for h in &homes {
        assert_eq!(h.ok(&["token", "nd"]), before);
    }
    expire_in_redis(&first, &redis, "nd");
    first.emu().reset_counters();
    let all: Vec<&Home> = std::iter::once(&first).chain(homes.iter()).collect();
    let children: Vec<Child> = all
        .iter()
        .flat_map(|h| {
            (0..32).map(|_| {
                h.std_cmd(&["token", "nd"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
        })
        .collect();
    let tokens: std::collections::BTreeSet<String> = children
        .into_iter()
        .map(|c| stdout(&c.wait_with_output().unwrap()))
        .collect();
    assert_eq!(
        tokens.len(),
        1,
        "machines printed different tokens: {tokens:?}"
    );
    assert_ne!(tokens.first().unwrap(), &before);
    let c = first.emu().counters();
    assert_eq!(c.grants.get("refresh_token"), Some(&1), "{c:?}");
    assert_eq!(c.refresh_reuse, 0);
    let hooks = std::fs::read_to_string(&log).unwrap();
    assert_eq!(hooks.lines().count(), 1, "hooks ran {hooks:?}");
    // Nothing of the state went to a local state file on any machine.
    for h in &all {
        assert!(
            local_state_files(h).is_empty(),
            "{:?}",
            local_state_files(h)
        );
    }
}

#[test]
fn redis_holds_no_secret_in_clear_and_its_values_decrypt_with_age() {
    let Some(redis) = Redis::start(false) else {
        return;
    };
    let home = fleet_home(&redis);
    let token = home.ok(&["token", "nd"]);
    let state = redis_state(&home, &redis, "nd");
    let refresh = state["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(state["access_token"].as_str().unwrap(), token.trim());
    let keys = redis.keys();
    assert_eq!(
        keys,
        ["fleet:nd:state", "fleet:nd:version", "fleet:profiles"],
        "key names hold only the prefix, the profile and a kind"
    );
    let secrets = [token.trim(), refresh.as_str(), crate::harness::SECRET];
    for key in &keys {
        let value = redis.cli(&["--raw", "DUMP", key]) + &redis.cli(&["--raw", "GET", key]);
        let members = redis.cli(&["SMEMBERS", key]);
        for s in secrets {
            assert!(!key.contains(s));
            assert!(!value.contains(s), "{key} holds a secret in clear");
            assert!(!members.contains(s));
        }
    }
    assert!(
        redis
            .get_raw("fleet:nd:state")
            .starts_with(b"age-encryption.org/v1\n")
    );
    // The local copy is sealed too, and private.
    let copies: Vec<PathBuf> = std::fs::read_dir(home.state_dir().join("redis"))
        .unwrap()
        .flatten()
        .flat_map(|d| {
            std::fs::read_dir(d.path())
                .unwrap()
                .flatten()
                .map(|e| e.path())
        })
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    let bytes = std::fs::read(&copies[0]).unwrap();
    for s in secrets {
        assert!(!bytes.windows(s.len()).any(|w| w == s.as_bytes()));
    }
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&copies[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn redis_down_serves_the_cached_token_rotation_exits_5_and_redis_back_recovers() {
    let Some(mut redis) = Redis::start(true) else {
        return;
    };
    let home = fleet_home(&redis);
    let token = home.ok(&["token", "nd"]);
    redis.stop();
    // A token that is not due is served from the local copy, and `-v` says so.
    let out = home.cmd(&["token", "nd", "-v"]).output().unwrap();
    assert_eq!(stdout(&out), token);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unreachable") && err.contains("local copy"),
        "{err}"
    );
    // Anything that would rotate fails closed, naming the store.
    for args in [
        &["refresh", "nd", "--force"][..],
        &["token", "nd", "--min-ttl", "30d"],
    ] {
        let err = home.fails(args, 5);
        assert!(err.contains(&redis.url()), "{err}");
        assert!(err.contains("unreachable"), "{err}");
    }
    assert!(
        local_state_files(&home).is_empty(),
        "nothing forks the lineage locally"
    );
    assert_eq!(home.refreshes(), 0);
    // Back (with its append-only file): commands work again, rotation included.
    redis.restart();
    assert_eq!(home.ok(&["token", "nd"]), token);
    let new = home.ok(&["refresh", "nd", "--force"]);
    assert_eq!(home.refreshes(), 1);
    let _ = new;
    assert_ne!(home.ok(&["token", "nd"]), token);
    // Restarted mid-run: what was written survives in the AOF.
    let now = home.ok(&["token", "nd"]);
    redis.restart();
    assert_eq!(home.ok(&["token", "nd"]), now);
    assert_eq!(redis_state(&home, &redis, "nd")["access_token"], now.trim());
}

#[test]
fn with_no_local_copy_and_redis_down_token_exits_5() {
    let Some(mut redis) = Redis::start(false) else {
        return;
    };
    let home = fleet_home(&redis);
    let other = another_machine(&home);
    redis.stop();
    let out = other.cmd(&["token", "nd"]).output().unwrap();
    assert_failed(&out, 5, "token");
}

#[test]
fn the_redis_password_is_never_shown() {
    let Some(redis) = Redis::start(false) else {
        return;
    };
    redis.cli(&["CONFIG", "SET", "requirepass", "right-pass"]);
    let home = Home::with_emulator();
    use_redis(&home, "redis://127.0.0.1:1/0");
    home.add("ai", "ai");
    let url = format!("redis://default:hunter2-wrong@127.0.0.1:{}/0", redis.port);
    for args in [
        &["token", "ai", "-vv"][..],
        &["status", "-v"],
        &["status", "--json"],
        &["doctor"],
        &["current", "--explain", "--profile", "ai"],
    ] {
        let out = home
            .cmd(args)
            .env("BROKER_REDIS_URL", &url)
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains("hunter2"), "{args:?}: {all}");
        assert!(all.contains("****"), "{args:?}: {all}");
    }
    let out = home
        .cmd(&["token", "ai"])
        .env("BROKER_REDIS_URL", &url)
        .output()
        .unwrap();
    assert_failed(&out, 5, "wrong password");
    // The right one works.
    let right = format!("redis://default:right-pass@127.0.0.1:{}/0", redis.port);
    let out = home
        .cmd(&["token", "ai"])
        .env("BROKER_REDIS_URL", &right)
        .output()
        .unwrap();
    assert!(stdout(&out).starts_with("24."));
}

#[test]
fn export_import_moves_a_lineage_from_a_file_home_to_a_redis_home_and_hands_off_the_source() {
    let Some(redis) = Redis::start(false) else {
        return;
    };
    let laptop = Home::with_emulator();
    laptop.login_netdisk("nd");
    let token = laptop.ok(&["token", "nd"]);
    let ci = another_machine(&laptop);
    use_redis(&ci, &redis.url());
    let bundle = laptop.ok(&["state", "export", "nd"]);
    assert!(
        bundle.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"),
        "{bundle}"
    );
    let refresh = laptop.state_json("nd");
    assert!(
        refresh.get("refresh_token").is_none(),
        "the source keeps no refresh token"
    );
    assert!(refresh["handed_off"]["to"].is_array(), "{refresh}");
    // The source serves the exported token until it is due, then refuses: exit 3, saying
    // when and to whom.
    assert_eq!(laptop.ok(&["token", "nd"]), token);
    let err = laptop.fails(&["refresh", "nd", "--force"], 3);
    assert!(
        err.contains("handed off at") && err.contains(" to age1"),
        "{err}"
    );
    laptop.expire("nd");
    let err = laptop.fails(&["token", "nd"], 3);
    assert!(err.contains("handed off"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    // A second export from the handed-off source is refused.
    laptop.fails(&["state", "export", "nd"], 3);
    assert_eq!(laptop.refreshes(), 0);

    // Imported into Redis, the lineage goes on there.
    ci.ok_stdin(&["state", "import"], &bundle);
    assert_eq!(ci.ok(&["token", "nd"]), token);
    ci.ok(&["refresh", "nd", "--force"]);
    assert_eq!(laptop.refreshes(), 1);
    assert_eq!(laptop.emu().counters().refresh_reuse, 0);
    let rotated = ci.ok(&["token", "nd"]);
    assert_ne!(rotated, token);
    assert!(redis_state(&ci, &redis, "nd").get("handed_off").is_none());
    // The old bundle is older than what Redis holds now: refused, nothing written.
    let out = ci
        .cmd(&["state", "import"])
        .write_stdin(bundle.as_str())
        .output()
        .unwrap();
    assert_failed(&out, 2, "older bundle");
    assert!(String::from_utf8_lossy(&out.stderr).contains("older"));
    assert_eq!(ci.ok(&["token", "nd"]), rotated);
    // `--force` installs it all the same.
    ci.ok_stdin(&["state", "import", "--force"], &bundle);
    assert_eq!(ci.ok(&["token", "nd"]), token);
    // Garbage is exit 2 or 6, never a panic.
    let out = ci
        .cmd(&["state", "import"])
        .write_stdin("not a bundle")
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(2 | 6)), "{out:?}");
}

#[test]
fn status_doctor_and_current_show_the_store_its_reachability_and_the_lease_holder() {
    let Some(redis) = Redis::start(false) else {
        return;
    };
    let home = fleet_home(&redis);
    // A lease held by a rotation on another machine.
    redis.cli(&[
        "SET",
        "fleet:nd:lock",
        "0123abcd ci-runner-7 4242",
        "PX",
        "60000",
    ]);
    let out = home.cmd(&["status"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("redis at {} (prefix `fleet`)", redis.url())),
        "{err}"
    );
    assert!(err.contains("pid 4242 on ci-runner-7"), "{err}");
    let json: serde_json::Value = serde_json::from_str(&home.ok(&["status", "--json"])).unwrap();
    assert_eq!(json[0]["store"]["backend"], "redis");
    assert_eq!(json[0]["store"]["reachable"], true);
    assert_eq!(json[0]["store"]["lease_holder"], "pid 4242 on ci-runner-7");
    let explain = home.ok(&["current", "--explain", "--profile", "nd"]);
    assert!(
        explain.contains("redis store") && explain.contains("(reachable)"),
        "{explain}"
    );
    assert!(
        explain.contains("lease held by pid 4242 on ci-runner-7"),
        "{explain}"
    );
    // doctor: reachable, and a warning for `appendonly no`.
    let out = home.cmd(&["doctor"]).output().unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(all.contains("answers"), "{all}");
    assert!(all.contains("appendonly no"), "{all}");
    redis.cli(&["CONFIG", "SET", "appendonly", "yes"]);
    let out = home.cmd(&["doctor"]).output().unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!all.contains("appendonly no"), "{all}");
    assert!(all.contains("appendonly yes"), "{all}");
}

#[test]
fn watch_runs_its_command_on_a_rotation_from_another_home() {
    let Some(redis) = Redis::start(false) else {
        return;
    };
    let first = fleet_home(&redis);
    let other = another_machine(&first);
    let log = other.path().join("events.log");
    let script = format!(
        "echo \"$BROKER_EVENT $BROKER_PROFILE $BROKER_GENERATION $BROKER_EXPIRES_AT ${{BAIDU_ACCESS_TOKEN:-none}} ${{BROKER_REDIS_URL:-withheld}}\" >> '{}'",
        log.display()
    );
    // The URL (it may hold a password) reaches neither CMD nor a hook of the rotating machine.
    let hook_log = first.path().join("hook.log");
    let mut text = first.read_config();
    text.push_str(&format!(
        "\n[[profiles.nd.hooks]]\nname = \"env\"\non = [\"rotate\"]\nrun = \"echo ${{BROKER_REDIS_URL:-withheld}} >> '{}'\"\n",
        hook_log.display()
    ));
    first.write_config(&text);
    let mut watch = other
        .std_cmd(&["watch", "nd", "--", "sh", "-c", &script])
        .env("BROKER_REDIS_URL", redis.url())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_a_subscriber(&redis);
    let out = first
        .cmd(&["refresh", "nd", "--force"])
        .env("BROKER_REDIS_URL", redis.url())
        .output()
        .unwrap();
    stdout(&out);
    assert_eq!(
        std::fs::read_to_string(&hook_log).unwrap().trim(),
        "withheld"
    );
    let generation = redis_state(&first, &redis, "nd")["generation"]
        .as_u64()
        .unwrap();
    let token = first.ok(&["token", "nd"]);
    let started = Instant::now();
    while std::fs::read_to_string(&log).unwrap_or_default().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the command never ran"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let line = std::fs::read_to_string(&log).unwrap();
    assert!(
        line.starts_with(&format!("rotate nd {generation} ")),
        "{line}"
    );
    assert!(line.trim_end().ends_with(" none withheld"), "{line}");
    assert!(!line.contains(token.trim()), "the event carries no token");
    // Without Redis there is nothing to watch: exit 2.
    let home = Home::init();
    home.fails(&["watch", "--", "true"], 2);
}

#[test]
fn sigkill_of_the_lease_holder_mid_refresh_lets_another_machine_recover_after_the_lease() {
    use broker_emulator::{Fault, FaultKind};
    let Some(redis) = Redis::start(false) else {
        return;
    };
    let first = fleet_home(&redis);
    let other = another_machine(&first);
    first.emu().reset_counters();
    // The answer is slow and never handled: Baidu has not consumed the refresh token.
    first
        .emu()
        .inject_fault(Fault::new(FaultKind::Drop).on_path("/oauth/2.0/token"));
    first.emu().update_settings(broker_emulator::SettingsPatch {
        latency_ms: Some(10_000),
        ..Default::default()
    });
    // `--timeout 2s`: a lease of 2 × 2 s + 5 s.
    let mut child = first
        .std_cmd(&["refresh", "nd", "--force", "--timeout", "2s"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !first.emu().counters().grants.contains_key("refresh_token") {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no refresh reached the emulator"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    child.wait().unwrap();
    let killed_at = Instant::now();
    // The journal mark is in Redis, and the dead holder's lease is still there.
    assert!(redis_state(&first, &redis, "nd")["refresh_in_flight"].is_object());
    assert!(redis.cli(&["EXISTS", "fleet:nd:lock"]).contains('1'));
    first.emu().update_settings(broker_emulator::SettingsPatch {
        latency_ms: Some(0),
        ..Default::default()
    });
    // Another machine waits for the lease to lapse, then recovers: the same refresh token
    // once more, under the SPEC's recovery rule.
    let token = other.ok(&["token", "nd", "--timeout", "10s"]);
    assert!(
        killed_at.elapsed() >= Duration::from_secs(5),
        "the lease was not waited for"
    );
    let after = redis_state(&first, &redis, "nd");
    assert_eq!(token.trim(), after["access_token"].as_str().unwrap());
    assert!(after.get("refresh_in_flight").is_none(), "{after}");
    assert_eq!(first.refreshes(), 2);
    assert_eq!(first.emu().counters().refresh_reuse, 0);
}

#[test]
fn redis_frozen_during_a_held_lease_does_not_hang_broker() {
    let Some(redis) = Redis::start(false) else {
        return;
    };
    let home = fleet_home(&redis);
    // A slow answer keeps the lease held past a renewal (`--timeout 5s`: a tick every 3.75 s).
    home.emu().update_settings(broker_emulator::SettingsPatch {
        latency_ms: Some(4_500),
        ..Default::default()
    });
    let mut child = home
        .std_cmd(&["refresh", "nd", "--force", "--timeout", "5s"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Frozen once the renewer has renewed (the lease's time left went up again).
    let started = Instant::now();
    let pttl = || -> i64 {
        redis
            .cli(&["PTTL", "fleet:nd:lock"])
            .trim()
            .trim_start_matches("(integer) ")
            .parse()
            .unwrap_or(-2)
    };
    let mut lowest = i64::MAX;
    loop {
        let left = pttl();
        if left > 0 && left > lowest.saturating_add(500) {
            break;
        }
        if left > 0 {
            lowest = lowest.min(left);
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the lease was never renewed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    redis.freeze(true);
    let frozen_at = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if frozen_at.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            let _ = child.wait();
            redis.freeze(false);
            panic!("broker still running 15 s after Redis froze");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    redis.freeze(false);
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(5), "{err}");
    assert!(err.contains("unreachable"), "{err}");
}

#[test]
fn redis_that_stops_answering_costs_one_wait_per_process_not_one_per_call() {
    let Some(redis) = Redis::start(false) else {
        return;
    };
    let home = fleet_home(&redis);
    home.add("ai", "ai");
    let token = home.ok(&["token", "nd"]);
    redis.freeze(true);
    let started = Instant::now();
    let status = home.cmd(&["status"]).output().unwrap();
    let took_status = started.elapsed();
    let started = Instant::now();
    let served = home.cmd(&["token", "nd"]).output().unwrap();
    let took_token = started.elapsed();
    redis.freeze(false);
    assert!(
        took_status < Duration::from_secs(8),
        "status took {took_status:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    // The warm path's version check gives up sooner than a rotation's commands.
    assert_eq!(stdout(&served), token);
    assert!(
        took_token < Duration::from_millis(2_500),
        "token took {took_token:?}"
    );
}

#[test]
fn redis_losing_its_data_never_lets_a_stale_local_copy_match_a_new_version() {
    let Some(redis) = Redis::start(false) else {
        return;
    };
    let first = fleet_home(&redis);
    first.ok(&["refresh", "nd", "--force"]);
    let other = another_machine(&first);
    let stale = other.ok(&["token", "nd"]);
    let counter = version_counter(&redis, "nd");
    // Redis loses everything (a restart without persistence, a failover, FLUSHDB) and the
    // lineage starts again; its writes count up to the stale copy's number once more.
    redis.cli(&["FLUSHDB"]);
    let code = first.oob_code();
    first.ok_stdin(&["login", "nd", "--code", "-"], &code);
    while version_counter(&redis, "nd") < counter {
        first.ok(&["refresh", "nd", "--force"]);
    }
    assert_eq!(version_counter(&redis, "nd"), counter);
    let current = first.ok(&["token", "nd"]);
    assert_ne!(current, stale);
    assert_eq!(
        other.ok(&["token", "nd"]),
        current,
        "the stale copy was served"
    );
}

#[test]
fn foreign_values_under_the_prefix_are_exit_6_and_nothing_is_written() {
    let Some(redis) = Redis::start(false) else {
        return;
    };
    let home = Home::with_emulator();
    use_redis(&home, &redis.url());
    home.add("nd", "netdisk");
    // Another program's string where broker keeps its set of profiles.
    redis.cli(&["SET", "fleet:profiles", "not-a-set"]);
    let code = home.oob_code();
    let out = home
        .cmd(&["login", "nd", "--code", "-"])
        .write_stdin(code.as_str())
        .output()
        .unwrap();
    assert_failed(&out, 6, "login onto a foreign profiles key");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did not write at `fleet:profiles`"), "{err}");
    assert_eq!(redis.keys(), ["fleet:profiles"], "nothing else was written");
    // A foreign type read outside a script: exit 6 too, never "unreachable".
    redis.cli(&["DEL", "fleet:profiles"]);
    let code = home.oob_code();
    home.ok_stdin(&["login", "nd", "--code", "-"], &code);
    redis.cli(&["DEL", "fleet:nd:version"]);
    redis.cli(&["HSET", "fleet:nd:version", "a", "b"]);
    let err = home.fails(&["refresh", "nd", "--force"], 6);
    assert!(!err.contains("unreachable"), "{err}");
}

#[test]
fn machines_that_spell_the_redis_url_differently_see_no_copied_state() {
    let Some(redis) = Redis::start(false) else {
        return;
    };
    let first = fleet_home(&redis);
    let other = another_machine(&first);
    // The same server, spelled another way (host name, no database) and from the environment.
    let spelled = format!("redis://localhost:{}", redis.port);
    for _ in 0..2 {
        for (home, url) in [(&other, Some(&spelled)), (&first, None)] {
            let mut cmd = home.cmd(&["refresh", "nd", "--force", "-v"]);
            if let Some(url) = url {
                cmd.env("BROKER_REDIS_URL", url);
            }
            let out = cmd.output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{err}");
            assert!(
                !err.contains("copied") && !err.contains("is now read at"),
                "{err}"
            );
        }
    }
    assert!(
        redis_state(&first, &redis, "nd")
            .get("copied_from")
            .is_none()
    );
}

#[test]
fn state_export_into_a_closed_pipe_hands_nothing_off() {
    let laptop = Home::with_emulator();
    laptop.login_netdisk("nd");
    let (read_end, write_end) = nix::unistd::pipe().unwrap();
    drop(read_end);
    let out = laptop
        .std_cmd(&["state", "export", "nd"])
        .stdin(Stdio::null())
        .stdout(Stdio::from(write_end))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    let state = laptop.state_json("nd");
    assert!(state.get("handed_off").is_none(), "{state}");
    assert!(state["refresh_token"].is_string(), "the lineage was lost");
    // Nothing was handed off, so exporting again works.
    let bundle = laptop.ok(&["state", "export", "nd"]);
    assert!(bundle.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
}

#[test]
fn watch_reconnects_after_a_redis_restart_and_runs_its_command_on_the_next_rotation() {
    let Some(mut redis) = Redis::start(true) else {
        return;
    };
    let first = fleet_home(&redis);
    let other = another_machine(&first);
    let log = other.path().join("events.log");
    let script = format!("echo \"$BROKER_GENERATION\" >> '{}'", log.display());
    let mut watch = other
        .std_cmd(&["watch", "nd", "-v", "--", "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_a_subscriber(&redis);
    redis.restart();
    wait_for_a_subscriber(&redis);
    first.ok(&["refresh", "nd", "--force"]);
    let started = Instant::now();
    while std::fs::read_to_string(&log).unwrap_or_default().is_empty() {
        let gone = watch.try_wait().unwrap();
        assert!(
            gone.is_none() && started.elapsed() < Duration::from_secs(10),
            "the command never ran (watch ended: {gone:?})"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = watch.kill();
    let out = watch.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("reconnected"), "{err}");
}
