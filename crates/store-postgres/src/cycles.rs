//! A convention's persisted lifecycle (see `partage_store::cycles`). Under READ COMMITTED, a second server's
//! `UPDATE … WHERE revision = $n` waits for the first one's row lock, then finds the revision moved and
//! changes nothing: a transition is applied once however many servers try.

use crate::codec::ConventionRow;
use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use partage_domain::gestion::{Acces, Document};
use partage_domain::NumeroConvention;
use partage_store::codec::parse_json;
use partage_store::cycles::{
    convention_cycle, sessions_apres_fin_sql, ConventionCycle, ConventionCycles, ConventionId,
    CreationRefusee, NouvelleConvention, SessionsApresFin, TransitionRecord,
};
use partage_store::{CaisseId, StoreError};

pub(crate) type Row = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    Vec<String>,
    NaiveDate,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<String>,
    Option<i64>,
);

pub(crate) const SELECT: &str =
    "SELECT c.id, ca.id, ca.code, ca.regime, p.numero_tiers, c.numero, c.bouquets, c.signee_le,
        c.formalite_cnil_le, c.fin_le, cy.cycle::text, cy.revision
    FROM conventions c
    JOIN caisses ca ON ca.id = c.caisse_id
    JOIN partenaires p ON p.id = c.partenaire_id
    LEFT JOIN convention_cycles cy ON cy.convention_id = c.id";

pub(crate) fn read(row: Row) -> Result<ConventionCycle, StoreError> {
    let (
        id,
        caisse_id,
        code,
        regime,
        tiers,
        numero,
        bouquets,
        signee_le,
        formalite_cnil_le,
        fin_le,
        cycle,
        revision,
    ) = row;
    let convention = ConventionRow {
        numero,
        bouquets,
        signee_le,
        formalite_cnil_le,
        fin_le,
    }
    .into_convention()?;
    convention_cycle(
        id,
        caisse_id,
        &code,
        &regime,
        &tiers,
        convention,
        cycle.as_deref(),
        revision,
    )
}

