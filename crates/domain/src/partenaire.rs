//! The référentiel des tiers (SPEC TEN): a partner of the caisse as the staff record and edit it. What the
//! staff type arrives as a [`Saisie`]; [`Saisie::valider`] turns it into a [`Fiche`] or lists every field at
//! fault with its reason in French, so a form can show each error beside its field.

use crate::rsa::Circonscription;
use crate::{CodeDepartement, NumeroTiers, Siret};
use serde::{Deserialize, Serialize};

/// The kinds of partner the conventions name (000 to 004, art. 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Categorie {
    CollectiviteTerritoriale,
    StructureAje,
    /// A gestionnaire of several structures: the fiche lists them.
    Gestionnaire,
    /// The partner of the RSACG bouquet, with its circonscriptions (CO-3).
    ConseilDepartemental,
    Ccas,
    Cias,
    /// 002 art. 1: an association the conseil départemental delegated to; the delegation document is required.
    AssociationDelegation,
}

impl Categorie {
    pub const TOUTES: [Categorie; 7] = [
        Categorie::CollectiviteTerritoriale,
        Categorie::StructureAje,
        Categorie::Gestionnaire,
        Categorie::ConseilDepartemental,
        Categorie::Ccas,
        Categorie::Cias,
        Categorie::AssociationDelegation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Categorie::CollectiviteTerritoriale => "collectivite_territoriale",
            Categorie::StructureAje => "structure_aje",
            Categorie::Gestionnaire => "gestionnaire",
            Categorie::ConseilDepartemental => "conseil_departemental",
            Categorie::Ccas => "ccas",
            Categorie::Cias => "cias",
            Categorie::AssociationDelegation => "association_delegation",
        }
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Categorie::CollectiviteTerritoriale => "Collectivité territoriale",
            Categorie::StructureAje => "Structure d'accueil du jeune enfant",
            Categorie::Gestionnaire => "Gestionnaire de plusieurs structures",
            Categorie::ConseilDepartemental => "Conseil départemental",
            Categorie::Ccas => "Centre communal d'action sociale (CCAS)",
            Categorie::Cias => "Centre intercommunal d'action sociale (CIAS)",
            Categorie::AssociationDelegation => "Association ayant reçu délégation",
        }
    }

    /// The code, case and spacing aside (imported files wrote `CCAS` as well as `ccas`).
    pub fn parse(code: &str) -> Option<Categorie> {
        let code = code.trim().to_lowercase();
        Categorie::TOUTES.into_iter().find(|c| c.code() == code)
    }

    /// The label of a stored category, or the stored text itself when an older import wrote another word.
    pub fn libelle_de(code: &str) -> String {
        Categorie::parse(code).map_or_else(|| code.to_owned(), |c| c.libelle().to_owned())
    }
}

/// One contact person of the partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub nom: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub telephone: String,
}

impl Contact {
    /// A contact written on one line, `nom ; courriel ; téléphone` (the last two may be left out), as forms
    /// and the API take them.
    pub fn depuis_ligne(ligne: &str) -> Contact {
        let mut parts = ligne.split(';').map(str::trim);
        Contact {
            nom: parts.next().unwrap_or_default().to_owned(),
            email: parts.next().unwrap_or_default().to_owned(),
            telephone: parts.collect::<Vec<_>>().join(" "),
        }
    }

    /// The contact on one line, as [`Contact::depuis_ligne`] reads it.
    pub fn ligne(&self) -> String {
        format!("{} ; {} ; {}", self.nom, self.email, self.telephone)
    }
}

/// What the référentiel holds beyond the imported columns: stored together, absent (empty) for a partner
/// that was only imported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coordonnees {
    #[serde(default)]
    pub adresse: String,
    #[serde(default)]
    pub representant: String,
    #[serde(default)]
    pub fonction_representant: String,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// The structures of a gestionnaire, one name each.
    #[serde(default)]
    pub structures: Vec<String>,
    /// 002 art. 1: the reference of the delegation document of an association with delegation.
    #[serde(default)]
    pub document_delegation: Option<String>,
}

