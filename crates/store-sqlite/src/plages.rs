//! The caisses' opening windows (see `partage_store::plages`).

use crate::codec::{instant, parse_instant};
use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use partage_domain::plage::Plage;
use partage_domain::Bouquet;
use partage_store::plages::{decode, minutes, trier, PlageCaisse, Plages};
use partage_store::{CaisseId, StoreError};

#[async_trait]
impl Plages for SqliteStore {
    async fn plages_caisse(&self, caisse: CaisseId) -> Result<Vec<PlageCaisse>, StoreError> {
        let rows: Vec<(String, i64, i64, String, String)> = sqlx::query_as(
            "SELECT bouquet, ouverture, fermeture, par, le FROM plages_caisse WHERE caisse_id = ?",
        )
        .bind(caisse.0)
        .fetch_all(&self.readers)
        .await
        .db()?;
        let mut plages = rows
            .into_iter()
            .map(|(b, o, f, par, le)| {
                let (bouquet, plage) = decode(&b, o, f)?;
                Ok(PlageCaisse {
                    bouquet,
                    plage,
                    par,
                    le: parse_instant("plages_caisse.le", &le)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        trier(&mut plages);
        Ok(plages)
    }

    async fn plage_caisse(&self, caisse: CaisseId, bouquet: Bouquet) -> Result<Option<Plage>, StoreError> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT ouverture, fermeture FROM plages_caisse WHERE caisse_id = ? AND bouquet = ?",
        )
        .bind(caisse.0)
        .bind(bouquet.code())
        .fetch_optional(&self.readers)
        .await
        .db()?;
        row.map(|(o, f)| decode(bouquet.code(), o, f).map(|(_, p)| p))
            .transpose()
    }

    async fn definir_plage(&self, caisse: CaisseId, p: &PlageCaisse) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO plages_caisse (caisse_id, bouquet, ouverture, fermeture, par, le)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (caisse_id, bouquet) DO UPDATE SET ouverture = excluded.ouverture,
                 fermeture = excluded.fermeture, par = excluded.par, le = excluded.le",
        )
        .bind(caisse.0)
        .bind(p.bouquet.code())
        .bind(minutes(p.plage.ouverture()))
        .bind(minutes(p.plage.fermeture()))
        .bind(&p.par)
        .bind(instant(p.le))
        .execute(&self.writer)
        .await
        .db()?;
        Ok(())
    }

    async fn retirer_plage(&self, caisse: CaisseId, bouquet: Bouquet) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM plages_caisse WHERE caisse_id = ? AND bouquet = ?")
            .bind(caisse.0)
            .bind(bouquet.code())
            .execute(&self.writer)
            .await
            .db()?;
        Ok(done.rows_affected() == 1)
    }
}
