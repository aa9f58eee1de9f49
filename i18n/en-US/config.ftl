# Config errors: src/config/error.rs.

config-unknown-profile = unknown profile `{ $name }` in `{ $config }`
