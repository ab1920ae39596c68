//! Failed-login counters (see `partage_store::verrouillage`).

use crate::codec::{instant, parse_instant};
use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use partage_domain::verrouillage::{CleConnexion, Echecs};
use partage_store::{LoginThrottle, StoreError};

type EchecsRow = (i64, String, Option<String>);

fn echecs((nombre, dernier, verrouille_le): EchecsRow) -> Result<Echecs, StoreError> {
    Ok(Echecs {
        nombre: u32::try_from(nombre)
            .map_err(|e| partage_store::codec::corrupt("echecs_connexion.nombre", e))?,
        dernier: parse_instant("echecs_connexion.dernier", &dernier)?,
        verrouille_le: verrouille_le
            .map(|t| parse_instant("echecs_connexion.verrouille_le", &t))
            .transpose()?,
    })
}

#[async_trait]
impl LoginThrottle for SqliteStore {
    async fn login_failures(&self, key: &CleConnexion) -> Result<Option<Echecs>, StoreError> {
        let row: Option<EchecsRow> =
            sqlx::query_as("SELECT nombre, dernier, verrouille_le FROM echecs_connexion WHERE cle = ?")
                .bind(key.as_str())
                .fetch_optional(&self.readers)
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
        // One statement, on the single writer: concurrent failures are applied one after the other.
        let row: EchecsRow = sqlx::query_as(
            "INSERT INTO echecs_connexion (cle, nombre, dernier, verrouille_le)
             VALUES (?1, 1, ?2, CASE WHEN ?4 <= 1 THEN ?2 END)
             ON CONFLICT (cle) DO UPDATE SET
                 nombre = CASE WHEN echecs_connexion.dernier <= ?3 THEN 1 ELSE echecs_connexion.nombre + 1 END,
                 dernier = max(echecs_connexion.dernier, ?2),
                 verrouille_le = coalesce(echecs_connexion.verrouille_le, CASE
                     WHEN (CASE WHEN echecs_connexion.dernier <= ?3 THEN 1 ELSE echecs_connexion.nombre + 1 END) >= ?4
                     THEN ?2 END)
             RETURNING nombre, dernier, verrouille_le",
        )
        .bind(key.as_str())
        .bind(instant(at))
        .bind(instant(at - run_gap))
        .bind(lock_at.map(i64::from))
        .fetch_one(&self.writer)
        .await
        .db()?;
        echecs(row)
    }

    async fn clear_login_failures(&self, key: &CleConnexion) -> Result<Option<Echecs>, StoreError> {
        let row: Option<EchecsRow> = sqlx::query_as(
            "DELETE FROM echecs_connexion WHERE cle = ? RETURNING nombre, dernier, verrouille_le",
        )
        .bind(key.as_str())
        .fetch_optional(&self.writer)
        .await
        .db()?;
        row.map(echecs).transpose()
    }
}
