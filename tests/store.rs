//! Integration tests of the state store through the public `broker::store` API, including
//! interop with the reference `age` tool and the process-level properties (umask, locks held by
//! killed processes, the real environment), which run in child processes of this test binary so
//! that no test mutates process-wide state under the others.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use age::secrecy::{ExposeSecret, SecretString};
use broker::profile::ProfileName;
use broker::secret::{AccessToken, RefreshToken, SecretKey};
use broker::store::identity::{self, IdentitySource};
use broker::store::lock::FileLock;
use broker::store::{SealedStore, StateStore, TokenState, Vault, atomic, open};
use chrono::{TimeDelta, Utc};

const AGE: &str = "/usr/bin/age";
const AGE_KEYGEN: &str = "/usr/bin/age-keygen";

/// The environment variable that tells [`child_process_entry`] which role to play.
const CHILD_ROLE: &str = "BROKER_STORE_TEST_CHILD";

fn name(s: &str) -> ProfileName {
    ProfileName::parse(s).unwrap()
}

/// A fresh identity, as (recipient, identity source with the key text).
fn key() -> (String, IdentitySource) {
    let k = age::x25519::Identity::generate();
    (
        k.to_public().to_string(),
        IdentitySource::Key(k.to_string()),
    )
}

fn vault() -> Vault {
    let (r, src) = key();
    Vault::new(vec![r], src)
}

fn netdisk_state() -> TokenState {
    let now = Utc::now();
    let mut s = TokenState::new(
        "netdisk",
        AccessToken::new("121.access-$`\"x"),
        now + TimeDelta::days(30),
        now,
    );
    s.refresh_token = Some(RefreshToken::new("122.refresh"));
    s.refresh_token_obtained_at = Some(now);
    s.scope = Some("basic,netdisk".into());
    s.generation = 1;
    s
}

fn save(store: &SealedStore, profile: &str, state: &TokenState) {
    let mut lock = store.lock(&name(profile), Duration::ZERO).unwrap();
    lock.load().unwrap();
    lock.save(state).unwrap();
}

/// The file of a profile's state (the file backend's `location`).
fn state_path(store: &SealedStore, profile: &str) -> PathBuf {
    PathBuf::from(store.location(&name(profile)))
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().mode() & 0o777
}

