//! Abuse detection through the API (SPEC SU-1, CO-5), role `supervision`: the caisse's rules, the analysis
//! of a period, the alert work list, and surveillances.

use super::caisse::StaffBearer;
use super::caisse_supervision::{ligne_csv, parametres, piece_jointe, Levee};
use crate::error::ApiError;
use crate::extract::{Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use partage_app::abus::{Acte, AlerteRecord, ModificationRegles, ReglesVue, SurveillanceRecord};
use partage_app::audit::{ActeDelegueAudite, EtatHabilitation};
use partage_app::AppError;
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/caisse/abus/regles", get(regles).put(modifier_regles))
        .route("/api/v1/caisse/abus/analyse", post(analyse))
        .route("/api/v1/caisse/abus/alertes", get(alertes))
        .route("/api/v1/caisse/abus/alertes/{id}/cloture", post(clore))
        .route(
            "/api/v1/caisse/abus/surveillances",
            get(surveillances).post(surveiller),
        )
        .route("/api/v1/caisse/abus/surveillances/{id}/levee", post(lever))
        .route("/api/v1/caisse/gestion-deleguee/actes", get(actes_delegues))
}

fn regles_json(v: &ReglesVue) -> Value {
    let r = &v.regles;
    json!({
        "facteur_volume": r.facteur_volume,
        "volume_minimum": r.volume_minimum,
        "nuit_debut": r.nuit_debut,
        "nuit_fin": r.nuit_fin,
        "seuil_introuvables": r.seuil_introuvables,
        "seuil_agents_par_dossier": r.seuil_agents_par_dossier,
        "seuil_hors_perimetre": r.seuil_hors_perimetre,
        "par_defaut": v.modifiees.is_none(),
        "modifiees_par": v.modifiees.as_ref().map(|(par, _)| par),
        "modifiees_le": v.modifiees.as_ref().map(|(_, le)| le),
    })
}

fn acte_json(a: &Option<Acte>) -> Value {
    a.as_ref().map_or(
        Value::Null,
        |a| json!({ "par": a.par, "le": a.le, "motif": a.motif }),
    )
}

fn alerte_json(a: &AlerteRecord) -> Value {
    let c = &a.constat;
    json!({
        "id": a.id,
        "regle": c.regle.code(),
        "jour": c.jour,
        "utilisateur": c.utilisateur,
        "partenaire": c.partenaire,
        "matricule": c.matricule,
        "compte": c.compte,
        "seuil": c.seuil,
        "detectee_le": a.detectee_le,
        "cloture": acte_json(&a.close),
    })
}

fn surveillance_json(s: &SurveillanceRecord) -> Value {
    json!({
        "id": s.id,
        "utilisateur": s.utilisateur.as_str(),
        "alerte": s.alerte,
        "motif": s.debut.motif,
        "par": s.debut.par,
        "le": s.debut.le,
        "fin": acte_json(&s.fin),
        "en_cours": s.fin.is_none(),
    })
}

async fn regles(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
) -> Result<Json<Value>, ApiError> {
    let v = state.app.regles_abus(&staff, &source).await?;
    Ok(Json(regles_json(&v)))
}

#[derive(Debug)]
pub(crate) struct DemandeRegles(ModificationRegles);

impl FromJson for DemandeRegles {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let m = ModificationRegles {
            facteur_volume: c.entier("facteur_volume").ok()?,
            volume_minimum: c.entier("volume_minimum").ok()?,
            nuit_debut: c.entier("nuit_debut").ok()?,
            nuit_fin: c.entier("nuit_fin").ok()?,
            seuil_introuvables: c.entier("seuil_introuvables").ok()?,
            seuil_agents_par_dossier: c.entier("seuil_agents_par_dossier").ok()?,
            seuil_hors_perimetre: c.entier("seuil_hors_perimetre").ok()?,
        };
        Some(DemandeRegles(m))
    }
}

async fn modifier_regles(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(DemandeRegles(m)): JsonBody<DemandeRegles>,
) -> Result<Json<Value>, ApiError> {
    let v = state.app.modifier_regles_abus(&staff, m, &source).await?;
    Ok(Json(regles_json(&v)))
}

