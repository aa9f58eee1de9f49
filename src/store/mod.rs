//! The state store: age vault, identity, per-profile lock, atomic writes, state schema.
