//! The request body limit (64 KiB), enforced in one place whoever reads the body.
//!
//! A body that declares a larger `Content-Length` is refused before anything reads
//! it. A body without one (chunked) is cut off when reading passes the limit; the
//! handler then fails however it fails, and this layer answers 413 in its place, so
//! no handler needs to recognise the limit's error.

use crate::error::AppError;
use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::{LengthLimitError, Limited};
use std::{
    pin::Pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    task::{Context, Poll},
};

/// Largest request body accepted (the contract's form posts are a few hundred bytes).
pub const BODY_LIMIT: usize = 64 * 1024;

pub async fn limit_body(request: Request, next: Next) -> Response {
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > BODY_LIMIT as u64) {
        return AppError::PayloadTooLarge.into_response();
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let request =
        request.map(|body| Body::new(Capped { inner: Limited::new(body, BODY_LIMIT), exceeded: exceeded.clone() }));
    let response = next.run(request).await;
    if exceeded.load(Ordering::Relaxed) {
        return AppError::PayloadTooLarge.into_response();
    }
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
