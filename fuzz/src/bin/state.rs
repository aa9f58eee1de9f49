//! AFL target: a decrypted state file (`TokenState::from_json`), and its round trip.

#[path = "../../../tests/hostile/checks.rs"]
mod checks;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        checks::state(data);
    });
}
