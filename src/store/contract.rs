//! The contract of [`StateStore`] as a test any implementation must pass: call [`check`] on
//! an empty store. Backend-agnostic: it uses only the interface.

use std::time::Duration;

use super::{InFlight, Journal, StateStore, TokenState};
use crate::profile::ProfileName;
use crate::secret::AccessToken;
use chrono::Utc;

fn name(s: &str) -> ProfileName {
    ProfileName::parse(s).unwrap()
}

fn state(token: &str, generation: u64) -> TokenState {
    let now = Utc::now();
    let mut s = TokenState::new(
        "ai",
        AccessToken::new(token),
        now + chrono::TimeDelta::days(30),
        now,
    );
    s.generation = generation;
    s
}

fn token(store: &impl StateStore, p: &ProfileName) -> Option<String> {
    store
        .load(p)
        .unwrap()
        .map(|s| s.access_token.expose().to_owned())
}

pub(crate) fn check(store: &impl StateStore) {
    let (a, b) = (name("contract-a"), name("contract-b"));

    // Nothing stored: no state, no version, an empty list, removes that succeed.
    assert!(store.load(&a).unwrap().is_none());
    assert!(store.version(&a).is_none());
    assert!(store.profiles().unwrap().is_empty());
    store.remove(&a).unwrap();

    // A save through the lock is what load returns, and lists the profile, sorted.
    for (p, t) in [(&b, "24.b"), (&a, "24.a")] {
        let mut l = store.lock(p, Duration::ZERO).unwrap();
        assert!(l.load().unwrap().is_none());
        l.save(&state(t, 1)).unwrap();
        assert_eq!(l.profile(), p);
    }
    assert_eq!(token(store, &a).as_deref(), Some("24.a"));
    assert_eq!(store.profiles().unwrap(), vec![a.clone(), b.clone()]);
    assert!(!store.location(&a).is_empty());

    // Every write has a new version; a read does not change it.
    let v1 = store.version(&a).expect("a stored state has a version");
    assert_eq!(store.version(&a), Some(v1.clone()));
    {
        let mut l = store.lock(&a, Duration::ZERO).unwrap();
        l.load().unwrap();
        // Two saves under one lock: the second compares against the first.
        l.save(&state("24.a2", 2)).unwrap();
        l.save(&state("24.a3", 3)).unwrap();
    }
    let v3 = store.version(&a).unwrap();
    assert_ne!(v1, v3);
    assert_eq!(store.load(&a).unwrap().unwrap().generation, 3);

    // Compare-and-set: a removal without the lock since this lock loaded makes its save
    // fail (exit 6) and write nothing: a rotation cannot write back a forgotten state.
    {
        let mut l = store.lock(&a, Duration::ZERO).unwrap();
        assert!(l.load().unwrap().is_some());
        store.remove(&a).unwrap();
        let err = l.save(&state("24.stale", 4)).unwrap_err();
        assert_eq!(err.exit_code(), 6, "{}", err.message());
        assert!(!err.message().contains("24.stale"));
    }
    assert!(store.load(&a).unwrap().is_none());
    assert!(store.version(&a).is_none());

    // A lock must load before it saves.
    {
        let mut l = store.lock(&a, Duration::ZERO).unwrap();
        assert!(l.save(&state("24.blind", 1)).is_err());
    }
    assert!(store.load(&a).unwrap().is_none());

    // The lease: exclusive per profile, with a deadline (exit 5 naming the profile),
    // renewable, still held while held; free again once dropped.
    {
        let mut held = store.lock(&a, Duration::ZERO).unwrap();
        held.renew().unwrap();
        assert!(
            held.lease_left()
                .unwrap()
                .is_none_or(|left| left > Duration::from_secs(1))
        );
        assert!(store.held_elsewhere(&a));
        let started = std::time::Instant::now();
        let err = store.lock(&a, Duration::from_millis(50)).err().unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(err.exit_code(), 5);
        assert!(err.message().contains("`contract-a`"), "{}", err.message());
        // Other profiles are independent.
        assert!(store.lock(&b, Duration::ZERO).is_ok());
    }
    assert!(!store.held_elsewhere(&a));

    // The journal mark is under way while someone holds the lock, interrupted after.
    {
        let mut l = store.lock(&b, Duration::ZERO).unwrap();
        let mut s = l.load().unwrap().unwrap();
        s.refresh_in_flight = Some(InFlight {
            started_at: Utc::now(),
            pid: 1,
            generation: s.generation,
            command: None,
            attempts: 1,
            outcome: None,
        });
        l.save(&s).unwrap();
        let seen = store.load(&b).unwrap().unwrap();
        assert!(matches!(
            store.journal(&b, &seen),
            Some(Journal::UnderWay(_))
        ));
        drop(l);
        assert!(matches!(
            store.journal(&b, &seen),
            Some(Journal::Interrupted(_))
        ));
    }

    // Rekey re-seals every state, which still loads.
    assert_eq!(store.rekey().unwrap(), 1);
    assert_eq!(token(store, &b).as_deref(), Some("24.b"));

    // Remove under the lock is idempotent, and a lock after it starts from nothing.
    {
        let mut l = store.lock(&b, Duration::ZERO).unwrap();
        l.remove().unwrap();
        l.remove().unwrap();
        assert!(l.load().unwrap().is_none());
        l.save(&state("24.b2", 0)).unwrap();
    }
    assert_eq!(token(store, &b).as_deref(), Some("24.b2"));
    store.remove(&b).unwrap();
    assert!(store.profiles().unwrap().is_empty());
}
