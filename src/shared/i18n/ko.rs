//! Korean (한국어). Written for people who read it every day, not word for word:
//! the polite 합니다 style for sentences, short nouns for buttons ("로그인",
//! "계정 만들기"), the familiar loanwords of Korean sign-in screens (패스키, 세션,
//! 토큰), values placed where Korean puts them ("Linux의 Chrome", "3분 전").

use super::texts::*;
use crate::shared::activity::EventKind;
use crate::shared::error::AppError;

fn wait(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{}초", seconds.max(1)),
        _ => format!("{}분", seconds.div_ceil(60)),
    }
}

fn error(e: &AppError) -> String {
    match e {
        AppError::InvalidInput(_) => "입력한 내용을 다시 확인해 주세요.".to_string(),
        AppError::WeakPassword(_) => TEXTS.common.weak_password.to_string(),
        AppError::InvalidLink => {
            "더 이상 쓸 수 없는 링크입니다. 링크는 한 번만 쓸 수 있고 기한이 지나면 만료됩니다. 새 링크를 요청해 주세요."
                .to_string()
        }
        AppError::InvalidCredentials => "이메일 또는 비밀번호가 올바르지 않습니다.".to_string(),
        AppError::InvalidCode => "코드나 패스키가 맞지 않습니다. 다시 시도해 주세요.".to_string(),
        AppError::InvalidToken => "액세스 토큰이 없거나 올바르지 않거나 만료되었습니다.".to_string(),
        AppError::InvalidRefreshToken => "로그인이 만료되었습니다. 다시 로그인해 주세요.".to_string(),
        AppError::RefreshTokenReused => {
            "보안을 위해 이 세션을 종료했습니다. 같은 리프레시 토큰이 두 번 사용되었습니다. 다시 로그인해 주세요."
                .to_string()
        }
        AppError::SessionExpired => "세션의 최대 사용 기간이 지났습니다. 다시 로그인해 주세요.".to_string(),
        AppError::ForbiddenOrigin => "다른 사이트에서 보낸 요청은 받을 수 없습니다.".to_string(),
        AppError::ReauthRequired => "본인 확인이 필요합니다. 비밀번호를 다시 입력해 주세요.".to_string(),
        AppError::EmailUnverified => {
            "먼저 이메일 주소를 인증해 주세요. 보내 드린 링크를 연 뒤 다시 시도해 주세요.".to_string()
        }
        AppError::Forbidden => "이 작업을 할 권한이 없습니다.".to_string(),
        AppError::AccountLocked => "관리자가 이 계정을 잠갔습니다. 잠금을 풀려면 관리자에게 문의하세요.".to_string(),
        AppError::NotFound => "찾을 수 없습니다.".to_string(),
        AppError::EmailTaken => "이 이메일로 만든 계정이 이미 있습니다.".to_string(),
        AppError::LastAdmin => "관리자가 본인 한 명뿐입니다. 먼저 다른 사람을 관리자로 지정해 주세요.".to_string(),
        AppError::PayloadTooLarge => "보낸 내용이 너무 큽니다.".to_string(),
        AppError::RateLimited { retry_after } => {
            format!("시도 횟수가 너무 많습니다. {} 후에 다시 시도해 주세요.", wait(*retry_after))
        }
        AppError::Internal => "서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요.".to_string(),
        AppError::Unavailable { retry_after } => {
            format!("서버가 혼잡합니다. {} 후에 다시 시도해 주세요.", wait(*retry_after))
        }
        AppError::Network => "서버에 연결할 수 없습니다. 인터넷 연결을 확인하고 다시 시도해 주세요.".to_string(),
    }
}

fn ago(seconds: i64) -> String {
    match seconds {
        ..=4 => "방금".to_string(),
        5..=59 => format!("{seconds}초 전"),
        60..=3599 => format!("{}분 전", seconds / 60),
        3600..=86_399 => format!("{}시간 전", seconds / 3600),
        86_400..=172_799 => "어제".to_string(),
        _ => format!("{}일 전", seconds / 86_400),
    }
}

