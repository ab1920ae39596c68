//! Activation links (see `partage_store::activations`).

use crate::error::{corrupt, DbResult};
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::{CaisseCode, Identifiant};
use partage_store::activations::{ActivationValide, Activations, Destinataire, NouvelleActivation};
use partage_store::codec::identifiant;
use partage_store::{CaisseId, StoreError, TokenHash, UserId};

#[async_trait]
impl Activations for PostgresStore {
    async fn creer_activation(
        &self,
        caisse: CaisseId,
        ident: &Identifiant,
        activation: &NouvelleActivation,
    ) -> Result<Option<Destinataire>, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let row: Option<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT id, civilite, nom, prenom, email FROM utilisateurs WHERE caisse_id = $1 AND identifiant = $2",
        )
        .bind(caisse.0)
        .bind(ident.as_str())
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        let Some((user, civilite, nom, prenom, email)) = row else {
            return Ok(None);
        };
        sqlx::query("DELETE FROM activations WHERE utilisateur_id = $1 AND utilise_le IS NULL")
            .bind(user)
            .execute(&mut *tx)
            .await
            .db()?;
        sqlx::query(
            "INSERT INTO activations (token_hash, utilisateur_id, cree_le, expire_le) VALUES ($1, $2, $3, $4)",
        )
        .bind(activation.token_hash.0.as_str())
        .bind(user)
        .bind(activation.cree_le)
        .bind(activation.expire_le)
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
             WHERE a.token_hash = $1 AND a.utilise_le IS NULL AND a.expire_le > $2",
        )
        .bind(token_hash.0.as_str())
        .bind(maintenant)
        .fetch_optional(&self.pool)
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
        let mut tx = self.pool.begin().await.db()?;
        let user: Option<(i64,)> = sqlx::query_as(
            "UPDATE activations SET utilise_le = $1
             WHERE token_hash = $2 AND utilise_le IS NULL AND expire_le > $1 RETURNING utilisateur_id",
        )
        .bind(maintenant)
        .bind(token_hash.0.as_str())
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        let Some((user,)) = user else {
            return Ok(None);
        };
        sqlx::query("UPDATE utilisateurs SET password_hash = $1, must_change_password = false WHERE id = $2")
            .bind(password_hash)
            .bind(user)
            .execute(&mut *tx)
            .await
            .db()?;
        // Whoever held a session before the new password had it from elsewhere: none survives it.
        sqlx::query("DELETE FROM sessions WHERE utilisateur_id = $1")
            .bind(user)
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()?;
        Ok(Some(UserId(user)))
    }
}
