//! HB-8 (see `partage_store::dormants`).

use crate::codec::{instant, parse_instant};
use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_store::dormants::{Dormant, Dormants};
use partage_store::{StoreError, UserId};

#[async_trait]
impl Dormants for SqliteStore {
    async fn dormants(&self, limite: DateTime<Utc>) -> Result<Vec<Dormant>, StoreError> {
        let rows: Vec<(i64, String, String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT u.id, c.code, u.identifiant, p.numero_tiers, u.derniere_connexion, u.created_at
             FROM utilisateurs u
             JOIN caisses c ON c.id = u.caisse_id
             JOIN partenaires p ON p.id = u.partenaire_id
             WHERE u.active = 1 AND COALESCE(u.derniere_connexion, u.created_at) <= ?
             ORDER BY u.id",
        )
        .bind(instant(limite))
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter()
            .map(|(id, caisse, identifiant, partenaire, derniere, cree)| {
                Ok(Dormant {
                    user: UserId(id),
                    caisse,
                    identifiant,
                    partenaire,
                    derniere_connexion: derniere
                        .map(|d| parse_instant("utilisateurs.derniere_connexion", &d))
                        .transpose()?,
                    cree_le: parse_instant("utilisateurs.created_at", &cree)?,
                })
            })
            .collect()
    }

    async fn deactivate_user(&self, user: UserId) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE utilisateurs SET active = 0 WHERE id = ? AND active = 1")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .db()?;
        sqlx::query("DELETE FROM sessions WHERE utilisateur_id = ?")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        Ok(done.rows_affected() == 1)
    }
}
