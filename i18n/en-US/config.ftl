# Config errors: src/config/error.rs.

config-unknown-profile = unknown profile `{ $name }` in `{ $config }`

# group A
config-profile-exists = profile `{ $name }` already exists in `{ $config }`
    .hint = use `broker secret set { $name }` to replace its SecretKey, or remove it first
