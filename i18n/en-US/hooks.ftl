# Hook errors: src/hooks/error.rs.

hooks-failed = { $failed } of { $total } { $sinks ->
        [true] sinks and hooks
       *[false] hooks
    } of `{ $profile }` failed { $when ->
        [rerun] when run again
        [rotate] after the new token was saved
        [login] after the login was saved
        [refresh-failed] after the rotation failed
       *[test] in the test
    }
    .hint = { $when ->
        [test] see the lines above; fix them and run `broker hooks test { $profile }` again
        [rerun] see the lines above; the stored token of `{ $profile }` is unchanged
       *[other] the token is saved; fix the hook, then re-run it with `broker hooks run { $profile }`
    }
hooks-nested = cannot { $doing ->
        [rotate] rotate
        [log-in] log in to
       *[run-hooks] run the hooks of
    } `{ $profile }` inside a hook of `{ $profile }`: that would run the hook again, without end
    .hint = a hook gets the new token in `BROKER_ACCESS_TOKEN` and on stdin; `broker token { $profile }` serves the stored token while it is valid
hooks-no-stored-token = no token is stored for `{ $profile }`
    .hint = get one with `broker token { $profile }` (or `broker login { $profile }`); its hooks run then
hooks-sink-without-token = no token to write
hooks-ran = { $run ->
        [exit] exit { $exit_code }
        [killed] killed by { $signal }
        [killed-by-number] killed by signal { $number }
        [timed-out] timed out after { $after }
        [cannot-wait] cannot wait for it: { $reason }
        [no-folder] cannot run: the folder `{ $folder }` does not exist
        [empty-command] cannot run: empty command
        [bad-env-name] cannot run: `{ $name }` is not a valid environment variable name
        [not-found] cannot run `{ $program }`: not found
        [not-executable] cannot run `{ $program }`: permission denied (is it executable?)
        [cannot-run] cannot run `{ $program }`: { $reason }
        [written] written
        [sink-failed] { $error }
       *[ended] ended
    }
