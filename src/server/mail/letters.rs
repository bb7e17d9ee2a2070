//! What each mail says: a plain-text part and a simple HTML part, written from one
//! [`Letter`] (what happened) and, for mails that carry one, its link.
//!
//! The words live in [`english`] and [`korean`], one function per language; [`write`]
//! picks the account's and puts the words in the same plain frame.
//! Everything quoted from a request (a device name comes from a User-Agent header) is
//! escaped in the HTML part; subjects are fixed text.

use crate::shared::{device::in_language, i18n::Lang};
use serde::{Deserialize, Serialize};

/// A mail to write, as queued in the outbox (JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "letter", rename_all = "snake_case")]
pub enum Letter {
    /// A link to set a new password.
    ResetPassword { valid_minutes: u64 },
    /// A link that proves the account's address (sent at registration, and again on
    /// request).
    VerifyEmail,
    /// To the new address: a link that makes it the account's address.
    ConfirmNewEmail,
    /// To the old address: someone asked to move the account to `new_email`.
    EmailChangeRequested { new_email: String },
    /// A sign-in from a device and address the account had not used; carries a
    /// "This wasn't me" link.
    NewSignIn { device: String, address: String, at_ms: i64 },
    /// To the old address, once a change of address completed: its link ("This wasn't
    /// me") puts the old address back.
    EmailChanged { new_email: String },
    /// Someone entered the right password and then too many wrong second-step codes.
    SecondStepFailures,
    /// Something about how the account signs in changed: a passkey added or removed,
    /// two-step verification on or off, a recovery code used, new recovery codes.
    SecurityChange { change: SecurityChange, device: String, at_ms: i64 },
    /// An administrator locked the account, saying why.
    AccountLocked { reason: String },
    /// An administrator deleted the account, saying why (the last mail it gets).
    AccountDeleted { reason: String },
    /// A sign-in code and its one-click link; to an address with no account
    /// (`new_account`), an invitation to create one. The code itself is never queued:
    /// the sender makes it and puts it here just before writing ([`Letter::with_code`]).
    SignInCode {
        valid_minutes: u64,
        new_account: bool,
        #[serde(skip)]
        code: String,
    },
    /// Someone entered too many wrong sign-in codes sent to the account's address.
    SignInCodeFailures,
}

/// What changed, for [`Letter::SecurityChange`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityChange {
    PasskeyAdded,
    PasskeyRemoved,
    MfaEnabled,
    MfaDisabled,
    RecoveryCodeUsed,
    RecoveryCodesRenewed,
    ProviderConnected,
    ProviderDisconnected,
}

/// Where a mail's link leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A single-use link with a token: `{path}?token=…`.
    Token(&'static str),
    /// A page of the app.
    Page(&'static str),
}

impl Letter {
    pub fn link(&self) -> LinkKind {
        match self {
            Letter::ResetPassword { .. } => LinkKind::Token("/reset"),
            Letter::VerifyEmail | Letter::ConfirmNewEmail => LinkKind::Token("/verify"),
            Letter::EmailChangeRequested { .. } => LinkKind::Page("/account"),
            Letter::NewSignIn { .. } => LinkKind::Page("/sessions"),
            Letter::EmailChanged { .. } => LinkKind::Token(NOT_ME_PATH),
            Letter::SecondStepFailures => LinkKind::Page("/account"),
            Letter::SecurityChange { .. } => LinkKind::Page("/activity"),
            Letter::AccountLocked { .. } | Letter::AccountDeleted { .. } => LinkKind::Page("/login"),
            Letter::SignInCode { .. } => LinkKind::Token(SIGN_IN_CODE_PATH),
            Letter::SignInCodeFailures => LinkKind::Page("/activity"),
        }
    }

    /// The letter with the sign-in code it carries, once the sender made it.
    pub fn with_code(self, made: String) -> Letter {
        match self {
            Letter::SignInCode { valid_minutes, new_account, .. } => {
                Letter::SignInCode { valid_minutes, new_account, code: made }
            }
            other => other,
        }
    }

    /// The sign-in code it carries, if any.
    fn code(&self) -> Option<&str> {
        match self {
            Letter::SignInCode { code, .. } if !code.is_empty() => Some(code),
            _ => None,
        }
    }

    /// The path of the single-use link the mail carries, if it carries one: its main
    /// link, or its "This wasn't me".
    pub fn token_path(&self) -> Option<&'static str> {
        match self.link() {
            LinkKind::Token(path) => Some(path),
            LinkKind::Page(_) if self.carries_not_me() => Some(NOT_ME_PATH),
            LinkKind::Page(_) => None,
        }
    }

    /// Whether the mail also carries a "This wasn't me" link (`/not-me?token=…`, the
    /// mail's single-use link) below its main one.
    pub fn carries_not_me(&self) -> bool {
        matches!(self, Letter::NewSignIn { .. })
    }
}

