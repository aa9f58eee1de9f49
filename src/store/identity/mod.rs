//! Where the age identity comes from (SPEC §2, §5), loading it, and generating a new one.
//!
//! The sources are tried in a fixed order and the first one present is used alone, even if it
//! then fails: silently falling back to another key would hide a misconfiguration and could
//! decrypt with a key the user did not mean to use.

mod key_command;
mod passphrase;

use std::fs;
use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};
use age::x25519;
use zeroize::Zeroizing;

use crate::error::{Error, Problem, Result, StoreError};
use crate::store::error::IdentityFacts;
use crate::store::{atomic, read};
use key_command::run_command;
use passphrase::{decrypt_identity_file, encrypt_with_passphrase, is_age_file};

/// The environment variable holding the identity text itself (`AGE-SECRET-KEY-1…`).
pub const ENV_KEY: &str = crate::env_vars::BROKER_AGE_KEY;
/// The environment variable naming an identity file.
pub const ENV_KEY_FILE: &str = crate::env_vars::BROKER_AGE_KEY_FILE;
/// The environment variable holding a shell command that prints the identity.
pub const ENV_KEY_CMD: &str = crate::env_vars::BROKER_AGE_KEY_CMD;
/// The environment variable holding the time limit of `BROKER_AGE_KEY_CMD` (a duration).
pub const ENV_KEY_CMD_TIMEOUT: &str = crate::env_vars::BROKER_AGE_KEY_CMD_TIMEOUT;
/// The most of an identity (a file or a key command's output) broker reads: identity files are
/// a few hundred bytes per key, so this is far beyond any real one.
pub const MAX_IDENTITY: usize = 1 << 20;
/// The environment variable holding the passphrase of a passphrase-protected identity file.
pub const ENV_PASSPHRASE: &str = crate::env_vars::BROKER_AGE_PASSPHRASE;

/// Where the identity comes from. Only one source is ever used: see [`IdentitySource::from_env`].
#[derive(Clone)]
pub enum IdentitySource {
    /// `BROKER_AGE_KEY`: the identity text itself.
    Key(SecretString),
    /// `BROKER_AGE_KEY_FILE`.
    File(PathBuf),
    /// `BROKER_AGE_KEY_CMD`: run with `sh -c`; its stdout is the identity.
    Command(String),
    /// `[store] identity` in the config.
    ConfigFile(PathBuf),
    /// `$XDG_CONFIG_HOME/broker/identity.txt`.
    DefaultFile(PathBuf),
}

impl IdentitySource {
    /// SPEC §5 order: `BROKER_AGE_KEY`, `BROKER_AGE_KEY_FILE`, `BROKER_AGE_KEY_CMD`,
    /// `[store] identity`, the default file. The first one present (an environment variable set
    /// and non-empty, the config key set) is used, alone.
    pub fn from_env(config_identity: Option<PathBuf>, default_file: PathBuf) -> Self {
        Self::from_lookup(
            |name| std::env::var(name).ok(),
            config_identity,
            default_file,
        )
    }

    /// [`IdentitySource::from_env`] with the environment given as a function, for tests and for
    /// callers that hold a snapshot of the environment.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        config_identity: Option<PathBuf>,
        default_file: PathBuf,
    ) -> Self {
        let present = |name: &str| lookup(name).filter(|v| !v.is_empty());
        if let Some(key) = present(ENV_KEY) {
            IdentitySource::Key(SecretString::from(key))
        } else if let Some(file) = present(ENV_KEY_FILE) {
            IdentitySource::File(PathBuf::from(file))
        } else if let Some(cmd) = present(ENV_KEY_CMD) {
            IdentitySource::Command(cmd)
        } else if let Some(file) = config_identity.filter(|p| !p.as_os_str().is_empty()) {
            IdentitySource::ConfigFile(file)
        } else {
            IdentitySource::DefaultFile(default_file)
        }
    }

    /// The source as errors name it: "`BROKER_AGE_KEY`", "`/path/identity.txt`", …
    /// Never the key itself, and not the command (it may carry a token for a password manager).
    /// The words are the catalog's (`describe-identity`), the same as in the errors.
    pub fn describe(&self) -> String {
        let facts = self.facts();
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("source", facts.source);
        args.set("path", facts.path.unwrap_or_default());
        crate::catalog::message("describe-identity", &args).unwrap_or_default()
    }

    /// The source as an error's facts: the words come from the catalog (`describe-identity`).
    pub fn facts(&self) -> IdentityFacts {
        let (source, path) = match self {
            IdentitySource::Key(_) => ("key", None),
            IdentitySource::File(p) => ("file", Some(p)),
            IdentitySource::Command(_) => ("command", None),
            IdentitySource::ConfigFile(p) => ("config-file", Some(p)),
            IdentitySource::DefaultFile(p) => ("default-file", Some(p)),
        };
        IdentityFacts {
            source,
            path: path.map(|p| p.display().to_string()),
        }
    }

    /// The identity file, for the sources that are one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            IdentitySource::File(p)
            | IdentitySource::ConfigFile(p)
            | IdentitySource::DefaultFile(p) => Some(p),
            IdentitySource::Key(_) | IdentitySource::Command(_) => None,
        }
    }
}

