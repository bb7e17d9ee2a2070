//! A change to how an account signs in (a passkey added or removed, two-step
//! verification on or off, a recovery code used, new recovery codes, a provider
//! connected or disconnected): recorded in the
//! activity and mailed to the owner, in the transaction of the change, so that the
//! owner hears of every one, including one an attacker made.

use super::device::Device;
use crate::{
    server::{
        ids::SessionId,
        mail::{
            self,
            letters::{Letter, SecurityChange},
        },
        store::{
            security_events::{self, EventKind},
            users::Account,
            Tx,
        },
        time::UnixMillis,
    },
    shared::{device::describe_device, error::AppError},
};

/// The activity's name for `change`.
fn kind(change: SecurityChange) -> EventKind {
    match change {
        SecurityChange::PasskeyAdded => EventKind::PasskeyAdded,
        SecurityChange::PasskeyRemoved => EventKind::PasskeyRemoved,
        SecurityChange::MfaEnabled => EventKind::MfaEnabled,
        SecurityChange::MfaDisabled => EventKind::MfaDisabled,
        SecurityChange::RecoveryCodeUsed => EventKind::RecoveryCodeUsed,
        SecurityChange::RecoveryCodesRenewed => EventKind::RecoveryCodesRenewed,
        SecurityChange::ProviderConnected => EventKind::ProviderConnected,
        SecurityChange::ProviderDisconnected => EventKind::ProviderDisconnected,
    }
}

/// Records `change` to `account`, made from `device` in `session`, and queues its mail.
pub async fn record(
    tx: &mut Tx<'_>,
    account: &Account,
    change: SecurityChange,
    session: impl Into<Option<SessionId>>,
    device: &Device,
    now: UnixMillis,
) -> Result<(), AppError> {
    security_events::record(tx, now, &device.event(kind(change), account.id, session)).await?;
    let letter = Letter::SecurityChange { change, device: describe_device(&device.user_agent), at_ms: now.0 };
    mail::queue(tx, account.id, &account.email, &letter, None, now).await
}