async fn analyse(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let p = parametres(query.as_deref(), &["du", "au"])?;
    let a = state
        .app
        .analyser_abus(
            &staff,
            p.get("du").map(String::as_str),
            p.get("au").map(String::as_str),
            &source,
        )
        .await?;
    Ok(Json(json!({
        "du": a.du,
        "au": a.au,
        "consultations": a.consultations,
        "constats": a.constats,
        "nouvelles_alertes": a.nouvelles_alertes,
    })))
}

async fn alertes(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let p = parametres(query.as_deref(), &["du", "au", "toutes"])?;
    let toutes = match p.get("toutes").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(AppError::RequeteInvalide("toutes : true ou false".into()).into()),
    };
    let liste = state
        .app
        .alertes_abus(
            &staff,
            p.get("du").map(String::as_str),
            p.get("au").map(String::as_str),
            toutes,
            &source,
        )
        .await?;
    Ok(Json(Value::Array(liste.iter().map(alerte_json).collect())))
}

#[derive(Debug)]
pub(crate) struct Cloture {
    commentaire: String,
}

impl FromJson for Cloture {
    fn from_json(c: &mut Champs) -> Option<Self> {
        Some(Cloture {
            commentaire: c.texte("commentaire")?,
        })
    }
}

async fn clore(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Cloture>,
) -> Result<Json<Value>, ApiError> {
    // An id that is not a number names no alert: the same answer as an unknown one.
    let id = id.parse::<i64>().unwrap_or(-1);
    let a = state
        .app
        .clore_alerte(&staff, id, &body.commentaire, &source)
        .await?;
    Ok(Json(alerte_json(&a)))
}

#[derive(Debug)]
pub(crate) struct DemandeSurveillance {
    utilisateur: String,
    alerte: Option<i64>,
    motif: String,
}

impl FromJson for DemandeSurveillance {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let utilisateur = c.texte("utilisateur");
        let alerte = c.entier("alerte");
        let motif = c.texte("motif");
        Some(DemandeSurveillance {
            utilisateur: utilisateur?,
            alerte: alerte.ok()?,
            motif: motif?,
        })
    }
}

async fn surveiller(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(body): JsonBody<DemandeSurveillance>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let s = state
        .app
        .mettre_sous_surveillance(&staff, &body.utilisateur, body.alerte, &body.motif, &source)
        .await?;
    Ok((StatusCode::CREATED, Json(surveillance_json(&s))))
}

async fn surveillances(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
) -> Result<Json<Value>, ApiError> {
    let liste = state.app.surveillances(&staff, &source).await?;
    Ok(Json(Value::Array(liste.iter().map(surveillance_json).collect())))
}

async fn lever(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Levee>,
) -> Result<Json<Value>, ApiError> {
    let id = id.parse::<i64>().unwrap_or(-1);
    let s = state
        .app
        .lever_surveillance(&staff, id, &body.motif, &source)
        .await?;
    Ok(Json(surveillance_json(&s)))
}

/// The columns of the audit of delegated management, in the order of the CSV export; the JSON uses the same
/// names.
const COLONNES_ACTES: [&str; 11] = [
    "numero_trace",
    "horodatage",
    "administrateur",
    "partenaire",
    "nature",
    "convention",
    "bouquet",
    "agent",
    "resultat",
    "avant",
    "apres",
];

/// A habilitation's state in one CSV field: `statut=actif;habilitation=active;profil=…`, empty when there is none.
fn etat_texte(e: Option<&EtatHabilitation>) -> String {
    e.map(|e| {
        e.champs()
            .into_iter()
            .map(|(nom, v)| format!("{nom}={v}"))
            .collect::<Vec<_>>()
            .join(";")
    })
    .unwrap_or_default()
}

/// A habilitation's state in the JSON answer; null when there is none.
fn etat_json(e: Option<&EtatHabilitation>) -> Value {
    e.map_or(Value::Null, |e| {
        json!({ "statut": if e.actif { "actif" } else { "inactif" }, "habilitation": e.habilitation(),
                "profil": e.profil,
                "service": e.service, "fonction": e.fonction })
    })
}

