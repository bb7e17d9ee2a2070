//! What happened to an account: the kinds of its security events. One list, read by
//! the store (the `audit_events` table holds these names), the activity API (which
//! sends them) and the pages (each language's catalogue words every kind, so a kind
//! added here does not compile until it is worded).

text_enum! {
    /// What happened. Stored, and shown by `GET /api/activity`, under the contract's
    /// names (docs/API.md, "Account and security"); each catalogue words every one.
    pub enum EventKind {
        SignedUp = "signed_up",
        SignedIn = "signed_in",
        /// A wrong password for an account (or for no account: then no `user_id`).
        SignInFailed = "sign_in_failed",
        SignedOut = "signed_out",
        /// One session ended from another device's session list.
        SessionRevoked = "session_revoked",
        SignedOutEverywhere = "signed_out_everywhere",
        /// A rotated refresh token came back: its session was ended.
        RefreshTokenReused = "refresh_token_reused",
        /// A session was refused at its absolute lifetime (recorded once per session).
        SessionExpired = "session_expired",
        PasswordChanged = "password_changed",
        /// Set through a mailed link: every session ended, this one began.
        PasswordReset = "password_reset",
        EmailVerified = "email_verified",
        /// The account's address changed (its new address confirmed the change).
        EmailChanged = "email_changed",
        PasskeyAdded = "passkey_added",
        PasskeyRemoved = "passkey_removed",
        /// The authenticator app was turned on (the first code confirmed it).
        MfaEnabled = "mfa_enabled",
        MfaDisabled = "mfa_disabled",
        /// A recovery code took the place of the app's code at a second step.
        RecoveryCodeUsed = "recovery_code_used",
        RecoveryCodesRenewed = "recovery_codes_renewed",
        /// A wrong second-step code (at sign-in, re-authentication or setting up the
        /// app): what the account's second-step cap counts.
        MfaFailed = "mfa_failed",
        /// The owner followed a "This wasn't me" link: sessions ended, perhaps the old
        /// address restored.
        NotMeReported = "not_me_reported",
        /// A pending change of address was cancelled before its link was followed.
        EmailChangeCancelled = "email_change_cancelled",
        /// An administrator (or the command line) changed the account's roles.
        AdminRolesChanged = "admin_roles_changed",
        /// An administrator (or the command line) ended every session of the account.
        AdminSignedOut = "admin_signed_out",
        /// An administrator (or the command line) locked the account, with a reason.
        AdminLocked = "admin_locked",
        /// An administrator (or the command line) unlocked the account.
        AdminUnlocked = "admin_unlocked",
        /// The address was proved for the first time, and the passkeys, authenticator
        /// app and provider connections added before that were removed.
        CredentialsRemovedOnVerification = "credentials_removed_on_verification",
        /// The person connected an identity at an OpenID provider to the account.
        ProviderConnected = "provider_connected",
        /// The person disconnected one.
        ProviderDisconnected = "provider_disconnected",
        /// Anonymous: kept after the account and its own events are gone.
        AccountDeleted = "account_deleted",
        /// A registration got past the registration limit (whatever came of it).
        /// Counted by the limit, never shown to anyone.
        RegisterAttempt = "register_attempt",
        /// A password-reset mail was asked for, for an account or not. Counted by the
        /// reset limits, never shown.
        ResetRequested = "reset_requested",
        /// A signed-in person asked for a verification or email-change link. Counted
        /// by their limit, never shown.
        LinkRequested = "link_requested",
        /// A sign-in code was asked for, for an account or not. Counted by its limits
        /// (apart from password resets), never shown.
        EmailCodeRequested = "email_code_requested",
        /// A wrong sign-in code was entered for the address: what the email code's own
        /// cap counts (never the second step's).
        EmailCodeFailed = "email_code_failed",
    }
}

impl EventKind {
    /// What only the limits count: never shown to anyone.
    pub const HIDDEN: &'static [EventKind] = &[
        EventKind::RegisterAttempt,
        EventKind::ResetRequested,
        EventKind::LinkRequested,
        EventKind::EmailCodeRequested,
    ];
}
