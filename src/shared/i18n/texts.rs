//! The shape of a message catalogue: every string of the app, grouped by where it is
//! shown. `en.rs` and `ko.rs` fill it in; a field either lacks does not compile.

use crate::shared::error::AppError;

/// Picks one string of a catalogue: how a component is told which text to show.
pub type Pick = fn(&Texts) -> &'static str;
/// Formats a message from one value.
use crate::shared::activity::EventKind;

pub type Say1 = fn(&str) -> String;
/// Formats a message from two values.
pub type Say2 = fn(&str, &str) -> String;

pub struct Texts {
    pub common: Common,
    /// What each error `code` means to a person (the wire `message` stays English).
    pub error: fn(&AppError) -> String,
    /// "3 min ago", from whole seconds.
    pub ago: fn(i64) -> String,
    pub device: Device,
    pub session: Session,
    pub frame: Frame,
    pub not_found: NotFound,
    pub login: Login,
    pub email_code: EmailCode,
    pub register: Register,
    pub forgot: Forgot,
    pub reset: Reset,
    pub verify: Verify,
    pub not_me: NotMe,
    pub second_step: SecondStep,
    pub passkey: Passkey,
    pub reauth: Reauth,
    pub dashboard: Dashboard,
    pub sessions: Sessions,
    pub activity: Activity,
    pub account: Account,
    pub passkeys: Passkeys,
    pub providers: Providers,
    pub two_step: TwoStep,
    pub admin: Admin,
}

pub struct Common {
    /// A page's `<title>` from its name.
    pub title: Say1,
    pub footnote: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub new_password: &'static str,
    pub at_least: fn(usize) -> String,
    pub strong_enough: &'static str,
    /// Shown for `weak_password` when the server's advice is not in this language.
    pub weak_password: &'static str,
    pub cancel: &'static str,
    pub loading: &'static str,
    pub sign_in: &'static str,
    pub remembered: &'static str,
    /// "{what}: you did not confirm it was you."
    pub not_confirmed: Say1,
    pub save_refused: &'static str,
    /// The switcher's label.
    pub language: &'static str,
    pub or: &'static str,
}

pub struct Device {
    /// "Chrome on Linux".
    pub on: Say2,
    /// "Browser on Linux".
    pub browser_on: Say1,
    pub unknown: &'static str,
}

pub struct Session {
    pub ended_for_security: &'static str,
    pub expired: &'static str,
    pub deleted: &'static str,
    pub locked: &'static str,
    pub restored: &'static str,
    pub scheduled: &'static str,
    pub after_expiry: &'static str,
    pub after_refusal: &'static str,
    pub other_tab: &'static str,
    pub signed_in: &'static str,
    pub reauthenticated: &'static str,
    pub refresh_issued: &'static str,
    pub refresh_kept: &'static str,
    pub refresh_rotated: &'static str,
}

pub struct Frame {
    pub restoring: &'static str,
    pub reconnecting: &'static str,
    pub to_sign_in: &'static str,
    pub nav: &'static str,
    pub dashboard: &'static str,
    pub sessions: &'static str,
    pub account: &'static str,
    pub activity: &'static str,
    pub admin: &'static str,
    pub signed_in_as: &'static str,
    pub still_signed_in: &'static str,
}

pub struct NotFound {
    pub heading: &'static str,
    pub body: &'static str,
    pub home: &'static str,
}

pub struct Login {
    pub title: &'static str,
    pub forgot: &'static str,
    pub new_here: &'static str,
    pub create_account: &'static str,
}

/// Signing in with a code by email (`/login`'s second option, and `/login/code`).
pub struct EmailCode {
    pub title: &'static str,
    /// The link under the password form.
    pub link: &'static str,
    pub intro: &'static str,
    pub send: &'static str,
    /// "We sent a code to …".
    pub sent: Say1,
    pub code: &'static str,
    pub wrong: &'static str,
    pub send_again: &'static str,
    pub sent_again: &'static str,
    pub use_password: &'static str,
    pub checking: &'static str,
    pub link_dead: &'static str,
    pub ask_again: &'static str,
    pub go: &'static str,
    pub failed: Say1,
    pub try_again: &'static str,
}

pub struct Register {
    pub title: &'static str,
    pub have_account: &'static str,
}

pub struct Forgot {
    pub title: &'static str,
    pub intro: &'static str,
    pub send: &'static str,
    pub sent: &'static str,
    pub sent_more: &'static str,
}

pub struct Reset {
    pub title: &'static str,
    pub incomplete: &'static str,
    pub second_step: &'static str,
    pub intro: &'static str,
    pub set: &'static str,
    pub new_link: &'static str,
}

pub struct Verify {
    pub title: &'static str,
    pub checking: &'static str,
    pub verified: &'static str,
    pub continue_to: &'static str,
    pub link_dead: &'static str,
    pub ask_again: &'static str,
    pub go: &'static str,
    pub failed: Say1,
    pub try_again: &'static str,
}