/// Where "This wasn't me" links lead.
pub const NOT_ME_PATH: &str = "/not-me";
/// Where a sign-in code's one-click link leads.
pub const SIGN_IN_CODE_PATH: &str = "/login/code";

/// A mail ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A mail's own words: its subject, its paragraphs, the link's label, and what to do
/// if it was not you.
type MailWords = (&'static str, Vec<String>, &'static str, &'static str);

/// `letter` in `lang`, with its `link` (a full URL) and, for a mail that
/// [carries one](Letter::carries_not_me), its "This wasn't me" link.
pub fn write(lang: Lang, letter: &Letter, link: &str, not_me: Option<&str>) -> Written {
    let ((subject, lines, action, not_you), hello, copy, (not_me_label, not_me_why)) = match lang {
        Lang::En => (
            english(letter),
            "Hello,",
            "Or copy this link:",
            (
                "This wasn't me",
                "Signs out that device and every device signed in after it, and lets you choose a new password.",
            ),
        ),
        Lang::Ko => (
            korean(letter),
            "안녕하세요.",
            "또는 이 링크를 복사해 주소창에 붙여 넣으세요:",
            ("본인이 아닙니다", "그 기기와 그 뒤에 로그인한 모든 기기를 로그아웃시키고, 새 비밀번호를 정하게 합니다."),
        ),
    };
    let escape = |s: &str| html_escape::encode_text(s).into_owned();
    let not_me_text = not_me.map(|url| format!("{not_me_label}: {url}\n{not_me_why}\n\n")).unwrap_or_default();
    let text = format!("{hello}\n\n{}\n\n{action}: {link}\n\n{not_you}\n\n{not_me_text}— Baton\n", lines.join("\n\n"));
    let not_me_html = not_me
        .map(|url| {
            format!(
                "<p><a href=\"{href}\" style=\"color: #b3261e; font-weight: 600\">{label}</a><br>\n{why}</p>\n",
                href = html_escape::encode_double_quoted_attribute(url),
                label = escape(not_me_label),
                why = escape(not_me_why),
            )
        })
        .unwrap_or_default();
    // A paragraph's own line breaks (the sign-in's details) stay lines in HTML; a
    // sign-in code stands out, large and spaced, for someone reading it off a phone.
    let paragraphs: String = lines
        .iter()
        .map(|line| match letter.code() {
            Some(code) if line == code => format!(
                "<p style=\"font-family: ui-monospace, monospace; font-size: 2em; font-weight: 700; \
                 letter-spacing: 0.2em; margin: 0.5em 0\">{}</p>\n",
                escape(line)
            ),
            _ => format!("<p>{}</p>\n", escape(line).replace('\n', "<br>\n")),
        })
        .collect();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body style=\"font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 36rem\">\n\
         <p>{hello}</p>\n{paragraphs}<p><a href=\"{href}\" style=\"display: inline-block; padding: 0.6em 1.2em; \
         background: #2f5bd3; color: #ffffff; border-radius: 6px; text-decoration: none\">{action}</a></p>\n\
         <p style=\"font-size: 0.9em\">{copy} {link_text}</p>\n<p>{not_you}</p>\n{not_me_html}<p>— Baton</p>\n\
         </body></html>\n",
        lang = lang.code(),
        title = escape(subject),
        href = html_escape::encode_double_quoted_attribute(link),
        action = escape(action),
        link_text = escape(link),
        not_you = escape(not_you),
    );
    Written { subject: subject.to_string(), text, html }
}

