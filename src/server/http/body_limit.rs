//! The request body limit (64 KiB), enforced in one place whoever reads the body.
//!
//! A body that declares a larger `Content-Length` is refused before anything reads
//! it. A body without one (chunked) is cut off when reading passes the limit; the
//! handler then fails however it fails, and this layer answers 413 in its place, so
//! no handler needs to recognise the limit's error.

use crate::shared::error::AppError;
use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use std::{
    pin::Pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    task::{Context, Poll},
    time::Duration,
};

/// Largest request body accepted (the contract's form posts are a few hundred bytes).
pub const BODY_LIMIT: usize = 64 * 1024;

/// A refused body up to this size is read and thrown away before the 413 goes out.
/// Answering while the body is still arriving makes the server close a socket with
/// unread data, the kernel then sends a reset, and the client may lose the 413 and
/// see only "connection reset" (nginx's lingering close exists for the same reason).
/// Beyond this size, or after `DRAIN_TIME` (long enough for a loaded server and a
/// slow network to move a megabyte), the client gets the reset.
const DRAIN_LIMIT: u64 = 1024 * 1024;
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// Reads and drops a body, never more than `DRAIN_LIMIT` bytes or longer than `DRAIN_TIME`.
async fn drain(body: Body) {
    let mut body = Limited::new(body, DRAIN_LIMIT as usize);
    let _ = tokio::time::timeout(DRAIN_TIME, async { while let Some(Ok(_)) = body.frame().await {} }).await;
}

pub async fn limit_body(request: Request, next: Next) -> Response {
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if let Some(len) = declared.filter(|len| *len > BODY_LIMIT as u64) {
        if len <= DRAIN_LIMIT {
            drain(request.into_body()).await;
        }
        return too_large();
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let request =
        request.map(|body| Body::new(Capped { inner: Limited::new(body, BODY_LIMIT), exceeded: exceeded.clone() }));
    let response = next.run(request).await;
    if exceeded.load(Ordering::Relaxed) {
        return too_large();
    }
    response
}

/// The 413, with `Connection: close`: what is left of the body (or of a drain that
/// gave up) is not read, so the connection cannot carry another request. Saying so
/// keeps the client from sending its next request on a socket about to close, where
/// it would get no answer at all.
fn too_large() -> Response {
    let mut response = AppError::PayloadTooLarge.into_response();
    response.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
    response
}

/// A limited body that remembers whether the limit cut it off.
struct Capped {
    inner: Limited<Body>,
    exceeded: Arc<AtomicBool>,
}

impl HttpBody for Capped {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Err(error))) = &polled {
            if error.is::<LengthLimitError>() {
                self.exceeded.store(true, Ordering::Relaxed);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
