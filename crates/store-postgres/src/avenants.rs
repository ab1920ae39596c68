//! A convention's recorded versions (see `partage_store::avenants`).

use crate::error::DbResult;
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use partage_domain::avenants::{Attestation, NatureAttestation, SousTraitant};
use partage_store::avenants::{
    AttestationRecord, ConventionVersions, SousTraitantRecord, VersionRecord, ViolationRecord,
};
use partage_store::codec::parse_json;
use partage_store::cycles::ConventionId;
use partage_store::StoreError;

type Row = (
    i64,
    String,
    NaiveDate,
    NaiveDate,
    NaiveDate,
    String,
    String,
    DateTime<Utc>,
);

#[async_trait]
impl ConventionVersions for PostgresStore {
    async fn versions(&self, convention: ConventionId) -> Result<Vec<VersionRecord>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT numero, contenu::text, signe_partenaire_le, signe_caisse_le, effet_le, reference, par,
                 horodatage
             FROM convention_versions WHERE convention_id = $1 ORDER BY numero",
        )
        .bind(convention.0)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter()
            .map(
                |(
                    numero,
                    contenu,
                    signe_partenaire_le,
                    signe_caisse_le,
                    effet_le,
                    reference,
                    par,
                    horodatage,
                )| {
                    Ok(VersionRecord {
                        numero,
                        contenu: parse_json("convention_versions.contenu", &contenu)?,
                        signe_partenaire_le,
                        signe_caisse_le,
                        effet_le,
                        reference,
                        par,
                        horodatage,
                    })
                },
            )
            .collect()
    }

    async fn record_versions(
        &self,
        convention: ConventionId,
        versions: &[VersionRecord],
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        for v in versions {
            let contenu =
                serde_json::to_string(&v.contenu).map_err(|e| StoreError::Backend(e.to_string()))?;
            let written = sqlx::query(
                "INSERT INTO convention_versions (convention_id, numero, contenu, signe_partenaire_le,
                     signe_caisse_le, effet_le, reference, par, horodatage)
                 VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (convention_id, numero) DO NOTHING",
            )
            .bind(convention.0)
            .bind(v.numero)
            .bind(contenu)
            .bind(v.signe_partenaire_le)
            .bind(v.signe_caisse_le)
            .bind(v.effet_le)
            .bind(&v.reference)
            .bind(&v.par)
            .bind(v.horodatage)
            .execute(&mut *tx)
            .await
            .db()?;
            if written.rows_affected() != 1 {
                tx.rollback().await.db()?;
                return Ok(false);
            }
        }
        if let Some(last) = versions.last() {
            let bouquets: Vec<&str> = last.contenu.bouquets.iter().map(|b| b.code()).collect();
            let plafond = last
                .contenu
                .plafond_habilitations
                .map(i32::try_from)
                .transpose()
                .map_err(|e| StoreError::Backend(e.to_string()))?;
            sqlx::query(
                "UPDATE conventions SET bouquets = $1, plafond_habilitations = $2, gestion = $3, departements = $4
                 WHERE id = $5",
            )
            .bind(bouquets)
            .bind(plafond)
            .bind(last.contenu.gestion.as_deref())
            // Not narrowed (NULL) when the version lists no département.
            .bind(Some(&last.contenu.departements).filter(|d| !d.is_empty()))
            .bind(convention.0)
            .execute(&mut *tx)
            .await
            .db()?;
        }
        tx.commit().await.db()?;
        Ok(true)
    }

    async fn record_violation(
        &self,
        convention: ConventionId,
        v: &ViolationRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO convention_violations (convention_id, notifiee_le, description, documents, par, horodatage)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(convention.0)
        .bind(v.notifiee_le)
        .bind(&v.description)
        .bind(&v.documents)
        .bind(&v.par)
        .bind(v.horodatage)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn violations(&self, convention: ConventionId) -> Result<Vec<ViolationRecord>, StoreError> {
        let rows: Vec<(NaiveDate, String, Vec<String>, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT notifiee_le, description, documents, par, horodatage FROM convention_violations
             WHERE convention_id = $1 ORDER BY notifiee_le, id",
        )
        .bind(convention.0)
        .fetch_all(&self.pool)
        .await
        .db()?;
        Ok(rows
            .into_iter()
            .map(
                |(notifiee_le, description, documents, par, horodatage)| ViolationRecord {
                    notifiee_le,
                    description,
                    documents,
                    par,
                    horodatage,
                },
            )
            .collect())
    }

    async fn record_sous_traitant(
        &self,
        convention: ConventionId,
        s: &SousTraitantRecord,
    ) -> Result<(), StoreError> {
        let d = &s.declaration;
        sqlx::query(
            "INSERT INTO convention_sous_traitants (convention_id, nom, localisation_prestataires,
                 localisation_bases, regime_juridique, taches, declare_le, debut_le, par, horodatage)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(convention.0)
        .bind(&d.nom)
        .bind(&d.localisation_prestataires)
        .bind(&d.localisation_bases)
        .bind(&d.regime_juridique)
        .bind(&d.taches)
        .bind(d.declare_le)
        .bind(d.debut_le)
        .bind(&s.par)
        .bind(s.horodatage)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn sous_traitants(&self, convention: ConventionId) -> Result<Vec<SousTraitantRecord>, StoreError> {
        type R = (
            String,
            String,
            String,
            String,
            String,
            NaiveDate,
            NaiveDate,
            String,
            DateTime<Utc>,
        );
        let rows: Vec<R> = sqlx::query_as(
            "SELECT nom, localisation_prestataires, localisation_bases, regime_juridique, taches, declare_le,
                 debut_le, par, horodatage
             FROM convention_sous_traitants WHERE convention_id = $1 ORDER BY declare_le, id",
        )
        .bind(convention.0)
        .fetch_all(&self.pool)
        .await
        .db()?;
        Ok(rows
            .into_iter()
            .map(
                |(nom, prestataires, bases, regime, taches, declare_le, debut_le, par, horodatage)| {
                    SousTraitantRecord {
                        declaration: SousTraitant {
                            nom,
                            localisation_prestataires: prestataires,
                            localisation_bases: bases,
                            regime_juridique: regime,
                            taches,
                            declare_le,
                            debut_le,
                        },
                        par,
                        horodatage,
                    }
                },
            )
            .collect())
    }

    async fn record_attestation(
        &self,
        convention: ConventionId,
        a: &AttestationRecord,
    ) -> Result<bool, StoreError> {
        let written = sqlx::query(
            "INSERT INTO convention_attestations (convention_id, nature, attestee_le, reference, par, horodatage)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (convention_id) DO NOTHING",
        )
        .bind(convention.0)
        .bind(a.attestation.nature.code())
        .bind(a.attestation.attestee_le)
        .bind(&a.attestation.reference)
        .bind(&a.par)
        .bind(a.horodatage)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(written.rows_affected() == 1)
    }

    async fn attestation(&self, convention: ConventionId) -> Result<Option<AttestationRecord>, StoreError> {
        let row: Option<(String, NaiveDate, String, String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT nature, attestee_le, reference, par, horodatage FROM convention_attestations
             WHERE convention_id = $1",
        )
        .bind(convention.0)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(|(nature, attestee_le, reference, par, horodatage)| {
            Ok(AttestationRecord {
                attestation: Attestation {
                    nature: NatureAttestation::parse(&nature).ok_or_else(|| {
                        partage_store::codec::corrupt("convention_attestations.nature", &nature)
                    })?,
                    attestee_le,
                    reference,
                },
                par,
                horodatage,
            })
        })
        .transpose()
    }
}
