//! The browser side of the session: the access token in a memory signal
//! ([`session`]), the one helper every authenticated call goes through ([`fetch`]),
//! keeping the session alive ([`renewal`]), cross-tab coordination ([`tabs`],
//! [`lock`]), the page's language ([`language`]) and the way back after signing in ([`next`]). Compiled into both builds; it runs only
//! in the browser, started by [`renewal::start`] once the page has hydrated.

pub mod fetch;
pub mod language;
pub mod lock;
pub mod next;
pub mod reauth;
pub mod renewal;
pub mod session;
pub mod tabs;
pub mod webauthn;
