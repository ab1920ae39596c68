//! Requests for an habilitation (SPEC HB-1, HB-5, HB-7, HB-8), as the annex forms of the conventions carry
//! them and as a caisse processes them.
//!
//! No one registers himself (HB-1): a request names one agent, is signed by the partner's representative, and
//! only an agent of the caisse moves it past "submitted". Its life is explicit — draft, submitted, changes
//! requested, granted, refused, done ("Fait, réservé à la MSA", HB-5) — and every step keeps who took it and
//! when, so the partner and the caisse read the same history.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What the partner asks for: the three forms of the annexes (002: annexes 1 and 2; 000: annexe 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NatureDemande {
    /// A new agent's access.
    Acces,
    /// A change of the agent's function, service or profile (HB-5).
    Modification,
    /// The agent leaves or no longer needs the service (HB-5).
    Suppression,
}

impl NatureDemande {
    pub fn libelle(self) -> &'static str {
        match self {
            NatureDemande::Acces => "demande d'accès",
            NatureDemande::Modification => "demande de modification",
            NatureDemande::Suppression => "demande de suppression",
        }
    }
}

/// The agent a request is about, with the fields of the annex forms ("Coordonnées des agents à habiliter").
/// The PSU forms (001: annexes 2 and 3) ask only for name, first name and email: the other fields are
/// optional, and an empty text counts as absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentDemande {
    pub civilite: Option<String>,
    pub nom: String,
    pub prenom: String,
    pub service: Option<String>,
    pub adresse_service: Option<String>,
    pub fonction: Option<String>,
    /// The profile asked for; which profiles a bouquet accepts is the bouquet's rule (HB-4).
    pub profil: Option<String>,
    pub email: String,
    /// CO-3: for an RSACG habilitation, the circonscriptions of the partner the agent's work covers (002:3:
    /// "les seuls dossiers … relevant de sa circonscription"); empty for every other bouquet. Requests
    /// written before the field existed read back empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub circonscriptions: Vec<crate::rsa::Circonscription>,
}

/// The representative's signature that makes a request the partner's own (HB-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// Name of the partner's representative who signs ("Le signataire").
    pub signataire: String,
    /// His function (maire, directeur de la structure, président du conseil départemental…).
    pub fonction: String,
    pub le: NaiveDate,
}

/// Who acts on a request. Only the caisse's own agents process one (HB-1: "traitée manuellement par un
/// agent habilité de la caisse").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cote", content = "identifiant", rename_all = "snake_case")]
pub enum Acteur {
    Partenaire(String),
    Caisse(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EtatDemande {
    Brouillon,
    Soumise,
    /// Sent back to the partner with what to complete or correct.
    ACompleter,
    Accordee,
    Refusee,
    /// Carried out by the caisse: access opened, changed or closed ("Fait, réservé à la MSA").
    Faite,
}

impl EtatDemande {
    pub fn libelle(self) -> &'static str {
        match self {
            EtatDemande::Brouillon => "brouillon",
            EtatDemande::Soumise => "soumise à la caisse",
            EtatDemande::ACompleter => "à compléter par le partenaire",
            EtatDemande::Accordee => "accordée",
            EtatDemande::Refusee => "refusée",
            EtatDemande::Faite => "faite",
        }
    }

    /// A refused or done request is closed: nothing moves it any more.
    pub fn est_close(self) -> bool {
        matches!(self, EtatDemande::Refusee | EtatDemande::Faite)
    }
}

/// One step of a request's life: the state it entered, who moved it there, when, and why when a reason is
/// required (changes requested, refusal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Etape {
    pub etat: EtatDemande,
    pub par: Acteur,
    pub le: DateTime<Utc>,
    pub motif: Option<String>,
}

