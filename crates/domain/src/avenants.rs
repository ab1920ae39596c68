//! A convention's versions and avenants (SPEC CV-7): every modification is an avenant signed by both
//! parties; it takes effect once both signatures are recorded, and the history of versions is kept. A test
//! or experiment period changes nothing and needs no avenant.

use crate::habilitation::Gestion;
use crate::{Bouquet, CodeDepartement};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a version of a convention says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contenu {
    pub bouquets: Vec<Bouquet>,
    /// Codes of the départements the convention covers.
    pub departements: Vec<String>,
    pub plafond_habilitations: Option<u32>,
    /// `centralisee` or `deleguee` (CV-12); `None`: the default of the caisse.
    pub gestion: Option<String>,
    /// References of the annexes.
    pub annexes: Vec<String>,
}

/// An avenant as received: the next version's content, both signatures and its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avenant {
    pub contenu: Contenu,
    pub signe_partenaire_le: NaiveDate,
    pub signe_caisse_le: NaiveDate,
    pub reference: String,
}

impl Contenu {
    /// The same content with its lists sorted and deduplicated, so that two versions compare by meaning.
    pub fn normalise(mut self) -> Contenu {
        self.bouquets.sort();
        self.bouquets.dedup();
        for l in [&mut self.departements, &mut self.annexes] {
            for s in l.iter_mut() {
                *s = s.trim().to_owned();
            }
            l.sort();
            l.dedup();
        }
        self
    }
}

impl Contenu {
    /// TEN-3, CV-7 (000 art. 7-1): the départements a version lists narrow the convention's access, so each
    /// must be a département of the caisse (`departements_caisse`). The content with the codes written the
    /// one way the perimeter reads them, or a French reason naming every code at fault.
    pub fn departements_de_la_caisse(
        mut self,
        departements_caisse: &[CodeDepartement],
    ) -> Result<Contenu, String> {
        let mut fautifs = Vec::new();
        let mut codes = Vec::new();
        for texte in &self.departements {
            match CodeDepartement::parse(texte) {
                Ok(d) if departements_caisse.contains(&d) => codes.push(d.to_string()),
                _ => fautifs.push(format!("« {} »", texte.chars().take(20).collect::<String>())),
            }
        }
        if !fautifs.is_empty() {
            let caisse: Vec<&str> = departements_caisse.iter().map(CodeDepartement::as_str).collect();
            return Err(format!(
                "départements : {} n'est pas un département de la caisse ({}) ; une convention ne couvre que \
                 des départements de sa caisse",
                fautifs.join(", "),
                caisse.join(", ")
            ));
        }
        self.departements = codes;
        Ok(self.normalise())
    }
}

impl Avenant {
    /// The day the avenant takes effect: once both parties have signed, the later signature.
    pub fn effet_le(&self) -> NaiveDate {
        self.signe_partenaire_le.max(self.signe_caisse_le)
    }

    /// Checks the avenant against the version in force, on `aujourdhui`; the normalised content of the next
    /// version, or a French reason.
    pub fn verifier(&self, en_vigueur: &Contenu, aujourdhui: NaiveDate) -> Result<Contenu, String> {
        let reference = self.reference.trim();
        if reference.is_empty() || reference.chars().count() > 200 {
            return Err("la référence de l'avenant est obligatoire, 200 caractères au plus".into());
        }
        for (date, partie) in [
            (self.signe_partenaire_le, "le partenaire"),
            (self.signe_caisse_le, "la caisse"),
        ] {
            if date > aujourdhui {
                return Err(format!("la signature par {partie} ({date}) est dans le futur"));
            }
        }
        let contenu = self.contenu.clone().normalise();
        if contenu.bouquets.is_empty() {
            return Err("une convention ouvre au moins un bouquet de services".into());
        }
        if contenu
            .plafond_habilitations
            .is_some_and(|p| p > crate::habilitation::PLAFOND_MAX)
        {
            return Err(format!(
                "plafond : {} habilitations au plus",
                crate::habilitation::PLAFOND_MAX
            ));
        }
        if let Some(g) = contenu.gestion.as_deref() {
            if Gestion::parse(g).is_none() {
                return Err(format!(
                    "mode de gestion inconnu « {} » : centralisee ou deleguee",
                    g.chars().take(20).collect::<String>()
                ));
            }
        }
        if contenu
            .departements
            .iter()
            .chain(&contenu.annexes)
            .any(|s| s.is_empty() || s.len() > 200)
        {
            return Err("un département ou une annexe est vide ou trop long".into());
        }
        if contenu == en_vigueur.clone().normalise() {
            return Err(
                "cet avenant ne change rien à la convention en vigueur : une période de test ou \
                        d'expérimentation n'a pas besoin d'avenant"
                    .into(),
            );
        }
        Ok(contenu)
    }
}

