# Store errors: src/store/error.rs.

store-cannot-lock = cannot lock profile `{ $profile }`: { $cause }
    .hint = broker must be able to write `{ $dir }` (or set `BROKER_STATE_DIR`)
