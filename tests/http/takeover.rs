//! The account-takeover paths (docs/API.md, "Account security rules (v3)"), each
//! test an attack as someone who once had the password, a stranger with many
//! addresses, or a stranger who registered someone else's address would run it.

use crate::helpers::*;
use crate::on_both_backends;
use crate::smtp::SmtpServer;
use crate::two_step::{code_at, mfa, password_step, server_step, turn_on, wrong_code, TurnedOn};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::time::Duration;

on_both_backends!(
    a_pending_email_change_dies_with_a_new_password,
    a_pending_email_change_dies_with_a_sign_out_everywhere_or_a_reset,
    the_owner_cancels_a_pending_email_change,
    the_old_address_hears_of_a_change_and_this_wasnt_me_puts_it_back,
    this_wasnt_me_ends_that_sign_in_and_every_later_one,
    totp_guesses_from_64_addresses_stop_at_the_account_cap_and_the_owner_is_told,
    parallel_totp_guesses_cannot_pass_the_account_cap,
    totp_confirm_needs_a_recent_sign_in_and_a_setup_dies_after_five_wrong_codes_or_ten_minutes,
    an_unverified_address_cannot_get_a_passkey_or_an_authenticator_app,
    the_first_proof_of_the_address_removes_what_a_stranger_added_before,
    a_sign_in_racing_a_password_change_never_keeps_a_session,
    a_password_change_ends_waiting_second_steps_and_reset_links,
    a_strangers_guesses_from_fifty_addresses_never_lock_the_owners_browser_out,
    reauth_on_a_two_step_account_needs_the_second_step_too,
    a_password_of_another_account_cannot_re_authenticate_through_a_stale_cache,
    an_address_with_a_display_name_or_brackets_is_refused,
    deleting_the_account_deletes_the_anonymous_events_that_name_its_address,
    parallel_link_requests_cannot_pass_their_limit,
    a_passkeys_state_is_updated_only_over_the_state_it_was_checked_against,
    no_link_token_reaches_the_log,
);

const NEW_PASSWORD: &str = "violet kettle orbit 1987";
const ATTACKER: &str = "attacker@evil.example";
const CONFIRM_NEW: &str = "Confirm your new email address";
const CHANGED: &str = "Your email address was changed";
const NEW_SIGN_IN: &str = "New sign-in to your account";
const SECOND_STEP_FAILURES: &str = "Someone entered your password but not your second step";
const RESET: &str = "Reset your Baton password";
/// A browser other than the test client's default, so its sign-in is a new device.
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async fn verify(app: &Client, token: &str) -> Response {
    app.post_form("/api/auth/verify_email", &[("token", token)], None).await
}

async fn not_me(app: &Client, token: &str) -> Response {
    app.post_form("/api/auth/not_me", &[("token", token)], None).await
}

async fn confirm_reset(app: &Client, token: &str, password: &str) -> Response {
    app.post_form("/api/auth/password_reset/confirm", &[("token", token), ("new_password", password)], None).await
}

/// The owner's new password, from `who`'s session.
async fn change_password(app: &Client, who: &SignedIn) -> Response {
    let fields = [("current_password", PASSWORD), ("new_password", NEW_PASSWORD)];
    app.post_bearer("/api/account/password", &who.access, &fields).await
}

async fn email_of(app: &Client, access: &str) -> String {
    let me: Value = app.get("/api/me", Some(access)).await.json().await.unwrap();
    me["email"].as_str().unwrap().to_string()
}

async fn kinds(app: &Client, access: &str) -> Vec<String> {
    crate::two_step::kinds(app, access).await
}

async fn is_live(app: &Client, who: &SignedIn) -> bool {
    app.get("/api/me", Some(&who.access)).await.status() == StatusCode::OK
}

