# Usage errors (exit 2): src/error/usage.rs.

usage-invalid-profile-name = invalid profile name `{ $name }`
    .hint = a name starts with a letter or digit, then letters, digits, `-`, `_` or `.`; at most 64 characters
