//! HB-8 (see `partage_store::dormants`).

use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_store::dormants::{Dormant, Dormants};
use partage_store::{StoreError, UserId};

#[async_trait]
impl Dormants for PostgresStore {
    async fn dormants(&self, limite: DateTime<Utc>) -> Result<Vec<Dormant>, StoreError> {
        type Row = (i64, String, String, String, Option<DateTime<Utc>>, DateTime<Utc>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT u.id, c.code, u.identifiant, p.numero_tiers, u.derniere_connexion, u.created_at
             FROM utilisateurs u
             JOIN caisses c ON c.id = u.caisse_id
             JOIN partenaires p ON p.id = u.partenaire_id
             WHERE u.active AND COALESCE(u.derniere_connexion, u.created_at) <= $1
             ORDER BY u.id",
        )
        .bind(limite)
        .fetch_all(&self.pool)
        .await
        .db()?;
        Ok(rows
            .into_iter()
            .map(
                |(id, caisse, identifiant, partenaire, derniere_connexion, cree_le)| Dormant {
                    user: UserId(id),
                    caisse,
                    identifiant,
                    partenaire,
                    derniere_connexion,
                    cree_le,
                },
            )
            .collect())
    }

    async fn deactivate_user(&self, user: UserId) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let done = sqlx::query("UPDATE utilisateurs SET active = false WHERE id = $1 AND active")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .db()?;
        sqlx::query("DELETE FROM sessions WHERE utilisateur_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        Ok(done.rows_affected() == 1)
    }
}