impl std::fmt::Debug for IdentitySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            IdentitySource::Key(_) => "Key",
            IdentitySource::File(_) => "File",
            IdentitySource::Command(_) => "Command",
            IdentitySource::ConfigFile(_) => "ConfigFile",
            IdentitySource::DefaultFile(_) => "DefaultFile",
        };
        // The facts, not the catalog's words: never the key or the command.
        match self.facts().path {
            Some(path) => write!(f, "IdentitySource::{kind}({path})"),
            None => write!(f, "IdentitySource::{kind}"),
        }
    }
}

/// Load the identities of `source`. A passphrase-protected identity file is opened with
/// `BROKER_AGE_PASSPHRASE`, or a passphrase asked on the terminal.
pub fn load(source: &IdentitySource) -> Result<Vec<Box<dyn age::Identity + Send + Sync>>> {
    load_with_passphrase(source, None)
}

/// Like [`load`], with the passphrase given explicitly (`Some`) instead of taken from
/// `BROKER_AGE_PASSPHRASE` or the terminal (`None`). The passphrase is only used if the
/// identity turns out to be passphrase-protected.
pub fn load_with_passphrase(
    source: &IdentitySource,
    passphrase: Option<&SecretString>,
) -> Result<Vec<Box<dyn age::Identity + Send + Sync>>> {
    Ok(load_keys(source, passphrase)?
        .into_iter()
        .map(|k| Box::new(k) as Box<dyn age::Identity + Send + Sync>)
        .collect())
}

/// The public keys (`age1…`) of the identities at `source` (for `init` on an existing identity).
pub fn public_keys(source: &IdentitySource) -> Result<Vec<String>> {
    public_keys_with_passphrase(source, None)
}

/// [`public_keys`] with an explicit passphrase, as in [`load_with_passphrase`].
pub fn public_keys_with_passphrase(
    source: &IdentitySource,
    passphrase: Option<&SecretString>,
) -> Result<Vec<String>> {
    Ok(load_keys(source, passphrase)?
        .iter()
        .map(|k| k.to_public().to_string())
        .collect())
}

/// The identities of `source`, never asking for a passphrase (for `doctor`): `Ok(None)` when
/// the identity is passphrase-protected and `BROKER_AGE_PASSPHRASE` is not set.
pub fn load_without_prompt(source: &IdentitySource) -> Result<Option<Vec<x25519::Identity>>> {
    let raw = read_source(source)?;
    let text = if is_age_file(&raw) {
        let Some(pass) = std::env::var(ENV_PASSPHRASE).ok().filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        decrypt_identity_file(&raw, source, Some(&SecretString::from(pass)))?
    } else {
        raw
    };
    parse_keys(&text, source).map(Some)
}

