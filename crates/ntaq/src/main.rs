//! The `ntaq` binary: all logic lives in the library (`ntaq::cli`).

fn main() -> std::process::ExitCode {
    ntaq::cli::main()
}
