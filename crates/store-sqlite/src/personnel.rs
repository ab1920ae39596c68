//! The caisse's staff and their sessions (see `partage_store::personnel`).

use crate::codec::{instant, parse_instant};
use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use partage_domain::{CaisseCode, Identifiant};
use partage_store::personnel::{
    personnel, NewPersonnel, Personnel, PersonnelId, PersonnelLogin, PersonnelRefuse, PersonnelRow,
    PersonnelSession, Personnels, PERSONNEL_COLUMNS,
};
use partage_store::{CaisseId, StoreError, TokenHash};

#[async_trait]
impl Personnels for SqliteStore {
    async fn create_personnel(
        &self,
        p: &NewPersonnel,
    ) -> Result<Result<PersonnelId, PersonnelRefuse>, StoreError> {
        let mut tx = self.begin_write().await?;
        let caisse: Option<(i64,)> = sqlx::query_as("SELECT id FROM caisses WHERE code = ?")
            .bind(p.caisse.as_str())
            .fetch_optional(&mut *tx)
            .await
            .db()?;
        let Some((caisse_id,)) = caisse else {
            return Ok(Err(PersonnelRefuse::CaisseInconnue));
        };
        let id: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO personnels (caisse_id, identifiant, nom, prenom, email, roles, password_hash)
             VALUES (?, ?, ?, ?, ?, ?, ?)
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
                 WHERE c.code = ? AND p.identifiant = ?"
        ))
        .bind(caisse.as_str())
        .bind(identifiant.as_str())
        .fetch_optional(&self.readers)
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
             WHERE c.id = ? ORDER BY p.identifiant"
        ))
        .bind(caisse.0)
        .fetch_all(&self.readers)
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
        let at = instant(at);
        sqlx::query(
            "INSERT INTO sessions_personnel (token_hash, personnel_id, created_at, last_seen_at)
             VALUES (?, ?, ?, ?)",
        )
        .bind(token_hash.0.as_str())
        .bind(personnel.0)
        .bind(&at)
        .bind(&at)
        .execute(&self.writer)
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
            String,
            String,
            String,
        );
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {PERSONNEL_COLUMNS}, s.created_at, s.last_seen_at,
                    COALESCE(s.authentifie_le, s.created_at)
             FROM sessions_personnel s
             JOIN personnels p ON p.id = s.personnel_id
             JOIN caisses c ON c.id = p.caisse_id
             WHERE s.token_hash = ?"
        ))
        .bind(token_hash.0.as_str())
        .fetch_optional(&self.readers)
        .await
        .db()?;
        row.map(|(a, b, c, d, e, f, g, h, i, j, k, created, seen, authentifie)| {
            Ok(PersonnelSession {
                personnel: personnel((a, b, c, d, e, f, g, h, i, j, k))?,
                created_at: parse_instant("sessions_personnel.created_at", &created)?,
                last_seen_at: parse_instant("sessions_personnel.last_seen_at", &seen)?,
                authentifie_le: parse_instant("sessions_personnel.authentifie_le", &authentifie)?,
            })
        })
        .transpose()
    }

    async fn touch_personnel_session(
        &self,
        token_hash: &TokenHash,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions_personnel SET last_seen_at = max(last_seen_at, ?) WHERE token_hash = ?")
            .bind(instant(at))
            .bind(token_hash.0.as_str())
            .execute(&self.writer)
            .await
            .db()?;
        Ok(())
    }

    async fn reauthenticate_personnel_session(
        &self,
        token_hash: &TokenHash,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions_personnel SET authentifie_le = ? WHERE token_hash = ?")
            .bind(instant(at))
            .bind(token_hash.0.as_str())
            .execute(&self.writer)
            .await
            .db()?;
        Ok(())
    }

    async fn end_personnel_session(&self, token_hash: &TokenHash) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions_personnel WHERE token_hash = ?")
            .bind(token_hash.0.as_str())
            .execute(&self.writer)
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
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE personnels SET password_hash = ?, must_change_password = 0 WHERE id = ?")
            .bind(new_hash)
            .bind(personnel.0)
            .execute(&mut *tx)
            .await
            .db()?;
        sqlx::query("DELETE FROM sessions_personnel WHERE personnel_id = ? AND token_hash <> ?")
            .bind(personnel.0)
            .bind(keep_session.0.as_str())
            .execute(&mut *tx)
            .await
            .db()?;
        tx.commit().await.db()
    }
}
