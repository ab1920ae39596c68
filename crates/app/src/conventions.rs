//! The conventions' lifecycle in the back office (SPEC CV-2 to CV-8): staff acts, each with its document,
//! and the date-driven transitions applied by [`App::tick`] (the scheduler inside `partage serve`, or
//! `partage tick` from cron).

use crate::personnel::Staff;
use crate::{App, AppError};
use chrono::NaiveDate;
use partage_domain::cycle::{Cycle, Etat, Modele, MotifFin};
use partage_domain::gestion::{acces, prochaine_echeance, Acte, Document};
use partage_domain::personnel::Role;
use partage_domain::trace::Resultat;
use partage_domain::{NumeroConvention, Regime};
use partage_store::cycles::{ConventionCycle, TransitionRecord};

/// A convention and its recorded history, as the staff see it.
#[derive(Debug, Clone)]
pub struct ConventionDetail {
    pub convention: ConventionCycle,
    /// The current state: recorded, or derived from the imported dates.
    pub cycle: Cycle,
    pub historique: Vec<TransitionRecord>,
}

/// The cycle of a convention: the recorded one, or for an imported convention the one its dates imply,
/// with the model of its caisse's conventions, brought up to `jour`.
pub fn cycle_de(c: &ConventionCycle, jour: NaiveDate) -> Cycle {
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

impl App {
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

    /// Applies every date-driven transition due today (CV-3 tacit renewals, CV-4/CV-5 ends taking effect),
    /// catching up after any downtime. Safe to run from several servers at once: each transition is
    /// recorded once. Returns how many conventions this call moved.
    pub async fn tick(&self) -> Result<usize, AppError> {
        let aujourdhui = self.clock.today();
        let mut moved = 0;
        for c in self.store.cycles_dus(aujourdhui).await? {
            let mut cycle = cycle_de(&c, aujourdhui);
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
}