/// Create a new X25519 identity at `path`, in age-keygen's format; with a passphrase, that
/// text age-encrypted with scrypt, armored. The folder is created 0700 and the file 0600
/// whatever the umask. Never overwrites: an existing `path` is an error (exit 2).
/// Returns the public recipient `age1…`.
pub fn generate(path: &Path, passphrase: Option<&SecretString>) -> Result<String> {
    if fs::symlink_metadata(path).is_ok() {
        return Err(already_exists(path));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        atomic::create_dir(parent)?;
    }
    let key = x25519::Identity::generate();
    let public = key.to_public().to_string();
    let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let text = Zeroizing::new(format!(
        "# created: {created}\n# public key: {public}\n{}\n",
        key.to_string().expose_secret()
    ));
    let bytes = match passphrase {
        None => Zeroizing::new(text.as_bytes().to_vec()),
        Some(pass) => {
            if pass.expose_secret().is_empty() {
                return Err(StoreError::EmptyPassphrase.into());
            }
            encrypt_with_passphrase(text.as_bytes(), pass)?
        }
    };
    atomic::write_new(path, &bytes, atomic::FILE_MODE).map_err(|e| {
        if matches!(
            e.problem(),
            Problem::Store(StoreError::AlreadyExists { .. })
        ) {
            already_exists(path)
        } else {
            e
        }
    })?;
    Ok(public)
}

fn already_exists(path: &Path) -> Error {
    StoreError::IdentityExists {
        path: path.display().to_string(),
    }
    .into()
}

/// The identities of `source`, as age X25519 keys (so callers can also derive public keys).
pub(crate) fn load_keys(
    source: &IdentitySource,
    passphrase: Option<&SecretString>,
) -> Result<Vec<x25519::Identity>> {
    let raw = read_source(source)?;
    let text = if is_age_file(&raw) {
        decrypt_identity_file(&raw, source, passphrase)?
    } else {
        raw
    };
    parse_keys(&text, source)
}

/// The raw bytes of the source: the key text, the file, or the command's stdout.
fn read_source(source: &IdentitySource) -> Result<Zeroizing<Vec<u8>>> {
    match source {
        IdentitySource::Key(key) => Ok(Zeroizing::new(key.expose_secret().as_bytes().to_vec())),
        IdentitySource::File(p)
        | IdentitySource::ConfigFile(p)
        | IdentitySource::DefaultFile(p) => read_identity_file(p, source),
        IdentitySource::Command(cmd) => run_command(cmd),
    }
}

fn read_identity_file(path: &Path, source: &IdentitySource) -> Result<Zeroizing<Vec<u8>>> {
    let max = MAX_IDENTITY as u64;
    match read::file(path, max, read::FileRole::Identity(source))? {
        Some(contents) => Ok(contents.bytes),
        None => Err(not_found(source)),
    }
}

/// "No identity", naming every place that was looked at.
fn not_found(source: &IdentitySource) -> Error {
    // Only data already encrypted needs the identity, so it is lost rather than never made:
    // `broker init` alone would add a new key that cannot read that data (the hint says so).
    StoreError::NoIdentity {
        identity: source.facts(),
    }
    .into()
}

