//! AFL target: every parser of a Baidu answer (token, device poll, device code, BCE bearer,
//! the error shapes) on the same bytes. The first two bytes pick the HTTP status; the rest is
//! the body. A crash is a panic: a parser's own, or a broken property of tests/hostile/checks.rs.

#[path = "../../../tests/hostile/checks.rs"]
mod checks;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let (status, body) = match data {
            [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]) % 600, rest),
            _ => (200, data),
        };
        checks::server_bodies(status, body);
    });
}