/// Runs the `age` CLI and returns stdout; panics with stderr on failure.
fn run_age(program: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    assert!(
        Path::new(program).exists(),
        "{program} is required for these tests (Debian package `age`)"
    );
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs a shell command under a pseudo-terminal (`script`), feeding `input` to it: `age` reads
/// passphrases from the terminal only.
fn run_with_tty(command: &str, input: &str) {
    let mut child = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) is required to give age a terminal");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Runs [`child_process_entry`] in a new process of this test binary with `role`.
fn child(role: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "child_process_entry",
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ROLE, role);
    for var in [
        "BROKER_AGE_KEY",
        "BROKER_AGE_KEY_FILE",
        "BROKER_AGE_KEY_CMD",
        "BROKER_AGE_PASSPHRASE",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn child_output(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The body of the child processes. A no-op in a normal test run (no role set).
#[test]
fn child_process_entry() {
    let Ok(role) = std::env::var(CHILD_ROLE) else {
        return;
    };
    let arg = |k: &str| std::env::var(k).unwrap();
    // libtest has printed `test child_process_entry ... ` without a newline; start a fresh line
    // so every marker below begins one.
    println!();
    match role.as_str() {
        // Take a lock, say so, and hold it until killed.
        "hold-lock" => {
            let _lock = FileLock::acquire(Path::new(&arg("LOCK_PATH")), Duration::ZERO).unwrap();
            println!("LOCKED");
            std::io::stdout().flush().unwrap();
            std::thread::sleep(Duration::from_secs(120));
        }
        // Create everything broker creates under the given umask and report the modes.
        "umask" => {
            let mask = u32::from_str_radix(&arg("UMASK"), 8).unwrap();
            nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(mask));
            let root = PathBuf::from(arg("ROOT"));
            let id = root.join("config/broker/identity.txt");
            let recipient = identity::generate(&id, None).unwrap();
            let store = open(
                root.join("state/broker"),
                Vault::new(vec![recipient], IdentitySource::File(id.clone())),
            );
            save(&store, "p", &netdisk_state());
            atomic::write(&root.join("sink"), b"token", 0o640).unwrap();
            for p in [
                root.join("config"),
                root.join("config/broker"),
                root.join("state"),
                root.join("state/broker"),
                root.join("state/broker/profiles"),
                root.join("state/broker/locks"),
                id,
                state_path(&store, "p"),
                root.join("state/broker/locks/p.lock"),
                root.join("sink"),
            ] {
                println!(
                    "MODE {:o} {}",
                    mode(&p),
                    p.strip_prefix(&root).unwrap().display()
                );
            }
        }
        // Report which identity source the real environment selects.
        "from-env" => {
            let src = IdentitySource::from_env(
                std::env::var_os("CONFIG_IDENTITY").map(PathBuf::from),
                "/default/identity.txt".into(),
            );
            println!("SOURCE {}", src.describe());
        }
        // Load a passphrase identity the way commands do: `BROKER_AGE_PASSPHRASE` or the terminal.
        "load-passphrase-identity" => {
            let src = IdentitySource::File(arg("IDENTITY").into());
            let start = Instant::now();
            match identity::public_keys(&src) {
                Ok(keys) => println!("KEYS {}", keys.join(",")),
                Err(e) => println!(
                    "ERROR {} {} | {}",
                    e.exit_code(),
                    e.message(),
                    e.hint().unwrap_or_default()
                ),
            }
            println!("TOOK_MS {}", start.elapsed().as_millis());
        }
        other => panic!("unknown child role {other}"),
    }
}

#[test]
fn encrypt_decrypt_round_trip_binary_and_armored() {
    let v = vault();
    let bin = v.encrypt(b"plain bytes \x00\xff", false).unwrap();
    assert!(bin.starts_with(b"age-encryption.org/v1\n"));
    assert_eq!(&v.decrypt(&bin).unwrap()[..], b"plain bytes \x00\xff");
    let armored = v.encrypt(b"plain bytes", true).unwrap();
    assert!(armored.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----\n"));
    assert_eq!(&v.decrypt(&armored).unwrap()[..], b"plain bytes");
    let secret = v.encrypt_secret(&SecretKey::new("the-app-secret")).unwrap();
    assert_eq!(
        v.decrypt_secret(&secret).unwrap().expose(),
        "the-app-secret"
    );
}

#[test]
fn state_file_decrypts_with_the_age_cli_to_the_documented_json() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("identity.txt");
    let recipient = identity::generate(&id, None).unwrap();
    let store = open(
        dir.path().join("state"),
        Vault::new(vec![recipient], IdentitySource::File(id.clone())),
    );
    let state = netdisk_state();
    save(&store, "netdisk-dev", &state);

    let path = state_path(&store, "netdisk-dev");
    assert_eq!(path, dir.path().join("state/profiles/netdisk-dev.age"));
    assert!(
        fs::read(&path)
            .unwrap()
            .starts_with(b"age-encryption.org/v1\n"),
        "state files are binary age"
    );
    let json = run_age(
        AGE,
        &["-d", "-i", id.to_str().unwrap(), path.to_str().unwrap()],
        b"",
    );
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v["access_token"], "121.access-$`\"x");
    assert_eq!(v["refresh_token"], "122.refresh");
    for field in ["expires_at", "obtained_at"] {
        let s = v[field].as_str().unwrap();
        let t = chrono::DateTime::parse_from_rfc3339(s).unwrap();
        assert!(s.ends_with('Z'), "{field} is UTC: {s}");
        assert_eq!(t.offset().local_minus_utc(), 0);
    }
    assert_eq!(store.load(&name("netdisk-dev")).unwrap().unwrap(), state);
}

#[test]
fn armored_vault_output_decrypts_with_the_age_cli() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("identity.txt");
    let recipient = identity::generate(&id, None).unwrap();
    let v = Vault::new(vec![recipient], IdentitySource::File(id.clone()));
    let armored = v.encrypt_secret(&SecretKey::new("sk-for-the-cli")).unwrap();
    let plain = run_age(AGE, &["-d", "-i", id.to_str().unwrap()], armored.as_bytes());
    assert_eq!(plain, b"sk-for-the-cli");
}

