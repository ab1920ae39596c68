//! Who may see which dossier (SPEC CO-4, OP-1): the caisse of the convention, the partner's champ de
//! compétence narrowed to the départements of the convention when its version in force lists some (TEN-3,
//! CV-7), a bouquet the convention opens and the habilitation grants, a convention in force, and no
//! opposition.

use crate::rsa::Circonscription;
use crate::{Bouquet, CodeDepartement, Convention, Dossier};
use chrono::NaiveDate;

/// One habilitation of an agent: a bouquet, through one convention of his partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Habilitation {
    pub bouquet: Bouquet,
    pub convention: Convention,
    /// CO-3: the circonscriptions an RSACG habilitation reaches, all of the partner's; empty for the other
    /// bouquets (and for an RSACG habilitation given none, which then reaches no dossier).
    pub circonscriptions: Vec<Circonscription>,
    /// TEN-3, CV-7 (000 art. 7-1): the départements the convention's version in force lists; a dossier
    /// reached through this habilitation must be in one of them as well as in the partner's. Empty: not
    /// narrowed, the partner's competence applies.
    pub departements_convention: Vec<CodeDepartement>,
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
    /// In the partner's départements, but outside those every convention opening the bouquet today
    /// narrows to (TEN-3, CV-7): answered like a dossier that does not exist.
    HorsConvention,
    /// BQ-RSA: the RSACG bouquet shows only dossiers with an RSA right; any other answers like a dossier
    /// that does not exist.
    SansDroitRsa,
    /// CO-3: an RSA dossier outside every circonscription of the agent's habilitation: answered like a
    /// dossier that does not exist.
    HorsCirconscription,
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
    /// that an opposition exists. The dossier must also be in the départements of a convention through which
    /// the bouquet is open today, when that convention narrows them (TEN-3, CV-7). For RSACG, the dossier
    /// must also have an RSA right (BQ-RSA) and be in a circonscription of one of the agent's RSACG
    /// habilitations through a convention in force (CO-3).
    pub fn acces_dossier(&self, bouquet: Bouquet, dossier: &Dossier, jour: NaiveDate) -> AccesDossier {
        if !self.departements.contains(&dossier.departement) {
            AccesDossier::HorsCompetence
        } else if !self.convention_couvre(bouquet, &dossier.departement, jour) {
            AccesDossier::HorsConvention
        } else if bouquet == Bouquet::Rsacg && dossier.rsa.droit.is_none() {
            AccesDossier::SansDroitRsa
        } else if bouquet == Bouquet::Rsacg && !self.circonscription_atteinte(dossier, jour) {
            AccesDossier::HorsCirconscription
        } else if dossier.opposition {
            AccesDossier::Opposition
        } else {
            AccesDossier::Autorise
        }
    }

    /// Whether a convention through which the bouquet is open today covers the département: one that lists
    /// it, or one that lists none (not narrowed). With no such convention at all, [`Perimetre::acces_bouquet`]
    /// already refused, so nothing narrows here.
    fn convention_couvre(&self, bouquet: Bouquet, departement: &CodeDepartement, jour: NaiveDate) -> bool {
        let mut ouvertes = self
            .habilitations
            .iter()
            .filter(|h| h.bouquet == bouquet && h.convention.ouvre(bouquet) && h.convention.en_vigueur(jour))
            .peekable();
        ouvertes.peek().is_none()
            || ouvertes.any(|h| {
                h.departements_convention.is_empty() || h.departements_convention.contains(departement)
            })
    }

    fn circonscription_atteinte(&self, dossier: &Dossier, jour: NaiveDate) -> bool {
        let Some(code) = &dossier.rsa.circonscription else {
            return false;
        };
        self.habilitations
            .iter()
            .filter(|h| {
                h.bouquet == Bouquet::Rsacg
                    && h.convention.ouvre(Bouquet::Rsacg)
                    && h.convention.en_vigueur(jour)
            })
            .flat_map(|h| &h.circonscriptions)
            .any(|c| c.departement == dossier.departement && &c.code == code)
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
                circonscriptions: vec![],
                departements_convention: vec![],
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
                circonscriptions: vec![],
                departements_convention: vec![],
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
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("26", false), d("2026-06-01")),
            AccesDossier::Autorise
        );
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("42", false), d("2026-06-01")),
            AccesDossier::HorsCompetence
        );
    }

    #[test]
    fn op_1_opposition_is_shown_only_within_competence() {
        let p = Perimetre {
            departements: vec![dep("07")],
            habilitations: vec![],
        };
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("07", true), d("2026-06-01")),
            AccesDossier::Opposition
        );
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("42", true), d("2026-06-01")),
            AccesDossier::HorsCompetence
        );
    }

    fn qf_par(fin: Option<&str>, departements: &[&str]) -> Habilitation {
        Habilitation {
            bouquet: Bouquet::Qf,
            convention: convention(vec![Bouquet::Qf], fin),
            circonscriptions: vec![],
            departements_convention: departements.iter().map(|c| dep(c)).collect(),
        }
    }

    #[test]
    fn ten_3_a_convention_listing_departements_narrows_the_partners_competence() {
        let p = Perimetre {
            departements: vec![dep("07"), dep("26")],
            habilitations: vec![qf_par(None, &["07"])],
        };
        let jour = d("2026-06-01");
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("07", false), jour),
            AccesDossier::Autorise
        );
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("26", false), jour),
            AccesDossier::HorsConvention
        );
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("26", true), jour),
            AccesDossier::HorsConvention,
            "an opposition outside the convention's départements does not show"
        );
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("42", false), jour),
            AccesDossier::HorsCompetence
        );
    }

    #[test]
    fn ten_3_a_convention_listing_no_departement_keeps_the_partners_competence() {
        let p = Perimetre {
            departements: vec![dep("07"), dep("26")],
            habilitations: vec![qf_par(None, &[])],
        };
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("26", false), d("2026-06-01")),
            AccesDossier::Autorise
        );
    }

    #[test]
    fn ten_3_a_convention_never_widens_beyond_the_partners_competence() {
        let p = Perimetre {
            departements: vec![dep("07")],
            habilitations: vec![qf_par(None, &["07", "26"])],
        };
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("26", false), d("2026-06-01")),
            AccesDossier::HorsCompetence
        );
    }

    #[test]
    fn cv_7_two_conventions_in_force_cover_their_departements_together_and_an_ended_one_nothing() {
        let p = Perimetre {
            departements: vec![dep("07"), dep("26")],
            habilitations: vec![qf_par(None, &["07"]), qf_par(Some("2026-03-01"), &["26"])],
        };
        let avant = d("2026-02-01");
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("26", false), avant),
            AccesDossier::Autorise
        );
        let apres = d("2026-06-01");
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("26", false), apres),
            AccesDossier::HorsConvention
        );
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("07", false), apres),
            AccesDossier::Autorise
        );
        // A convention not narrowed, in force beside a narrowed one, covers the partner's competence.
        let p = Perimetre {
            habilitations: vec![qf_par(None, &["07"]), qf_par(None, &[])],
            ..p
        };
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier("26", false), apres),
            AccesDossier::Autorise
        );
    }

    fn rsacg(circonscriptions: &[&str], fin: Option<&str>) -> Perimetre {
        Perimetre {
            departements: vec![dep("07"), dep("26")],
            habilitations: vec![Habilitation {
                bouquet: Bouquet::Rsacg,
                convention: convention(vec![Bouquet::Rsacg], fin),
                circonscriptions: circonscriptions
                    .iter()
                    .map(|c| Circonscription::parse(c).unwrap())
                    .collect(),
                departements_convention: vec![],
            }],
        }
    }
    fn dossier_rsa(departement: &str, circonscription: Option<&str>, droit: bool) -> Dossier {
        use crate::rsa::{DonneesRsa, DroitRsa, EtatRsa};
        dossier(departement, false)
            .avec_rsa(DonneesRsa {
                circonscription: circonscription.map(|c| crate::CodeCirconscription::parse(c).unwrap()),
                droit: droit.then(|| DroitRsa {
                    etat: EtatRsa::Ouvert,
                    ouvert_le: d("2025-01-01"),
                    montant_mensuel: crate::Euros::from_centimes(60_000),
                    majoration: false,
                    motif_suspension: None,
                }),
                ..DonneesRsa::default()
            })
            .unwrap()
    }

    #[test]
    fn co_3_an_agent_reaches_only_the_rsa_dossiers_of_his_circonscriptions() {
        let p = rsacg(&["07/PRIVAS", "26/VALENCE"], None);
        let jour = d("2026-06-01");
        let acces = |dossier: &Dossier| p.acces_dossier(Bouquet::Rsacg, dossier, jour);
        assert_eq!(
            acces(&dossier_rsa("07", Some("PRIVAS"), true)),
            AccesDossier::Autorise
        );
        assert_eq!(
            acces(&dossier_rsa("26", Some("VALENCE"), true)),
            AccesDossier::Autorise
        );
        assert_eq!(
            acces(&dossier_rsa("07", Some("AUBENAS"), true)),
            AccesDossier::HorsCirconscription
        );
        // A code is a circonscription of its département only.
        assert_eq!(
            acces(&dossier_rsa("26", Some("PRIVAS"), true)),
            AccesDossier::HorsCirconscription
        );
        assert_eq!(
            acces(&dossier_rsa("07", None, true)),
            AccesDossier::HorsCirconscription
        );
        // The other bouquets do not look at circonscriptions.
        assert_eq!(
            p.acces_dossier(Bouquet::Qf, &dossier_rsa("07", Some("AUBENAS"), true), jour),
            AccesDossier::Autorise
        );
    }

    #[test]
    fn co_3_an_rsacg_habilitation_without_circonscription_or_in_force_convention_reaches_nothing() {
        let dossier = dossier_rsa("07", Some("PRIVAS"), true);
        assert_eq!(
            rsacg(&[], None).acces_dossier(Bouquet::Rsacg, &dossier, d("2026-06-01")),
            AccesDossier::HorsCirconscription
        );
        assert_eq!(
            rsacg(&["07/PRIVAS"], Some("2026-03-01")).acces_dossier(
                Bouquet::Rsacg,
                &dossier,
                d("2026-06-01")
            ),
            AccesDossier::HorsCirconscription
        );
    }

    #[test]
    fn bq_rsa_only_dossiers_with_an_rsa_right() {
        let p = rsacg(&["07/PRIVAS"], None);
        assert_eq!(
            p.acces_dossier(
                Bouquet::Rsacg,
                &dossier_rsa("07", Some("PRIVAS"), false),
                d("2026-06-01")
            ),
            AccesDossier::SansDroitRsa
        );
        assert_eq!(
            p.acces_dossier(Bouquet::Rsacg, &dossier("07", true), d("2026-06-01")),
            AccesDossier::SansDroitRsa,
            "not even an opposition shows through a bouquet the dossier is not in"
        );
    }
}
