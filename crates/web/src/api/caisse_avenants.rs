//! A convention's versions and avenants through the back office's API (SPEC CV-7): the history of
//! versions, and an avenant signed by both parties recorded as the next version; and the partner's
//! data-breach notifications (CV-11) and declared sub-contractors (CV-9).

use super::caisse::StaffBearer;
use super::caisse_conventions::jour;
use crate::error::ApiError;
use crate::extract::{Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use partage_app::avenants::{SousTraitantRecord, VersionRecord, ViolationRecord};
use partage_app::AppError;
use partage_domain::avenants::{Avenant, Contenu, SousTraitant, Violation};
use partage_domain::Bouquet;
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/caisse/conventions/{numero}/versions",
            get(versions).post(avenant),
        )
        .route(
            "/api/v1/caisse/conventions/{numero}/violations",
            get(violations).post(violation),
        )
        .route(
            "/api/v1/caisse/conventions/{numero}/sous-traitants",
            get(sous_traitants).post(sous_traitant),
        )
}

fn vue(versions: Vec<VersionRecord>) -> Value {
    Value::Array(
        versions
            .into_iter()
            .map(|v| {
                json!({
                    "numero": v.numero,
                    "bouquets": v.contenu.bouquets.iter().map(|b| b.code()).collect::<Vec<_>>(),
                    "departements": v.contenu.departements,
                    "plafond_habilitations": v.contenu.plafond_habilitations,
                    "gestion": v.contenu.gestion,
                    "annexes": v.contenu.annexes,
                    "signe_partenaire_le": v.signe_partenaire_le,
                    "signe_caisse_le": v.signe_caisse_le,
                    "effet_le": v.effet_le,
                    "reference": v.reference,
                    "par": v.par,
                    "horodatage": v.horodatage,
                })
            })
            .collect(),
    )
}

async fn versions(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(vue(state
        .app
        .versions_convention(&staff, &numero, &source)
        .await?)))
}

#[derive(Debug)]
pub(crate) struct AvenantRecu {
    bouquets: Vec<String>,
    departements: Vec<String>,
    plafond: Option<u32>,
    gestion: Option<String>,
    annexes: Vec<String>,
    signe_partenaire_le: String,
    signe_caisse_le: String,
    reference: String,
}

impl FromJson for AvenantRecu {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let bouquets = c.liste_de_textes("bouquets");
        let departements = c.liste_de_textes("departements");
        let plafond = c.entier("plafond_habilitations");
        let gestion = c.texte_optionnel("gestion");
        let annexes = c.liste_de_textes("annexes");
        let partenaire = c.texte("signe_partenaire_le");
        let caisse = c.texte("signe_caisse_le");
        let reference = c.texte("reference");
        Some(AvenantRecu {
            bouquets: bouquets?,
            departements: departements?,
            plafond: plafond.ok()?,
            gestion: gestion.ok()?,
            annexes: annexes?,
            signe_partenaire_le: partenaire?,
            signe_caisse_le: caisse?,
            reference: reference?,
        })
    }
}

impl AvenantRecu {
    fn lire(self) -> Result<Avenant, AppError> {
        let mut erreurs = Vec::new();
        let partenaire = jour("signe_partenaire_le", &self.signe_partenaire_le).map_err(|e| erreurs.push(e));
        let caisse = jour("signe_caisse_le", &self.signe_caisse_le).map_err(|e| erreurs.push(e));
        let mut bouquets = Vec::new();
        for code in &self.bouquets {
            match Bouquet::parse(code) {
                Some(b) => bouquets.push(b),
                None => erreurs.push(format!(
                    "bouquet inconnu « {} »",
                    code.chars().take(20).collect::<String>()
                )),
            }
        }
        match (partenaire, caisse) {
            (Ok(signe_partenaire_le), Ok(signe_caisse_le)) if erreurs.is_empty() => Ok(Avenant {
                contenu: Contenu {
                    bouquets,
                    departements: self.departements,
                    plafond_habilitations: self.plafond,
                    gestion: self.gestion,
                    annexes: self.annexes,
                },
                signe_partenaire_le,
                signe_caisse_le,
                reference: self.reference,
            }),
            _ => Err(AppError::RequeteInvalide(erreurs.join(" ; "))),
        }
    }
}

