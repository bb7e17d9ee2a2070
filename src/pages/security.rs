//! The sign-in sections of `/account`: **Passkeys** (add one, see when each was last
//! used, remove one) and **Two-step verification** (set up the authenticator app with
//! its QR code, turn it on with a code, the recovery codes shown once; turn it off,
//! new recovery codes).

use super::{
    components::{self, ErrorAlert, Spinner, Submission},
    format::{parse_instant, relative_time},
};
use crate::{
    client::{fetch, webauthn},
    shared::{
        error::AppError,
        wire::{MfaStatus, PasskeyInfo, RecoveryCodes, TotpSetup},
    },
};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use serde_json::{json, Value};

/// "3 days ago", from an RFC 3339 instant.
fn ago(rfc3339: &str) -> String {
    relative_time(parse_instant(rfc3339), fetch::now())
}

/// The secret in groups of four, as people copy it into an app ("ABCD EFGH …").
fn grouped(secret: &str) -> String {
    secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// What a refused sensitive action says.
fn not_confirmed(what: &str) -> String {
    format!("{what}: you did not confirm it was you.")
}

#[component]
pub fn Passkeys() -> impl IntoView {
    let passkeys = LocalResource::new(|| fetch::get_json::<Vec<PasskeyInfo>>("/api/passkeys"));
    let name = RwSignal::new(String::new());
    let adding = Submission::new();
    let Submission { pending, error, done } = adding;
    let add = move |event: SubmitEvent| {
        event.prevent_default();
        adding.run(async move {
            let started: Value = match fetch::post("/api/passkeys/register/start").await {
                Ok(started) => started,
                Err(AppError::ReauthRequired) => return Err(not_confirmed("No passkey added")),
                Err(e) => return Err(e.to_string()),
            };
            let origin = started["origin"].as_str().unwrap_or_default();
            if !webauthn::here(origin) {
                return Err(format!("Passkeys for this Baton work only at {origin}. Open Baton there to add one."));
            }
            let credential = webauthn::create(&started["publicKey"]).await.map_err(|f| f.message())?;
            let body = json!({ "name": name.get_untracked(), "credential": credential });
            let added: PasskeyInfo = match fetch::post_json("/api/passkeys/register/finish", &body).await {
                Ok(response) => fetch::json(response).await.map_err(|e| e.to_string())?,
                Err(AppError::InvalidCode) => return Err("The passkey could not be verified. Please try again.".into()),
                Err(e) => return Err(e.to_string()),
            };
            name.try_set(String::new());
            passkeys.refetch();
            Ok(format!(
                "Passkey \u{201c}{}\u{201d} added. You can now sign in with it, without your password.",
                added.name
            ))
        })
    };

    view! {
        <section class="card" aria-labelledby="passkeys-title">
            <h2 id="passkeys-title">"Passkeys"</h2>
            <p class="muted">
                "A passkey signs you in with your device's screen lock or security key instead of your password. It cannot be phished and counts as two steps on its own."
            </p>
            <Suspense fallback=|| view! { <p class="muted"><Spinner/>" Loading your passkeys…"</p> }>
                {move || passkeys.get().map(|list| match list {
                    Err(e) => view! { <p class="alert" role="alert">{format!("Could not load your passkeys: {e}")}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="muted">"No passkey yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="passkeys">
                            {list.into_iter().map(|p| view! { <PasskeyRow passkey=p on_removed=move || passkeys.refetch()/> }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
            <form class="form form--inline" on:submit=add>
                <div class="field">
                    <label for="passkey-name">"Name (optional)"</label>
                    <input id="passkey-name" type="text" maxlength="64" placeholder="e.g. Work laptop" autocomplete="off"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
                <button type="submit" class="button button--primary" disabled=move || pending.get()
                    aria-busy=move || pending.get().to_string()>
                    <Show when=move || pending.get()><Spinner/></Show>
                    "Add a passkey"
                </button>
            </form>
            <ErrorAlert message=error/>
            <p class="notice notice--ok" role="status">{move || done.get()}</p>
        </section>
    }
}

#[component]
fn PasskeyRow(passkey: PasskeyInfo, on_removed: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let removing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = passkey.id.clone();
    let remove = move |_| {
        let id = id.clone();
        let on_removed = on_removed.clone();
        removing.set(true);
        error.set(None);
        spawn_local(async move {
            match fetch::delete(&format!("/api/passkeys/{id}")).await {
                Ok(()) => on_removed(),
                Err(AppError::ReauthRequired) => {
                    error.try_set(Some(not_confirmed("Not removed")));
                }
                Err(e) => {
                    error.try_set(Some(format!("Could not remove it: {e}")));
                }
            }
            removing.try_set(false);
        });
    };
    let used = passkey.last_used_at.as_deref().map(ago).unwrap_or_else(|| "never".to_string());
    view! {
        <li class="passkey">
            <div>
                <p class="passkey__name">{passkey.name.clone()}</p>
                <p class="muted passkey__dates">{format!("Added {} · last used {}", ago(&passkey.created_at), used)}</p>
            </div>
            <button class="button button--small button--danger" on:click=remove disabled=move || removing.get()
                aria-label=format!("Remove {}", passkey.name) aria-busy=move || removing.get().to_string()>
                <Show when=move || removing.get()><Spinner/></Show>
                "Remove"
            </button>
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
    let status = LocalResource::new(|| fetch::get_json::<MfaStatus>("/api/mfa"));
    let stage = RwSignal::new(Stage::Settled);
    let action = Submission::new();
    let Submission { pending, error, done } = action;
    let code = RwSignal::new(String::new());

    let set_up = move |_| {
        action.run(async move {
            match fetch::post::<TotpSetup>("/api/mfa/totp/start").await {
                Ok(setup) => {
                    stage.try_set(Stage::Confirming(setup));
                    Ok(String::new())
                }
                Err(AppError::ReauthRequired) => Err(not_confirmed("Not set up")),
                Err(e) => Err(e.to_string()),
            }
        })
    };
    let confirm = move |event: SubmitEvent| {
        event.prevent_default();
        action.run(async move {
            let typed = code.get_untracked();
            match fetch::post_fields("/api/mfa/totp/confirm", &[("code", typed.as_str())]).await {
                Ok(response) => {
                    let codes: RecoveryCodes = fetch::json(response).await.map_err(|e| e.to_string())?;
                    code.try_set(String::new());
                    stage.try_set(Stage::Codes(codes.recovery_codes));
                    status.refetch();
                    Ok("Two-step verification is on.".to_string())
                }
                Err(AppError::InvalidCode) => Err("That code did not work. Enter the code your app shows now.".into()),
                Err(e) => Err(e.to_string()),
            }
        })
    };
    let turn_off = move |_| {
        action.run(async move {
            match fetch::post_fields("/api/mfa/totp/disable", &[]).await {
                Ok(_) => {
                    stage.try_set(Stage::Settled);
                    status.refetch();
                    Ok("Two-step verification is off.".to_string())
                }
                Err(AppError::ReauthRequired) => Err(not_confirmed("Still on")),
                Err(e) => Err(e.to_string()),
            }
        })
    };
    let renew = move |_| {
        action.run(async move {
            match fetch::post::<RecoveryCodes>("/api/mfa/recovery_codes").await {
                Ok(codes) => {
                    stage.try_set(Stage::Codes(codes.recovery_codes));
                    status.refetch();
                    Ok("New recovery codes made; the old ones no longer work.".to_string())
                }
                Err(AppError::ReauthRequired) => Err(not_confirmed("No new codes")),
                Err(e) => Err(e.to_string()),
            }
        })
    };

    let busy = move || pending.get();
    view! {
        <section class="card" aria-labelledby="two-step-title">
            <h2 id="two-step-title">"Two-step verification"</h2>
            {move || match stage.get() {
                Stage::Confirming(setup) => view! {
                    <p>"Scan this QR code with your authenticator app, then enter the 6-digit code it shows."</p>
                    <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=setup.qr_svg.clone()></div>
                    <p class="muted">"Cannot scan it? Enter this key in the app: "<code class="secret">{grouped(&setup.secret)}</code></p>
                    <form class="form form--inline" on:submit=confirm>
                        <div class="field">
                            <label for="totp-code">"Verification code"</label>
                            <input id="totp-code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required
                                prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                        </div>
                        <button type="submit" class="button button--primary" disabled=busy aria-busy=move || busy().to_string()>
                            <Show when=busy><Spinner/></Show>
                            "Turn on"
                        </button>
                    </form>
                }.into_any(),
                Stage::Codes(codes) => view! { <RecoveryCodeList codes=codes on_done=move || stage.set(Stage::Settled)/> }.into_any(),
                Stage::Settled => view! {
                    <Suspense fallback=|| view! { <p class="muted"><Spinner/>" Loading…"</p> }>
                        {move || status.get().map(|status| match status {
                            Err(e) => view! { <p class="alert" role="alert">{format!("Could not load it: {e}")}</p> }.into_any(),
                            Ok(MfaStatus { totp: true, recovery_codes_left }) => view! {
                                <p><strong>"On."</strong>" Signing in with your password also asks for a code from your authenticator app. "
                                    {format!("{recovery_codes_left} recovery codes left.")}</p>
                                <div class="actions">
                                    <button class="button" on:click=renew disabled=busy>"New recovery codes"</button>
                                    <button class="button button--danger" on:click=turn_off disabled=busy>"Turn off"</button>
                                </div>
                            }.into_any(),
                            Ok(_) => view! {
                                <p class="muted">"Off. With it on, signing in with your password also asks for a code from an authenticator app on your phone."</p>
                                <div class="actions">
                                    <button class="button button--primary" on:click=set_up disabled=busy aria-busy=move || busy().to_string()>
                                        <Show when=busy><Spinner/></Show>
                                        "Set up authenticator app"
                                    </button>
                                </div>
                            }.into_any(),
                        })}
                    </Suspense>
                }.into_any(),
            }}
            <ErrorAlert message=error/>
            <p class="notice notice--ok" role="status">{move || done.get().filter(|d| !d.is_empty())}</p>
        </section>
    }
}

/// The recovery codes, shown once, with copy and download.
#[component]
fn RecoveryCodeList(codes: Vec<String>, on_done: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let text = codes.join("\n");
    let copied = RwSignal::new(None::<&'static str>);
    let for_copy = text.clone();
    let copy = move |_| {
        let text = for_copy.clone();
        spawn_local(async move {
            let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
            let done = match clipboard {
                Some(clipboard) => wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await.is_ok(),
                None => false,
            };
            copied.try_set(Some(if done {
                "Copied."
            } else {
                "Your browser refused to copy; select the codes instead."
            }));
        });
    };
    let for_download = text.clone();
    let download = move |_| {
        let saved = components::save_file(
            "baton-recovery-codes.txt",
            "text/plain",
            &format!("Baton recovery codes\n\n{for_download}\n"),
        );
        copied.set(Some(if saved.is_ok() { "Downloaded." } else { "Your browser refused to save the file." }));
    };
    view! {
        <h3>"Your recovery codes"</h3>
        <p>"If you lose your phone, each of these codes signs you in once instead of a code from the app. Keep them somewhere safe: they are shown only now."</p>
        <ul class="recovery-codes" aria-label="Recovery codes">
            {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
        </ul>
        <div class="actions">
            <button class="button" on:click=copy>"Copy"</button>
            <button class="button" on:click=download>"Download"</button>
            <button class="button button--primary" on:click=move |_| on_done()>"I saved them"</button>
        </div>
        <p class="hint" role="status">{move || copied.get()}</p>
    }
}
