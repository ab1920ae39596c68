//! The caisse's supervision through the API (SPEC TR-3, SU-2, AU-6, BY-1), role `supervision`: trace
//! requests (a page in JSON, or every matching trace as CSV or JSON Lines), suspensions and their lifting,
//! and the partners that consulted a dossier.

use super::caisse::StaffBearer;
use crate::error::ApiError;
use crate::extract::{Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use partage_app::supervision::{
    Cible, DemandeSuspension, ExportTraces, LigneStatistique, RequeteTraces, Statistiques, StoredTrace,
    SuspensionVue,
};
use partage_app::AppError;
use serde_json::{json, Value};
use std::collections::HashMap;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/caisse/traces", get(traces))
        .route("/api/v1/caisse/suspensions", get(suspensions).post(suspendre))
        .route("/api/v1/caisse/suspensions/{id}/levee", post(lever))
        .route(
            "/api/v1/caisse/dossiers/{matricule}/consultations",
            get(consultations),
        )
        .route("/api/v1/caisse/statistiques", get(statistiques))
}

/// The columns of a trace, in the order of the CSV export; the JSON answers use the same names.
const COLONNES: [&str; 12] = [
    "numero",
    "horodatage",
    "caisse",
    "utilisateur",
    "partenaire",
    "source",
    "action",
    "bouquet",
    "rubriques",
    "matricule",
    "empreinte_nir",
    "resultat",
];