#[test]
fn secret_encrypted_by_the_age_cli_decrypts_with_decrypt_secret() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("key.txt");
    run_age(AGE_KEYGEN, &["-o", id.to_str().unwrap()], b"");
    let recipient =
        String::from_utf8(run_age(AGE_KEYGEN, &["-y", id.to_str().unwrap()], b"")).unwrap();
    let recipient = recipient.trim().to_string();
    let v = Vault::new(vec![recipient.clone()], IdentitySource::File(id.clone()));
    // `echo KEY | age -a` leaves a newline in the plaintext; printf does not. Both give KEY.
    for input in [&b"sk-from-cli\n"[..], b"sk-from-cli"] {
        let armored = run_age(AGE, &["-r", &recipient, "-a"], input);
        let secret = v
            .decrypt_secret(std::str::from_utf8(&armored).unwrap())
            .unwrap();
        assert_eq!(secret.expose(), "sk-from-cli");
    }
    // And age-keygen's identity file gives the same public key through broker.
    assert_eq!(
        identity::public_keys(&IdentitySource::File(id)).unwrap(),
        vec![recipient]
    );
}

#[test]
fn generated_identity_is_age_keygen_compatible() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("identity.txt");
    let recipient = identity::generate(&id, None).unwrap();
    let from_cli = run_age(AGE_KEYGEN, &["-y", id.to_str().unwrap()], b"");
    assert_eq!(String::from_utf8(from_cli).unwrap().trim(), recipient);
}

#[test]
fn passphrase_identity_interoperates_with_the_age_cli_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pass = SecretString::from("correct horse battery".to_string());

    // broker's passphrase identity, used by `age -d` (passphrase typed on a terminal).
    let ours = d.join("ours.txt");
    let recipient = identity::generate(&ours, Some(&pass)).unwrap();
    assert_eq!(
        identity::public_keys_with_passphrase(&IdentitySource::File(ours.clone()), Some(&pass))
            .unwrap(),
        vec![recipient.clone()]
    );
    let v = Vault::new(vec![recipient], IdentitySource::File(ours.clone()))
        .with_passphrase(pass.clone());
    fs::write(d.join("msg.age"), v.encrypt(b"via age", false).unwrap()).unwrap();
    run_with_tty(
        &format!(
            "{AGE} -d -i {} -o {} {}",
            ours.display(),
            d.join("out").display(),
            d.join("msg.age").display()
        ),
        "correct horse battery\n",
    );
    assert_eq!(fs::read(d.join("out")).unwrap(), b"via age");
    assert_eq!(
        &v.decrypt(&fs::read(d.join("msg.age")).unwrap()).unwrap()[..],
        b"via age"
    );

    // An identity protected with `age -p`, used by broker.
    let plain = d.join("plain.txt");
    run_age(AGE_KEYGEN, &["-o", plain.to_str().unwrap()], b"");
    let recipient =
        String::from_utf8(run_age(AGE_KEYGEN, &["-y", plain.to_str().unwrap()], b"")).unwrap();
    let theirs = d.join("theirs.txt");
    run_with_tty(
        &format!("{AGE} -p -a -o {} {}", theirs.display(), plain.display()),
        "correct horse battery\ncorrect horse battery\n",
    );
    assert!(
        fs::read_to_string(&theirs)
            .unwrap()
            .starts_with("-----BEGIN AGE ENCRYPTED FILE-----")
    );
    let keys =
        identity::public_keys_with_passphrase(&IdentitySource::File(theirs), Some(&pass)).unwrap();
    assert_eq!(keys, vec![recipient.trim().to_string()]);
}