fn event(kind: EventKind, device: &str) -> String {
    match kind {
        EventKind::SignedUp => format!("{device}에서 계정을 만들었습니다."),
        EventKind::SignedIn => format!("{device}에서 로그인했습니다."),
        EventKind::SignInFailed => format!("누군가 {device}에서 틀린 비밀번호나 코드로 로그인을 시도했습니다."),
        EventKind::SignedOut => format!("{device}에서 로그아웃했습니다."),
        EventKind::SessionRevoked => format!("다른 기기에서 {device}의 세션을 종료했습니다."),
        EventKind::SignedOutEverywhere => "모든 기기에서 로그아웃했습니다. 모든 세션이 종료되었습니다.".to_string(),
        EventKind::RefreshTokenReused => {
            format!("누군가 {device}의 이전 리프레시 토큰을 사용했습니다. 계정을 보호하기 위해 그 세션을 종료했습니다.")
        }
        EventKind::SessionExpired => format!("{device}의 세션이 최대 사용 기간에 도달해 종료되었습니다."),
        EventKind::PasswordChanged => "비밀번호를 변경했습니다. 다른 모든 세션이 종료되었습니다.".to_string(),
        EventKind::PasswordReset => "이메일 링크로 비밀번호를 재설정했습니다. 모든 세션이 종료되었습니다.".to_string(),
        EventKind::EmailVerified => "이메일 주소를 인증했습니다.".to_string(),
        EventKind::EmailChanged => "이메일 주소가 변경되었습니다.".to_string(),
        EventKind::PasskeyAdded => "패스키를 추가했습니다.".to_string(),
        EventKind::PasskeyRemoved => "패스키를 삭제했습니다.".to_string(),
        EventKind::MfaEnabled => "2단계 인증을 켰습니다.".to_string(),
        EventKind::MfaDisabled => "2단계 인증을 껐습니다.".to_string(),
        EventKind::RecoveryCodeUsed => "복구 코드로 로그인했습니다.".to_string(),
        EventKind::RecoveryCodesRenewed => "복구 코드를 새로 만들었습니다.".to_string(),
        EventKind::MfaFailed => {
            format!("누군가 {device}에서 비밀번호를 맞게 입력한 뒤 틀린 2단계 인증 코드를 입력했습니다.")
        }
        EventKind::NotMeReported => {
            "본인이 아닌 로그인이나 변경을 신고했습니다. 해당 세션이 종료되었습니다.".to_string()
        }
        EventKind::EmailChangeCancelled => "이메일 주소 변경을 취소했습니다.".to_string(),
        EventKind::AdminRolesChanged => "관리자가 계정의 역할을 변경했습니다.".to_string(),
        EventKind::AdminSignedOut => "관리자가 모든 기기에서 계정을 로그아웃시켰습니다.".to_string(),
        EventKind::AdminLocked => "관리자가 계정을 잠갔습니다.".to_string(),
        EventKind::AdminUnlocked => "관리자가 계정 잠금을 풀었습니다.".to_string(),
        EventKind::CredentialsRemovedOnVerification => {
            "주소가 인증되었습니다. 그 전에 추가된 패스키와 인증 앱을 삭제했습니다.".to_string()
        }
        EventKind::RegisterAttempt => format!("{device}에서 계정 만들기를 요청했습니다."),
        EventKind::ResetRequested => "비밀번호 재설정을 요청했습니다.".to_string(),
        EventKind::LinkRequested => "메일로 링크를 요청했습니다.".to_string(),
        EventKind::AccountDeleted => "계정을 삭제했습니다.".to_string(),
    }
}

