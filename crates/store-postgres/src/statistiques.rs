//! TR-4's daily statistics (see `partage_store::statistiques`).

use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, Days, NaiveDate, Utc};
use partage_domain::CaisseCode;
use partage_store::statistiques::{
    construire_sql, debut_du_jour, jours_manquants, statistiques_construites_sql, Dialecte,
    StatistiquesQuotidiennes,
};
use partage_store::supervision::{ligne_statistique, LigneStatistique, StatistiqueRow};
use partage_store::StoreError;

/// A convention's bouquets are an array of codes.
pub(crate) const DIALECTE: Dialecte = Dialecte {
    porte_le_bouquet: "g.bouquet = ANY (cv.bouquets)",
    jour: "(t.horodatage AT TIME ZONE 'UTC')::date",
};

#[async_trait]
impl StatistiquesQuotidiennes for PostgresStore {
    async fn construire_jour(&self, jour: NaiveDate, le: DateTime<Utc>) -> Result<bool, StoreError> {
        let lendemain = jour
            .checked_add_days(Days::new(1))
            .ok_or_else(|| StoreError::Backend(format!("jour hors calendrier : {jour}")))?;
        let mut tx = self.pool.begin().await.db()?;
        // A second server building the same day waits here for this transaction, then inserts nothing.
        let marque = sqlx::query(
            "INSERT INTO statistiques_jours (jour, construit_le) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(jour)
        .bind(le)
        .execute(&mut *tx)
        .await
        .db()?;
        if marque.rows_affected() == 0 {
            tx.rollback().await.db()?;
            return Ok(false);
        }
        sqlx::query(&construire_sql(&DIALECTE, "$1", "$2", "$3"))
            .bind(jour)
            .bind(debut_du_jour(jour))
            .bind(debut_du_jour(lendemain))
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        Ok(true)
    }

    async fn jours_a_construire(&self, jusqu_au: NaiveDate) -> Result<Vec<NaiveDate>, StoreError> {
        let (premiere,): (Option<DateTime<Utc>>,) = sqlx::query_as("SELECT MIN(horodatage) FROM traces")
            .fetch_one(&self.pool)
            .await
            .db()?;
        let Some(premiere) = premiere else {
            return Ok(Vec::new());
        };
        let premier = premiere.date_naive();
        let construits: Vec<(NaiveDate,)> =
            sqlx::query_as("SELECT jour FROM statistiques_jours WHERE jour >= $1 AND jour <= $2")
                .bind(premier)
                .bind(jusqu_au)
                .fetch_all(&self.pool)
                .await
                .db()?;
        let construits: Vec<NaiveDate> = construits.into_iter().map(|(j,)| j).collect();
        Ok(jours_manquants(Some(premier), jusqu_au, &construits))
    }

    async fn jours_construits(&self, du: NaiveDate, avant: NaiveDate) -> Result<Vec<NaiveDate>, StoreError> {
        let rows: Vec<(NaiveDate,)> = sqlx::query_as(
            "SELECT jour FROM statistiques_jours WHERE jour >= $1 AND jour < $2 ORDER BY jour",
        )
        .bind(du)
        .bind(avant)
        .fetch_all(&self.pool)
        .await
        .db()?;
        Ok(rows.into_iter().map(|(j,)| j).collect())
    }

    async fn statistiques_construites(
        &self,
        caisse: &CaisseCode,
        du: NaiveDate,
        avant: NaiveDate,
    ) -> Result<Vec<LigneStatistique>, StoreError> {
        let rows: Vec<StatistiqueRow> = sqlx::query_as(&statistiques_construites_sql("$1", "$2", "$3"))
            .bind(caisse.as_str())
            .bind(du)
            .bind(avant)
            .fetch_all(&self.pool)
            .await
            .db()?;
        rows.into_iter().map(ligne_statistique).collect()
    }
}