#[test]
fn passphrase_comes_from_the_environment_and_no_terminal_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("identity.txt");
    let recipient =
        identity::generate(&id, Some(&SecretString::from("s3cret pass".to_string()))).unwrap();

    let out = child_output(
        child("load-passphrase-identity")
            .env("IDENTITY", &id)
            .env("BROKER_AGE_PASSPHRASE", "s3cret pass"),
    );
    assert!(out.contains(&format!("KEYS {recipient}")), "{out}");

    let out = child_output(
        child("load-passphrase-identity")
            .env("IDENTITY", &id)
            .env("BROKER_AGE_PASSPHRASE", "wrong"),
    );
    assert!(out.contains("ERROR 6 wrong passphrase"), "{out}");

    // `setsid` leaves the child without a controlling terminal, as in CI or cron.
    let mut cmd = Command::new("setsid");
    let inner = child("load-passphrase-identity");
    cmd.arg("-w")
        .arg(inner.get_program())
        .args(inner.get_args())
        .env(CHILD_ROLE, "load-passphrase-identity")
        .env("IDENTITY", &id);
    cmd.env_remove("BROKER_AGE_PASSPHRASE");
    let out = child_output(&mut cmd);
    // Issue 2: a passphrase identity with no terminal fails at once with exit 6 and a hint.
    assert!(out.contains("ERROR 6 "), "{out}");
    assert!(out.contains("BROKER_AGE_PASSPHRASE"), "{out}");
    let took: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("TOOK_MS "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(took < 2000, "failed at once, not after a wait: {took} ms");
}

#[test]
fn folders_are_0700_and_files_0600_whatever_the_umask() {
    for umask in ["000", "022", "277"] {
        let dir = tempfile::tempdir().unwrap();
        let out = child_output(child("umask").env("UMASK", umask).env("ROOT", dir.path()));
        let modes: Vec<(&str, &str)> = out
            .lines()
            .filter_map(|l| l.strip_prefix("MODE "))
            .map(|l| l.split_once(' ').unwrap())
            .collect();
        assert_eq!(modes.len(), 10, "{out}");
        for (m, p) in modes {
            let want = match p {
                "sink" => "640",
                p if p.ends_with(".txt") || p.ends_with(".age") || p.ends_with(".lock") => "600",
                _ => "700",
            };
            assert_eq!(m, want, "umask {umask}: {p}");
        }
    }
}

#[test]
fn torn_temporary_files_never_affect_a_load() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path().to_path_buf(), vault());
    let state = netdisk_state();
    save(&store, "p", &state);
    let good = fs::read(state_path(&store, "p")).unwrap();
    let profiles = dir.path().join("profiles");
    // What a crash mid-write leaves: a half-written temp file, and an empty one.
    fs::write(profiles.join(".p.age.a1B2c3.tmp"), &good[..good.len() / 2]).unwrap();
    fs::write(profiles.join(".p.age.zzzzzz.tmp"), b"").unwrap();
    assert_eq!(store.load(&name("p")).unwrap().unwrap(), state);
    assert_eq!(store.profiles().unwrap(), vec![name("p")]);
    // And a later save still works and replaces the state.
    let mut next = state.clone();
    next.generation += 1;
    save(&store, "p", &next);
    assert_eq!(store.load(&name("p")).unwrap().unwrap().generation, 2);
}

#[test]
fn a_held_lock_excludes_others_who_wait_until_the_deadline_or_the_release() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.lock");
    let held = FileLock::acquire(&path, Duration::ZERO).unwrap();
    // A separate open of the same file conflicts, even in this process.
    assert!(FileLock::try_acquire(&path).unwrap().is_none());

    let start = Instant::now();
    assert!(
        FileLock::acquire_within(&path, Duration::from_millis(300))
            .unwrap()
            .is_none()
    );
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
        "{waited:?}"
    );

    let waiter = {
        let path = path.clone();
        std::thread::spawn(move || {
            let start = Instant::now();
            let lock = FileLock::acquire(&path, Duration::from_secs(10)).unwrap();
            (start.elapsed(), lock)
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    drop(held);
    let (waited, _lock) = waiter.join().unwrap();
    assert!(
        waited >= Duration::from_millis(150) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
}

#[test]
fn the_store_lock_is_single_flight_across_threads() {
    // Several rotators increment the generation under the lock; none is lost.
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path().to_path_buf(), vault());
    save(&store, "p", &netdisk_state());
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..3 {
                    let mut lock = store.lock(&name("p"), Duration::from_secs(30)).unwrap();
                    let mut st = lock.load().unwrap().unwrap();
                    st.generation += 1;
                    lock.save(&st).unwrap();
                }
            });
        }
    });
    assert_eq!(
        store.load(&name("p")).unwrap().unwrap().generation,
        1 + 8 * 3
    );
}

