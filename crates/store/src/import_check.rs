//! The reference checks of `Store::import`, shared by every backend so that both refuse the same lines with
//! the same words (the contract suite compares the messages).
//!
//! A backend writes an import layer by layer (caisses, partners, conventions, users, dossiers) in one
//! transaction. Before each layer it loads what the transaction already holds, which includes the layers
//! written before it, and hands that here; these functions check the layer's references against it, collect
//! every bad line as a `LineError`, and give back the rows to write, keyed by row ids. No SQL here: loading
//! and writing stay in the backends.

use crate::{
    BaremeRecord, CaisseRecord, ConventionRecord, DossierRecord, HabilitationRecord, ImportCounts,
    ImportError, ImportRecord, LineError, NumberedRecord, PartenaireRecord, UtilisateurRecord,
};
use partage_domain::rsa::Circonscription;
use partage_domain::Bouquet;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::Hash;

/// The records of a file sorted by kind, each with its line.
#[derive(Debug, Default)]
pub struct Batch {
    pub caisses: Vec<(usize, CaisseRecord)>,
    pub partenaires: Vec<(usize, PartenaireRecord)>,
    pub conventions: Vec<(usize, ConventionRecord)>,
    pub utilisateurs: Vec<(usize, UtilisateurRecord)>,
    pub dossiers: Vec<(usize, DossierRecord)>,
    pub baremes: Vec<(usize, BaremeRecord)>,
}

impl Batch {
    pub fn sort(records: Vec<NumberedRecord>) -> Batch {
        let mut batch = Batch::default();
        for NumberedRecord { ligne, record } in records {
            match record {
                ImportRecord::Caisse(r) => batch.caisses.push((ligne, r)),
                ImportRecord::Partenaire(r) => batch.partenaires.push((ligne, r)),
                ImportRecord::Convention(r) => batch.conventions.push((ligne, r)),
                ImportRecord::Utilisateur(r) => batch.utilisateurs.push((ligne, r)),
                ImportRecord::Dossier(r) => batch.dossiers.push((ligne, r)),
                ImportRecord::BaremePsu(r) => batch.baremes.push((ligne, r)),
            }
        }
        batch
    }

    pub fn counts(&self) -> ImportCounts {
        ImportCounts {
            caisses: self.caisses.len(),
            partenaires: self.partenaires.len(),
            conventions: self.conventions.len(),
            utilisateurs: self.utilisateurs.len(),
            dossiers: self.dossiers.len(),
            baremes_psu: self.baremes.len(),
        }
    }

    /// Caisses whose partners or conventions later layers refer to: the only ones whose partners and
    /// conventions a backend needs to load.
    pub fn caisses_referenced(&self, caisses: &HashMap<String, Caisse>) -> Vec<i64> {
        let codes = self
            .conventions
            .iter()
            .map(|(_, c)| c.caisse.as_str())
            .chain(self.utilisateurs.iter().map(|(_, u)| u.caisse.as_str()));
        let mut ids: Vec<i64> = codes.filter_map(|c| caisses.get(c)).map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// A stored caisse, keyed by its code. Départements are compared as text: the backend has already refused a
/// row whose codes do not parse.
#[derive(Debug)]
pub struct Caisse {
    pub id: i64,
    pub departements: Vec<String>,
}

/// A stored convention, keyed by (caisse id, numéro).
#[derive(Debug)]
pub struct Convention {
    pub id: i64,
    pub partenaire_id: i64,
    /// The partner's numéro de tiers, to name him in a message.
    pub partenaire: String,
    pub bouquets: Vec<Bouquet>,
}

/// A user who passed the checks, ready to write.
#[derive(Debug)]
pub struct Utilisateur<'a> {
    pub caisse_id: i64,
    pub partenaire_id: i64,
    pub record: &'a UtilisateurRecord,
    /// (convention id, habilitation), all checked.
    pub habilitations: Vec<(i64, &'a HabilitationRecord)>,
}

/// Keys are (caisse id, natural key): every natural key is unique within its caisse only.
pub type Keyed<T> = HashMap<(i64, String), T>;

pub fn key(caisse_id: i64, natural: &str) -> (i64, String) {
    (caisse_id, natural.to_owned())
}

/// The last record for each key, where the first one stood: a file that repeats a record means its last
/// version, and one statement must not upsert the same row twice.
pub fn last_by_key<T, K: Eq + Hash>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut position: HashMap<K, usize> = HashMap::with_capacity(items.len());
    let mut kept: Vec<Option<T>> = Vec::with_capacity(items.len());
    for item in items {
        match position.entry(key(&item)) {
            Entry::Occupied(e) => kept[*e.get()] = Some(item),
            Entry::Vacant(e) => {
                e.insert(kept.len());
                kept.push(Some(item));
            }
        }
    }
    kept.into_iter().flatten().collect()
}

/// Partners whose caisse is known and who stay within its départements (TEN-3), with their caisse id.
pub fn partenaires<'a>(
    batch: &'a Batch,
    caisses: &HashMap<String, Caisse>,
    errors: &mut Vec<LineError>,
) -> Vec<(i64, &'a PartenaireRecord)> {
    let mut partenaires = Vec::new();
    for (ligne, p) in &batch.partenaires {
        let Some(caisse) = known_caisse(caisses, *ligne, p.caisse.as_str(), errors) else {
            continue;
        };
        if let Some(hors) = hors_caisse(caisse, p.departements.iter().map(|d| d.as_str())) {
            errors.push(refuse(
                *ligne,
                "departements",
                format!(
                    "département(s) {hors} hors de la caisse {} (qui gère : {})",
                    p.caisse,
                    caisse.departements.join(", ")
                ),
            ));
            continue;
        }
        partenaires.push((caisse.id, p));
    }
    partenaires
}