/// The attacker, who has the password, signs in and asks to move the account to
/// their own address: the confirmation link they keep.
async fn attacker_asks_for_a_change(app: &TestApp, smtp: &SmtpServer, who: &SignedIn) -> (SignedIn, String) {
    let attacker = app.signed_in_again(who).await;
    let asked = app.post_bearer("/api/account/email", &attacker.access, &[("email", ATTACKER)]).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    (attacker, smtp.mail(ATTACKER, CONFIRM_NEW).await.token("/verify"))
}

async fn a_pending_email_change_dies_with_a_new_password(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    let (attacker, link) = attacker_asks_for_a_change(&app, &smtp, &who).await;
    // The owner gets the notice and does what it says: a new password.
    smtp.mail(&who.email, "about to change").await;
    assert_eq!(change_password(&app, &who).await.status(), StatusCode::NO_CONTENT);
    // The kept link moves nothing any more, and the attacker's session is gone.
    assert_error(verify(&app, &link).await, 400, "invalid_link").await;
    assert_eq!(email_of(&app, &who.access).await, who.email);
    assert!(!is_live(&app, &attacker).await);
}

async fn a_pending_email_change_dies_with_a_sign_out_everywhere_or_a_reset(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    let (_, link) = attacker_asks_for_a_change(&app, &smtp, &who).await;
    let everywhere = app.post_bearer("/api/auth/logout_all", &who.access, &[]).await;
    assert_eq!(everywhere.status(), StatusCode::OK);
    assert_error(verify(&app, &link).await, 400, "invalid_link").await;

    let who = app.signed_in_again(&who).await;
    smtp.nth(1, ATTACKER, CONFIRM_NEW).await;
    let asked = app.post_bearer("/api/account/email", &who.access, &[("email", ATTACKER)]).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let link = smtp.nth(2, ATTACKER, CONFIRM_NEW).await.token("/verify");
    app.post_form("/api/auth/password_reset", &[("email", &who.email)], None).await;
    let reset = smtp.mail(&who.email, RESET).await.token("/reset");
    assert_eq!(confirm_reset(&app, &reset, NEW_PASSWORD).await.status(), StatusCode::OK);
    assert_error(verify(&app, &link).await, 400, "invalid_link").await;
}

async fn the_owner_cancels_a_pending_email_change(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    let (_, link) = attacker_asks_for_a_change(&app, &smtp, &who).await;
    let pending: Value = app.get("/api/account/email", Some(&who.access)).await.json().await.unwrap();
    assert_eq!(pending, serde_json::json!({"email": who.email, "pending": ATTACKER}));

    let cancelled = app.http.delete(app.url("/api/account/email")).bearer_auth(&who.access).send().await.unwrap();
    assert_eq!(cancelled.status(), StatusCode::NO_CONTENT);
    assert_error(verify(&app, &link).await, 400, "invalid_link").await;
    let pending: Value = app.get("/api/account/email", Some(&who.access)).await.json().await.unwrap();
    assert_eq!(pending["pending"], Value::Null);
    assert!(kinds(&app, &who.access).await.contains(&"email_change_cancelled".to_string()));
    // Nothing pending: still 204. Without a token: 401.
    let again = app.http.delete(app.url("/api/account/email")).bearer_auth(&who.access).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
    assert_error(app.http.delete(app.url("/api/account/email")).send().await.unwrap(), 401, "invalid_token").await;
}

