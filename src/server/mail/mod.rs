//! Mail (docs/API.md, "Email"): what each mail says ([`letters`]), how it leaves
//! ([`transport`]: SMTP, or `.eml` files when no server is set), and the background
//! [`sender`] that delivers the outbox. A flow that causes a mail calls [`queue`] in
//! its own transaction and goes on: delivery never blocks or fails a request.

pub mod letters;
pub mod sender;
pub mod transport;

use crate::{
    server::{
        ids::{CodeId, LinkId, SessionId, UserId},
        store::{
            email_links::{self, NewLink, Purpose},
            outbox::{self, NewMail},
            Tx,
        },
        time::UnixMillis,
    },
    shared::error::AppError,
};
use letters::Letter;
use std::time::Duration;

/// Queues `letter` to `to` about `user`, in `tx`; `link` is the link it carries.
pub async fn queue(
    tx: &mut Tx<'_>,
    user: UserId,
    to: &str,
    letter: &Letter,
    link: Option<LinkId>,
    now: UnixMillis,
) -> Result<(), AppError> {
    let letter = serde_json::to_string(letter).map_err(AppError::internal)?;
    outbox::enqueue(tx, &NewMail { user_id: Some(user), link_id: link, code_id: None, to, letter: &letter }, now)
        .await?;
    Ok(())
}

/// A single-use link a mail carries.
pub struct LinkFor {
    pub purpose: Purpose,
    pub ttl: Duration,
    /// The session it is about, if any.
    pub session: Option<SessionId>,
}

impl LinkFor {
    pub fn new(purpose: Purpose, ttl: Duration) -> LinkFor {
        LinkFor { purpose, ttl, session: None }
    }

    pub fn about(self, session: SessionId) -> LinkFor {
        LinkFor { session: Some(session), ..self }
    }
}

/// Queues a mail that carries a new link to `to`: beyond the links of its purpose an
/// account may have live at once, the oldest (and their unsent mails) are gone.
pub async fn queue_with_link(
    tx: &mut Tx<'_>,
    user: UserId,
    to: &str,
    link: LinkFor,
    letter: &Letter,
    now: UnixMillis,
) -> Result<(), AppError> {
    let link = NewLink {
        id: LinkId::generate(),
        user_id: user,
        purpose: link.purpose,
        email: to,
        session_id: link.session,
        created_at: now,
        expires_at: now.plus(link.ttl),
    };
    email_links::replace(tx, &link).await?;
    queue(tx, user, to, letter, Some(link.id), now).await
}

/// Queues the mail that carries the sign-in code `code` to `to` (about `user`, when the
/// address has an account): it goes with its code, replaced or used.
pub async fn queue_with_code(
    tx: &mut Tx<'_>,
    user: Option<UserId>,
    to: &str,
    code: CodeId,
    letter: &Letter,
    now: UnixMillis,
) -> Result<(), AppError> {
    let letter = serde_json::to_string(letter).map_err(AppError::internal)?;
    outbox::enqueue(tx, &NewMail { user_id: user, link_id: None, code_id: Some(code), to, letter: &letter }, now)
        .await?;
    Ok(())
}