/// Conventions whose caisse and partner are known and that do not change partner, with their caisse and
/// partner ids. `before` holds the conventions stored before this layer is written.
pub fn conventions<'a>(
    batch: &'a Batch,
    caisses: &HashMap<String, Caisse>,
    partenaires: &Keyed<i64>,
    before: &Keyed<Convention>,
    errors: &mut Vec<LineError>,
) -> Vec<(i64, i64, &'a ConventionRecord)> {
    let mut conventions = Vec::new();
    for (ligne, c) in &batch.conventions {
        let Some(caisse) = known_caisse(caisses, *ligne, c.caisse.as_str(), errors) else {
            continue;
        };
        let Some(&partenaire_id) = partenaires.get(&key(caisse.id, c.partenaire.as_str())) else {
            errors.push(unknown_partner(*ligne, c.partenaire.as_str(), c.caisse.as_str()));
            continue;
        };
        let convention_hors = c
            .departements
            .as_ref()
            .and_then(|d| hors_caisse(caisse, d.iter().map(|d| d.as_str())));
        if let Some(hors) = convention_hors {
            errors.push(refuse(
                *ligne,
                "departements",
                format!(
                    "département(s) {hors} hors de la caisse {} (qui gère : {})",
                    c.caisse,
                    caisse.departements.join(", ")
                ),
            ));
            continue;
        }
        let numero = c.convention.numero.as_str();
        if let Some(old) = before.get(&key(caisse.id, numero)) {
            // CV-1: a convention binds one partner; handing it to another would hand over its
            // habilitations too.
            if old.partenaire_id != partenaire_id {
                errors.push(refuse(
                    *ligne,
                    "partenaire",
                    format!(
                        "la convention « {numero} » est déjà enregistrée pour le partenaire « {} »",
                        old.partenaire
                    ),
                ));
                continue;
            }
        }
        conventions.push((caisse.id, partenaire_id, c));
    }
    conventions
}

/// Users whose caisse and partner are known and whose every habilitation is a bouquet opened by one of
/// their partner's conventions. `conventions` holds the conventions stored once this import's are written.
/// An RSACG habilitation reaches only circonscriptions of its partner (CO-3): `circonscriptions` holds each
/// partner's, by partner id, as stored once this import's partners are written.
pub fn utilisateurs<'a>(
    batch: &'a Batch,
    caisses: &HashMap<String, Caisse>,
    partenaires: &Keyed<i64>,
    circonscriptions: &HashMap<i64, Vec<Circonscription>>,
    conventions: &Keyed<Convention>,
    errors: &mut Vec<LineError>,
) -> Vec<Utilisateur<'a>> {
    let mut utilisateurs = Vec::new();
    for (ligne, u) in &batch.utilisateurs {
        let Some(caisse) = known_caisse(caisses, *ligne, u.caisse.as_str(), errors) else {
            continue;
        };
        let Some(&partenaire_id) = partenaires.get(&key(caisse.id, u.partenaire.as_str())) else {
            errors.push(unknown_partner(*ligne, u.partenaire.as_str(), u.caisse.as_str()));
            continue;
        };
        let mut habilitations = Vec::with_capacity(u.habilitations.len());
        let mut valid = true;
        for h in &u.habilitations {
            let numero = h.convention.as_str();
            let du_partenaire = circonscriptions
                .get(&partenaire_id)
                .map_or(&[][..], Vec::as_slice);
            let hors: Vec<String> = h
                .circonscriptions
                .iter()
                .filter(|c| !du_partenaire.contains(c))
                .map(ToString::to_string)
                .collect();
            let raison = match conventions.get(&key(caisse.id, numero)) {
                None => format!("convention « {numero} » inconnue dans la caisse {}", u.caisse),
                Some(c) if c.partenaire_id != partenaire_id => format!(
                    "la convention « {numero} » est celle du partenaire « {} », pas de « {} »",
                    c.partenaire, u.partenaire
                ),
                Some(c) if !c.bouquets.contains(&h.bouquet) => format!(
                    "la convention « {numero} » n'ouvre pas le bouquet {}",
                    h.bouquet.code()
                ),
                Some(_) if !hors.is_empty() => format!(
                    "circonscription(s) {} hors de celles du partenaire « {} » (CO-3)",
                    hors.join(", "),
                    u.partenaire
                ),
                Some(c) => {
                    habilitations.push((c.id, h));
                    continue;
                }
            };
            valid = false;
            errors.push(refuse(*ligne, "habilitations", raison));
        }
        if valid {
            utilisateurs.push(Utilisateur {
                caisse_id: caisse.id,
                partenaire_id,
                record: u,
                habilitations,
            });
        }
    }
    utilisateurs
}

