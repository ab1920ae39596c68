//! The conventions' lifecycle in the back office (SPEC CV-2 to CV-8): staff acts, each with its document,
//! and the date-driven transitions applied by [`App::tick`] (the scheduler inside `partage serve`, or
//! `partage tick` from cron).

use crate::personnel::Staff;
use crate::{App, AppError};
use chrono::NaiveDate;
use partage_domain::avenants::Attestation;
use partage_domain::cycle::{Cycle, Etat, Modele, MotifFin};
use partage_domain::gestion::{acces, prochaine_echeance, Acte, Document};
use partage_domain::habilitation::Gestion;
use partage_domain::personnel::Role;
use partage_domain::trace::{Action, Resultat, Trace};
use partage_domain::{Bouquet, NumeroConvention, NumeroTiers, Regime};
use partage_store::avenants::AttestationRecord;
use partage_store::cycles::{ConventionCycle, CreationRefusee, NouvelleConvention, TransitionRecord};

/// A convention and its recorded history, as the staff see it.
#[derive(Debug, Clone)]
pub struct ConventionDetail {
    pub convention: ConventionCycle,
    /// The current state: recorded, or derived from the imported dates.
    pub cycle: Cycle,
    pub historique: Vec<TransitionRecord>,
    /// CV-8: the partner's attestation of return or destruction of the data, once recorded.
    pub attestation: Option<AttestationRecord>,
}

/// The cycle of a convention as it stands on `jour`: what time alone did since the last recorded
/// transition is applied, so an end that took effect at midnight shows at once, before any tick records it.
pub fn cycle_de(c: &ConventionCycle, jour: NaiveDate) -> Cycle {
    let mut cycle = cycle_enregistre(c, jour);
    cycle.avancer(jour);
    cycle
}

/// The recorded cycle of a convention, or for an imported convention the one its dates imply, with the
/// model of its caisse's conventions, brought up to `jour`.
fn cycle_enregistre(c: &ConventionCycle, jour: NaiveDate) -> Cycle {
    if let Some(cycle) = c.cycle {
        return cycle;
    }
    let modele = match c.regime {
        Regime::Caf => Modele::CAF,
        Regime::Msa => Modele::MSA,
    };
    let mut cycle = Cycle {
        modele,
        etat: Etat::AttenteCnil {
            signee_le: c.acces.signee_le,
        },
    };
    if let Some(cnil) = c.acces.formalite_cnil_le {
        // Cannot be refused from AttenteCnil.
        let _ = cycle.formalite_cnil(cnil.max(c.acces.signee_le));
        if let (Some(effet_le), Etat::EnVigueur { echeance }) = (c.acces.fin_le, cycle.etat) {
            cycle.etat = Etat::FinProgrammee {
                echeance,
                effet_le,
                motif: MotifFin::TermeConvenu,
            };
        }
        cycle.avancer(jour);
    }
    cycle
}

/// A convention as the staff create it in draft (issue 3, part 3). Its model (delays, CV-3 to CV-6) is the
/// one of the caisse's régime; its échéances follow from the signature by both parties (CV-3); its
/// départements are the partner's champ de compétence (TEN-3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConventionACreer {
    pub numero: String,
    /// N° tiers of a partner of the caisse's référentiel.
    pub partenaire: String,
    pub bouquets: Vec<Bouquet>,
    pub plafond_habilitations: Option<u32>,
    /// `centralisee` or `deleguee`; `None`: the default of the caisse (CV-12).
    pub gestion: Option<String>,
}

/// Checks what was typed; the store's record or every French reason at once.
fn verifier_creation(c: &ConventionACreer, creee_le: NaiveDate) -> Result<NouvelleConvention, AppError> {
    let mut erreurs = Vec::new();
    let numero = NumeroConvention::parse(c.numero.trim()).map_err(|e| erreurs.push(format!("numéro : {e}")));
    let partenaire =
        NumeroTiers::parse(c.partenaire.trim()).map_err(|e| erreurs.push(format!("partenaire : {e}")));
    let mut bouquets = c.bouquets.clone();
    bouquets.sort();
    bouquets.dedup();
    if bouquets.is_empty() {
        erreurs.push("une convention ouvre au moins un bouquet de services".to_owned());
    }
    if c.plafond_habilitations.is_some_and(|p| p > 100_000) {
        erreurs.push("le plafond d'habilitations est de 100 000 au plus".to_owned());
    }
    let gestion = match c.gestion.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
        None => None,
        Some(g) => match Gestion::parse(g) {
            Some(g) => Some(g),
            None => {
                erreurs.push(format!(
                    "mode de gestion inconnu « {} » : centralisee ou deleguee",
                    g.chars().take(20).collect::<String>()
                ));
                None
            }
        },
    };
    match (numero, partenaire) {
        (Ok(numero), Ok(partenaire)) if erreurs.is_empty() => Ok(NouvelleConvention {
            numero,
            partenaire,
            bouquets,
            plafond_habilitations: c.plafond_habilitations,
            gestion,
            creee_le,
        }),
        _ => Err(AppError::RequeteInvalide(erreurs.join(" ; "))),
    }
}

