//! The staff's second factor (see `partage_store::double_facteur`).

use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use partage_store::double_facteur::{SecondFactor, SecondFactors};
use partage_store::personnel::PersonnelId;
use partage_store::{CaisseId, StoreError};

#[async_trait]
impl SecondFactors for SqliteStore {
    async fn second_factor(&self, personnel: PersonnelId) -> Result<Option<SecondFactor>, StoreError> {
        let row: Option<(Vec<u8>, bool, Option<i64>)> = sqlx::query_as(
            "SELECT secret, active, derniere_etape FROM double_facteur_personnels WHERE personnel_id = ?",
        )
        .bind(personnel.0)
        .fetch_optional(&self.readers)
        .await
        .db()?;
        Ok(row.map(|(secret, active, last_step)| SecondFactor {
            secret,
            active,
            last_step,
        }))
    }

    async fn enrol_second_factor(&self, personnel: PersonnelId, secret: &[u8]) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO double_facteur_personnels (personnel_id, secret, active, derniere_etape)
             VALUES (?, ?, 0, NULL)
             ON CONFLICT (personnel_id) DO UPDATE SET secret = excluded.secret, derniere_etape = NULL
             WHERE double_facteur_personnels.active = 0",
        )
        .bind(personnel.0)
        .bind(secret)
        .execute(&self.writer)
        .await
        .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn activate_second_factor(&self, personnel: PersonnelId, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE double_facteur_personnels SET active = 1, derniere_etape = ?
             WHERE personnel_id = ? AND active = 0",
        )
        .bind(step)
        .bind(personnel.0)
        .execute(&self.writer)
        .await
        .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn spend_totp_step(&self, personnel: PersonnelId, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE double_facteur_personnels SET derniere_etape = ?
             WHERE personnel_id = ? AND active = 1 AND (derniere_etape IS NULL OR derniere_etape < ?)",
        )
        .bind(step)
        .bind(personnel.0)
        .bind(step)
        .execute(&self.writer)
        .await
        .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_second_factor(&self, personnel: PersonnelId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM double_facteur_personnels WHERE personnel_id = ?")
            .bind(personnel.0)
            .execute(&self.writer)
            .await
            .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn second_factor_required(&self, caisse: CaisseId) -> Result<bool, StoreError> {
        let row: Option<(bool,)> =
            sqlx::query_as("SELECT double_facteur_personnel FROM caisses WHERE id = ?")
                .bind(caisse.0)
                .fetch_optional(&self.readers)
                .await
                .db()?;
        Ok(row.is_some_and(|(r,)| r))
    }

    async fn set_second_factor_required(&self, caisse: CaisseId, required: bool) -> Result<(), StoreError> {
        sqlx::query("UPDATE caisses SET double_facteur_personnel = ? WHERE id = ?")
            .bind(required)
            .bind(caisse.0)
            .execute(&self.writer)
            .await
            .db()?;
        Ok(())
    }
}