/// Dossiers whose caisse is known and manages their département, with their caisse id. Empty as soon as
/// `errors` holds anything, this layer's or an earlier one's.
/// The PSU barèmes of the file, one stored document per caisse (its id), replacing what it held. The
/// application has already refused overlapping periods of one caisse.
pub fn baremes(
    batch: &Batch,
    caisses: &HashMap<String, Caisse>,
    errors: &mut Vec<LineError>,
) -> Vec<(i64, String)> {
    let mut par_caisse: HashMap<i64, Vec<&partage_domain::bareme::BaremePsu>> = HashMap::new();
    for (ligne, b) in &batch.baremes {
        if let Some(caisse) = known_caisse(caisses, *ligne, b.caisse.as_str(), errors) {
            par_caisse.entry(caisse.id).or_default().push(&b.bareme);
        }
    }
    let mut documents: Vec<(i64, String)> = par_caisse
        .into_iter()
        .map(|(id, baremes)| (id, crate::baremes::encode(&baremes)))
        .collect();
    documents.sort_unstable();
    documents
}

pub fn dossiers<'a>(
    batch: &'a Batch,
    caisses: &HashMap<String, Caisse>,
    errors: &mut Vec<LineError>,
) -> Vec<(i64, &'a DossierRecord)> {
    let mut dossiers = Vec::new();
    for (ligne, d) in &batch.dossiers {
        let Some(caisse) = known_caisse(caisses, *ligne, d.caisse.as_str(), errors) else {
            continue;
        };
        let departement = d.dossier.departement.as_str();
        if hors_caisse(caisse, [departement]).is_some() {
            errors.push(refuse(
                *ligne,
                "departement",
                format!(
                    "département {departement} hors de la caisse {} (qui gère : {})",
                    d.caisse,
                    caisse.departements.join(", ")
                ),
            ));
            continue;
        }
        // Past the first error the file is refused anyway: check the rest, write none of it.
        if errors.is_empty() {
            dossiers.push((caisse.id, d));
        }
    }
    dossiers
}

/// The import's verdict once every layer is checked: any bad line refuses the whole file, its errors in
/// line order.
pub fn verdict(mut errors: Vec<LineError>) -> Result<(), ImportError> {
    if errors.is_empty() {
        return Ok(());
    }
    errors.sort_by_key(|e| e.ligne);
    Err(ImportError::Refused(errors))
}

fn refuse(ligne: usize, champ: &str, raison: String) -> LineError {
    LineError {
        ligne,
        champ: champ.to_owned(),
        raison,
    }
}

fn known_caisse<'a>(
    caisses: &'a HashMap<String, Caisse>,
    ligne: usize,
    code: &str,
    errors: &mut Vec<LineError>,
) -> Option<&'a Caisse> {
    let caisse = caisses.get(code);
    if caisse.is_none() {
        errors.push(refuse(
            ligne,
            "caisse",
            format!("caisse « {code} » inconnue : ni dans le fichier ni déjà enregistrée"),
        ));
    }
    caisse
}

fn unknown_partner(ligne: usize, tiers: &str, caisse: &str) -> LineError {
    refuse(
        ligne,
        "partenaire",
        format!(
            "partenaire « {tiers} » inconnu dans la caisse {caisse} : ni dans le fichier ni déjà enregistré"
        ),
    )
}

/// Départements outside the caisse's, or `None` when all are the caisse's (TEN-3).
fn hors_caisse<'a>(caisse: &Caisse, departements: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let hors: Vec<&str> = departements
        .into_iter()
        .filter(|d| !caisse.departements.iter().any(|c| c == d))
        .collect();
    (!hors.is_empty()).then(|| hors.join(", "))
}
