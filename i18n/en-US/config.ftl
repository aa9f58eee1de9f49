# Config errors: src/config/error.rs.

config-unknown-profile = unknown profile `{ $name }` in `{ $config }`
config-syntax = `{ $path }`{ $line ->
        [0] {""}
       *[other] { " " }line { $line }, column { $column }
    }: { $kind ->
        [unknown-field] unknown field `{ $name }`, expected one of { $expected }
        [unknown-variant] unknown variant `{ $name }`, expected one of { $expected }
        [missing-field] missing field `{ $name }`
       *[other] { $message }
    }
config-edit = `{ $path }`: { $message }
config-invalid-setting = invalid setting: { $message }
config-timeout-too-long = `timeout` of `{ $timeout }` is longer than broker allows
    .hint = at most `1d` (in the config, `BROKER_TIMEOUT` or `--timeout`)
config-default-profile-missing = `default_profile = "{ $name }"` in `{ $config }` names no profile
config-not-regular-file = the config `{ $path }` is not a regular file
    .hint = point `--config` or `BROKER_CONFIG` at a TOML file
config-not-utf8 = cannot read the config `{ $path }`: it is not valid UTF-8
config-no-home = cannot find the home folder: neither `{ $var }` nor `HOME` is set
    .hint = set `HOME`, or `BROKER_CONFIG` and `BROKER_STATE_DIR`
config-profile-exists = profile `{ $name }` already exists in `{ $config }`
    .hint = use `broker secret set { $name }` to replace its SecretKey, or remove it first
config-unknown-profile-in-file = unknown profile `{ $name }` in `{ $config }`
config-empty-app-key = `{ $key }` is empty in `{ $config }`
config-two-secret-sources = profile `{ $name }` sets both `secret_key` and `secret_key_env` in `{ $config }`; keep one
config-plaintext-secret = `{ $key }` in `{ $config }` is plaintext
    .hint = run `broker secret encrypt` to encrypt every plaintext secret in place
config-expires-in-not-applicable = `{ $key }` applies only to { $grants } profiles
config-expires-in-range = `{ $key }` must be between 1s and { $max }
config-preset-not-applicable = `preset = "{ $preset }"` (`{ $key }`) applies only to { $grants } profiles
config-policy-not-json = `{ $key }` in `{ $config }` must be an ACL: a JSON object, as text
config-invalid-env-name = `{ $key }` is not a valid environment variable name in `{ $config }`
config-hook-empty-run = `{ $key }` in `{ $config }` has an empty `run`
config-hook-timeout-too-long = a hook in `{ $config }` has a `timeout` longer than `1d`
config-hook-no-events = `{ $key }` in `{ $config }` has an empty `on` list
    .hint = events: rotate, login, refresh_failed, test
config-hook-invalid-env-name = `{ $key }` in `{ $config }` sets `env.{ $var }`, which is not a variable name
config-hook-zero-timeout = `{ $key }` in `{ $config }` has a zero `timeout`
config-sink-overwrites = the sink `{ $sink }` is { $what ->
        [config] the config
        [identity] an age identity
       *[state-folder] in broker's state folder
    }: writing a token there would destroy it
    .hint = choose a path of its own for the sink
config-invalid-sink-mode = invalid sink mode `{ $mode }`: expected octal permission bits like `0600`
config-env-template = { $why ->
        [unclosed] a `{"{"}` is not closed (write `{"{{"}` for a literal brace)
       *[unknown-placeholder] unknown placeholder `{"{"}{ $placeholder }{"}"}`
    } in `{ $key }` in `{ $config }`
    .hint = placeholders: { $placeholders }
config-invalid-endpoint = invalid endpoint `{ $endpoint }`: { $why ->
        [credentials] credentials in the URL are not allowed
        [path] no path, query or fragment allowed
        [no-host] no host
        [plain-http] plain `http://` is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost)
        [scheme] unsupported scheme `{ $detail }`
       *[unparsable] { $detail }
    }
    .hint = write scheme, host and optional port, e.g. `https://openapi.baidu.com` or `http://127.0.0.1:8080`