#[test]
fn a_lock_held_by_a_killed_process_is_released() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.lock");
    let mut holder = child("hold-lock")
        .env("LOCK_PATH", &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(holder.stdout.take().unwrap()).lines();
    assert!(
        lines.any(|l| l.unwrap().trim_end() == "LOCKED"),
        "the child took the lock"
    );

    // Another process holds it: we can neither take it nor wait it out.
    assert!(FileLock::try_acquire(&path).unwrap().is_none());
    assert!(
        FileLock::acquire_within(&path, Duration::from_millis(200))
            .unwrap()
            .is_none()
    );

    holder.kill().unwrap(); // SIGKILL: no destructor runs; the kernel frees the lock.
    holder.wait().unwrap();
    assert!(FileLock::acquire(&path, Duration::from_secs(5)).is_ok());
}

#[test]
fn wrong_identity_and_garbage_are_exit_6() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path().to_path_buf(), vault());
    save(&store, "p", &netdisk_state());

    let stranger = open(dir.path().to_path_buf(), vault());
    let err = stranger.load(&name("p")).unwrap_err();
    assert_eq!(err.exit_code(), 6);
    assert!(
        err.message().contains("not encrypted to this identity"),
        "{}",
        err.message()
    );
    assert!(
        err.message().contains("`p`"),
        "names the profile: {}",
        err.message()
    );

    fs::write(state_path(&store, "p"), b"\x00garbage\xff").unwrap();
    let err = store.load(&name("p")).unwrap_err();
    assert_eq!(err.exit_code(), 6);
    assert!(err.message().contains("corrupt"), "{}", err.message());

    // Ciphertext that decrypts, but not to a token state.
    fs::write(
        state_path(&store, "p"),
        store
            .vault()
            .encrypt(b"{\"not\": \"a state\"}", false)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(store.load(&name("p")).unwrap_err().exit_code(), 6);
}

#[test]
fn no_identity_is_exit_6_naming_every_place_looked() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("identity.txt");
    let v = Vault::new(vec![], IdentitySource::DefaultFile(missing.clone()));
    let ciphertext = vault().encrypt(b"x", false).unwrap();
    let err = v.decrypt(&ciphertext).unwrap_err();
    assert_eq!(err.exit_code(), 6);
    for want in [
        "BROKER_AGE_KEY`",
        "BROKER_AGE_KEY_FILE",
        "BROKER_AGE_KEY_CMD",
        "[store] identity",
        missing.to_str().unwrap(),
    ] {
        assert!(err.message().contains(want), "{want}: {}", err.message());
    }
    let hint = err.hint().unwrap();
    assert!(
        hint.contains("broker init") && hint.contains("BROKER_AGE_KEY"),
        "{hint}"
    );
}

