//! TR-4's daily statistics (issue #6 part 3): each closed day's traces are counted once into aggregates per
//! caisse, partner, convention, bouquet and agent (`partage_store::statistiques`), by the scheduler inside
//! `partage serve` and by `partage tick`, before the retention purge, which never blanks a day not built.
//! A month's statistics read the aggregates of its built days and the traces of the others (today's), so
//! the current month stays up to date and a month past the retention period keeps its agents.
//!
//! Days are UTC calendar days, as the monthly statistics have always counted them.

use crate::{App, AppError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use partage_domain::CaisseCode;
use partage_store::statistiques::debut_du_jour;
use partage_store::supervision::LigneStatistique;
use std::collections::{BTreeMap, BTreeSet};

/// How long after midnight a day counts as closed. A trace is stamped when its request starts and reaches
/// the journal a moment later (group commit, a slow request): one stamped just before midnight may be
/// written just after. A built day is never built again, so it waits this long.
pub const MARGE: Duration = Duration::minutes(5);

impl App {
    /// The last day the clock counts as closed ([`MARGE`] after its end): what the scheduler keys its
    /// daily run on.
    pub fn dernier_jour_clos(&self) -> Option<NaiveDate> {
        (self.clock.now() - MARGE).date_naive().pred_opt()
    }

    /// Builds the statistics of every closed day not built yet, oldest first: yesterday's, or every day
    /// missed since the first trace after downtime. Returns how many days this run built (a day another
    /// server built meanwhile is not counted).
    pub async fn construire_statistiques(&self) -> Result<usize, AppError> {
        let maintenant = self.clock.now();
        let Some(dernier) = self.dernier_jour_clos() else {
            return Ok(0);
        };
        let mut construits = 0;
        for jour in self.store.jours_a_construire(dernier).await? {
            if self.store.construire_jour(jour, maintenant).await? {
                construits += 1;
            }
        }
        Ok(construits)
    }

    /// The first instant of the first day whose statistics are not built (today's at the latest), if any
    /// trace exists: the retention purge stops there.
    pub(crate) async fn debut_des_jours_non_construits(&self) -> Result<Option<DateTime<Utc>>, AppError> {
        let aujourdhui = self.clock.now().date_naive();
        let jours = self.store.jours_a_construire(aujourdhui).await?;
        Ok(jours.first().map(|j| debut_du_jour(*j)))
    }

    /// The caisse's statistics of the days `[du, avant)`: the aggregates of the built days, the traces of
    /// the others, added up per partner, convention, bouquet and agent, ordered by partner, bouquet, agent.
    pub(crate) async fn lignes_statistiques(
        &self,
        caisse: &CaisseCode,
        du: NaiveDate,
        avant: NaiveDate,
    ) -> Result<Vec<LigneStatistique>, AppError> {
        let construits: BTreeSet<NaiveDate> = self
            .store
            .jours_construits(du, avant)
            .await?
            .into_iter()
            .collect();
        let mut lignes = Vec::new();
        // Runs of consecutive days read from one source each: a month is one run of built days and one of
        // today's traces. A day built after `construits` was read is counted from its traces: they are
        // still there, the purge only reaches days long built.
        for (debut, fin, construit) in plages(du, avant, &construits) {
            if construit {
                lignes.extend(self.store.statistiques_construites(caisse, debut, fin).await?);
            } else {
                lignes.extend(
                    self.store
                        .statistics(caisse, debut_du_jour(debut), debut_du_jour(fin))
                        .await?,
                );
            }
        }
        Ok(fusionner(lignes))
    }
}

/// `[du, avant)` cut into runs of consecutive days, each built or not: `(first, end, built)`.
fn plages(
    du: NaiveDate,
    avant: NaiveDate,
    construits: &BTreeSet<NaiveDate>,
) -> Vec<(NaiveDate, NaiveDate, bool)> {
    let mut out: Vec<(NaiveDate, NaiveDate, bool)> = Vec::new();
    for jour in du.iter_days().take_while(|j| *j < avant) {
        let construit = construits.contains(&jour);
        let suivant = jour.succ_opt().unwrap_or(jour);
        match out.last_mut() {
            Some((_, fin, c)) if *c == construit => *fin = suivant,
            _ => out.push((jour, suivant, construit)),
        }
    }
    out
}

/// One line per partner, convention, bouquet and agent, counters added up, in the order of the store's.
fn fusionner(lignes: Vec<LigneStatistique>) -> Vec<LigneStatistique> {
    type Cle = (
        Option<String>,
        Option<&'static str>,
        Option<String>,
        Option<String>,
    );
    let mut par_cle: BTreeMap<Cle, LigneStatistique> = BTreeMap::new();
    for l in lignes {
        let cle = (
            l.partenaire.clone(),
            l.bouquet.map(|b| b.code()),
            l.utilisateur.clone(),
            l.convention.clone(),
        );
        match par_cle.get_mut(&cle) {
            Some(t) => {
                t.consultations += l.consultations;
                t.trouves += l.trouves;
                t.introuvables += l.introuvables;
                t.oppositions += l.oppositions;
                t.refus += l.refus;
                t.echecs_connexion += l.echecs_connexion;
                if t.partenaire_nom.is_none() {
                    t.partenaire_nom = l.partenaire_nom;
                }
            }
            None => {
                par_cle.insert(cle, l);
            }
        }
    }
    par_cle.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use partage_domain::Bouquet;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn tr_4_a_month_is_cut_into_runs_of_built_and_unbuilt_days() {
        let construits: BTreeSet<NaiveDate> = d("2026-03-01").iter_days().take(10).collect();
        assert_eq!(
            plages(d("2026-03-01"), d("2026-04-01"), &construits),
            [
                (d("2026-03-01"), d("2026-03-11"), true),
                (d("2026-03-11"), d("2026-04-01"), false)
            ]
        );
        assert_eq!(
            plages(d("2026-03-01"), d("2026-04-01"), &BTreeSet::new()),
            [(d("2026-03-01"), d("2026-04-01"), false)]
        );
    }

    #[test]
    fn tr_4_lines_of_both_sources_add_up_per_partner_convention_bouquet_and_agent() {
        let ligne = |convention: Option<&str>, n: i64| LigneStatistique {
            partenaire: Some("T07".into()),
            partenaire_nom: Some("Commune".into()),
            convention: convention.map(Into::into),
            bouquet: Some(Bouquet::Qf),
            utilisateur: Some("agent".into()),
            consultations: n,
            trouves: n,
            ..LigneStatistique::default()
        };
        let lignes = fusionner(vec![ligne(Some("C1"), 2), ligne(None, 1), ligne(Some("C1"), 3)]);
        assert_eq!(lignes, [ligne(None, 1), ligne(Some("C1"), 5)]);
    }
}
