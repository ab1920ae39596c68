//! Bouquets (sets of online services) and the rubriques each shows. Data minimisation: a bouquet shows its
//! rubriques and nothing else (SPEC BQ).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Bouquet {
    /// Consultation du Quotient Familial (000:3).
    #[serde(rename = "QF")]
    Qf,
    /// Consultation des ressources PSU (001:3, 004:3).
    #[serde(rename = "PSU")]
    Psu,
    /// Consultation des dossiers RSA par le conseil départemental (002:3).
    #[serde(rename = "RSACG")]
    Rsacg,
    /// Mon Compte Partenaire (003:8), first service: the QF for petite enfance, enfance and jeunesse
    /// activities. Each service of Mon Compte Partenaire is habilitated on its own (003:5).
    #[serde(rename = "MCP-QF")]
    McpQf,
    /// Mon Compte Partenaire (003:8), second service: the families' address information.
    #[serde(rename = "MCP-ADRESSE")]
    McpAdresse,
}

/// One section of a dossier that a bouquet may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rubrique {
    CoordonneesDossier,
    MontantQf,
    SituationFamiliale,
    RessourcesHorsPrestations,
    Famille,
    Droits,
    Rsa,
    Ressources,
    Adresse,
}

impl Bouquet {
    pub const ALL: [Bouquet; 5] = [
        Bouquet::Qf,
        Bouquet::Psu,
        Bouquet::Rsacg,
        Bouquet::McpQf,
        Bouquet::McpAdresse,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Bouquet::Qf => "QF",
            Bouquet::Psu => "PSU",
            Bouquet::Rsacg => "RSACG",
            Bouquet::McpQf => "MCP-QF",
            Bouquet::McpAdresse => "MCP-ADRESSE",
        }
    }

    pub fn parse(code: &str) -> Option<Bouquet> {
        Bouquet::ALL.into_iter().find(|b| b.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Bouquet::Qf => "Consultation du Quotient Familial",
            Bouquet::Psu => "Consultation des Ressources PSU",
            Bouquet::Rsacg => "Consultation des dossiers RSA",
            Bouquet::McpQf => {
                "Mon Compte Partenaire : quotients familiaux (petite enfance, enfance, jeunesse)"
            }
            Bouquet::McpAdresse => "Mon Compte Partenaire : informations d'adressage des familles",
        }
    }

    /// The rubriques the bouquet shows, in the order of its convention.
    pub fn rubriques(self) -> &'static [Rubrique] {
        match self {
            Bouquet::Qf => &[Rubrique::CoordonneesDossier, Rubrique::MontantQf],
            Bouquet::Psu => &[
                Rubrique::CoordonneesDossier,
                Rubrique::SituationFamiliale,
                Rubrique::RessourcesHorsPrestations,
            ],
            Bouquet::Rsacg => &[
                Rubrique::Famille,
                Rubrique::Droits,
                Rubrique::Rsa,
                Rubrique::Ressources,
                Rubrique::Adresse,
            ],
            Bouquet::McpQf => &[Rubrique::MontantQf],
            Bouquet::McpAdresse => &[Rubrique::Adresse],
        }
    }
}

impl Rubrique {
    pub fn code(self) -> &'static str {
        match self {
            Rubrique::CoordonneesDossier => "coordonnees_dossier",
            Rubrique::MontantQf => "montant_qf",
            Rubrique::SituationFamiliale => "situation_familiale",
            Rubrique::RessourcesHorsPrestations => "ressources_hors_prestations",
            Rubrique::Famille => "famille",
            Rubrique::Droits => "droits",
            Rubrique::Rsa => "rsa",
            Rubrique::Ressources => "ressources",
            Rubrique::Adresse => "adresse",
        }
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Rubrique::CoordonneesDossier => "Coordonnées du dossier",
            Rubrique::MontantQf => "Montant du QF",
            Rubrique::SituationFamiliale => "Situation familiale",
            Rubrique::RessourcesHorsPrestations => "Ressources hors prestations familiales",
            Rubrique::Famille => "Famille",
            Rubrique::Droits => "Droits",
            Rubrique::Rsa => "RSA",
            Rubrique::Ressources => "Ressources",
            Rubrique::Adresse => "Adresse",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bq_qf_shows_coordonnees_and_montant_only() {
        assert_eq!(
            Bouquet::Qf.rubriques(),
            &[Rubrique::CoordonneesDossier, Rubrique::MontantQf]
        );
    }

    #[test]
    fn bq_mcp_each_service_shows_its_one_rubrique() {
        assert_eq!(Bouquet::McpQf.rubriques(), &[Rubrique::MontantQf]);
        assert_eq!(Bouquet::McpAdresse.rubriques(), &[Rubrique::Adresse]);
        assert_eq!(Bouquet::parse("MCP-QF"), Some(Bouquet::McpQf));
        assert_eq!(
            Bouquet::parse("MCP"),
            None,
            "a service is named, never the whole of Mon Compte Partenaire"
        );
    }

    #[test]
    fn codes_roundtrip() {
        for b in Bouquet::ALL {
            assert_eq!(Bouquet::parse(b.code()), Some(b));
        }
        assert_eq!(Bouquet::parse("qf"), None);
    }
}
