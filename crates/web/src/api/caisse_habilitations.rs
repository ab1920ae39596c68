//! Habilitation requests through the back office's API (SPEC HB-1 to HB-7, HB-10): the partner's signed
//! forms recorded by a habilitated caisse agent, one endpoint per step of their life, the grant that
//! carries them out, the convention's cap, lost credentials and the directory of extranautes.

use super::caisse::StaffBearer;
use super::caisse_conventions::jour;
use crate::error::ApiError;
use crate::extract::{Champs, CorpsFacultatif, FromJson, JsonBody, Source};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use partage_app::habilitations::{
    etat_code, DemandeAccordee, DemandeEnregistree, Extranaute, FormulaireDemande, Identifiants, Remis,
    Remise,
};
use partage_app::AppError;
use partage_domain::demande::{AgentDemande, NatureDemande, Signature};
use partage_domain::habilitation::NatureActe;
use partage_domain::rsa::Circonscription;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/caisse/demandes", get(lister).post(creer))
        .route("/api/v1/caisse/demandes/{id}", get(detail))
        .route("/api/v1/caisse/demandes/{id}/soumettre", post(soumettre))
        .route("/api/v1/caisse/demandes/{id}/a-completer", post(a_completer))
        .route("/api/v1/caisse/demandes/{id}/accorder", post(accorder))
        .route("/api/v1/caisse/demandes/{id}/refuser", post(refuser))
        .route("/api/v1/caisse/conventions/{numero}/plafond", put(plafond))
        .route(
            "/api/v1/caisse/utilisateurs/{identifiant}/reinitialisation",
            post(reinitialiser),
        )
        .route("/api/v1/caisse/extranautes", get(extranautes))
        .route("/api/v1/caisse/conventions/{numero}/gestion", put(gestion))
        .route(
            "/api/v1/caisse/utilisateurs/{identifiant}/administrateur",
            put(administrateur),
        )
}

pub(crate) fn vue(d: &DemandeEnregistree) -> Value {
    let demande = &d.demande;
    json!({
        "id": d.id.0,
        "nature": demande.nature(),
        "etat": etat_code(demande.etat()),
        "faite": demande.faite(),
        "partenaire": d.partenaire.as_str(),
        "convention": d.convention.as_str(),
        "bouquet": d.bouquet.code(),
        "utilisateur": d.utilisateur.as_ref().map(|u| u.as_str()),
        "agent": demande.agent(),
        "signature": demande.signature(),
        "saisie_par": d.saisie_par,
        "historique": demande.historique().iter().map(|e| json!({
            "etat": etat_code(e.etat),
            "par": e.par,
            "le": e.le,
            "motif": e.motif,
        })).collect::<Vec<_>>(),
    })
}

/// The agent's fields of the annex forms, flat in the body.
pub(crate) fn agent(c: &mut Champs) -> Option<AgentDemande> {
    let civilite = c.texte_facultatif("civilite");
    let nom = c.texte("nom");
    let prenom = c.texte("prenom");
    let service = c.texte_facultatif("service");
    let adresse_service = c.texte_facultatif("adresse_service");
    let fonction = c.texte_facultatif("fonction");
    let profil = c.texte_facultatif("profil");
    let email = c.texte("email");
    let circonscriptions = circonscriptions(c);
    Some(AgentDemande {
        civilite,
        nom: nom?,
        prenom: prenom?,
        service,
        adresse_service,
        fonction,
        profil,
        email: email?,
        circonscriptions: circonscriptions?,
    })
}

/// CO-3: `circonscriptions`, a list of `DÉPARTEMENT/CODE` (RSACG only); absent, none.
fn circonscriptions(c: &mut Champs) -> Option<Vec<Circonscription>> {
    if !c.contient("circonscriptions") {
        return Some(Vec::new());
    }
    let mut liste = Vec::new();
    for texte in c.liste_de_textes("circonscriptions")? {
        match Circonscription::parse(&texte) {
            Ok(circ) => liste.push(circ),
            Err(e) => {
                let texte: String = texte.chars().take(40).collect();
                c.refuser(format!("circonscriptions : « {texte} » : {e}"));
                return None;
            }
        }
    }
    Some(liste)
}

