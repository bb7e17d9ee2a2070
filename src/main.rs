//! `baton`: the server's command line (`baton --help`); the commands are `crate::cli`.

/// The static (musl) build's allocator; see Cargo.toml.
#[cfg(all(feature = "ssr", target_env = "musl"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    use baton::{cli, server::config::Settings};
    use clap::Parser;
    use std::process::ExitCode;

    // Arguments first: `--help` and a mistyped command need no settings.
    let arguments = cli::Cli::parse();
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("baton: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The log's format and filter are settings too (BATON_LOG_FORMAT, BATON_LOG). The
    // trace exporter is made, and at the end flushed, outside the async runtime: its
    // HTTP client blocks, which the runtime's threads must not.
    let telemetry = match baton::server::observe::logs::init(&settings.operations) {
        Ok(telemetry) => telemetry,
        Err(e) => {
            eprintln!("baton: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(cli::run(arguments.command, settings)),
        Err(e) => {
            eprintln!("baton: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    telemetry.shutdown();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("baton: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The browser bundle starts in lib.rs (`hydrate`).
}