/// Why a step was refused, in French for the person who tried it; [`DemandeRefusee::code`] is stable for
/// programs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DemandeRefusee {
    #[error("le champ « {0} » de l'agent est obligatoire")]
    ChampManquant(&'static str),
    #[error("l'adresse électronique de l'agent n'est pas valide")]
    EmailInvalide,
    #[error("la demande doit être signée par le représentant du partenaire : {0}")]
    SignatureIncomplete(&'static str),
    #[error("la signature est datée du {signee_le}, après la soumission du {soumise_le}")]
    SignatureFuture {
        signee_le: NaiveDate,
        soumise_le: NaiveDate,
    },
    #[error("un motif est obligatoire pour {0}")]
    MotifManquant(&'static str),
    #[error("seul un agent habilité de la caisse peut {0}")]
    ReserveALaCaisse(&'static str),
    #[error("seul le partenaire peut {0}")]
    ReserveAuPartenaire(&'static str),
    #[error("impossible de {action} une demande {etat}")]
    EtatIncompatible {
        action: &'static str,
        etat: &'static str,
    },
    #[error("l'horodatage {le} précède la dernière étape de la demande ({derniere})")]
    HorodatageAnterieur {
        le: DateTime<Utc>,
        derniere: DateTime<Utc>,
    },
}

impl DemandeRefusee {
    pub fn code(&self) -> &'static str {
        match self {
            DemandeRefusee::ChampManquant(_) => "champ_obligatoire",
            DemandeRefusee::EmailInvalide => "email_invalide",
            DemandeRefusee::SignatureIncomplete(_) => "signature_requise",
            DemandeRefusee::SignatureFuture { .. } => "signature_posterieure",
            DemandeRefusee::MotifManquant(_) => "motif_requis",
            DemandeRefusee::ReserveALaCaisse(_) => "reserve_a_la_caisse",
            DemandeRefusee::ReserveAuPartenaire(_) => "reserve_au_partenaire",
            DemandeRefusee::EtatIncompatible { .. } => "etat_incompatible",
            DemandeRefusee::HorodatageAnterieur { .. } => "horodatage_anterieur",
        }
    }
}

/// A request and its whole history. Built only through [`Demande::brouillon`] and moved only by its
/// methods, so its state always matches the last step of its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demande {
    nature: NatureDemande,
    agent: AgentDemande,
    signature: Option<Signature>,
    historique: Vec<Etape>,
}

fn texte_requis(valeur: &str, champ: &'static str) -> Result<String, DemandeRefusee> {
    let valeur = valeur.trim();
    if valeur.is_empty() {
        Err(DemandeRefusee::ChampManquant(champ))
    } else {
        Ok(valeur.to_owned())
    }
}

fn texte_facultatif(valeur: Option<String>) -> Option<String> {
    valeur.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A deliberately plain check: one `@` with text on both sides and a dot in the domain, no spaces. Whether
/// the address reaches the agent is proven by the activation mail, not by a regular expression.
fn email_plausible(email: &str) -> bool {
    let Some((local, domaine)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domaine.contains('@')
        && domaine.contains('.')
        && !domaine.starts_with('.')
        && !domaine.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

impl AgentDemande {
    /// Trims every field, turns empty optional ones into `None`, and refuses a request that does not say
    /// who the agent is.
    pub fn normaliser(self) -> Result<AgentDemande, DemandeRefusee> {
        let email = texte_requis(&self.email, "adresse électronique")?;
        if !email_plausible(&email) {
            return Err(DemandeRefusee::EmailInvalide);
        }
        Ok(AgentDemande {
            civilite: texte_facultatif(self.civilite),
            nom: texte_requis(&self.nom, "nom")?,
            prenom: texte_requis(&self.prenom, "prénom")?,
            service: texte_facultatif(self.service),
            adresse_service: texte_facultatif(self.adresse_service),
            fonction: texte_facultatif(self.fonction),
            profil: texte_facultatif(self.profil),
            email,
            circonscriptions: {
                let mut c = self.circonscriptions;
                c.sort();
                c.dedup();
                c
            },
        })
    }
}

impl Signature {
    fn normaliser(self) -> Result<Signature, DemandeRefusee> {
        let signataire = self.signataire.trim();
        if signataire.is_empty() {
            return Err(DemandeRefusee::SignatureIncomplete("le nom du signataire manque"));
        }
        let fonction = self.fonction.trim();
        if fonction.is_empty() {
            return Err(DemandeRefusee::SignatureIncomplete(
                "la fonction du signataire manque",
            ));
        }
        Ok(Signature {
            signataire: signataire.to_owned(),
            fonction: fonction.to_owned(),
            le: self.le,
        })
    }
}

impl Demande {
    /// A partner's draft. Drafts are the partner's own: the caisse sees a request once it is submitted.
    pub fn brouillon(
        nature: NatureDemande,
        agent: AgentDemande,
        par: Acteur,
        le: DateTime<Utc>,
    ) -> Result<Demande, DemandeRefusee> {
        if !matches!(par, Acteur::Partenaire(_)) {
            return Err(DemandeRefusee::ReserveAuPartenaire("rédiger une demande"));
        }
        Ok(Demande {
            nature,
            agent: agent.normaliser()?,
            signature: None,
            historique: vec![Etape {
                etat: EtatDemande::Brouillon,
                par,
                le,
                motif: None,
            }],
        })
    }

    pub fn nature(&self) -> NatureDemande {
        self.nature
    }

    pub fn agent(&self) -> &AgentDemande {
        &self.agent
    }

    pub fn signature(&self) -> Option<&Signature> {
        self.signature.as_ref()
    }

    pub fn historique(&self) -> &[Etape] {
        &self.historique
    }

    pub fn etat(&self) -> EtatDemande {
        // The history is never empty: `brouillon` writes its first step and nothing removes one.
        self.historique.last().map_or(EtatDemande::Brouillon, |e| e.etat)
    }

    /// "Fait, réservé à la MSA" (HB-5): whether the caisse has carried the request out.
    pub fn faite(&self) -> bool {
        self.etat() == EtatDemande::Faite
    }

    /// The partner corrects the agent's details while the request is his to change.
    pub fn modifier_agent(&mut self, agent: AgentDemande, par: &Acteur) -> Result<(), DemandeRefusee> {
        if !matches!(par, Acteur::Partenaire(_)) {
            return Err(DemandeRefusee::ReserveAuPartenaire("modifier la demande"));
        }
        self.exiger(&[EtatDemande::Brouillon, EtatDemande::ACompleter], "modifier")?;
        self.agent = agent.normaliser()?;
        Ok(())
    }

    /// HB-1: the partner sends the request, signed by his representative, from a draft or after the caisse
    /// asked for changes.
    pub fn soumettre(
        &mut self,
        signature: Signature,
        par: Acteur,
        le: DateTime<Utc>,
    ) -> Result<(), DemandeRefusee> {
        if !matches!(par, Acteur::Partenaire(_)) {
            return Err(DemandeRefusee::ReserveAuPartenaire("soumettre la demande"));
        }
        self.exiger(&[EtatDemande::Brouillon, EtatDemande::ACompleter], "soumettre")?;
        let signature = signature.normaliser()?;
        if signature.le > le.date_naive() {
            return Err(DemandeRefusee::SignatureFuture {
                signee_le: signature.le,
                soumise_le: le.date_naive(),
            });
        }
        self.avancer(EtatDemande::Soumise, par, le, None)?;
        self.signature = Some(signature);
        Ok(())
    }

    /// The caisse sends the request back with what is missing or wrong.
    pub fn demander_complements(
        &mut self,
        motif: &str,
        par: Acteur,
        le: DateTime<Utc>,
    ) -> Result<(), DemandeRefusee> {
        self.traiter(
            EtatDemande::Soumise,
            EtatDemande::ACompleter,
            "demander des compléments",
            Some(motif),
            par,
            le,
        )
    }

    pub fn accorder(&mut self, par: Acteur, le: DateTime<Utc>) -> Result<(), DemandeRefusee> {
        self.traiter(
            EtatDemande::Soumise,
            EtatDemande::Accordee,
            "accorder",
            None,
            par,
            le,
        )
    }

    pub fn refuser(&mut self, motif: &str, par: Acteur, le: DateTime<Utc>) -> Result<(), DemandeRefusee> {
        self.traiter(
            EtatDemande::Soumise,
            EtatDemande::Refusee,
            "refuser",
            Some(motif),
            par,
            le,
        )
    }

    /// HB-5: the caisse records that it has carried out a granted request.
    pub fn marquer_faite(&mut self, par: Acteur, le: DateTime<Utc>) -> Result<(), DemandeRefusee> {
        self.traiter(
            EtatDemande::Accordee,
            EtatDemande::Faite,
            "marquer comme faite",
            None,
            par,
            le,
        )
    }

    fn traiter(
        &mut self,
        depuis: EtatDemande,
        vers: EtatDemande,
        action: &'static str,
        motif: Option<&str>,
        par: Acteur,
        le: DateTime<Utc>,
    ) -> Result<(), DemandeRefusee> {
        if !matches!(par, Acteur::Caisse(_)) {
            return Err(DemandeRefusee::ReserveALaCaisse(action));
        }
        self.exiger(&[depuis], action)?;
        let motif = match motif {
            None => None,
            Some(m) if m.trim().is_empty() => return Err(DemandeRefusee::MotifManquant(action)),
            Some(m) => Some(m.trim().to_owned()),
        };
        self.avancer(vers, par, le, motif)
    }

    fn exiger(&self, etats: &[EtatDemande], action: &'static str) -> Result<(), DemandeRefusee> {
        let etat = self.etat();
        if etats.contains(&etat) {
            Ok(())
        } else {
            Err(DemandeRefusee::EtatIncompatible {
                action,
                etat: etat.libelle(),
            })
        }
    }

    fn avancer(
        &mut self,
        etat: EtatDemande,
        par: Acteur,
        le: DateTime<Utc>,
        motif: Option<String>,
    ) -> Result<(), DemandeRefusee> {
        if let Some(derniere) = self.historique.last() {
            if le < derniere.le {
                return Err(DemandeRefusee::HorodatageAnterieur {
                    le,
                    derniere: derniere.le,
                });
            }
        }
        self.historique.push(Etape { etat, par, le, motif });
        Ok(())
    }
}

/// HB-7: the partner limits its habilitations to its needs; the convention carries the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("le plafond de {plafond} habilitation(s) de cette convention est atteint")]
pub struct PlafondAtteint {
    pub plafond: u32,
}

/// Whether one more habilitation fits under the convention's cap (`None`: the convention sets none).
pub fn verifier_plafond(actives: u32, plafond: Option<u32>) -> Result<(), PlafondAtteint> {
    match plafond {
        Some(plafond) if actives >= plafond => Err(PlafondAtteint { plafond }),
        _ => Ok(()),
    }
}

/// HB-8: nine full months without a successful login.
pub const MOIS_SANS_CONNEXION: u32 = 9;

/// HB-8: whether an agent may be deactivated for inactivity at `maintenant`. The reference is his last
/// successful login, or the issue of his credentials if he never logged in. "Nine full months" is counted
/// in calendar months from that instant (31 May + 9 months is the last day of February).
pub fn inactif(
    derniere_connexion: Option<DateTime<Utc>>,
    identifiants_delivres_le: DateTime<Utc>,
    maintenant: DateTime<Utc>,
) -> bool {
    let reference = derniere_connexion.unwrap_or(identifiants_delivres_le);
    match reference.checked_add_months(Months::new(MOIS_SANS_CONNEXION)) {
        Some(limite) => maintenant >= limite,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn instant(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap()
    }

    fn agent() -> AgentDemande {
        AgentDemande {
            civilite: Some("Mme".into()),
            nom: " Martin ".into(),
            prenom: "Claire".into(),
            service: Some("Action sociale".into()),
            adresse_service: Some("".into()),
            fonction: Some("Travailleuse sociale".into()),
            profil: Some("1".into()),
            email: "claire.martin@departement.example".into(),
            circonscriptions: Vec::new(),
        }
    }

    fn signature(le: NaiveDate) -> Signature {
        Signature {
            signataire: "Jeanne Durand".into(),
            fonction: "Présidente du conseil départemental".into(),
            le,
        }
    }

    fn partenaire() -> Acteur {
        Acteur::Partenaire("rep-cd26".into())
    }

    fn caisse() -> Acteur {
        Acteur::Caisse("hab-msa".into())
    }

    fn soumise() -> Demande {
        let mut d = Demande::brouillon(
            NatureDemande::Acces,
            agent(),
            partenaire(),
            instant(2026, 3, 1, 9),
        )
        .unwrap();
        d.soumettre(
            signature(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
            partenaire(),
            instant(2026, 3, 1, 10),
        )
        .unwrap();
        d
    }

    #[test]
    fn hb_1_a_draft_is_the_partners_and_is_normalised() {
        let d = Demande::brouillon(
            NatureDemande::Acces,
            agent(),
            partenaire(),
            instant(2026, 3, 1, 9),
        )
        .unwrap();
        assert_eq!(d.etat(), EtatDemande::Brouillon);
        assert_eq!(d.agent().nom, "Martin");
        assert_eq!(d.agent().adresse_service, None);
        assert_eq!(d.signature(), None);

        let refus =
            Demande::brouillon(NatureDemande::Acces, agent(), caisse(), instant(2026, 3, 1, 9)).unwrap_err();
        assert_eq!(refus.code(), "reserve_au_partenaire");
    }

    #[test]
    fn hb_1_the_agent_must_be_named_with_a_plausible_email() {
        for (modif, code) in [
            (
                AgentDemande {
                    nom: "  ".into(),
                    ..agent()
                },
                "champ_obligatoire",
            ),
            (
                AgentDemande {
                    prenom: String::new(),
                    ..agent()
                },
                "champ_obligatoire",
            ),
            (
                AgentDemande {
                    email: String::new(),
                    ..agent()
                },
                "champ_obligatoire",
            ),
            (
                AgentDemande {
                    email: "claire.martin".into(),
                    ..agent()
                },
                "email_invalide",
            ),
            (
                AgentDemande {
                    email: "a@b@c.fr".into(),
                    ..agent()
                },
                "email_invalide",
            ),
            (
                AgentDemande {
                    email: "a b@c.fr".into(),
                    ..agent()
                },
                "email_invalide",
            ),
            (
                AgentDemande {
                    email: "a@localhost".into(),
                    ..agent()
                },
                "email_invalide",
            ),
        ] {
            let err = Demande::brouillon(
                NatureDemande::Acces,
                modif.clone(),
                partenaire(),
                instant(2026, 3, 1, 9),
            )
            .unwrap_err();
            assert_eq!(err.code(), code, "{modif:?}");
        }
    }

    #[test]
    fn hb_1_submission_needs_the_representatives_signature() {
        let mut d = Demande::brouillon(
            NatureDemande::Acces,
            agent(),
            partenaire(),
            instant(2026, 3, 1, 9),
        )
        .unwrap();
        let jour = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let sans_nom = Signature {
            signataire: " ".into(),
            ..signature(jour)
        };
        assert_eq!(
            d.soumettre(sans_nom, partenaire(), instant(2026, 3, 1, 10))
                .unwrap_err()
                .code(),
            "signature_requise"
        );
        let sans_fonction = Signature {
            fonction: String::new(),
            ..signature(jour)
        };
        assert_eq!(
            d.soumettre(sans_fonction, partenaire(), instant(2026, 3, 1, 10))
                .unwrap_err()
                .code(),
            "signature_requise"
        );
        let demain = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(
            d.soumettre(signature(demain), partenaire(), instant(2026, 3, 1, 10))
                .unwrap_err()
                .code(),
            "signature_posterieure"
        );
        // Refusals changed nothing.
        assert_eq!(d.etat(), EtatDemande::Brouillon);
        assert_eq!(d.historique().len(), 1);

        d.soumettre(signature(jour), partenaire(), instant(2026, 3, 1, 10))
            .unwrap();
        assert_eq!(d.etat(), EtatDemande::Soumise);
        assert_eq!(d.signature().unwrap().signataire, "Jeanne Durand");
    }

    #[test]
    fn hb_1_only_the_caisse_processes_a_request() {
        let mut d = soumise();
        for resultat in [
            d.clone().accorder(partenaire(), instant(2026, 3, 2, 9)),
            d.clone().refuser("non", partenaire(), instant(2026, 3, 2, 9)),
            d.clone()
                .demander_complements("profil ?", partenaire(), instant(2026, 3, 2, 9)),
        ] {
            assert_eq!(resultat.unwrap_err().code(), "reserve_a_la_caisse");
        }
        d.accorder(caisse(), instant(2026, 3, 2, 9)).unwrap();
        assert_eq!(d.etat(), EtatDemande::Accordee);
        // …and the partner cannot submit on the caisse's behalf either.
        let mut brouillon = Demande::brouillon(
            NatureDemande::Acces,
            agent(),
            partenaire(),
            instant(2026, 3, 1, 9),
        )
        .unwrap();
        let err = brouillon
            .soumettre(
                signature(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
                caisse(),
                instant(2026, 3, 1, 10),
            )
            .unwrap_err();
        assert_eq!(err.code(), "reserve_au_partenaire");
    }

    #[test]
    fn hb_5_the_whole_life_is_kept_with_who_and_when() {
        let mut d = soumise();
        d.demander_complements("  Préciser le service  ", caisse(), instant(2026, 3, 2, 9))
            .unwrap();
        assert_eq!(d.etat(), EtatDemande::ACompleter);
        d.modifier_agent(
            AgentDemande {
                service: Some("Insertion".into()),
                ..agent()
            },
            &partenaire(),
        )
        .unwrap();
        d.soumettre(
            signature(NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()),
            partenaire(),
            instant(2026, 3, 3, 9),
        )
        .unwrap();
        d.accorder(caisse(), instant(2026, 3, 4, 9)).unwrap();
        assert!(!d.faite());
        d.marquer_faite(caisse(), instant(2026, 3, 4, 10)).unwrap();
        assert!(d.faite());

        let etats: Vec<_> = d.historique().iter().map(|e| e.etat).collect();
        assert_eq!(
            etats,
            [
                EtatDemande::Brouillon,
                EtatDemande::Soumise,
                EtatDemande::ACompleter,
                EtatDemande::Soumise,
                EtatDemande::Accordee,
                EtatDemande::Faite
            ]
        );
        assert_eq!(d.historique()[2].motif.as_deref(), Some("Préciser le service"));
        assert_eq!(d.historique()[2].par, caisse());
        assert_eq!(d.historique()[5].le, instant(2026, 3, 4, 10));
        assert_eq!(d.agent().service.as_deref(), Some("Insertion"));
    }

    #[test]
    fn hb_5_a_refusal_or_a_request_for_changes_needs_a_reason() {
        let mut d = soumise();
        assert_eq!(
            d.refuser("   ", caisse(), instant(2026, 3, 2, 9))
                .unwrap_err()
                .code(),
            "motif_requis"
        );
        assert_eq!(
            d.demander_complements("", caisse(), instant(2026, 3, 2, 9))
                .unwrap_err()
                .code(),
            "motif_requis"
        );
        assert_eq!(d.etat(), EtatDemande::Soumise);
        d.refuser("Profil hors convention", caisse(), instant(2026, 3, 2, 9))
            .unwrap();
        assert!(d.etat().est_close());
    }

    #[test]
    fn hb_5_closed_requests_and_out_of_order_steps_are_refused() {
        let mut d = soumise();
        d.refuser("Agent inconnu du service", caisse(), instant(2026, 3, 2, 9))
            .unwrap();
        let avant = d.clone();
        assert_eq!(
            d.accorder(caisse(), instant(2026, 3, 3, 9)).unwrap_err().code(),
            "etat_incompatible"
        );
        assert_eq!(
            d.marquer_faite(caisse(), instant(2026, 3, 3, 9))
                .unwrap_err()
                .code(),
            "etat_incompatible"
        );
        assert_eq!(
            d.modifier_agent(agent(), &partenaire()).unwrap_err().code(),
            "etat_incompatible"
        );
        assert_eq!(d, avant);

        // Done only after granted; a step cannot be dated before the previous one.
        let mut d = soumise();
        assert_eq!(
            d.marquer_faite(caisse(), instant(2026, 3, 2, 9))
                .unwrap_err()
                .code(),
            "etat_incompatible"
        );
        assert_eq!(
            d.accorder(caisse(), instant(2026, 2, 28, 9)).unwrap_err().code(),
            "horodatage_anterieur"
        );
        assert_eq!(d.etat(), EtatDemande::Soumise);
    }

    #[test]
    fn hb_5_refusal_messages_are_french() {
        let mut d = soumise();
        let err = d.marquer_faite(caisse(), instant(2026, 3, 2, 9)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "impossible de marquer comme faite une demande soumise à la caisse"
        );
    }

    #[test]
    fn hb_7_the_cap_refuses_the_next_grant() {
        assert_eq!(verifier_plafond(0, Some(2)), Ok(()));
        assert_eq!(verifier_plafond(1, Some(2)), Ok(()));
        let err = verifier_plafond(2, Some(2)).unwrap_err();
        assert_eq!(err, PlafondAtteint { plafond: 2 });
        assert_eq!(
            err.to_string(),
            "le plafond de 2 habilitation(s) de cette convention est atteint"
        );
        assert_eq!(verifier_plafond(1000, None), Ok(()));
    }

    #[test]
    fn hb_8_nine_full_months_without_login() {
        let delivres = instant(2026, 1, 10, 8);
        let connexion = instant(2026, 5, 31, 14);
        // Last login 31 May 14:00: nine full months end on the last day of February at 14:00.
        assert!(!inactif(Some(connexion), delivres, instant(2027, 2, 28, 13)));
        assert!(inactif(Some(connexion), delivres, instant(2027, 2, 28, 14)));
        // Never logged in: counted from the credentials' issue.
        assert!(!inactif(None, delivres, instant(2026, 10, 10, 7)));
        assert!(inactif(None, delivres, instant(2026, 10, 10, 8)));
    }
}