async fn avenant(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
    JsonBody(body): JsonBody<AvenantRecu>,
) -> Result<Json<Value>, ApiError> {
    let avenant = body.lire()?;
    Ok(Json(vue(state
        .app
        .enregistrer_avenant(&staff, &numero, avenant, &source)
        .await?)))
}

fn vue_violations(v: Vec<ViolationRecord>) -> Value {
    Value::Array(
        v.into_iter()
            .map(|v| {
                json!({
                    "notifiee_le": v.notifiee_le,
                    "description": v.description,
                    "documents": v.documents,
                    "par": v.par,
                    "horodatage": v.horodatage,
                })
            })
            .collect(),
    )
}

async fn violations(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(vue_violations(
        state.app.violations_convention(&staff, &numero, &source).await?,
    )))
}

#[derive(Debug)]
pub(crate) struct ViolationRecue {
    notifiee_le: String,
    description: String,
    documents: Vec<String>,
}

impl FromJson for ViolationRecue {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let notifiee_le = c.texte("notifiee_le");
        let description = c.texte("description");
        let documents = c.liste_de_textes("documents");
        Some(ViolationRecue {
            notifiee_le: notifiee_le?,
            description: description?,
            documents: documents?,
        })
    }
}

async fn violation(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
    JsonBody(body): JsonBody<ViolationRecue>,
) -> Result<Json<Value>, ApiError> {
    let notifiee_le = jour("notifiee_le", &body.notifiee_le).map_err(AppError::RequeteInvalide)?;
    let v = Violation {
        notifiee_le,
        description: body.description,
        documents: body.documents,
    };
    Ok(Json(vue_violations(
        state
            .app
            .enregistrer_violation(&staff, &numero, v, &source)
            .await?,
    )))
}

fn vue_sous_traitants(v: Vec<SousTraitantRecord>) -> Value {
    Value::Array(
        v.into_iter()
            .map(|s| {
                let d = s.declaration;
                json!({
                    "nom": d.nom,
                    "localisation_prestataires": d.localisation_prestataires,
                    "localisation_bases": d.localisation_bases,
                    "regime_juridique": d.regime_juridique,
                    "taches": d.taches,
                    "declare_le": d.declare_le,
                    "debut_le": d.debut_le,
                    "par": s.par,
                    "horodatage": s.horodatage,
                })
            })
            .collect(),
    )
}

async fn sous_traitants(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(vue_sous_traitants(
        state
            .app
            .sous_traitants_convention(&staff, &numero, &source)
            .await?,
    )))
}

#[derive(Debug)]
pub(crate) struct SousTraitantRecu {
    textes: [String; 5],
    declare_le: String,
    debut_le: String,
}

const CHAMPS_SOUS_TRAITANT: [&str; 5] = [
    "nom",
    "localisation_prestataires",
    "localisation_bases",
    "regime_juridique",
    "taches",
];

impl FromJson for SousTraitantRecu {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let textes = CHAMPS_SOUS_TRAITANT.map(|nom| c.texte(nom));
        let declare_le = c.texte("declare_le");
        let debut_le = c.texte("debut_le");
        let [a, b, d, e, f] = textes;
        Some(SousTraitantRecu {
            textes: [a?, b?, d?, e?, f?],
            declare_le: declare_le?,
            debut_le: debut_le?,
        })
    }
}

async fn sous_traitant(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
    JsonBody(body): JsonBody<SousTraitantRecu>,
) -> Result<Json<Value>, ApiError> {
    let declare_le = jour("declare_le", &body.declare_le);
    let debut_le = jour("debut_le", &body.debut_le);
    let (declare_le, debut_le) = match (declare_le, debut_le) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            let erreurs: Vec<String> = [a.err(), b.err()].into_iter().flatten().collect();
            return Err(AppError::RequeteInvalide(erreurs.join(" ; ")).into());
        }
    };
    let [nom, localisation_prestataires, localisation_bases, regime_juridique, taches] = body.textes;
    let declaration = SousTraitant {
        nom,
        localisation_prestataires,
        localisation_bases,
        regime_juridique,
        taches,
        declare_le,
        debut_le,
    };
    Ok(Json(vue_sous_traitants(
        state
            .app
            .declarer_sous_traitant(&staff, &numero, declaration, &source)
            .await?,
    )))
}

