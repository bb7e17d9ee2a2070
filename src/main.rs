//! `baton`: the server's command line (`baton --help`); the commands are `crate::cli`.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use baton::{cli, server::config::Settings};
    use clap::Parser;
    use std::process::ExitCode;

    // Arguments first: `--help` and a mistyped command need no settings.
    let arguments = cli::Cli::parse();
    cli::init_tracing();
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("baton: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli::run(arguments.command, settings).await {
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
