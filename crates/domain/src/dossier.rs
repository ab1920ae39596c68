//! The caisse's file on one household. A dossier as stored by partage holds no NIR: NIRs are kept apart,
//! only as keyed hashes, to find the dossier (see `partage_app::nir_index`).

use crate::famille::{Famille, PeriodeRessources};
use crate::rsa::{DonneesRsa, RsaError};
use crate::{CodeDepartement, Matricule};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sexe {
    #[serde(rename = "M")]
    Masculin,
    #[serde(rename = "F")]
    Feminin,
}

/// An allocataire or a child, field names as in API Particulier's QF answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Personne {
    pub nom_naissance: String,
    pub nom_usage: Option<String>,
    pub prenoms: String,
    #[serde(default, with = "crate::date_iso::option")]
    pub date_naissance: Option<NaiveDate>,
    pub sexe: Option<Sexe>,
}

/// Postal address in the seven lines of the AFNOR XP Z10-011 norm, as in API Particulier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adresse {
    pub destinataire: Option<String>,
    pub complement_information: Option<String>,
    pub complement_information_geographique: Option<String>,
    pub numero_libelle_voie: Option<String>,
    pub lieu_dit: Option<String>,
    pub code_postal_ville: Option<String>,
    pub pays: Option<String>,
}

