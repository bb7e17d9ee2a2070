//! The browser side of the session: the access token in a memory signal
//! ([`session`]), the one helper every authenticated call goes through ([`fetch`]) and
//! the typed functions of the Bearer endpoints built on it ([`api`]), keeping the
//! session alive ([`renewal`]), cross-tab coordination ([`tabs`], [`lock`]), the
//! re-authentication prompt's turn ([`reauth`]), a sign-in sent before hydration
//! ([`early`]), passkeys ([`webauthn`], and the
//! quiet [`passkey_upgrade`] after a sign-in), the page's
//! language ([`language`]) and downloads ([`files`]). Compiled into both builds; it runs only in the browser, started by
//! [`renewal::start`] once the page has hydrated.

pub mod api;
pub mod early;
pub mod fetch;
pub mod files;
pub mod language;
pub mod lock;
pub mod passkey_upgrade;
pub mod reauth;
pub mod renewal;
pub mod session;
pub mod tabs;
pub mod webauthn;
