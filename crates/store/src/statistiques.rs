//! TR-4's daily statistics (issue #6 part 3): once a day is over, its traces are counted per caisse,
//! partner, convention, bouquet and agent into aggregates that outlive the traces' retention (the purge
//! blanks an old trace's agent; the day's counts keep him). A day is built once, for every caisse at once,
//! with its marker in the same transaction: a second builder, in this process or another server on the same
//! database, finds the marker and adds nothing.
//!
//! A day is a UTC calendar day, `[00:00 UTC, 00:00 UTC the next day)`, the boundaries the monthly statistics
//! have always used.

use crate::supervision::LigneStatistique;
#[cfg(doc)]
use crate::supervision::StatistiqueRow;
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use partage_domain::CaisseCode;
use std::collections::BTreeSet;

#[async_trait]
pub trait StatistiquesQuotidiennes {
    /// Counts the traces of `jour` into its aggregates, for every caisse, and marks the day built (at `le`),
    /// in one transaction. A day already built is left as it is. Returns whether this call built it.
    async fn construire_jour(&self, jour: NaiveDate, le: DateTime<Utc>) -> Result<bool, StoreError>;

    /// The days from the first trace's to `jusqu_au` (inclusive) whose aggregates are not built, oldest
    /// first: what a catch-up after downtime has to build. Empty while there is no trace at all.
    async fn jours_a_construire(&self, jusqu_au: NaiveDate) -> Result<Vec<NaiveDate>, StoreError>;

    /// The built days of `[du, avant)`, oldest first.
    async fn jours_construits(&self, du: NaiveDate, avant: NaiveDate) -> Result<Vec<NaiveDate>, StoreError>;

    /// The caisse's aggregates of `[du, avant)` added up per partner, convention, bouquet and agent, in the
    /// order of [`Supervision::statistics`](crate::supervision::Supervision::statistics). Days not built
    /// count for nothing: the caller reads those from the traces.
    async fn statistiques_construites(
        &self,
        caisse: &CaisseCode,
        du: NaiveDate,
        avant: NaiveDate,
    ) -> Result<Vec<LigneStatistique>, StoreError>;
}

/// The first instant of `jour` (UTC midnight).
pub fn debut_du_jour(jour: NaiveDate) -> DateTime<Utc> {
    jour.and_time(NaiveTime::MIN).and_utc()
}

/// The days of `[premier, jusqu_au]` missing from `construits`, oldest first.
pub fn jours_manquants(
    premier: Option<NaiveDate>,
    jusqu_au: NaiveDate,
    construits: &[NaiveDate],
) -> Vec<NaiveDate> {
    let construits: BTreeSet<NaiveDate> = construits.iter().copied().collect();
    let Some(premier) = premier else {
        return Vec::new();
    };
    premier
        .iter_days()
        .take_while(|j| *j <= jusqu_au)
        .filter(|j| !construits.contains(j))
        .collect()
}

