//! age encryption to the store's recipients, and decryption with the identity.
//!
//! Encrypting needs only the public recipients; the identity is loaded the first time something
//! is decrypted, and at most once per process (a passphrase is asked once, a key command runs
//! once), so commands that only encrypt never touch it.

use std::io::{Read, Write};
use std::sync::{Mutex, OnceLock};

use age::secrecy::SecretString;
use age::x25519;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result, StoreError, sanitize};
use crate::secret::SecretKey;
use crate::store::identity::{self, IdentitySource};

/// The store's recipients and the identity that decrypts for them.
pub struct Vault {
    recipients: Vec<String>,
    source: IdentitySource,
    /// Given explicitly (e.g. by `init --passphrase`, or tests) instead of from the environment.
    passphrase: Option<SecretString>,
    identities: OnceLock<Vec<x25519::Identity>>,
    /// Serialises the first load, so two threads never prompt or run the key command twice.
    loading: Mutex<()>,
}

impl Vault {
    pub fn new(recipients: Vec<String>, identity: IdentitySource) -> Self {
        Vault {
            recipients,
            source: identity,
            passphrase: None,
            identities: OnceLock::new(),
            loading: Mutex::new(()),
        }
    }

    /// A vault whose identities are already loaded (by `doctor`, which loads them without
    /// prompting and must not load them twice); `identity` is only named in messages.
    pub fn with_identities(
        recipients: Vec<String>,
        identity: IdentitySource,
        identities: Vec<x25519::Identity>,
    ) -> Self {
        let vault = Vault::new(recipients, identity);
        let _ = vault.identities.set(identities);
        vault
    }

    /// Use this passphrase for a passphrase-protected identity instead of
    /// `BROKER_AGE_PASSPHRASE` or a prompt.
    pub fn with_passphrase(mut self, passphrase: SecretString) -> Self {
        self.passphrase = Some(passphrase);
        self
    }

    /// Loads the identity now (asking for a passphrase if it needs one) and hands back a copy
    /// of its keys: the agent unlocks once at start and builds the vault of each config it
    /// reads from them ([`Vault::with_identities`]). The keys zeroize when dropped.
    pub fn unlock(&self) -> Result<Vec<x25519::Identity>> {
        Ok(self.identities()?.to_vec())
    }

    pub fn recipients(&self) -> &[String] {
        &self.recipients
    }

    pub fn identity_source(&self) -> &IdentitySource {
        &self.source
    }

    /// Check that every recipient parses; exit 2 naming the first bad one.
    pub fn check_recipients(&self) -> Result<()> {
        self.parsed_recipients().map(|_| ())
    }

    /// Refuses (exit 6) recipients that leave out the identity in use: whatever broker saved
    /// now could not be read back here, and a refresh token Baidu took for it would be lost.
    /// Called before anything is sent (rotations, `login`, `secret rekey`).
    ///
    /// Uses the identity if it is already loaded, else loads it without asking: a
    /// passphrase-protected identity with no `BROKER_AGE_PASSPHRASE` set is checked only once
    /// it has been unlocked (a refresh always has, to read the state), so that a first fetch
    /// with a SecretKey from the environment does not start asking for a passphrase.
    pub fn check_readable_here(&self) -> Result<()> {
        self.check_readable(false)
    }

    /// [`check_readable_here`](Self::check_readable_here) that unlocks a passphrase-protected
    /// identity if it must (asking on the terminal, or exit 6 without one): for `login` and
    /// `secret rekey`, where a person is at hand and what is saved cannot be fetched again.
    pub fn check_readable_here_unlocking(&self) -> Result<()> {
        self.check_readable(true)
    }

    fn check_readable(&self, unlock: bool) -> Result<()> {
        let recipients = self.parsed_recipients()?;
        if recipients.is_empty() {
            // `encrypt` says so, with its own hint.
            return Ok(());
        }
        let ids = match self.identities.get() {
            Some(ids) => ids,
            None if unlock => self.identities()?,
            None => match identity::load_without_prompt(&self.source)? {
                Some(ids) => self.identities.get_or_init(|| ids),
                None => return Ok(()),
            },
        };
        let mine: Vec<String> = ids.iter().map(|i| i.to_public().to_string()).collect();
        if recipients.iter().any(|r| mine.contains(&r.to_string())) {
            return Ok(());
        }
        Err(StoreError::IdentityNotRecipient {
            identity: self.source.facts(),
            public_key: mine.first().map_or("age1…", String::as_str).to_owned(),
        }
        .into())
    }

