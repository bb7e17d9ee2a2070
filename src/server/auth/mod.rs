//! Authentication, server side: what the endpoints of `crate::api` run.
//!
//! - the flows: [`sign_in`] (sign up, sign in, and the [`method`] of each), [`rotation`] (refresh), [`sign_out`]
//!   (here, everywhere, one other device), each ending in a [`grant::Grant`] or an
//!   ended session; [`account`] (what a person does to their own account) and
//!   [`email`] (what goes through their mailbox) with [`email_code`] (signing in
//!   with a code from it); [`admin`] (what an administrator
//!   does to an account); the second factors: [`challenge`]
//!   (the ticket a right password opens), [`second_step`] (redeeming it), [`totp`]
//!   (the authenticator app) and [`passkeys`] (on the [`relying_party`]); signing in
//!   through another OpenID provider: [`provider_sign_in`] (the trip there and back)
//!   with the configured [`providers`];
//! - the rules they share: [`limits`] (every rate limit, reserved atomically, and in
//!   front of them [`shedding`], one client's flood refused from memory),
//!   [`credentials`] (what a credential change ends), [`changes`] (telling the owner
//!   of a change), [`strength`] (how guessable a new password is, and whether it
//!   appeared in a breach: [`breaches`]);
//! - what they stand on: [`tokens`] (the one JWT verifier) with its [`keys`] and
//!   [`ed25519`], [`password`] hashing, the [`cookie`]s, the [`bearer`] extractor and
//!   its guard by [`roles`], and the calling [`device`].

pub mod account;
pub mod admin;
pub mod bearer;
pub mod breaches;
pub mod challenge;
pub mod changes;
pub mod cookie;
pub mod credentials;
pub mod device;
pub mod ed25519;
pub mod email;
pub mod email_code;
pub mod grant;
pub mod keys;
pub mod limits;
pub mod method;
pub mod passkeys;
pub mod password;
pub mod provider_sign_in;
pub mod providers;
pub mod relying_party;
pub mod roles;
pub mod rotation;
pub mod second_step;
pub mod shedding;
pub mod sign_in;
pub mod sign_out;
pub mod strength;
pub mod tokens;
pub mod totp;
