# Hints shared by many errors: src/error/hint.rs.

hint-login = run `broker login { $profile }`
hint-did-you-mean = did you mean `{ $near }`?
hint-profiles = { $count ->
        [0] no profiles yet: add one with `broker profile add NAME --grant { $grants } --app-key KEY`
       *[other] profiles: { $names }
    }

# group A
hint-change-profile = { $source ->
        [environment] clear it with `eval "$(broker env --unset)"`, or switch with `broker use NAME`
       *[use-default] choose another with `broker use NAME`
    }; { $then ->
        [did-you-mean] { hint-did-you-mean }
       *[profiles] { hint-profiles }
    }