    /// Encrypt to the recipients, binary or armored. No recipients is exit 6.
    pub fn encrypt(&self, plaintext: &[u8], armor: bool) -> Result<Vec<u8>> {
        let recipients = self.parsed_recipients()?;
        if recipients.is_empty() {
            return Err(StoreError::NoRecipients.into());
        }
        let encryptor =
            age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| cannot_encrypt(&e))?;
        let fail = |e: std::io::Error| cannot_encrypt(&e);
        let format = if armor {
            age::armor::Format::AsciiArmor
        } else {
            age::armor::Format::Binary
        };
        let output = age::armor::ArmoredWriter::wrap_output(
            Vec::with_capacity(plaintext.len() + 256),
            format,
        )
        .map_err(fail)?;
        let mut writer = encryptor.wrap_output(output).map_err(fail)?;
        writer.write_all(plaintext).map_err(fail)?;
        writer.finish().and_then(|w| w.finish()).map_err(fail)
    }

    /// Decrypt binary or armored age data (auto-detected) with the identity.
    ///
    /// The header is parsed before the identity is loaded, so garbage is reported as such
    /// without asking for a passphrase.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(ciphertext))
            .map_err(|e| self.decrypt_error(e))?;
        if decryptor.is_scrypt() {
            return Err(StoreError::PassphraseEncrypted.into());
        }
        let identities = self.identities()?;
        let mut reader = decryptor
            .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
            .map_err(|e| self.decrypt_error(e))?;
        let mut plain = Zeroizing::new(Vec::new());
        if reader.read_to_end(&mut plain).is_err() {
            return Err(corrupt());
        }
        Ok(plain)
    }

    /// Encrypt a SecretKey for the config: armored text.
    pub fn encrypt_secret(&self, secret: &SecretKey) -> Result<String> {
        let armored = self.encrypt(secret.expose().as_bytes(), true)?;
        String::from_utf8(armored).map_err(|_| StoreError::ArmorNotText.into())
    }

    /// Decrypt an armored SecretKey from the config. One trailing newline is dropped, so a value
    /// made with `echo KEY | age -r age1… -a` works as well as one made by broker.
    pub fn decrypt_secret(&self, armored: &str) -> Result<SecretKey> {
        let mut plain = self.decrypt(armored.as_bytes())?;
        if plain.ends_with(b"\n") {
            plain.pop();
            if plain.ends_with(b"\r") {
                plain.pop();
            }
        }
        match String::from_utf8(std::mem::take(&mut *plain)) {
            Ok(text) => Ok(SecretKey::new(text)),
            Err(e) => {
                e.into_bytes().zeroize();
                Err(StoreError::SecretNotText.into())
            }
        }
    }

    /// The identities, loaded on first use and kept for the life of the vault.
    fn identities(&self) -> Result<&[x25519::Identity]> {
        if let Some(ids) = self.identities.get() {
            return Ok(ids);
        }
        let _guard = self
            .loading
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(ids) = self.identities.get() {
            return Ok(ids);
        }
        let ids = identity::load_keys(&self.source, self.passphrase.as_ref())?;
        Ok(self.identities.get_or_init(|| ids))
    }

    fn parsed_recipients(&self) -> Result<Vec<x25519::Recipient>> {
        self.recipients
            .iter()
            .map(|r| {
                r.trim()
                    .parse::<x25519::Recipient>()
                    .map_err(|_| StoreError::NotARecipient { value: sanitize(r) }.into())
            })
            .collect()
    }

    fn decrypt_error(&self, e: age::DecryptError) -> Error {
        match e {
            age::DecryptError::NoMatchingKeys => StoreError::NotEncryptedToIdentity {
                identity: self.source.facts(),
            }
            .into(),
            age::DecryptError::UnknownFormat => StoreError::UnknownAgeFormat.into(),
            _ => corrupt(),
        }
    }
}

fn corrupt() -> Error {
    StoreError::Corrupt.into()
}

