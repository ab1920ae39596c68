//! A convention's recorded versions (see `partage_store::avenants`).

use crate::codec::{date, instant, json_list, parse_date, parse_instant, parse_json};
use crate::error::DbResult;
use crate::SqliteStore;
use async_trait::async_trait;
use partage_domain::avenants::{Attestation, NatureAttestation, SousTraitant};
use partage_store::avenants::{
    AttestationRecord, ConventionVersions, SousTraitantRecord, VersionRecord, ViolationRecord,
};
use partage_store::cycles::ConventionId;
use partage_store::StoreError;

type Row = (i64, String, String, String, String, String, String, String);

#[async_trait]
impl ConventionVersions for SqliteStore {
    async fn versions(&self, convention: ConventionId) -> Result<Vec<VersionRecord>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT numero, contenu, signe_partenaire_le, signe_caisse_le, effet_le, reference, par, horodatage
             FROM convention_versions WHERE convention_id = ? ORDER BY numero",
        )
        .bind(convention.0)
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter()
            .map(
                |(numero, contenu, partenaire, caisse, effet, reference, par, horodatage)| {
                    Ok(VersionRecord {
                        numero,
                        contenu: parse_json("convention_versions.contenu", &contenu)?,
                        signe_partenaire_le: parse_date(
                            "convention_versions.signe_partenaire_le",
                            &partenaire,
                        )?,
                        signe_caisse_le: parse_date("convention_versions.signe_caisse_le", &caisse)?,
                        effet_le: parse_date("convention_versions.effet_le", &effet)?,
                        reference,
                        par,
                        horodatage: parse_instant("convention_versions.horodatage", &horodatage)?,
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
        let mut tx = self.begin_write().await?;
        for v in versions {
            let contenu =
                serde_json::to_string(&v.contenu).map_err(|e| StoreError::Backend(e.to_string()))?;
            let written = sqlx::query(
                "INSERT INTO convention_versions (convention_id, numero, contenu, signe_partenaire_le,
                     signe_caisse_le, effet_le, reference, par, horodatage)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (convention_id, numero) DO NOTHING",
            )
            .bind(convention.0)
            .bind(v.numero)
            .bind(contenu)
            .bind(date(v.signe_partenaire_le))
            .bind(date(v.signe_caisse_le))
            .bind(date(v.effet_le))
            .bind(&v.reference)
            .bind(&v.par)
            .bind(instant(v.horodatage))
            .execute(&mut *tx)
            .await
            .db()?;
            if written.rows_affected() != 1 {
                tx.rollback().await.db()?;
                return Ok(false);
            }
        }
        if let Some(last) = versions.last() {
            sqlx::query(
                "UPDATE conventions SET bouquets = ?, plafond_habilitations = ?, gestion = ?, departements = ?
                 WHERE id = ?",
            )
            .bind(json_list(last.contenu.bouquets.iter().map(|b| b.code())))
            .bind(last.contenu.plafond_habilitations.map(i64::from))
            .bind(last.contenu.gestion.as_deref())
            // Not narrowed (NULL) when the version lists no département.
            .bind(Some(&last.contenu.departements).filter(|d| !d.is_empty()).map(json_list))
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
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO convention_violations (convention_id, notifiee_le, description, documents, par, horodatage)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(convention.0)
        .bind(date(v.notifiee_le))
        .bind(&v.description)
        .bind(json_list(&v.documents))
        .bind(&v.par)
        .bind(instant(v.horodatage))
        .execute(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(())
    }

    async fn violations(&self, convention: ConventionId) -> Result<Vec<ViolationRecord>, StoreError> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT notifiee_le, description, documents, par, horodatage FROM convention_violations
             WHERE convention_id = ? ORDER BY notifiee_le, id",
        )
        .bind(convention.0)
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter()
            .map(|(notifiee_le, description, documents, par, horodatage)| {
                Ok(ViolationRecord {
                    notifiee_le: parse_date("convention_violations.notifiee_le", &notifiee_le)?,
                    description,
                    documents: parse_json("convention_violations.documents", &documents)?,
                    par,
                    horodatage: parse_instant("convention_violations.horodatage", &horodatage)?,
                })
            })
            .collect()
    }

    async fn record_sous_traitant(
        &self,
        convention: ConventionId,
        s: &SousTraitantRecord,
    ) -> Result<(), StoreError> {
        let d = &s.declaration;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO convention_sous_traitants (convention_id, nom, localisation_prestataires,
                 localisation_bases, regime_juridique, taches, declare_le, debut_le, par, horodatage)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(convention.0)
        .bind(&d.nom)
        .bind(&d.localisation_prestataires)
        .bind(&d.localisation_bases)
        .bind(&d.regime_juridique)
        .bind(&d.taches)
        .bind(date(d.declare_le))
        .bind(date(d.debut_le))
        .bind(&s.par)
        .bind(instant(s.horodatage))
        .execute(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(())
    }

    async fn sous_traitants(&self, convention: ConventionId) -> Result<Vec<SousTraitantRecord>, StoreError> {
        type R = (
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
        );
        let rows: Vec<R> = sqlx::query_as(
            "SELECT nom, localisation_prestataires, localisation_bases, regime_juridique, taches, declare_le,
                 debut_le, par, horodatage
             FROM convention_sous_traitants WHERE convention_id = ? ORDER BY declare_le, id",
        )
        .bind(convention.0)
        .fetch_all(&self.readers)
        .await
        .db()?;
        rows.into_iter()
            .map(
                |(nom, prestataires, bases, regime, taches, declare_le, debut_le, par, horodatage)| {
                    Ok(SousTraitantRecord {
                        declaration: SousTraitant {
                            nom,
                            localisation_prestataires: prestataires,
                            localisation_bases: bases,
                            regime_juridique: regime,
                            taches,
                            declare_le: parse_date("convention_sous_traitants.declare_le", &declare_le)?,
                            debut_le: parse_date("convention_sous_traitants.debut_le", &debut_le)?,
                        },
                        par,
                        horodatage: parse_instant("convention_sous_traitants.horodatage", &horodatage)?,
                    })
                },
            )
            .collect()
    }

    async fn record_attestation(
        &self,
        convention: ConventionId,
        a: &AttestationRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let written = sqlx::query(
            "INSERT INTO convention_attestations (convention_id, nature, attestee_le, reference, par, horodatage)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (convention_id) DO NOTHING",
        )
        .bind(convention.0)
        .bind(a.attestation.nature.code())
        .bind(date(a.attestation.attestee_le))
        .bind(&a.attestation.reference)
        .bind(&a.par)
        .bind(instant(a.horodatage))
        .execute(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(written.rows_affected() == 1)
    }

    async fn attestation(&self, convention: ConventionId) -> Result<Option<AttestationRecord>, StoreError> {
        let row: Option<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT nature, attestee_le, reference, par, horodatage FROM convention_attestations
             WHERE convention_id = ?",
        )
        .bind(convention.0)
        .fetch_optional(&self.readers)
        .await
        .db()?;
        row.map(|(nature, attestee_le, reference, par, horodatage)| {
            Ok(AttestationRecord {
                attestation: Attestation {
                    nature: NatureAttestation::parse(&nature).ok_or_else(|| {
                        partage_store::codec::corrupt("convention_attestations.nature", &nature)
                    })?,
                    attestee_le: parse_date("convention_attestations.attestee_le", &attestee_le)?,
                    reference,
                },
                par,
                horodatage: parse_instant("convention_attestations.horodatage", &horodatage)?,
            })
        })
        .transpose()
    }
}