/// The representative's signature as typed: `signataire`, `fonction_signataire`, `signee_le`.
#[derive(Debug, Default)]
pub(crate) struct SignatureRecue {
    signataire: Option<String>,
    fonction: Option<String>,
    le: Option<String>,
}

impl SignatureRecue {
    fn lire(c: &mut Champs) -> SignatureRecue {
        SignatureRecue {
            signataire: c.texte_facultatif("signataire"),
            fonction: c.texte_facultatif("fonction_signataire"),
            le: c.texte_facultatif("signee_le"),
        }
    }

    fn donnee(&self) -> bool {
        self.signataire.is_some() || self.fonction.is_some() || self.le.is_some()
    }

    /// The signature; the domain refuses an empty name or function (`signature_requise`).
    fn signature(&self) -> Result<Signature, AppError> {
        let le = self.le.as_deref().ok_or_else(|| {
            AppError::RequeteInvalide("signee_le : la date de la signature est obligatoire".into())
        })?;
        Ok(Signature {
            signataire: self.signataire.clone().unwrap_or_default(),
            fonction: self.fonction.clone().unwrap_or_default(),
            le: jour("signee_le", le).map_err(AppError::RequeteInvalide)?,
        })
    }
}

/// A request's number from the path; anything else is a bad request, answered as a problem document.
fn numero_demande(id: &str) -> Result<i64, AppError> {
    id.parse::<i64>().map_err(|_| {
        AppError::RequeteInvalide(format!(
            "« {} » n'est pas un numéro de demande",
            id.chars().take(20).collect::<String>()
        ))
    })
}

/// A delegated act's nature as typed (HB-9): a request's three, `suspension` or `reactivation`.
pub(crate) fn nature_acte(code: &str) -> Result<NatureActe, AppError> {
    NatureActe::parse(code.trim()).ok_or_else(|| {
        AppError::RequeteInvalide(format!(
            "nature : « {} » inconnue (acces, modification, suppression, suspension ou reactivation)",
            code.trim().chars().take(20).collect::<String>()
        ))
    })
}

/// The request's nature as typed: `acces`, `modification` or `suppression`.
pub(crate) fn nature(code: &str) -> Result<NatureDemande, AppError> {
    match code.trim() {
        "acces" => Ok(NatureDemande::Acces),
        "modification" => Ok(NatureDemande::Modification),
        "suppression" => Ok(NatureDemande::Suppression),
        autre => Err(AppError::RequeteInvalide(format!(
            "nature : « {} » inconnue (acces, modification ou suppression)",
            autre.chars().take(20).collect::<String>()
        ))),
    }
}

#[derive(Debug)]
pub(crate) struct DemandeRecue {
    nature: String,
    partenaire: String,
    convention: String,
    bouquet: String,
    utilisateur: Option<String>,
    agent: AgentDemande,
    signature: SignatureRecue,
}

impl FromJson for DemandeRecue {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let nature = c.texte("nature");
        let partenaire = c.texte("partenaire");
        let convention = c.texte("convention");
        let bouquet = c.texte("bouquet");
        let utilisateur = c.texte_facultatif("utilisateur");
        let agent = agent(c);
        let signature = SignatureRecue::lire(c);
        Some(DemandeRecue {
            nature: nature?,
            partenaire: partenaire?,
            convention: convention?,
            bouquet: bouquet?,
            utilisateur,
            agent: agent?,
            signature,
        })
    }
}

impl DemandeRecue {
    fn formulaire(self) -> Result<FormulaireDemande, AppError> {
        let nature = nature(&self.nature)?;
        let signature = if self.signature.donnee() {
            Some(self.signature.signature()?)
        } else {
            None
        };
        Ok(FormulaireDemande {
            nature,
            partenaire: self.partenaire,
            convention: self.convention,
            bouquet: self.bouquet,
            utilisateur: self.utilisateur,
            agent: self.agent,
            signature,
        })
    }
}

async fn creer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    JsonBody(body): JsonBody<DemandeRecue>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let d = state
        .app
        .enregistrer_demande(&staff, body.formulaire()?, &source)
        .await?;
    Ok((StatusCode::CREATED, Json(vue(&d))))
}