#[async_trait]
impl ConventionCycles for PostgresStore {
    async fn create_convention(
        &self,
        caisse: CaisseId,
        n: &NouvelleConvention,
        t: &TransitionRecord,
    ) -> Result<Result<ConventionId, CreationRefusee>, StoreError> {
        let cycle = serde_json::to_string(&t.cycle).map_err(|e| StoreError::Backend(e.to_string()))?;
        let plafond = n
            .plafond_habilitations
            .map(i32::try_from)
            .transpose()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let mut tx = self.pool.begin().await.db()?;
        let partenaire: Option<i64> =
            sqlx::query_scalar("SELECT id FROM partenaires WHERE caisse_id = $1 AND numero_tiers = $2")
                .bind(caisse.0)
                .bind(n.partenaire.as_str())
                .fetch_optional(&mut *tx)
                .await
                .db()?;
        let Some(partenaire) = partenaire else {
            tx.rollback().await.db()?;
            return Ok(Err(CreationRefusee::PartenaireInconnu));
        };
        let bouquets: Vec<&str> = n.bouquets.iter().map(|b| b.code()).collect();
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO conventions (caisse_id, numero, partenaire_id, bouquets, signee_le, formalite_cnil_le,
                 fin_le, plafond_habilitations, gestion)
             VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, $7)
             ON CONFLICT (caisse_id, numero) DO NOTHING RETURNING id",
        )
        .bind(caisse.0)
        .bind(n.numero.as_str())
        .bind(partenaire)
        .bind(bouquets)
        .bind(n.creee_le)
        .bind(plafond)
        .bind(n.gestion.map(|g| g.code()))
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        let Some(id) = id else {
            tx.rollback().await.db()?;
            return Ok(Err(CreationRefusee::NumeroPris));
        };
        sqlx::query(
            "INSERT INTO convention_cycles (convention_id, cycle, revision, prochaine_echeance)
             VALUES ($1, $2::jsonb, 1, NULL)",
        )
        .bind(id)
        .bind(&cycle)
        .execute(&mut *tx)
        .await
        .db()?;
        sqlx::query(
            "INSERT INTO convention_transitions (convention_id, revision, acte, cycle, par, horodatage, date_effet,
                 document_reference, document_recu_le)
             VALUES ($1, 1, $2, $3::jsonb, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(&t.acte)
        .bind(&cycle)
        .bind(t.par.as_deref())
        .bind(t.horodatage)
        .bind(t.date_effet)
        .bind(t.document.as_ref().map(|d| d.reference.as_str()))
        .bind(t.document.as_ref().map(|d| d.recu_le))
        .execute(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(Ok(ConventionId(id)))
    }

    async fn convention_cycle(
        &self,
        caisse: CaisseId,
        numero: &NumeroConvention,
    ) -> Result<Option<ConventionCycle>, StoreError> {
        let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE c.caisse_id = $1 AND c.numero = $2"))
            .bind(caisse.0)
            .bind(numero.as_str())
            .fetch_optional(&self.pool)
            .await
            .db()?;
        row.map(read).transpose()
    }

    async fn cycles_dus(&self, jour: NaiveDate) -> Result<Vec<ConventionCycle>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE cy.prochaine_echeance IS NOT NULL AND cy.prochaine_echeance <= $1 ORDER BY c.id"
        ))
        .bind(jour)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter().map(read).collect()
    }

    async fn record_transition(
        &self,
        convention: ConventionId,
        revision: i64,
        acces: &Acces,
        prochaine_echeance: Option<NaiveDate>,
        t: &TransitionRecord,
    ) -> Result<bool, StoreError> {
        let cycle = serde_json::to_string(&t.cycle).map_err(|e| StoreError::Backend(e.to_string()))?;
        let mut tx = self.pool.begin().await.db()?;
        let moved = if revision == 0 {
            sqlx::query(
                "INSERT INTO convention_cycles (convention_id, cycle, revision, prochaine_echeance)
                 VALUES ($1, $2::jsonb, 1, $3) ON CONFLICT (convention_id) DO NOTHING",
            )
            .bind(convention.0)
            .bind(&cycle)
            .bind(prochaine_echeance)
            .execute(&mut *tx)
            .await
            .db()?
        } else {
            sqlx::query(
                "UPDATE convention_cycles SET cycle = $1::jsonb, revision = revision + 1, prochaine_echeance = $2
                 WHERE convention_id = $3 AND revision = $4",
            )
            .bind(&cycle)
            .bind(prochaine_echeance)
            .bind(convention.0)
            .bind(revision)
            .execute(&mut *tx)
            .await
            .db()?
        };
        if moved.rows_affected() != 1 {
            tx.rollback().await.db()?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO convention_transitions (convention_id, revision, acte, cycle, par, horodatage, date_effet,
                 document_reference, document_recu_le)
             VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9)",
        )
        .bind(convention.0)
        .bind(revision + 1)
        .bind(&t.acte)
        .bind(&cycle)
        .bind(t.par.as_deref())
        .bind(t.horodatage)
        .bind(t.date_effet)
        .bind(t.document.as_ref().map(|d| d.reference.as_str()))
        .bind(t.document.as_ref().map(|d| d.recu_le))
        .execute(&mut *tx)
        .await
        .db()?;
        sqlx::query(
            "UPDATE conventions SET signee_le = $1, formalite_cnil_le = $2, fin_le = $3 WHERE id = $4",
        )
        .bind(acces.signee_le)
        .bind(acces.formalite_cnil_le)
        .bind(acces.fin_le)
        .bind(convention.0)
        .execute(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(true)
    }

    async fn transitions(&self, convention: ConventionId) -> Result<Vec<TransitionRecord>, StoreError> {
        type T = (
            String,
            String,
            Option<String>,
            DateTime<Utc>,
            NaiveDate,
            Option<String>,
            Option<NaiveDate>,
        );
        let rows: Vec<T> = sqlx::query_as(
            "SELECT acte, cycle::text, par, horodatage, date_effet, document_reference, document_recu_le
             FROM convention_transitions WHERE convention_id = $1 ORDER BY revision",
        )
        .bind(convention.0)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter()
            .map(|(acte, cycle, par, horodatage, date_effet, reference, recu_le)| {
                Ok(TransitionRecord {
                    acte,
                    cycle: parse_json("convention_transitions.cycle", &cycle)?,
                    par,
                    horodatage,
                    date_effet,
                    document: reference
                        .zip(recu_le)
                        .map(|(reference, recu_le)| Document { reference, recu_le }),
                })
            })
            .collect()
    }

    async fn sessions_apres_fin(&self, jour: NaiveDate) -> Result<Vec<SessionsApresFin>, StoreError> {
        let sql = sessions_apres_fin_sql("$1", |d| format!("({d}::timestamp AT TIME ZONE 'UTC')"));
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as(&sql).bind(jour).fetch_all(&self.pool).await.db()?;
        Ok(rows.into_iter().map(sessions_apres_fin).collect())
    }
}

fn sessions_apres_fin(
    (id, caisse, identifiant, partenaire): (i64, String, String, String),
) -> SessionsApresFin {
    SessionsApresFin {
        user: partage_store::UserId(id),
        caisse,
        identifiant,
        partenaire,
    }
}