/// age failed to encrypt: its words (an I/O error's, or age's own) are the reason.
fn cannot_encrypt(e: &dyn std::fmt::Display) -> Error {
    StoreError::CannotEncrypt {
        reason: e.to_string(),
    }
    .into()
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("recipients", &self.recipients)
            .field("identity", &self.source)
            .field("loaded", &self.identities.get().is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::ExposeSecret;

    fn vault() -> (Vault, x25519::Identity) {
        let key = x25519::Identity::generate();
        let v = Vault::new(
            vec![key.to_public().to_string()],
            IdentitySource::Key(key.to_string()),
        );
        (v, key)
    }

    #[test]
    fn round_trip_binary_and_armored() {
        let (v, _) = vault();
        for armor in [false, true] {
            let ct = v.encrypt(b"hello", armor).unwrap();
            assert_eq!(ct.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"), armor);
            assert_eq!(&v.decrypt(&ct).unwrap()[..], b"hello");
        }
    }

    #[test]
    fn secret_round_trip_and_trailing_newline() {
        let (v, _) = vault();
        let armored = v.encrypt_secret(&SecretKey::new("sk-123")).unwrap();
        assert_eq!(v.decrypt_secret(&armored).unwrap().expose(), "sk-123");
        let with_nl = String::from_utf8(v.encrypt(b"sk-456\n", true).unwrap()).unwrap();
        assert_eq!(v.decrypt_secret(&with_nl).unwrap().expose(), "sk-456");
    }

    #[test]
    fn no_recipients_is_exit_6_and_a_bad_one_is_exit_2() {
        let (v, key) = vault();
        let none = Vault::new(vec![], IdentitySource::Key(key.to_string()));
        let err = none.encrypt(b"x", false).unwrap_err();
        assert_eq!(err.exit_code(), 6);
        assert!(err.hint().unwrap().contains("broker init"));

        let bad = Vault::new(
            vec![v.recipients()[0].clone(), "age1nope".into()],
            IdentitySource::Key(key.to_string()),
        );
        let err = bad.check_recipients().unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message().contains("`age1nope`"), "{}", err.message());
        assert!(bad.encrypt(b"x", false).is_err());
        assert!(v.check_recipients().is_ok());
    }

    #[test]
    fn recipients_without_the_identity_in_use_are_exit_6_naming_its_key() {
        let (v, key) = vault();
        assert!(v.check_readable_here().is_ok());
        let stranger = x25519::Identity::generate().to_public().to_string();
        let theirs = Vault::new(vec![stranger.clone()], IdentitySource::Key(key.to_string()));
        let err = theirs.check_readable_here().unwrap_err();
        assert_eq!(err.exit_code(), 6);
        let mine = key.to_public().to_string();
        assert!(err.hint().unwrap().contains(&mine), "{:?}", err.hint());
        // Among others, ours is enough.
        let both = Vault::new(vec![stranger, mine], IdentitySource::Key(key.to_string()));
        assert!(both.check_readable_here().is_ok());
    }

    #[test]
    fn wrong_identity_garbage_and_passphrase_data_are_exit_6() {
        let (v, _) = vault();
        let (other, _) = vault();
        let ct = v.encrypt(b"x", false).unwrap();
        let err = other.decrypt(&ct).unwrap_err();
        assert_eq!(err.exit_code(), 6);
        assert!(
            err.message().contains("not encrypted to this identity"),
            "{}",
            err.message()
        );

        for garbage in [
            &b""[..],
            b"garbage",
            b"age-encryption.org/v1\n-> X25519 zz\n",
            b"-----BEGIN AGE ENCRYPTED FILE-----\n!!\n",
        ] {
            let err = v.decrypt(garbage).unwrap_err();
            assert_eq!(err.exit_code(), 6);
            assert!(err.message().contains("corrupt"), "{}", err.message());
        }

        // Truncated payload.
        let err = v.decrypt(&ct[..ct.len() - 5]).unwrap_err();
        assert_eq!(err.exit_code(), 6);
    }

    #[test]
    fn garbage_is_reported_without_loading_the_identity() {
        let v = Vault::new(
            vec![],
            IdentitySource::DefaultFile("/nonexistent/identity.txt".into()),
        );
        let err = v.decrypt(b"garbage").unwrap_err();
        assert!(err.message().contains("corrupt"), "{}", err.message());
    }

    #[test]
    fn errors_never_contain_secret_bytes() {
        let (v, key) = vault();
        let (other, _) = vault();
        let ct = v.encrypt(b"top-secret-value", true).unwrap();
        let err = other.decrypt(&ct).unwrap_err();
        let shown = format!("{} {:?} {:?}", err.message(), err.hint(), other);
        assert!(!shown.contains("top-secret-value"));
        assert!(!shown.contains(key.to_string().expose_secret()));
    }
}
