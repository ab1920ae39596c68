//! The référentiel des tiers (see `partage_store::partenaires`).

use crate::codec::{json_list, parse_departements, parse_json};
use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use partage_domain::partenaire::Fiche;
use partage_domain::{CodeDepartement, NumeroTiers};
use partage_store::cycles::ConventionCycle;
use partage_store::partenaires::{coordonnees_json, fiche, Partenaires};
use partage_store::{CaisseId, StoreError};

type Row = (String, String, String, String, String, String, String);

const SELECT: &str = "SELECT numero_tiers, nom, categorie, siret, departements, circonscriptions, coordonnees
    FROM partenaires WHERE caisse_id = ?";

fn read(row: Row) -> Result<Fiche, StoreError> {
    let (tiers, nom, categorie, siret, departements, circonscriptions, coordonnees) = row;
    let circonscriptions: Vec<String> = parse_json("partenaires.circonscriptions", &circonscriptions)?;
    fiche(
        &tiers,
        nom,
        categorie,
        &siret,
        parse_departements("partenaires.departements", &departements)?,
        &circonscriptions,
        &coordonnees,
    )
}

#[async_trait]
impl Partenaires for SqliteStore {
    async fn partenaires(&self, caisse: CaisseId, recherche: &str) -> Result<Vec<Fiche>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} AND (instr(lower(nom), lower(?2)) > 0 OR instr(lower(numero_tiers), lower(?2)) > 0)
             ORDER BY nom, numero_tiers"
        ))
        .bind(caisse.0)
        .bind(recherche.trim())
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter().map(read).collect()
    }

    async fn partenaire(&self, caisse: CaisseId, tiers: &NumeroTiers) -> Result<Option<Fiche>, StoreError> {
        let row: Option<Row> = sqlx::query_as(&format!("{SELECT} AND numero_tiers = ?"))
            .bind(caisse.0)
            .bind(tiers.as_str())
            .fetch_optional(&self.readers)
            .await
            .db()?;
        row.map(read).transpose()
    }

    async fn creer_partenaire(&self, caisse: CaisseId, f: &Fiche) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let written = sqlx::query(
            "INSERT INTO partenaires (caisse_id, numero_tiers, nom, categorie, siret, departements,
                 circonscriptions, coordonnees)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (caisse_id, numero_tiers) DO NOTHING",
        )
        .bind(caisse.0)
        .bind(f.numero_tiers.as_str())
        .bind(&f.nom)
        .bind(&f.categorie)
        .bind(f.siret.as_str())
        .bind(json_list(f.departements.iter().map(|d| d.as_str())))
        .bind(json_list(f.circonscriptions.iter().map(|c| c.to_string())))
        .bind(coordonnees_json(f)?)
        .execute(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(written.rows_affected() == 1)
    }

    async fn modifier_partenaire(&self, caisse: CaisseId, f: &Fiche) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let written = sqlx::query(
            "UPDATE partenaires SET nom = ?, categorie = ?, siret = ?, departements = ?, circonscriptions = ?,
                 coordonnees = ?
             WHERE caisse_id = ? AND numero_tiers = ?",
        )
        .bind(&f.nom)
        .bind(&f.categorie)
        .bind(f.siret.as_str())
        .bind(json_list(f.departements.iter().map(|d| d.as_str())))
        .bind(json_list(f.circonscriptions.iter().map(|c| c.to_string())))
        .bind(coordonnees_json(f)?)
        .bind(caisse.0)
        .bind(f.numero_tiers.as_str())
        .execute(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(written.rows_affected() == 1)
    }

    async fn departements_caisse(&self, caisse: CaisseId) -> Result<Vec<CodeDepartement>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT departements FROM caisses WHERE id = ?")
            .bind(caisse.0)
            .fetch_optional(&self.readers)
            .await
            .db()?;
        row.map_or(Ok(Vec::new()), |(d,)| {
            parse_departements("caisses.departements", &d)
        })
    }

    async fn conventions_de_la_caisse(&self, caisse: CaisseId) -> Result<Vec<ConventionCycle>, StoreError> {
        let rows: Vec<crate::cycles::Row> = sqlx::query_as(&format!(
            "{} WHERE c.caisse_id = ? ORDER BY c.numero",
            crate::cycles::SELECT
        ))
        .bind(caisse.0)
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter().map(crate::cycles::read).collect()
    }
}
