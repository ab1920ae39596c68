//! A convention's lifecycle through the back office's API (SPEC CV-2 to CV-8): its state and history, and
//! the staff's acts, each with its document.

use super::caisse::StaffBearer;
use crate::error::ApiError;
use crate::extract::{Champs, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use partage_app::conventions::{ConventionACreer, ConventionDetail};
use partage_app::registre::{a_l_echeance, ConventionInscrite};
use partage_app::AppError;
use partage_domain::avenants::{Attestation, NatureAttestation};
use partage_domain::cycle::Etat;
use partage_domain::gestion::{Acte, Document};
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/caisse/conventions", get(lister).post(creer))
        .route("/api/v1/caisse/conventions/{numero}", get(detail))
        .route("/api/v1/caisse/conventions/{numero}/actes", post(agir))
        .route("/api/v1/caisse/conventions/{numero}/attestation", post(attester))
}

/// The states a convention can be in, as `etat` writes them.
const ETATS: [&str; 7] = [
    "brouillon",
    "signee_par_une",
    "attente_cnil",
    "en_vigueur",
    "fin_programmee",
    "suspendue",
    "terminee",
];

/// `?etat=` (one of [`ETATS`]), or nothing.
fn filtre_etat(query: Option<&str>) -> Result<Option<String>, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| AppError::RequeteInvalide("paramètres de l'adresse illisibles".into()))?;
    let mut etat = None;
    for (cle, valeur) in pairs {
        if cle != "etat" {
            return Err(AppError::RequeteInvalide(format!(
                "paramètre inconnu « {} » (attendu : etat)",
                cle.chars().take(30).collect::<String>()
            )));
        }
        if !ETATS.contains(&valeur.as_str()) {
            return Err(AppError::RequeteInvalide(format!(
                "état « {} » inconnu (attendu : {})",
                valeur.chars().take(30).collect::<String>(),
                ETATS.join(", ")
            )));
        }
        etat = Some(valeur);
    }
    Ok(etat)
}

fn ligne(c: &ConventionInscrite) -> Value {
    json!({
        "numero": c.convention.numero.as_str(),
        "partenaire": c.convention.partenaire.as_str(),
        "nom_partenaire": c.nom_partenaire,
        "bouquets": c.convention.bouquets.iter().map(|b| b.code()).collect::<Vec<_>>(),
        "etat": c.cycle.etat.code(),
        "prochaine_echeance": c.prochaine_echeance,
        "a_l_echeance": a_l_echeance(&c.cycle),
        "fin_le": c.convention.acces.fin_le,
        "confidentialite_jusquau": c.cycle.confidentialite_jusquau(),
    })
}

/// The caisse's conventions, each with its state, partner and next échéance (role `conventions`).
async fn lister(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let etat = filtre_etat(query.as_deref())?;
    let liste = state
        .app
        .registre_conventions(&staff, etat.as_deref(), &source)
        .await?;
    Ok(Json(
        json!({ "conventions": liste.iter().map(ligne).collect::<Vec<_>>() }),
    ))
}

fn vue(d: ConventionDetail) -> Value {
    let c = &d.convention;
    json!({
        "numero": c.numero.as_str(),
        "partenaire": c.partenaire.as_str(),
        "bouquets": c.bouquets.iter().map(|b| b.code()).collect::<Vec<_>>(),
        "cycle": d.cycle,
        "acces": {
            // Not signed by both yet (a draft): no signature date to show.
            "signee_le": (!matches!(d.cycle.etat, Etat::Brouillon | Etat::SigneeParUne { .. }))
                .then_some(c.acces.signee_le),
            "formalite_cnil_le": c.acces.formalite_cnil_le,
            "fin_le": c.acces.fin_le,
        },
        "confidentialite_jusquau": d.cycle.confidentialite_jusquau(),
        "attestation": d.attestation.as_ref().map(|a| json!({
            "nature": a.attestation.nature.code(),
            "attestee_le": a.attestation.attestee_le,
            "reference": a.attestation.reference,
            "par": a.par,
            "horodatage": a.horodatage,
        })),
        "historique": d.historique.iter().map(|t| json!({
            "acte": t.acte,
            "cycle": t.cycle,
            "par": t.par,
            "horodatage": t.horodatage,
            "date_effet": t.date_effet,
            "document": t.document,
        })).collect::<Vec<_>>(),
    })
}

async fn detail(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(vue(state
        .app
        .convention_detail(&staff, &numero, &source)
        .await?)))
}

#[derive(Debug)]
pub(crate) struct ActeRecu {
    pub(crate) acte: String,
    pub(crate) date: String,
    pub(crate) partie: Option<String>,
    pub(crate) souhaitee_le: Option<String>,
    pub(crate) reference: String,
    pub(crate) recu_le: String,
}

impl FromJson for ActeRecu {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let acte = c.texte("acte");
        let date = c.texte("date");
        let partie = c.texte_facultatif("partie");
        let souhaitee_le = c.texte_facultatif("souhaitee_le");
        let reference = c.texte("document_reference");
        let recu_le = c.texte("document_recu_le");
        Some(ActeRecu {
            acte: acte?,
            date: date?,
            partie,
            souhaitee_le,
            reference: reference?,
            recu_le: recu_le?,
        })
    }
}