#[test]
fn identity_sources_follow_the_spec_order_and_the_first_present_is_used_alone() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    let recipient = identity::generate(&good, None).unwrap();
    let missing = dir.path().join("missing.txt");
    let (other_recipient, other) = key();
    let IdentitySource::Key(other_key) = &other else {
        unreachable!()
    };
    let all = [
        ("BROKER_AGE_KEY", other_key.expose_secret().to_string()),
        ("BROKER_AGE_KEY_FILE", good.display().to_string()),
        ("BROKER_AGE_KEY_CMD", format!("cat '{}'", good.display())),
    ];

    // Key beats File beats Command beats the config beats the default.
    let src = IdentitySource::from_lookup(env(&all), Some(missing.clone()), missing.clone());
    assert_eq!(identity::public_keys(&src).unwrap(), vec![other_recipient]);
    let src = IdentitySource::from_lookup(env(&all[1..]), Some(missing.clone()), missing.clone());
    assert!(matches!(src, IdentitySource::File(_)));
    assert_eq!(
        identity::public_keys(&src).unwrap(),
        vec![recipient.clone()]
    );
    let src = IdentitySource::from_lookup(env(&all[2..]), Some(missing.clone()), missing.clone());
    assert!(matches!(src, IdentitySource::Command(_)));
    assert_eq!(
        identity::public_keys(&src).unwrap(),
        vec![recipient.clone()]
    );
    let src = IdentitySource::from_lookup(env(&[]), Some(good.clone()), missing.clone());
    assert!(matches!(src, IdentitySource::ConfigFile(_)));
    assert_eq!(
        identity::public_keys(&src).unwrap(),
        vec![recipient.clone()]
    );
    let src = IdentitySource::from_lookup(env(&[]), None, good.clone());
    assert!(matches!(src, IdentitySource::DefaultFile(_)));
    assert_eq!(
        identity::public_keys(&src).unwrap(),
        vec![recipient.clone()]
    );

    // The first present source is used alone even when it fails: no fallback to a good one.
    let broken = [("BROKER_AGE_KEY_FILE", missing.display().to_string())];
    let src = IdentitySource::from_lookup(env(&broken), Some(good.clone()), good.clone());
    let err = identity::public_keys(&src).unwrap_err();
    assert_eq!(err.exit_code(), 6);
    let msg = err.message();
    assert!(
        msg.contains(&missing.display().to_string()) && msg.contains("BROKER_AGE_KEY_FILE"),
        "{msg}"
    );
}

#[test]
fn from_env_reads_the_real_environment() {
    let out = child_output(
        child("from-env")
            .env("BROKER_AGE_KEY", "")
            .env("BROKER_AGE_KEY_FILE", "/env/id.txt")
            .env("BROKER_AGE_KEY_CMD", "cat x"),
    );
    assert!(
        out.contains("SOURCE `/env/id.txt` (from `BROKER_AGE_KEY_FILE`)"),
        "{out}"
    );
    let out = child_output(child("from-env").env("CONFIG_IDENTITY", "/cfg/id.txt"));
    assert!(
        out.contains("SOURCE `/cfg/id.txt` (from `[store] identity`)"),
        "{out}"
    );
    let out = child_output(&mut child("from-env"));
    assert!(out.contains("SOURCE `/default/identity.txt`"), "{out}");
}

#[test]
fn rekey_re_encrypts_every_state_to_the_new_recipients() {
    let dir = tempfile::tempdir().unwrap();
    let (old_r, old_id) = key();
    let (new_r, new_id) = key();
    let before = open(
        dir.path().to_path_buf(),
        Vault::new(vec![old_r], old_id.clone()),
    );
    save(&before, "a", &netdisk_state());
    save(&before, "b", &netdisk_state());

    // The rekeying store decrypts with the old identity and encrypts to the new recipients.
    let rekeyer = open(
        dir.path().to_path_buf(),
        Vault::new(vec![new_r], old_id.clone()),
    );
    assert_eq!(rekeyer.rekey().unwrap(), 2);

    let old = open(dir.path().to_path_buf(), Vault::new(vec![], old_id));
    assert_eq!(old.load(&name("a")).unwrap_err().exit_code(), 6);
    let new = open(dir.path().to_path_buf(), Vault::new(vec![], new_id));
    for p in ["a", "b"] {
        let st = new.load(&name(p)).unwrap().unwrap();
        assert_eq!(st, netdisk_state_like(&st));
    }
    // A rekey is not a rotation: the generation is unchanged.
    assert_eq!(new.load(&name("a")).unwrap().unwrap().generation, 1);
}

/// The environment as a lookup function over `vars`, so no test touches the real one.
fn env(vars: &[(&str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// `netdisk_state()` with the timestamps of `st` (they are taken from the clock).
fn netdisk_state_like(st: &TokenState) -> TokenState {
    let mut s = netdisk_state();
    s.expires_at = st.expires_at;
    s.obtained_at = st.obtained_at;
    s.refresh_token_obtained_at = st.refresh_token_obtained_at;
    s
}