/// `/not-me`: "This wasn't me", from a mail.
pub struct NotMe {
    pub title: &'static str,
    pub checking: &'static str,
    /// What ended, from how many sessions did.
    pub ended: fn(u64) -> String,
    pub address_back: &'static str,
    pub choose_password: &'static str,
    pub link_dead: &'static str,
    pub ask_reset: &'static str,
    pub failed: Say1,
    pub try_again: &'static str,
}

pub struct SecondStep {
    pub wrong_recovery_code: &'static str,
    pub wrong_code: &'static str,
    pub expired: &'static str,
    pub recovery_intro: &'static str,
    pub app_intro: &'static str,
    pub code: &'static str,
    pub recovery_code: &'static str,
    pub verify: &'static str,
    pub use_app: &'static str,
    pub use_recovery: &'static str,
}

pub struct Passkey {
    pub sign_in: &'static str,
    pub not_registered: &'static str,
    pub not_allowed: &'static str,
    pub unsupported: &'static str,
    pub already_registered: &'static str,
    pub aborted: &'static str,
    pub failed: Say1,
    /// "Passkeys for this Baton work only at {origin}. Open Baton there to use one."
    pub elsewhere: Say1,
}

pub struct Reauth {
    pub title: &'static str,
    pub why: &'static str,
    pub password: &'static str,
    pub confirm: &'static str,
    pub use_passkey: &'static str,
    pub not_yours: &'static str,
    /// The second step's field, shown once the password alone was not enough.
    pub code: &'static str,
    pub code_needed: &'static str,
}

pub struct Dashboard {
    pub title: &'static str,
    pub another_device: &'static str,
    /// "{device} signed in to your account {when}. Not you? "
    pub new_device: Say2,
    pub review: &'static str,
    pub and_change: &'static str,
    pub member_since: Say1,
    pub load_failed: Say1,
    pub loading: &'static str,
    pub this_device_only: Say1,
    pub devices: fn(&str, usize) -> String,
    pub sign_out_failed: Say1,
    pub signed_in_as: &'static str,
    pub sign_out: &'static str,
    pub access_token: &'static str,
    pub seconds_left: &'static str,
    pub time_left: &'static str,
    pub token_explained: &'static str,
    pub refreshes: &'static str,
    pub new_access_token: &'static str,
    pub resent: &'static str,
    pub not_sent: Say1,
    pub confirm_address: Say1,
    pub resend: &'static str,
}

pub struct Sessions {
    pub title: &'static str,
    pub intro: &'static str,
    pub loading: &'static str,
    pub load_failed: Say1,
    pub list: &'static str,
    pub this_device: &'static str,
    /// "Last used {last} · signed in {first}"
    pub times: Say2,
    pub revoke: &'static str,
    pub revoke_failed: Say1,
    pub everywhere: &'static str,
    pub everywhere_failed: Say1,
}

pub struct Activity {
    pub title: &'static str,
    pub intro: &'static str,
    pub loading: &'static str,
    pub load_failed: Say1,
    pub list: &'static str,
    pub this_device: &'static str,
    pub nothing: &'static str,
    pub more: &'static str,
    pub unknown_device: &'static str,
    /// What happened, from the event's kind and device.
    pub event: fn(EventKind, &str) -> String,
}