/// A quotient familial valid from `debut` to `fin`, both inclusive, in whole euros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodeQf {
    #[serde(with = "crate::date_iso")]
    pub debut: NaiveDate,
    #[serde(with = "crate::date_iso")]
    pub fin: NaiveDate,
    pub valeur: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub matricule: Matricule,
    pub departement: CodeDepartement,
    pub allocataires: Vec<Personne>,
    pub enfants: Vec<Personne>,
    pub adresse: Adresse,
    /// Sorted by `debut`, never overlapping.
    pub quotients_familiaux: Vec<PeriodeQf>,
    /// OP-1: the beneficiary opposed consultation by partners.
    pub opposition: bool,
    /// PSU "Situation familiale" (BQ-PSU). Absent from dossiers stored before it existed.
    #[serde(default, skip_serializing_if = "Famille::is_empty")]
    pub famille: Famille,
    /// PSU "Ressources hors prestations familiales" by validity period; sorted by `debut`, never overlapping.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ressources: Vec<PeriodeRessources>,
    /// What the RSACG bouquet reads (BQ-RSA): circonscription, RSA right, benefits, quarterly declarations,
    /// previous addresses. Absent from dossiers stored before it existed, and from those without RSA data.
    #[serde(default, skip_serializing_if = "DonneesRsa::is_empty")]
    pub rsa: DonneesRsa,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierError {
    #[error("un dossier compte au moins un allocataire")]
    SansAllocataire,
    #[error("un nom de naissance et des prénoms sont requis pour chaque personne")]
    PersonneIncomplete,
    #[error("la période de QF commençant le {debut} finit avant de commencer")]
    PeriodeInversee { debut: NaiveDate },
    #[error("les périodes de QF commençant le {0} et le {1} se chevauchent")]
    PeriodesChevauchees(NaiveDate, NaiveDate),
    #[error("la période de ressources commençant le {debut} finit avant de commencer")]
    RessourcesInversees { debut: NaiveDate },
    #[error("les périodes de ressources commençant le {0} et le {1} se chevauchent")]
    RessourcesChevauchees(NaiveDate, NaiveDate),
    #[error("l'enfant n° {0} bénéficiaire de l'AEEH n'est pas un enfant du dossier")]
    EnfantAeehInconnu(usize),
    #[error("{0}")]
    Rsa(#[from] RsaError),
}

impl Dossier {
    /// Checks the invariants a dossier must hold and sorts its QF periods.
    pub fn new(
        matricule: Matricule,
        departement: CodeDepartement,
        allocataires: Vec<Personne>,
        enfants: Vec<Personne>,
        adresse: Adresse,
        mut quotients_familiaux: Vec<PeriodeQf>,
        opposition: bool,
    ) -> Result<Dossier, DossierError> {
        if allocataires.is_empty() {
            return Err(DossierError::SansAllocataire);
        }
        if allocataires
            .iter()
            .chain(&enfants)
            .any(|p| p.nom_naissance.trim().is_empty() || p.prenoms.trim().is_empty())
        {
            return Err(DossierError::PersonneIncomplete);
        }
        if let Some(p) = quotients_familiaux.iter().find(|p| p.fin < p.debut) {
            return Err(DossierError::PeriodeInversee { debut: p.debut });
        }
        quotients_familiaux.sort_by_key(|p| p.debut);
        if let Some(w) = quotients_familiaux.windows(2).find(|w| w[1].debut <= w[0].fin) {
            return Err(DossierError::PeriodesChevauchees(w[0].debut, w[1].debut));
        }
        Ok(Dossier {
            matricule,
            departement,
            allocataires,
            enfants,
            adresse,
            quotients_familiaux,
            opposition,
            famille: Famille::default(),
            ressources: Vec::new(),
            rsa: DonneesRsa::default(),
        })
    }

    /// Adds what the RSACG bouquet reads (BQ-RSA), checked and sorted.
    pub fn avec_rsa(mut self, rsa: DonneesRsa) -> Result<Dossier, DossierError> {
        self.rsa = rsa.verifiee()?;
        Ok(self)
    }

    /// Adds what the PSU bouquet reads (BQ-PSU): the family situation and the resources by period, checked
    /// like the QF periods (sorted, never overlapping).
    pub fn avec_psu(
        mut self,
        famille: Famille,
        mut ressources: Vec<PeriodeRessources>,
    ) -> Result<Dossier, DossierError> {
        if let Some(&i) = famille.enfants_aeeh.iter().find(|&&i| i >= self.enfants.len()) {
            return Err(DossierError::EnfantAeehInconnu(i + 1));
        }
        if let Some(p) = ressources.iter().find(|p| p.fin < p.debut) {
            return Err(DossierError::RessourcesInversees { debut: p.debut });
        }
        ressources.sort_by_key(|p| p.debut);
        if let Some(w) = ressources.windows(2).find(|w| w[1].debut <= w[0].fin) {
            return Err(DossierError::RessourcesChevauchees(w[0].debut, w[1].debut));
        }
        self.famille = famille;
        self.ressources = ressources;
        Ok(self)
    }

    /// CO-6: the QF valid on the first day of the given month, if the caisse computed one.
    pub fn qf_du_mois(&self, annee: i32, mois: u32) -> Option<&PeriodeQf> {
        let jour = NaiveDate::from_ymd_opt(annee, mois, 1)?;
        self.quotients_familiaux
            .iter()
            .find(|p| p.debut <= jour && jour <= p.fin)
    }
}

/// A month chosen by the user, or the current one when he chose none (CO-6).
pub fn mois_demande(
    annee: Option<i32>,
    mois: Option<u32>,
    aujourdhui: NaiveDate,
) -> Result<(i32, u32), PeriodeDemandeeError> {
    match (annee, mois) {
        (None, None) => Ok((aujourdhui.year(), aujourdhui.month())),
        (Some(a), Some(m)) if (1..=12).contains(&m) && (1900..=2200).contains(&a) => Ok((a, m)),
        (Some(_), Some(_)) => Err(PeriodeDemandeeError::Invalide),
        _ => Err(PeriodeDemandeeError::Incomplete),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodeDemandeeError {
    #[error("l'année et le mois vont ensemble : indiquez les deux, ou aucun pour le mois en cours")]
    Incomplete,
    #[error("le mois doit être compris entre 1 et 12 et l'année entre 1900 et 2200")]
    Invalide,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn personne(nom: &str) -> Personne {
        Personne {
            nom_naissance: nom.into(),
            nom_usage: None,
            prenoms: "Jeanne".into(),
            date_naissance: None,
            sexe: None,
        }
    }
    fn dossier(qf: Vec<PeriodeQf>) -> Result<Dossier, DossierError> {
        Dossier::new(
            Matricule::parse("0001").unwrap(),
            CodeDepartement::parse("07").unwrap(),
            vec![personne("MARTIN")],
            vec![],
            Adresse::default(),
            qf,
            false,
        )
    }

    #[test]
    fn co_6_qf_by_validity_period() {
        let d = dossier(vec![
            PeriodeQf {
                debut: d("2026-07-01"),
                fin: d("2026-12-31"),
                valeur: 640,
            },
            PeriodeQf {
                debut: d("2026-01-01"),
                fin: d("2026-06-30"),
                valeur: 580,
            },
        ])
        .unwrap();
        assert_eq!(d.quotients_familiaux[0].valeur, 580, "periods are sorted");
        assert_eq!(d.qf_du_mois(2026, 3).map(|p| p.valeur), Some(580));
        assert_eq!(d.qf_du_mois(2026, 7).map(|p| p.valeur), Some(640));
        assert_eq!(d.qf_du_mois(2025, 12), None);
        assert_eq!(d.qf_du_mois(2026, 13), None);
    }

    #[test]
    fn co_6_month_requested_defaults_to_today() {
        assert_eq!(mois_demande(None, None, d("2026-11-23")), Ok((2026, 11)));
        assert_eq!(mois_demande(Some(2025), Some(2), d("2026-11-23")), Ok((2025, 2)));
        assert_eq!(
            mois_demande(Some(2025), None, d("2026-11-23")),
            Err(PeriodeDemandeeError::Incomplete)
        );
        assert_eq!(
            mois_demande(Some(2025), Some(0), d("2026-11-23")),
            Err(PeriodeDemandeeError::Invalide)
        );
    }

    #[test]
    fn bq_psu_resources_sorted_and_checked_like_qf_periods() {
        use crate::famille::{Famille, PeriodeRessources};
        use crate::Euros;
        let r = |debut: &str, fin: &str| PeriodeRessources {
            debut: d(debut),
            fin: d(fin),
            annee_reference: 2024,
            montant_annuel: Euros::from_centimes(100),
        };
        let base = dossier(vec![]).unwrap();
        let ok = base
            .clone()
            .avec_psu(
                Famille::default(),
                vec![r("2026-07-01", "2026-12-31"), r("2026-01-01", "2026-06-30")],
            )
            .unwrap();
        assert_eq!(ok.ressources[0].debut, d("2026-01-01"));
        assert_eq!(
            ok.ressources_du_mois(2026, 8).map(|p| p.debut),
            Some(d("2026-07-01"))
        );
        assert!(matches!(
            base.clone().avec_psu(
                Famille::default(),
                vec![r("2026-01-01", "2026-07-01"), r("2026-07-01", "2026-12-31")]
            ),
            Err(DossierError::RessourcesChevauchees(..))
        ));
        assert!(matches!(
            base.clone()
                .avec_psu(Famille::default(), vec![r("2026-02-01", "2026-01-01")]),
            Err(DossierError::RessourcesInversees { .. })
        ));
        let aeeh = Famille {
            enfants_aeeh: vec![0],
            ..Famille::default()
        };
        assert_eq!(
            base.avec_psu(aeeh, vec![]),
            Err(DossierError::EnfantAeehInconnu(1))
        );
    }

    #[test]
    fn bq_psu_a_dossier_stored_before_psu_data_still_reads() {
        let stored = r#"{"matricule":"1","departement":"07","allocataires":[{"nom_naissance":"A","nom_usage":null,"prenoms":"B","date_naissance":null,"sexe":null}],"enfants":[],"adresse":{},"quotients_familiaux":[],"opposition":false}"#;
        let d: Dossier = serde_json::from_str(stored).unwrap();
        assert!(d.famille.is_empty() && d.ressources.is_empty());
        // And a dossier without PSU data is stored exactly as before.
        assert!(!serde_json::to_string(&d).unwrap().contains("famille"));
    }

    #[test]
    fn refuses_overlapping_or_inverted_periods() {
        let overlap = dossier(vec![
            PeriodeQf {
                debut: d("2026-01-01"),
                fin: d("2026-06-30"),
                valeur: 1,
            },
            PeriodeQf {
                debut: d("2026-06-30"),
                fin: d("2026-12-31"),
                valeur: 2,
            },
        ]);
        assert!(matches!(overlap, Err(DossierError::PeriodesChevauchees(..))));
        let inverted = dossier(vec![PeriodeQf {
            debut: d("2026-02-01"),
            fin: d("2026-01-01"),
            valeur: 1,
        }]);
        assert!(matches!(inverted, Err(DossierError::PeriodeInversee { .. })));
    }
}