fn acte_valeurs(a: &ActeDelegueAudite) -> [String; 11] {
    [
        a.numero_trace.to_string(),
        a.horodatage.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        a.administrateur.clone(),
        a.partenaire.clone(),
        serde_json::to_value(a.acte.nature)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        a.acte.convention.clone(),
        a.acte.bouquet.clone(),
        a.acte.agent.clone().unwrap_or_default(),
        a.resultat.code().to_owned(),
        etat_texte(a.acte.avant.as_ref()),
        etat_texte(a.acte.apres.as_ref()),
    ]
}

async fn actes_delegues(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let p = parametres(query.as_deref(), &["partenaire", "du", "au", "format"])?;
    let csv = match p.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(AppError::RequeteInvalide("format : json ou csv".into()).into()),
    };
    let actes = state
        .app
        .actes_delegues(
            &staff,
            p.get("partenaire").map(String::as_str),
            p.get("du").map(String::as_str),
            p.get("au").map(String::as_str),
            &source,
        )
        .await?;
    if !csv {
        let liste: Vec<Value> = actes
            .iter()
            .map(|a| {
                let mut obj = serde_json::Map::new();
                for (nom, v) in COLONNES_ACTES.iter().zip(acte_valeurs(a)) {
                    let v = match *nom {
                        "numero_trace" => json!(a.numero_trace),
                        "agent" if a.acte.agent.is_none() => Value::Null,
                        "avant" => etat_json(a.acte.avant.as_ref()),
                        "apres" => etat_json(a.acte.apres.as_ref()),
                        _ => Value::String(v),
                    };
                    obj.insert((*nom).to_owned(), v);
                }
                Value::Object(obj)
            })
            .collect();
        return Ok(Json(Value::Array(liste)).into_response());
    }
    Ok(actes_csv(&actes, staff.personnel.caisse.as_str()))
}

/// The audit of delegated management as a CSV attachment, for the API and the staff page alike.
pub(crate) fn actes_csv(actes: &[ActeDelegueAudite], caisse: &str) -> Response {
    let mut out = ligne_csv(COLONNES_ACTES.map(str::to_owned));
    for a in actes {
        out.push_str(&ligne_csv(acte_valeurs(a)));
    }
    let mut res = out.into_response();
    piece_jointe(
        &mut res,
        "text/csv; charset=utf-8",
        &format!("gestion-deleguee-{caisse}.csv"),
    );
    res
}

