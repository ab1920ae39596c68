//! Supervision (see `partage_store::supervision`): trace requests, suspensions, a dossier's consultations.

use crate::codec::parse_bouquet;
use crate::error::{ligne_de_la_caisse, DbResult};
use crate::{PostgresStore, TraceRow, TRACE_COLUMNS};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::{CaisseCode, Matricule};
use partage_store::statistiques::statistics_sql;
use partage_store::supervision::{
    ligne_statistique, suspension, Acte, Cible, ConsultationDossier, LeveeRefusee, LigneStatistique,
    NewSuspension, StatistiqueRow, Supervision, Suspendu, SuspensionRecord, SuspensionRefusee, SuspensionRow,
    TraceFilter,
};
use partage_store::{CaisseId, StoreError, StoredTrace, UserId};
use sqlx::{Postgres, QueryBuilder};

const SUSPENSION_COLUMNS: &str =
    "id, type_cible, cible, jusqu_au, motif, par, le, levee_le, levee_par, levee_motif";

/// One page of traces: `… WHERE caisse = $1 AND … AND id > $n ORDER BY id LIMIT $m`, each filter an equality
/// or a range that the indexes of migration 0060 serve. `select` is `SELECT`, or `EXPLAIN SELECT`.
fn trace_query<'a>(
    select: &str,
    filter: &'a TraceFilter,
    after: i64,
    limit: u32,
) -> QueryBuilder<'a, Postgres> {
    let mut q =
        QueryBuilder::<Postgres>::new(format!("{select} {TRACE_COLUMNS} FROM traces WHERE caisse = "));
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
            (None, None) => {
                q.push(" AND false");
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
        q.push(" AND horodatage >= ").push_bind(du);
    }
    if let Some(avant) = filter.avant {
        q.push(" AND horodatage < ").push_bind(avant);
    }
    q.push(" AND id > ")
        .push_bind(after)
        .push(" ORDER BY id LIMIT ")
        .push_bind(i64::from(limit));
    q
}