impl App {
    /// Creates a convention in draft for a partner of the référentiel (role `conventions`); the acts
    /// (signatures, CNIL formality) then take it to "in force". Refused, writing nothing: a number or a
    /// partner badly typed, no bouquet, an unknown gestion mode, a partner unknown in the caisse, a number
    /// the caisse already uses.
    pub async fn creer_convention(
        &self,
        staff: &Staff,
        convention: &ConventionACreer,
        source: &str,
    ) -> Result<ConventionDetail, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let outcome = self.ecrire_convention(staff, convention).await;
        let resultat = if outcome.is_ok() {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_gestion(staff, resultat, source).await?;
        let numero = outcome?;
        self.convention_detail(staff, numero.as_str(), source).await
    }

    async fn ecrire_convention(
        &self,
        staff: &Staff,
        convention: &ConventionACreer,
    ) -> Result<NumeroConvention, AppError> {
        let aujourdhui = self.clock.today();
        let nouvelle = verifier_creation(convention, aujourdhui)?;
        let modele = match staff.personnel.regime {
            Regime::Caf => Modele::CAF,
            Regime::Msa => Modele::MSA,
        };
        let transition = TransitionRecord {
            acte: "creer".into(),
            cycle: Cycle::nouveau(modele),
            par: Some(staff.personnel.identifiant.to_string()),
            horodatage: self.clock.now(),
            date_effet: aujourdhui,
            document: None,
        };
        match self
            .store
            .create_convention(staff.personnel.caisse_id, &nouvelle, &transition)
            .await?
        {
            Ok(_) => Ok(nouvelle.numero),
            Err(CreationRefusee::PartenaireInconnu) => Err(AppError::Introuvable(format!(
                "aucun partenaire n° tiers {} dans le référentiel de votre caisse",
                nouvelle.partenaire
            ))),
            Err(CreationRefusee::NumeroPris) => Err(AppError::DejaExistant(format!(
                "la convention n° {} existe déjà dans votre caisse",
                nouvelle.numero
            ))),
        }
    }

    pub(crate) async fn convention_de_la_caisse(
        &self,
        staff: &Staff,
        numero: &str,
    ) -> Result<ConventionCycle, AppError> {
        let numero = NumeroConvention::parse(numero).map_err(|e| AppError::RequeteInvalide(e.to_string()))?;
        self.store
            .convention_cycle(staff.personnel.caisse_id, &numero)
            .await?
            .ok_or_else(|| AppError::Introuvable(format!("aucune convention n° {numero} dans votre caisse")))
    }

