//! Rate limits and caps (docs/API.md, "login", "register", "refresh", "Account security
//! rules (v3)"): how many failures, registrations, refreshes and mails, per what, in
//! which window.

use super::values::{count, duration, positive_duration};
use std::time::Duration;

settings! {
    /// The limits `auth::limits` and the rotation count against.
    pub struct LimitSettings {
        /// Failed sign-ins allowed per account and client address within the window
        /// (a client address across all accounts gets ten times as many).
        login_max_failures: u32 = 10, "login-max-failures", count;
        login_window: Duration = Duration::from_secs(15 * 60), "login-window", positive_duration;
        /// Failed sign-ins per account from every address within the login window
        /// before only browsers that signed in to it before may keep trying.
        login_account_max_failures: u32 = 100, "login-account-max-failures", count;
        /// Wrong second-step codes allowed per account within the login window, from
        /// every address together.
        mfa_max_failures: u32 = 10, "mfa-max-failures", count;
        /// Registrations allowed per client address per hour.
        register_limit: u32 = 10, "register-limit", count;
        /// Refreshes allowed per session per minute.
        refresh_limit: u32 = 60, "refresh-limit", count;
        /// Password-reset requests allowed per client address (and mails per email) per hour.
        reset_limit: u32 = 5, "reset-limit", count;
        /// Attempts at the sign-in endpoints (signing in or up, a second step, a code, a
        /// reset) one client address may make per minute, sustained, in memory on each
        /// instance: past it, 429 before any database work (`http::shedding`).
        sign_in_rate: u32 = 60, "sign-in-rate", count;
        /// How many of those it may make at once before the rate applies.
        sign_in_burst: u32 = 20, "sign-in-burst", count;
        /// How long a refused one waits for its answer (0: answered at once).
        sign_in_pause: Duration = Duration::from_secs(1), "sign-in-pause", duration;
    }
}

#[cfg(test)]
mod tests {
    use crate::server::config::tests::load;

    #[test]
    fn the_limits_have_the_contract_defaults_and_variables() {
        let defaults = load("", &[]).unwrap().limits;
        assert_eq!((defaults.register_limit, defaults.refresh_limit, defaults.login_max_failures), (10, 60, 10));
        let set = load("", &[("BATON_REGISTER_LIMIT", "3"), ("BATON_REFRESH_LIMIT", "5")]).unwrap().limits;
        assert_eq!((set.register_limit, set.refresh_limit), (3, 5));
        assert!(load("", &[("BATON_REFRESH_LIMIT", "0")]).is_err());
        assert_eq!(defaults.reset_limit, 5);
        assert_eq!(load("", &[("BATON_RESET_LIMIT", "50")]).unwrap().limits.reset_limit, 50);
    }

    #[test]
    fn the_per_account_caps_have_the_contract_defaults_and_variables() {
        let defaults = load("", &[]).unwrap().limits;
        assert_eq!((defaults.mfa_max_failures, defaults.login_account_max_failures), (10, 100));
        let vars = [("BATON_MFA_MAX_FAILURES", "3"), ("BATON_LOGIN_ACCOUNT_MAX_FAILURES", "40")];
        let set = load("", &vars).unwrap().limits;
        assert_eq!((set.mfa_max_failures, set.login_account_max_failures), (3, 40));
        let error = load("", &[("BATON_MFA_MAX_FAILURES", "0")]).unwrap_err().to_string();
        assert!(error.starts_with("BATON_MFA_MAX_FAILURES=\"0\" is not valid"), "{error}");
    }
}
