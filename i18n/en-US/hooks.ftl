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