/// CV-11: a data-breach notification from the partner, with its documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub notifiee_le: NaiveDate,
    pub description: String,
    /// References of the documents received (notification letter, report…).
    pub documents: Vec<String>,
}

impl Violation {
    /// The notification trimmed, or a French reason: a date in the future, no description, no document.
    pub fn verifier(self, aujourdhui: NaiveDate) -> Result<Violation, String> {
        if self.notifiee_le > aujourdhui {
            return Err(format!(
                "la date de notification ({}) est dans le futur",
                self.notifiee_le
            ));
        }
        let description = self.description.trim().to_owned();
        if description.is_empty() || description.chars().count() > 4000 {
            return Err("la description de la violation est obligatoire, 4000 caractères au plus".into());
        }
        let documents: Vec<String> = self.documents.iter().map(|d| d.trim().to_owned()).collect();
        if documents.is_empty() || documents.iter().any(|d| d.is_empty() || d.chars().count() > 200) {
            return Err("au moins une référence de document, chacune de 1 à 200 caractères".into());
        }
        Ok(Violation {
            notifiee_le: self.notifiee_le,
            description,
            documents,
        })
    }
}

/// CV-8: what the partner did with the data when the convention ended (000 art. 6-1): returned them to the
/// caisse, or destroyed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NatureAttestation {
    Restitution,
    Destruction,
}

impl NatureAttestation {
    pub fn parse(code: &str) -> Option<NatureAttestation> {
        match code.trim() {
            "restitution" => Some(NatureAttestation::Restitution),
            "destruction" => Some(NatureAttestation::Destruction),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            NatureAttestation::Restitution => "restitution",
            NatureAttestation::Destruction => "destruction",
        }
    }

    /// In French, after « attestation de ».
    pub fn libelle(self) -> &'static str {
        match self {
            NatureAttestation::Restitution => "restitution des données",
            NatureAttestation::Destruction => "destruction des données",
        }
    }
}

/// CV-8: the partner's written attestation of return or destruction of the data, once the convention ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    pub nature: NatureAttestation,
    /// The date the partner signed the attestation.
    pub attestee_le: NaiveDate,
    /// The reference of the document received (letter, registered mail number…).
    pub reference: String,
}

impl Attestation {
    /// The attestation trimmed, or a French reason: a convention not ended (`fin_le`: the day it ended),
    /// a date in the future or before the end, no reference.
    pub fn verifier(self, fin_le: Option<NaiveDate>, aujourdhui: NaiveDate) -> Result<Attestation, String> {
        let Some(fin) = fin_le.filter(|fin| *fin <= aujourdhui) else {
            return Err(
                "la convention n'est pas terminée : la restitution ou la destruction des données s'atteste \
                 après sa fin"
                    .into(),
            );
        };
        if self.attestee_le > aujourdhui {
            return Err(format!(
                "la date de l'attestation ({}) est dans le futur",
                self.attestee_le
            ));
        }
        if self.attestee_le < fin {
            return Err(format!(
                "la date de l'attestation ({}) précède la fin de la convention ({fin})",
                self.attestee_le
            ));
        }
        let reference = self.reference.trim().to_owned();
        if reference.is_empty() || reference.chars().count() > 200 {
            return Err(
                "la référence du document d'attestation est obligatoire, 200 caractères au plus".into(),
            );
        }
        Ok(Attestation {
            nature: self.nature,
            attestee_le: self.attestee_le,
            reference,
        })
    }
}

/// CV-9: a sub-contractor the partner declares on a convention (003 art. 14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SousTraitant {
    pub nom: String,
    /// Where the providers are located.
    pub localisation_prestataires: String,
    /// Where the databases are located.
    pub localisation_bases: String,
    pub regime_juridique: String,
    pub taches: String,
    pub declare_le: NaiveDate,
    /// The day the sub-contracting starts.
    pub debut_le: NaiveDate,
}

