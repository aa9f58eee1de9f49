# Grant errors: src/grant/error.rs.

grant-not-logged-in = profile `{ $profile }` is not logged in
    .hint = { hint-login }

## What Baidu answered: `$baidu_code`, `$description` (when `$described`), `$status`.

grant-secret-key-rejected = Baidu rejected the SecretKey of `{ $profile }`: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
    .hint = check it, then `broker secret set { $profile }`
grant-app-key-unknown = Baidu does not know the AppKey of `{ $profile }`: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
    .hint = check `app_key` in the config
grant-grant-not-allowed = Baidu does not allow this grant for the app of `{ $profile }`: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
grant-access-key-rejected = Baidu IAM rejected the AccessKey of `{ $profile }`: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
    .hint = check `app_key` (the AccessKey) in the config
grant-signature-rejected = Baidu IAM rejected the signature for `{ $profile }`: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
    .hint = the SecretKey is probably wrong: `broker secret set { $profile }`
grant-request-expired = Baidu IAM says the request expired for `{ $profile }`: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
    .hint = check this machine's clock
grant-signature-header-refused = Baidu IAM refused the signature header: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
grant-authorization-refused = Baidu refused the authorization of `{ $profile }`: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
    .hint = { hint-login }
grant-scope-refused = Baidu refused the scope of `{ $profile }`: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
    .hint = ask for a scope within the one granted at login
grant-redirect-uri-refused = Baidu refused the redirect URI: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
    .hint = the app's registered callback must match; use `--device` or `--code`
grant-grant-type-unsupported = Baidu does not support the grant broker sent: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
grant-throttled = Baidu throttled `{ $profile }` after repeated failures: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
    .hint = wait a while before trying again; broker does not loop on this
