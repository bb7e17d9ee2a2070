//! docs/EXTENDING.md's worked example is real code: every Rust block of the guide is a
//! piece of `examples/support_desk.rs`, which this test compiles (as a module) and
//! serves beside Baton's routes, and its endpoint answers as the guide says.

use crate::helpers::*;
use crate::on_both_backends;
use baton::server::{
    auth::{admin, roles::Roles},
    store::admin_actions::Actor,
};
use reqwest::StatusCode;

#[path = "../../examples/support_desk.rs"]
mod support_desk;

on_both_backends!(an_application_s_own_role_guards_its_own_endpoint);

#[test]
fn every_rust_block_of_the_guide_is_in_the_example() {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/EXTENDING.md")).unwrap();
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/support_desk.rs")).unwrap();
    let mut blocks = 0;
    for block in guide.split("```rust\n").skip(1) {
        let code = block.split("```").next().unwrap().trim_end();
        assert!(
            example.contains(code),
            "docs/EXTENDING.md shows code that examples/support_desk.rs does not have:\n{code}"
        );
        blocks += 1;
    }
    assert!(blocks >= 4, "the guide shows the role, the endpoints, the routes and the page");
}

async fn an_application_s_own_role_guards_its_own_endpoint(db: TestDb) {
    let app = TestApp::start_with(db.settings(), support_desk::support_routes()).await;
    let person = app.signed_up().await;
    assert_error(app.get("/api/support/tickets", None).await, 401, "invalid_token").await;
    assert_error(app.get("/api/support/tickets", Some(&person.access)).await, 403, "forbidden").await;

    let id = person.user_id.parse().unwrap();
    admin::set_roles(&app.state, &Actor::Cli, id, Roles::parse([support_desk::SUPPORT]).unwrap()).await.unwrap();
    let answer = app.get("/api/support/tickets", Some(&person.access)).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let tickets: support_desk::Tickets = answer.json().await.unwrap();
    assert_eq!(tickets.asked_by, person.user_id);
    assert_eq!(app.post_bearer("/api/support/tickets/close", &person.access, &[]).await.status(), StatusCode::OK);
    // Behind Baton's middleware: the security headers and a request id, as every answer.
    let answer = app.get("/api/support/tickets", Some(&person.access)).await;
    assert!(answer.headers().contains_key("x-request-id"), "{:?}", answer.headers());
    assert!(answer.headers().contains_key("x-content-type-options"), "{:?}", answer.headers());

    // A change, past the re-authentication window.
    app.past_the_reauth_window();
    let stale = app.post_bearer("/api/support/tickets/close", &person.access, &[]).await;
    assert_error(stale, 403, "reauth_required").await;
    // The role removed: refused at the next request, whatever the token says.
    admin::set_roles(&app.state, &Actor::Cli, id, Roles::default()).await.unwrap();
    assert_error(app.get("/api/support/tickets", Some(&person.access)).await, 403, "forbidden").await;
}
