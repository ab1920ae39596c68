//! What the password policy needs (see `partage_store::mots_de_passe`).

use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use partage_store::{PasswordPolicyStore, StoreError, UserId};

#[async_trait]
impl PasswordPolicyStore for SqliteStore {
    async fn password_context(&self, user: UserId) -> Result<Vec<String>, StoreError> {
        let row: Option<(String, String, String, String, String, String, String)> = sqlx::query_as(
            "SELECT u.identifiant, u.nom, u.prenom, u.email, p.nom, c.code, c.nom
             FROM utilisateurs u
             JOIN partenaires p ON p.id = u.partenaire_id
             JOIN caisses c ON c.id = u.caisse_id
             WHERE u.id = ?",
        )
        .bind(user.0)
        .fetch_optional(&self.readers)
        .await
        .db()?;
        Ok(row
            .map(|(a, b, c, d, e, f, g)| vec![a, b, c, d, e, f, g])
            .unwrap_or_default())
    }

    async fn previous_password_hashes(&self, user: UserId, limit: u32) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT password_hash FROM mots_de_passe_anciens WHERE utilisateur_id = ? ORDER BY id DESC LIMIT ?",
        )
        .bind(user.0)
        .bind(i64::from(limit))
        .fetch_all(&self.readers)
        .await
        .db()?;
        Ok(rows.into_iter().map(|(h,)| h).collect())
    }

    async fn require_password_change(&self, user: UserId) -> Result<(), StoreError> {
        sqlx::query("UPDATE utilisateurs SET must_change_password = 1 WHERE id = ?")
            .bind(user.0)
            .execute(&self.writer)
            .await
            .db()?;
        Ok(())
    }
}