    /// A convention of the staff member's caisse, its state and history (role `conventions`).
    pub async fn convention_detail(
        &self,
        staff: &Staff,
        numero: &str,
        source: &str,
    ) -> Result<ConventionDetail, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let convention = self.convention_de_la_caisse(staff, numero).await?;
        self.touch_personnel(staff).await?;
        Ok(ConventionDetail {
            cycle: cycle_de(&convention, self.clock.today()),
            historique: self.store.transitions(convention.id).await?,
            attestation: self.store.attestation(convention.id).await?,
            convention,
        })
    }

    /// A staff act on a convention (role `conventions`), backed by its document. Refused with the rules'
    /// reason, and then nothing is written: an act dated in the future, a document received in the future,
    /// an act the convention's state or model does not allow.
    pub async fn agir_sur_convention(
        &self,
        staff: &Staff,
        numero: &str,
        acte: Acte,
        document: Document,
        source: &str,
    ) -> Result<ConventionDetail, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let outcome = self.appliquer_acte(staff, numero, acte, document).await;
        let resultat = if outcome.is_ok() {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_gestion(staff, resultat, source).await?;
        outcome?;
        self.convention_detail(staff, numero, source).await
    }

    async fn appliquer_acte(
        &self,
        staff: &Staff,
        numero: &str,
        acte: Acte,
        document: Document,
    ) -> Result<(), AppError> {
        let aujourdhui = self.clock.today();
        let reference = document.reference.trim();
        if reference.is_empty() || reference.chars().count() > 200 {
            return Err(AppError::RequeteInvalide(
                "la référence du document (lettre, avenant) est obligatoire, 200 caractères au plus".into(),
            ));
        }
        for (date, quoi) in [
            (acte.date(), "de l'acte"),
            (document.recu_le, "de réception du document"),
        ] {
            if date > aujourdhui {
                return Err(AppError::RequeteInvalide(format!(
                    "la date {quoi} ({date}) est dans le futur"
                )));
            }
        }
        let c = self.convention_de_la_caisse(staff, numero).await?;
        let avant = cycle_de(&c, aujourdhui);
        let mut apres = acte
            .appliquer(&avant)
            .map_err(|e| AppError::TransitionRefusee(e.to_string()))?;
        // An act dated in the past may already have taken effect (an end due since): applied at once.
        apres.avancer(aujourdhui);
        let transition = TransitionRecord {
            acte: acte.code().to_owned(),
            cycle: apres,
            par: Some(staff.personnel.identifiant.to_string()),
            horodatage: self.clock.now(),
            date_effet: acte.date(),
            document: Some(Document {
                reference: reference.to_owned(),
                recu_le: document.recu_le,
            }),
        };
        let written = self
            .store
            .record_transition(
                c.id,
                c.revision,
                &acces(&apres, c.acces, Some(&acte)),
                prochaine_echeance(&apres),
                &transition,
            )
            .await?;
        if written {
            Ok(())
        } else {
            Err(AppError::TransitionRefusee(
                "la convention vient d'être modifiée par ailleurs : rechargez-la et recommencez".into(),
            ))
        }
    }

    /// CV-8 (000 art. 6-1): records the partner's written attestation that it returned or destroyed the data
    /// of an ended convention, with the document's reference and who recorded it (role `conventions`).
    /// Refused, writing nothing: a convention not ended, a date in the future or before the end, no
    /// reference, a second attestation.
    pub async fn enregistrer_attestation(
        &self,
        staff: &Staff,
        numero: &str,
        attestation: Attestation,
        source: &str,
    ) -> Result<ConventionDetail, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let outcome = self.ecrire_attestation(staff, numero, attestation).await;
        let resultat = if outcome.is_ok() {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_gestion(staff, resultat, source).await?;
        outcome?;
        self.convention_detail(staff, numero, source).await
    }

    async fn ecrire_attestation(
        &self,
        staff: &Staff,
        numero: &str,
        attestation: Attestation,
    ) -> Result<(), AppError> {
        let aujourdhui = self.clock.today();
        let c = self.convention_de_la_caisse(staff, numero).await?;
        let fin = match cycle_de(&c, aujourdhui).etat {
            Etat::Terminee { le, .. } => Some(le),
            _ => None,
        };
        let attestation = attestation.verifier(fin, aujourdhui).map_err(|e| {
            if fin.is_none() {
                AppError::TransitionRefusee(e)
            } else {
                AppError::RequeteInvalide(e)
            }
        })?;
        let record = AttestationRecord {
            attestation,
            par: staff.personnel.identifiant.to_string(),
            horodatage: self.clock.now(),
        };
        if self.store.record_attestation(c.id, &record).await? {
            Ok(())
        } else {
            Err(AppError::TransitionRefusee(
                "l'attestation de restitution ou de destruction des données de cette convention est déjà \
                 enregistrée"
                    .into(),
            ))
        }
    }

    /// Applies every date-driven transition due today (CV-3 tacit renewals, CV-4/CV-5 ends taking effect),
    /// catching up after any downtime. Safe to run from several servers at once: each transition is
    /// recorded once. Returns how many conventions this call moved.
    pub async fn tick(&self) -> Result<usize, AppError> {
        let aujourdhui = self.clock.today();
        let mut moved = 0;
        for c in self.store.cycles_dus(aujourdhui).await? {
            let mut cycle = cycle_enregistre(&c, aujourdhui);
            if !cycle.avancer(aujourdhui) {
                continue;
            }
            let transition = TransitionRecord {
                acte: "avancer".into(),
                cycle,
                par: None,
                horodatage: self.clock.now(),
                date_effet: aujourdhui,
                document: None,
            };
            if self
                .store
                .record_transition(
                    c.id,
                    c.revision,
                    &acces(&cycle, c.acces, None),
                    prochaine_echeance(&cycle),
                    &transition,
                )
                .await?
            {
                moved += 1;
            }
        }
        Ok(moved)
    }

    /// Issue #3 part 6 (CV-8): the end of a convention stops every access it opened, sessions included. Ends
    /// the sessions opened before the end of agents left with no convention that has not ended, each agent
    /// traced (`expiration_session`, `convention_hors_vigueur`, how many sessions). Run with [`App::tick`];
    /// a second run finds nothing. Returns how many agents.
    pub async fn fermer_sessions_apres_fin(&self) -> Result<usize, AppError> {
        let aujourdhui = self.clock.today();
        let mut n = 0;
        for a in self.store.sessions_apres_fin(aujourdhui).await? {
            let fermees = self.store.end_all_sessions(a.user).await?;
            if fermees == 0 {
                continue;
            }
            let trace = Trace {
                horodatage: self.clock.now(),
                caisse: Some(a.caisse),
                utilisateur: Some(a.identifiant),
                partenaire: Some(a.partenaire),
                source: "partage".to_owned(),
                action: Action::ExpirationSession,
                bouquet: None,
                rubriques: Some(format!("sessions={fermees}")),
                matricule: None,
                nir_hache: None,
                resultat: Resultat::ConventionHorsVigueur,
            };
            self.journal.record(trace, None).await?;
            n += 1;
        }
        Ok(n)
    }
}
