//! The sign-in sections of `/account`: **Passkeys** (add one, see when each was last
//! used, remove one) and **Two-step verification** (set up the authenticator app with
//! its QR code, turn it on with a code, the recovery codes shown once; turn it off,
//! new recovery codes).

use super::{
    form::{BusyButton, ErrorAlert, Submission},
    format::{parse_instant, relative_time},
    frame::Spinner,
};
use crate::{
    client::{
        api, fetch, files,
        language::{tr, use_language, use_texts},
        session::use_session,
        webauthn,
    },
    shared::{
        error::AppError,
        i18n::{Pick, Texts, Words},
        wire::{MfaStatus, PasskeyInfo, PasskeyRegistration, TotpSetup},
    },
};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

/// "3 days ago", from an RFC 3339 instant.
fn ago(t: &Texts, rfc3339: &str) -> String {
    relative_time(t, parse_instant(rfc3339), fetch::now())
}

/// The secret in groups of four, as people copy it into an app ("ABCD EFGH …").
fn grouped(secret: &str) -> String {
    secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

#[component]
pub fn Passkeys() -> impl IntoView {
    let t = use_texts();
    let passkeys = LocalResource::new(api::passkeys);
    // Each time the list arrives (on the page, and after a removal), the password
    // manager hears which passkeys the account has and what it is called now (the
    // WebAuthn Signal API), so it stops offering a removed passkey or an old address.
    let session = use_session();
    Effect::new(move |_| {
        if let (Some(Ok(list)), Some(user)) = (passkeys.get(), session.user()) {
            let ids: Vec<String> = list.iter().map(|p| p.credential_id.clone()).collect();
            webauthn::signal_accepted_credentials(&user.id, &ids);
            webauthn::signal_current_user(&user.id, &user.email);
        }
    });
    let name = RwSignal::new(String::new());
    let adding = Submission::new();
    let Submission { pending, error, done } = adding;
    let add = move |event: SubmitEvent| {
        event.prevent_default();
        adding.run(async move {
            let started =
                api::start_passkey_registration().await.map_err(|e| Words::refused(e, |t| t.passkeys.not_added))?;
            if !webauthn::here(&started.origin) {
                let origin = started.origin;
                return Err(Words::new(move |t| (t.passkeys.elsewhere)(&origin)));
            }
            let credential = webauthn::create(&started.public_key, false).await.map_err(webauthn::Failure::words)?;
            let registration = PasskeyRegistration { name: name.get_untracked(), credential };
            let added = match api::finish_passkey_registration(&registration).await {
                Ok(added) => added,
                Err(AppError::InvalidCode) => return Err(Words::pick(|t| t.passkeys.not_verified)),
                Err(e) => return Err(Words::error(e)),
            };
            name.try_set(String::new());
            passkeys.refetch();
            Ok(Words::new(move |t| (t.passkeys.added)(&added.name)))
        })
    };

    view! {
        <section class="card" aria-labelledby="passkeys-title">
            <h2 id="passkeys-title">{tr(|t| t.passkeys.title)}</h2>
            <p class="muted">{tr(|t| t.passkeys.intro)}</p>
            <Suspense fallback=move || view! { <p class="muted"><Spinner/>" "{tr(|t| t.passkeys.loading)}</p> }>
                {move || passkeys.get().map(|list| match list {
                    Err(e) => view! { <p class="alert" role="alert">{move || (t().passkeys.load_failed)(&(t().error)(&e))}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="muted">{tr(|t| t.passkeys.none)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="passkeys">
                            {list.into_iter().map(|p| view! { <PasskeyRow passkey=p on_removed=move || passkeys.refetch()/> }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
            <form class="form form--inline" on:submit=add>
                <div class="field">
                    <label for="passkey-name">{tr(|t| t.passkeys.name)}</label>
                    <input id="passkey-name" type="text" maxlength="64" placeholder=tr(|t| t.passkeys.name_example) autocomplete="off"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
                <BusyButton label=|t| t.passkeys.add pending=pending kind="submit" class="button button--primary"/>
            </form>
            <ErrorAlert message=error/>
            <p class="notice notice--ok" role="status">{move || done.get().map(|words| words.say(t()))}</p>
        </section>
    }
}

#[component]
fn PasskeyRow(passkey: PasskeyInfo, on_removed: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let removing = RwSignal::new(false);
    let error = RwSignal::new(None::<Words>);
    let t = use_texts();
    let id = passkey.id.clone();
    let remove = move |_| {
        let id = id.clone();
        let on_removed = on_removed.clone();
        removing.set(true);
        error.set(None);
        spawn_local(async move {
            match api::remove_passkey(&id).await {
                Ok(()) => on_removed(),
                Err(e) => {
                    let said = Words::refused_or_failed(e, |t| t.passkeys.not_removed, |t| t.passkeys.remove_failed);
                    error.try_set(Some(said));
                }
            }
            removing.try_set(false);
        });
    };
    let dates = {
        let (created, used) = (passkey.created_at.clone(), passkey.last_used_at.clone());
        move || {
            let used = used.as_deref().map(|at| ago(t(), at)).unwrap_or_else(|| t().passkeys.never.to_string());
            (t().passkeys.dates)(&ago(t(), &created), &used)
        }
    };
    let name = passkey.name.clone();
    view! {
        <li class="passkey">
            <div>
                <p class="passkey__name">{passkey.name.clone()}</p>
                <p class="muted passkey__dates">{dates}</p>
            </div>
            <BusyButton label=|t| t.passkeys.remove pending=removing class="button button--small button--danger"
                on:click=remove attr:aria-label=move || (t().passkeys.remove_named)(&name)/>
            <ErrorAlert message=error/>
        </li>
    }
}

/// Where the two-step section is.
#[derive(Clone, PartialEq)]
enum Stage {
    /// As the server says (`GET /api/mfa`).
    Settled,
    /// Set up, waiting for the first code.
    Confirming(TotpSetup),
    /// Just turned on or renewed: the codes, this once.
    Codes(Vec<String>),
}

#[component]
pub fn TwoStep() -> impl IntoView {
    let t = use_texts();
    let status = LocalResource::new(api::mfa_status);
    let stage = RwSignal::new(Stage::Settled);
    let action = Submission::new();
    let Submission { pending, error, done } = action;
    let code = RwSignal::new(String::new());

    let set_up = move |_| {
        action.run(async move {
            let setup = api::start_totp().await.map_err(|e| Words::refused(e, |t| t.two_step.not_set_up))?;
            stage.try_set(Stage::Confirming(setup));
            Ok(Words::new(|_| String::new()))
        })
    };
    let confirm = move |event: SubmitEvent| {
        event.prevent_default();
        action.run(async move {
            let typed = code.get_untracked();
            match api::confirm_totp(&typed).await {
                Ok(codes) => {
                    code.try_set(String::new());
                    stage.try_set(Stage::Codes(codes.recovery_codes));
                    status.refetch();
                    Ok(Words::pick(|t| t.two_step.is_on))
                }
                Err(AppError::InvalidCode) => Err(Words::pick(|t| t.two_step.wrong_code)),
                Err(e) => Err(Words::refused(e, |t| t.two_step.not_set_up)),
            }
        })
    };
    let turn_off = move |_| {
        action.run(async move {
            api::disable_totp().await.map_err(|e| Words::refused(e, |t| t.two_step.still_on))?;
            stage.try_set(Stage::Settled);
            status.refetch();
            Ok(Words::pick(|t| t.two_step.is_off))
        })
    };
    let renew = move |_| {
        action.run(async move {
            let codes =
                api::renew_recovery_codes().await.map_err(|e| Words::refused(e, |t| t.two_step.no_new_codes))?;
            stage.try_set(Stage::Codes(codes.recovery_codes));
            status.refetch();
            Ok(Words::pick(|t| t.two_step.renewed))
        })
    };

    let busy = move || pending.get();
    view! {
        <section class="card" aria-labelledby="two-step-title">
            <h2 id="two-step-title">{tr(|t| t.two_step.title)}</h2>
            {move || match stage.get() {
                Stage::Confirming(setup) => view! {
                    <p>{tr(|t| t.two_step.scan)}</p>
                    <div class="qr" role="img" aria-label=tr(|t| t.two_step.qr) inner_html=setup.qr_svg.clone()></div>
                    <p class="muted">{tr(|t| t.two_step.cannot_scan)}<code class="secret">{grouped(&setup.secret)}</code></p>
                    <form class="form form--inline" on:submit=confirm>
                        <div class="field">
                            <label for="totp-code">{tr(|t| t.second_step.code)}</label>
                            <input id="totp-code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required
                                prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                        </div>
                        <BusyButton label=|t| t.two_step.turn_on pending=pending kind="submit" class="button button--primary"/>
                    </form>
                }.into_any(),
                Stage::Codes(codes) => view! { <RecoveryCodeList codes=codes on_done=move || stage.set(Stage::Settled)/> }.into_any(),
                Stage::Settled => view! {
                    <Suspense fallback=move || view! { <p class="muted"><Spinner/>" "{tr(|t| t.common.loading)}</p> }>
                        {move || status.get().map(|status| match status {
                            Err(e) => view! { <p class="alert" role="alert">{move || (t().two_step.load_failed)(&(t().error)(&e))}</p> }.into_any(),
                            Ok(MfaStatus { totp: true, recovery_codes_left }) => view! {
                                <p><strong>{tr(|t| t.two_step.on)}</strong>{tr(|t| t.two_step.on_explained)}
                                    {move || (t().two_step.codes_left)(recovery_codes_left)}</p>
                                <div class="actions">
                                    <button class="button" on:click=renew disabled=busy>{tr(|t| t.two_step.new_codes)}</button>
                                    <button class="button button--danger" on:click=turn_off disabled=busy>{tr(|t| t.two_step.turn_off)}</button>
                                </div>
                            }.into_any(),
                            Ok(_) => view! {
                                <p class="muted">{tr(|t| t.two_step.off)}</p>
                                <div class="actions">
                                    <BusyButton label=|t| t.two_step.set_up pending=pending class="button button--primary" on:click=set_up/>
                                </div>
                            }.into_any(),
                        })}
                    </Suspense>
                }.into_any(),
            }}
            <ErrorAlert message=error/>
            <p class="notice notice--ok" role="status">
                {move || done.get().map(|words| words.say(t())).filter(|said| !said.is_empty())}
            </p>
        </section>
    }
}

/// The recovery codes, shown once, with copy and download.
#[component]
fn RecoveryCodeList(codes: Vec<String>, on_done: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let text = codes.join("\n");
    let language = use_language();
    let t = use_texts();
    let copied = RwSignal::new(None::<Pick>);
    let for_copy = text.clone();
    let copy = move |_| {
        let text = for_copy.clone();
        spawn_local(async move {
            let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
            let done = match clipboard {
                Some(clipboard) => wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await.is_ok(),
                None => false,
            };
            let said: Pick = if done { |t| t.two_step.copied } else { |t| t.two_step.copy_refused };
            copied.try_set(Some(said));
        });
    };
    let for_download = text.clone();
    let download = move |_| {
        let t = language.texts_untracked();
        let saved = files::save(
            "baton-recovery-codes.txt",
            "text/plain",
            &format!("{}\n\n{for_download}\n", t.two_step.codes_file),
        );
        let said: Pick = if saved.is_ok() { |t| t.two_step.downloaded } else { |t| t.common.save_refused };
        copied.set(Some(said));
    };
    view! {
        <h3>{tr(|t| t.two_step.codes_title)}</h3>
        <p>{tr(|t| t.two_step.codes_explained)}</p>
        <ul class="recovery-codes" aria-label=tr(|t| t.two_step.codes_list)>
            {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
        </ul>
        <div class="actions">
            <button class="button" on:click=copy>{tr(|t| t.two_step.copy)}</button>
            <button class="button" on:click=download>{tr(|t| t.two_step.download)}</button>
            <button class="button button--primary" on:click=move |_| on_done()>{tr(|t| t.two_step.saved)}</button>
        </div>
        <p class="hint" role="status">{move || copied.get().map(|said| said(t()))}</p>
    }
}
