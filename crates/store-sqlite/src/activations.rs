//! Activation links (see `partage_store::activations`).

use crate::codec::instant;
use crate::error::{corrupt, DbResult};
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::{CaisseCode, Identifiant};
use partage_store::activations::{ActivationValide, Activations, Destinataire, NouvelleActivation};
use partage_store::codec::identifiant;
use partage_store::{CaisseId, StoreError, TokenHash, UserId};

#[async_trait]
impl Activations for SqliteStore {
    async fn creer_activation(
        &self,
        caisse: CaisseId,
        ident: &Identifiant,
        activation: &NouvelleActivation,
    ) -> Result<Option<Destinataire>, StoreError> {
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT id, civilite, nom, prenom, email FROM utilisateurs WHERE caisse_id = ? AND identifiant = ?",
        )
        .bind(caisse.0)
        .bind(ident.as_str())
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        let Some((user, civilite, nom, prenom, email)) = row else {
            return Ok(None);
        };
        sqlx::query("DELETE FROM activations WHERE utilisateur_id = ? AND utilise_le IS NULL")
            .bind(user)
            .execute(&mut *tx)
            .await
            .db()?;
        sqlx::query(
            "INSERT INTO activations (token_hash, utilisateur_id, cree_le, expire_le) VALUES (?, ?, ?, ?)",
        )
        .bind(activation.token_hash.0.as_str())
        .bind(user)
        .bind(instant(activation.cree_le))
        .bind(instant(activation.expire_le))
        .execute(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(Some(Destinataire {
            user: UserId(user),
            identifiant: ident.clone(),
            civilite,
            nom,
            prenom,
            email,
        }))
    }

    async fn activation(
        &self,
        token_hash: &TokenHash,
        maintenant: DateTime<Utc>,
    ) -> Result<Option<ActivationValide>, StoreError> {
        let row: Option<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT u.id, c.id, c.code, u.identifiant
             FROM activations a
             JOIN utilisateurs u ON u.id = a.utilisateur_id
             JOIN caisses c ON c.id = u.caisse_id
             WHERE a.token_hash = ? AND a.utilise_le IS NULL AND a.expire_le > ?",
        )
        .bind(token_hash.0.as_str())
        .bind(instant(maintenant))
        .fetch_optional(&self.readers)
        .await
        .db()?;
        row.map(|(user, caisse_id, code, ident)| {
            Ok(ActivationValide {
                user: UserId(user),
                caisse_id: CaisseId(caisse_id),
                caisse: CaisseCode::parse(&code).map_err(|e| corrupt("caisses.code", e))?,
                identifiant: identifiant(&ident)?,
            })
        })
        .transpose()
    }

    async fn activer(
        &self,
        token_hash: &TokenHash,
        maintenant: DateTime<Utc>,
        password_hash: &str,
    ) -> Result<Option<UserId>, StoreError> {
        let mut tx = self.begin_write().await?;
        let at = instant(maintenant);
        let user: Option<(i64,)> = sqlx::query_as(
            "UPDATE activations SET utilise_le = ?
             WHERE token_hash = ? AND utilise_le IS NULL AND expire_le > ? RETURNING utilisateur_id",
        )
        .bind(&at)
        .bind(token_hash.0.as_str())
        .bind(&at)
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        let Some((user,)) = user else {
            return Ok(None);
        };
        sqlx::query("UPDATE utilisateurs SET password_hash = ?, must_change_password = 0 WHERE id = ?")
            .bind(password_hash)
            .bind(user)
            .execute(&mut *tx)
            .await
            .db()?;
        // Whoever held a session before the new password had it from elsewhere: none survives it.
        sqlx::query("DELETE FROM sessions WHERE utilisateur_id = ?")
            .bind(user)
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        Ok(Some(UserId(user)))
    }
}
