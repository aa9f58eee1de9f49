# Store errors: src/store/error.rs.

store-cannot-lock = cannot lock profile `{ $profile }`: { $cause }
    .hint = broker must be able to write `{ $dir }` (or set `BROKER_STATE_DIR`)

## Reading broker's files. `describe-file` names the file from the facts `file`, `path`,
## `profile`, `source`; `describe-identity` names the identity from `source` and `path`.

describe-file = { $file ->
        [config] the config `{ $path }`
        [use-default] the default profile `{ $path }`
        [state] the state of profile `{ $profile }` (`{ $path }`)
       *[identity] the age identity { describe-identity }
    }
describe-identity = { $source ->
        [key] `BROKER_AGE_KEY`
        [file] `{ $path }` (from `BROKER_AGE_KEY_FILE`)
        [command] the output of `BROKER_AGE_KEY_CMD`
        [config-file] `{ $path }` (from `[store] identity`)
       *[default-file] `{ $path }`
    }

store-not-regular-file = cannot read { describe-file }: it is { $is ->
        [folder] a folder
        [fifo] a FIFO
        [device] a device
        [socket] a socket
       *[other] not a file
    }, not a regular file
    .hint = point broker at a regular file, or move this one out of the way
store-file-too-large = cannot read { describe-file }: it is larger than { $max } { $unit ->
        [mib] MiB
       *[kib] KiB
    }
    .hint = is this the right file? broker's files are far smaller
store-cannot-read-file = cannot read { describe-file }: { $reason }
    .hint = { $cause ->
        [permission-denied] check the ownership and permissions of that path
       *[other] {""}
    }

## Atomic writes.

store-folder-in-the-way = cannot create folder `{ $path }`: a file is in the way
store-not-a-file-path = cannot write `{ $path }`: not a file path
store-already-exists = `{ $path }` already exists; broker will not overwrite it

## The identity.

-identity-format = an identity is one `AGE-SECRET-KEY-1…` key per line, as written by `age-keygen` or `broker init`
-identity-lost = restore the identity file from a backup (or set `BROKER_AGE_KEY` to the `AGE-SECRET-KEY-1…` key); if it is lost, `broker init --force`, then `broker secret set NAME` and `broker login NAME` for each profile

store-empty-passphrase = the passphrase is empty
store-identity-exists = an age identity already exists at `{ $path }`
    .hint = broker never overwrites an identity; `broker init` uses the existing one
store-no-identity = { $source ->
        [default-file] no age identity: `BROKER_AGE_KEY`, `BROKER_AGE_KEY_FILE` and `BROKER_AGE_KEY_CMD` are not set, the config has no `[store] identity`, and `{ $path }` does not exist
        [file] no age identity: `{ $path }` named by `BROKER_AGE_KEY_FILE` does not exist
        [config-file] no age identity: `{ $path }` named by `[store] identity` does not exist
       *[other] no age identity in { describe-identity }
    }
    .hint = { $source ->
        [file] fix or unset `BROKER_AGE_KEY_FILE` (it is used alone, before any other source)
        [config-file] fix `[store] identity` in the config, or run `broker init`
       *[other] { -identity-lost }
    }
store-identity-not-text = { describe-identity } is not an age identity (not UTF-8 text)
    .hint = { -identity-format }
store-identity-plugin = { describe-identity } holds an age plugin identity (line { $line }), which broker does not support
    .hint = use an X25519 identity (`age-keygen`, or `broker init`)
store-identity-bad-line = { describe-identity } is not an age identity: line { $line } is not an `AGE-SECRET-KEY-1…` key
    .hint = { -identity-format }
store-identity-empty = { describe-identity } holds no age identity
    .hint = { -identity-format }
store-identity-corrupt = the age identity { describe-identity } is encrypted but corrupt
    .hint = restore the identity from a backup, or create a new one with `broker init`
store-identity-not-passphrase = the age identity { describe-identity } is encrypted to recipients, not with a passphrase
    .hint = decrypt it with `age -d` and point broker at the result, or use a passphrase-protected identity
store-wrong-passphrase = wrong passphrase for the age identity { describe-identity }
    .hint = check `BROKER_AGE_PASSPHRASE` or type the passphrase again
store-excessive-passphrase-work = the age identity { describe-identity } needs far more passphrase work than this machine allows
store-no-terminal-for-passphrase = the age identity { describe-identity } is passphrase-protected and there is no terminal to ask for the passphrase
    .hint = set `BROKER_AGE_PASSPHRASE`, or use an identity without a passphrase (`BROKER_AGE_KEY`)
store-cannot-read-passphrase = cannot read the passphrase from the terminal: { $reason }
store-cannot-encrypt-identity = cannot encrypt the identity: { $reason }
store-cannot-run-key-command = cannot run `BROKER_AGE_KEY_CMD`: { $reason }
store-key-command-too-large = `BROKER_AGE_KEY_CMD` printed more than { $max_mib } MiB
    .hint = the command must print an `AGE-SECRET-KEY-1…` identity on stdout, nothing else
