//! Supervision (see `partage_store::supervision`): trace requests, suspensions, a dossier's consultations.

use crate::codec::{instant, parse_bouquet, parse_instant};
use crate::error::{ligne_de_la_caisse, DbResult};
use crate::{stored_trace, SqliteStore, TraceRow, TRACE_COLUMNS};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::{CaisseCode, Matricule};
use partage_store::statistiques::statistics_sql;
use partage_store::supervision::{
    ligne_statistique, suspension, Acte, Cible, ConsultationDossier, LeveeRefusee, LigneStatistique,
    NewSuspension, StatistiqueRow, Supervision, Suspendu, SuspensionRecord, SuspensionRefusee, TraceFilter,
};
use partage_store::{CaisseId, StoreError, StoredTrace, UserId};
use sqlx::{QueryBuilder, Sqlite};

/// The request for one page of traces: `SELECT … WHERE caisse = ? AND … AND id > ? ORDER BY id LIMIT ?`.
/// Every filter is an equality or a range the indexes of migration 0060 serve.
/// `select` is `SELECT`, or `EXPLAIN QUERY PLAN SELECT` to see which index answers.
fn trace_query<'a>(
    select: &str,
    filter: &'a TraceFilter,
    after: i64,
    limit: u32,
) -> QueryBuilder<'a, Sqlite> {
    let mut q = QueryBuilder::<Sqlite>::new(format!("{select} {TRACE_COLUMNS} FROM traces WHERE caisse = "));
    q.push_bind(filter.caisse.as_str());
    if let Some(u) = &filter.utilisateur {
        q.push(" AND utilisateur = ").push_bind(u.as_str());
    }
    if let Some(p) = &filter.partenaire {
        q.push(" AND partenaire = ").push_bind(p.as_str());
    }
    if let Some(d) = &filter.dossier {
        match (&d.matricule, &d.nir_hache) {
            (Some(m), Some(h)) => {
                q.push(" AND (matricule = ")
                    .push_bind(m.as_str())
                    .push(" OR nir_hache = ")
                    .push_bind(h.as_str())
                    .push(")");
            }
            (Some(m), None) => {
                q.push(" AND matricule = ").push_bind(m.as_str());
            }
            (None, Some(h)) => {
                q.push(" AND nir_hache = ").push_bind(h.as_str());
            }
            // A dossier named by nothing matches nothing.
            (None, None) => {
                q.push(" AND 0");
            }
        }
    }
    if let Some(b) = filter.bouquet {
        q.push(" AND bouquet = ").push_bind(b.code());
    }
    if let Some(r) = filter.resultat {
        q.push(" AND resultat = ").push_bind(r.code());
    }
    if let Some(a) = filter.action {
        q.push(" AND action = ").push_bind(a.code());
    }
    if let Some(du) = filter.du {
        q.push(" AND horodatage >= ").push_bind(instant(du));
    }
    if let Some(avant) = filter.avant {
        q.push(" AND horodatage < ").push_bind(instant(avant));
    }
    q.push(" AND id > ")
        .push_bind(after)
        .push(" ORDER BY id LIMIT ")
        .push_bind(i64::from(limit));
    q
}