/// This part of the OpenAPI document, added by [`super::openapi::document`].
pub(crate) fn documenter(doc: &mut Value) {
    let etat_habilitation = |description: &str| {
        json!({ "type": ["object", "null"], "description": description,
            "required": ["statut", "habilitation", "profil", "service", "fonction"], "additionalProperties": false,
            "properties": {
                "statut": { "type": "string", "enum": ["actif", "inactif"] },
                "habilitation": { "type": "string", "enum": ["active", "suspendue"],
                    "description": "suspendue : détenue mais sans effet jusqu'à sa réactivation (HB-9)." },
                "profil": { "type": ["string", "null"] },
                "service": { "type": ["string", "null"] },
                "fonction": { "type": ["string", "null"] }
            } })
    };
    use super::openapi::{corps_json, probleme, reponses};
    use super::openapi_caisse::{ajouter, erreurs_acte_sensible, erreurs_personnel, json_de, schema};
    let jour = |nom: &str, description: &str| {
        json!({ "name": nom, "in": "query", "required": true, "description": description,
            "schema": { "type": "string", "format": "date" } })
    };
    let periode = [
        jour("du", "Premier jour, AAAA-MM-JJ, inclus (UTC)."),
        jour(
            "au",
            "Dernier jour, AAAA-MM-JJ, inclus (UTC) ; 92 jours au plus après `du`.",
        ),
    ];
    let id = json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }]);
    let erreurs = |extra: Vec<(&'static str, Value)>| {
        let mut v = erreurs_personnel("supervision");
        v.extend(extra);
        v
    };
    let invalide = |description: &str| ("400", probleme(description, &["requete_invalide"]));
    let paths = json!({
        "/api/v1/caisse/abus/regles": {
            "get": {
                "operationId": "reglesAbus",
                "summary": "Les règles de détection des abus de la caisse (SU-1, rôle supervision)",
                "description": "Celles que la caisse a fixées, ou les valeurs par défaut (`par_defaut`). Tracé.",
                "tags": ["caisse"],
                "responses": reponses(("200", json_de("Les règles en vigueur.", "ReglesAbus")), erreurs(vec![]))
            },
            "put": {
                "operationId": "modifierReglesAbus",
                "summary": "Modifier les règles de détection des abus (SU-1, rôle supervision, action sensible)",
                "description": "Les seuils donnés remplacent les actuels ; ceux qui manquent gardent leur valeur. \
                    Heures de Paris (0 à 23) ; la nuit va de `nuit_debut` à `nuit_fin`, à cheval sur minuit si \
                    `nuit_debut > nuit_fin`. Tracé avec les nouveaux seuils.",
                "tags": ["caisse"],
                "requestBody": corps_json("ModificationReglesAbus"),
                "responses": reponses(
                    ("200", json_de("Les règles en vigueur.", "ReglesAbus")),
                    {
                        let mut v = erreurs_acte_sensible("supervision");
                        v.push(invalide("Seuil nul, heure hors de 0 à 23, nuit vide, champ inconnu."));
                        v
                    }
                )
            }
        },
        "/api/v1/caisse/abus/analyse": {
            "post": {
                "operationId": "analyserAbus",
                "summary": "Analyser les consultations d'une période (SU-1, CO-5, rôle supervision)",
                "description": "Jour par jour (UTC), d'après les traces de consultation : (a) `volume_anormal`, le \
                    volume d'un agent au moins `facteur_volume` fois son volume habituel (moyenne des 28 jours \
                    précédents) ou, sans historique, la médiane des autres agents du partenaire ce jour-là, et au \
                    moins `volume_minimum` ; (b) `nuit`, aux heures de Paris ; (c) `enumeration`, recherches qui n'ont rien trouvé ; \
                    (d) `dossier_partage`, un dossier vu par plusieurs agents ; (e) `hors_perimetre`, tentatives \
                    hors des départements du partenaire ; et `surveillance`, chaque jour de consultation d'un \
                    utilisateur sous surveillance. Une alerte par règle, jour et sujet : relancer l'analyse d'une \
                    période ne crée pas de doublon. La veille est aussi analysée chaque jour par le \
                    planificateur de `partage serve` et par `partage tick`. Tracé.",
                "tags": ["caisse"],
                "parameters": periode,
                "responses": reponses(
                    ("200", json_de("Ce que l'analyse a trouvé.", "AnalyseAbus")),
                    erreurs(vec![invalide("Date absente ou mal écrite, `au` avant `du` ou après aujourd'hui, période trop longue.")])
                )
            }
        },
        "/api/v1/caisse/abus/alertes": {
            "get": {
                "operationId": "alertesAbus",
                "summary": "La liste de travail des alertes (SU-1, rôle supervision)",
                "description": "Les alertes des jours de la période, les plus récents d'abord ; ouvertes seulement, \
                    sauf `toutes=true`. Tracé.",
                "tags": ["caisse"],
                "parameters": [periode[0], periode[1],
                    { "name": "toutes", "in": "query", "required": false, "schema": { "type": "boolean" } }],
                "responses": reponses(
                    ("200", json!({ "description": "Les alertes.", "content": { "application/json": { "schema": { "type": "array", "items": schema("AlerteAbus") } } } })),
                    erreurs(vec![invalide("Période mal écrite ou trop longue, paramètre inconnu.")])
                )
            }
        },
        "/api/v1/caisse/abus/alertes/{id}/cloture": {
            "post": {
                "operationId": "cloreAlerte",
                "summary": "Clore une alerte avec un commentaire (SU-1, rôle supervision)",
                "tags": ["caisse"],
                "parameters": id,
                "requestBody": corps_json("ClotureAlerte"),
                "responses": reponses(
                    ("200", json_de("L'alerte close.", "AlerteAbus")),
                    erreurs(vec![
                        invalide("Commentaire absent ou trop long."),
                        ("404", probleme("Aucune alerte de ce numéro dans la caisse.", &["introuvable"])),
                        ("409", probleme("Alerte déjà close.", &["transition_refusee"])),
                    ])
                )
            }
        },
        "/api/v1/caisse/abus/surveillances": {
            "get": {
                "operationId": "surveillances",
                "summary": "Les utilisateurs sous surveillance, en cours et passées (SU-1, rôle supervision)",
                "tags": ["caisse"],
                "responses": reponses(
                    ("200", json!({ "description": "Historique, les plus récentes d'abord.", "content": { "application/json": { "schema": { "type": "array", "items": schema("Surveillance") } } } })),
                    erreurs(vec![])
                )
            },
            "post": {
                "operationId": "mettreSousSurveillance",
                "summary": "Mettre un utilisateur sous surveillance, d'après une alerte ou non (SU-1, rôle supervision)",
                "description": "Tant qu'elle dure, chaque jour où il consulte donne une alerte `surveillance` avec \
                    son nombre de consultations. Tracé.",
                "tags": ["caisse"],
                "requestBody": corps_json("DemandeSurveillance"),
                "responses": reponses(
                    ("201", json_de("La surveillance.", "Surveillance")),
                    erreurs(vec![
                        invalide("Identifiant mal écrit, motif absent."),
                        ("404", probleme("Aucun utilisateur ou aucune alerte de ce nom dans la caisse.", &["introuvable"])),
                        ("409", probleme("Déjà sous surveillance.", &["transition_refusee"])),
                    ])
                )
            }
        },
        "/api/v1/caisse/gestion-deleguee/actes": {
            "get": {
                "operationId": "actesDelegues",
                "summary": "Audit de la gestion déléguée : les actes des administrateurs des partenaires (SU-3, rôle supervision)",
                "description": "Chaque accès, modification et suppression d'habilitation fait par un gestionnaire \
                    principal ou suppléant d'un partenaire, refus compris : qui, quand, quel agent, quelle \
                    convention, lu dans les traces ; du plus ancien au plus récent. Un an au plus. JSON, ou CSV en \
                    pièce jointe. Tracé.",
                "tags": ["caisse"],
                "parameters": [
                    { "name": "partenaire", "in": "query", "required": false, "schema": { "type": "string" }, "description": "N° tiers du partenaire ; tous sinon." },
                    jour("du", "Premier jour, AAAA-MM-JJ, inclus (UTC)."),
                    jour("au", "Dernier jour, AAAA-MM-JJ, inclus (UTC) ; 366 jours au plus après `du`."),
                    { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["json", "csv"] } }
                ],
                "responses": reponses(
                    ("200", json!({
                        "description": "Les actes.",
                        "content": {
                            "application/json": { "schema": { "type": "array", "items": schema("ActeDelegueAudite") } },
                            "text/csv": { "schema": { "type": "string" } }
                        }
                    })),
                    erreurs(vec![invalide("Date absente ou mal écrite, période trop longue, N° tiers mal écrit, paramètre inconnu.")])
                )
            }
        },
        "/api/v1/caisse/abus/surveillances/{id}/levee": {
            "post": {
                "operationId": "leverSurveillance",
                "summary": "Lever une surveillance, avec un motif (SU-1, rôle supervision)",
                "tags": ["caisse"],
                "parameters": id,
                "requestBody": corps_json("LeveeSuspension"),
                "responses": reponses(
                    ("200", json_de("La surveillance levée.", "Surveillance")),
                    erreurs(vec![
                        invalide("Motif absent."),
                        ("404", probleme("Aucune surveillance de ce numéro dans la caisse.", &["introuvable"])),
                        ("409", probleme("Surveillance déjà levée.", &["transition_refusee"])),
                    ])
                )
            }
        }
    });
    ajouter(doc, "paths", paths);
    let entier = json!({ "type": "integer", "minimum": 0 });
    let seuils = [
        "facteur_volume",
        "volume_minimum",
        "nuit_debut",
        "nuit_fin",
        "seuil_introuvables",
        "seuil_agents_par_dossier",
        "seuil_hors_perimetre",
    ];
    let proprietes: serde_json::Map<String, Value> =
        seuils.iter().map(|s| ((*s).to_owned(), entier.clone())).collect();
    let mut regles = proprietes.clone();
    regles.insert("par_defaut".into(), json!({ "type": "boolean" }));
    regles.insert("modifiees_par".into(), json!({ "type": ["string", "null"] }));
    regles.insert(
        "modifiees_le".into(),
        json!({ "type": ["string", "null"], "format": "date-time" }),
    );
    let mut regles_requis: Vec<&str> = seuils.to_vec();
    regles_requis.extend(["par_defaut", "modifiees_par", "modifiees_le"]);
    let acte = json!({ "type": ["object", "null"], "required": ["par", "le", "motif"], "additionalProperties": false,
        "properties": { "par": { "type": "string" }, "le": { "type": "string", "format": "date-time" }, "motif": { "type": "string" } } });
    let texte = |nom: &str| {
        json!({ "type": "object", "required": [nom], "additionalProperties": false,
        "properties": { nom: { "type": "string" } } })
    };
    let schemas = json!({
        "ReglesAbus": { "type": "object", "required": regles_requis, "additionalProperties": false, "properties": regles },
        "ModificationReglesAbus": { "type": "object", "additionalProperties": false, "properties": proprietes },
        "AnalyseAbus": {
            "type": "object",
            "required": ["du", "au", "consultations", "constats", "nouvelles_alertes"],
            "additionalProperties": false,
            "properties": {
                "du": { "type": "string", "format": "date" },
                "au": { "type": "string", "format": "date" },
                "consultations": entier,
                "constats": entier,
                "nouvelles_alertes": entier
            }
        },
        "AlerteAbus": {
            "type": "object",
            "required": ["id", "regle", "jour", "utilisateur", "partenaire", "matricule", "compte", "seuil", "detectee_le", "cloture"],
            "additionalProperties": false,
            "properties": {
                "id": { "type": "integer" },
                "regle": { "type": "string", "enum": ["volume_anormal", "nuit", "enumeration", "dossier_partage", "hors_perimetre", "surveillance"] },
                "jour": { "type": "string", "format": "date" },
                "utilisateur": { "type": ["string", "null"] },
                "partenaire": { "type": ["string", "null"] },
                "matricule": { "type": ["string", "null"], "description": "Le dossier, pour `dossier_partage`." },
                "compte": { "type": "integer", "description": "Ce qui a été compté ce jour-là : consultations, de nuit, sans résultat, hors périmètre, ou agents distincts." },
                "seuil": { "type": "integer", "description": "Le seuil atteint." },
                "detectee_le": { "type": "string", "format": "date-time" },
                "cloture": acte
            }
        },
        "ClotureAlerte": texte("commentaire"),
        "ActeDelegueAudite": {
            "type": "object",
            "required": COLONNES_ACTES,
            "additionalProperties": false,
            "properties": {
                "numero_trace": { "type": "integer" },
                "horodatage": { "type": "string", "format": "date-time" },
                "administrateur": { "type": "string" },
                "partenaire": { "type": "string" },
                "nature": { "type": "string", "enum": ["acces", "modification", "suppression", "suspension", "reactivation"] },
                "convention": { "type": "string" },
                "bouquet": { "type": "string" },
                "agent": { "type": ["string", "null"], "description": "L'agent créé ou concerné ; absent pour un accès refusé." },
                "resultat": { "type": "string" },
                "avant": etat_habilitation("L'habilitation de l'agent avant l'acte ; null : il n'en avait pas (ou acte antérieur à cet enregistrement)."),
                "apres": etat_habilitation("L'habilitation après l'acte ; null : supprimée. Un acte refusé n'a rien changé : après = avant.")
            }
        },
        "DemandeSurveillance": {
            "type": "object", "required": ["utilisateur", "motif"], "additionalProperties": false,
            "properties": { "utilisateur": { "type": "string" }, "alerte": { "type": ["integer", "null"] }, "motif": { "type": "string" } }
        },
        "Surveillance": {
            "type": "object",
            "required": ["id", "utilisateur", "alerte", "motif", "par", "le", "fin", "en_cours"],
            "additionalProperties": false,
            "properties": {
                "id": { "type": "integer" },
                "utilisateur": { "type": "string" },
                "alerte": { "type": ["integer", "null"] },
                "motif": { "type": "string" },
                "par": { "type": "string" },
                "le": { "type": "string", "format": "date-time" },
                "fin": acte,
                "en_cours": { "type": "boolean" }
            }
        }
    });
    if let Some(components) = doc.get_mut("components") {
        ajouter(components, "schemas", schemas);
    }
}