/// `letter`'s words in English.
fn english(letter: &Letter) -> MailWords {
    let (subject, lines, action, not_you) = match letter {
        Letter::ResetPassword { valid_minutes } => (
            "Reset your Baton password",
            vec![
                "Someone (hopefully you) asked to reset the password of your Baton account.".into(),
                format!(
                    "Follow this link to choose a new one. It works once, for {valid_minutes} minutes, and signs \
                     out every device signed in to your account."
                ),
            ],
            "Choose a new password",
            "If it was not you, ignore this mail: your password stays as it is.",
        ),
        Letter::VerifyEmail => (
            "Confirm your email address for Baton",
            vec!["Please confirm that this is your address, so we can reach you about your Baton account.".into()],
            "Confirm my address",
            "If you did not create a Baton account, ignore this mail: nothing happens unless the link is followed.",
        ),
        Letter::ConfirmNewEmail => (
            "Confirm your new email address for Baton",
            vec![
                "Someone (hopefully you) asked to use this address for their Baton account.".into(),
                "Follow this link to confirm it. Until then the account keeps its old address.".into(),
            ],
            "Use this address",
            "If it was not you, ignore this mail: nothing changes unless the link is followed.",
        ),
        Letter::EmailChangeRequested { new_email } => (
            "Your Baton account's email address is about to change",
            vec![
                format!("Someone signed in to your Baton account asked to change its address to {new_email}."),
                "Nothing changes unless the link sent to that address is followed.".into(),
            ],
            "Review your account",
            "If it was not you, sign in, change your password and sign out everywhere.",
        ),
        Letter::NewSignIn { device, address, at_ms } => (
            "New sign-in to your account",
            vec![
                "Your Baton account was just signed in to from a device it had not used before.".into(),
                format!("Device: {device}\nAddress: {address}\nTime: {}", mail_time(Lang::En, *at_ms)),
            ],
            "See your sessions",
            "If it was you, there is nothing to do. If it was not, follow \"This wasn't me\" below.",
        ),
        Letter::EmailChanged { new_email } => (
            "Your email address was changed",
            vec![
                format!("The address of your Baton account was changed to {new_email}. Mail about the account now goes there."),
                "If you made this change, there is nothing to do.".into(),
            ],
            "This wasn't me",
            "The link puts this address back, signs out the device that made the change and every device signed \
             in after it, and lets you choose a new password. It works once, for 7 days.",
        ),
        Letter::SecondStepFailures => (
            "Someone entered your password but not your second step",
            vec![
                "Someone entered your Baton password correctly, then failed two-step verification too many times. \
                 Two-step verification is paused for your account for a while."
                    .into(),
                "Your password is known to someone else: change it now.".into(),
            ],
            "Change your password",
            "If it was you, there is nothing to worry about; try again later.",
        ),
        Letter::SecurityChange { change, device, at_ms } => {
            let (subject, what) = match change {
                SecurityChange::PasskeyAdded => ("A passkey was added to your account", "A passkey was added to your Baton account."),
                SecurityChange::PasskeyRemoved => ("A passkey was removed from your account", "A passkey was removed from your Baton account."),
                SecurityChange::MfaEnabled => ("Two-step verification is on", "Two-step verification was turned on for your Baton account: signing in with your password now also asks for a code from your authenticator app."),
                SecurityChange::MfaDisabled => ("Two-step verification is off", "Two-step verification was turned off for your Baton account: your password alone signs in now."),
                SecurityChange::RecoveryCodeUsed => ("A recovery code was used", "One of your recovery codes was just used to sign in to your Baton account. It will not work again."),
                SecurityChange::RecoveryCodesRenewed => ("New recovery codes", "New recovery codes were made for your Baton account; the old ones no longer work."),
                SecurityChange::ProviderConnected => ("An account at another provider was connected", "An account at another provider was connected to your Baton account: it can now sign in to it."),
                SecurityChange::ProviderDisconnected => ("An account at another provider was disconnected", "An account at another provider was disconnected from your Baton account: it no longer signs in to it."),
            };
            (
                subject,
                vec![what.into(), format!("Device: {device}\nTime: {}", mail_time(Lang::En, *at_ms))],
                "See your account's activity",
                "If it was not you, change your password, sign out everywhere and review your passkeys and two-step \
                 verification.",
            )
        }
        Letter::AccountLocked { reason } => (
            "Your Baton account was locked",
            vec![
                "An administrator locked your Baton account and signed it out on every device. Until it is \
                 unlocked, it cannot be signed in to."
                    .into(),
                format!("The reason given: {reason}"),
            ],
            "Open Baton",
            "If you think this is a mistake, contact your administrator.",
        ),
        Letter::AccountDeleted { reason } => (
            "Your Baton account was deleted",
            vec![
                "An administrator deleted your Baton account, with its sessions, passkeys and activity.".into(),
                format!("The reason given: {reason}"),
            ],
            "Open Baton",
            "If you think this is a mistake, contact your administrator.",
        ),
        Letter::SignInCode { valid_minutes, new_account: false, code } => (
            "Your Baton sign-in code",
            vec![
                "Enter this code to sign in to your Baton account:".into(),
                code.clone(),
                format!("Or follow the link below. Both work once, for {valid_minutes} minutes."),
            ],
            "Sign in",
            "If you did not ask for it, ignore this mail: nobody can sign in without the code.",
        ),
        Letter::SignInCode { valid_minutes, new_account: true, code } => (
            "Your Baton code: create your account",
            vec![
                "Someone (hopefully you) asked to sign in to Baton with this address. It has no account yet: \
                 enter this code to create one, with no password needed."
                    .into(),
                code.clone(),
                format!("Or follow the link below. Both work once, for {valid_minutes} minutes."),
            ],
            "Create my account",
            "If it was not you, ignore this mail: no account is made unless the code or the link is used.",
        ),
        Letter::SignInCodeFailures => (
            "Someone tried to guess a sign-in code for your account",
            vec![
                "Someone entered too many wrong sign-in codes for your Baton account. Signing in with an email \
                 code is paused for your account for a while; your password, passkeys and providers still work."
                    .into(),
                "They did not get in: the codes go only to this mailbox.".into(),
            ],
            "See your account's activity",
            "If it was you, wait a while and ask for a new code.",
        ),
    };
    (subject, lines, action, not_you)
}