async fn the_old_address_hears_of_a_change_and_this_wasnt_me_puts_it_back(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    let (attacker, link) = attacker_asks_for_a_change(&app, &smtp, &who).await;
    assert_eq!(verify(&app, &link).await.status(), StatusCode::OK);
    assert_eq!(email_of(&app, &who.access).await, ATTACKER);

    // The old address is told, with a link that undoes it.
    let told = smtp.mail(&who.email, CHANGED).await;
    assert!(told.text.contains(ATTACKER), "{}", told.text);
    let undo = told.token("/not-me");
    let response = not_me(&app, &undo).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    // The attacker's session (which asked for the change) ended; the owner's, begun
    // before it, did not.
    assert_eq!(answer["ended_sessions"], 1, "{answer}");
    assert!(!is_live(&app, &attacker).await);
    assert!(is_live(&app, &who).await);
    assert_eq!(email_of(&app, &who.access).await, who.email, "the old address is back");
    assert!(kinds(&app, &who.access).await.contains(&"not_me_reported".to_string()));
    // The answer's token sets the new password, once.
    let reset_token = answer["reset_token"].as_str().unwrap();
    assert_eq!(confirm_reset(&app, reset_token, NEW_PASSWORD).await.status(), StatusCode::OK);
    assert_error(confirm_reset(&app, reset_token, "another fine passphrase 42").await, 400, "invalid_link").await;
    assert_eq!(app.login(&who.email, NEW_PASSWORD).await.status(), StatusCode::OK);
    assert_error(app.login(ATTACKER, PASSWORD).await, 401, "invalid_credentials").await;
    // The link worked once.
    assert_error(not_me(&app, &undo).await, 400, "invalid_link").await;
    assert_error(not_me(&app, "nonsense").await, 400, "invalid_link").await;
}

async fn this_wasnt_me_ends_that_sign_in_and_every_later_one(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.signed_up().await;
    let elsewhere = app.client_at("127.0.3.7");
    let intruder = |agent: &'static str| {
        let elsewhere = elsewhere.clone();
        let email = who.email.clone();
        async move {
            let response = elsewhere
                .http
                .post(elsewhere.url("/api/auth/login"))
                .header("user-agent", agent)
                .form(&[("email", email.as_str()), ("password", PASSWORD)])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            SignedIn::from_response(response, &email).await
        }
    };
    let first = intruder(FIREFOX).await;
    let mail = smtp.mail(&who.email, NEW_SIGN_IN).await;
    assert!(mail.text.contains("This wasn't me"), "{}", mail.text);
    assert!(mail.html.contains("/not-me?token="), "{}", mail.html);
    let token = mail.token("/not-me");
    let second = intruder(FIREFOX).await;

    let response = not_me(&app, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["ended_sessions"], 2, "{answer}");
    assert!(!is_live(&app, &first).await && !is_live(&app, &second).await);
    assert_error(app.refresh(&second.refresh).await, 401, "invalid_refresh_token").await;
    // The owner's session began before the intruder's: it goes on.
    assert!(is_live(&app, &who).await);
    assert_error(not_me(&app, &token).await, 400, "invalid_link").await;
}

/// Someone with the password walks through 64 addresses, one ticket each, guessing
/// the 6-digit code: the account's cap stops them at `BATON_MFA_MAX_FAILURES`, the
/// right code included, and the owner hears of it.
async fn totp_guesses_from_64_addresses_stop_at_the_account_cap_and_the_owner_is_told(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.verified_up().await;
    let TurnedOn { secret, .. } = turn_on(&app, &who).await;
    let mut refused = 0;
    for n in 0..64 {
        let client = app.client_at(&format!("127.0.{}.{}", 10 + n / 8, 1 + n % 8));
        let ticket = password_step(&client, &who).await;
        let guess = mfa(&client, &ticket, &wrong_code(&secret)).await;
        match guess.status().as_u16() {
            401 => assert!(n < 10, "guess {n} was checked"),
            429 => refused += 1,
            other => panic!("guess {n}: {other}"),
        }
    }
    assert_eq!(refused, 54, "ten guesses, then 429 for the rest of the window");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'mfa_failed' AND user_id = $1", &who.user_id).await,
        10
    );
    // The right code too: the cap is the account's, not the ticket's.
    let ticket = password_step(&app.client_at("127.0.99.1"), &who).await;
    let right = mfa(&app.client_at("127.0.99.1"), &ticket, &code_at(&secret, crate::two_step::step_now() + 1)).await;
    assert!(right.headers().get("retry-after").is_some());
    assert_error(right, 429, "rate_limited").await;
    let mail = smtp.mail(&who.email, SECOND_STEP_FAILURES).await;
    assert!(mail.text.contains("change it"), "{}", mail.text);
    assert_eq!(smtp.mails_to(&who.email, SECOND_STEP_FAILURES).len(), 1, "told once");
    assert!(kinds(&app, &who.access).await.contains(&"mfa_failed".to_string()));
    // The window passes: the second step works again.
    app.state.clock.advance(app.settings.limits.login_window + Duration::from_secs(1));
    let ticket = password_step(&app, &who).await;
    assert_eq!(mfa(&app, &ticket, &code_at(&secret, server_step(&app))).await.status(), StatusCode::OK);
}