/// A partner as the référentiel holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fiche {
    pub numero_tiers: NumeroTiers,
    pub nom: String,
    /// A [`Categorie`] code; an older import may hold another word, kept as it is.
    pub categorie: String,
    pub siret: Siret,
    /// The champ de compétence, départements of the caisse (TEN-3).
    pub departements: Vec<CodeDepartement>,
    /// CO-3: the circonscriptions of a conseil départemental, each within its départements.
    pub circonscriptions: Vec<Circonscription>,
    pub coordonnees: Coordonnees,
}

/// A partner as typed by the staff, every field as text or list of texts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Saisie {
    pub numero_tiers: String,
    pub nom: String,
    pub categorie: String,
    pub siret: String,
    pub adresse: String,
    pub representant: String,
    pub fonction_representant: String,
    pub contacts: Vec<Contact>,
    pub departements: Vec<String>,
    pub circonscriptions: Vec<String>,
    pub structures: Vec<String>,
    pub document_delegation: String,
}

/// A field refused, with its reason in French.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChampRefuse {
    pub champ: &'static str,
    pub message: String,
}

const TEXTE_MAX: usize = 300;

fn texte(erreurs: &mut Vec<ChampRefuse>, champ: &'static str, valeur: &str, obligatoire: bool) -> String {
    let valeur = valeur.trim();
    if obligatoire && valeur.is_empty() {
        erreurs.push(ChampRefuse {
            champ,
            message: "ce champ est obligatoire".into(),
        });
    } else if valeur.chars().count() > TEXTE_MAX {
        erreurs.push(ChampRefuse {
            champ,
            message: format!("{TEXTE_MAX} caractères au plus"),
        });
    }
    valeur.to_owned()
}

fn non_vides(valeurs: &[String]) -> impl Iterator<Item = &str> {
    valeurs.iter().map(|v| v.trim()).filter(|v| !v.is_empty())
}

