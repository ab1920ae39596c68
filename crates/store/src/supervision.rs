//! The caisse's supervision (SPEC TR-3, SU-2, AU-6, BY-1): trace requests over the log, suspensions of users
//! and partners (kept as a history of their own, never as an overwrite of `active`), and the consultations of
//! one dossier.

use crate::{CaisseId, StoreError, StoredTrace, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::trace::{Action, Resultat};
use partage_domain::{Bouquet, CaisseCode, Identifiant, Matricule, NumeroTiers};

/// Which traces a request wants. Every field narrows the request; the caisse is always given (TEN-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceFilter {
    pub caisse: CaisseCode,
    /// The identifier as recorded (a failed login keeps what was typed).
    pub utilisateur: Option<String>,
    pub partenaire: Option<NumeroTiers>,
    pub dossier: Option<DossierFilter>,
    pub bouquet: Option<Bouquet>,
    pub resultat: Option<Resultat>,
    pub action: Option<Action>,
    /// From this instant, inclusive.
    pub du: Option<DateTime<Utc>>,
    /// Before this instant, exclusive.
    pub avant: Option<DateTime<Utc>>,
}

impl TraceFilter {
    /// Every trace of the caisse.
    pub fn caisse(caisse: CaisseCode) -> TraceFilter {
        TraceFilter {
            caisse,
            utilisateur: None,
            partenaire: None,
            dossier: None,
            bouquet: None,
            resultat: None,
            action: None,
            du: None,
            avant: None,
        }
    }
}

/// A dossier as traces name it: by its matricule once found, by the keyed hash of the NIR typed when the NIR
/// found nothing. A trace matches if it names either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierFilter {
    pub matricule: Option<String>,
    pub nir_hache: Option<String>,
}

/// Whom a suspension is of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cible {
    Utilisateur(Identifiant),
    /// Every user of the partner, present and future.
    Partenaire(NumeroTiers),
}

impl Cible {
    pub fn type_code(&self) -> &'static str {
        match self {
            Cible::Utilisateur(_) => "utilisateur",
            Cible::Partenaire(_) => "partenaire",
        }
    }

    pub fn valeur(&self) -> &str {
        match self {
            Cible::Utilisateur(i) => i.as_str(),
            Cible::Partenaire(t) => t.as_str(),
        }
    }
}

/// Who did a supervision act, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acte {
    /// The staff member's identifier.
    pub par: String,
    pub le: DateTime<Utc>,
    pub motif: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSuspension {
    pub caisse: CaisseId,
    pub cible: Cible,
    /// `None`: definitive, until lifted.
    pub jusqu_au: Option<DateTime<Utc>>,
    pub acte: Acte,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspensionRecord {
    pub id: i64,
    pub cible: Cible,
    pub jusqu_au: Option<DateTime<Utc>>,
    pub acte: Acte,
    pub levee: Option<Acte>,
}

impl SuspensionRecord {
    /// In force at `now`: not lifted, and definitive or not yet at its end.
    pub fn en_cours(&self, now: DateTime<Utc>) -> bool {
        self.levee.is_none() && self.jusqu_au.is_none_or(|fin| now < fin)
    }
}

/// What a suspension did, once recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspendu {
    pub id: i64,
    /// Live sessions ended in the same transaction.
    pub sessions_terminees: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuspensionRefusee {
    /// No such user or partner in the caisse.
    CibleInconnue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeveeRefusee {
    /// No such suspension in the caisse.
    Inconnue,
    DejaLevee,
}

/// One consultation of a dossier, as a beneficiary may learn of it (BY-1): the partner, never the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationDossier {
    pub horodatage: DateTime<Utc>,
    pub partenaire: String,
    /// The partner's name now, if it is still in the référentiel.
    pub partenaire_nom: Option<String>,
    pub bouquet: Option<Bouquet>,
}

/// One line of the monthly statistics (TR-4): a partner's agent's use of one bouquet. Failed logins have no
/// bouquet: they stand on the agent's line without one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LigneStatistique {
    pub partenaire: Option<String>,
    pub partenaire_nom: Option<String>,
    /// The number of the partner's convention carrying the bouquet, if exactly one does (see
    /// [`convention_sql`](crate::statistiques::convention_sql)).
    pub convention: Option<String>,
    pub bouquet: Option<Bouquet>,
    pub utilisateur: Option<String>,
    pub consultations: i64,
    /// Consultations that showed a dossier.
    pub trouves: i64,
    pub introuvables: i64,
    pub oppositions: i64,
    /// Every other refused consultation (not habilitated, out of competence, invalid NIR…).
    pub refus: i64,
    /// Failed logins of known users (wrong password, locked, suspended…).
    pub echecs_connexion: i64,
}