fn valeurs(s: &StoredTrace) -> [Option<String>; 12] {
    let t = &s.trace;
    [
        Some(s.id.to_string()),
        Some(t.horodatage.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        t.caisse.clone(),
        t.utilisateur.clone(),
        t.partenaire.clone(),
        Some(t.source.clone()),
        Some(t.action.code().to_owned()),
        t.bouquet.map(|b| b.code().to_owned()),
        t.rubriques.clone(),
        t.matricule.clone(),
        t.nir_hache.clone(),
        Some(t.resultat.code().to_owned()),
    ]
}

fn trace_json(s: &StoredTrace) -> Value {
    let mut obj = serde_json::Map::new();
    for (nom, valeur) in COLONNES.iter().zip(valeurs(s)) {
        let v = match (*nom, valeur) {
            ("numero", _) => json!(s.id),
            (_, Some(v)) => Value::String(v),
            (_, None) => Value::Null,
        };
        obj.insert((*nom).to_owned(), v);
    }
    Value::Object(obj)
}

/// One CSV field (RFC 4180): quoted when it holds a separator, a quote or a line break, quotes doubled. A
/// field a spreadsheet would run as a formula (text typed at a login form may start with `=`) is prefixed
/// with `'`.
fn champ_csv(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_owned()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

pub(crate) fn ligne_csv(champs: impl IntoIterator<Item = String>) -> String {
    let mut l = champs
        .into_iter()
        .map(|c| champ_csv(&c))
        .collect::<Vec<_>>()
        .join(",");
    l.push_str("\r\n");
    l
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Jsonl,
}

/// The query string, each parameter one of `permis` and given at most once: a misspelt filter must not
/// silently widen the request to every trace.
pub(crate) fn parametres(
    query: Option<&str>,
    permis: &[&'static str],
) -> Result<HashMap<&'static str, String>, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| AppError::RequeteInvalide("paramètres de la requête illisibles".into()))?;
    let mut out = HashMap::new();
    let mut erreurs = Vec::new();
    for (nom, valeur) in pairs {
        match permis.iter().find(|p| **p == nom) {
            Some(p) => {
                if out.insert(*p, valeur).is_some() {
                    erreurs.push(format!("paramètre « {p} » donné plusieurs fois"));
                }
            }
            None => {
                let nom: String = nom.chars().filter(|c| !c.is_control()).take(40).collect();
                erreurs.push(format!("paramètre « {nom} » inconnu ({})", permis.join(", ")));
            }
        }
    }
    if erreurs.is_empty() {
        Ok(out)
    } else {
        Err(AppError::RequeteInvalide(erreurs.join(" ; ")))
    }
}

fn requete(query: Option<&str>) -> Result<(RequeteTraces, Format), AppError> {
    let mut p = parametres(
        query,
        &[
            "utilisateur",
            "partenaire",
            "matricule",
            "nir",
            "bouquet",
            "resultat",
            "action",
            "du",
            "au",
            "apres",
            "limite",
            "format",
        ],
    )?;
    let format = match p.remove("format").as_deref() {
        None | Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some("jsonl") => Format::Jsonl,
        Some(_) => return Err(AppError::RequeteInvalide("format : json, csv ou jsonl".into())),
    };
    let r = RequeteTraces {
        utilisateur: p.remove("utilisateur"),
        partenaire: p.remove("partenaire"),
        matricule: p.remove("matricule"),
        nir: p.remove("nir"),
        bouquet: p.remove("bouquet"),
        resultat: p.remove("resultat"),
        action: p.remove("action"),
        du: p.remove("du"),
        au: p.remove("au"),
        apres: p.remove("apres"),
        limite: p.remove("limite"),
    };
    Ok((r, format))
}

/// Marks an answer as a file to save, named `nom`.
pub(crate) fn piece_jointe(res: &mut Response, type_de_contenu: &'static str, nom: &str) {
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(type_de_contenu));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{nom}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

async fn traces(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (r, format) = requete(query.as_deref())?;
    let extension = match format {
        Format::Json => {
            let page = state.app.requete_traces(&staff, &r, &source).await?;
            return Ok(Json(json!({
                "traces": page.traces.iter().map(trace_json).collect::<Vec<_>>(),
                "suivant": page.suivant,
            }))
            .into_response());
        }
        Format::Csv => "csv",
        Format::Jsonl => "jsonl",
    };
    let export = state.app.exporter_traces(&staff, &r, extension, &source).await?;
    Ok(reponse_export(
        export,
        format == Format::Csv,
        staff.personnel.caisse.as_str(),
    ))
}

/// Every trace of an export as a file to save: CSV with its header, or JSON Lines. Written as it is read,
/// page after page: an export of a whole year holds one page in memory.
pub(crate) fn reponse_export(export: ExportTraces, csv: bool, caisse: &str) -> Response {
    let (extension, type_de_contenu) = if csv {
        ("csv", "text/csv; charset=utf-8")
    } else {
        ("jsonl", "application/x-ndjson")
    };
    let entete = csv.then(|| ligne_csv(COLONNES.map(str::to_owned)));
    let pages = futures_util::stream::unfold((export, entete), move |(mut export, entete)| async move {
        if let Some(entete) = entete {
            return Some((Ok(Bytes::from(entete)), (export, None)));
        }
        match export.suite().await {
            Ok(Some(page)) => {
                let mut out = String::new();
                for t in &page {
                    if csv {
                        out.push_str(&ligne_csv(valeurs(t).map(Option::unwrap_or_default)));
                    } else {
                        out.push_str(&trace_json(t).to_string());
                        out.push('\n');
                    }
                }
                Some((Ok(Bytes::from(out)), (export, None)))
            }
            Ok(None) => None,
            Err(e) => {
                tracing::error!(cause = %e, "export des traces interrompu");
                Some((Err(std::io::Error::other("export interrompu")), (export, None)))
            }
        }
    });
    let mut res = Body::from_stream(pages).into_response();
    piece_jointe(&mut res, type_de_contenu, &format!("traces-{caisse}.{extension}"));
    res
}

/// The counters of a statistics line, named as in the JSON and CSV answers.
const COMPTEURS: [&str; 6] = [
    "consultations",
    "dossiers_trouves",
    "dossiers_introuvables",
    "oppositions",
    "refus",
    "echecs_connexion",
];

fn compteurs(l: &LigneStatistique) -> [i64; 6] {
    [
        l.consultations,
        l.trouves,
        l.introuvables,
        l.oppositions,
        l.refus,
        l.echecs_connexion,
    ]
}

async fn statistiques(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut p = parametres(query.as_deref(), &["mois", "format"])?;
    let (mois, format) = (p.remove("mois"), p.remove("format"));
    let csv = match format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(AppError::RequeteInvalide("format : json ou csv".into()).into()),
    };
    let mois = mois.ok_or_else(|| AppError::RequeteInvalide("mois : obligatoire (AAAA-MM)".into()))?;
    let stats = state.app.statistiques(&staff, &mois, &source).await?;
    if !csv {
        let mut totaux = [0i64; 6];
        let lignes: Vec<Value> = stats
            .lignes
            .iter()
            .map(|l| {
                let mut v = json!({
                    "partenaire": { "numero_tiers": l.partenaire, "nom": l.partenaire_nom },
                    "convention": l.convention,
                    "bouquet": l.bouquet.map(|b| b.code()),
                    "utilisateur": l.utilisateur,
                });
                for (i, (nom, n)) in COMPTEURS.iter().zip(compteurs(l)).enumerate() {
                    v[*nom] = json!(n);
                    totaux[i] += n;
                }
                v
            })
            .collect();
        let totaux: serde_json::Map<String, Value> = COMPTEURS
            .iter()
            .zip(totaux)
            .map(|(nom, n)| ((*nom).to_owned(), json!(n)))
            .collect();
        return Ok(Json(json!({ "mois": stats.mois, "lignes": lignes, "totaux": totaux })).into_response());
    }
    Ok(reponse_statistiques_csv(&stats, staff.personnel.caisse.as_str()))
}

/// A month's statistics as a CSV file to save: one line per partner, convention, bouquet and agent.
pub(crate) fn reponse_statistiques_csv(stats: &Statistiques, caisse: &str) -> Response {
    let mut out = ligne_csv(
        [
            "partenaire",
            "nom_partenaire",
            "convention",
            "bouquet",
            "utilisateur",
        ]
        .into_iter()
        .chain(COMPTEURS)
        .map(str::to_owned),
    );
    for l in &stats.lignes {
        let texte = [
            l.partenaire.clone().unwrap_or_default(),
            l.partenaire_nom.clone().unwrap_or_default(),
            l.convention.clone().unwrap_or_default(),
            l.bouquet.map(|b| b.code().to_owned()).unwrap_or_default(),
            l.utilisateur.clone().unwrap_or_default(),
        ];
        out.push_str(&ligne_csv(
            texte.into_iter().chain(compteurs(l).map(|n| n.to_string())),
        ));
    }
    let mut res = out.into_response();
    piece_jointe(
        &mut res,
        "text/csv; charset=utf-8",
        &format!("statistiques-{caisse}-{}.csv", stats.mois),
    );
    res
}

fn suspension_json(v: &SuspensionVue) -> Value {
    let s = &v.suspension;
    let (utilisateur, partenaire) = match &s.cible {
        Cible::Utilisateur(i) => (Some(i.as_str()), None),
        Cible::Partenaire(t) => (None, Some(t.as_str())),
    };
    let mut out = json!({
        "id": s.id,
        "utilisateur": utilisateur,
        "partenaire": partenaire,
        "jusqu_au": s.jusqu_au,
        "motif": s.acte.motif,
        "par": s.acte.par,
        "le": s.acte.le,
        "levee": s.levee.as_ref().map(|l| json!({ "par": l.par, "le": l.le, "motif": l.motif })),
        "en_cours": v.en_cours,
    });
    if let Some(n) = v.sessions_terminees {
        out["sessions_terminees"] = json!(n);
    }
    out
}

impl FromJson for DemandeSuspension {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let utilisateur = c.texte_optionnel("utilisateur");
        let partenaire = c.texte_optionnel("partenaire");
        let jusqu_au = c.texte_optionnel("jusqu_au");
        let motif = c.texte("motif");
        Some(DemandeSuspension {
            utilisateur: utilisateur.ok()?,
            partenaire: partenaire.ok()?,
            jusqu_au: jusqu_au.ok()?,
            motif: motif?,
        })
    }
}

