//! The caisses' opening windows (see `partage_store::plages`).

use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::plage::Plage;
use partage_domain::Bouquet;
use partage_store::plages::{decode, minutes, trier, PlageCaisse, Plages};
use partage_store::{CaisseId, StoreError};

#[async_trait]
impl Plages for PostgresStore {
    async fn plages_caisse(&self, caisse: CaisseId) -> Result<Vec<PlageCaisse>, StoreError> {
        let rows: Vec<(String, i32, i32, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT bouquet, ouverture, fermeture, par, le FROM plages_caisse WHERE caisse_id = $1",
        )
        .bind(caisse.0)
        .fetch_all(&self.pool)
        .await
        .db()?;
        let mut plages = rows
            .into_iter()
            .map(|(b, o, f, par, le)| {
                let (bouquet, plage) = decode(&b, o.into(), f.into())?;
                Ok(PlageCaisse {
                    bouquet,
                    plage,
                    par,
                    le,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        trier(&mut plages);
        Ok(plages)
    }

    async fn plage_caisse(&self, caisse: CaisseId, bouquet: Bouquet) -> Result<Option<Plage>, StoreError> {
        let row: Option<(i32, i32)> = sqlx::query_as(
            "SELECT ouverture, fermeture FROM plages_caisse WHERE caisse_id = $1 AND bouquet = $2",
        )
        .bind(caisse.0)
        .bind(bouquet.code())
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(|(o, f)| decode(bouquet.code(), o.into(), f.into()).map(|(_, p)| p))
            .transpose()
    }

    async fn definir_plage(&self, caisse: CaisseId, p: &PlageCaisse) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO plages_caisse (caisse_id, bouquet, ouverture, fermeture, par, le)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (caisse_id, bouquet) DO UPDATE SET ouverture = excluded.ouverture,
                 fermeture = excluded.fermeture, par = excluded.par, le = excluded.le",
        )
        .bind(caisse.0)
        .bind(p.bouquet.code())
        .bind(minutes(p.plage.ouverture()))
        .bind(minutes(p.plage.fermeture()))
        .bind(&p.par)
        .bind(p.le)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn retirer_plage(&self, caisse: CaisseId, bouquet: Bouquet) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM plages_caisse WHERE caisse_id = $1 AND bouquet = $2")
            .bind(caisse.0)
            .bind(bouquet.code())
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected() == 1)
    }
}
