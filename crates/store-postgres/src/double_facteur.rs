//! The second factor (see `partage_store::double_facteur`). Table, key column and requirement column come
//! from constants of `Titulaire` and `Exigence`, never from input.

use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use partage_store::double_facteur::{Exigence, SecondFactor, SecondFactors, Titulaire};
use partage_store::{CaisseId, StoreError};

#[async_trait]
impl SecondFactors for PostgresStore {
    async fn second_factor(&self, titulaire: Titulaire) -> Result<Option<SecondFactor>, StoreError> {
        let (table, cle, id) = titulaire.table();
        let row: Option<(Vec<u8>, bool, Option<i64>)> = sqlx::query_as(&format!(
            "SELECT secret, active, derniere_etape FROM {table} WHERE {cle} = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        Ok(row.map(|(secret, active, last_step)| SecondFactor {
            secret,
            active,
            last_step,
        }))
    }

    async fn enrol_second_factor(&self, titulaire: Titulaire, secret: &[u8]) -> Result<bool, StoreError> {
        let (table, cle, id) = titulaire.table();
        let done = sqlx::query(&format!(
            "INSERT INTO {table} ({cle}, secret, active, derniere_etape) VALUES ($1, $2, false, NULL)
             ON CONFLICT ({cle}) DO UPDATE SET secret = excluded.secret, derniere_etape = NULL
             WHERE NOT {table}.active"
        ))
        .bind(id)
        .bind(secret)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn activate_second_factor(&self, titulaire: Titulaire, step: i64) -> Result<bool, StoreError> {
        let (table, cle, id) = titulaire.table();
        let done = sqlx::query(&format!(
            "UPDATE {table} SET active = true, derniere_etape = $1 WHERE {cle} = $2 AND NOT active"
        ))
        .bind(step)
        .bind(id)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn spend_totp_step(&self, titulaire: Titulaire, step: i64) -> Result<bool, StoreError> {
        let (table, cle, id) = titulaire.table();
        let done = sqlx::query(&format!(
            "UPDATE {table} SET derniere_etape = $1
             WHERE {cle} = $2 AND active AND (derniere_etape IS NULL OR derniere_etape < $1)"
        ))
        .bind(step)
        .bind(id)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_second_factor(&self, titulaire: Titulaire) -> Result<bool, StoreError> {
        let (table, cle, id) = titulaire.table();
        let done = sqlx::query(&format!("DELETE FROM {table} WHERE {cle} = $1"))
            .bind(id)
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn second_factor_required(&self, caisse: CaisseId, de: Exigence) -> Result<bool, StoreError> {
        let colonne = de.colonne();
        let row: Option<(bool,)> = sqlx::query_as(&format!("SELECT {colonne} FROM caisses WHERE id = $1"))
            .bind(caisse.0)
            .fetch_optional(&self.pool)
            .await
            .db()?;
        Ok(row.is_some_and(|(r,)| r))
    }

    async fn set_second_factor_required(
        &self,
        caisse: CaisseId,
        de: Exigence,
        required: bool,
    ) -> Result<(), StoreError> {
        let colonne = de.colonne();
        sqlx::query(&format!("UPDATE caisses SET {colonne} = $1 WHERE id = $2"))
            .bind(required)
            .bind(caisse.0)
            .execute(&self.pool)
            .await
            .db()?;
        Ok(())
    }
}