/// The cap is reserved before a code is checked: a burst of parallel guesses, each
/// on a ticket of its own, gets no more than the cap checked.
async fn parallel_totp_guesses_cannot_pass_the_account_cap(db: TestDb) {
    let app = db.app().await;
    let who = app.verified_up().await;
    let TurnedOn { secret, .. } = turn_on(&app, &who).await;
    let mut tickets = Vec::new();
    for n in 0..30 {
        let client = app.client_at(&format!("127.0.{}.{}", 20 + n / 8, 1 + n % 8));
        tickets.push((password_step(&client, &who).await, client));
    }
    let wrong = wrong_code(&secret);
    let guesses = tickets.iter().map(|(ticket, client)| mfa(client, ticket, &wrong));
    let answers: Vec<u16> = futures::future::join_all(guesses).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(answers.iter().filter(|s| **s == 401).count(), 10, "{answers:?}");
    assert_eq!(answers.iter().filter(|s| **s == 429).count(), 20, "{answers:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'mfa_failed' AND user_id = $1", &who.user_id).await,
        10
    );
}

async fn confirm(app: &Client, access: &str, code: &str) -> Response {
    app.post_bearer("/api/mfa/totp/confirm", access, &[("code", code)]).await
}

async fn totp_confirm_needs_a_recent_sign_in_and_a_setup_dies_after_five_wrong_codes_or_ten_minutes(db: TestDb) {
    let app = db.app().await;
    let who = app.verified_up().await;
    let start = |access: String| {
        let app = &app;
        async move {
            let setup: Value = app.post_bearer("/api/mfa/totp/start", &access, &[]).await.json().await.unwrap();
            setup["secret"].as_str().unwrap().to_string()
        }
    };

    // An abandoned setup and an old access token: no recovery codes for a stranger.
    let secret = start(who.access.clone()).await;
    app.past_the_reauth_window();
    let stale = confirm(&app, &who.access, &code_at(&secret, crate::two_step::step_now())).await;
    assert_error(stale, 403, "reauth_required").await;

    // Five wrong codes kill the setup: then even the right code does nothing.
    let fresh = SignedIn::from_response(app.login(&who.email, PASSWORD).await, &who.email).await;
    let secret = start(fresh.access.clone()).await;
    for _ in 0..5 {
        assert_error(confirm(&app, &fresh.access, &wrong_code(&secret)).await, 401, "invalid_code").await;
    }
    let right = code_at(&secret, server_step(&app));
    assert_error(confirm(&app, &fresh.access, &right).await, 401, "invalid_code").await;
    let status: Value = app.get("/api/mfa", Some(&fresh.access)).await.json().await.unwrap();
    assert_eq!(status["totp"], false);
    // They count against the account's cap like any wrong second-step code.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'mfa_failed' AND user_id = $1", &who.user_id).await,
        5
    );

    // A setup waits ten minutes for its first code, no longer.
    let secret = start(fresh.access.clone()).await;
    app.state.clock.advance(Duration::from_secs(10 * 60 + 1));
    let again = SignedIn::from_response(app.login(&who.email, PASSWORD).await, &who.email).await;
    let late = confirm(&app, &again.access, &code_at(&secret, server_step(&app))).await;
    assert_error(late, 401, "invalid_code").await;
}