pub(crate) fn documenter(doc: &mut Value) {
    use super::openapi::{corps_json, probleme, reponses};
    use super::openapi_caisse::{ajouter, erreurs_personnel, json_de};
    let numero =
        json!([{ "name": "numero", "in": "path", "required": true, "schema": { "type": "string" } }]);
    let erreurs = || {
        let mut v = erreurs_personnel("conventions");
        v.push((
            "404",
            probleme("Aucune convention de ce numéro dans la caisse.", &["introuvable"]),
        ));
        v
    };
    // A refused body: the common 400 replaced by the call's own reasons.
    let erreurs_corps = |description: &str| {
        let mut v = erreurs();
        v.retain(|(s, _)| *s != "400");
        v.push(("400", probleme(description, &["requete_invalide"])));
        v
    };
    let mut erreurs_avenant = erreurs();
    // Changing the gestion mode is a sensitive act (AU-4): its 403 also says the password must be fresh.
    erreurs_avenant.retain(|(s, _)| *s != "403");
    erreurs_avenant.extend(
        super::openapi_caisse::erreurs_acte_sensible("conventions")
            .into_iter()
            .filter(|(s, _)| *s == "403"),
    );
    erreurs_avenant.push((
        "409",
        probleme(
            "Un autre avenant vient d'être enregistré.",
            &["transition_refusee"],
        ),
    ));
    erreurs_avenant.push((
        "422",
        probleme(
            "Avenant refusé : signature dans le futur, mode de gestion inconnu, plafond au-delà du maximum, \
             aucun bouquet, ou rien de changé (une période de test ou d'expérimentation n'a pas besoin d'avenant).",
            &["avenant_refuse"],
        ),
    ));
    ajouter(
        doc,
        "paths",
        json!({
            "/api/v1/caisse/conventions/{numero}/versions": {
                "get": {
                    "operationId": "versionsConvention",
                    "summary": "Les versions d'une convention, la plus ancienne d'abord (CV-7, rôle conventions)",
                    "description": "La version 1 est la convention importée ; chaque avenant apporte la suivante.",
                    "tags": ["caisse"],
                    "parameters": numero,
                    "responses": reponses(("200", json_de("Les versions.", "VersionsConvention")), erreurs())
                },
                "post": {
                    "operationId": "enregistrerAvenant",
                    "summary": "Enregistrer un avenant signé des deux parties comme version suivante (CV-7, rôle conventions)",
                    "description": "L'avenant prend effet à la seconde signature ; ses bouquets, son plafond et son \
                        mode de gestion s'appliquent à la convention dans la même transaction. Changer le mode de \
                        gestion est un acte sensible (mot de passe saisi dans les 10 dernières minutes), comme \
                        directement. Un refus n'écrit rien.",
                    "tags": ["caisse"],
                    "parameters": numero,
                    "requestBody": corps_json("Avenant"),
                    "responses": reponses(
                        ("200", json_de("Les versions, la nouvelle en dernier.", "VersionsConvention")),
                        erreurs_avenant
                    )
                }
            },
            "/api/v1/caisse/conventions/{numero}/sous-traitants": {
                "get": {
                    "operationId": "sousTraitantsConvention",
                    "summary": "Les sous-traitants déclarés par le partenaire sur une convention (CV-9, rôle conventions)",
                    "tags": ["caisse"],
                    "parameters": numero,
                    "responses": reponses(("200", json_de("Les sous-traitants, le plus ancien déclaré d'abord.", "SousTraitants")), erreurs())
                },
                "post": {
                    "operationId": "declarerSousTraitant",
                    "summary": "Enregistrer un sous-traitant déclaré par le partenaire, au moins six mois avant son début (CV-9, rôle conventions)",
                    "tags": ["caisse"],
                    "parameters": numero,
                    "requestBody": corps_json("SousTraitant"),
                    "responses": reponses(
                        ("200", json_de("Les sous-traitants de la convention.", "SousTraitants")),
                        erreurs_corps("Corps mal formé, champ vide, déclaration dans le futur ou moins de six mois avant le début.")
                    )
                }
            },
            "/api/v1/caisse/conventions/{numero}/violations": {
                "get": {
                    "operationId": "violationsConvention",
                    "summary": "Les notifications de violation de données du partenaire sur une convention (CV-11, rôle conventions)",
                    "tags": ["caisse"],
                    "parameters": numero,
                    "responses": reponses(("200", json_de("Les notifications, la plus ancienne d'abord.", "ViolationsDonnees")), erreurs())
                },
                "post": {
                    "operationId": "enregistrerViolation",
                    "summary": "Enregistrer une notification de violation de données du partenaire, avec ses documents (CV-11, rôle conventions)",
                    "tags": ["caisse"],
                    "parameters": numero,
                    "requestBody": corps_json("ViolationDonnees"),
                    "responses": reponses(
                        ("200", json_de("Les notifications de la convention.", "ViolationsDonnees")),
                        erreurs_corps("Corps mal formé, date dans le futur, description ou document manquant.")
                    )
                }
            }
        }),
    );
    let textes = json!({ "type": "array", "items": { "type": "string" } });
    let date = json!({ "type": "string", "format": "date" });
    let plafond = json!({ "type": ["integer", "null"], "minimum": 0 });
    let gestion = json!({ "type": ["string", "null"], "description": "centralisee ou deleguee ; null : le défaut du régime." });
    let schemas = json!({
        "Avenant": {
            "type": "object",
            "required": ["bouquets", "departements", "annexes", "signe_partenaire_le", "signe_caisse_le", "reference"],
            "additionalProperties": false,
            "properties": {
                "bouquets": textes,
                "departements": {
                    "type": "array", "items": { "type": "string" },
                    "description": "Codes de départements de la caisse auxquels la convention restreint ses accès \
                        (TEN-3) : un dossier doit être à la fois dans les départements du partenaire et dans \
                        ceux-ci ; vide : la compétence du partenaire."
                },
                "plafond_habilitations": plafond,
                "gestion": gestion,
                "annexes": textes,
                "signe_partenaire_le": date,
                "signe_caisse_le": date,
                "reference": { "type": "string", "description": "Référence du document de l'avenant." }
            }
        },
        "SousTraitant": {
            "type": "object",
            "required": ["nom", "localisation_prestataires", "localisation_bases", "regime_juridique", "taches",
                "declare_le", "debut_le"],
            "additionalProperties": false,
            "properties": {
                "nom": { "type": "string" },
                "localisation_prestataires": { "type": "string" },
                "localisation_bases": { "type": "string" },
                "regime_juridique": { "type": "string" },
                "taches": { "type": "string" },
                "declare_le": date,
                "debut_le": { "type": "string", "format": "date", "description": "Six mois au moins après la déclaration." }
            }
        },
        "SousTraitants": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["nom", "localisation_prestataires", "localisation_bases", "regime_juridique", "taches",
                    "declare_le", "debut_le", "par", "horodatage"],
                "additionalProperties": false,
                "properties": {
                    "nom": { "type": "string" },
                    "localisation_prestataires": { "type": "string" },
                    "localisation_bases": { "type": "string" },
                    "regime_juridique": { "type": "string" },
                    "taches": { "type": "string" },
                    "declare_le": date,
                    "debut_le": date,
                    "par": { "type": "string" },
                    "horodatage": { "type": "string", "format": "date-time" }
                }
            }
        },
        "ViolationDonnees": {
            "type": "object",
            "required": ["notifiee_le", "description", "documents"],
            "additionalProperties": false,
            "properties": {
                "notifiee_le": date,
                "description": { "type": "string" },
                "documents": { "type": "array", "minItems": 1, "items": { "type": "string" },
                    "description": "Références des documents reçus." }
            }
        },
        "ViolationsDonnees": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["notifiee_le", "description", "documents", "par", "horodatage"],
                "additionalProperties": false,
                "properties": {
                    "notifiee_le": date,
                    "description": { "type": "string" },
                    "documents": textes,
                    "par": { "type": "string" },
                    "horodatage": { "type": "string", "format": "date-time" }
                }
            }
        },
        "VersionsConvention": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["numero", "bouquets", "departements", "plafond_habilitations", "gestion", "annexes",
                    "signe_partenaire_le", "signe_caisse_le", "effet_le", "reference", "par", "horodatage"],
                "additionalProperties": false,
                "properties": {
                    "numero": { "type": "integer", "minimum": 1 },
                    "bouquets": textes,
                    "departements": textes,
                    "plafond_habilitations": plafond,
                    "gestion": gestion,
                    "annexes": textes,
                    "signe_partenaire_le": date,
                    "signe_caisse_le": date,
                    "effet_le": date,
                    "reference": { "type": "string" },
                    "par": { "type": "string" },
                    "horodatage": { "type": "string", "format": "date-time" }
                }
            }
        }
    });
    if let Some(components) = doc.get_mut("components") {
        ajouter(components, "schemas", schemas);
    }
}
