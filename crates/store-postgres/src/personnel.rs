//! The caisse's staff and their sessions (see `partage_store::personnel`).

use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::{CaisseCode, Identifiant};
use partage_store::personnel::{
    personnel, NewPersonnel, Personnel, PersonnelId, PersonnelLogin, PersonnelRefuse, PersonnelRow,
    PersonnelSession, Personnels, PERSONNEL_COLUMNS,
};
use partage_store::{CaisseId, StoreError, TokenHash};

#[async_trait]
impl Personnels for PostgresStore {
    async fn create_personnel(
        &self,
        p: &NewPersonnel,
    ) -> Result<Result<PersonnelId, PersonnelRefuse>, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let caisse: Option<(i64,)> = sqlx::query_as("SELECT id FROM caisses WHERE code = $1")
            .bind(p.caisse.as_str())
            .fetch_optional(&mut *tx)
            .await
            .db()?;
        let Some((caisse_id,)) = caisse else {
            return Ok(Err(PersonnelRefuse::CaisseInconnue));
        };
        let id: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO personnels (caisse_id, identifiant, nom, prenom, email, roles, password_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (caisse_id, identifiant) DO NOTHING
             RETURNING id",
        )
        .bind(caisse_id)
        .bind(p.identifiant.as_str())
        .bind(&p.nom)
        .bind(&p.prenom)
        .bind(&p.email)
        .bind(p.roles.codes())
        .bind(&p.mot_de_passe_provisoire_hash)
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(id
            .map(|(id,)| PersonnelId(id))
            .ok_or(PersonnelRefuse::IdentifiantPris))
    }

    async fn personnel_login(
        &self,
        caisse: &CaisseCode,
        identifiant: &Identifiant,
    ) -> Result<Option<PersonnelLogin>, StoreError> {
        let row: Option<(
            i64,
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            bool,
            bool,
            String,
        )> = sqlx::query_as(&format!(
            "SELECT {PERSONNEL_COLUMNS}, p.password_hash
                 FROM personnels p JOIN caisses c ON c.id = p.caisse_id
                 WHERE c.code = $1 AND p.identifiant = $2"
        ))
        .bind(caisse.as_str())
        .bind(identifiant.as_str())
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(|(a, b, c, d, e, f, g, h, i, j, k, password_hash)| {
            Ok(PersonnelLogin {
                personnel: personnel((a, b, c, d, e, f, g, h, i, j, k))?,
                password_hash,
            })
        })
        .transpose()
    }

    async fn personnels(&self, caisse: CaisseId) -> Result<Vec<Personnel>, StoreError> {
        let rows: Vec<PersonnelRow> = sqlx::query_as(&format!(
            "SELECT {PERSONNEL_COLUMNS}
             FROM personnels p JOIN caisses c ON c.id = p.caisse_id
             WHERE c.id = $1 ORDER BY p.identifiant"
        ))
        .bind(caisse.0)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter().map(personnel).collect()
    }

    async fn create_personnel_session(
        &self,
        token_hash: &TokenHash,
        personnel: PersonnelId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions_personnel (token_hash, personnel_id, created_at, last_seen_at)
             VALUES ($1, $2, $3, $3)",
        )
        .bind(token_hash.0.as_str())
        .bind(personnel.0)
        .bind(at)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn personnel_session(
        &self,
        token_hash: &TokenHash,
    ) -> Result<Option<PersonnelSession>, StoreError> {
        type Row = (
            i64,
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            bool,
            bool,
            DateTime<Utc>,
            DateTime<Utc>,
            DateTime<Utc>,
        );
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {PERSONNEL_COLUMNS}, s.created_at, s.last_seen_at,
                    COALESCE(s.authentifie_le, s.created_at)
             FROM sessions_personnel s
             JOIN personnels p ON p.id = s.personnel_id
             JOIN caisses c ON c.id = p.caisse_id
             WHERE s.token_hash = $1"
        ))
        .bind(token_hash.0.as_str())
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(
            |(a, b, c, d, e, f, g, h, i, j, k, created_at, last_seen_at, authentifie_le)| {
                Ok(PersonnelSession {
                    personnel: personnel((a, b, c, d, e, f, g, h, i, j, k))?,
                    created_at,
                    last_seen_at,
                    authentifie_le,
                })
            },
        )
        .transpose()
    }

    async fn touch_personnel_session(
        &self,
        token_hash: &TokenHash,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions_personnel SET last_seen_at = greatest(last_seen_at, $1) WHERE token_hash = $2",
        )
        .bind(at)
        .bind(token_hash.0.as_str())
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn reauthenticate_personnel_session(
        &self,
        token_hash: &TokenHash,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions_personnel SET authentifie_le = $1 WHERE token_hash = $2")
            .bind(at)
            .bind(token_hash.0.as_str())
            .execute(&self.pool)
            .await
            .db()?;
        Ok(())
    }

    async fn end_personnel_session(&self, token_hash: &TokenHash) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions_personnel WHERE token_hash = $1")
            .bind(token_hash.0.as_str())
            .execute(&self.pool)
            .await
            .db()?;
        Ok(())
    }

    async fn change_personnel_password(
        &self,
        personnel: PersonnelId,
        new_hash: &str,
        keep_session: &TokenHash,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        sqlx::query("UPDATE personnels SET password_hash = $1, must_change_password = false WHERE id = $2")
            .bind(new_hash)
            .bind(personnel.0)
            .execute(&mut *tx)
            .await
            .db()?;
        sqlx::query("DELETE FROM sessions_personnel WHERE personnel_id = $1 AND token_hash <> $2")
            .bind(personnel.0)
            .bind(keep_session.0.as_str())
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()
    }
}
