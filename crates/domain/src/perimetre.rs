//! Who may see which dossier (SPEC CO-4, OP-1): the caisse of the convention, the partner's champ de
//! compétence, a bouquet the convention opens and the habilitation grants, a convention in force, and no
//! opposition.

use crate::{Bouquet, CodeDepartement, Convention, Dossier};
use chrono::NaiveDate;

/// One habilitation of an agent: a bouquet, through one convention of his partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Habilitation {
    pub bouquet: Bouquet,
    pub convention: Convention,
}

/// What an agent may reach, loaded once per request. The caisse is implicit: the store only ever looks for
/// dossiers within the agent's own caisse (TEN-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Perimetre {
    pub departements: Vec<CodeDepartement>,
    pub habilitations: Vec<Habilitation>,
}

/// The answer before any dossier is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccesBouquet {
    /// Habilitated, through a convention in force that opens the bouquet.
    Ouvert,
    /// No habilitation for this bouquet at all.
    NonHabilite,
    /// Habilitated, but no convention opening the bouquet is in force today (not yet, or no longer: CV-2,
    /// CV-8). Answered like a dossier that does not exist, so nothing is learnt from it.
    ConventionHorsVigueur,
}

/// The answer for a dossier found in the agent's caisse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccesDossier {
    Autorise,
    /// Outside the partner's départements: answered like a dossier that does not exist (CO-4, TEN-3).
    HorsCompetence,
    /// OP-1: the only thing shown is that an opposition exists.
    Opposition,
}

impl Perimetre {
    pub fn acces_bouquet(&self, bouquet: Bouquet, jour: NaiveDate) -> AccesBouquet {
        let mut habilite = false;
        for h in self.habilitations.iter().filter(|h| h.bouquet == bouquet) {
            habilite = true;
            if h.convention.ouvre(bouquet) && h.convention.en_vigueur(jour) {
                return AccesBouquet::Ouvert;
            }
        }
        if habilite {
            AccesBouquet::ConventionHorsVigueur
        } else {
            AccesBouquet::NonHabilite
        }
    }

    /// Checks competence before opposition: a dossier outside the partner's competence must not even reveal
    /// that an opposition exists.
    pub fn acces_dossier(&self, dossier: &Dossier) -> AccesDossier {
        if !self.departements.contains(&dossier.departement) {
            AccesDossier::HorsCompetence
        } else if dossier.opposition {
            AccesDossier::Opposition
        } else {
            AccesDossier::Autorise
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Adresse, Matricule, NumeroConvention, Personne};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn dep(s: &str) -> CodeDepartement {
        CodeDepartement::parse(s).unwrap()
    }
    fn convention(bouquets: Vec<Bouquet>, fin: Option<&str>) -> Convention {
        Convention::new(
            NumeroConvention::parse("C").unwrap(),
            bouquets,
            d("2026-01-01"),
            Some(d("2026-01-01")),
            fin.map(d),
        )
        .unwrap()
    }
    fn dossier(departement: &str, opposition: bool) -> Dossier {
        Dossier::new(
            Matricule::parse("1").unwrap(),
            dep(departement),
            vec![Personne {
                nom_naissance: "A".into(),
                nom_usage: None,
                prenoms: "B".into(),
                date_naissance: None,
                sexe: None,
            }],
            vec![],
            Adresse::default(),
            vec![],
            opposition,
        )
        .unwrap()
    }

    #[test]
    fn co_4_bouquet_needs_habilitation_and_convention_in_force() {
        let p = Perimetre {
            departements: vec![dep("07")],
            habilitations: vec![Habilitation {
                bouquet: Bouquet::Qf,
                convention: convention(vec![Bouquet::Qf], Some("2027-01-01")),
            }],
        };
        assert_eq!(
            p.acces_bouquet(Bouquet::Qf, d("2026-06-01")),
            AccesBouquet::Ouvert
        );
        assert_eq!(
            p.acces_bouquet(Bouquet::Psu, d("2026-06-01")),
            AccesBouquet::NonHabilite
        );
        assert_eq!(
            p.acces_bouquet(Bouquet::Qf, d("2027-01-01")),
            AccesBouquet::ConventionHorsVigueur
        );
        assert_eq!(
            p.acces_bouquet(Bouquet::Qf, d("2025-12-31")),
            AccesBouquet::ConventionHorsVigueur
        );
    }

    #[test]
    fn co_4_habilitation_through_a_convention_that_does_not_open_the_bouquet_gives_nothing() {
        let p = Perimetre {
            departements: vec![dep("07")],
            habilitations: vec![Habilitation {
                bouquet: Bouquet::Qf,
                convention: convention(vec![Bouquet::Psu], None),
            }],
        };
        assert_eq!(
            p.acces_bouquet(Bouquet::Qf, d("2026-06-01")),
            AccesBouquet::ConventionHorsVigueur
        );
    }

    #[test]
    fn ten_3_competence_spans_the_partners_departements() {
        let p = Perimetre {
            departements: vec![dep("07"), dep("26")],
            habilitations: vec![],
        };
        assert_eq!(p.acces_dossier(&dossier("26", false)), AccesDossier::Autorise);
        assert_eq!(
            p.acces_dossier(&dossier("42", false)),
            AccesDossier::HorsCompetence
        );
    }

    #[test]
    fn op_1_opposition_is_shown_only_within_competence() {
        let p = Perimetre {
            departements: vec![dep("07")],
            habilitations: vec![],
        };
        assert_eq!(p.acces_dossier(&dossier("07", true)), AccesDossier::Opposition);
        assert_eq!(
            p.acces_dossier(&dossier("42", true)),
            AccesDossier::HorsCompetence
        );
    }
}
