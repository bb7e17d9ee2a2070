//! Mail (docs/API.md, "Email"): what each mail says ([`letters`]), how it leaves
//! ([`transport`]: SMTP, or `.eml` files when no server is set), and the background
//! [`sender`] that delivers the outbox. A flow that causes a mail calls [`queue`] in
//! its own transaction and goes on: delivery never blocks or fails a request.

pub mod letters;
pub mod sender;
pub mod transport;

use crate::{
    server::{
        ids::{LinkId, UserId},
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
    outbox::enqueue(tx, &NewMail { user_id: user, link_id: link, to, letter: &letter }, now).await?;
    Ok(())
}

/// Queues a mail that carries a new link of `purpose` to `to`, valid for `ttl`: the
/// account's older links of that purpose (and their unsent mails) are gone.
pub async fn queue_with_link(
    tx: &mut Tx<'_>,
    user: UserId,
    to: &str,
    purpose: Purpose,
    ttl: Duration,
    letter: &Letter,
    now: UnixMillis,
) -> Result<(), AppError> {
    let link = NewLink {
        id: LinkId::generate(),
        user_id: user,
        purpose,
        email: to,
        created_at: now,
        expires_at: now.plus(ttl),
    };
    email_links::replace(tx, &link).await?;
    queue(tx, user, to, letter, Some(link.id), now).await
}