async fn an_unverified_address_cannot_get_a_passkey_or_an_authenticator_app(db: TestDb) {
    let app = db.app_with(|s| s.tokens.public_origin = Some("https://login.baton.test".into())).await;
    // A stranger registers someone else's address (they cannot verify it).
    let stranger = app.signed_up().await;
    for path in ["/api/mfa/totp/start", "/api/passkeys/register/start"] {
        assert_error(app.post_bearer(path, &stranger.access, &[]).await, 403, "email_unverified").await;
    }
    let finish = app
        .http
        .post(app.url("/api/passkeys/register/finish"))
        .bearer_auth(&stranger.access)
        .json(&serde_json::json!({"name": "mine", "credential": {}}))
        .send()
        .await
        .unwrap();
    assert_error(finish, 403, "email_unverified").await;
    let confirm = app.post_bearer("/api/mfa/totp/confirm", &stranger.access, &[("code", "123456")]).await;
    assert_error(confirm, 403, "email_unverified").await;
    // Once the address is proved, both work.
    app.verified(&stranger).await;
    assert_eq!(app.post_bearer("/api/mfa/totp/start", &stranger.access, &[]).await.status(), StatusCode::OK);
}

/// Factors that reached an unverified account some other way (an account from before
/// the rule) are gone once the owner proves the address: a stranger who registered it
/// first keeps no way in, and the owner's reset is not stopped by the stranger's app.
async fn the_first_proof_of_the_address_removes_what_a_stranger_added_before(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let stranger = app.signed_up().await;
    let pool = app.state.store.pool();
    sqlx::query("INSERT INTO totp (user_id, secret, enabled_at, last_step) VALUES ($1, 'JBSWY3DPEHPK3PXP', 1, 0)")
        .bind(&stranger.user_id)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO passkeys (id, user_id, credential_id, name, passkey, created_at) \
         VALUES ($1, $2, 'stranger-credential', 'stranger', '{}', 1)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&stranger.user_id)
    .execute(pool)
    .await
    .unwrap();

    // The owner resets the password through their mailbox: no second step is asked
    // (the stranger's app is gone), every session ends, the activity says why.
    app.post_form("/api/auth/password_reset", &[("email", &stranger.email)], None).await;
    let token = smtp.mail(&stranger.email, RESET).await.token("/reset");
    let response = confirm_reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let owner = SignedIn::from_response(response, &stranger.email).await;
    assert!(!is_live(&app, &stranger).await);
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys WHERE user_id = $1", &owner.user_id).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM totp WHERE user_id = $1", &owner.user_id).await, 0);
    assert!(kinds(&app, &owner.access).await.contains(&"credentials_removed_on_verification".to_string()));
    // Proved once: a later proof removes nothing the owner adds.
    let status: Value = app.get("/api/me", Some(&owner.access)).await.json().await.unwrap();
    assert_eq!(status["email_verified"], true);
}