store-key-command-timed-out = `BROKER_AGE_KEY_CMD` did not finish within { $after }
    .hint = run it by hand to see where it waits, or allow it longer with `BROKER_AGE_KEY_CMD_TIMEOUT` (e.g. `2m`)
store-key-command-failed = `BROKER_AGE_KEY_CMD` failed ({ $how })
    .hint = the command must print an `AGE-SECRET-KEY-1…` identity on stdout; run it by hand to see why it failed
store-invalid-key-command-timeout = `BROKER_AGE_KEY_CMD_TIMEOUT`: { $problem ->
        [not-text] not valid UTF-8
        [out-of-range] must be between 1s and { $max }
       *[other] { $reason }
    }

## Encryption.

store-identity-not-recipient = the identity in use ({ describe-identity }) is not among `[store] recipients`: what broker saves now could not be read back here, so nothing was sent
    .hint = add its public key `{ $public_key }` to `recipients` under `[store]` in the config (`broker init` prints it), or use the identity the recipients are for; if that one is lost, `broker init --force`, then run `broker secret set NAME` and `broker login NAME` for each profile
store-no-recipients = there are no recipients to encrypt to
    .hint = run `broker init`, or add your `age1…` public key to `recipients` under `[store]` in the config
store-cannot-encrypt = cannot encrypt: { $reason }
store-armor-not-text = age armor is not text
store-passphrase-encrypted = the data is encrypted with a passphrase, not to the store's recipients
    .hint = encrypt it to your `age1…` recipient (e.g. `broker secret set`)
store-secret-not-text = the decrypted secret is not UTF-8 text
    .hint = set it again with `broker secret set`
store-not-a-recipient = `{ $value }` in `[store] recipients` is not an age recipient
    .hint = a recipient is an age X25519 public key `age1…`; `broker init` prints yours
store-not-encrypted-to-identity = the data is not encrypted to this identity ({ describe-identity })
    .hint = use the identity it was encrypted to (after changing recipients, run `broker secret rekey` with it); if that identity is lost, run `broker secret set NAME` and `broker login NAME` for each profile
store-unknown-age-format = the data is in an age format this broker does not know
    .hint = upgrade broker, or re-create the data
store-corrupt = the data is corrupt or not age-encrypted
    .hint = re-create it (`broker secret set`, or `broker login` for tokens)

## The state and its lock.

store-cannot-read-state = cannot read the state of profile `{ $profile }` (`{ $location }`): { $cause }
store-saved-before-loaded = the state of profile `{ $profile }` was saved before it was loaded under the lock
store-cannot-serialize-state = cannot serialize the token state: { $category ->
        [io] i/o error
        [syntax] syntax error
        [data] unexpected or missing field
       *[eof] truncated
    }
store-state-not-json = the token state is not valid (not a JSON object of UTF-8 text)
    .hint = log in again (`broker login`) to replace it
store-state-invalid = the token state is not valid ({ $category ->
        [io] i/o error
        [syntax] syntax error
        [data] unexpected or missing field
       *[eof] truncated
    } at line { $line }, column { $column })
    .hint = log in again (`broker login`) to replace it
store-state-too-new = the token state has version { $version }, newer than this broker understands ({ $supported })
    .hint = upgrade broker; the state was written by a newer release
store-cannot-save = cannot save the state of profile `{ $profile }`: { $cause }
    .hint = broker must be able to write `{ $dir }` (or set `BROKER_STATE_DIR`)
store-state-changed = the state of profile `{ $profile }` changed while this process held its lock; nothing was saved
    .hint = something removed or wrote it without the lock; try again
store-lock-timed-out = timed out waiting for the lock on profile `{ $profile }` held by another broker process{ $holder ->
        [running] {" "}(pid { $pid })
        [stopped] {" "}(pid { $pid }, stopped)
       *[none] {""}
    }
    .hint = { $holder ->
        [stopped] pid { $pid } is stopped (Ctrl-Z?): resume it (`fg`, or `kill -CONT { $pid }`) or end it, then try again
       *[other] another broker is rotating this profile; try again, or see who holds `{ $path }`
    }
store-lock-file-timed-out = timed out waiting for the lock `{ $path }` held by another process

## Prompts.

store-no-terminal = { $needed ->
        [passphrase] a passphrase is needed
       *[secret-key] a SecretKey is needed
    }, but there is no terminal to ask on
    .hint = { $needed ->
        [passphrase] set `BROKER_AGE_PASSPHRASE`, or run `broker init --passphrase` in a terminal
       *[secret-key] pipe it on stdin: `printf %s "$SK" | broker …`
    }
store-cannot-read-secret-from-stdin = cannot read the SecretKey from stdin: { $reason }
store-cannot-read-secret = cannot read the SecretKey: { $reason }
store-empty-secret = the SecretKey is empty
    .hint = pipe it on stdin, or type it at the prompt