grant-server-error = Baidu answered HTTP { $status } for `{ $profile }`: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
grant-unexpected-error = Baidu answered an unexpected error for `{ $profile }` (HTTP { $status }): `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
grant-device-code-refused = the device code for `{ $profile }` expired or was refused: `{ $baidu_code }`{ $described ->
        [true] {" "}({ $description })
       *[false] {""}
    }
    .hint = run `broker login { $profile }` again
grant-authorization-declined = the authorization of `{ $profile }` was declined
    .hint = run `broker login { $profile }` again and approve it

## What kept Baidu from answering. `$request` names the request, for `$profile`.

grant-http-client = cannot build the HTTP client: { $reason }
grant-out-of-time = gave up on { $request ->
        [refresh] refresh
        [device-poll] device poll
        [code-exchange] code exchange
        [client-credentials] client_credentials
        [device-code] device code
        [sts-token] STS session token request
       *[bce-token] BCE bearer token
    } for `{ $profile }`: the time limit ran out
    .hint = raise `--timeout` or `timeout` in the config, or check the network
grant-answer-too-large = { $request ->
        [refresh] refresh
        [device-poll] device poll
        [code-exchange] code exchange
        [client-credentials] client_credentials
        [device-code] device code
        [sts-token] STS session token request
       *[bce-token] BCE bearer token
    } for `{ $profile }`: the answer is larger than { $limit } bytes
grant-request-failed = { $request ->
        [refresh] refresh
        [device-poll] device poll
        [code-exchange] code exchange
        [client-credentials] client_credentials
        [device-code] device code
        [sts-token] STS session token request
       *[bce-token] BCE bearer token
    } for `{ $profile }` failed: { $failure ->
        [timed-out] timed out ({ $url })
        [refused] connection refused ({ $url })
        [cannot-connect] cannot connect ({ $url })
        [broke] the connection broke ({ $url })
        [broke-off] the answer broke off: { $reason }
       *[deadline] timed out
    }
grant-server-status = Baidu answered HTTP { $status } for `{ $profile }`
grant-not-a-token = { $issuer ->
        [bce] BCE IAM's
        [sts] BCE STS's
       *[baidu] Baidu's
    } answer for `{ $profile }` is not a token (HTTP { $status }): { $why ->
        [unexpected-status] unexpected status
        [not-an-object] not a JSON object
        [unexpected-json] not the expected JSON
       *[no-usable] no usable { $field }
    }
grant-device-code-unusable = Baidu's device-code answer for `{ $profile }` is not usable

## The profile's settings, as a grant reads them.

grant-invalid-endpoint = invalid endpoint: { $reason }
grant-endpoint-without-host = endpoint `{ $endpoint }` has no host
grant-secret-env-unset = `{ $var }` is not set (the SecretKey of `{ $profile }`)
    .hint = export `{ $var }`, or store the SecretKey with `broker secret set { $profile }`
grant-secret-plaintext = the SecretKey of `{ $profile }` is plaintext
    .hint = run `broker secret encrypt`
grant-no-secret = profile `{ $profile }` has no SecretKey
    .hint = set one with `broker secret set { $profile }`
grant-not-renewable = a `{ $grant }` token is not renewed with a refresh token
grant-fetch-needs-login = a netdisk token needs a refresh token or a login

## Logging in (netdisk).

grant-device-login-needs-terminal = `{ $profile }` needs a person to approve a device login, but there is no terminal to ask on
    .hint = log in on a workstation; docs/ci.md says how to give a netdisk profile to CI
grant-device-code-expired = the device code for `{ $profile }` expired before it was approved
    .hint = run `broker login { $profile }` again
grant-code-needs-terminal = an authorization code is needed, but there is no terminal to ask on
    .hint = give it with `--code -` on stdin
grant-malformed-code = the authorization code is empty or malformed
grant-cannot-read-code = cannot read the code: { $reason }
grant-loopback = { $step ->
        [listen] cannot listen on 127.0.0.1: { $reason }
        [accept] the loopback listener failed: { $reason }
       *[other] { $reason }
    }
grant-browser-timeout = nobody completed the browser authorization in time
    .hint = try `broker login --device` instead
grant-state-mismatch = the redirect's `state` did not match: the answer was refused (possible forgery)
grant-declined = the authorization was declined (`{ $reason }`)
grant-no-code-in-redirect = the redirect carried no code or state

## Rotation.

grant-lock-lost = lost the lock on profile `{ $profile }` before its refresh token was sent; it was not sent
    .hint = try again
grant-rejected-loop = the new tokens of `{ $profile }` are rejected as soon as they are issued, twice in a row; broker stops rotating them
    .hint = check that the consumer calls the API the profile's grant and scope allow; `broker refresh { $profile } --force` rotates by hand
grant-min-ttl-unmet = `--min-ttl { $min_ttl }` cannot be met for `{ $profile }`: its tokens live { $life } when new
    .hint = ask for at most { $life }
grant-needs-login = profile `{ $profile }` needs a new login since { $since }: { $reason }
grant-refresh-interrupted = a refresh started at { $started_at }{ $by_command ->
        [true] {" "}by `{ $command }`
       *[false] {""}
    } (pid { $pid }) was interrupted before its answer was saved ({ $ended ->
        [true] it ended with: { $outcome }
       *[false] the process ended before it could save anything
    }){ $attempts ->
        [0] {""}
        [1] {""}
       *[other] ; the refresh token was presented { $attempts } times
    }

## Plugins (`grant = "plugin:NAME"`).

grant-plugin-not-found = `{ $plugin }`, the plugin of `{ $profile }`, is not on PATH
    .hint = install it in a folder on PATH, or check `grant` in the config
grant-plugin-failed = `{ $plugin }` gave no usable answer for `{ $profile }`: { $why ->
        [cannot-run] it could not run ({ $detail })
        [timed-out] it did not answer within { $detail }
        [exited] it ended ({ $detail }) without a JSON answer
        [too-large] its answer is larger than { $detail }
        [version] it speaks protocol version { $detail }, broker speaks 1
        [unknown-kind] the error kind `{ $detail }` is not `credentials`, `login` or `network`
        [no-usable] no usable `{ $detail }`
       *[garbage] its answer is not a JSON object
    }
    .hint = `broker -v` shows what it printed on stderr
grant-plugin-refused = `{ $plugin }` refused `{ $profile }` ({ $refused }): { $said }
