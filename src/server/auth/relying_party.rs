//! Baton as a WebAuthn relying party: its RP ID and the one origin assertions must
//! come from. The host of `BATON_PUBLIC_ORIGIN`, or `localhost` on the listen port
//! (WebAuthn refuses IP addresses as RP IDs, and browsers treat `http://localhost` as a
//! secure context).

use crate::shared::error::AppError;
use std::{net::SocketAddr, time::Duration};
use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder};

/// How long a ceremony waits for its finish (the browser's own timeout is the same).
pub const CEREMONY_TTL: Duration = Duration::from_secs(5 * 60);

/// Baton as a WebAuthn relying party.
pub struct RelyingParty {
    /// `None` when the public origin's host is an IP address.
    webauthn: Option<Webauthn>,
    origin: String,
}

impl RelyingParty {
    pub fn new(public_origin: Option<&str>, listening: SocketAddr) -> RelyingParty {
        let origin = match public_origin {
            Some(origin) => origin.trim_end_matches('/').to_string(),
            None => format!("http://localhost:{}", listening.port()),
        };
        let webauthn = Url::parse(&origin).ok().and_then(|url| {
            let rp_id = url.domain()?.to_string();
            WebauthnBuilder::new(&rp_id, &url)
                .ok()?
                .rp_name("Baton")
                .timeout(CEREMONY_TTL)
                // Port 0 (tests): the port is only known after binding; browsers scope
                // passkeys by host, not port, so this widens nothing they would keep apart.
                .allow_any_port(public_origin.is_none() && listening.port() == 0)
                .build()
                .ok()
        });
        if webauthn.is_none() {
            tracing::warn!(%origin, "passkeys are off: WebAuthn needs a domain name (set BATON_PUBLIC_ORIGIN)");
        }
        RelyingParty { webauthn, origin }
    }

    /// Where passkeys work: the relying party's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn webauthn(&self) -> Result<&Webauthn, AppError> {
        self.webauthn.as_ref().ok_or_else(|| {
            AppError::invalid_input("Passkeys need the site to be served under a domain name (BATON_PUBLIC_ORIGIN).")
        })
    }
}
