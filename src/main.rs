fn main() -> std::process::ExitCode {
    quay::cli::main()
}