/// The traces' counts over `[{du}, {avant})` per caisse, partner, bouquet, agent and UTC day, with the
/// partner's row id and name (from the référentiel, now), for the traces `filtre` keeps. `jour` is the
/// backend's expression of a trace's UTC day (`t.horodatage`'s date). A subquery: its columns are `caisse,
/// partenaire, partenaire_id, nom, bouquet, utilisateur, jour` and the six counters, named as in the
/// aggregates' table.
fn comptes_sql(filtre: &str, jour: &str, du: &str, avant: &str) -> String {
    format!(
        "SELECT t.caisse, t.partenaire, p.id AS partenaire_id, p.nom, t.bouquet, t.utilisateur, {jour} AS jour,
            SUM(CASE WHEN t.action = 'consultation' THEN 1 ELSE 0 END) AS consultations,
            SUM(CASE WHEN t.action = 'consultation' AND t.resultat = 'succes' THEN 1 ELSE 0 END) AS trouves,
            SUM(CASE WHEN t.action = 'consultation' AND t.resultat = 'dossier_introuvable' THEN 1 ELSE 0 END)
                AS introuvables,
            SUM(CASE WHEN t.action = 'consultation' AND t.resultat = 'opposition' THEN 1 ELSE 0 END)
                AS oppositions,
            SUM(CASE WHEN t.action = 'consultation'
                      AND t.resultat NOT IN ('succes', 'dossier_introuvable', 'opposition') THEN 1 ELSE 0 END)
                AS refus,
            SUM(CASE WHEN t.action = 'connexion' THEN 1 ELSE 0 END) AS echecs_connexion
         FROM traces t
         LEFT JOIN caisses c ON c.code = t.caisse
         LEFT JOIN partenaires p ON p.caisse_id = c.id AND p.numero_tiers = t.partenaire
         WHERE {filtre} AND t.horodatage >= {du} AND t.horodatage < {avant}
           AND (t.action = 'consultation'
                OR (t.action = 'connexion' AND t.partenaire IS NOT NULL AND t.resultat <> 'succes'))
         GROUP BY t.caisse, t.partenaire, p.id, p.nom, t.bouquet, t.utilisateur, {jour}"
    )
}

/// The counters of a [`lignes_sql`] row `l`, in the order of [`StatistiqueRow`].
const COMPTEURS: &str =
    "l.consultations, l.trouves, l.introuvables, l.oppositions, l.refus, l.echecs_connexion";

/// The [`comptes_sql`] rows, each day's named with its convention (the backend's [`Dialecte`]), added up
/// per caisse, partner, convention, bouquet and agent: the days of an agent's use split only where the
/// convention changed. Columns: `caisse, partenaire, nom, convention, bouquet, utilisateur` and the
/// counters.
fn lignes_sql(sql: &Dialecte, filtre: &str, du: &str, avant: &str) -> String {
    format!(
        "SELECT x.caisse, x.partenaire, x.nom, x.convention, x.bouquet, x.utilisateur,
            CAST(SUM(x.consultations) AS BIGINT) AS consultations, CAST(SUM(x.trouves) AS BIGINT) AS trouves,
            CAST(SUM(x.introuvables) AS BIGINT) AS introuvables,
            CAST(SUM(x.oppositions) AS BIGINT) AS oppositions, CAST(SUM(x.refus) AS BIGINT) AS refus,
            CAST(SUM(x.echecs_connexion) AS BIGINT) AS echecs_connexion
         FROM (SELECT g.*, {convention} AS convention FROM ({comptes}) g) x
         GROUP BY x.caisse, x.partenaire, x.nom, x.convention, x.bouquet, x.utilisateur",
        convention = convention_sql(sql.porte_le_bouquet),
        comptes = comptes_sql(filtre, sql.jour, du, avant),
    )
}

/// The statistics of one caisse straight from the traces (`{1}`, `{2}`, `{3}`: caisse, from, before), as
/// [`StatistiqueRow`]s.
pub fn statistics_sql(sql: &Dialecte, p1: &str, p2: &str, p3: &str) -> String {
    format!(
        "SELECT l.partenaire, l.nom, l.convention, l.bouquet, l.utilisateur, {COMPTEURS}
         FROM ({lignes}) l
         ORDER BY l.partenaire, l.bouquet, l.utilisateur",
        lignes = lignes_sql(sql, &format!("t.caisse = {p1}"), p2, p3)
    )
}

/// Builds the aggregates of one day for every caisse (`{1}`, `{2}`, `{3}`: the day, its first instant, the
/// next day's).
pub fn construire_sql(sql: &Dialecte, p1: &str, p2: &str, p3: &str) -> String {
    format!(
        "INSERT INTO statistiques_quotidiennes
            (jour, caisse, partenaire, convention, bouquet, utilisateur,
             consultations, trouves, introuvables, oppositions, refus, echecs_connexion)
         SELECT {p1}, l.caisse, l.partenaire, l.convention, l.bouquet, l.utilisateur, {COMPTEURS}
         FROM ({lignes}) l",
        lignes = lignes_sql(sql, "t.caisse IS NOT NULL", p2, p3)
    )
}

