//! The RSA part of a dossier, read by the RSACG bouquet (BQ-RSA, CO-3; 002:3): the benefits paid with their
//! periods (Droits), the RSA right itself (RSA), the quarterly resources declarations (Ressources), the
//! previous addresses (Adresse), and the circonscription the dossier belongs to within its département.
//! Household members and situation (Famille) are the dossier's people and its family situation.

use crate::{Adresse, CodeCirconscription, CodeDepartement, Euros};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A circonscription named across départements: `06/NICE-EST`. Codes are unique within a département only,
/// and a conseil départemental's competence may span several (TEN-3), so a perimeter names both.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Circonscription {
    pub departement: CodeDepartement,
    pub code: CodeCirconscription,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CirconscriptionError {
    #[error("une circonscription s'écrit DÉPARTEMENT/CODE, par exemple « 06/NICE-EST »")]
    Forme,
    #[error("{0}")]
    Departement(String),
    #[error("{0}")]
    Code(String),
}

impl Circonscription {
    pub fn parse(input: &str) -> Result<Circonscription, CirconscriptionError> {
        let (departement, code) = input.trim().split_once('/').ok_or(CirconscriptionError::Forme)?;
        Ok(Circonscription {
            departement: CodeDepartement::parse(departement)
                .map_err(|e| CirconscriptionError::Departement(e.raison))?,
            code: CodeCirconscription::parse(code).map_err(|e| CirconscriptionError::Code(e.raison))?,
        })
    }
}

impl fmt::Display for Circonscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.departement, self.code)
    }
}

/// Why the circonscriptions asked for an habilitation are refused (CO-3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PerimetreRefuse {
    /// An RSACG habilitation reaches only the circonscriptions it names: none would reach nothing.
    #[error(
        "une habilitation RSACG désigne au moins une circonscription du partenaire, celle(s) de l'agent \
         (CO-3)"
    )]
    CirconscriptionRequise,
    /// Only RSACG habilitations are bounded by circonscriptions.
    #[error("seules les habilitations RSACG désignent des circonscriptions ; le bouquet {0} n'en a pas")]
    HorsBouquet(&'static str),
    /// A circonscription the partner does not cover.
    #[error("la circonscription « {0} » n'est pas une circonscription du partenaire (CO-3)")]
    HorsPartenaire(Circonscription),
}

impl PerimetreRefuse {
    pub fn code(&self) -> &'static str {
        match self {
            PerimetreRefuse::CirconscriptionRequise => "circonscription_requise",
            PerimetreRefuse::HorsBouquet(_) => "circonscription_hors_bouquet",
            PerimetreRefuse::HorsPartenaire(_) => "circonscription_hors_partenaire",
        }
    }
}

/// CO-3: the circonscriptions an habilitation on `bouquet` asks for. An RSACG habilitation names one or
/// more of its partner's circonscriptions (`du_partenaire`), and only those; any other bouquet names none.
pub fn verifier_perimetre(
    bouquet: crate::Bouquet,
    demandees: &[Circonscription],
    du_partenaire: &[Circonscription],
) -> Result<(), PerimetreRefuse> {
    if bouquet != crate::Bouquet::Rsacg {
        return match demandees.is_empty() {
            true => Ok(()),
            false => Err(PerimetreRefuse::HorsBouquet(bouquet.code())),
        };
    }
    if demandees.is_empty() {
        return Err(PerimetreRefuse::CirconscriptionRequise);
    }
    match demandees.iter().find(|c| !du_partenaire.contains(c)) {
        Some(c) => Err(PerimetreRefuse::HorsPartenaire(c.clone())),
        None => Ok(()),
    }
}