/// `letter`'s words in Korean (the polite 합니다 style; the device named in Korean).
fn korean(letter: &Letter) -> MailWords {
    let device_in_korean = |device: &str| in_language(device, &Lang::Ko.texts().device);
    match letter {
        Letter::ResetPassword { valid_minutes } => (
            "Baton 비밀번호 재설정",
            vec![
                "누군가(아마도 본인이) Baton 계정의 비밀번호 재설정을 요청했습니다.".into(),
                format!(
                    "아래 링크에서 새 비밀번호를 정하세요. 링크는 {valid_minutes}분 동안 한 번만 쓸 수 있으며, 계정에 \
                     로그인된 모든 기기에서 로그아웃됩니다."
                ),
            ],
            "새 비밀번호 정하기",
            "본인이 요청하지 않았다면 이 메일을 무시하세요. 비밀번호는 그대로 유지됩니다.",
        ),
        Letter::VerifyEmail => (
            "Baton 이메일 주소를 인증해 주세요",
            vec!["Baton 계정에 관해 연락드릴 수 있도록 이 주소가 본인의 것인지 확인해 주세요.".into()],
            "내 주소 인증하기",
            "Baton 계정을 만들지 않았다면 이 메일을 무시하세요. 링크를 열지 않으면 아무 일도 일어나지 않습니다.",
        ),
        Letter::ConfirmNewEmail => (
            "Baton 새 이메일 주소를 확인해 주세요",
            vec![
                "누군가(아마도 본인이) Baton 계정에 이 주소를 쓰겠다고 요청했습니다.".into(),
                "아래 링크를 열어 확인하세요. 그 전까지 계정은 이전 주소를 그대로 씁니다.".into(),
            ],
            "이 주소 사용하기",
            "본인이 요청하지 않았다면 이 메일을 무시하세요. 링크를 열지 않으면 아무것도 바뀌지 않습니다.",
        ),
        Letter::EmailChangeRequested { new_email } => (
            "Baton 계정의 이메일 주소가 곧 바뀝니다",
            vec![
                format!("Baton 계정에 로그인한 누군가가 주소를 {new_email}(으)로 바꾸겠다고 요청했습니다."),
                "그 주소로 보낸 링크를 열지 않으면 아무것도 바뀌지 않습니다.".into(),
            ],
            "계정 확인하기",
            "본인이 아니라면 로그인해서 비밀번호를 바꾸고 모든 기기에서 로그아웃하세요.",
        ),
        Letter::NewSignIn { device, address, at_ms } => (
            "계정에 새 로그인이 있었습니다",
            vec![
                "처음 보는 기기에서 Baton 계정에 방금 로그인했습니다.".into(),
                format!("기기: {}\n주소: {address}\n시간: {}", device_in_korean(device), mail_time(Lang::Ko, *at_ms)),
            ],
            "세션 보기",
            "본인이라면 할 일이 없습니다. 본인이 아니라면 아래의 \"본인이 아닙니다\"를 누르세요.",
        ),
        Letter::EmailChanged { new_email } => (
            "이메일 주소가 바뀌었습니다",
            vec![
                format!(
                    "Baton 계정의 주소가 {new_email}(으)로 바뀌었습니다. 이제 계정에 관한 메일은 그 주소로 갑니다."
                ),
                "본인이 바꾼 것이라면 할 일이 없습니다.".into(),
            ],
            "본인이 아닙니다",
            "이 링크는 이 주소를 되돌리고, 변경한 기기와 그 뒤에 로그인한 모든 기기를 로그아웃시키며, 새 비밀번호를 \
             정하게 합니다. 7일 동안 한 번만 쓸 수 있습니다.",
        ),
        Letter::SecondStepFailures => (
            "누군가 비밀번호는 맞혔지만 2단계 인증에 실패했습니다",
            vec![
                "누군가 Baton 비밀번호를 맞게 입력한 뒤 2단계 인증에 여러 번 실패했습니다. 한동안 계정의 2단계 \
                 인증이 멈춥니다."
                    .into(),
                "다른 사람이 비밀번호를 알고 있습니다. 지금 바꾸세요.".into(),
            ],
            "비밀번호 바꾸기",
            "본인이었다면 걱정하지 마시고 나중에 다시 시도하세요.",
        ),
        Letter::SecurityChange { change, device, at_ms } => {
            let (subject, what) = match change {
                SecurityChange::PasskeyAdded => ("계정에 패스키가 추가되었습니다", "Baton 계정에 패스키가 추가되었습니다."),
                SecurityChange::PasskeyRemoved => ("계정에서 패스키가 삭제되었습니다", "Baton 계정에서 패스키가 삭제되었습니다."),
                SecurityChange::MfaEnabled => ("2단계 인증이 켜졌습니다", "Baton 계정의 2단계 인증이 켜졌습니다. 이제 비밀번호로 로그인할 때 인증 앱의 코드도 입력해야 합니다."),
                SecurityChange::MfaDisabled => ("2단계 인증이 꺼졌습니다", "Baton 계정의 2단계 인증이 꺼졌습니다. 이제 비밀번호만으로 로그인됩니다."),
                SecurityChange::RecoveryCodeUsed => ("복구 코드가 사용되었습니다", "방금 복구 코드 하나로 Baton 계정에 로그인했습니다. 이 코드는 다시 쓸 수 없습니다."),
                SecurityChange::RecoveryCodesRenewed => ("복구 코드를 새로 만들었습니다", "Baton 계정의 복구 코드를 새로 만들었습니다. 이전 코드는 더 이상 쓸 수 없습니다."),
                SecurityChange::ProviderConnected => ("다른 서비스의 계정이 연결되었습니다", "다른 서비스의 계정이 Baton 계정에 연결되었습니다. 이제 그 계정으로 로그인할 수 있습니다."),
                SecurityChange::ProviderDisconnected => ("다른 서비스의 계정 연결이 해제되었습니다", "다른 서비스의 계정이 Baton 계정에서 연결 해제되었습니다. 이제 그 계정으로는 로그인할 수 없습니다."),
            };
            (
                subject,
                vec![what.into(), format!("기기: {}\n시간: {}", device_in_korean(device), mail_time(Lang::Ko, *at_ms))],
                "계정 활동 보기",
                "본인이 아니라면 비밀번호를 바꾸고 모든 기기에서 로그아웃한 뒤, 패스키와 2단계 인증을 확인하세요.",
            )
        }
        Letter::AccountLocked { reason } => (
            "Baton 계정이 잠겼습니다",
            vec![
                "관리자가 Baton 계정을 잠그고 모든 기기에서 로그아웃시켰습니다. 잠금이 풀릴 때까지 로그인할 수 없습니다."
                    .into(),
                format!("관리자가 밝힌 이유: {reason}"),
            ],
            "Baton 열기",
            "잘못된 조치라고 생각되면 관리자에게 문의하세요.",
        ),
        Letter::AccountDeleted { reason } => (
            "Baton 계정이 삭제되었습니다",
            vec![
                "관리자가 Baton 계정을 세션, 패스키, 활동 기록과 함께 삭제했습니다.".into(),
                format!("관리자가 밝힌 이유: {reason}"),
            ],
            "Baton 열기",
            "잘못된 조치라고 생각되면 관리자에게 문의하세요.",
        ),
        Letter::SignInCode { valid_minutes, new_account: false, code } => (
            "Baton 로그인 코드",
            vec![
                "Baton 계정에 로그인하려면 이 코드를 입력하세요:".into(),
                code.clone(),
                format!("또는 아래 링크를 누르세요. 코드와 링크 모두 {valid_minutes}분 동안 한 번만 쓸 수 있습니다."),
            ],
            "로그인",
            "본인이 요청하지 않았다면 이 메일을 무시하세요. 코드가 없으면 아무도 로그인할 수 없습니다.",
        ),
        Letter::SignInCode { valid_minutes, new_account: true, code } => (
            "Baton 코드: 계정 만들기",
            vec![
                "누군가(아마도 본인이) 이 주소로 Baton에 로그인하려고 했습니다. 이 주소의 계정은 아직 없습니다. \
                 이 코드를 입력하면 비밀번호 없이 계정이 만들어집니다."
                    .into(),
                code.clone(),
                format!("또는 아래 링크를 누르세요. 코드와 링크 모두 {valid_minutes}분 동안 한 번만 쓸 수 있습니다."),
            ],
            "계정 만들기",
            "본인이 아니라면 이 메일을 무시하세요. 코드나 링크를 쓰지 않으면 계정은 만들어지지 않습니다.",
        ),
        Letter::SignInCodeFailures => (
            "누군가 계정의 로그인 코드를 추측하려 했습니다",
            vec![
                "누군가 Baton 계정의 로그인 코드를 여러 번 틀렸습니다. 한동안 이메일 코드로는 로그인할 수 없습니다. \
                 비밀번호, 패스키, 연결된 계정으로는 그대로 로그인할 수 있습니다."
                    .into(),
                "코드는 이 메일함으로만 가므로 그 사람은 로그인하지 못했습니다.".into(),
            ],
            "계정 활동 보기",
            "본인이었다면 잠시 뒤 새 코드를 요청하세요.",
        ),
    }
}

