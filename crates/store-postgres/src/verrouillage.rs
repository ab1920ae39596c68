//! Failed-login counters (see `partage_store::verrouillage`).

use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use partage_domain::verrouillage::{CleConnexion, Echecs};
use partage_store::{LoginThrottle, StoreError};

type EchecsRow = (i32, DateTime<Utc>, Option<DateTime<Utc>>);

fn echecs((nombre, dernier, verrouille_le): EchecsRow) -> Result<Echecs, StoreError> {
    Ok(Echecs {
        nombre: u32::try_from(nombre)
            .map_err(|e| partage_store::codec::corrupt("echecs_connexion.nombre", e))?,
        dernier,
        verrouille_le,
    })
}

#[async_trait]
impl LoginThrottle for PostgresStore {
    async fn login_failures(&self, key: &CleConnexion) -> Result<Option<Echecs>, StoreError> {
        let row: Option<EchecsRow> =
            sqlx::query_as("SELECT nombre, dernier, verrouille_le FROM echecs_connexion WHERE cle = $1")
                .bind(key.as_str())
                .fetch_optional(&self.pool)
                .await
                .db()?;
        row.map(echecs).transpose()
    }

    async fn record_login_failure(
        &self,
        key: &CleConnexion,
        at: DateTime<Utc>,
        run_gap: Duration,
        lock_at: Option<u32>,
    ) -> Result<Echecs, StoreError> {
        // ON CONFLICT takes the row's lock: failures counted at once by several servers queue on it, and
        // each sees the count the previous one left.
        let row: EchecsRow = sqlx::query_as(
            "INSERT INTO echecs_connexion AS e (cle, nombre, dernier, verrouille_le)
             VALUES ($1, 1, $2, CASE WHEN $4::integer <= 1 THEN $2 END)
             ON CONFLICT (cle) DO UPDATE SET
                 nombre = CASE WHEN e.dernier <= $3 THEN 1 ELSE e.nombre + 1 END,
                 dernier = greatest(e.dernier, $2),
                 verrouille_le = coalesce(e.verrouille_le, CASE
                     WHEN (CASE WHEN e.dernier <= $3 THEN 1 ELSE e.nombre + 1 END) >= $4::integer
                     THEN $2 END)
             RETURNING nombre, dernier, verrouille_le",
        )
        .bind(key.as_str())
        .bind(at)
        .bind(at - run_gap)
        .bind(lock_at.map(|n| i32::try_from(n).unwrap_or(i32::MAX)))
        .fetch_one(&self.pool)
        .await
        .db()?;
        echecs(row)
    }

    async fn clear_login_failures(&self, key: &CleConnexion) -> Result<Option<Echecs>, StoreError> {
        let row: Option<EchecsRow> = sqlx::query_as(
            "DELETE FROM echecs_connexion WHERE cle = $1 RETURNING nombre, dernier, verrouille_le",
        )
        .bind(key.as_str())
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(echecs).transpose()
    }
}