/// A caisse's aggregates of `[{2}, {3})` added up (`{1}`: the caisse), as [`StatistiqueRow`]s.
pub fn statistiques_construites_sql(p1: &str, p2: &str, p3: &str) -> String {
    format!(
        "SELECT s.partenaire, p.nom, s.convention, s.bouquet, s.utilisateur,
            CAST(SUM(s.consultations) AS BIGINT), CAST(SUM(s.trouves) AS BIGINT),
            CAST(SUM(s.introuvables) AS BIGINT), CAST(SUM(s.oppositions) AS BIGINT),
            CAST(SUM(s.refus) AS BIGINT), CAST(SUM(s.echecs_connexion) AS BIGINT)
         FROM statistiques_quotidiennes s
         LEFT JOIN caisses c ON c.code = s.caisse
         LEFT JOIN partenaires p ON p.caisse_id = c.id AND p.numero_tiers = s.partenaire
         WHERE s.caisse = {p1} AND s.jour >= {p2} AND s.jour < {p3}
         GROUP BY s.partenaire, p.nom, s.convention, s.bouquet, s.utilisateur
         ORDER BY s.partenaire, s.bouquet, s.utilisateur"
    )
}

/// What the shared queries need to know of a backend to name a day's convention.
#[derive(Debug, Clone, Copy)]
pub struct Dialecte {
    /// Whether a convention `cv` carries the bouquet `g.bouquet` (bouquets are a JSON array in SQLite, an
    /// array in PostgreSQL).
    pub porte_le_bouquet: &'static str,
    /// A trace `t`'s UTC day, of the same type as the conventions' dates.
    pub jour: &'static str,
}

/// The convention of a [`comptes_sql`] row `g` (one partner, bouquet, agent and UTC day `g.jour`).
///
/// Traces name the partner and the bouquet, not the convention: the convention is the one of that partner
/// carrying that bouquet that is in force on the row's day (CV-2, `Convention::en_vigueur`): signed and its
/// CNIL formality done on or before that day, and not ended on or before it (`fin_le` is the first day
/// without access; the lifecycle writes it for a programmed end, a suspension and a termination, so it is
/// the whole truth, as of when the day is built). So a convention that ended and the new one signed after
/// it each get their own days, and a draft (no formality) never takes a day from the live one.
///
/// The day is the UTC day the aggregates are built on, read as the calendar day of the conventions' dates
/// (a day in Paris: a convention ending on a day stops at 00:00 Paris time, 22:00 or 23:00 UTC the day
/// before, as `Clock::today` reads it): the 22 or 23 first hours of a UTC day are that day in Paris. The last hour or two belong to the next day
/// in Paris; on the eve of a switch they are counted on the old convention, as the aggregates keep one
/// convention per partner, bouquet, agent and day.
///
/// None when the partner has no such convention that day (a failed login has no bouquet) or when several
/// are in force that day and carry the bouquet (two live conventions opening the same bouquet, an overlap
/// the caisse let happen): nothing in a trace says which one the agent used, and a guess would count his use
/// against the wrong convention.
fn convention_sql(porte_le_bouquet: &str) -> String {
    format!(
        "(SELECT CASE WHEN COUNT(*) = 1 THEN MIN(cv.numero) END
          FROM conventions cv
          WHERE cv.partenaire_id = g.partenaire_id AND g.bouquet IS NOT NULL AND {porte_le_bouquet}
            AND cv.formalite_cnil_le IS NOT NULL AND cv.formalite_cnil_le <= g.jour
            AND cv.signee_le <= g.jour AND (cv.fin_le IS NULL OR cv.fin_le > g.jour))"
    )
}
