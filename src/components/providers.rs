//! Signing in through another provider, in the browser: the **Continue with <Name>**
//! buttons of `/login` and `/register`, what a way back that did not sign in says
//! (`?provider_error=`), and **Connected accounts** on `/account`.
//!
//! The buttons are plain `GET` forms to `/auth/{id}`: they work before the wasm
//! arrives, and the router does not take them for a page of the app (a link would be
//! routed in the browser and find no page).

use super::{
    form::{BusyButton, ErrorAlert},
    frame::Spinner,
};
use crate::{
    client::{
        api,
        language::{tr, use_texts},
    },
    shared::{
        endpoints::{with_id, PROVIDER_SIGN_IN},
        i18n::{Texts, Words},
        next::safe_next,
        wire::{ConfiguredProviders, ConnectedProvider, ProviderInfo},
    },
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_query_map;

/// Makes the configured providers known to every page, once, at the app's root. The
/// server renders with the list it was given (`serve`); the browser takes the same list
/// from the page (a `SharedValue`), so the buttons hydrate as rendered, with no request
/// and no `Suspense` to stream (static settings need no resource).
pub fn provide_configured() {
    let list = SharedValue::new(|| use_context::<ConfiguredProviders>().unwrap_or_default());
    provide_context(list.into_inner());
}

/// The configured providers.
fn configured() -> Vec<ProviderInfo> {
    use_context::<ConfiguredProviders>().unwrap_or_default().0
}

/// A provider's name, or its id if it is not configured (any more).
fn name_of(list: &[ProviderInfo], id: &str) -> String {
    list.iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or_else(|| id.to_string())
}

/// One **Continue with <Name>** button per configured provider, one per line, after an
/// "or" when `or`; nothing when none is configured. They keep the page's `?next=`.
#[component]
pub fn ProviderButtons(#[prop(optional)] or: bool) -> impl IntoView {
    let t = use_texts();
    let providers = configured();
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).map(|n| safe_next(Some(n)));
    (!providers.is_empty()).then(|| {
        view! {
            {or.then(|| view! { <p class="or" aria-hidden="true">{tr(|t| t.common.or)}</p> })}
            <div class="providers">
                {providers
                    .into_iter()
                    .map(|provider| {
                        let name = provider.name.clone();
                        view! {
                            <form method="get" action=with_id(PROVIDER_SIGN_IN, &provider.id) class="provider">
                                {next().map(|next| view! { <input type="hidden" name="next" value=next/> })}
                                <button type="submit" class="button button--provider">
                                    {move || (t().providers.continue_with)(&name)}
                                </button>
                            </form>
                        }
                    })
                    .collect_view()}
            </div>
        }
    })
}

/// What `?provider_error=…&provider=…` says, in an alert (the sign-in page's and the
/// account page's).
#[component]
pub fn ProviderRefusal() -> impl IntoView {
    let providers = configured();
    let query = use_query_map();
    let message = Signal::derive(move || {
        let (error, id) = query.with(|q| (q.get("provider_error"), q.get("provider").unwrap_or_default()));
        let name = name_of(&providers, &id);
        let say: fn(&Texts) -> fn(&str) -> String = match error.as_deref()? {
            "account_exists" => |t| t.providers.account_exists,
            "email_unverified" => |t| t.providers.email_unverified,
            "identity_taken" => |t| t.providers.identity_taken,
            "account_locked" => return Some(Words::pick(|t| t.providers.account_locked)),
            _ => |t| t.providers.failed,
        };
        Some(Words::new(move |t| say(t)(&name)))
    });
    view! { <ErrorAlert message=message/> }
}

/// The sign-in page's second step after a provider sign-in: its ticket is in an
/// `HttpOnly` cookie, so the page only says what is asked and why.
#[component]
pub fn ProviderSecondStepIntro() -> impl IntoView {
    let t = use_texts();
    let providers = configured();
    let query = use_query_map();
    let said = move || {
        let id = query.with(|q| q.get("provider").unwrap_or_default());
        (t().providers.second_step)(&name_of(&providers, &id))
    };
    view! { <p class="notice">{said}</p> }
}