/// A sign-in with the old password, racing the owner's password change, must not come
/// out with a working session: it opens one only if the password it checked is still
/// the account's. The sign-in starts a little later each round (0 to 90 ms), so that
/// over the rounds its check lands before, during and after the change's. Rounds:
/// `BATON_RACE_ROUNDS` (default 12; a few hundred by hand).
async fn a_sign_in_racing_a_password_change_never_keeps_a_session(db: TestDb) {
    // Every round registers an account from this address.
    let app = db.app_with(|s| s.limits.register_limit = 10_000).await;
    let rounds: usize = std::env::var("BATON_RACE_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(12);
    let (mut first, mut too_late, mut wrong) = (0, 0, 0);
    for round in 0..rounds {
        let who = app.signed_up().await;
        let attacker = app.client_at("127.0.4.1");
        let delay = Duration::from_millis(10 * (round % 10) as u64);
        let (sign_in, change) = tokio::join!(
            async {
                tokio::time::sleep(delay).await;
                attacker.login(&who.email, PASSWORD).await
            },
            change_password(&app, &who),
        );
        assert_eq!(change.status(), StatusCode::NO_CONTENT, "round {round}");
        if sign_in.status() == StatusCode::OK {
            first += 1;
            let session = SignedIn::from_response(sign_in, &who.email).await;
            assert!(!is_live(&app, &session).await, "round {round}: the old password's session lives");
            assert_error(app.refresh(&session.refresh).await, 401, "invalid_refresh_token").await;
        } else {
            assert_eq!(sign_in.status(), StatusCode::UNAUTHORIZED, "round {round}");
            // A wrong password leaves a failure; a right one refused at the end, none.
            let failures = "SELECT COUNT(*) FROM audit_events WHERE kind = 'sign_in_failed' AND user_id = $1";
            match app.count(failures, &who.user_id).await {
                0 => too_late += 1,
                _ => wrong += 1,
            }
        }
    }
    eprintln!(
        "sign-in race, {rounds} rounds: {first} sessions opened before the change (all ended by it), {too_late} \
         checked the old password but came too late to open one, {wrong} checked the new password"
    );
}

async fn a_password_change_ends_waiting_second_steps_and_reset_links(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let app = db.app_mailing(&smtp).await;
    let who = app.verified_up().await;
    let on = turn_on(&app, &who).await;
    // Someone with the password waits at the second step; a reset link is out.
    let ticket = password_step(&app.client_at("127.0.5.1"), &who).await;
    app.post_form("/api/auth/password_reset", &[("email", &who.email)], None).await;
    let reset = smtp.mail(&who.email, RESET).await.token("/reset");
    assert_eq!(change_password(&app, &who).await.status(), StatusCode::NO_CONTENT);
    let code = code_at(&on.secret, on.step + 1);
    assert_error(mfa(&app, &ticket, &code).await, 401, "invalid_credentials").await;
    assert_error(confirm_reset(&app, &reset, "another fine passphrase 42").await, 400, "invalid_link").await;
}

/// 200 wrong passwords from 50 addresses: past the account's cap (100) only a browser
/// that signed in before may keep trying. The owner's own browser signs in; a fresh
/// one waits for the window, right password or not.
async fn a_strangers_guesses_from_fifty_addresses_never_lock_the_owners_browser_out(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    // The owner's browser signed in before: it holds a `device` cookie.
    let signed_in = app.login(&who.email, PASSWORD).await;
    let device = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("__Host-device=").map(|rest| rest.split(';').next().unwrap().to_string()))
        .expect("a device cookie at sign-in");
    assert!(signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().contains("HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=31536000")));

    let mut refused = 0;
    for n in 0..200 {
        let stranger = app.client_at(&format!("127.1.{}.1", n % 50));
        match stranger.login(&who.email, "not the password").await.status().as_u16() {
            401 => {}
            429 => refused += 1,
            other => panic!("guess {n}: {other}"),
        }
    }
    assert_eq!(refused, 100, "a hundred guesses were checked, the rest refused");
    // The owner's browser: in.
    let owner = app
        .http
        .post(app.url("/api/auth/login"))
        .header("cookie", format!("__Host-device={device}"))
        .form(&[("email", who.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(owner.status(), StatusCode::OK);
    // It keeps its value: no new device cookie.
    assert!(!owner.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("__Host-device=")));
    // A fresh browser, even with the right password, waits; a made-up cookie is fresh.
    assert_error(app.client_at("127.2.0.1").login(&who.email, PASSWORD).await, 429, "rate_limited").await;
    let forged = app
        .http
        .post(app.url("/api/auth/login"))
        .header("cookie", format!("__Host-device={}", "A".repeat(43)))
        .form(&[("email", who.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_error(forged, 429, "rate_limited").await;
    app.state.clock.advance(app.settings.limits.login_window + Duration::from_secs(1));
    assert_eq!(app.client_at("127.2.0.1").login(&who.email, PASSWORD).await.status(), StatusCode::OK);
}

async fn reauth_on_a_two_step_account_needs_the_second_step_too(db: TestDb) {
    let app = db.app().await;
    let who = app.verified_up().await;
    let on = turn_on(&app, &who).await;
    let reauth = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        let access = who.access.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_bearer("/api/auth/reauth", &access, &fields).await
        }
    };
    let alone = reauth(vec![("password", PASSWORD.into())]).await;
    assert_eq!(alone.status(), StatusCode::UNAUTHORIZED);
    let body: Value = alone.json().await.unwrap();
    assert_eq!(body["code"], "invalid_code");
    assert_eq!(body["methods"], serde_json::json!(["totp", "recovery_code"]));
    let wrong = reauth(vec![("password", PASSWORD.into()), ("code", wrong_code(&on.secret))]).await;
    assert_error(wrong, 401, "invalid_code").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'mfa_failed' AND user_id = $1", &who.user_id).await,
        1,
        "a wrong code at re-authentication counts against the account's cap"
    );
    let right = reauth(vec![("password", PASSWORD.into()), ("code", code_at(&on.secret, on.step + 1))]).await;
    assert_eq!(right.status(), StatusCode::OK);
    let fresh: Value = right.json().await.unwrap();
    let disabled = app.post_bearer("/api/mfa/totp/disable", fresh["access_token"].as_str().unwrap(), &[]).await;
    assert_eq!(disabled.status(), StatusCode::NO_CONTENT);
    // A recovery code works in its place, once.
    let on = turn_on(&app, &who).await;
    let with_recovery = reauth(vec![("password", PASSWORD.into()), ("code", on.codes[0].clone())]).await;
    assert_eq!(with_recovery.status(), StatusCode::OK);
    let again = reauth(vec![("password", PASSWORD.into()), ("code", on.codes[0].clone())]).await;
    assert_error(again, 401, "invalid_code").await;
}

/// An address moves from one account to another while the first account's instance
/// still has it cached: that account's token must not re-authenticate with the other
/// account's password.
async fn a_password_of_another_account_cannot_re_authenticate_through_a_stale_cache(db: TestDb) {
    let smtp = SmtpServer::start().await;
    let first = db.app_mailing(&smtp).await;
    let second = db.start(first.settings.clone()).await;
    let who = first.signed_up().await;
    let old_email = who.email.clone();
    // The account is cached on the first instance.
    assert_eq!(email_of(&first, &who.access).await, old_email);
    // Through the second: the account moves to a new address, and someone else
    // registers the old one.
    let moved = format!("moved-{old_email}");
    let asked = second.post_bearer("/api/account/email", &who.access, &[("email", &moved)]).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let link = smtp.mail(&moved, CONFIRM_NEW).await.token("/verify");
    assert_eq!(verify(&second, &link).await.status(), StatusCode::OK);
    let other_password = "someone else entirely 77";
    assert_eq!(second.register(&old_email, other_password).await.status(), StatusCode::OK);
    // The first instance still believes the old address for a few seconds.
    let reauth = first.post_bearer("/api/auth/reauth", &who.access, &[("password", other_password)]).await;
    assert_ne!(reauth.status(), StatusCode::OK, "another account's password proved nothing about this one");
}

async fn an_address_with_a_display_name_or_brackets_is_refused(db: TestDb) {
    let app = db.app().await;
    for address in [
        "x<victim@corp.example>",
        "Victim <victim@corp.example>",
        "\"victim@corp.example\"@evil.example",
        "victim@corp.example (me)",
        "victim@[192.0.2.1]",
        "a,victim@corp.example",
    ] {
        assert_error(app.register(address, PASSWORD).await, 400, "invalid_input").await;
        let reset = app.post_form("/api/auth/password_reset", &[("email", address)], None).await;
        assert_error(reset, 400, "invalid_input").await;
    }
    let who = app.signed_up().await;
    let change = app.post_bearer("/api/account/email", &who.access, &[("email", "x<victim@corp.example>")]).await;
    assert_error(change, 400, "invalid_input").await;
}

async fn deleting_the_account_deletes_the_anonymous_events_that_name_its_address(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    app.post_form("/api/auth/password_reset", &[("email", &who.email)], None).await;
    app.client_at("127.0.6.1").login(&who.email, "not the password").await;
    let deleted = app.post_bearer("/api/account/delete", &who.access, &[("password", PASSWORD)]).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE email = $1", &who.email).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE user_id = $1", &who.user_id).await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE kind = $1", "account_deleted").await, 1);
}

