//! Passwords that appeared in breaches (docs/API.md): a new password is looked up in the
//! Pwned Passwords range API by k-anonymity. Only the first five hex digits of its SHA-1
//! leave the server; the service answers every suffix it knows under that prefix, and
//! the match is made here. `Add-Padding: true` asks it to pad the answer with made-up
//! suffixes (count 0), so the answer's size does not tell an observer the prefix either.
//!
//! The check never blocks a sign-up: a service that is down or slower than [`TIMEOUT`]
//! lets the password through, with a warning in the log and the metric.

use crate::{
    server::observe::metrics,
    shared::{
        credentials::{Password, BREACHED_PASSWORD},
        error::AppError,
    },
};
use openidconnect::reqwest;
use sha1::{Digest, Sha1};
use std::time::Duration;

/// How long a check may take, the whole answer read.
const TIMEOUT: Duration = Duration::from_secs(1);

/// The range API, or nothing when the check is off.
pub struct Breaches {
    url: Option<String>,
    http: reqwest::Client,
}

impl Breaches {
    pub fn new(url: Option<&str>) -> Result<Breaches, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| format!("the HTTP client for the breach check: {e}"))?;
        Ok(Breaches { url: url.map(str::to_string), http })
    }

    /// `weak_password` if `password` is in the breach lists; through otherwise, and
    /// through when the service cannot say in time.
    pub async fn check(&self, password: &Password) -> Result<(), AppError> {
        let Some(url) = &self.url else { return Ok(()) };
        let hash = hex_upper(&Sha1::digest(password.expose().as_bytes()));
        let (prefix, suffix) = hash.split_at(5);
        match self.range(url, prefix).await {
            Ok(range) if listed(&range, suffix) => {
                metrics::breach_check("found");
                Err(AppError::WeakPassword(BREACHED_PASSWORD.to_string()))
            }
            Ok(_) => {
                metrics::breach_check("clear");
                Ok(())
            }
            Err(why) => {
                tracing::warn!(why, "the breached-password check did not answer in time; the password was let through");
                metrics::breach_check("unavailable");
                Ok(())
            }
        }
    }

    /// Every suffix the service knows under `prefix`, as it sends them.
    async fn range(&self, url: &str, prefix: &str) -> Result<String, String> {
        let response = self
            .http
            .get(format!("{url}{prefix}"))
            .header("Add-Padding", "true")
            .send()
            .await
            .map_err(|e| if e.is_timeout() { "timed out".to_string() } else { e.without_url().to_string() })?;
        if !response.status().is_success() {
            return Err(format!("answered {}", response.status()));
        }
        response.text().await.map_err(|e| if e.is_timeout() { "timed out".to_string() } else { e.to_string() })
    }
}

/// Whether the range lists `suffix` with a count above zero (padding lines say 0).
fn listed(range: &str, suffix: &str) -> bool {
    range.lines().filter_map(|line| line.trim().split_once(':')).any(|(listed, count)| {
        listed.eq_ignore_ascii_case(suffix) && count.trim().parse::<u64>().is_ok_and(|count| count > 0)
    })
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suffix_counts_only_with_a_positive_count() {
        let range = "0018A45C4D1DEF81644B54AB7F969B88D65:21\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0\r\n";
        assert!(listed(range, "0018a45c4d1def81644b54ab7f969b88d65"));
        assert!(!listed(range, "00D4F6E8FA6EECAD2A3AA415EEC418D38EC"), "padding");
        assert!(!listed(range, "FFFF"));
        assert!(!listed("garbage", "0018A45C4D1DEF81644B54AB7F969B88D65"));
    }

    #[test]
    fn the_hash_is_upper_case_hex_of_sha1() {
        // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
        assert_eq!(hex_upper(&Sha1::digest(b"password")), "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8");
    }
}
