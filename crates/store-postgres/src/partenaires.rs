//! The référentiel des tiers (see `partage_store::partenaires`).

use crate::codec::parse_departements;
use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use partage_domain::partenaire::Fiche;
use partage_domain::{CodeDepartement, NumeroTiers};
use partage_store::cycles::ConventionCycle;
use partage_store::partenaires::{coordonnees_json, fiche, Partenaires};
use partage_store::{CaisseId, StoreError};

type Row = (String, String, String, String, Vec<String>, Vec<String>, String);

const SELECT: &str =
    "SELECT numero_tiers, nom, categorie, siret, departements, circonscriptions, coordonnees::text
    FROM partenaires WHERE caisse_id = $1";

fn read(row: Row) -> Result<Fiche, StoreError> {
    let (tiers, nom, categorie, siret, departements, circonscriptions, coordonnees) = row;
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

fn textes<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

#[async_trait]
impl Partenaires for PostgresStore {
    async fn partenaires(&self, caisse: CaisseId, recherche: &str) -> Result<Vec<Fiche>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} AND (strpos(lower(nom), lower($2)) > 0 OR strpos(lower(numero_tiers), lower($2)) > 0)
             ORDER BY nom, numero_tiers"
        ))
        .bind(caisse.0)
        .bind(recherche.trim())
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter().map(read).collect()
    }

    async fn partenaire(&self, caisse: CaisseId, tiers: &NumeroTiers) -> Result<Option<Fiche>, StoreError> {
        let row: Option<Row> = sqlx::query_as(&format!("{SELECT} AND numero_tiers = $2"))
            .bind(caisse.0)
            .bind(tiers.as_str())
            .fetch_optional(&self.pool)
            .await
            .db()?;
        row.map(read).transpose()
    }

    async fn creer_partenaire(&self, caisse: CaisseId, f: &Fiche) -> Result<bool, StoreError> {
        let written = sqlx::query(
            "INSERT INTO partenaires (caisse_id, numero_tiers, nom, categorie, siret, departements,
                 circonscriptions, coordonnees)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (caisse_id, numero_tiers) DO NOTHING",
        )
        .bind(caisse.0)
        .bind(f.numero_tiers.as_str())
        .bind(&f.nom)
        .bind(&f.categorie)
        .bind(f.siret.as_str())
        .bind(textes(&f.departements))
        .bind(textes(&f.circonscriptions))
        .bind(coordonnees_json(f)?)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(written.rows_affected() == 1)
    }

    async fn modifier_partenaire(&self, caisse: CaisseId, f: &Fiche) -> Result<bool, StoreError> {
        let written = sqlx::query(
            "UPDATE partenaires SET nom = $3, categorie = $4, siret = $5, departements = $6,
                 circonscriptions = $7, coordonnees = $8::jsonb
             WHERE caisse_id = $1 AND numero_tiers = $2",
        )
        .bind(caisse.0)
        .bind(f.numero_tiers.as_str())
        .bind(&f.nom)
        .bind(&f.categorie)
        .bind(f.siret.as_str())
        .bind(textes(&f.departements))
        .bind(textes(&f.circonscriptions))
        .bind(coordonnees_json(f)?)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(written.rows_affected() == 1)
    }

    async fn departements_caisse(&self, caisse: CaisseId) -> Result<Vec<CodeDepartement>, StoreError> {
        let row: Option<(Vec<String>,)> = sqlx::query_as("SELECT departements FROM caisses WHERE id = $1")
            .bind(caisse.0)
            .fetch_optional(&self.pool)
            .await
            .db()?;
        row.map_or(Ok(Vec::new()), |(d,)| {
            parse_departements("caisses.departements", &d)
        })
    }

    async fn conventions_de_la_caisse(&self, caisse: CaisseId) -> Result<Vec<ConventionCycle>, StoreError> {
        let rows: Vec<crate::cycles::Row> = sqlx::query_as(&format!(
            "{} WHERE c.caisse_id = $1 ORDER BY c.numero",
            crate::cycles::SELECT
        ))
        .bind(caisse.0)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter().map(crate::cycles::read).collect()
    }
}