/// **Connected accounts**: each configured provider, connected (as which address) or
/// not, with **Connect** / **Disconnect**. Absent when no provider is configured.
#[component]
pub fn ConnectedAccounts() -> impl IntoView {
    let t = use_texts();
    let providers = configured();
    if providers.is_empty() {
        return None;
    }
    let connected = LocalResource::new(api::connected_providers);
    let query = use_query_map();
    let came_back = {
        let providers = providers.clone();
        move || {
            let id = query.with(|q| q.get("provider").filter(|_| q.get("provider_error").is_none()))?;
            Some((t().providers.now_connected)(&name_of(&providers, &id)))
        }
    };
    let done = RwSignal::new(None::<Words>);
    Some(view! {
        <section class="card" aria-labelledby="providers-title">
            <h2 id="providers-title">{tr(|t| t.providers.title)}</h2>
            <p class="muted">{tr(|t| t.providers.intro)}</p>
            <ProviderRefusal/>
            <p class="notice notice--ok" role="status">
                {move || done.get().map(|words| words.say(t())).or_else(came_back.clone())}
            </p>
            <Suspense fallback=move || view! { <p class="muted"><Spinner/>" "{tr(|t| t.providers.loading)}</p> }>
                {move || connected.get().map(|mine| match mine {
                    Err(e) => view! {
                        <p class="alert" role="alert">{move || (t().providers.load_failed)(&(t().error)(&e))}</p>
                    }.into_any(),
                    Ok(mine) => view! {
                        <ul class="passkeys">
                            {providers.iter().map(|provider| {
                                let identity = mine.iter().find(|c| c.provider == provider.id).cloned();
                                view! {
                                    <ProviderRow provider=provider.clone() identity=identity
                                        on_change=move |words| { done.set(Some(words)); connected.refetch(); }/>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    })
}

#[component]
fn ProviderRow(
    provider: ProviderInfo,
    identity: Option<ConnectedProvider>,
    on_change: impl Fn(Words) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<Words>);
    let connected = identity.is_some();
    let id = provider.id.clone();
    let name = provider.name.clone();
    let act = move |_| {
        let (id, name, on_change) = (id.clone(), name.clone(), on_change.clone());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            if connected {
                match api::disconnect_provider(&id).await {
                    Ok(()) => on_change(Words::new(move |t| (t.providers.disconnected)(&name))),
                    Err(e) => {
                        error.try_set(Some(Words::refused(e, |t| t.providers.not_disconnected)));
                    }
                }
                busy.try_set(false);
            } else {
                match api::connect_provider(&id).await {
                    // Off to the provider; the page comes back to /account.
                    Ok(redirect) => {
                        let _ = window().location().set_href(&redirect.url);
                    }
                    Err(e) => {
                        error.try_set(Some(Words::refused(e, |t| t.providers.not_connected)));
                        busy.try_set(false);
                    }
                }
            }
        });
    };
    let status = {
        let email = identity.as_ref().and_then(|i| i.email.clone());
        move || match (connected, &email) {
            (true, Some(email)) => (t().providers.connected_as)(email),
            (true, None) => t().providers.connected.to_string(),
            (false, _) => t().providers.not_connected_yet.to_string(),
        }
    };
    let label_name = provider.name.clone();
    let (label, class): (fn(&Texts) -> &'static str, _) = if connected {
        (|t| t.providers.disconnect, "button button--small button--danger")
    } else {
        (|t| t.providers.connect, "button button--small")
    };
    view! {
        <li class="passkey">
            <div>
                <p class="passkey__name">{provider.name.clone()}</p>
                <p class="muted passkey__dates">{status}</p>
            </div>
            <BusyButton label=label pending=busy class=class on:click=act
                attr:aria-label=move || if connected {
                    (t().providers.disconnect_named)(&label_name)
                } else {
                    (t().providers.connect_named)(&label_name)
                }/>
            <ErrorAlert message=error/>
        </li>
    }
}
