//! `baton`: serve the app, or `baton keys rotate` to add a new signing key.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use baton::{cli, server::config::Settings};
    use std::process::ExitCode;

    cli::init_tracing();
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("baton: {e}");
            return ExitCode::FAILURE;
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        [] | ["serve"] => cli::serve(settings).await,
        ["keys", "rotate"] => cli::rotate_keys(settings).await,
        ["keys", "list"] => cli::list_keys(settings).await,
        _ => {
            eprintln!("usage: baton [serve] | baton keys rotate | baton keys list");
            return ExitCode::from(2);
        }
    };
    match result {
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
