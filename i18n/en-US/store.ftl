# Store errors: src/store/error.rs.

store-cannot-lock = cannot lock profile `{ $profile }`: { $cause }
    .hint = broker must be able to write `{ $dir }` (or set `BROKER_STATE_DIR`)

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
store-bundle-grant = the bundle's state of `{ $profile }` is for grant `{ $bundle }`, but the profile here is `{ $config }`
store-bundle-older = the bundle's state of `{ $profile }` (obtained { $bundle }) is older than the one stored here (obtained { $stored }); nothing was imported
    .hint = `--force` replaces it anyway (the stored lineage is then lost)
store-watch-needs-redis = `broker watch` follows the rotations of a shared store, but `[store] backend` is `file`
    .hint = set `[store] backend = "redis"` (docs/fleet.md)