#[async_trait]
pub trait Supervision {
    /// The traces matching `filter` with an id above `after`, in id order, at most `limit`.
    async fn search_traces(
        &self,
        filter: &TraceFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredTrace>, StoreError>;

    /// Records a suspension and ends every live session it covers, in one transaction.
    async fn suspend(&self, s: &NewSuspension) -> Result<Result<Suspendu, SuspensionRefusee>, StoreError>;

    /// Lifts a suspension of the caisse; nothing is written when refused.
    async fn lift_suspension(
        &self,
        caisse: CaisseId,
        id: i64,
        levee: &Acte,
    ) -> Result<Result<SuspensionRecord, LeveeRefusee>, StoreError>;

    /// The caisse's suspensions, current and past, newest first.
    async fn suspensions(&self, caisse: CaisseId) -> Result<Vec<SuspensionRecord>, StoreError>;

    /// A suspension of the user or of his partner in force at `now`, if any.
    async fn suspension_en_cours(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<SuspensionRecord>, StoreError>;

    /// TR-4: the caisse's consultations and failed logins of known users in `[du, avant)`, counted per
    /// partner, bouquet and agent, in that order, straight from the traces (see
    /// [`statistiques`](crate::statistiques) for the days' aggregates).
    async fn statistics(
        &self,
        caisse: &CaisseCode,
        du: DateTime<Utc>,
        avant: DateTime<Utc>,
    ) -> Result<Vec<LigneStatistique>, StoreError>;

    /// The successful consultations of the caisse's dossier `matricule`, oldest first.
    async fn consultations_of_dossier(
        &self,
        caisse: &CaisseCode,
        matricule: &Matricule,
    ) -> Result<Vec<ConsultationDossier>, StoreError>;
}

/// A suspension row as both backends select it: id, target type, target, until, motif, by, at, lifted at,
/// lifted by, lifting motif. Instants already read by the backend.
pub type SuspensionRow = (
    i64,
    String,
    String,
    Option<DateTime<Utc>>,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
);

pub fn suspension(row: SuspensionRow) -> Result<SuspensionRecord, StoreError> {
    let (id, type_cible, cible, jusqu_au, motif, par, le, levee_le, levee_par, levee_motif) = row;
    let cible = match type_cible.as_str() {
        "utilisateur" => Cible::Utilisateur(crate::codec::identifiant(&cible)?),
        "partenaire" => Cible::Partenaire(crate::codec::numero_tiers(&cible)?),
        other => {
            return Err(crate::codec::corrupt(
                "suspensions.type_cible",
                format!("« {other} »"),
            ))
        }
    };
    let levee = match (levee_le, levee_par, levee_motif) {
        (Some(le), Some(par), Some(motif)) => Some(Acte { par, le, motif }),
        (None, None, None) => None,
        _ => return Err(crate::codec::corrupt("suspensions.levee", "levée incomplète")),
    };
    Ok(SuspensionRecord {
        id,
        cible,
        jusqu_au,
        acte: Acte { par, le, motif },
        levee,
    })
}

/// A statistics row as both backends read it.
pub type StatistiqueRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

pub fn ligne_statistique(row: StatistiqueRow) -> Result<LigneStatistique, StoreError> {
    let (
        partenaire,
        partenaire_nom,
        convention,
        bouquet,
        utilisateur,
        consultations,
        trouves,
        introuvables,
        oppositions,
        refus,
        echecs,
    ) = row;
    Ok(LigneStatistique {
        partenaire,
        partenaire_nom,
        convention,
        bouquet: bouquet
            .map(|b| crate::codec::parse_bouquet("traces.bouquet", &b))
            .transpose()?,
        utilisateur,
        consultations,
        trouves,
        introuvables,
        oppositions,
        refus,
        echecs_connexion: echecs,
    })
}
