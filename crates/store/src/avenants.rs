//! A convention's recorded versions (SPEC CV-7). Until its first avenant, a convention's only version is
//! the convention as imported, read from it; the first avenant stores that version 1 with version 2. Each
//! version is keyed by (convention, numero) so that two staff members recording an avenant at once cannot
//! both write the same version. Recording versions also writes the last one's bouquets, cap of habilitations
//! and gestion mode on the live convention, in the same transaction.

use crate::cycles::ConventionId;
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use partage_domain::avenants::{Attestation, Contenu, SousTraitant};

/// One version brought by an avenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    /// 1 for the convention as imported, 2 for the first avenant, then 3…
    pub numero: i64,
    pub contenu: Contenu,
    pub signe_partenaire_le: NaiveDate,
    pub signe_caisse_le: NaiveDate,
    pub effet_le: NaiveDate,
    pub reference: String,
    /// The staff member's identifiant.
    pub par: String,
    pub horodatage: DateTime<Utc>,
}

/// CV-11: a data-breach notification from the partner, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViolationRecord {
    pub notifiee_le: NaiveDate,
    pub description: String,
    pub documents: Vec<String>,
    /// The staff member's identifiant.
    pub par: String,
    pub horodatage: DateTime<Utc>,
}

/// CV-9: a declared sub-contractor, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SousTraitantRecord {
    pub declaration: SousTraitant,
    /// The staff member's identifiant.
    pub par: String,
    pub horodatage: DateTime<Utc>,
}

/// CV-8: the partner's attestation of return or destruction of the data, as recorded. One per convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationRecord {
    pub attestation: Attestation,
    /// The staff member's identifiant.
    pub par: String,
    pub horodatage: DateTime<Utc>,
}

#[async_trait]
pub trait ConventionVersions {
    /// The stored versions, oldest first; empty before the first avenant.
    async fn versions(&self, convention: ConventionId) -> Result<Vec<VersionRecord>, StoreError>;

    /// Stores the versions and writes the last one's bouquets, cap and gestion mode on the convention, in
    /// one transaction; `false`
    /// (nothing written) if one of those version numbers is already taken.
    async fn record_versions(
        &self,
        convention: ConventionId,
        versions: &[VersionRecord],
    ) -> Result<bool, StoreError>;

    /// CV-11: records a data-breach notification on the convention.
    async fn record_violation(&self, convention: ConventionId, v: &ViolationRecord)
        -> Result<(), StoreError>;

    /// CV-11: the convention's data-breach notifications, oldest notified first.
    async fn violations(&self, convention: ConventionId) -> Result<Vec<ViolationRecord>, StoreError>;

    /// CV-9: records a sub-contractor the partner declared on the convention.
    async fn record_sous_traitant(
        &self,
        convention: ConventionId,
        s: &SousTraitantRecord,
    ) -> Result<(), StoreError>;

    /// CV-9: the convention's declared sub-contractors, oldest declared first.
    async fn sous_traitants(&self, convention: ConventionId) -> Result<Vec<SousTraitantRecord>, StoreError>;

    /// CV-8: records the partner's attestation of return or destruction of the data; `false` (nothing
    /// written) if the convention already has one.
    async fn record_attestation(
        &self,
        convention: ConventionId,
        a: &AttestationRecord,
    ) -> Result<bool, StoreError>;

    /// CV-8: the convention's attestation, if recorded.
    async fn attestation(&self, convention: ConventionId) -> Result<Option<AttestationRecord>, StoreError>;
}