impl Serialize for Circonscription {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Circonscription {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Circonscription::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The state of an RSA right (002:3, rubrique RSA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EtatRsa {
    /// Being examined by the caisse: not yet paid.
    EnInstruction,
    Ouvert,
    /// Payment suspended, with its reason.
    Suspendu,
    /// Struck off: the right ended.
    Radie,
}

impl EtatRsa {
    pub const ALL: [EtatRsa; 4] = [
        EtatRsa::EnInstruction,
        EtatRsa::Ouvert,
        EtatRsa::Suspendu,
        EtatRsa::Radie,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EtatRsa::EnInstruction => "en_instruction",
            EtatRsa::Ouvert => "ouvert",
            EtatRsa::Suspendu => "suspendu",
            EtatRsa::Radie => "radie",
        }
    }

    pub fn parse(code: &str) -> Option<EtatRsa> {
        EtatRsa::ALL.into_iter().find(|e| e.code() == code)
    }

    pub fn libelle(self) -> &'static str {
        match self {
            EtatRsa::EnInstruction => "En cours d'instruction",
            EtatRsa::Ouvert => "Droit ouvert",
            EtatRsa::Suspendu => "Droit suspendu",
            EtatRsa::Radie => "Radié",
        }
    }
}

/// The RSA right of a dossier (rubrique RSA).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroitRsa {
    pub etat: EtatRsa,
    /// The date the right was opened.
    #[serde(with = "crate::date_iso")]
    pub ouvert_le: NaiveDate,
    pub montant_mensuel: Euros,
    /// RSA majoré (parent isolé).
    pub majoration: bool,
    /// Present exactly when the right is suspended.
    pub motif_suspension: Option<String>,
}

/// A benefit paid to the household (rubrique Droits): its code as the caisse names it (`AF`, `ALF`,
/// `PPA`…), its period, and its monthly amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prestation {
    pub prestation: String,
    #[serde(with = "crate::date_iso")]
    pub debut: NaiveDate,
    /// Last day paid, inclusive; `None` while it is paid.
    #[serde(default, with = "crate::date_iso::option")]
    pub fin: Option<NaiveDate>,
    pub montant_mensuel: Euros,
}

impl Prestation {
    /// Paid on the first day of this month (CO-6).
    pub fn en_cours(&self, annee: i32, mois: u32) -> bool {
        NaiveDate::from_ymd_opt(annee, mois, 1)
            .is_some_and(|jour| self.debut <= jour && self.fin.is_none_or(|fin| jour <= fin))
    }
}

/// A quarterly resources declaration (rubrique Ressources): the resources of the household for one quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationTrimestrielle {
    pub annee: i32,
    /// 1 to 4.
    pub trimestre: u8,
    pub montant: Euros,
    #[serde(default, with = "crate::date_iso::option")]
    pub declaree_le: Option<NaiveDate>,
}

/// An address the household lived at before, until `jusqu_au` inclusive (rubrique Adresse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdresseAnterieure {
    #[serde(with = "crate::date_iso")]
    pub jusqu_au: NaiveDate,
    pub adresse: Adresse,
}

/// Everything the RSACG bouquet reads beyond the people and the current address. Stored with the dossier,
/// absent from dossiers without RSA data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonneesRsa {
    /// The circonscription within the dossier's département (CO-3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circonscription: Option<CodeCirconscription>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub droit: Option<DroitRsa>,
    /// Sorted by `debut`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prestations: Vec<Prestation>,
    /// Sorted by quarter, one declaration per quarter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declarations: Vec<DeclarationTrimestrielle>,
    /// Most recent first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adresses_anterieures: Vec<AdresseAnterieure>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RsaError {
    #[error("un droit RSA suspendu porte son motif de suspension")]
    MotifManquant,
    #[error("seul un droit RSA suspendu porte un motif de suspension")]
    MotifSansSuspension,
    #[error("le motif de suspension compte 200 caractères au plus, sans caractère de contrôle")]
    MotifInvalide,
    #[error("le code de prestation est fait de 1 à 16 lettres, chiffres ou tirets")]
    CodePrestation,
    #[error("la prestation {0} commençant le {1} finit avant de commencer")]
    PrestationInversee(String, NaiveDate),
    #[error("le trimestre est compris entre 1 et 4 et l'année entre 1900 et 2200")]
    Trimestre,
    #[error("deux déclarations trimestrielles portent sur le trimestre {1} de {0}")]
    TrimestreEnDouble(i32, u8),
}

impl DonneesRsa {
    pub fn is_empty(&self) -> bool {
        self == &DonneesRsa::default()
    }

