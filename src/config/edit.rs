//! Writing the config when asked to (`profile add`, `secret set`, `init` …), keeping the
//! user's comments and layout (toml_edit), under a lock so two writers never lose each
//! other's change, and atomically so a crash never leaves half a file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use toml_edit::{Array, DocumentMut, Item, Table, Value, value};

use crate::config::{AGE_ARMOR_BEGIN, parse};
use crate::error::{ConfigError, Result};
use crate::grant::GrantKind;
use crate::profile::ProfileName;
use crate::store::{atomic, lock::FileLock};

/// How long a writer waits for another one to finish.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// An open, locked config document. Changes are written by [`ConfigEdit::save`].
pub struct ConfigEdit {
    path: PathBuf,
    doc: DocumentMut,
    mode: u32,
    _lock: FileLock,
}

/// What `profile add` writes.
pub struct NewProfile<'a> {
    pub grant: GrantKind,
    pub app_key: &'a str,
    /// age-armored SecretKey, or None when `secret_key_env` is used.
    pub secret_key: Option<&'a str>,
    pub secret_key_env: Option<&'a str>,
    pub scope: Option<&'a str>,
    pub endpoint: Option<&'a str>,
    pub description: Option<&'a str>,
}

/// How old a temporary file beside the config must be to be taken for a dead write's.
const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(60);

impl ConfigEdit {
    /// Locks and reads the config (an absent file is an empty document).
    pub fn open(path: &Path) -> Result<ConfigEdit> {
        // A dotfile manager may have made the config a symlink: write through it, to its
        // target, rather than replace the link with a file.
        let resolved = std::fs::canonicalize(path).ok();
        let path = resolved.as_deref().unwrap_or(path);
        super::regular_file(path)?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.exists() {
            atomic::create_dir(dir)?;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let lock = FileLock::acquire(&dir.join(format!(".{name}.lock")), LOCK_WAIT)?;
        let (text, mode) = match super::read_config(path)? {
            Some(c) => (super::config_text(&c, path)?.to_owned(), c.mode),
            None => (String::new(), 0o600),
        };
        parse(&text, path)?;
        let doc = text.parse::<DocumentMut>().map_err(|e| ConfigError::Edit {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(ConfigEdit {
            path: path.to_owned(),
            doc,
            mode,
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn profiles_table(&mut self) -> &mut Table {
        let profiles = self.doc.entry("profiles").or_insert_with(|| {
            let mut t = Table::new();
            t.set_implicit(true);
            Item::Table(t)
        });
        profiles
            .as_table_mut()
            .expect("validated: `profiles` is a table")
    }

    pub fn has_profile(&self, name: &ProfileName) -> bool {
        self.doc
            .get("profiles")
            .and_then(|p| p.get(name.as_str()))
            .is_some()
    }

    pub fn add_profile(&mut self, name: &ProfileName, p: NewProfile<'_>) -> Result<()> {
        if self.has_profile(name) {
            return Err(ConfigError::ProfileExists {
                name: name.to_string(),
                config: self.path.display().to_string(),
            }
            .into());
        }
        let mut t = Table::new();
        t.insert("grant", value(p.grant.as_str()));
        // An `api-key` profile may have no app key (it is only a label there).
        if !p.app_key.is_empty() {
            t.insert("app_key", value(p.app_key));
        }
        if let Some(s) = p.secret_key {
            t.insert("secret_key", armored_value(s));
        }
        if let Some(v) = p.secret_key_env {
            t.insert("secret_key_env", value(v));
        }
        for (key, v) in [
            ("scope", p.scope),
            ("endpoint", p.endpoint),
            ("description", p.description),
        ] {
            if let Some(v) = v {
                t.insert(key, value(v));
            }
        }
        self.profiles_table().insert(name.as_str(), Item::Table(t));
        Ok(())
    }

    /// Removes a profile; false when it was not there.
    pub fn remove_profile(&mut self, name: &ProfileName) -> bool {
        let removed = self.profiles_table().remove(name.as_str()).is_some();
        if removed && self.doc.get("default_profile").and_then(Item::as_str) == Some(name.as_str())
        {
            self.doc.remove("default_profile");
        }
        removed
    }

    /// Replaces the profile's SecretKey with age-armored ciphertext (dropping `secret_key_env`).
    pub fn set_secret(&mut self, name: &ProfileName, armored: &str) -> Result<()> {
        let path = self.path.display().to_string();
        let table = self
            .profiles_table()
            .get_mut(name.as_str())
            .and_then(Item::as_table_mut)
            .ok_or_else(|| ConfigError::UnknownProfileInFile {
                name: name.to_string(),
                config: path.to_string(),
            })?;
        table.remove("secret_key_env");
        table.insert("secret_key", armored_value(armored));
        Ok(())
    }

    /// Every profile whose `secret_key` is not age ciphertext, with the plaintext value.
    pub fn plaintext_secrets(&self) -> Vec<(String, String)> {
        self.secrets(false)
    }

    /// Every profile with an encrypted `secret_key`, with its ciphertext (for `secret rekey`).
    pub fn encrypted_secrets(&self) -> Vec<(String, String)> {
        self.secrets(true)
    }

    fn secrets(&self, encrypted: bool) -> Vec<(String, String)> {
        let Some(profiles) = self.doc.get("profiles").and_then(Item::as_table) else {
            return vec![];
        };
        profiles
            .iter()
            .filter_map(|(name, item)| {
                let secret = item.get("secret_key")?.as_str()?;
                let is_encrypted = secret.trim_start().starts_with(AGE_ARMOR_BEGIN);
                (is_encrypted == encrypted).then(|| (name.to_owned(), secret.to_owned()))
            })
            .collect()
    }

    /// Adds a recipient to `[store] recipients` unless it is there already.
    pub fn add_recipient(&mut self, recipient: &str) {
        let store = self
            .doc
            .entry("store")
            .or_insert_with(|| Item::Table(Table::new()));
        let Some(store) = store.as_table_like_mut() else {
            return;
        };
        let recipients = store
            .entry("recipients")
            .or_insert(Item::Value(Value::Array(Array::new())));
        if let Some(arr) = recipients.as_array_mut()
            && !arr.iter().any(|v| v.as_str() == Some(recipient))
        {
            arr.push(recipient);
        }
    }

    /// Validates the result (an edit never produces a file broker would refuse) and writes it atomically.
    pub fn save(self) -> Result<()> {
        let text = self.doc.to_string();
        parse(&text, &self.path)?;
        // A write killed between creating its temporary file and renaming it left that file;
        // ours by name, and older than any write under way (one not taking the lock, such as
        // another broker version's, included).
        atomic::remove_leftovers_older_than(&self.path, STALE_TEMP);
        atomic::write(&self.path, text.as_bytes(), self.mode)
    }
}

/// An armored secret as a TOML multi-line string, the way SPEC §3 shows it.
fn armored_value(armored: &str) -> Item {
    let text = if armored.ends_with('\n') {
        armored.to_owned()
    } else {
        format!("{armored}\n")
    };
    let mut v = Value::from(text.clone());
    // A multi-line basic string keeps the armor readable; the armor alphabet needs no escapes.
    if let Ok(repr) = format!("\"\"\"\n{text}\"\"\"").parse::<Value>() {
        v = repr;
    }
    Item::Value(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armored_secrets_are_written_as_multiline_strings() {
        let armor = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n";
        let Item::Value(v) = armored_value(armor) else {
            panic!("not a value")
        };
        assert_eq!(v.as_str(), Some(armor));
        assert!(v.to_string().contains("\"\"\"\n-----BEGIN"), "{v}");
    }
}