pub(crate) fn jour(champ: &str, texte: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(texte.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "{champ} : « {} » n'est pas une date AAAA-MM-JJ",
            texte.chars().take(20).collect::<String>()
        )
    })
}

impl ActeRecu {
    pub(crate) fn lire(&self) -> Result<(Acte, Document), AppError> {
        let mut erreurs = Vec::new();
        let date = jour("date", &self.date).map_err(|e| erreurs.push(e));
        let recu_le = jour("document_recu_le", &self.recu_le).map_err(|e| erreurs.push(e));
        let souhaitee = self
            .souhaitee_le
            .as_deref()
            .map(|s| jour("souhaitee_le", s))
            .transpose()
            .map_err(|e| erreurs.push(e));
        if let (Ok(date), Ok(recu_le), Ok(souhaitee)) = (date, recu_le, souhaitee) {
            match Acte::depuis(&self.acte, date, self.partie.as_deref(), souhaitee) {
                Ok(acte) => {
                    return Ok((
                        acte,
                        Document {
                            reference: self.reference.clone(),
                            recu_le,
                        },
                    ))
                }
                Err(e) => erreurs.push(e),
            }
        }
        Err(AppError::RequeteInvalide(erreurs.join(" ; ")))
    }
}

async fn agir(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
    JsonBody(body): JsonBody<ActeRecu>,
) -> Result<Json<Value>, ApiError> {
    let (acte, document) = body.lire()?;
    Ok(Json(vue(state
        .app
        .agir_sur_convention(&staff, &numero, acte, document, &source)
        .await?)))
}

#[derive(Debug)]
pub(crate) struct AttestationRecue {
    pub(crate) nature: String,
    pub(crate) attestee_le: String,
    pub(crate) reference: String,
}

impl FromJson for AttestationRecue {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let nature = c.texte("nature");
        let attestee_le = c.texte("attestee_le");
        let reference = c.texte("reference");
        Some(AttestationRecue {
            nature: nature?,
            attestee_le: attestee_le?,
            reference: reference?,
        })
    }
}

impl AttestationRecue {
    pub(crate) fn lire(&self) -> Result<Attestation, AppError> {
        let mut erreurs = Vec::new();
        let nature = NatureAttestation::parse(&self.nature).ok_or_else(|| {
            erreurs.push("la nature de l'attestation est « restitution » ou « destruction »".to_owned())
        });
        let attestee_le = jour("attestee_le", &self.attestee_le).map_err(|e| erreurs.push(e));
        match (nature, attestee_le) {
            (Ok(nature), Ok(attestee_le)) => Ok(Attestation {
                nature,
                attestee_le,
                reference: self.reference.clone(),
            }),
            _ => Err(AppError::RequeteInvalide(erreurs.join(" ; "))),
        }
    }
}

async fn attester(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
    JsonBody(body): JsonBody<AttestationRecue>,
) -> Result<Json<Value>, ApiError> {
    let attestation = body.lire()?;
    Ok(Json(vue(state
        .app
        .enregistrer_attestation(&staff, &numero, attestation, &source)
        .await?)))
}

/// A convention to create in draft, as the API and the page send it.
#[derive(Debug)]
pub(crate) struct ConventionRecue {
    pub(crate) numero: String,
    pub(crate) partenaire: String,
    pub(crate) bouquets: Vec<String>,
    pub(crate) plafond: Option<u32>,
    pub(crate) gestion: Option<String>,
}

impl FromJson for ConventionRecue {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let numero = c.texte("numero");
        let partenaire = c.texte("partenaire");
        let bouquets = c.liste_de_textes("bouquets");
        let plafond = c.entier("plafond_habilitations");
        let gestion = c.texte_optionnel("gestion");
        Some(ConventionRecue {
            numero: numero?,
            partenaire: partenaire?,
            bouquets: bouquets?,
            plafond: plafond.ok()?,
            gestion: gestion.ok()?,
        })
    }
}

impl ConventionRecue {
    pub(crate) fn lire(self) -> Result<ConventionACreer, AppError> {
        let mut bouquets = Vec::new();
        let mut inconnus = Vec::new();
        for code in &self.bouquets {
            match partage_domain::Bouquet::parse(code.trim()) {
                Some(b) => bouquets.push(b),
                None => inconnus.push(format!(
                    "bouquet inconnu « {} »",
                    code.chars().take(20).collect::<String>()
                )),
            }
        }
        if !inconnus.is_empty() {
            return Err(AppError::RequeteInvalide(inconnus.join(" ; ")));
        }
        Ok(ConventionACreer {
            numero: self.numero,
            partenaire: self.partenaire,
            bouquets,
            plafond_habilitations: self.plafond,
            gestion: self.gestion,
        })
    }
}

async fn creer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(body): JsonBody<ConventionRecue>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let convention = body.lire()?;
    let detail = state.app.creer_convention(&staff, &convention, &source).await?;
    Ok((StatusCode::CREATED, Json(vue(detail))))
}
