fn main() -> std::process::ExitCode {
    ntaq_gen::cli::main()
}