    /// Checks what the types cannot hold alone, and sorts the lists.
    pub fn verifiee(mut self) -> Result<DonneesRsa, RsaError> {
        if let Some(droit) = &self.droit {
            match (droit.etat, &droit.motif_suspension) {
                (EtatRsa::Suspendu, None) => return Err(RsaError::MotifManquant),
                (EtatRsa::Suspendu, Some(m))
                    if m.trim().is_empty() || m.chars().count() > 200 || m.chars().any(char::is_control) =>
                {
                    return Err(RsaError::MotifInvalide)
                }
                (EtatRsa::Suspendu, Some(_)) | (_, None) => {}
                (_, Some(_)) => return Err(RsaError::MotifSansSuspension),
            }
        }
        for p in &self.prestations {
            let code_ok = (1..=16).contains(&p.prestation.len())
                && p.prestation
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !code_ok {
                return Err(RsaError::CodePrestation);
            }
            if p.fin.is_some_and(|fin| fin < p.debut) {
                return Err(RsaError::PrestationInversee(p.prestation.clone(), p.debut));
            }
        }
        self.prestations
            .sort_by(|a, b| (a.debut, &a.prestation).cmp(&(b.debut, &b.prestation)));
        if self
            .declarations
            .iter()
            .any(|d| !(1..=4).contains(&d.trimestre) || !(1900..=2200).contains(&d.annee))
        {
            return Err(RsaError::Trimestre);
        }
        self.declarations.sort_by_key(|d| (d.annee, d.trimestre));
        if let Some(w) = self
            .declarations
            .windows(2)
            .find(|w| (w[0].annee, w[0].trimestre) == (w[1].annee, w[1].trimestre))
        {
            return Err(RsaError::TrimestreEnDouble(w[0].annee, w[0].trimestre));
        }
        self.adresses_anterieures
            .sort_by_key(|a| std::cmp::Reverse(a.jusqu_au));
        Ok(self)
    }

    /// CO-6: the benefits paid in the chosen month.
    pub fn prestations_du_mois(&self, annee: i32, mois: u32) -> Vec<Prestation> {
        self.prestations
            .iter()
            .filter(|p| p.en_cours(annee, mois))
            .cloned()
            .collect()
    }

    /// CO-6: the declaration of the quarter holding the chosen month, if the household made it.
    pub fn declaration_du_mois(&self, annee: i32, mois: u32) -> Option<&DeclarationTrimestrielle> {
        let jour = NaiveDate::from_ymd_opt(annee, mois, 1)?;
        let trimestre = u8::try_from(jour.month0() / 3 + 1).ok()?;
        self.declarations
            .iter()
            .find(|d| d.annee == jour.year() && d.trimestre == trimestre)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn droit(etat: EtatRsa, motif: Option<&str>) -> DonneesRsa {
        DonneesRsa {
            droit: Some(DroitRsa {
                etat,
                ouvert_le: d("2025-03-01"),
                montant_mensuel: Euros::from_centimes(63_528),
                majoration: false,
                motif_suspension: motif.map(str::to_owned),
            }),
            ..DonneesRsa::default()
        }
    }

    #[test]
    fn co_3_circonscription_names_its_departement() {
        let c = Circonscription::parse("06/NICE-EST").unwrap();
        assert_eq!(c.departement.as_str(), "06");
        assert_eq!(c.to_string(), "06/NICE-EST");
        assert_eq!(
            Circonscription::parse("NICE-EST"),
            Err(CirconscriptionError::Forme)
        );
        assert!(matches!(
            Circonscription::parse("99/X"),
            Err(CirconscriptionError::Departement(_))
        ));
        assert!(matches!(
            Circonscription::parse("06/NICE EST"),
            Err(CirconscriptionError::Code(_))
        ));
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, "\"06/NICE-EST\"");
        assert_eq!(serde_json::from_str::<Circonscription>(&json).unwrap(), c);
    }

    #[test]
    fn bq_rsa_a_suspended_right_carries_its_reason_and_only_it() {
        assert!(droit(EtatRsa::Ouvert, None).verifiee().is_ok());
        assert!(
            droit(EtatRsa::Suspendu, Some("Défaut de déclaration trimestrielle"))
                .verifiee()
                .is_ok()
        );
        assert_eq!(
            droit(EtatRsa::Suspendu, None).verifiee(),
            Err(RsaError::MotifManquant)
        );
        assert_eq!(
            droit(EtatRsa::Ouvert, Some("x")).verifiee(),
            Err(RsaError::MotifSansSuspension)
        );
        assert_eq!(
            droit(EtatRsa::Suspendu, Some("a\u{0}b")).verifiee(),
            Err(RsaError::MotifInvalide)
        );
    }