impl Saisie {
    /// The fiche, or every field at fault. `departements_caisse` are the départements the caisse manages:
    /// a partner's champ de compétence lies within them (TEN-3).
    pub fn valider(&self, departements_caisse: &[CodeDepartement]) -> Result<Fiche, Vec<ChampRefuse>> {
        let mut erreurs = Vec::new();
        let refus = |champ: &'static str, message: String| ChampRefuse { champ, message };
        let numero_tiers = NumeroTiers::parse(self.numero_tiers.trim())
            .map_err(|e| erreurs.push(refus("numero_tiers", e.to_string())))
            .ok();
        let nom = texte(&mut erreurs, "nom", &self.nom, true);
        let categorie = Categorie::parse(&self.categorie);
        if categorie.is_none() {
            let codes: Vec<_> = Categorie::TOUTES.iter().map(|c| c.code()).collect();
            erreurs.push(refus(
                "categorie",
                format!("catégorie inconnue (attendu : {})", codes.join(", ")),
            ));
        }
        let siret = if self.siret.trim().is_empty() {
            erreurs.push(refus("siret", "le SIRET est obligatoire".into()));
            None
        } else {
            Siret::parse(&self.siret)
                .map_err(|e| erreurs.push(refus("siret", e.to_string())))
                .ok()
        };
        let adresse = texte(&mut erreurs, "adresse", &self.adresse, true);
        let representant = texte(&mut erreurs, "representant", &self.representant, true);
        let fonction_representant = texte(
            &mut erreurs,
            "fonction_representant",
            &self.fonction_representant,
            true,
        );
        let mut departements: Vec<CodeDepartement> = Vec::new();
        for d in non_vides(&self.departements) {
            match CodeDepartement::parse(d) {
                Ok(d) if !departements_caisse.contains(&d) => erreurs.push(refus(
                    "departements",
                    format!("le département {d} n'est pas un département de votre caisse (TEN-3)"),
                )),
                Ok(d) if !departements.contains(&d) => departements.push(d),
                Ok(_) => {}
                Err(e) => erreurs.push(refus("departements", e.to_string())),
            }
        }
        if departements.is_empty() && !erreurs.iter().any(|e| e.champ == "departements") {
            erreurs.push(refus(
                "departements",
                "au moins un département de la caisse forme le champ de compétence".into(),
            ));
        }
        let mut circonscriptions = Vec::new();
        for c in non_vides(&self.circonscriptions) {
            match Circonscription::parse(c) {
                Ok(c) if !departements.contains(&c.departement) => erreurs.push(refus(
                    "circonscriptions",
                    format!("la circonscription « {c} » n'est pas dans un département du partenaire (CO-3)"),
                )),
                Ok(c) => circonscriptions.push(c),
                Err(e) => erreurs.push(refus("circonscriptions", e.to_string())),
            }
        }
        if !circonscriptions.is_empty() && categorie != Some(Categorie::ConseilDepartemental) {
            erreurs.push(refus(
                "circonscriptions",
                "seul un conseil départemental a des circonscriptions (CO-3)".into(),
            ));
        }
        let structures: Vec<String> = non_vides(&self.structures).map(str::to_owned).collect();
        if !structures.is_empty() && categorie != Some(Categorie::Gestionnaire) {
            erreurs.push(refus(
                "structures",
                "seul un gestionnaire de plusieurs structures en déclare".into(),
            ));
        }
        if structures.iter().any(|s| s.chars().count() > TEXTE_MAX) {
            erreurs.push(refus(
                "structures",
                format!("{TEXTE_MAX} caractères au plus par structure"),
            ));
        }
        let document = texte(
            &mut erreurs,
            "document_delegation",
            &self.document_delegation,
            categorie == Some(Categorie::AssociationDelegation),
        );
        if let Some(e) = erreurs.iter_mut().find(|e| e.champ == "document_delegation") {
            if document.is_empty() {
                e.message = "une association ayant reçu délégation fournit le document de délégation \
                             (002 art. 1)"
                    .into();
            }
        }
        let mut contacts = Vec::new();
        for c in &self.contacts {
            let contact = Contact {
                nom: c.nom.trim().to_owned(),
                email: c.email.trim().to_owned(),
                telephone: c.telephone.trim().to_owned(),
            };
            if contact.nom.is_empty() && contact.email.is_empty() && contact.telephone.is_empty() {
                continue;
            }
            if contact.nom.is_empty() {
                erreurs.push(refus("contacts", "chaque contact a un nom".into()));
            } else if !contact.email.is_empty() && !contact.email.contains('@') {
                erreurs.push(refus(
                    "contacts",
                    format!("l'adresse électronique de {} n'en est pas une", contact.nom),
                ));
            } else if [&contact.nom, &contact.email, &contact.telephone]
                .iter()
                .any(|t| t.chars().count() > TEXTE_MAX)
            {
                erreurs.push(refus("contacts", format!("{TEXTE_MAX} caractères au plus")));
            } else {
                contacts.push(contact);
            }
        }
        match (numero_tiers, categorie, siret) {
            (Some(numero_tiers), Some(categorie), Some(siret)) if erreurs.is_empty() => Ok(Fiche {
                numero_tiers,
                nom,
                categorie: categorie.code().to_owned(),
                siret,
                departements,
                circonscriptions,
                coordonnees: Coordonnees {
                    adresse,
                    representant,
                    fonction_representant,
                    contacts,
                    structures,
                    document_delegation: (!document.is_empty()).then_some(document),
                },
            }),
            _ => Err(erreurs),
        }
    }
}