pub struct Account {
    pub title: &'static str,
    pub email_title: &'static str,
    pub you_sign_in_with: &'static str,
    pub another_address: &'static str,
    pub new_email: &'static str,
    pub link_sent: Say1,
    pub not_changed: &'static str,
    pub change_email: &'static str,
    /// "Waiting for you to confirm {address}."
    pub pending: Say1,
    pub cancel_change: &'static str,
    pub change_cancelled: &'static str,
    pub cancel_failed: Say1,
    pub no_password: &'static str,
    pub set_password: &'static str,
    pub password_intro: &'static str,
    pub current_password: &'static str,
    pub password_changed: &'static str,
    pub wrong_current: &'static str,
    pub change_password: &'static str,
    pub data_title: &'static str,
    pub data_intro: &'static str,
    pub download: &'static str,
    pub not_downloaded: &'static str,
    pub download_failed: Say1,
    pub delete: &'static str,
    pub delete_title: &'static str,
    pub cannot_undo: &'static str,
    pub consequences: [&'static str; 3],
    pub wrong_password: &'static str,
    pub not_deleted: &'static str,
    pub delete_failed: Say1,
    pub delete_mine: &'static str,
}

pub struct Passkeys {
    pub title: &'static str,
    pub intro: &'static str,
    pub loading: &'static str,
    pub load_failed: Say1,
    pub none: &'static str,
    pub name: &'static str,
    pub name_example: &'static str,
    pub add: &'static str,
    pub not_added: &'static str,
    /// "Passkeys for this Baton work only at {origin}. Open Baton there to add one."
    pub elsewhere: Say1,
    pub not_verified: &'static str,
    pub added: Say1,
    pub never: &'static str,
    /// "Added {when} · last used {when}"
    pub dates: Say2,
    pub remove: &'static str,
    pub remove_named: Say1,
    pub not_removed: &'static str,
    pub remove_failed: Say1,
}

/// Signing in through another provider: the buttons, what went wrong on the way back,
/// and **Connected accounts** on `/account`. `Say1`s take the provider's name.
pub struct Providers {
    /// "Continue with {name}"
    pub continue_with: Say1,
    /// `provider_error=failed`
    pub failed: Say1,
    /// `provider_error=account_exists` (the contract's sentence)
    pub account_exists: Say1,
    /// `provider_error=email_unverified`
    pub email_unverified: Say1,
    /// `provider_error=identity_taken`
    pub identity_taken: Say1,
    /// `provider_error=account_locked`
    pub account_locked: &'static str,
    /// The second step after a provider sign-in.
    pub second_step: Say1,
    pub title: &'static str,
    pub intro: &'static str,
    pub loading: &'static str,
    pub load_failed: Say1,
    /// "Connected as {email}"
    pub connected_as: Say1,
    pub connected: &'static str,
    pub not_connected: &'static str,
    pub connect: &'static str,
    pub connect_named: Say1,
    pub not_connected_yet: &'static str,
    /// Back from the provider: "{name} is connected…"
    pub now_connected: Say1,
    pub disconnect: &'static str,
    pub disconnect_named: Say1,
    pub disconnected: Say1,
    pub not_disconnected: &'static str,
}

pub struct TwoStep {
    pub title: &'static str,
    pub not_set_up: &'static str,
    pub scan: &'static str,
    pub qr: &'static str,
    pub cannot_scan: &'static str,
    pub turn_on: &'static str,
    pub is_on: &'static str,
    pub wrong_code: &'static str,
    pub load_failed: Say1,
    pub on: &'static str,
    pub on_explained: &'static str,
    pub codes_left: fn(u32) -> String,
    pub new_codes: &'static str,
    pub renewed: &'static str,
    pub no_new_codes: &'static str,
    pub turn_off: &'static str,
    pub is_off: &'static str,
    pub still_on: &'static str,
    pub off: &'static str,
    pub set_up: &'static str,
    pub codes_title: &'static str,
    pub codes_explained: &'static str,
    pub codes_list: &'static str,
    pub codes_file: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub copy_refused: &'static str,
    pub download: &'static str,
    pub downloaded: &'static str,
    pub saved: &'static str,
}

/// The administration pages (`/admin`, `/admin/users/{id}`, `/admin/audit`).
pub struct Admin {
    pub no_access_title: &'static str,
    pub no_access: &'static str,
    pub back_home: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub search_label: &'static str,
    pub search_hint: &'static str,
    pub search: &'static str,
    pub accounts: &'static str,
    pub email: &'static str,
    pub created: &'static str,
    pub last_sign_in: &'static str,
    pub status: &'static str,
    pub active: &'static str,
    pub locked: &'static str,
    pub unverified: &'static str,
    pub never: &'static str,
    pub loading: &'static str,
    pub load_failed: Say1,
    pub nobody: &'static str,
    pub more: &'static str,
    pub audit_link: &'static str,
    pub all_accounts: &'static str,
    // One account.
    pub account_id: &'static str,
    pub verified: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub two_step: &'static str,
    pub passkeys: &'static str,
    pub roles: &'static str,
    pub role_names: &'static str,
    pub roles_hint: &'static str,
    pub no_roles: &'static str,
    pub save_roles: &'static str,
    pub roles_saved: &'static str,
    pub live_sessions: &'static str,
    pub no_sessions: &'static str,
    pub recent_activity: &'static str,
    pub actions: &'static str,
    pub lock: &'static str,
    pub unlock: &'static str,
    pub sign_out: &'static str,
    pub delete: &'static str,
    /// What each action does, said in its dialog.
    pub lock_why: &'static str,
    pub unlock_why: &'static str,
    pub sign_out_why: &'static str,
    pub delete_why: &'static str,
    pub reason: &'static str,
    pub reason_hint: &'static str,
    pub reason_hint_deleted: &'static str,
    pub reason_needed: &'static str,
    pub confirm: &'static str,
    pub done: &'static str,
    pub failed: Say1,
    // The audit log.
    pub audit_title: &'static str,
    pub audit_intro: &'static str,
    pub when: &'static str,
    pub administrator: &'static str,
    pub action: &'static str,
    pub account: &'static str,
    pub command_line: &'static str,
    pub deleted_account: &'static str,
    pub nothing_yet: &'static str,
    /// An action's name (`locked`, `roles_changed`, …) in words.
    pub action_name: fn(&str) -> &'static str,
}