/// Three verification links an hour: ten requests at once get three, on one
/// instance or, on PostgreSQL, racing through its connections.
async fn parallel_link_requests_cannot_pass_their_limit(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let requests = (0..10).map(|_| app.post_bearer("/api/account/verification_email", &who.access, &[]));
    let answers: Vec<u16> = futures::future::join_all(requests).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(answers.iter().filter(|s| **s == 202).count(), 3, "{answers:?}");
    assert_eq!(answers.iter().filter(|s| **s == 429).count(), 7, "{answers:?}");
}

/// Two assertions of one passkey checked side by side: only one may record the state
/// it produced, so the stored signature counter never moves back.
async fn a_passkeys_state_is_updated_only_over_the_state_it_was_checked_against(db: TestDb) {
    use baton::server::store::passkeys;
    let app = db.app().await;
    let who = app.signed_up().await;
    let id = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO passkeys (id, user_id, credential_id, name, passkey, created_at) \
         VALUES ($1, $2, 'cas-credential', 'cas', '{\"counter\":1}', 1)",
    )
    .bind(id.to_string())
    .bind(&who.user_id)
    .execute(app.state.store.pool())
    .await
    .unwrap();
    let id = baton::server::ids::PasskeyId(id);
    let now = app.state.clock.now();
    let mut tx = app.state.store.begin().await.unwrap();
    assert!(passkeys::used(&mut tx, id, "{\"counter\":1}", "{\"counter\":3}", now).await.unwrap());
    // The slower assertion was checked against counter 1 too, and would write 2.
    assert!(!passkeys::used(&mut tx, id, "{\"counter\":1}", "{\"counter\":2}", now).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM passkeys WHERE passkey = $1", "{\"counter\":3}").await, 1);
}