impl Fiche {
    /// The fiche as a form shows it again, to edit it.
    pub fn saisie(&self) -> Saisie {
        let c = &self.coordonnees;
        Saisie {
            numero_tiers: self.numero_tiers.to_string(),
            nom: self.nom.clone(),
            categorie: self.categorie.clone(),
            siret: self.siret.as_str().to_owned(),
            adresse: c.adresse.clone(),
            representant: c.representant.clone(),
            fonction_representant: c.fonction_representant.clone(),
            contacts: c.contacts.clone(),
            departements: self.departements.iter().map(|d| d.to_string()).collect(),
            circonscriptions: self.circonscriptions.iter().map(|c| c.to_string()).collect(),
            structures: c.structures.clone(),
            document_delegation: c.document_delegation.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caisse() -> Vec<CodeDepartement> {
        ["07", "26"]
            .iter()
            .map(|d| CodeDepartement::parse(d).unwrap())
            .collect()
    }

    fn saisie() -> Saisie {
        Saisie {
            numero_tiers: "T-100".into(),
            nom: "CCAS de Privas".into(),
            categorie: "ccas".into(),
            siret: "73282932000074".into(),
            adresse: "1 place de la Mairie, 07000 Privas".into(),
            representant: "Mme Durand".into(),
            fonction_representant: "Présidente".into(),
            departements: vec!["07".into()],
            ..Saisie::default()
        }
    }

    fn champs(e: Vec<ChampRefuse>) -> Vec<&'static str> {
        e.into_iter().map(|e| e.champ).collect()
    }

    #[test]
    fn a_complete_partner_is_accepted_and_edits_back_to_the_same() {
        let fiche = saisie().valider(&caisse()).unwrap();
        assert_eq!(fiche.categorie, "ccas");
        assert_eq!(fiche.saisie().valider(&caisse()).unwrap(), fiche);
    }

    #[test]
    fn ten_partner_without_siret_or_outside_the_caisse_lists_every_field() {
        let s = Saisie {
            siret: " ".into(),
            departements: vec!["59".into()],
            nom: String::new(),
            ..saisie()
        };
        assert_eq!(
            champs(s.valider(&caisse()).unwrap_err()),
            ["nom", "siret", "departements"]
        );
    }

    #[test]
    fn association_with_delegation_needs_its_document() {
        let s = Saisie {
            categorie: "association_delegation".into(),
            ..saisie()
        };
        let e = s.clone().valider(&caisse()).unwrap_err();
        assert_eq!(champs(e.clone()), ["document_delegation"]);
        assert!(e[0].message.contains("002 art. 1"));
        let ok = Saisie {
            document_delegation: "Délibération CD07 n° 2024-12".into(),
            ..s
        };
        assert!(ok.valider(&caisse()).is_ok());
    }

    #[test]
    fn circonscriptions_belong_to_a_conseil_departemental_within_its_departements() {
        let s = Saisie {
            circonscriptions: vec!["07/NORD".into()],
            ..saisie()
        };
        assert_eq!(
            champs(s.clone().valider(&caisse()).unwrap_err()),
            ["circonscriptions"]
        );
        let cd = Saisie {
            categorie: "conseil_departemental".into(),
            ..s
        };
        assert!(cd.clone().valider(&caisse()).is_ok());
        let ailleurs = Saisie {
            circonscriptions: vec!["26/SUD".into()],
            ..cd
        };
        assert_eq!(
            champs(ailleurs.valider(&caisse()).unwrap_err()),
            ["circonscriptions"]
        );
    }

    #[test]
    fn structures_belong_to_a_gestionnaire() {
        let s = Saisie {
            structures: vec!["Crèche Les Lutins".into()],
            ..saisie()
        };
        assert_eq!(champs(s.clone().valider(&caisse()).unwrap_err()), ["structures"]);
        let g = Saisie {
            categorie: "gestionnaire".into(),
            ..s
        };
        assert_eq!(
            g.valider(&caisse()).unwrap().coordonnees.structures,
            ["Crèche Les Lutins"]
        );
    }

    #[test]
    fn a_contact_line_reads_back_as_written() {
        let c = Contact::depuis_ligne(" Mme Blanc ; blanc@exemple.test ; 04 75 00 00 00 ");
        assert_eq!(c.telephone, "04 75 00 00 00");
        assert_eq!(Contact::depuis_ligne(&c.ligne()), c);
        assert_eq!(Contact::depuis_ligne("M. Noir").email, "");
    }

    #[test]
    fn imported_categories_keep_their_word_and_known_codes_their_label() {
        assert_eq!(Categorie::parse(" CCAS "), Some(Categorie::Ccas));
        assert_eq!(Categorie::libelle_de("ccas"), Categorie::Ccas.libelle());
        assert_eq!(Categorie::libelle_de("autre"), "autre");
    }
}
