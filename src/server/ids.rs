//! Typed identifiers: a user id cannot be passed where a session id is meant.
//! All are random UUIDs (v4), stored as text (portable across SQLite and PostgreSQL)
//! and carried in tokens as strings.

use serde::{Deserialize, Serialize};
use sqlx::{
    any::{Any, AnyTypeInfo},
    encode::IsNull,
    error::BoxDynError,
    Database, Decode, Encode, Type,
};
use std::{fmt, str::FromStr};
use uuid::Uuid;

macro_rules! uuid_ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn random() -> $name {
                $name(Uuid::new_v4())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map($name)
            }
        }

        impl Type<Any> for $name {
            fn type_info() -> AnyTypeInfo {
                <String as Type<Any>>::type_info()
            }
        }

        impl<'q> Encode<'q, Any> for $name {
            fn encode_by_ref(&self, buf: &mut <Any as Database>::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, Any>>::encode(self.0.to_string(), buf)
            }
        }

        impl<'r> Decode<'r, Any> for $name {
            fn decode(value: <Any as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <String as Decode<'r, Any>>::decode(value)?;
                Ok($name(Uuid::parse_str(&text)?))
            }
        }
    )*};
}

uuid_ids! {
    /// An account.
    UserId,
    /// A session: one sign-in on one device, i.e. one refresh-token family (`sid`).
    SessionId,
    /// One token (`jti`).
    TokenId,
    /// One security event.
    EventId,
}