#[async_trait]
impl Supervision for PostgresStore {
    async fn search_traces(
        &self,
        filter: &TraceFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredTrace>, StoreError> {
        let rows: Vec<TraceRow> = trace_query("SELECT", filter, after, limit)
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .db()?;
        rows.into_iter().map(TraceRow::into_stored).collect()
    }

    async fn suspend(&self, s: &NewSuspension) -> Result<Result<Suspendu, SuspensionRefusee>, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let (user, partner): (Option<i64>, Option<i64>) = match &s.cible {
            Cible::Utilisateur(i) => {
                let id: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM utilisateurs WHERE caisse_id = $1 AND identifiant = $2")
                        .bind(s.caisse.0)
                        .bind(i.as_str())
                        .fetch_optional(&mut *tx)
                        .await
                        .db()?;
                (id.map(|(id,)| id), None)
            }
            Cible::Partenaire(t) => {
                let id: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM partenaires WHERE caisse_id = $1 AND numero_tiers = $2")
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(s.caisse.0)
        .bind(s.cible.type_code())
        .bind(s.cible.valeur())
        .bind(user)
        .bind(partner)
        .bind(s.jusqu_au)
        .bind(&s.acte.motif)
        .bind(&s.acte.par)
        .bind(s.acte.le)
        .fetch_one(&mut *tx)
        .await
        .db()?;
        // SU-2: effective at once, in the same transaction: no session of the suspended survives it. Locking
        // the users first makes a login creating a session meanwhile (its foreign key takes a share lock on
        // the user) either finish before the delete, which then sees its session, or wait for the commit
        // and then see the suspension when it checks again.
        sqlx::query("SELECT id FROM utilisateurs WHERE id = $1 OR partenaire_id = $2 FOR UPDATE")
            .bind(user)
            .bind(partner)
            .execute(&mut *tx)
            .await
            .db()?;
        let ended = sqlx::query(
            "DELETE FROM sessions WHERE utilisateur_id IN
                (SELECT id FROM utilisateurs WHERE id = $1 OR partenaire_id = $2)",
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
        let lifted: Option<SuspensionRow> = sqlx::query_as(&format!(
            "UPDATE suspensions SET levee_le = $1, levee_par = $2, levee_motif = $3
             WHERE caisse_id = $4 AND id = $5 AND levee_le IS NULL RETURNING {SUSPENSION_COLUMNS}"
        ))
        .bind(levee.le)
        .bind(&levee.par)
        .bind(&levee.motif)
        .bind(caisse.0)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        if let Some(row) = lifted {
            return suspension(row).map(Ok);
        }
        Ok(Err(
            if ligne_de_la_caisse(&self.pool, "suspensions", caisse, id).await? {
                LeveeRefusee::DejaLevee
            } else {
                LeveeRefusee::Inconnue
            },
        ))
    }

    async fn suspensions(&self, caisse: CaisseId) -> Result<Vec<SuspensionRecord>, StoreError> {
        let rows: Vec<SuspensionRow> = sqlx::query_as(&format!(
            "SELECT {SUSPENSION_COLUMNS} FROM suspensions WHERE caisse_id = $1 ORDER BY id DESC"
        ))
        .bind(caisse.0)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter().map(suspension).collect()
    }

    async fn suspension_en_cours(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<SuspensionRecord>, StoreError> {
        let row: Option<SuspensionRow> = sqlx::query_as(&format!(
            "SELECT {SUSPENSION_COLUMNS} FROM suspensions
             WHERE levee_le IS NULL AND (jusqu_au IS NULL OR jusqu_au > $1)
               AND (utilisateur_id = $2 OR partenaire_id = (SELECT partenaire_id FROM utilisateurs WHERE id = $2))
             ORDER BY id DESC LIMIT 1"
        ))
        .bind(now)
        .bind(user.0)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(suspension).transpose()
    }

    async fn statistics(
        &self,
        caisse: &CaisseCode,
        du: DateTime<Utc>,
        avant: DateTime<Utc>,
    ) -> Result<Vec<LigneStatistique>, StoreError> {
        let rows: Vec<StatistiqueRow> =
            sqlx::query_as(&statistics_sql(&crate::statistiques::DIALECTE, "$1", "$2", "$3"))
                .bind(caisse.as_str())
                .bind(du)
                .bind(avant)
                .fetch_all(&self.pool)
                .await
                .db()?;
        rows.into_iter().map(ligne_statistique).collect()
    }

    async fn consultations_of_dossier(
        &self,
        caisse: &CaisseCode,
        matricule: &Matricule,
    ) -> Result<Vec<ConsultationDossier>, StoreError> {
        let rows: Vec<(DateTime<Utc>, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT t.horodatage, t.partenaire, p.nom, t.bouquet
             FROM traces t
             LEFT JOIN caisses c ON c.code = t.caisse
             LEFT JOIN partenaires p ON p.caisse_id = c.id AND p.numero_tiers = t.partenaire
             WHERE t.caisse = $1 AND t.matricule = $2 AND t.action = 'consultation' AND t.resultat = 'succes'
             ORDER BY t.id",
        )
        .bind(caisse.as_str())
        .bind(matricule.as_str())
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter()
            .map(|(horodatage, partenaire, nom, bouquet)| {
                Ok(ConsultationDossier {
                    horodatage,
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
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;
    use crate::testing::TestSchema;
    use partage_domain::trace::{Action, Resultat, Trace};
    use partage_domain::{Bouquet, NumeroTiers};
    use partage_store::supervision::DossierFilter;
    use partage_store::{JournalBatch, Store};

    /// TR-3 on PostgreSQL: over a log of 200,000 traces, a request by user, by partner or by dossier is an
    /// index scan of its own index, never a scan of the table.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tr_3_trace_requests_by_user_partner_or_dossier_use_their_index() {
        let schema = TestSchema::create().await.unwrap_or_else(|e| panic!("{e}"));
        let store = schema.store();
        let start: DateTime<Utc> = "2026-10-01T00:00:00Z".parse().unwrap();
        for chunk in 0..20i64 {
            let traces: Vec<Trace> = (chunk * 10_000..(chunk + 1) * 10_000)
                .map(|n| Trace {
                    horodatage: start + chrono::Duration::seconds(n),
                    caisse: Some(["MSA-ADL", "CAF-59"][(n % 2) as usize].into()),
                    utilisateur: Some(format!("agent{}", n % 2_000)),
                    partenaire: Some(format!("T{}", n % 400)),
                    source: "192.0.2.1".into(),
                    action: Action::Consultation,
                    bouquet: Some(Bouquet::Qf),
                    rubriques: None,
                    matricule: (n % 3 != 0).then(|| format!("{:07}", n % 50_000)),
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
        }
        sqlx::query("ANALYZE traces").execute(&store.pool).await.unwrap();
        let base = TraceFilter::caisse(partage_domain::CaisseCode::parse("MSA-ADL").unwrap());
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
                    partenaire: Some(NumeroTiers::parse("T8").unwrap()),
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
                        matricule: Some("0000044".into()),
                        nir_hache: Some(format!("{:064x}", 42)),
                    }),
                    ..base.clone()
                },
                "traces_nir_hache_id",
            ),
        ];
        for (filter, index) in cases {
            let plan: Vec<(String,)> = trace_query("EXPLAIN SELECT", &filter, 0, 100)
                .build_query_as()
                .fetch_all(&store.pool)
                .await
                .unwrap();
            let plan: Vec<String> = plan.into_iter().map(|(line,)| line).collect();
            assert!(
                plan.iter().any(|l| l.contains(index)),
                "{index} attendu : {plan:#?}"
            );
            assert!(
                !plan.iter().any(|l| l.contains("Seq Scan")),
                "parcours de la table : {plan:#?}"
            );
        }
        schema.drop_schema().await.unwrap();
    }
}