#[derive(Debug, Deserialize)]
pub(crate) struct FiltreRecu {
    etat: Option<String>,
    partenaire: Option<String>,
    bouquet: Option<String>,
    departement: Option<String>,
}

fn filtre(query: Result<Query<FiltreRecu>, QueryRejection>) -> Result<FiltreRecu, ApiError> {
    query
        .map(|Query(f)| f)
        .map_err(|_| AppError::RequeteInvalide("paramètres de recherche illisibles".into()).into())
}

async fn lister(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    query: Result<Query<FiltreRecu>, QueryRejection>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let f = filtre(query)?;
    let liste = state
        .app
        .demandes(&staff, f.etat.as_deref(), f.partenaire.as_deref(), &source)
        .await?;
    Ok(Json(liste.iter().map(vue).collect()))
}

async fn detail(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(vue(&state
        .app
        .demande_detail(&staff, numero_demande(&id)?, &source)
        .await?)))
}

#[derive(Debug)]
pub(crate) struct SoumissionRecue {
    signature: SignatureRecue,
    agent: Option<AgentDemande>,
}

impl FromJson for SoumissionRecue {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let signature = SignatureRecue::lire(c);
        // The agent's corrected details, all of them, when the caisse asked for changes.
        let agent = if c.contient("nom") || c.contient("email") || c.contient("prenom") {
            Some(agent(c)?)
        } else {
            None
        };
        Some(SoumissionRecue { signature, agent })
    }
}

async fn soumettre(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SoumissionRecue>,
) -> Result<Json<Value>, ApiError> {
    let signature = body.signature.signature()?;
    let d = state
        .app
        .soumettre_demande(&staff, numero_demande(&id)?, signature, body.agent, &source)
        .await?;
    Ok(Json(vue(&d)))
}

#[derive(Debug)]
pub(crate) struct MotifRecu(String);

impl FromJson for MotifRecu {
    fn from_json(c: &mut Champs) -> Option<Self> {
        c.texte("motif").map(MotifRecu)
    }
}

async fn a_completer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(id): Path<String>,
    JsonBody(MotifRecu(motif)): JsonBody<MotifRecu>,
) -> Result<Json<Value>, ApiError> {
    let d = state
        .app
        .demander_complements(&staff, numero_demande(&id)?, &motif, &source)
        .await?;
    Ok(Json(vue(&d)))
}

async fn refuser(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(id): Path<String>,
    JsonBody(MotifRecu(motif)): JsonBody<MotifRecu>,
) -> Result<Json<Value>, ApiError> {
    let d = state
        .app
        .refuser_demande(&staff, numero_demande(&id)?, &motif, &source)
        .await?;
    Ok(Json(vue(&d)))
}

/// New credentials as handed over (HB-3, HB-6): with a link, the masked address it left for and no
/// password; for a sealed letter, the temporary password, shown this once.
fn identifiants(i: &Identifiants) -> Value {
    match &i.remis {
        Remis::Lien { courriel_masque } => json!({
            "identifiant": i.identifiant.as_str(),
            "remis": "lien",
            "courriel": courriel_masque,
        }),
        Remis::Pli {
            mot_de_passe_provisoire,
        } => json!({
            "identifiant": i.identifiant.as_str(),
            "remis": "pli",
            "mot_de_passe_provisoire": mot_de_passe_provisoire.expose_secret(),
        }),
    }
}

/// How new credentials are delivered: `{"remise": "lien"|"pli"}`, the body optional (link by default).
#[derive(Debug)]
pub(crate) struct RemiseRecue(Remise);

impl FromJson for RemiseRecue {
    fn from_json(c: &mut Champs) -> Option<Self> {
        match c.texte_optionnel("remise") {
            Ok(None) => Some(RemiseRecue(Remise::Lien)),
            Ok(Some(t)) if t == "lien" => Some(RemiseRecue(Remise::Lien)),
            Ok(Some(t)) if t == "pli" => Some(RemiseRecue(Remise::Pli)),
            Ok(Some(_)) => {
                c.refuser("le champ « remise » vaut « lien » (courriel d'activation) ou « pli » (mot de passe provisoire)".into());
                None
            }
            Err(()) => None,
        }
    }
}

