//! The widgets pages are made of (a page is a route, in `crate::pages`; what it shows
//! is built from these):
//!
//! - [`frame`]: the signed-out card, the document's title, the language switcher, the
//!   spinner; [`signed_in`]: the signed-in frame, its guard and "reconnecting…";
//! - [`form`]: the busy button, the Email field, the error alert, a [`form::Submission`];
//!   [`password`]: new passwords with their advice, and the form that sets one;
//! - the flows pages share: [`signed_out`] (taking a sign-in's answer and going on),
//!   [`second_step`] (the code after a right password), [`passkey_sign_in`],
//!   [`email_code`] (signing in with a code by email),
//!   [`providers`] (signing in through another provider, and connecting one),
//!   [`reauth_dialog`] (the prompt of a sensitive action), [`link`] (a page that follows
//!   a mailed link);
//! - the sections of `/account` about signing in: [`security`] (passkeys, two-step
//!   verification);
//! - [`format`]: instants in words; [`paged`]: a list that grows a page at a time.

pub mod email_code;
pub mod form;
pub mod format;
pub mod frame;
pub mod link;
pub mod paged;
pub mod passkey_sign_in;
pub mod password;
pub mod providers;
pub mod reauth_dialog;
pub mod second_step;
pub mod security;
pub mod signed_in;
pub mod signed_out;
