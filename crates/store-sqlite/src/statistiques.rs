//! TR-4's daily statistics (see `partage_store::statistiques`).

use crate::codec::{date, instant, parse_date, parse_instant};
use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Days, NaiveDate, Utc};
use partage_domain::CaisseCode;
use partage_store::statistiques::{
    construire_sql, debut_du_jour, jours_manquants, statistiques_construites_sql, Dialecte,
    StatistiquesQuotidiennes,
};
use partage_store::supervision::{ligne_statistique, LigneStatistique, StatistiqueRow};
use partage_store::StoreError;

/// A convention's bouquets are a JSON array of codes; an instant is RFC 3339 text in UTC, its first ten
/// characters its day.
pub(crate) const DIALECTE: Dialecte = Dialecte {
    porte_le_bouquet: "EXISTS (SELECT 1 FROM json_each(cv.bouquets) b WHERE b.value = g.bouquet)",
    jour: "substr(t.horodatage, 1, 10)",
};

#[async_trait]
impl StatistiquesQuotidiennes for SqliteStore {
    async fn construire_jour(&self, jour: NaiveDate, le: DateTime<Utc>) -> Result<bool, StoreError> {
        let lendemain = jour
            .checked_add_days(Days::new(1))
            .ok_or_else(|| StoreError::Backend(format!("jour hors calendrier : {jour}")))?;
        // The writer's transaction is IMMEDIATE: a second builder, in another process, waits for this one
        // and then finds the marker.
        let mut tx = self.begin_write().await?;
        let marque = sqlx::query(
            "INSERT INTO statistiques_jours (jour, construit_le) VALUES (?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(date(jour))
        .bind(instant(le))
        .execute(&mut *tx)
        .await
        .db()?;
        if marque.rows_affected() == 0 {
            tx.rollback().await.db()?;
            return Ok(false);
        }
        sqlx::query(&construire_sql(&DIALECTE, "?", "?", "?"))
            .bind(date(jour))
            .bind(instant(debut_du_jour(jour)))
            .bind(instant(debut_du_jour(lendemain)))
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        Ok(true)
    }

    async fn jours_a_construire(&self, jusqu_au: NaiveDate) -> Result<Vec<NaiveDate>, StoreError> {
        let (premiere,): (Option<String>,) = sqlx::query_as("SELECT MIN(horodatage) FROM traces")
            .fetch_one(&self.readers)
            .await
            .db()?;
        let Some(premiere) = premiere else {
            return Ok(Vec::new());
        };
        let premier = parse_instant("traces.horodatage", &premiere)?.date_naive();
        let construits: Vec<(String,)> =
            sqlx::query_as("SELECT jour FROM statistiques_jours WHERE jour >= ? AND jour <= ?")
                .bind(date(premier))
                .bind(date(jusqu_au))
                .fetch_all(&self.readers)
                .await
                .db()?;
        let construits = construits
            .iter()
            .map(|(j,)| parse_date("statistiques_jours.jour", j))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(jours_manquants(Some(premier), jusqu_au, &construits))
    }

    async fn jours_construits(&self, du: NaiveDate, avant: NaiveDate) -> Result<Vec<NaiveDate>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT jour FROM statistiques_jours WHERE jour >= ? AND jour < ? ORDER BY jour")
                .bind(date(du))
                .bind(date(avant))
                .fetch_all(&self.readers)
                .await
                .db()?;
        rows.iter()
            .map(|(j,)| parse_date("statistiques_jours.jour", j))
            .collect()
    }

    async fn statistiques_construites(
        &self,
        caisse: &CaisseCode,
        du: NaiveDate,
        avant: NaiveDate,
    ) -> Result<Vec<LigneStatistique>, StoreError> {
        let rows: Vec<StatistiqueRow> = sqlx::query_as(&statistiques_construites_sql("?", "?", "?"))
            .bind(caisse.as_str())
            .bind(date(du))
            .bind(date(avant))
            .fetch_all(&self.readers)
            .await
            .db()?;
        rows.into_iter().map(ligne_statistique).collect()
    }
}