/// When something happened, as a mail says it, in UTC: "Sunday, 29 November 2026, 09:40
/// UTC"; "2026년 11월 29일 (일) 09:40 UTC".
fn mail_time(lang: Lang, at_ms: i64) -> String {
    use time::{format_description::BorrowedFormatItem, macros::format_description, OffsetDateTime};
    const ENGLISH: &[BorrowedFormatItem<'static>] =
        format_description!("[weekday], [day padding:none] [month repr:long] [year], [hour]:[minute] UTC");
    const KOREAN: &[BorrowedFormatItem<'static>] =
        format_description!("[year]년 [month padding:none]월 [day padding:none]일 ([weekday]) [hour]:[minute] UTC");
    // `time` names weekdays in English only; Korean writes one syllable.
    const KOREAN_DAYS: [&str; 7] = ["월", "화", "수", "목", "금", "토", "일"];
    let Some(at) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000).ok() else {
        return match lang {
            Lang::En => "unknown".into(),
            Lang::Ko => "알 수 없음".into(),
        };
    };
    match lang {
        Lang::En => at.format(ENGLISH).unwrap_or_default(),
        Lang::Ko => {
            let day = at.weekday();
            at.format(KOREAN)
                .unwrap_or_default()
                .replace(&day.to_string(), KOREAN_DAYS[usize::from(day.number_days_from_monday())])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_survive_the_outbox() {
        let letter = Letter::NewSignIn {
            device: "Firefox on Linux".into(),
            address: "203.0.113.7".into(),
            at_ms: 1_800_000_000_000,
        };
        let json = serde_json::to_string(&letter).unwrap();
        assert!(json.contains("\"letter\":\"new_sign_in\""), "{json}");
        assert_eq!(serde_json::from_str::<Letter>(&json).unwrap(), letter);
    }

    #[test]
    fn every_mail_names_the_product_what_happened_the_link_and_what_if_not_you() {
        let letters = [
            Letter::ResetPassword { valid_minutes: 30 },
            Letter::VerifyEmail,
            Letter::ConfirmNewEmail,
            Letter::EmailChangeRequested { new_email: "new@example.com".into() },
            Letter::NewSignIn { device: "Chrome on Linux".into(), address: "127.0.0.1".into(), at_ms: 0 },
            Letter::SecurityChange { change: SecurityChange::MfaDisabled, device: "Chrome on Linux".into(), at_ms: 0 },
            Letter::SecurityChange { change: SecurityChange::PasskeyAdded, device: "Chrome on Linux".into(), at_ms: 0 },
            Letter::EmailChanged { new_email: "new@example.com".into() },
            Letter::SecondStepFailures,
            Letter::SignInCodeFailures,
        ];
        for letter in letters {
            let mail = write(Lang::En, &letter, "https://app.example.com/x?token=abc", None);
            assert!(mail.text.contains("Baton") && mail.html.contains("Baton"), "{mail:?}");
            assert!(mail.text.contains("https://app.example.com/x?token=abc"), "{mail:?}");
            assert!(mail.html.contains("href=\"https://app.example.com/x?token=abc\""), "{mail:?}");
            assert!(mail.text.contains("If "), "{mail:?}");
        }
    }

    #[test]
    fn korean_mails_say_the_same_in_korean() {
        let letters = [
            Letter::ResetPassword { valid_minutes: 30 },
            Letter::VerifyEmail,
            Letter::ConfirmNewEmail,
            Letter::EmailChangeRequested { new_email: "new@example.com".into() },
            Letter::NewSignIn {
                device: "Chrome on Linux".into(),
                address: "127.0.0.1".into(),
                at_ms: 1_800_000_000_000,
            },
            Letter::SecurityChange { change: SecurityChange::MfaDisabled, device: "Chrome on Linux".into(), at_ms: 0 },
            Letter::EmailChanged { new_email: "new@example.com".into() },
            Letter::SecondStepFailures,
            Letter::SignInCodeFailures,
        ];
        for letter in letters {
            let english = write(Lang::En, &letter, "https://app.example.com/x?token=abc", None);
            let mail = write(Lang::Ko, &letter, "https://app.example.com/x?token=abc", None);
            assert_ne!(mail.subject, english.subject);
            assert!(mail.text.starts_with("안녕하세요."), "{mail:?}");
            assert!(
                mail.text.contains("Baton") && mail.text.contains("https://app.example.com/x?token=abc"),
                "{mail:?}"
            );
            assert!(mail.html.contains("<html lang=\"ko\">"), "{}", mail.html);
            assert!(mail.html.contains("href=\"https://app.example.com/x?token=abc\""), "{}", mail.html);
            assert!(!mail.text.contains("Hello") && !mail.text.contains("If "), "{mail:?}");
        }
        let signed_in = Letter::NewSignIn {
            device: "Chrome on Linux".into(),
            address: "127.0.0.1".into(),
            at_ms: 1_800_000_000_000,
        };
        let mail = write(Lang::Ko, &signed_in, "http://127.0.0.1:3000/sessions", None);
        assert!(
            mail.text.contains("기기: Linux의 Chrome\n주소: 127.0.0.1\n시간: 2027년 1월 15일 (금) 08:00 UTC"),
            "{}",
            mail.text
        );
    }

    #[test]
    fn a_new_device_mail_carries_this_wasnt_me_in_both_parts_and_both_languages() {
        let letter = Letter::NewSignIn { device: "Chrome on Linux".into(), address: "127.0.0.1".into(), at_ms: 0 };
        assert!(letter.carries_not_me());
        let not_me = "https://app.example.com/not-me?token=xyz";
        for (lang, label) in [(Lang::En, "This wasn't me"), (Lang::Ko, "본인이 아닙니다")] {
            let mail = write(lang, &letter, "https://app.example.com/sessions", Some(not_me));
            assert!(mail.text.contains(&format!("{label}: {not_me}")), "{}", mail.text);
            assert!(mail.html.contains(&format!("href=\"{not_me}\"")), "{}", mail.html);
            assert!(mail.html.contains(&html_escape::encode_text(label).into_owned()), "{}", mail.html);
        }
        // Without the link nothing of it is written.
        let plain = write(Lang::En, &letter, "https://app.example.com/sessions", None);
        assert!(!plain.text.contains("This wasn't me:"), "{}", plain.text);
    }

    #[test]
    fn a_sign_in_code_is_written_in_both_parts_but_never_queued() {
        let letter = Letter::SignInCode { valid_minutes: 10, new_account: false, code: String::new() };
        let queued = serde_json::to_string(&letter.clone().with_code("493021".into())).unwrap();
        assert!(!queued.contains("493021"), "{queued}");
        assert_eq!(serde_json::from_str::<Letter>(&queued).unwrap(), letter);
        for (lang, new_account) in [(Lang::En, false), (Lang::En, true), (Lang::Ko, false), (Lang::Ko, true)] {
            let letter = Letter::SignInCode { valid_minutes: 10, new_account, code: "493021".into() };
            let mail = write(lang, &letter, "https://app.example.com/login/code?token=abc", None);
            assert!(mail.text.contains("\n493021\n"), "{}", mail.text);
            assert!(mail.html.contains("letter-spacing: 0.2em; margin: 0.5em 0\">493021</p>"), "{}", mail.html);
            assert!(mail.text.contains("10"), "{}", mail.text);
            assert!(mail.html.contains("href=\"https://app.example.com/login/code?token=abc\""), "{}", mail.html);
        }
    }

    #[test]
    fn what_a_request_wrote_is_escaped_in_the_html() {
        let letter = Letter::NewSignIn {
            device: "<script>alert(1)</script> on Linux".into(),
            address: "127.0.0.1".into(),
            at_ms: 1_800_000_000_000,
        };
        let mail = write(Lang::En, &letter, "http://127.0.0.1:3000/sessions", None);
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;script&gt;"));
        assert!(mail.text.contains("Time: Friday, 15 January 2027, 08:00 UTC"), "{}", mail.text);
        assert!(mail.html.contains("on Linux<br>\nAddress: 127.0.0.1<br>"), "{}", mail.html);
    }
}
