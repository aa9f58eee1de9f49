//! AFL target: the config, parsed and validated as `broker` loads it (non-UTF-8 input is
//! what `read_to_string` would refuse before parsing, so it is read lossily here).

#[path = "../../../tests/hostile/checks.rs"]
mod checks;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        checks::config(&String::from_utf8_lossy(data));
    });
}