    #[test]
    fn co_6_rsa_benefits_and_declarations_by_period() {
        let p = |code: &str, debut: &str, fin: Option<&str>| Prestation {
            prestation: code.into(),
            debut: d(debut),
            fin: fin.map(d),
            montant_mensuel: Euros::from_centimes(10_000),
        };
        let decl = |annee, trimestre| DeclarationTrimestrielle {
            annee,
            trimestre,
            montant: Euros::from_centimes(120_000),
            declaree_le: None,
        };
        let rsa = DonneesRsa {
            prestations: vec![
                p("ALF", "2026-01-01", None),
                p("AF", "2025-01-01", Some("2025-12-31")),
            ],
            declarations: vec![decl(2026, 2), decl(2026, 1)],
            ..DonneesRsa::default()
        }
        .verifiee()
        .unwrap();
        assert_eq!(rsa.prestations[0].prestation, "AF", "sorted by start");
        let codes = |v: Vec<Prestation>| v.into_iter().map(|p| p.prestation).collect::<Vec<_>>();
        assert_eq!(codes(rsa.prestations_du_mois(2025, 6)), ["AF"]);
        assert_eq!(codes(rsa.prestations_du_mois(2026, 6)), ["ALF"]);
        assert_eq!(rsa.declaration_du_mois(2026, 5).map(|d| d.trimestre), Some(2));
        assert_eq!(rsa.declaration_du_mois(2026, 7), None);
        let double = DonneesRsa {
            declarations: vec![decl(2026, 1), decl(2026, 1)],
            ..DonneesRsa::default()
        };
        assert_eq!(double.verifiee(), Err(RsaError::TrimestreEnDouble(2026, 1)));
        let inverse = DonneesRsa {
            prestations: vec![p("AF", "2026-02-01", Some("2026-01-31"))],
            ..DonneesRsa::default()
        };
        assert!(matches!(
            inverse.verifiee(),
            Err(RsaError::PrestationInversee(..))
        ));
        let trimestre = DonneesRsa {
            declarations: vec![decl(2026, 5)],
            ..DonneesRsa::default()
        };
        assert_eq!(trimestre.verifiee(), Err(RsaError::Trimestre));
    }

    fn circ(texte: &str) -> Circonscription {
        Circonscription::parse(texte).unwrap()
    }

    #[test]
    fn co_3_an_rsacg_habilitation_names_some_of_its_partners_circonscriptions() {
        let partenaire = [circ("06/NICE-EST"), circ("06/GRASSE")];
        let rsacg = crate::Bouquet::Rsacg;
        assert_eq!(
            verifier_perimetre(rsacg, &[circ("06/GRASSE")], &partenaire),
            Ok(())
        );
        assert_eq!(
            verifier_perimetre(rsacg, &[], &partenaire),
            Err(PerimetreRefuse::CirconscriptionRequise)
        );
        assert_eq!(
            verifier_perimetre(rsacg, &[circ("06/GRASSE"), circ("83/TOULON")], &partenaire),
            Err(PerimetreRefuse::HorsPartenaire(circ("83/TOULON")))
        );
        assert_eq!(
            verifier_perimetre(crate::Bouquet::Qf, &[circ("06/GRASSE")], &partenaire),
            Err(PerimetreRefuse::HorsBouquet("QF"))
        );
        assert_eq!(verifier_perimetre(crate::Bouquet::Qf, &[], &[]), Ok(()));
    }

    #[test]
    fn a_circonscription_reads_back_as_its_text() {
        let json = serde_json::to_string(&circ("2A/AJACCIO")).unwrap();
        assert_eq!(json, "\"2A/AJACCIO\"");
        assert_eq!(
            serde_json::from_str::<Circonscription>(&json).unwrap(),
            circ("2A/AJACCIO")
        );
        assert!(serde_json::from_str::<Circonscription>("\"AJACCIO\"").is_err());
    }
}
