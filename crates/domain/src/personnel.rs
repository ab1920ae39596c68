//! The caisse's own staff and their roles (SPEC Actors). One person may hold several roles; each back-office
//! use case names the one it needs.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages staff and settings.
    Admin,
    /// "Agent individuellement habilité par le Directeur" (000:4-1): registers partners, processes requests.
    Habilitation,
    /// Runs the conventions' lifecycle.
    Conventions,
    /// Traces, statistics, suspensions, annual review.
    Supervision,
}

impl Role {
    pub const TOUS: [Role; 4] = [
        Role::Admin,
        Role::Habilitation,
        Role::Conventions,
        Role::Supervision,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Habilitation => "habilitation",
            Role::Conventions => "conventions",
            Role::Supervision => "supervision",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::TOUS.into_iter().find(|r| r.code() == code.trim())
    }

    /// How the role is named to people.
    pub fn libelle(self) -> &'static str {
        match self {
            Role::Admin => "administration",
            Role::Habilitation => "agent habilité",
            Role::Conventions => "gestion des conventions",
            Role::Supervision => "supervision",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// At least one role, each once, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Roles(Vec<Role>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RolesError {
    #[error("au moins un rôle est requis (admin, habilitation, conventions, supervision)")]
    Aucun,
    #[error("rôle inconnu « {0} » : les rôles sont admin, habilitation, conventions et supervision")]
    Inconnu(String),
}

impl Roles {
    pub fn new(mut roles: Vec<Role>) -> Result<Roles, RolesError> {
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            return Err(RolesError::Aucun);
        }
        Ok(Roles(roles))
    }

    /// A comma-separated list, as typed on the command line or stored: `admin,conventions`.
    pub fn parse(list: &str) -> Result<Roles, RolesError> {
        let roles = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Role::parse(s).ok_or_else(|| RolesError::Inconnu(s.chars().take(32).collect())))
            .collect::<Result<Vec<_>, _>>()?;
        Roles::new(roles)
    }

    pub fn contient(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// The stored form, the inverse of [`Roles::parse`].
    pub fn codes(&self) -> String {
        self.0.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
    }
}

impl<'de> Deserialize<'de> for Roles {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let codes = Vec::<String>::deserialize(d)?;
        Roles::parse(&codes.join(",")).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn actors_a_person_may_hold_several_roles_each_once() {
        let r = Roles::parse(" conventions, admin ,conventions").unwrap();
        assert_eq!(r.codes(), "admin,conventions");
        assert!(r.contient(Role::Admin) && r.contient(Role::Conventions));
        assert!(!r.contient(Role::Supervision));
        assert_eq!(Roles::parse(""), Err(RolesError::Aucun));
        assert_eq!(
            Roles::parse("admin,directeur"),
            Err(RolesError::Inconnu("directeur".into()))
        );
        let json: Roles = serde_json::from_str(r#"["supervision","habilitation"]"#).unwrap();
        assert_eq!(json.codes(), "habilitation,supervision");
        assert!(serde_json::from_str::<Roles>("[]").is_err());
    }

    proptest! {
        #[test]
        fn roles_codes_parse_back_to_themselves(mask in 1u8..16) {
            let roles: Vec<Role> = Role::TOUS.into_iter().enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| r).collect();
            let r = Roles::new(roles).unwrap();
            prop_assert_eq!(Roles::parse(&r.codes()).unwrap(), r);
        }

        #[test]
        fn roles_parser_never_panics(s in ".{0,80}") {
            let _ = Roles::parse(&s);
        }
    }
}
