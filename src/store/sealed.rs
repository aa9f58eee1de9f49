//! The sealing layer ([`SealedStore`]): encryption above any [`Backend`].

use std::time::Duration;

use sha2::Digest;

use super::{
    Backend, BackendLock, DEFAULT_LOCK_WAIT, Place, ProfileLock, StateStore, TokenState, Vault,
    Version,
};
use crate::error::{Error, Result, StoreError};
use crate::profile::ProfileName;

/// The sealing layer: a state is JSON encrypted to the vault's recipients (binary age) before
/// any backend sees it, and decrypted after. The one place encryption meets the store.
#[derive(Debug)]
pub struct SealedStore {
    backend: Box<dyn Backend>,
    vault: Vault,
    /// For a long-lived process (the agent): the last state decrypted per profile, with a
    /// digest of the sealed bytes it came from. `None`: every load decrypts.
    decrypted: Option<std::sync::Mutex<Decrypted>>,
}

/// States already decrypted, by profile, with the SHA-256 of the sealed bytes they came from.
type Decrypted = std::collections::HashMap<ProfileName, ([u8; 32], TokenState)>;

impl SealedStore {
    pub fn new(backend: Box<dyn Backend>, vault: Vault) -> Self {
        SealedStore {
            backend,
            vault,
            decrypted: None,
        }
    }

    /// Keeps each state it decrypts, and serves a load whose sealed bytes are the same as last
    /// time from it instead of decrypting again (the bytes are still read: what is served is
    /// exactly what the backend holds, a local copy included). For the agent: a command does
    /// one load and has nothing to keep. A load under the lock (a rotation) always decrypts.
    pub fn keeping_decrypted(mut self) -> Self {
        self.decrypted = Some(std::sync::Mutex::new(Decrypted::new()));
        self
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// What the backend is and whether it answers (I/O: for `status` and `doctor`).
    pub fn info(&self) -> super::BackendInfo {
        self.backend.info()
    }

    pub fn redis(&self) -> Option<&super::redis::RedisBackend> {
        self.backend.as_redis()
    }

    fn unseal(&self, profile: &ProfileName, bytes: &[u8]) -> Result<TokenState> {
        // Said with the state it is about, keeping the exit code and the hint of the cause.
        let in_context = |e: Error| -> Error {
            StoreError::CannotReadState {
                profile: profile.to_string(),
                location: self.backend.location(profile),
                cause: Box::new(e),
            }
            .into()
        };
        let plain = self.vault.decrypt(bytes).map_err(in_context)?;
        TokenState::from_json(&plain).map_err(in_context)
    }

    fn seal(&self, state: &TokenState) -> Result<Vec<u8>> {
        let json = state.to_json()?;
        self.vault.encrypt(&json, false)
    }
}

impl StateStore for SealedStore {
    fn load(&self, profile: &ProfileName) -> Result<Option<TokenState>> {
        let Some(bytes) = self.backend.read(profile)? else {
            return Ok(None);
        };
        let Some(kept) = &self.decrypted else {
            return self.unseal(profile, &bytes).map(Some);
        };
        let digest: [u8; 32] = sha2::Sha256::digest(&bytes[..]).into();
        if let Ok(kept) = kept.lock()
            && let Some((seen, state)) = kept.get(profile)
            && *seen == digest
        {
            return Ok(Some(state.clone()));
        }
        let state = self.unseal(profile, &bytes)?;
        if let Ok(mut kept) = kept.lock() {
            kept.insert(profile.clone(), (digest, state.clone()));
        }
        Ok(Some(state))
    }

    fn lock<'a>(
        &'a self,
        profile: &ProfileName,
        wait: Duration,
    ) -> Result<Box<dyn ProfileLock + 'a>> {
        let inner = self.backend.lock(profile, wait)?;
        Ok(Box::new(SealedLock {
            store: self,
            inner,
            seen: None,
        }))
    }

    fn remove(&self, profile: &ProfileName) -> Result<()> {
        self.backend.remove(profile)
    }

    fn profiles(&self) -> Result<Vec<ProfileName>> {
        self.backend.profiles()
    }

    /// Each profile is re-sealed under its lock, so a rotation running at the same time is
    /// neither lost nor left encrypted to the old recipients by us.
    fn rekey(&self) -> Result<usize> {
        self.vault.check_recipients()?;
        let mut count = 0;
        for profile in self.profiles()? {
            let mut guard = self.lock(&profile, DEFAULT_LOCK_WAIT)?;
            // The state may have been removed since it was listed.
            if let Some(state) = guard.load()? {
                guard.save(&state)?;
                count += 1;
            }
        }
        Ok(count)
    }

    fn version(&self, profile: &ProfileName) -> Option<Version> {
        self.backend.version(profile)
    }

    fn location(&self, profile: &ProfileName) -> String {
        self.backend.location(profile)
    }

    fn place(&self, profile: &ProfileName) -> Option<Place> {
        self.backend.place(profile)
    }

    fn held_elsewhere(&self, profile: &ProfileName) -> bool {
        self.backend.held_elsewhere(profile)
    }

    fn holder(&self, profile: &ProfileName) -> Option<String> {
        self.backend.holder(profile)
    }

    fn announce(&self, profile: &ProfileName, state: &TokenState) {
        self.backend.announce(
            profile,
            state.generation,
            &state
                .expires_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
    }
}

/// The sealing layer's lock: the backend's lease, and the version last loaded or saved (the
/// expected value of the next compare-and-set).
struct SealedLock<'a> {
    store: &'a SealedStore,
    inner: Box<dyn BackendLock + 'a>,
    /// `None` until the first load; then the version seen (`Some(None)`: nothing stored).
    seen: Option<Option<Version>>,
}

impl ProfileLock for SealedLock<'_> {
    fn load(&mut self) -> Result<Option<TokenState>> {
        let profile = self.inner.profile().clone();
        match self.inner.read()? {
            Some((bytes, version)) => {
                self.seen = Some(Some(version));
                self.store.unseal(&profile, &bytes).map(Some)
            }
            None => {
                self.seen = Some(None);
                Ok(None)
            }
        }
    }

    fn save(&mut self, state: &TokenState) -> Result<()> {
        let Some(expected) = &self.seen else {
            return Err(StoreError::SavedBeforeLoaded {
                profile: self.inner.profile().to_string(),
            }
            .into());
        };
        let sealed = self.store.seal(state)?;
        let version = self.inner.write(expected.as_ref(), &sealed)?;
        self.seen = Some(Some(version));
        Ok(())
    }

    fn remove(&mut self) -> Result<()> {
        self.inner.remove()?;
        self.seen = Some(None);
        Ok(())
    }

    fn renew(&mut self) -> Result<()> {
        self.inner.renew()
    }

    fn lease_left(&self) -> Result<Option<std::time::Duration>> {
        self.inner.lease_left()
    }

    fn profile(&self) -> &ProfileName {
        self.inner.profile()
    }
}
