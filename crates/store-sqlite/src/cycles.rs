//! A convention's persisted lifecycle (see `partage_store::cycles`).

use crate::codec::{date, instant, json_list, parse_date, parse_instant, parse_json, ConventionRow};
use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::NaiveDate;
use partage_domain::gestion::{Acces, Document};
use partage_domain::NumeroConvention;
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
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

pub(crate) const SELECT: &str =
    "SELECT c.id, ca.id, ca.code, ca.regime, p.numero_tiers, c.numero, c.bouquets, c.signee_le,
        c.formalite_cnil_le, c.fin_le, cy.cycle, cy.revision
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
impl ConventionCycles for SqliteStore {
    async fn create_convention(
        &self,
        caisse: CaisseId,
        n: &NouvelleConvention,
        t: &TransitionRecord,
    ) -> Result<Result<ConventionId, CreationRefusee>, StoreError> {
        let cycle = serde_json::to_string(&t.cycle).map_err(|e| StoreError::Backend(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let partenaire: Option<i64> =
            sqlx::query_scalar("SELECT id FROM partenaires WHERE caisse_id = ? AND numero_tiers = ?")
                .bind(caisse.0)
                .bind(n.partenaire.as_str())
                .fetch_optional(&mut *tx)
                .await
                .db()?;
        let Some(partenaire) = partenaire else {
            tx.rollback().await.db()?;
            return Ok(Err(CreationRefusee::PartenaireInconnu));
        };
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO conventions (caisse_id, numero, partenaire_id, bouquets, signee_le, formalite_cnil_le,
                 fin_le, plafond_habilitations, gestion)
             VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?)
             ON CONFLICT (caisse_id, numero) DO NOTHING RETURNING id",
        )
        .bind(caisse.0)
        .bind(n.numero.as_str())
        .bind(partenaire)
        .bind(json_list(n.bouquets.iter().map(|b| b.code())))
        .bind(date(n.creee_le))
        .bind(n.plafond_habilitations.map(i64::from))
        .bind(n.gestion.map(|g| g.code()))
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        let Some(id) = id else {
            tx.rollback().await.db()?;
            return Ok(Err(CreationRefusee::NumeroPris));
        };
        sqlx::query(
            "INSERT INTO convention_cycles (convention_id, cycle, revision, prochaine_echeance) VALUES (?, ?, 1, NULL)",
        )
        .bind(id)
        .bind(&cycle)
        .execute(&mut *tx)
        .await
        .db()?;
        sqlx::query(
            "INSERT INTO convention_transitions (convention_id, revision, acte, cycle, par, horodatage, date_effet,
                 document_reference, document_recu_le)
             VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(&t.acte)
        .bind(&cycle)
        .bind(t.par.as_deref())
        .bind(instant(t.horodatage))
        .bind(date(t.date_effet))
        .bind(t.document.as_ref().map(|d| d.reference.as_str()))
        .bind(t.document.as_ref().map(|d| date(d.recu_le)))
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
        let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE c.caisse_id = ? AND c.numero = ?"))
            .bind(caisse.0)
            .bind(numero.as_str())
            .fetch_optional(&self.readers)
            .await
            .db()?;
        row.map(read).transpose()
    }

    async fn cycles_dus(&self, jour: NaiveDate) -> Result<Vec<ConventionCycle>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE cy.prochaine_echeance IS NOT NULL AND cy.prochaine_echeance <= ? ORDER BY c.id"
        ))
        .bind(date(jour))
        .fetch_all(&self.readers)
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
        let mut tx = self.begin_write().await?;
        let moved = if revision == 0 {
            sqlx::query(
                "INSERT INTO convention_cycles (convention_id, cycle, revision, prochaine_echeance)
                 VALUES (?, ?, 1, ?) ON CONFLICT (convention_id) DO NOTHING",
            )
            .bind(convention.0)
            .bind(&cycle)
            .bind(prochaine_echeance.map(date))
            .execute(&mut *tx)
            .await
            .db()?
        } else {
            sqlx::query(
                "UPDATE convention_cycles SET cycle = ?, revision = revision + 1, prochaine_echeance = ?
                 WHERE convention_id = ? AND revision = ?",
            )
            .bind(&cycle)
            .bind(prochaine_echeance.map(date))
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
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(convention.0)
        .bind(revision + 1)
        .bind(&t.acte)
        .bind(&cycle)
        .bind(t.par.as_deref())
        .bind(instant(t.horodatage))
        .bind(date(t.date_effet))
        .bind(t.document.as_ref().map(|d| d.reference.as_str()))
        .bind(t.document.as_ref().map(|d| date(d.recu_le)))
        .execute(&mut *tx)
        .await
        .db()?;
        sqlx::query("UPDATE conventions SET signee_le = ?, formalite_cnil_le = ?, fin_le = ? WHERE id = ?")
            .bind(date(acces.signee_le))
            .bind(acces.formalite_cnil_le.map(date))
            .bind(acces.fin_le.map(date))
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
            String,
            String,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<T> = sqlx::query_as(
            "SELECT acte, cycle, par, horodatage, date_effet, document_reference, document_recu_le
             FROM convention_transitions WHERE convention_id = ? ORDER BY revision",
        )
        .bind(convention.0)
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter()
            .map(|(acte, cycle, par, horodatage, date_effet, reference, recu_le)| {
                Ok(TransitionRecord {
                    acte,
                    cycle: parse_json("convention_transitions.cycle", &cycle)?,
                    par,
                    horodatage: parse_instant("convention_transitions.horodatage", &horodatage)?,
                    date_effet: parse_date("convention_transitions.date_effet", &date_effet)?,
                    document: match (reference, recu_le) {
                        (Some(reference), Some(recu)) => Some(Document {
                            reference,
                            recu_le: parse_date("convention_transitions.document_recu_le", &recu)?,
                        }),
                        _ => None,
                    },
                })
            })
            .collect()
    }

    async fn sessions_apres_fin(&self, jour: NaiveDate) -> Result<Vec<SessionsApresFin>, StoreError> {
        // Instants are fixed-width UTC text and dates `AAAA-MM-JJ`: an instant sorts before a date exactly
        // when it is before that day's midnight UTC.
        let sql = sessions_apres_fin_sql("?1", |d| d.to_owned());
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(&sql)
            .bind(date(jour))
            .fetch_all(&self.readers)
            .await
            .db()?;
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
