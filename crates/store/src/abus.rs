//! Abuse detection (SPEC SU-1, CO-5): each caisse's rules, the alerts the analysis raises (one per rule, day
//! and subject, so analysing a day twice raises nothing new), and the users put under surveillance, kept as
//! a history.

use crate::supervision::Acte;
use crate::{CaisseId, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use partage_domain::abus::{Constat, Regle, ReglesAbus};
use partage_domain::{CaisseCode, Identifiant};

/// The caisse's rules as last set, with who set them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReglesEnregistrees {
    pub regles: ReglesAbus,
    pub par: String,
    pub le: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlerteRecord {
    pub id: i64,
    pub constat: Constat,
    pub detectee_le: DateTime<Utc>,
    /// Closed by supervision, with its comment in `motif`.
    pub close: Option<Acte>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClotureRefusee {
    Inconnue,
    DejaClose,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveillanceRecord {
    pub id: i64,
    pub utilisateur: Identifiant,
    /// The alert that led to it, if any.
    pub alerte: Option<i64>,
    pub debut: Acte,
    pub fin: Option<Acte>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveillanceRefusee {
    /// No such user in the caisse.
    CibleInconnue,
    DejaSurveille,
    /// The alert named is not one of the caisse's.
    AlerteInconnue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinRefusee {
    Inconnue,
    DejaFinie,
}

#[async_trait]
pub trait Abus {
    /// Every caisse, for the daily analysis of each.
    async fn caisses_a_analyser(&self) -> Result<Vec<(CaisseId, CaisseCode)>, StoreError>;

    /// The caisse's rules, if it ever set them.
    async fn regles_abus(&self, caisse: CaisseId) -> Result<Option<ReglesEnregistrees>, StoreError>;

    /// Replaces the caisse's rules.
    async fn save_regles_abus(&self, caisse: CaisseId, r: &ReglesEnregistrees) -> Result<(), StoreError>;

    /// Records the findings as open alerts, in one transaction, skipping any already recorded for the same
    /// rule, day and subject (open or closed). Returns how many were new.
    async fn record_alertes(
        &self,
        caisse: CaisseId,
        constats: &[Constat],
        le: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// The caisse's alerts of days in `[du, au]`, open ones only or all, newest day first.
    async fn alertes(
        &self,
        caisse: CaisseId,
        du: NaiveDate,
        au: NaiveDate,
        ouvertes_seulement: bool,
    ) -> Result<Vec<AlerteRecord>, StoreError>;

    /// Closes an open alert with a comment; nothing is written when refused.
    async fn close_alerte(
        &self,
        caisse: CaisseId,
        id: i64,
        acte: &Acte,
    ) -> Result<Result<AlerteRecord, ClotureRefusee>, StoreError>;

    /// Puts a user of the caisse under surveillance, at most once at a time.
    async fn start_surveillance(
        &self,
        caisse: CaisseId,
        utilisateur: &Identifiant,
        alerte: Option<i64>,
        acte: &Acte,
    ) -> Result<Result<SurveillanceRecord, SurveillanceRefusee>, StoreError>;

    /// Ends a surveillance in force; nothing is written when refused.
    async fn end_surveillance(
        &self,
        caisse: CaisseId,
        id: i64,
        acte: &Acte,
    ) -> Result<Result<SurveillanceRecord, FinRefusee>, StoreError>;

    /// The caisse's surveillances, in force and ended, newest first.
    async fn surveillances(&self, caisse: CaisseId) -> Result<Vec<SurveillanceRecord>, StoreError>;
}

/// The alert columns both backends select, in this order.
pub const ALERTE_COLUMNS: &str = "id, regle, jour, utilisateur, partenaire, matricule, compte, seuil, \
                                  detectee_le, close_le, close_par, commentaire";

/// An alert row as both backends read it (instants and day already parsed).
pub type AlerteRow = (
    i64,
    String,
    NaiveDate,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
);

pub fn alerte(row: AlerteRow) -> Result<AlerteRecord, StoreError> {
    let (id, regle, jour, utilisateur, partenaire, matricule, compte, seuil, detectee_le, le, par, motif) =
        row;
    let regle = Regle::parse(&regle)
        .ok_or_else(|| crate::codec::corrupt("abus_alertes.regle", format!("« {regle} »")))?;
    let close = match (le, par, motif) {
        (Some(le), Some(par), Some(motif)) => Some(Acte { par, le, motif }),
        (None, None, None) => None,
        _ => return Err(crate::codec::corrupt("abus_alertes.close", "clôture incomplète")),
    };
    Ok(AlerteRecord {
        id,
        constat: Constat {
            regle,
            jour,
            utilisateur,
            partenaire,
            matricule,
            compte,
            seuil,
        },
        detectee_le,
        close,
    })
}

pub const SURVEILLANCE_COLUMNS: &str =
    "id, utilisateur, alerte_id, motif, par, le, fin_le, fin_par, fin_motif";

pub type SurveillanceRow = (
    i64,
    String,
    Option<i64>,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
);

pub fn caisse(row: (i64, String)) -> Result<(CaisseId, CaisseCode), StoreError> {
    let code = CaisseCode::parse(&row.1).map_err(|e| crate::codec::corrupt("caisses.code", e))?;
    Ok((CaisseId(row.0), code))
}

pub fn surveillance(row: SurveillanceRow) -> Result<SurveillanceRecord, StoreError> {
    let (id, utilisateur, alerte, motif, par, le, fin_le, fin_par, fin_motif) = row;
    let fin = match (fin_le, fin_par, fin_motif) {
        (Some(le), Some(par), Some(motif)) => Some(Acte { par, le, motif }),
        (None, None, None) => None,
        _ => return Err(crate::codec::corrupt("surveillances.fin", "fin incomplète")),
    };
    Ok(SurveillanceRecord {
        id,
        utilisateur: crate::codec::identifiant(&utilisateur)?,
        alerte,
        debut: Acte { par, le, motif },
        fin,
    })
}
