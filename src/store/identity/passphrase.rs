//! Passphrase-protected identity files: recognising one, opening it (the passphrase from
//! `BROKER_AGE_PASSPHRASE` or the terminal), and writing one.

use std::fs;
use std::io::{self, Read, Write};

use age::secrecy::SecretString;
use zeroize::Zeroizing;

use super::{ENV_PASSPHRASE, IdentitySource};
use crate::error::internal::io_reason;
use crate::error::{Error, Result, StoreError};

/// The highest scrypt work factor (log2 N) accepted for a passphrase-protected identity; the
/// reference age tool's limit.
const MAX_SCRYPT_WORK_FACTOR: u8 = 22;

const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
const BINARY_MAGIC: &[u8] = b"age-encryption.org/";

/// True if the bytes are an age file (armored or binary) rather than identity lines.
pub(super) fn is_age_file(bytes: &[u8]) -> bool {
    let trimmed = bytes.trim_ascii_start();
    trimmed.starts_with(ARMOR_BEGIN) || bytes.starts_with(BINARY_MAGIC)
}

/// Open a passphrase-protected identity file (made by `age -p` or [`generate`]).
pub(super) fn decrypt_identity_file(
    bytes: &[u8],
    source: &IdentitySource,
    passphrase: Option<&SecretString>,
) -> Result<Zeroizing<Vec<u8>>> {
    let facts = || source.facts();
    let corrupt = || -> Error { StoreError::IdentityCorrupt { identity: facts() }.into() };
    let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(bytes))
        .map_err(|_| corrupt())?;
    if !decryptor.is_scrypt() {
        return Err(StoreError::IdentityNotPassphrase { identity: facts() }.into());
    }
    let pass = match passphrase {
        Some(p) => p.clone(),
        None => passphrase_from_env_or_tty(source)?,
    };
    let mut identity = age::scrypt::Identity::new(pass);
    // The age crate caps the work factor relative to this machine's measured speed (which is
    // low in debug builds and under load), and would refuse a file from `age -p` (work factor
    // 18). The identity file is the user's own, not untrusted input, so accept what the
    // reference age tool accepts.
    identity.set_max_work_factor(MAX_SCRYPT_WORK_FACTOR);
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed => {
                StoreError::WrongPassphrase { identity: facts() }.into()
            }
            age::DecryptError::ExcessiveWork { .. } => {
                StoreError::ExcessivePassphraseWork { identity: facts() }.into()
            }
            _ => corrupt(),
        })?;
    let mut plain = Zeroizing::new(Vec::new());
    reader.read_to_end(&mut plain).map_err(|_| corrupt())?;
    Ok(plain)
}

/// `BROKER_AGE_PASSPHRASE` if set and non-empty, else a hidden prompt on the terminal.
/// With no terminal this fails at once instead of hanging.
fn passphrase_from_env_or_tty(source: &IdentitySource) -> Result<SecretString> {
    if let Some(p) = std::env::var(ENV_PASSPHRASE).ok().filter(|p| !p.is_empty()) {
        return Ok(SecretString::from(p));
    }
    // rpassword reads /dev/tty; check it opens first so the error says what is missing. In CI
    // nobody answers even where a terminal exists. Exit 6, as for any identity that cannot be
    // loaded (issue 2): the store is what fails, and scripts key on that code.
    let no_tty = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_err();
    if no_tty || crate::prompt::in_ci() {
        return Err(StoreError::NoTerminalForPassphrase {
            identity: source.facts(),
        }
        .into());
    }
    let typed = rpassword::prompt_password(format!(
        "{} ",
        crate::t!("ui-passphrase-prompt", identity = source.describe())
    ))
    .map_err(|e| StoreError::CannotReadPassphrase {
        reason: io_reason(&e),
    })?;
    Ok(SecretString::from(typed))
}

/// Encrypt `plaintext` with a passphrase (scrypt), armored.
pub(super) fn encrypt_with_passphrase(
    plaintext: &[u8],
    passphrase: &SecretString,
) -> Result<Zeroizing<Vec<u8>>> {
    let fail = |e: io::Error| StoreError::CannotEncryptIdentity {
        reason: io_reason(&e),
    };
    let encryptor = age::Encryptor::with_user_passphrase(passphrase.clone());
    let armored =
        age::armor::ArmoredWriter::wrap_output(Vec::new(), age::armor::Format::AsciiArmor)
            .map_err(fail)?;
    let mut writer = encryptor.wrap_output(armored).map_err(fail)?;
    writer.write_all(plaintext).map_err(fail)?;
    let out = writer.finish().and_then(|a| a.finish()).map_err(fail)?;
    Ok(Zeroizing::new(out))
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::store::identity::{generate, load_with_passphrase, public_keys_with_passphrase};

    #[test]
    fn passphrase_identity_round_trip_and_wrong_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.txt");
        let pass = SecretString::from("correct horse".to_string());
        let public = generate(&path, Some(&pass)).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"),
            "{text}"
        );
        assert!(!text.contains("AGE-SECRET-KEY"));
        use std::os::unix::fs::MetadataExt;
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o600);

        let src = IdentitySource::File(path);
        assert_eq!(
            public_keys_with_passphrase(&src, Some(&pass)).unwrap(),
            vec![public]
        );
        let wrong = SecretString::from("battery staple".to_string());
        let err = load_with_passphrase(&src, Some(&wrong)).err().unwrap();
        assert_eq!(err.exit_code(), 6);
        assert!(
            err.message().contains("wrong passphrase"),
            "{}",
            err.message()
        );
    }
}
