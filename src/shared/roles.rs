//! Roles (docs/API.md, "Roles and administration"): names an account holds, carried in
//! its access tokens' `roles` claim and read fresh by `GET /api/me`. Baton itself knows
//! one, [`ADMIN`]; an application built on it adds its own the same way
//! (docs/EXTENDING.md).

use super::error::AppError;

/// The role that opens the administration API and pages.
pub const ADMIN: &str = "admin";

/// More than any application should need; a bound on what one account's row and
/// tokens carry.
const MOST_ROLES: usize = 32;

/// An account's roles: valid names, sorted, each once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Roles(Vec<String>);

impl Roles {
    /// Roles from names a caller gave: each 1 to 32 of `a-z0-9_-`, at most 32 roles.
    pub fn parse<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Result<Roles, AppError> {
        let mut roles = Vec::new();
        for name in names {
            let name = name.as_ref();
            if !is_role_name(name) {
                return Err(AppError::InvalidInput(format!(
                    "'{}' is not a role name: 1 to 32 of a-z, 0-9, _ and -.",
                    name.chars().take(40).collect::<String>()
                )));
            }
            roles.push(name.to_string());
        }
        roles.sort();
        roles.dedup();
        if roles.len() > MOST_ROLES {
            return Err(AppError::InvalidInput(format!("At most {MOST_ROLES} roles.")));
        }
        Ok(Roles(roles))
    }

    /// The roles as the database column holds them (names joined by single spaces);
    /// anything that is not a role name is left out.
    pub fn from_column(text: &str) -> Roles {
        let mut roles: Vec<String> = text.split(' ').filter(|n| is_role_name(n)).map(str::to_string).collect();
        roles.sort();
        roles.dedup();
        Roles(roles)
    }

    /// The column's text: the names joined by single spaces, `""` for none.
    pub fn to_column(&self) -> String {
        self.0.join(" ")
    }

    pub fn has(&self, role: &str) -> bool {
        self.0.binary_search_by(|name| name.as_str().cmp(role)).is_ok()
    }

    /// These roles and `role` (a valid name).
    pub fn with(&self, role: &str) -> Result<Roles, AppError> {
        Roles::parse(self.0.iter().map(String::as_str).chain([role]))
    }

    /// These roles without `role`.
    pub fn without(&self, role: &str) -> Roles {
        Roles(self.0.iter().filter(|name| *name != role).cloned().collect())
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Roles {
    /// From the database column.
    fn from(text: String) -> Roles {
        Roles::from_column(&text)
    }
}

fn is_role_name(name: &str) -> bool {
    (1..=32).contains(&name.len()) && name.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_once_and_checked() {
        let roles = Roles::parse(["support", "admin", "support"]).unwrap();
        assert_eq!(roles.names(), ["admin", "support"]);
        assert_eq!(roles.to_column(), "admin support");
        assert!(roles.has("admin") && roles.has("support") && !roles.has("adm"));
        for bad in ["", "Admin", "a b", "admin ", "é", &"x".repeat(33), "x;y"] {
            assert!(Roles::parse([bad]).is_err(), "{bad:?}");
        }
        assert!(Roles::parse((0..33).map(|n| format!("r{n}"))).is_err());
    }

    #[test]
    fn the_column_round_trips_and_ignores_what_is_not_a_name() {
        assert_eq!(Roles::from_column(""), Roles::default());
        assert_eq!(Roles::from_column("support admin").names(), ["admin", "support"]);
        assert_eq!(Roles::from_column("admin  Bad x").names(), ["admin", "x"]);
        let roles = Roles::parse(["a", "b-c"]).unwrap();
        assert_eq!(Roles::from(roles.to_column()), roles);
        assert_eq!(roles.with("z").unwrap().names(), ["a", "b-c", "z"]);
        assert_eq!(roles.without("a").names(), ["b-c"]);
    }
}