impl SousTraitant {
    /// The declaration trimmed, or a French reason: a field empty or too long, a declaration in the future,
    /// or less than six months before the start.
    pub fn verifier(self, aujourdhui: NaiveDate) -> Result<SousTraitant, String> {
        let champ = |nom: &str, v: &str| -> Result<String, String> {
            let v = v.trim();
            if v.is_empty() || v.chars().count() > 500 {
                return Err(format!("« {nom} » est obligatoire, 500 caractères au plus"));
            }
            Ok(v.to_owned())
        };
        let declaration = SousTraitant {
            nom: champ("nom", &self.nom)?,
            localisation_prestataires: champ("localisation_prestataires", &self.localisation_prestataires)?,
            localisation_bases: champ("localisation_bases", &self.localisation_bases)?,
            regime_juridique: champ("regime_juridique", &self.regime_juridique)?,
            taches: champ("taches", &self.taches)?,
            ..self
        };
        if declaration.declare_le > aujourdhui {
            return Err(format!(
                "la date de déclaration ({}) est dans le futur",
                declaration.declare_le
            ));
        }
        let au_plus_tot = declaration
            .declare_le
            .checked_add_months(chrono::Months::new(6))
            .ok_or("date de déclaration hors limites")?;
        if declaration.debut_le < au_plus_tot {
            return Err(format!(
                "un sous-traitant se déclare au moins six mois à l'avance : déclaré le {}, il ne peut \
                 intervenir avant le {au_plus_tot}",
                declaration.declare_le
            ));
        }
        Ok(declaration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn v1() -> Contenu {
        Contenu {
            bouquets: vec![Bouquet::Psu],
            departements: vec!["59".into()],
            plafond_habilitations: Some(10),
            gestion: None,
            annexes: vec![],
        }
    }

    fn avenant(contenu: Contenu) -> Avenant {
        Avenant {
            contenu,
            signe_partenaire_le: d("2026-03-01"),
            signe_caisse_le: d("2026-03-05"),
            reference: "Avenant n° 1".into(),
        }
    }

    #[test]
    fn cv_7_an_avenant_takes_effect_at_the_second_signature() {
        let next = Contenu {
            plafond_habilitations: Some(20),
            ..v1()
        };
        let a = avenant(next.clone());
        assert_eq!(a.verifier(&v1(), d("2026-03-05")), Ok(next));
        assert_eq!(a.effet_le(), d("2026-03-05"));
    }

    #[test]
    fn cv_7_an_avenant_that_changes_nothing_is_refused() {
        let same = Contenu {
            departements: vec![" 59".into(), "59".into()],
            ..v1()
        };
        let e = avenant(same).verifier(&v1(), d("2026-03-05")).unwrap_err();
        assert!(e.contains("ne change rien"), "{e}");
    }

    #[test]
    fn cv_7_a_signature_in_the_future_or_an_unknown_gestion_is_refused() {
        let next = Contenu {
            plafond_habilitations: Some(20),
            ..v1()
        };
        assert!(avenant(next.clone()).verifier(&v1(), d("2026-03-04")).is_err());
        let g = Contenu {
            gestion: Some("autre".into()),
            ..v1()
        };
        assert!(avenant(g).verifier(&v1(), d("2026-03-05")).is_err());
        let mut sans_ref = avenant(next);
        sans_ref.reference = "  ".into();
        assert!(sans_ref.verifier(&v1(), d("2026-03-05")).is_err());
    }

    #[test]
    fn cv_11_a_breach_notification_needs_a_description_and_a_document() {
        let v = Violation {
            notifiee_le: d("2026-03-01"),
            description: " Fuite d'un export ".into(),
            documents: vec!["Courrier du 1er mars".into()],
        };
        assert_eq!(
            v.clone().verifier(d("2026-03-01")).unwrap().description,
            "Fuite d'un export"
        );
        assert!(v.clone().verifier(d("2026-02-28")).is_err());
        let sans_doc = Violation {
            documents: vec![],
            ..v.clone()
        };
        assert!(sans_doc.verifier(d("2026-03-01")).is_err());
        let sans_desc = Violation {
            description: " ".into(),
            ..v
        };
        assert!(sans_desc.verifier(d("2026-03-01")).is_err());
    }

    #[test]
    fn cv_9_a_sub_contractor_is_declared_at_least_six_months_ahead() {
        let st = SousTraitant {
            nom: " Hébergeur SA ".into(),
            localisation_prestataires: "France".into(),
            localisation_bases: "France (Roubaix)".into(),
            regime_juridique: "RGPD, sous-traitant art. 28".into(),
            taches: "hébergement".into(),
            declare_le: d("2026-03-01"),
            debut_le: d("2026-09-01"),
        };
        assert_eq!(st.clone().verifier(d("2026-03-02")).unwrap().nom, "Hébergeur SA");
        let trop_tard = SousTraitant {
            debut_le: d("2026-08-31"),
            ..st.clone()
        };
        let e = trop_tard.verifier(d("2026-03-02")).unwrap_err();
        assert!(e.contains("six mois"), "{e}");
        assert!(
            st.clone().verifier(d("2026-02-28")).is_err(),
            "declared in the future"
        );
        let sans_taches = SousTraitant {
            taches: " ".into(),
            ..st
        };
        assert!(sans_taches.verifier(d("2026-03-02")).is_err());
    }

    #[test]
    fn cv_8_the_attestation_of_return_or_destruction_comes_after_the_end() {
        let a = |le: &str, reference: &str| Attestation {
            nature: NatureAttestation::Destruction,
            attestee_le: d(le),
            reference: reference.into(),
        };
        let fin = Some(d("2026-04-01"));
        assert!(a("2026-04-02", "LR 1")
            .verifier(None, d("2026-04-10"))
            .unwrap_err()
            .contains("pas terminée"));
        assert!(a("2026-04-02", "LR 1")
            .verifier(Some(d("2026-05-01")), d("2026-04-10"))
            .unwrap_err()
            .contains("pas terminée"));
        assert!(a("2026-04-11", "LR 1")
            .verifier(fin, d("2026-04-10"))
            .unwrap_err()
            .contains("futur"));
        assert!(a("2026-03-31", "LR 1")
            .verifier(fin, d("2026-04-10"))
            .unwrap_err()
            .contains("précède"));
        assert!(a("2026-04-02", "  ")
            .verifier(fin, d("2026-04-10"))
            .unwrap_err()
            .contains("référence"));
        assert_eq!(
            a("2026-04-01", " LR 1 ")
                .verifier(fin, d("2026-04-10"))
                .unwrap()
                .reference,
            "LR 1"
        );
        assert_eq!(
            NatureAttestation::parse("restitution"),
            Some(NatureAttestation::Restitution)
        );
        assert_eq!(NatureAttestation::parse("autre"), None);
    }

    #[test]
    fn ten_3_the_departements_of_a_version_are_departements_of_the_caisse() {
        let caisse = [
            CodeDepartement::parse("07").unwrap(),
            CodeDepartement::parse("26").unwrap(),
        ];
        let contenu = |deps: &[&str]| Contenu {
            departements: deps.iter().map(|d| (*d).to_owned()).collect(),
            ..v1()
        };
        assert_eq!(
            contenu(&["26", " 07", "07"])
                .departements_de_la_caisse(&caisse)
                .unwrap()
                .departements,
            ["07", "26"]
        );
        assert_eq!(contenu(&[]).departements_de_la_caisse(&caisse), Ok(contenu(&[])));
        let refus = contenu(&["07", "42", "Ardèche"])
            .departements_de_la_caisse(&caisse)
            .unwrap_err();
        assert!(refus.contains("« 42 », « Ardèche »"), "{refus}");
        assert!(refus.contains("(07, 26)"), "{refus}");
    }

    #[test]
    fn cv_7_an_avenant_cannot_set_a_cap_beyond_the_maximum() {
        let contenu = Contenu {
            plafond_habilitations: Some(crate::habilitation::PLAFOND_MAX + 1),
            ..v1()
        };
        let refus = avenant(contenu).verifier(&v1(), d("2026-03-10")).unwrap_err();
        assert!(refus.contains("habilitations au plus"), "{refus}");
        let contenu = Contenu {
            plafond_habilitations: Some(crate::habilitation::PLAFOND_MAX),
            ..v1()
        };
        assert!(avenant(contenu).verifier(&v1(), d("2026-03-10")).is_ok());
    }
}