async fn accorder(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(id): Path<String>,
    CorpsFacultatif(RemiseRecue(remise)): CorpsFacultatif<RemiseRecue>,
) -> Result<Json<Value>, ApiError> {
    let DemandeAccordee {
        demande,
        identifiants: nouveaux,
    } = state
        .app
        .accorder_demande(&staff, numero_demande(&id)?, remise, &source)
        .await?;
    Ok(Json(json!({
        "demande": vue(&demande),
        "identifiants": nouveaux.as_ref().map(identifiants),
    })))
}

#[derive(Debug)]
pub(crate) struct PlafondRecu(Option<u32>);

impl FromJson for PlafondRecu {
    fn from_json(c: &mut Champs) -> Option<Self> {
        c.entier::<u32>("plafond").ok().map(PlafondRecu)
    }
}

async fn plafond(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
    JsonBody(PlafondRecu(plafond)): JsonBody<PlafondRecu>,
) -> Result<StatusCode, ApiError> {
    state.app.fixer_plafond(&staff, &numero, plafond, &source).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reinitialiser(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(identifiant): Path<String>,
    CorpsFacultatif(RemiseRecue(remise)): CorpsFacultatif<RemiseRecue>,
) -> Result<Json<Value>, ApiError> {
    let i = state
        .app
        .reinitialiser_identifiants(&staff, &identifiant, remise, &source)
        .await?;
    Ok(Json(identifiants(&i)))
}

fn extranaute(e: &Extranaute) -> Value {
    json!({
        "identifiant": e.identifiant.as_str(),
        "civilite": e.civilite,
        "nom": e.nom,
        "prenom": e.prenom,
        "email": e.email,
        "service": e.service,
        "fonction": e.fonction,
        "profil": e.profil,
        "convention": e.convention.as_str(),
        "actif": e.actif,
        "suspendue": e.suspendue,
    })
}

async fn extranautes(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    query: Result<Query<FiltreRecu>, QueryRejection>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let f = filtre(query)?;
    let bouquet = f.bouquet.ok_or_else(|| {
        AppError::RequeteInvalide("le paramètre « bouquet » est obligatoire (QF, PSU, RSACG ou MCP)".into())
    })?;
    let liste = state
        .app
        .extranautes(&staff, &bouquet, f.departement.as_deref(), &source)
        .await?;
    // Grouped by partner, in the store's order (partner, then identifiant).
    let mut partenaires: Vec<Value> = Vec::new();
    for e in &liste {
        let meme = partenaires
            .last()
            .is_some_and(|p| p["numero_tiers"] == e.partenaire.as_str());
        if !meme {
            partenaires.push(json!({
                "numero_tiers": e.partenaire.as_str(),
                "nom": e.nom_partenaire,
                "departements": e.departements.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
                "agents": [],
            }));
        }
        if let Some(Value::Array(agents)) = partenaires.last_mut().and_then(|p| p.get_mut("agents")) {
            agents.push(extranaute(e));
        }
    }
    Ok(Json(partenaires))
}

/// One code in the body, `null` for none: `{"<nom>": "code"}` or `{"<nom>": null}`; `{}` is refused.
#[derive(Debug)]
pub(crate) struct CodeRecu<const GESTION: bool>(Option<String>);

impl<const GESTION: bool> FromJson for CodeRecu<GESTION> {
    fn from_json(c: &mut Champs) -> Option<Self> {
        let nom = if GESTION { "gestion" } else { "administrateur" };
        c.texte_ou_null(nom).ok().map(CodeRecu)
    }
}

/// CV-12: `{"gestion": "deleguee" | "centralisee" | null}` (role `conventions`).
async fn gestion(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(numero): Path<String>,
    JsonBody(CodeRecu(code)): JsonBody<CodeRecu<true>>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .fixer_gestion(&staff, &numero, code.as_deref(), &source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// HB-9: `{"administrateur": "principal" | "suppleant" | null}` (role `habilitation`).
async fn administrateur(
    State(state): State<AppState>,
    Source(source): Source,
    StaffBearer(staff): StaffBearer,
    Path(identifiant): Path<String>,
    JsonBody(CodeRecu(code)): JsonBody<CodeRecu<false>>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .designer_administrateur(&staff, &identifiant, code.as_deref(), &source)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
