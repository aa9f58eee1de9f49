# Grant errors: src/grant/error.rs.

grant-not-logged-in = profile `{ $profile }` is not logged in
    .hint = { hint-login }
