//! The référentiel des tiers through the back office's API (SPEC TEN): list and search, a partner's fiche
//! with its conventions, creation and edit. The same use cases as the pages `/caisse/partenaires…`.

use super::caisse::StaffBearer;
use crate::error::ApiError;
use crate::extract::{Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use partage_app::partenaires::PartenaireDetail;
use partage_app::AppError;
use partage_domain::partenaire::{Categorie, Contact, Fiche, Saisie};
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/caisse/partenaires", get(lister).post(creer))
        .route("/api/v1/caisse/partenaires/{tiers}", get(detail).put(modifier))
}

pub(crate) fn fiche_json(f: &Fiche) -> Value {
    let c = &f.coordonnees;
    json!({
        "numero_tiers": f.numero_tiers.as_str(),
        "nom": f.nom,
        "categorie": f.categorie,
        "categorie_libelle": Categorie::libelle_de(&f.categorie),
        "siret": f.siret.as_str(),
        "adresse": c.adresse,
        "representant": c.representant,
        "fonction_representant": c.fonction_representant,
        "contacts": c.contacts.iter().map(Contact::ligne).collect::<Vec<_>>(),
        "departements": f.departements.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
        "circonscriptions": f.circonscriptions.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "structures": c.structures,
        "document_delegation": c.document_delegation,
    })
}

fn detail_json(d: &PartenaireDetail) -> Value {
    let mut v = fiche_json(&d.fiche);
    v["conventions"] = d
        .conventions
        .iter()
        .map(|(c, cycle)| {
            json!({
                "numero": c.numero.as_str(),
                "bouquets": c.bouquets.iter().map(|b| b.code()).collect::<Vec<_>>(),
                "etat": cycle.etat.code(),
            })
        })
        .collect();
    v
}

/// `?recherche=…`: a part of the name or of the N° tiers.
pub(crate) fn recherche(query: Option<&str>) -> Result<String, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| AppError::RequeteInvalide("paramètres de l'adresse illisibles".into()))?;
    let mut recherche = String::new();
    for (cle, valeur) in pairs {
        match cle.as_str() {
            "recherche" => recherche = valeur,
            autre => {
                return Err(AppError::RequeteInvalide(format!(
                    "paramètre inconnu « {} » (attendu : recherche)",
                    autre.chars().take(30).collect::<String>()
                )))
            }
        }
    }
    Ok(recherche)
}

async fn lister(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let recherche = recherche(query.as_deref())?;
    let liste = state.app.partenaires(&staff, &recherche, &source).await?;
    Ok(Json(
        json!({ "partenaires": liste.iter().map(fiche_json).collect::<Vec<_>>() }),
    ))
}

async fn detail(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(tiers): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let d = state.app.partenaire_detail(&staff, &tiers, &source).await?;
    Ok(Json(detail_json(&d)))
}

/// A fiche as the API takes it; `numero_tiers` only on creation (the path names the partner otherwise).
#[derive(Debug)]
pub(crate) struct FicheRecue(Saisie);

impl FromJson for FicheRecue {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let numero_tiers = c.texte_facultatif("numero_tiers");
        let nom = c.texte("nom");
        let categorie = c.texte("categorie");
        let siret = c.texte("siret");
        let adresse = c.texte("adresse");
        let representant = c.texte("representant");
        let fonction_representant = c.texte("fonction_representant");
        let departements = c.liste_de_textes("departements");
        let facultative = |c: &mut Champs, nom: &str| {
            if c.contient(nom) {
                c.liste_de_textes(nom)
            } else {
                Some(Vec::new())
            }
        };
        let contacts = facultative(c, "contacts");
        let circonscriptions = facultative(c, "circonscriptions");
        let structures = facultative(c, "structures");
        let document_delegation = c.texte_facultatif("document_delegation");
        Some(FicheRecue(Saisie {
            numero_tiers: numero_tiers.unwrap_or_default(),
            nom: nom?,
            categorie: categorie?,
            siret: siret?,
            adresse: adresse?,
            representant: representant?,
            fonction_representant: fonction_representant?,
            contacts: contacts?.iter().map(|l| Contact::depuis_ligne(l)).collect(),
            departements: departements?,
            circonscriptions: circonscriptions?,
            structures: structures?,
            document_delegation: document_delegation.unwrap_or_default(),
        }))
    }
}

async fn creer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(FicheRecue(saisie)): JsonBody<FicheRecue>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let fiche = state.app.creer_partenaire(&staff, &saisie, &source).await?;
    Ok((StatusCode::CREATED, Json(fiche_json(&fiche))))
}

async fn modifier(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(tiers): Path<String>,
    JsonBody(FicheRecue(mut saisie)): JsonBody<FicheRecue>,
) -> Result<Json<Value>, ApiError> {
    if !saisie.numero_tiers.is_empty() && saisie.numero_tiers.trim() != tiers {
        return Err(AppError::RequeteInvalide(
            "le N° tiers ne se modifie pas : il est celui de l'adresse".into(),
        )
        .into());
    }
    saisie.numero_tiers = tiers;
    let fiche = state.app.modifier_partenaire(&staff, &saisie, &source).await?;
    Ok(Json(fiche_json(&fiche)))
}
