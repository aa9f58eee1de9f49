//! The `broker` binary: everything happens in `broker::main`, which tests can call too.

fn main() -> std::process::ExitCode {
    broker::main()
}
