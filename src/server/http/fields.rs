//! [`Fields`]: the named fields of a POST to a Bearer route, as a form
//! (`application/x-www-form-urlencoded`, what the contract's server functions take
//! and what a plain HTML form sends) or as JSON (what scripts send). Anything else,
//! or fields that do not decode, is 400 `invalid_input`, never a 415 or 422 with a
//! plain-text body outside the contract. No body at all is no fields: fine where
//! every field is optional (an unlock's `reason`).

use crate::shared::error::AppError;
use axum::{
    extract::{FromRequest, Request},
    Form, Json,
};
use http::header;
use serde::de::DeserializeOwned;

pub struct Fields<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Fields<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
        let invalid = || AppError::invalid_input("The request is missing a field or has a malformed one.");
        if request.headers().get(header::CONTENT_TYPE).is_none() {
            let body = axum::body::Bytes::from_request(request, state).await.map_err(|_| invalid())?;
            if !body.is_empty() {
                return Err(invalid());
            }
            return serde_json::from_str("{}").map(Fields).map_err(|_| invalid());
        }
        if json {
            let Json(fields) = Json::<T>::from_request(request, state).await.map_err(|_| invalid())?;
            Ok(Fields(fields))
        } else {
            let Form(fields) = Form::<T>::from_request(request, state).await.map_err(|_| invalid())?;
            Ok(Fields(fields))
        }
    }
}
