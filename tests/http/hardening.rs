//! The Origin check, the body limit, headers, the health check, plain-http cookies.

use crate::helpers::*;
use crate::on_both_backends;
use reqwest::StatusCode;

on_both_backends!(
    a_cross_origin_post_is_forbidden_and_changes_nothing,
    same_origin_and_origin_less_posts_pass,
    a_configured_public_origin_is_the_only_one_accepted,
    a_body_over_64_kib_is_payload_too_large,
    every_response_carries_the_security_headers,
    health_is_ok_while_the_database_answers,
    an_unknown_api_path_is_a_json_404,
    without_secure_the_cookie_is_plain_refresh_token,
    pages_carry_a_nonce_based_content_security_policy,
    pages_are_compressed_but_api_answers_never_are,
);

async fn a_cross_origin_post_is_forbidden_and_changes_nothing(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    for (path, form) in [
        ("/api/auth/register", vec![("email", "csrf@example.com"), ("password", PASSWORD)]),
        ("/api/auth/login", vec![("email", who.email.as_str()), ("password", PASSWORD)]),
        ("/api/auth/refresh", vec![]),
        ("/api/auth/logout", vec![]),
    ] {
        for origin in ["https://evil.example", "null", &format!("http://127.0.0.1:{}", app.addr.port() + 1)] {
            let response = app
                .http
                .post(app.url(path))
                .header("origin", origin)
                .header("cookie", format!("{}={}", app.cookie_name, who.refresh))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert!(refresh_set_cookies(&response).is_empty(), "{path}: no cookie change");
            assert_error(response, 403, "forbidden_origin").await;
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1", "csrf@example.com").await, 0);
    // The session was neither rotated nor ended.
    assert_eq!(app.refresh(&who.refresh).await.status(), StatusCode::OK);
}

async fn same_origin_and_origin_less_posts_pass(db: TestDb) {
    let app = db.app().await;
    let who = app.signed_up().await;
    let response = app
        .http
        .post(app.url("/api/auth/refresh"))
        .header("origin", app.base.as_str())
        .header("cookie", format!("{}={}", app.cookie_name, who.refresh))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn a_configured_public_origin_is_the_only_one_accepted(db: TestDb) {
    let app = db.app_with(|s| s.tokens.public_origin = Some("https://app.example.com".into())).await;
    let form = [("email", "p@example.com"), ("password", PASSWORD)];
    let own_host = app
        .http
        .post(app.url("/api/auth/register"))
        .header("origin", app.base.as_str())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_error(own_host, 403, "forbidden_origin").await;
    let public = app
        .http
        .post(app.url("/api/auth/register"))
        .header("origin", "https://app.example.com")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::OK);
}

async fn a_body_over_64_kib_is_payload_too_large(db: TestDb) {
    let app = db.app().await;
    // With a Content-Length, the answer is a 413 the client always receives: the
    // server reads what is still arriving (up to 1 MiB) before it answers.
    for size in [65 * 1024, 900 * 1024] {
        let huge = "x".repeat(size);
        let response = app.register("big@example.com", &huge).await;
        assert_error(response, 413, "payload_too_large").await;
    }
    // Without a Content-Length (chunked), reading stops at the limit too: the answer
    // is 413, or, when it comes while the client is still sending, the connection
    // closes under the client. Either way the server never takes the whole body.
    let stream = futures::stream::iter((0..80).map(|_| Ok::<_, std::io::Error>(vec![b'a'; 1024])));
    let sent = app
        .http
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    match sent {
        Ok(response) => assert_error(response, 413, "payload_too_large").await,
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = $1", "big@example.com").await, 0);
    // Just under the limit is an ordinary (bad) request.
    let response = app.register("big@example.com", &"x".repeat(60 * 1024)).await;
    assert_error(response, 400, "invalid_input").await;
}

async fn every_response_carries_the_security_headers(db: TestDb) {
    let app = db.app().await;
    for response in
        [app.get("/", None).await, app.get("/api/me", None).await, app.post_form("/api/auth/refresh", &[], None).await]
    {
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    }
    let refresh = app.post_form("/api/auth/refresh", &[], None).await;
    assert_eq!(refresh.headers()["cache-control"], "no-store");
}

async fn health_is_ok_while_the_database_answers(db: TestDb) {
    let app = db.app().await;
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
    app.state.store.pool().close().await;
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::SERVICE_UNAVAILABLE);
}

async fn an_unknown_api_path_is_a_json_404(db: TestDb) {
    let app = db.app().await;
    assert_error(app.get("/api/nothing/here", None).await, 404, "not_found").await;
}

async fn without_secure_the_cookie_is_plain_refresh_token(db: TestDb) {
    let app = db.app_with(|s| s.tokens.cookie_secure = false).await;
    let response = app.register("plain@example.com", PASSWORD).await;
    let cookie = refresh_set_cookies(&response).remove(0);
    assert!(cookie.starts_with("refresh_token=ey"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    let who = SignedIn::from_response(response, "plain@example.com").await;
    assert_eq!(app.refresh(&who.refresh).await.status(), StatusCode::OK);
}

async fn pages_carry_a_nonce_based_content_security_policy(db: TestDb) {
    let app = db.app().await;
    let html = app.get("/login", None).await.text().await.unwrap();
    let csp_start = html.find(r#"http-equiv="Content-Security-Policy" content=""#).expect("a CSP meta tag");
    let csp = &html[csp_start..];
    let csp = &csp[csp.find("content=\"").unwrap() + 9..];
    let csp = &csp[..csp.find('"').unwrap()];
    assert!(csp.contains("script-src 'strict-dynamic' 'nonce-"), "{csp}");
    assert!(csp.contains("style-src 'self';"), "no inline styles: {csp}");
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(nonce.len() >= 16, "{nonce}");
    // The inline hydration script carries it; a second request gets another one.
    assert!(html.contains(&format!(r#"nonce="{nonce}""#)), "{html}");
    let again = app.get("/login", None).await.text().await.unwrap();
    assert!(!again.contains(nonce));
}

async fn pages_are_compressed_but_api_answers_never_are(db: TestDb) {
    let app = db.app().await;
    let page = app.http.get(app.url("/login")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(page.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"));
    let register = app
        .http
        .post(app.url("/api/auth/register"))
        .header("accept-encoding", "gzip")
        .form(&[("email", "gz@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(register.status(), StatusCode::OK);
    assert!(register.headers().get("content-encoding").is_none(), "a token answer is never compressed");
    let error = app.http.get(app.url("/api/me")).header("accept-encoding", "gzip").send().await.unwrap();
    assert!(error.headers().get("content-encoding").is_none());
}
