//! How a sign-in was made: what `signed_in` events carry as `method`, and what a
//! second step remembers of its first.

/// How a sign-in was made, as `signed_in` events say it (docs/API.md, "Sign in with
/// another provider").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    Password,
    Passkey,
    /// Through the OpenID provider of this id.
    Provider(String),
    EmailCode,
}

impl Method {
    pub fn as_wire(&self) -> String {
        match self {
            Method::Password => "password".into(),
            Method::Passkey => "passkey".into(),
            Method::Provider(id) => format!("provider:{id}"),
            Method::EmailCode => "email_code".into(),
        }
    }

    /// A stored method; a second step stored before methods were, or anything odd,
    /// is a password's (the only first step there was).
    pub fn parse(text: Option<&str>) -> Method {
        match text {
            Some("passkey") => Method::Passkey,
            Some("email_code") => Method::EmailCode,
            Some(other) => match other.strip_prefix("provider:") {
                Some(id) => Method::Provider(id.to_string()),
                None => Method::Password,
            },
            None => Method::Password,
        }
    }
}