store-secret-not-one-line = the SecretKey contains a line break or NUL
    .hint = give one line on stdin
store-cannot-read-answer = cannot read the answer: { $reason }
# `init`: "the identity … does not exist, but 1 secret and 2 token files are encrypted to …".
store-identity-cannot-read = the identity { $identity } { $lost ->
        [true] does not exist, but
       *[false] is not among the config's recipients, and
    } { $tokens ->
        [0] { $secrets ->
            [one] 1 secret is
           *[other] { $secrets } secrets are
        }
       *[other] { $secrets ->
            [0] {""}
            [one] 1 secret and{" "}
           *[other] { $secrets } secrets and{" "}
        }{ $tokens ->
            [one] 1 token file
           *[other] { $tokens } token files
        }{ $secrets ->
            [0] { $tokens ->
                [one] {" "}is
               *[other] {" "}are
            }
           *[other] {" "}are
        }
    } encrypted to { $lost ->
        [true] the config's recipients: a new identity cannot read them
       *[false] them: it cannot read them
    }
    .hint = { $lost ->
        [true] restore the identity file from a backup (then nothing is lost); if it is gone for good, `broker init --force` makes a new one, then run `broker secret set NAME` and `broker login NAME` for each profile
       *[false] use the identity they were encrypted to (restore it, or point `BROKER_AGE_KEY_FILE` at it); if it is lost, `broker init --force` adds this one, then run `broker secret set NAME` and `broker login NAME` for each profile
    }

# The shared store of a fleet (src/store/redis/errors.rs) and the hand-off (src/commands/state.rs).

store-unknown-backend = unknown `[store] backend = "{ $name }"` in `{ $config }`
    .hint = use `file` (the default) or `redis`
store-redis-no-url = `[store] backend = "redis"` in `{ $config }` needs a `url` (or `BROKER_REDIS_URL`)
    .hint = e.g. `url = "redis://127.0.0.1:6379/0"`; put a password in `BROKER_REDIS_URL` rather than the file
store-redis-bad-url = invalid Redis URL in `{ $from }`: { $why ->
        [scheme] the scheme must be `redis://` or `rediss://` (TLS)
        [no-host] it names no host
        [client] the Redis client cannot use it
       *[other] not a URL
    }
    .hint = write it as `redis://[USER:PASSWORD@]HOST[:PORT][/DB]`, or `rediss://…` for TLS
store-redis-bad-prefix = invalid `[store] prefix = "{ $prefix }"` in `{ $config }`
    .hint = a prefix is 1 to 64 letters, digits, `-`, `_` or `.`
store-redis-unreachable = the Redis store at `{ $url }` is unreachable or refused: { $detail }
    .hint = check that Redis runs and `[store] url` (or `BROKER_REDIS_URL`); a cached token that is not due is still served, but nothing rotates without Redis
store-redis-foreign = the Redis store at `{ $url }` holds something broker did not write at `{ $key }`
    .hint = use a `[store] prefix` of broker's own
store-redis-changed = the state of profile `{ $profile }` changed in Redis while this process held its lease; nothing was saved
    .hint = another machine wrote it (this lease may have lapsed); try again
store-lease-timeout = { $known ->
        [true] timed out waiting for the lock on profile `{ $profile }` held by another broker process ({ $holder })
       *[false] timed out waiting for the lock on profile `{ $profile }` held by another broker process
    }
    .hint = another machine is rotating this profile; try again (a holder that died frees the lease when it lapses)
store-handed-off = profile `{ $profile }` was handed off at { $at } to { $to } (`broker state export`): it no longer rotates here, and its token is due
    .hint = use it where it was handed to; or import a newer bundle here (`broker state import`), or start a new lineage with `broker login { $profile }`
store-already-handed-off = profile `{ $profile }` was already handed off at { $at } to { $to }: it has no lineage here to export
    .hint = export it from where it was handed to
store-nothing-to-export = { $all ->
        [true] no profile has a state to export
       *[false] profile `{ $profile }` has no state to export
    }
    .hint = `broker status` shows what is stored; a profile gets one at `broker login`
store-not-a-bundle = the input is not a state bundle of this broker
    .hint = make one with `broker state export … > bundle.age`, then `broker state import < bundle.age`
store-cannot-read-bundle = cannot read the state bundle from stdin: { $reason }
store-bundle-grant = the bundle's state of `{ $profile }` is for grant `{ $bundle }`, but the profile here is `{ $config }`
store-bundle-older = the bundle's state of `{ $profile }` (obtained { $bundle }) is older than the one stored here (obtained { $stored }); nothing was imported
    .hint = `--force` replaces it anyway (the stored lineage is then lost)
store-watch-needs-redis = `broker watch` follows the rotations of a shared store, but `[store] backend` is `file`
    .hint = set `[store] backend = "redis"` (docs/fleet.md)