pub static TEXTS: Texts = Texts {
    common: Common {
        title: |page| format!("{page} · Baton"),
        footnote: "수명이 짧은 액세스 토큰은 메모리에만, 순환하는 리프레시 토큰은 HttpOnly 쿠키에 보관합니다.",
        email: "이메일",
        password: "비밀번호",
        new_password: "새 비밀번호",
        at_least: |n| format!("{n}자 이상 입력해 주세요."),
        strong_enough: "충분히 안전합니다.",
        weak_password: "추측하기 쉬운 비밀번호입니다. 흔하지 않은 단어를 몇 개 더 넣어 보세요.",
        cancel: "취소",
        loading: "불러오는 중…",
        sign_in: "로그인",
        remembered: "비밀번호가 생각났나요? ",
        not_confirmed: |what| format!("{what}: 본인 확인을 마치지 않았습니다."),
        save_refused: "브라우저가 파일 저장을 허용하지 않았습니다.",
        language: "언어",
        or: "또는",
    },
    error,
    ago,
    device: Device {
        on: |browser, system| format!("{system}의 {browser}"),
        browser_on: |system| format!("{system}의 브라우저"),
        unknown: "알 수 없는 기기",
    },
    session: Session {
        ended_for_security: "보안을 위해 세션을 종료했습니다. 같은 로그인이 두 곳에서 사용되었습니다. 다시 로그인해 주세요.",
        expired: "세션의 최대 사용 기간이 지났습니다. 다시 로그인해 주세요.",
        deleted: "계정을 삭제했습니다. Baton에 남아 있던 계정 정보는 모두 지워졌습니다.",
        restored: "페이지를 연 뒤 세션 복원",
        scheduled: "만료 전에 갱신",
        after_expiry: "만료된 뒤 갱신",
        after_refusal: "서버가 만료된 토큰을 거부해 갱신",
        other_tab: "다른 탭에서 로그인",
        signed_in: "로그인",
        reauthenticated: "비밀번호 확인 후 갱신",
        refresh_issued: "리프레시 토큰 발급",
        refresh_kept: "리프레시 토큰 유지",
        refresh_rotated: "리프레시 토큰 교체",
    },
    frame: Frame {
        restoring: "세션을 복원하는 중…",
        reconnecting: "다시 연결하는 중…",
        to_sign_in: "로그인 페이지로 이동하는 중…",
        nav: "주 메뉴",
        dashboard: "대시보드",
        sessions: "세션",
        account: "계정",
        activity: "활동",
        signed_in_as: "로그인한 계정",
        still_signed_in: "다시 연결하는 중… 로그인은 유지되어 있습니다.",
    },
    not_found: NotFound {
        heading: "페이지를 찾을 수 없습니다",
        body: "이 주소에는 아무것도 없습니다.",
        home: "대시보드로 가기",
    },
    login: Login {
        title: "로그인",
        forgot: "비밀번호를 잊으셨나요?",
        new_here: "처음이신가요? ",
        create_account: "계정 만들기",
    },
    register: Register { title: "계정 만들기", have_account: "이미 계정이 있나요? " },
    forgot: Forgot {
        title: "비밀번호 재설정",
        intro: "계정의 이메일 주소를 입력하세요. 새 비밀번호를 정할 수 있는 링크를 보내 드립니다.",
        send: "재설정 링크 보내기",
        sent: "받은편지함을 확인하세요. 이 주소를 쓰는 계정이 있다면 비밀번호 재설정 링크를 보냈습니다.",
        sent_more: "링크는 한 번만 쓸 수 있고 곧 만료됩니다. 몇 분이 지나도 메일이 오지 않으면 스팸함을 확인하거나 다시 요청하세요.",
    },
    reset: Reset {
        title: "새 비밀번호 정하기",
        incomplete: "링크가 완전하지 않습니다. 메일의 링크를 다시 열거나 새 링크를 요청하세요.",
        second_step: "이 계정은 2단계 인증을 사용합니다. 인증을 마치면 새 비밀번호가 설정됩니다.",
        intro: "새 비밀번호를 정하면 이 계정에 로그인된 모든 기기에서 로그아웃되고, 이 기기에서 다시 로그인됩니다.",
        set: "새 비밀번호 설정",
        new_link: "새 링크 요청하기",
    },
    verify: Verify {
        title: "이메일 인증",
        checking: "이메일 주소를 확인하는 중…",
        verified: "이메일 주소가 인증되었습니다. 감사합니다.",
        continue_to: "Baton으로 계속",
        link_dead: "더 이상 쓸 수 없는 링크입니다. 링크는 한 번만 쓸 수 있고 하루가 지나면 만료되며, 새 링크를 받으면 이전 링크는 쓸 수 없습니다. 이 링크로는 이메일 주소가 인증되지 않았습니다.",
        ask_again: "로그인한 뒤 대시보드에서 새 링크를 요청하세요.",
        go: "Baton으로 가기",
        failed: |error| format!("이메일 주소를 인증하지 못했습니다: {error}"),
        try_again: "다시 시도",
    },
    not_me: NotMe {
        title: "본인이 아닙니다",
        checking: "알아보지 못한 기기를 로그아웃시키는 중…",
        ended: |n| match n {
            0 => "완료했습니다. 그 로그인으로 로그인된 기기는 이미 없었습니다.".to_string(),
            n => format!("완료했습니다. 기기 {n}개를 로그아웃시켰습니다."),
        },
        address_back: "메일이 이메일 주소 변경에 관한 것이었다면 원래 주소로 돌려놓았습니다.",
        choose_password: "이제 새 비밀번호를 정하세요. 로그인한 사람이 지금 비밀번호를 알고 있을 수 있습니다.",
        link_dead: "더 이상 쓸 수 없는 링크입니다. 이 링크는 7일 동안 한 번만 쓸 수 있습니다.",
        ask_reset: "안전을 위해 비밀번호 재설정을 요청하세요.",
        failed: |error| format!("처리하지 못했습니다: {error}"),
        try_again: "다시 시도",
    },
    second_step: SecondStep {
        wrong_recovery_code: "복구 코드가 맞지 않습니다. 각 코드는 한 번만 쓸 수 있습니다.",
        wrong_code: "코드가 맞지 않습니다. 지금 앱에 표시된 6자리 코드를 입력하세요.",
        expired: "로그인 시간이 지났거나 틀린 코드를 너무 많이 입력했습니다. 다시 로그인해 주세요.",
        recovery_intro: "2단계 인증을 켤 때 저장해 둔 복구 코드 중 하나를 입력하세요.",
        app_intro: "인증 앱을 열고 Baton에 표시된 6자리 코드를 입력하세요.",
        code: "인증 코드",
        recovery_code: "복구 코드",
        verify: "확인",
        use_app: "인증 앱의 코드 사용하기",
        use_recovery: "복구 코드 사용하기",
    },
    passkey: Passkey {
        sign_in: "패스키로 로그인",
        not_registered: "Baton에 등록되지 않은 패스키입니다. 삭제된 패스키일 수 있습니다.",
        not_allowed: "패스키를 사용하지 않았습니다. 취소했거나 이 기기에 Baton 패스키가 없습니다. 비밀번호로 로그인하세요.",
        unsupported: "이 브라우저에서는 패스키를 쓸 수 없습니다.",
        already_registered: "이 기기에는 이미 이 계정의 패스키가 있습니다.",
        aborted: "취소했습니다.",
        failed: |what| format!("패스키가 작동하지 않았습니다: {what}"),
        elsewhere: |origin| format!("이 Baton의 패스키는 {origin}에서만 쓸 수 있습니다. 그 주소에서 Baton을 여세요."),
    },
    reauth: Reauth {
        title: "본인 확인",
        why: "이 작업은 최근에 로그인한 상태에서만 할 수 있습니다. 계속하려면 비밀번호를 입력하거나 패스키를 사용하세요.",
        password: "비밀번호",
        confirm: "확인",
        use_passkey: "패스키 사용",
        not_yours: "이 계정의 패스키가 아닙니다.",
        code: "인증 코드",
        code_needed: "2단계 인증이 켜져 있습니다. 비밀번호와 함께 인증 앱의 코드나 복구 코드를 입력하세요.",
    },
    dashboard: Dashboard {
        title: "대시보드",
        another_device: "다른 기기",
        new_device: |device, when| format!("{when} {device}에서 계정에 로그인했습니다. 본인이 아닌가요? "),
        review: "세션을 확인하고",
        and_change: " 비밀번호를 변경하세요.",
        member_since: |when| format!("{when} 가입"),
        load_failed: |error| format!("계정 정보를 불러오지 못했습니다: {error}"),
        loading: "계정 정보를 불러오는 중…",
        this_device_only: |since| format!("{since} · 이 기기에서만 로그인됨"),
        devices: |since, n| format!("{since} · 기기 {n}대에서 로그인됨"),
        sign_out_failed: |error| format!("로그아웃하지 못했습니다: {error}"),
        signed_in_as: "로그인한 계정",
        sign_out: "로그아웃",
        access_token: "액세스 토큰",
        seconds_left: "초 남음",
        time_left: "액세스 토큰 남은 시간",
        token_explained: "이 토큰은 이 페이지의 메모리에만 있으며, 만료 직전에 스크립트가 읽을 수 없는 리프레시 쿠키로 갱신됩니다.",
        refreshes: "최근 갱신",
        new_access_token: "새 액세스 토큰 ",
        resent: "보냈습니다. 새 링크를 보내면 이전 링크는 쓸 수 없습니다.",
        not_sent: |error| format!("보내지 못했습니다: {error}"),
        confirm_address: |email| format!("이메일 주소를 인증해 주세요. {email}(으)로 보낸 링크를 여세요."),
        resend: "메일 다시 보내기",
    },
    sessions: Sessions {
        title: "세션",
        intro: "로그인되어 있는 모든 기기입니다. 세션을 해제하면 그 기기는 바로 로그아웃됩니다.",
        loading: "세션을 불러오는 중…",
        load_failed: |error| format!("세션을 불러오지 못했습니다: {error}"),
        list: "로그인된 기기",
        this_device: "이 기기",
        times: |last, first| format!("마지막 사용 {last} · 로그인 {first}"),
        revoke: "해제",
        revoke_failed: |error| format!("세션을 해제하지 못했습니다: {error}"),
        everywhere: "모든 기기에서 로그아웃",
        everywhere_failed: |error| format!("모든 기기에서 로그아웃하지 못했습니다: {error}"),
    },
    activity: Activity {
        title: "활동",
        intro: "계정 보안과 관련해 일어난 모든 일을 최신순으로 보여 줍니다.",
        loading: "활동을 불러오는 중…",
        load_failed: |error| format!("활동을 불러오지 못했습니다: {error}"),
        list: "보안 이벤트",
        this_device: "이 기기",
        nothing: "아직 기록이 없습니다.",
        more: "더 보기",
        unknown_device: "알 수 없는 기기",
        event,
    },
    account: Account {
        title: "계정",
        email_title: "이메일",
        you_sign_in_with: "로그인에 쓰는 주소: ",
        another_address: ". 다른 주소를 쓰려면 먼저 그 주소로 링크를 보내 드립니다.",
        new_email: "새 이메일",
        link_sent: |address| {
            format!("{address}(으)로 링크를 보냈습니다. 링크를 열면 주소가 바뀝니다. 그 전까지는 지금 주소로 로그인하세요.")
        },
        not_changed: "변경하지 않았습니다",
        change_email: "이메일 변경",
        pending: |address| format!("{address} 주소 확인을 기다리는 중입니다. 그 주소로 보낸 링크를 여세요."),
        cancel_change: "취소",
        change_cancelled: "취소했습니다. 새 주소로 보낸 링크는 더 이상 쓸 수 없습니다.",
        cancel_failed: |error| format!("취소하지 못했습니다: {error}"),
        password_intro: "비밀번호를 바꾸면 다른 모든 기기에서 바로 로그아웃됩니다. 이 기기는 로그인 상태로 남습니다.",
        current_password: "현재 비밀번호",
        password_changed: "비밀번호를 변경했습니다. 다른 모든 기기에서 로그아웃되었습니다.",
        wrong_current: "현재 비밀번호가 맞지 않습니다.",
        change_password: "비밀번호 변경",
        data_title: "내 데이터",
        data_intro: "Baton이 보관하는 내 정보(계정, 세션, 보안 기록)를 JSON 파일 하나로 내려받습니다.",
        download: "내 데이터 내려받기",
        not_downloaded: "내려받지 않았습니다",
        download_failed: |error| format!("데이터를 내려받지 못했습니다: {error}"),
        delete: "계정 삭제",
        delete_title: "계정을 삭제할까요?",
        cannot_undo: "되돌릴 수 없습니다. 확인하면:",
        consequences: [
            "이 계정에 로그인된 모든 기기가 바로 로그아웃됩니다(이 기기 포함).",
            "계정, 세션, 보안 기록이 삭제됩니다.",
            "이 이메일 주소로 새 계정을 만들 수 있게 됩니다.",
        ],
        wrong_password: "비밀번호가 맞지 않습니다.",
        not_deleted: "삭제하지 않았습니다",
        delete_failed: |error| format!("계정을 삭제하지 못했습니다: {error}"),
        delete_mine: "내 계정 삭제",
    },
    passkeys: Passkeys {
        title: "패스키",
        intro: "패스키를 쓰면 비밀번호 대신 기기의 화면 잠금이나 보안 키로 로그인합니다. 피싱당하지 않으며, 그 자체로 2단계 인증을 대신합니다.",
        loading: "패스키를 불러오는 중…",
        load_failed: |error| format!("패스키를 불러오지 못했습니다: {error}"),
        none: "아직 패스키가 없습니다.",
        name: "이름(선택)",
        name_example: "예: 회사 노트북",
        add: "패스키 추가",
        not_added: "패스키를 추가하지 않았습니다",
        elsewhere: |origin| format!("이 Baton의 패스키는 {origin}에서만 쓸 수 있습니다. 그 주소에서 Baton을 열어 추가하세요."),
        not_verified: "패스키를 확인하지 못했습니다. 다시 시도해 주세요.",
        added: |name| format!("패스키 \u{201c}{name}\u{201d}을(를) 추가했습니다. 이제 비밀번호 없이 이 패스키로 로그인할 수 있습니다."),
        never: "없음",
        dates: |added, used| format!("추가 {added} · 마지막 사용 {used}"),
        remove: "삭제",
        remove_named: |name| format!("{name} 삭제"),
        not_removed: "삭제하지 않았습니다",
        remove_failed: |error| format!("삭제하지 못했습니다: {error}"),
    },
    two_step: TwoStep {
        title: "2단계 인증",
        not_set_up: "설정하지 않았습니다",
        scan: "인증 앱으로 이 QR 코드를 스캔한 뒤, 앱에 표시된 6자리 코드를 입력하세요.",
        qr: "인증 앱용 QR 코드",
        cannot_scan: "스캔할 수 없나요? 앱에 이 키를 입력하세요: ",
        turn_on: "켜기",
        is_on: "2단계 인증을 켰습니다.",
        wrong_code: "코드가 맞지 않습니다. 지금 앱에 표시된 코드를 입력하세요.",
        load_failed: |error| format!("불러오지 못했습니다: {error}"),
        on: "켜짐.",
        on_explained: " 비밀번호로 로그인할 때 인증 앱의 코드도 입력해야 합니다. ",
        codes_left: |n| format!("남은 복구 코드 {n}개."),
        new_codes: "복구 코드 새로 만들기",
        renewed: "복구 코드를 새로 만들었습니다. 이전 코드는 더 이상 쓸 수 없습니다.",
        no_new_codes: "새 코드를 만들지 않았습니다",
        turn_off: "끄기",
        is_off: "2단계 인증을 껐습니다.",
        still_on: "아직 켜져 있습니다",
        off: "꺼짐. 켜 두면 비밀번호로 로그인할 때 휴대폰 인증 앱의 코드도 입력해야 합니다.",
        set_up: "인증 앱 설정",
        codes_title: "복구 코드",
        codes_explained: "휴대폰을 잃어버리면 앱의 코드 대신 이 코드로 한 번씩 로그인할 수 있습니다. 지금만 보여 드리니 안전한 곳에 보관하세요.",
        codes_list: "복구 코드 목록",
        codes_file: "Baton 복구 코드",
        copy: "복사",
        copied: "복사했습니다.",
        copy_refused: "브라우저가 복사를 허용하지 않았습니다. 코드를 직접 선택해 복사하세요.",
        download: "내려받기",
        downloaded: "내려받았습니다.",
        saved: "저장했습니다",
    },
};