type Row = (
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

const SUSPENSION_COLUMNS: &str =
    "id, type_cible, cible, jusqu_au, motif, par, le, levee_le, levee_par, levee_motif";

fn record(row: Row) -> Result<SuspensionRecord, StoreError> {
    let (id, type_cible, cible, jusqu_au, motif, par, le, levee_le, levee_par, levee_motif) = row;
    let at = |column: &str, text: Option<String>| -> Result<Option<DateTime<Utc>>, StoreError> {
        text.map(|t| parse_instant(column, &t)).transpose()
    };
    suspension((
        id,
        type_cible,
        cible,
        at("suspensions.jusqu_au", jusqu_au)?,
        motif,
        par,
        parse_instant("suspensions.le", &le)?,
        at("suspensions.levee_le", levee_le)?,
        levee_par,
        levee_motif,
    ))
}

#[async_trait]
impl Supervision for SqliteStore {
    async fn search_traces(
        &self,
        filter: &TraceFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredTrace>, StoreError> {
        let rows: Vec<TraceRow> = trace_query("SELECT", filter, after, limit)
            .build_query_as()
            .fetch_all(&self.readers)
            .await
            .db()?;
        rows.into_iter().map(stored_trace).collect()
    }

    async fn suspend(&self, s: &NewSuspension) -> Result<Result<Suspendu, SuspensionRefusee>, StoreError> {
        let mut tx = self.begin_write().await?;
        let (user, partner): (Option<i64>, Option<i64>) = match &s.cible {
            Cible::Utilisateur(i) => {
                let id: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM utilisateurs WHERE caisse_id = ? AND identifiant = ?")
                        .bind(s.caisse.0)
                        .bind(i.as_str())
                        .fetch_optional(&mut *tx)
                        .await
                        .db()?;
                (id.map(|(id,)| id), None)
            }
            Cible::Partenaire(t) => {
                let id: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM partenaires WHERE caisse_id = ? AND numero_tiers = ?")
                        .bind(s.caisse.0)
                        .bind(t.as_str())
                        .fetch_optional(&mut *tx)
                        .await
                        .db()?;
                (None, id.map(|(id,)| id))
            }
        };
        if user.is_none() && partner.is_none() {
            return Ok(Err(SuspensionRefusee::CibleInconnue));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO suspensions (caisse_id, type_cible, cible, utilisateur_id, partenaire_id, jusqu_au,
                                      motif, par, le)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(s.caisse.0)
        .bind(s.cible.type_code())
        .bind(s.cible.valeur())
        .bind(user)
        .bind(partner)
        .bind(s.jusqu_au.map(instant))
        .bind(&s.acte.motif)
        .bind(&s.acte.par)
        .bind(instant(s.acte.le))
        .fetch_one(&mut *tx)
        .await
        .db()?;
        // SU-2: effective at once, in the same transaction: no session of the suspended survives it.
        let ended = sqlx::query(
            "DELETE FROM sessions WHERE utilisateur_id IN
                (SELECT id FROM utilisateurs WHERE id = ? OR partenaire_id = ?)",
        )
        .bind(user)
        .bind(partner)
        .execute(&mut *tx)
        .await
        .db()?
        .rows_affected();
        tx.commit().await.db()?;
        Ok(Ok(Suspendu {
            id,
            sessions_terminees: ended,
        }))
    }

    async fn lift_suspension(
        &self,
        caisse: CaisseId,
        id: i64,
        levee: &Acte,
    ) -> Result<Result<SuspensionRecord, LeveeRefusee>, StoreError> {
        // One statement: two staff lifting at once cannot both succeed.
        let lifted: Option<Row> = sqlx::query_as(&format!(
            "UPDATE suspensions SET levee_le = ?, levee_par = ?, levee_motif = ?
             WHERE caisse_id = ? AND id = ? AND levee_le IS NULL RETURNING {SUSPENSION_COLUMNS}"
        ))
        .bind(instant(levee.le))
        .bind(&levee.par)
        .bind(&levee.motif)
        .bind(caisse.0)
        .bind(id)
        .fetch_optional(&self.writer)
        .await
        .db()?;
        if let Some(row) = lifted {
            return record(row).map(Ok);
        }
        Ok(Err(
            if ligne_de_la_caisse(&self.writer, "suspensions", caisse, id).await? {
                LeveeRefusee::DejaLevee
            } else {
                LeveeRefusee::Inconnue
            },
        ))
    }

    async fn suspensions(&self, caisse: CaisseId) -> Result<Vec<SuspensionRecord>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {SUSPENSION_COLUMNS} FROM suspensions WHERE caisse_id = ? ORDER BY id DESC"
        ))
        .bind(caisse.0)
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter().map(record).collect()
    }

    async fn suspension_en_cours(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<SuspensionRecord>, StoreError> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {SUSPENSION_COLUMNS} FROM suspensions
             WHERE levee_le IS NULL AND (jusqu_au IS NULL OR jusqu_au > ?)
               AND (utilisateur_id = ? OR partenaire_id = (SELECT partenaire_id FROM utilisateurs WHERE id = ?))
             ORDER BY id DESC LIMIT 1"
        ))
        .bind(instant(now))
        .bind(user.0)
        .bind(user.0)
        .fetch_optional(&self.readers)
        .await
        .db()?;
        row.map(record).transpose()
    }

    async fn statistics(
        &self,
        caisse: &CaisseCode,
        du: DateTime<Utc>,
        avant: DateTime<Utc>,
    ) -> Result<Vec<LigneStatistique>, StoreError> {
        let rows: Vec<StatistiqueRow> =
            sqlx::query_as(&statistics_sql(&crate::statistiques::DIALECTE, "?", "?", "?"))
                .bind(caisse.as_str())
                .bind(instant(du))
                .bind(instant(avant))
                .fetch_all(&self.readers)
                .await
                .db()?;
        rows.into_iter().map(ligne_statistique).collect()
    }

    async fn consultations_of_dossier(
        &self,
        caisse: &CaisseCode,
        matricule: &Matricule,
    ) -> Result<Vec<ConsultationDossier>, StoreError> {
        let rows: Vec<(String, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT t.horodatage, t.partenaire, p.nom, t.bouquet
             FROM traces t
             LEFT JOIN caisses c ON c.code = t.caisse
             LEFT JOIN partenaires p ON p.caisse_id = c.id AND p.numero_tiers = t.partenaire
             WHERE t.caisse = ? AND t.matricule = ? AND t.action = 'consultation' AND t.resultat = 'succes'
             ORDER BY t.id",
        )
        .bind(caisse.as_str())
        .bind(matricule.as_str())
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter()
            .map(|(horodatage, partenaire, nom, bouquet)| {
                Ok(ConsultationDossier {
                    horodatage: parse_instant("traces.horodatage", &horodatage)?,
                    partenaire: partenaire.unwrap_or_default(),
                    partenaire_nom: nom,
                    bouquet: bouquet.map(|b| parse_bouquet("traces.bouquet", &b)).transpose()?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use partage_domain::trace::{Action, Resultat, Trace};
    use partage_domain::{Bouquet, NumeroTiers};
    use partage_store::supervision::DossierFilter;
    use partage_store::{JournalBatch, Store};

    /// TR-3: over a big log, a request by user, by partner or by dossier reads an index in trace-id order
    /// (no scan of the table, no sort), whatever else it filters on.
    #[tokio::test]
    async fn tr_3_trace_requests_by_user_partner_or_dossier_use_an_index_in_id_order() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("partage.db").display());
        let store = SqliteStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let start: DateTime<Utc> = "2026-10-01T00:00:00Z".parse().unwrap();
        let traces: Vec<Trace> = (0..20_000i64)
            .map(|n| Trace {
                horodatage: start + chrono::Duration::seconds(n),
                caisse: Some(["MSA-ADL", "CAF-59"][(n % 2) as usize].into()),
                utilisateur: Some(format!("agent{}", n % 500)),
                partenaire: Some(format!("T{}", n % 40)),
                source: "192.0.2.1".into(),
                action: Action::Consultation,
                bouquet: Some(Bouquet::Qf),
                rubriques: None,
                matricule: (n % 3 != 0).then(|| format!("{:07}", n % 5_000)),
                nir_hache: (n % 3 == 0).then(|| format!("{n:064x}")),
                resultat: Resultat::Succes,
            })
            .collect();
        store
            .journal(&JournalBatch {
                traces,
                session_touches: vec![],
            })
            .await
            .unwrap();
        sqlx::query("ANALYZE").execute(&store.writer).await.unwrap();

        let base = TraceFilter {
            du: Some(start),
            avant: Some(start + chrono::Duration::days(1)),
            ..TraceFilter::caisse(CaisseCode::parse("MSA-ADL").unwrap())
        };
        let cases = [
            (
                TraceFilter {
                    utilisateur: Some("agent42".into()),
                    ..base.clone()
                },
                "traces_utilisateur_id",
            ),
            (
                TraceFilter {
                    partenaire: Some(NumeroTiers::parse("T7").unwrap()),
                    ..base.clone()
                },
                "traces_partenaire_id",
            ),
            (
                TraceFilter {
                    dossier: Some(DossierFilter {
                        matricule: Some("0000042".into()),
                        nir_hache: None,
                    }),
                    ..base.clone()
                },
                "traces_matricule_id",
            ),
            (
                TraceFilter {
                    dossier: Some(DossierFilter {
                        matricule: None,
                        nir_hache: Some(format!("{:064x}", 42)),
                    }),
                    ..base.clone()
                },
                "traces_nir_hache_id",
            ),
        ];
        for (filter, index) in cases {
            let plan: Vec<(i64, i64, i64, String)> =
                trace_query("EXPLAIN QUERY PLAN SELECT", &filter, 0, 100)
                    .build_query_as()
                    .fetch_all(&store.readers)
                    .await
                    .unwrap();
            let plan: Vec<String> = plan.into_iter().map(|row| row.3).collect();
            assert!(
                plan.iter().any(|step| step.contains(index)),
                "{index} attendu : {plan:?}"
            );
            assert!(
                !plan
                    .iter()
                    .any(|step| step.starts_with("SCAN traces") || step.contains("TEMP B-TREE")),
                "ni parcours de la table ni tri : {plan:?}"
            );
        }
        // A dossier by NIR asks for its matricule or the NIR's hash: both indexes, no scan.
        let both = TraceFilter {
            dossier: Some(DossierFilter {
                matricule: Some("0000042".into()),
                nir_hache: Some(format!("{:064x}", 42)),
            }),
            ..base.clone()
        };
        let plan: Vec<(i64, i64, i64, String)> = trace_query("EXPLAIN QUERY PLAN SELECT", &both, 0, 100)
            .build_query_as()
            .fetch_all(&store.readers)
            .await
            .unwrap();
        let plan: Vec<String> = plan.into_iter().map(|row| row.3).collect();
        assert!(
            !plan.iter().any(|step| step.starts_with("SCAN traces")),
            "pas de parcours de la table : {plan:?}"
        );
        store.close().await;
    }
}
