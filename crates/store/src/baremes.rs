//! The PSU barème of each caisse (issue #5, the PSU family fee): the periods it imported, kept as one JSON
//! document per caisse so that a re-import replaces them all at once. The document's shape is shared by both
//! backends here; it is checked again when read back.

use crate::{CaisseId, StoreError};
use async_trait::async_trait;
use chrono::NaiveDate;
use partage_domain::bareme::{BaremePsu, TauxEffort, TypeAccueil};
use partage_domain::Euros;
use serde::{Deserialize, Serialize};

#[async_trait]
pub trait Baremes {
    /// The caisse's barèmes, sorted by start date; empty when it imported none.
    async fn baremes_psu(&self, caisse: CaisseId) -> Result<Vec<BaremePsu>, StoreError>;

    /// Replaces the caisse's barèmes by `nouveaux` if they are still `attendus` (what the application read
    /// and checked the new list against), in one transaction; false, writing nothing, when another change
    /// came in between.
    async fn remplacer_baremes_psu(
        &self,
        caisse: CaisseId,
        attendus: &[BaremePsu],
        nouveaux: &[BaremePsu],
    ) -> Result<bool, StoreError>;
}

#[derive(Serialize, Deserialize)]
struct Ligne {
    debut: NaiveDate,
    fin: Option<NaiveDate>,
    plancher_centimes: u64,
    plafond_centimes: u64,
    /// Rates in millionths.
    collectif: Vec<u32>,
    familial: Vec<u32>,
}

/// The stored document of a caisse's barèmes.
pub fn encode(baremes: &[&BaremePsu]) -> String {
    let lignes: Vec<Ligne> = baremes
        .iter()
        .map(|b| Ligne {
            debut: b.debut(),
            fin: b.fin(),
            plancher_centimes: b.plancher_mensuel().centimes(),
            plafond_centimes: b.plafond_mensuel().centimes(),
            collectif: b
                .taux(TypeAccueil::Collectif)
                .iter()
                .map(|t| t.millioniemes())
                .collect(),
            familial: b
                .taux(TypeAccueil::Familial)
                .iter()
                .map(|t| t.millioniemes())
                .collect(),
        })
        .collect();
    // Dates, integers and lists of integers always serialize.
    serde_json::to_string(&lignes).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads a stored document back, refusing one the domain would not accept.
pub fn decode(text: &str) -> Result<Vec<BaremePsu>, StoreError> {
    let corrupt = |e: String| StoreError::Corrupt(format!("baremes_psu.contenu: {e}"));
    let lignes: Vec<Ligne> = serde_json::from_str(text).map_err(|e| corrupt(e.to_string()))?;
    let taux = |v: Vec<u32>| -> Result<Vec<TauxEffort>, StoreError> {
        v.into_iter()
            .map(|t| TauxEffort::from_millioniemes(t).map_err(|e| corrupt(e.to_string())))
            .collect()
    };
    let mut baremes = Vec::with_capacity(lignes.len());
    for l in lignes {
        let b = BaremePsu::new(
            l.debut,
            l.fin,
            Euros::from_centimes(l.plancher_centimes),
            Euros::from_centimes(l.plafond_centimes),
            taux(l.collectif)?,
            taux(l.familial)?,
        )
        .map_err(|e| corrupt(e.to_string()))?;
        baremes.push(b);
    }
    baremes.sort_by_key(BaremePsu::debut);
    Ok(baremes)
}