async fn suspendre(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(body): JsonBody<DemandeSuspension>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let v = state.app.suspendre(&staff, &body, &source).await?;
    Ok((StatusCode::CREATED, Json(suspension_json(&v))))
}

async fn suspensions(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
) -> Result<Json<Value>, ApiError> {
    let liste = state.app.suspensions(&staff, &source).await?;
    Ok(Json(Value::Array(liste.iter().map(suspension_json).collect())))
}

#[derive(Debug)]
pub(crate) struct Levee {
    pub(crate) motif: String,
}

impl FromJson for Levee {
    fn from_json(c: &mut Champs) -> Option<Self> {
        Some(Levee {
            motif: c.texte("motif")?,
        })
    }
}

async fn lever(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Levee>,
) -> Result<Json<Value>, ApiError> {
    // An id that is not a number names no suspension: the same answer as an unknown one.
    let id = id.parse::<i64>().unwrap_or(-1);
    let v = state
        .app
        .lever_suspension(&staff, id, &body.motif, &source)
        .await?;
    Ok(Json(suspension_json(&v)))
}

async fn consultations(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(matricule): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let liste = state
        .app
        .releve_consultations(&staff, &matricule, &source)
        .await?;
    Ok(Json(json!({
        "matricule": matricule.trim(),
        "consultations": liste.iter().map(|c| json!({
            "horodatage": c.horodatage,
            "partenaire": { "numero_tiers": c.partenaire, "nom": c.partenaire_nom },
            "bouquet": c.bouquet.map(|b| b.code()),
            "bouquet_libelle": c.bouquet.map(|b| b.libelle()),
        })).collect::<Vec<_>>(),
    })))
}