/// The tokens of every `?token=` link in the `.eml` files of `outbox`.
fn tokens_in(outbox: &std::path::Path) -> Vec<String> {
    let mut tokens = Vec::new();
    for entry in std::fs::read_dir(outbox).unwrap() {
        let raw = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        // Quoted-printable: soft line breaks and `=3D` undone.
        let text = raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
        for (at, _) in text.match_indices("?token=") {
            let token: String =
                text[at + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
            if token.len() == 43 {
                tokens.push(token);
            }
        }
    }
    tokens.sort();
    tokens.dedup();
    tokens
}

/// A link's token is a credential until it is used: the request log names the path
/// without its query, and a mail written to the outbox folder is logged by its file.
async fn no_link_token_reaches_the_log(db: TestDb) {
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("baton.log");
    // No bundle is built for these tests: pages name their files without a hash.
    let env = [("BATON_LOG", "info")];
    let server = Instance::spawn_logging(db.url(), &env, Some(&log)).await;
    let who = server.signed_up().await;
    server.post_form("/api/auth/password_reset", &[("email", &who.email)], None).await;
    // Both mails (verification, reset) written.
    let mut tokens = Vec::new();
    for _ in 0..200 {
        tokens = tokens_in(server.outbox());
        if tokens.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(tokens.len(), 2, "a verification and a reset link");
    // Pages opened from the links, as a browser does, and one made up.
    let made_up = "S3cretS3cretS3cretS3cretS3cretS3cretS3cretX";
    for token in tokens.iter().map(String::as_str).chain([made_up]) {
        for page in ["/reset", "/verify", "/not-me"] {
            let opened = server.get(&format!("{page}?token={token}"), None).await;
            assert_eq!(opened.status(), StatusCode::OK);
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let written = std::fs::read_to_string(&log).unwrap();
    assert!(written.contains("/reset"), "the request lines are there: {written}");
    assert!(written.contains("mail written to the outbox folder") && written.contains(".eml"), "{written}");
    for token in tokens.iter().map(String::as_str).chain([made_up]) {
        assert!(!written.contains(token), "a link token in the log:\n{written}");
    }
    assert!(!written.contains(PASSWORD), "the password in the log");
}
