//! One module per grant.