/// This part of the OpenAPI document, added by [`super::openapi::document`].
pub(crate) fn documenter(doc: &mut Value) {
    use super::openapi::{corps_json, probleme, reponses};
    use super::openapi_caisse::{ajouter, erreurs_acte_sensible, erreurs_personnel, json_de, schema};
    let texte = |description: &str| json!({ "in": "query", "required": false, "schema": { "type": "string" }, "description": description });
    let mut parametres = vec![
        ("utilisateur", "Identifiant de l'utilisateur, tel que tracé (une connexion échouée garde ce qui a été tapé)."),
        ("partenaire", "N° tiers du partenaire."),
        ("matricule", "Matricule du dossier : ses consultations, et les requêtes de la supervision qui l'ont nommé."),
        ("nir", "NIR d'une personne du dossier : jamais conservé, haché comme à la consultation ; trouve les traces du dossier et celles de ce NIR quand il n'a rien trouvé. Le matricule ou le NIR, pas les deux."),
        ("bouquet", "QF, PSU, RSACG ou MCP."),
        ("resultat", "Code de résultat d'une trace (succes, dossier_introuvable, non_habilite…)."),
        ("action", "Code d'action d'une trace (connexion, consultation, requete_traces…)."),
        ("du", "Premier jour, AAAA-MM-JJ, inclus (UTC)."),
        ("au", "Dernier jour, AAAA-MM-JJ, inclus (UTC) ; pas avant `du`."),
        ("apres", "Numéro de la dernière trace de la page précédente (`suivant`)."),
        ("limite", "Traces par page, 1 à 1000 (100 par défaut) ; sans effet sur un export."),
    ]
    .into_iter()
    .map(|(nom, description)| {
        let mut p = texte(description);
        p["name"] = json!(nom);
        p
    })
    .collect::<Vec<_>>();
    parametres.push(json!({ "name": "format", "in": "query", "required": false,
        "schema": { "type": "string", "enum": ["json", "csv", "jsonl"] },
        "description": "`json` (par défaut) : une page ; `csv` ou `jsonl` : toutes les traces choisies, en pièce jointe." }));
    let colonne = |ty: &str| json!({ "type": [ty, "null"] });
    let trace_schema = json!({
        "type": "object",
        "required": COLONNES,
        "additionalProperties": false,
        "properties": {
            "numero": { "type": "integer" },
            "horodatage": { "type": "string", "format": "date-time" },
            "caisse": colonne("string"),
            "utilisateur": colonne("string"),
            "partenaire": colonne("string"),
            "source": { "type": "string" },
            "action": { "type": "string" },
            "bouquet": colonne("string"),
            "rubriques": { "type": ["string", "null"], "description": "Rubriques montrées ; pour un acte de supervision, ce qui a été demandé ou fait, résumé." },
            "matricule": colonne("string"),
            "empreinte_nir": { "type": ["string", "null"], "description": "Empreinte (HMAC) d'un NIR qui n'a rien trouvé ; jamais le NIR." },
            "resultat": { "type": "string" }
        }
    });
    let acte = json!({ "type": "object", "required": ["par", "le", "motif"], "additionalProperties": false,
        "properties": { "par": { "type": "string" }, "le": { "type": "string", "format": "date-time" }, "motif": { "type": "string" } } });
    let id = json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }]);
    let erreurs = |extra: Vec<(&'static str, Value)>| {
        let mut v = erreurs_personnel("supervision");
        v.extend(extra);
        v
    };
    // Suspending and lifting are sensitive acts (issue #7 part 4): a password typed within 10 minutes.
    let erreurs_sensibles = |extra: Vec<(&'static str, Value)>| {
        let mut v = erreurs_acte_sensible("supervision");
        v.extend(extra);
        v
    };
    let paths = json!({
        "/api/v1/caisse/traces": {
            "get": {
                "operationId": "requeteTraces",
                "summary": "Requête sur les traces de la caisse (TR-3, rôle supervision)",
                "description": "Par utilisateur, partenaire, dossier (matricule ou NIR), bouquet, résultat, action et \
                    période ; seulement les traces de la caisse (TEN-1) ; par pages, dans l'ordre des traces. La \
                    requête est elle-même tracée (qui, quels filtres ; un NIR seulement par son empreinte).",
                "tags": ["caisse"],
                "parameters": parametres,
                "responses": reponses(
                    ("200", json!({
                        "description": "Une page (JSON), ou toutes les traces choisies (CSV avec en-tête, JSON Lines), \
                            avec `Content-Disposition: attachment`.",
                        "content": {
                            "application/json": { "schema": schema("PageTraces") },
                            "text/csv": { "schema": { "type": "string" } },
                            "application/x-ndjson": { "schema": { "type": "string" } }
                        }
                    })),
                    erreurs(vec![("400", probleme(
                        "Filtre invalide (bouquet, résultat ou action inconnus, date mal écrite, début après la fin, \
                         paramètre inconnu ou répété, limite hors de 1 à 1000), ou NIR invalide.",
                        &["requete_invalide", "nir_invalide"],
                    ))])
                )
            }
        },
        "/api/v1/caisse/suspensions": {
            "get": {
                "operationId": "listerSuspensions",
                "summary": "Les suspensions de la caisse, en cours et passées, les plus récentes d'abord (rôle supervision)",
                "tags": ["caisse"],
                "responses": reponses(
                    ("200", json!({ "description": "Historique.", "content": { "application/json": { "schema": { "type": "array", "items": schema("Suspension") } } } })),
                    erreurs(vec![])
                )
            },
            "post": {
                "operationId": "suspendre",
                "summary": "Suspendre un utilisateur ou tout un partenaire (SU-2, AU-6, rôle supervision)",
                "description": "Temporaire (`jusqu_au`, dans le futur) ou définitive, avec un motif. Effective \
                    immédiatement : toutes les sessions (et jetons d'API) de l'utilisateur, ou de chaque utilisateur \
                    du partenaire, prennent fin dans la même transaction ; la connexion est refusée (`compte_suspendu`) \
                    après vérification du mot de passe. Une suspension temporaire cesse d'elle-même à sa date. Tracé.",
                "tags": ["caisse"],
                "requestBody": corps_json("DemandeSuspension"),
                "responses": reponses(
                    ("201", json_de("Suspension enregistrée, avec le nombre de sessions terminées.", "Suspension")),
                    erreurs_sensibles(vec![
                        ("400", probleme("Ni utilisateur ni partenaire, ou les deux ; motif absent ; fin passée ou mal écrite.", &["requete_invalide"])),
                        ("404", probleme("Aucun utilisateur ou partenaire de ce nom dans la caisse.", &["introuvable"])),
                    ])
                )
            }
        },
        "/api/v1/caisse/suspensions/{id}/levee": {
            "post": {
                "operationId": "leverSuspension",
                "summary": "Lever une suspension, avec un motif (SU-2, rôle supervision)",
                "tags": ["caisse"],
                "parameters": id,
                "requestBody": corps_json("LeveeSuspension"),
                "responses": reponses(
                    ("200", json_de("La suspension levée.", "Suspension")),
                    erreurs_sensibles(vec![
                        ("404", probleme("Aucune suspension de ce numéro dans la caisse.", &["introuvable"])),
                        ("409", probleme("Suspension déjà levée.", &["transition_refusee"])),
                    ])
                )
            }
        },
        "/api/v1/caisse/dossiers/{matricule}/consultations": {
            "get": {
                "operationId": "releveConsultations",
                "summary": "Les partenaires qui ont consulté un dossier, quand et par quel bouquet (BY-1, rôle supervision)",
                "description": "Pour répondre à la demande d'accès d'un allocataire (RGPD) : les partenaires, jamais le \
                    nom des agents ; seules les consultations qui ont montré le dossier. Tracé.",
                "tags": ["caisse"],
                "parameters": [{ "name": "matricule", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": reponses(
                    ("200", json_de("Les consultations, des plus anciennes aux plus récentes.", "ReleveConsultations")),
                    erreurs(vec![("404", probleme("Aucun dossier de ce matricule dans la caisse.", &["dossier_introuvable"]))])
                )
            }
        }
    });
    let compteurs: serde_json::Map<String, Value> = COMPTEURS
        .iter()
        .map(|nom| ((*nom).to_owned(), json!({ "type": "integer", "minimum": 0 })))
        .collect();
    let mut ligne_requis: Vec<&str> = vec!["partenaire", "convention", "bouquet", "utilisateur"];
    ligne_requis.extend(COMPTEURS);
    let mut ligne_proprietes = compteurs.clone();
    ligne_proprietes.insert(
        "partenaire".into(),
        json!({ "type": "object", "required": ["numero_tiers", "nom"], "additionalProperties": false,
            "properties": { "numero_tiers": colonne("string"), "nom": colonne("string") } }),
    );
    ligne_proprietes.insert(
        "convention".into(),
        json!({ "type": ["string", "null"], "description":
            "Numéro de la convention du partenaire qui porte le bouquet et était en vigueur le jour des \
             consultations (une ligne par convention quand elle a changé dans la période) ; null : aucune, \
             ou plusieurs en vigueur ce jour-là." }),
    );
    ligne_proprietes.insert(
        "bouquet".into(),
        json!({ "type": ["string", "null"], "description": "Null : échecs de connexion de l'agent." }),
    );
    ligne_proprietes.insert("utilisateur".into(), colonne("string"));
    ajouter(
        doc,
        "paths",
        json!({
            "/api/v1/caisse/statistiques": {
                "get": {
                    "operationId": "statistiques",
                    "summary": "Statistiques mensuelles d'usage, par partenaire, convention, bouquet et agent (TR-4, rôle supervision)",
                    "description": "Construites chaque jour depuis les traces (jours UTC), celles du jour même lues en direct : consultations, dossiers trouvés et introuvables, oppositions rencontrées, autres refus, échecs de connexion des utilisateurs connus. Les comptes par agent survivent à la purge des traces. JSON, ou CSV en pièce jointe. Tracé.",
                    "tags": ["caisse"],
                    "parameters": [
                        { "name": "mois", "in": "query", "required": true, "schema": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" } },
                        { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["json", "csv"] } }
                    ],
                    "responses": reponses(
                        ("200", json!({
                            "description": "Les lignes du mois et leurs totaux.",
                            "content": {
                                "application/json": { "schema": schema("Statistiques") },
                                "text/csv": { "schema": { "type": "string" } }
                            }
                        })),
                        erreurs(vec![("400", probleme("Mois absent ou mal écrit, paramètre inconnu, format inconnu.", &["requete_invalide"]))])
                    )
                }
            }
        }),
    );
    let schemas = json!({
        "Statistiques": {
            "type": "object",
            "required": ["mois", "lignes", "totaux"],
            "additionalProperties": false,
            "properties": {
                "mois": { "type": "string" },
                "lignes": { "type": "array", "items": { "type": "object", "required": ligne_requis,
                    "additionalProperties": false, "properties": ligne_proprietes } },
                "totaux": { "type": "object", "required": COMPTEURS, "additionalProperties": false, "properties": compteurs }
            }
        },
        "Trace": trace_schema,
        "PageTraces": {
            "type": "object",
            "required": ["traces", "suivant"],
            "additionalProperties": false,
            "properties": {
                "traces": { "type": "array", "items": schema("Trace") },
                "suivant": { "type": ["integer", "null"], "description": "`apres` de la page suivante ; null : dernière page." }
            }
        },
        "DemandeSuspension": {
            "type": "object",
            "required": ["motif"],
            "additionalProperties": false,
            "properties": {
                "utilisateur": { "type": ["string", "null"], "description": "Identifiant ; ou bien `partenaire`." },
                "partenaire": { "type": ["string", "null"], "description": "N° tiers : tous ses utilisateurs." },
                "jusqu_au": { "type": ["string", "null"], "format": "date-time", "description": "Absent : définitive." },
                "motif": { "type": "string", "minLength": 1, "maxLength": 500 }
            }
        },
        "LeveeSuspension": {
            "type": "object",
            "required": ["motif"],
            "additionalProperties": false,
            "properties": { "motif": { "type": "string", "minLength": 1, "maxLength": 500 } }
        },
        "Suspension": {
            "type": "object",
            "required": ["id", "utilisateur", "partenaire", "jusqu_au", "motif", "par", "le", "levee", "en_cours"],
            "additionalProperties": false,
            "properties": {
                "id": { "type": "integer" },
                "utilisateur": colonne("string"),
                "partenaire": colonne("string"),
                "jusqu_au": { "type": ["string", "null"], "format": "date-time" },
                "motif": { "type": "string" },
                "par": { "type": "string" },
                "le": { "type": "string", "format": "date-time" },
                "levee": { "oneOf": [acte, { "type": "null" }] },
                "en_cours": { "type": "boolean" },
                "sessions_terminees": { "type": "integer", "description": "Seulement dans la réponse à la suspension." }
            }
        },
        "ReleveConsultations": {
            "type": "object",
            "required": ["matricule", "consultations"],
            "additionalProperties": false,
            "properties": {
                "matricule": { "type": "string" },
                "consultations": { "type": "array", "items": {
                    "type": "object",
                    "required": ["horodatage", "partenaire", "bouquet", "bouquet_libelle"],
                    "additionalProperties": false,
                    "properties": {
                        "horodatage": { "type": "string", "format": "date-time" },
                        "partenaire": { "type": "object", "required": ["numero_tiers", "nom"], "additionalProperties": false,
                            "properties": { "numero_tiers": { "type": "string" }, "nom": colonne("string") } },
                        "bouquet": colonne("string"),
                        "bouquet_libelle": colonne("string")
                    }
                } }
            }
        }
    });
    ajouter(doc, "paths", paths);
    if let Some(components) = doc.get_mut("components") {
        ajouter(components, "schemas", schemas);
    }
}