/// Parse identity lines (`AGE-SECRET-KEY-1…`, `#` comments and blank lines ignored).
/// Errors give the line number, never the line.
fn parse_keys(text: &[u8], source: &IdentitySource) -> Result<Vec<x25519::Identity>> {
    let identity = || source.facts();
    let text = std::str::from_utf8(text).map_err(|_| StoreError::IdentityNotText {
        identity: identity(),
    })?;
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("AGE-PLUGIN-") {
            return Err(StoreError::IdentityPlugin {
                identity: identity(),
                line: n + 1,
            }
            .into());
        }
        let key = line
            .parse::<x25519::Identity>()
            .map_err(|_| StoreError::IdentityBadLine {
                identity: identity(),
                line: n + 1,
            })?;
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(StoreError::IdentityEmpty {
            identity: identity(),
        }
        .into());
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn kind(s: &IdentitySource) -> &'static str {
        match s {
            IdentitySource::Key(_) => "key",
            IdentitySource::File(_) => "file",
            IdentitySource::Command(_) => "cmd",
            IdentitySource::ConfigFile(_) => "config",
            IdentitySource::DefaultFile(_) => "default",
        }
    }

    #[test]
    fn source_order_is_the_spec_order_and_empty_means_absent() {
        let all = [
            (ENV_KEY, KEY),
            (ENV_KEY_FILE, "/f"),
            (ENV_KEY_CMD, "cat /k"),
        ];
        let cfg = Some(PathBuf::from("/cfg"));
        let default = PathBuf::from("/default");
        type Vars<'a> = &'a [(&'a str, &'a str)];
        let table: &[(Vars, Option<PathBuf>, &str)] = &[
            (&all, cfg.clone(), "key"),
            (&all[1..], cfg.clone(), "file"),
            (&all[2..], cfg.clone(), "cmd"),
            (&[], cfg.clone(), "config"),
            (&[], None, "default"),
            (&[(ENV_KEY, ""), (ENV_KEY_FILE, "")], None, "default"),
            (&[(ENV_KEY, ""), (ENV_KEY_CMD, "x")], None, "cmd"),
            (&[], Some(PathBuf::new()), "default"),
        ];
        for (vars, cfg, want) in table {
            let src = IdentitySource::from_lookup(lookup(vars), cfg.clone(), default.clone());
            assert_eq!(kind(&src), *want, "{vars:?} {cfg:?}");
        }
    }

    #[test]
    fn describe_and_debug_never_show_the_key_or_command() {
        let key = IdentitySource::Key(SecretString::from(KEY.to_string()));
        let cmd = IdentitySource::Command("op read op://vault/token-abc".into());
        for s in [&key, &cmd] {
            let shown = format!("{} {:?}", s.describe(), s);
            assert!(
                !shown.contains("AGE-SECRET") && !shown.contains("token-abc"),
                "{shown}"
            );
        }
        assert_eq!(key.describe(), "`BROKER_AGE_KEY`");
        assert_eq!(
            IdentitySource::DefaultFile("/x/identity.txt".into()).describe(),
            "`/x/identity.txt`"
        );
    }

    #[test]
    fn parse_keys_skips_comments_and_reports_line_numbers_only() {
        let src = IdentitySource::Key(SecretString::from(String::new()));
        let text = format!("# created: now\n\n  {KEY}  \r\n");
        assert_eq!(parse_keys(text.as_bytes(), &src).unwrap().len(), 1);

        let err = parse_keys(b"# c\nAGE-SECRET-KEY-1NOTAKEYsecretish\n", &src)
            .err()
            .unwrap();
        assert_eq!(err.exit_code(), 6);
        assert!(err.message().contains("line 2"), "{}", err.message());
        assert!(!err.message().contains("secretish"));

        let err = parse_keys(b"# only comments\n", &src).err().unwrap();
        assert!(
            err.message().contains("no age identity"),
            "{}",
            err.message()
        );
        assert!(parse_keys(&[0xff, 0xfe], &src).is_err());
    }

    #[test]
    fn key_source_loads_and_gives_its_public_key() {
        let key = x25519::Identity::generate();
        let src = IdentitySource::Key(key.to_string());
        assert_eq!(
            public_keys(&src).unwrap(),
            vec![key.to_public().to_string()]
        );
        assert_eq!(load(&src).unwrap().len(), 1);
    }

    #[test]
    fn missing_default_file_names_every_place_looked() {
        let err = load(&IdentitySource::DefaultFile(
            "/nonexistent/identity.txt".into(),
        ))
        .err()
        .unwrap();
        assert_eq!(err.exit_code(), 6);
        for want in [
            ENV_KEY,
            ENV_KEY_FILE,
            ENV_KEY_CMD,
            "[store] identity",
            "/nonexistent/identity.txt",
        ] {
            assert!(err.message().contains(want), "{want}: {}", err.message());
        }
        assert!(err.hint().unwrap().contains("broker init"));
    }

    #[test]
    fn generate_writes_age_keygen_format_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/identity.txt");
        let public = generate(&path, None).unwrap();
        assert!(public.starts_with("age1"));
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("# created: "));
        assert_eq!(lines[1], format!("# public key: {public}"));
        assert!(lines[2].starts_with("AGE-SECRET-KEY-1"));
        assert_eq!(
            public_keys(&IdentitySource::File(path.clone())).unwrap(),
            vec![public]
        );

        let err = generate(&path, None).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(fs::read_to_string(&path).unwrap(), text);
    }
}
