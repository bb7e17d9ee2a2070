//! Signing in through another provider (docs/API.md, "Sign in with another provider"):
//! the list of providers (the pages get it with the page itself, see
//! `components::providers`), the trip there and the way back (`/auth/{provider}…`, plain
//! redirects the browser follows), and the account's connections (Bearer routes). The
//! flows are `crate::server::auth::provider_sign_in`.

pub use self::ssr::*;

mod ssr {
    use crate::{
        server::{
            auth::{
                bearer::{Authenticated, Recent},
                cookie::Cookie,
                device::Device,
                provider_sign_in::{self, Callback, Landing, FLOW_TTL},
            },
            http::origin::is_loopback,
            state::AppState,
        },
        shared::{
            error::AppError,
            next::safe_next,
            wire::{ConfiguredProviders, ConnectedProvider, ProviderInfo, ProviderRedirect},
        },
    };
    use axum::{
        extract::{Path, Query, State},
        http::{header, HeaderMap, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
        Json,
    };
    use std::time::Duration;

    /// `GET /api/auth/providers`: `[{"id", "name"}]`, in the configured order.
    pub async fn list_providers(State(state): State<AppState>) -> Json<Vec<ProviderInfo>> {
        Json(configured(&state).0)
    }

    /// The configured providers' ids and names.
    pub fn configured(state: &AppState) -> ConfiguredProviders {
        ConfiguredProviders(
            state
                .providers
                .all()
                .map(|p| ProviderInfo { id: p.settings.id.clone(), name: p.settings.name.clone() })
                .collect(),
        )
    }

    /// How long the second step's ticket waits in the `mfa` cookie (its own lifetime).
    const MFA_COOKIE_TTL: Duration = Duration::from_secs(5 * 60);

    #[derive(serde::Deserialize)]
    pub struct NextQuery {
        next: Option<String>,
    }

    /// `GET /auth/{provider}?next=<path>`: 303 to the provider, with the `oidc` cookie.
    /// A provider that cannot be reached sends the browser back to `/login` with
    /// `provider_error=failed`.
    pub async fn begin(
        State(state): State<AppState>,
        Path(provider): Path<String>,
        Query(query): Query<NextQuery>,
        headers: HeaderMap,
    ) -> Result<Response, AppError> {
        state.providers.get(&provider)?;
        let origin = own_origin(&state, &headers)?;
        let next = safe_next(query.next);
        match provider_sign_in::start(&state, &provider, &origin, &next, None).await {
            Ok(started) => {
                let cookie = oidc_cookie(&state).set(started.browser.as_str(), FLOW_TTL.as_secs() as i64)?;
                Ok(see_other(&started.url, vec![cookie]))
            }
            Err(error) => {
                tracing::warn!(provider, %error, "cannot begin a provider sign-in");
                Ok(see_other(&format!("/login?provider_error=failed&provider={provider}"), Vec::new()))
            }
        }
    }

    /// `GET /auth/{provider}/callback`: the provider's way back. A 303 (to `next`,
    /// `/login` or `/account`), the `oidc` cookie gone either way; 404 for a provider
    /// that is not configured.
    pub async fn callback(
        State(state): State<AppState>,
        Path(provider): Path<String>,
        Query(back): Query<Callback>,
        device: Device,
        headers: HeaderMap,
    ) -> Result<Response, AppError> {
        // Only a configured provider's id reaches the `Location` below.
        state.providers.get(&provider)?;
        let secure = state.settings.tokens.cookie_secure;
        // Two `oidc` cookies (one planted) count as none: the state check fails.
        let browser = oidc_cookie(&state).read(&headers).ok().flatten();
        let landing = provider_sign_in::callback(&state, &provider, &back, browser.as_deref(), &device).await;
        let mut cookies = vec![oidc_cookie(&state).clear()?];
        match &landing {
            Landing::SignedIn { grant, .. } => cookies.extend(grant.cookies(secure)?),
            Landing::SecondStep { mfa_token, .. } => {
                cookies.push(Cookie::mfa(secure).set(mfa_token, MFA_COOKIE_TTL.as_secs() as i64)?)
            }
            Landing::Connected { .. } | Landing::Refused { .. } => {}
        }
        Ok(see_other(&landing.location(), cookies))
    }

    /// `POST /api/account/providers/{provider}` (sensitive): where to send the browser
    /// to connect the provider to the caller's account, and the `oidc` cookie.
    pub async fn connect(
        State(state): State<AppState>,
        Recent(caller): Recent,
        Path(provider): Path<String>,
        headers: HeaderMap,
    ) -> Result<Response, AppError> {
        state.providers.get(&provider)?;
        let account = state.store.account(caller.user_id).await?.ok_or(AppError::InvalidToken)?;
        if account.email_verified_at.is_none() {
            return Err(AppError::EmailUnverified);
        }
        let origin = own_origin(&state, &headers)?;
        let started = provider_sign_in::start(&state, &provider, &origin, "/account", Some(caller.user_id)).await?;
        let cookie = oidc_cookie(&state).set(started.browser.as_str(), FLOW_TTL.as_secs() as i64)?;
        Ok(([(header::SET_COOKIE, cookie)], Json(ProviderRedirect { url: started.url })).into_response())
    }

    /// `GET /api/account/providers`.
    pub async fn list(
        State(state): State<AppState>,
        caller: Authenticated,
    ) -> Result<Json<Vec<ConnectedProvider>>, AppError> {
        Ok(Json(provider_sign_in::list(&state, &caller).await?))
    }

    /// `DELETE /api/account/providers/{provider}` (sensitive): 204, 404, or 409
    /// `last_sign_in_method`.
    pub async fn disconnect(
        State(state): State<AppState>,
        Recent(caller): Recent,
        Path(provider): Path<String>,
        device: Device,
    ) -> Result<StatusCode, AppError> {
        provider_sign_in::disconnect(&state, &caller, &provider, &device).await?;
        Ok(StatusCode::NO_CONTENT)
    }

    fn oidc_cookie(state: &AppState) -> Cookie {
        Cookie::oidc(state.settings.tokens.cookie_secure)
    }

    fn see_other(location: &str, cookies: Vec<HeaderValue>) -> Response {
        let mut response = StatusCode::SEE_OTHER.into_response();
        let headers = response.headers_mut();
        if let Ok(location) = HeaderValue::from_str(location) {
            headers.insert(header::LOCATION, location);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        for cookie in cookies {
            headers.append(header::SET_COOKIE, cookie);
        }
        response
    }

    /// This server's origin, for the `redirect_uri` the provider sends the browser
    /// back to: `BATON_PUBLIC_ORIGIN` when set (set it whenever a provider is: the
    /// provider only accepts the redirect URI it was given), else the request's `Host`
    /// with the scheme the site works on (`http` only on loopback or without secure
    /// cookies). A forged `Host` gains nothing: the provider refuses any redirect URI
    /// it was not registered with.
    fn own_origin(state: &AppState, headers: &HeaderMap) -> Result<String, AppError> {
        let tokens = &state.settings.tokens;
        if let Some(public) = &tokens.public_origin {
            return Ok(public.trim_end_matches('/').to_string());
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty() && h.parse::<http::uri::Authority>().is_ok())
            .ok_or_else(|| AppError::invalid_input("The request has no valid Host."))?;
        let scheme = if tokens.cookie_secure && !is_loopback(host) { "https" } else { "http" };
        Ok(format!("{scheme}://{}", host.to_ascii_lowercase()))
    }
}
