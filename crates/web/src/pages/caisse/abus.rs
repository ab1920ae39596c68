//! Abuse detection as a page (`/caisse/abus`, SPEC SU-1, CO-5, role `supervision`): the open alerts (close
//! one with a comment, put its user under surveillance), the surveillances (lift one), and the detection
//! rules (changing them is a sensitive act).

use super::supervision::{alertes_ouvertes, ErreursChamps};
use super::{erreur, page_ou_erreur, NavCaisse, StaffPage, StaffSession};
use crate::extract::Source;
use crate::pages::{date_heure, rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::abus::{ModificationRegles, ReglesVue, JOURS_MAX};
use partage_app::AppError;
use partage_domain::abus::Regle;
use serde::Deserialize;

const RETOUR: &str = "/caisse/abus";

/// A rule as a reader names it.
pub(crate) fn libelle_regle(r: Regle) -> &'static str {
    match r {
        Regle::VolumeAnormal => "Volume anormal d'un agent",
        Regle::Nuit => "Consultations de nuit",
        Regle::Enumeration => "Recherches sans résultat (énumération)",
        Regle::DossierPartage => "Dossier consulté par plusieurs agents",
        Regle::HorsPerimetre => "Hors des départements du partenaire",
        Regle::Surveillance => "Utilisateur sous surveillance",
    }
}

/// The thresholds, in the order of the form: name, label, help.
const SEUILS: [(&str, &str, &str); 7] = [
    (
        "facteur_volume",
        "Facteur de volume",
        "Alerte quand un agent consulte au moins ce nombre de fois son volume habituel.",
    ),
    (
        "volume_minimum",
        "Volume minimum",
        "Nombre de consultations d'un jour en dessous duquel aucun volume n'est anormal.",
    ),
    ("nuit_debut", "Début de la nuit (heure de Paris, 0 à 23)", ""),
    ("nuit_fin", "Fin de la nuit (heure de Paris, 0 à 23)", ""),
    (
        "seuil_introuvables",
        "Recherches sans résultat",
        "Nombre de recherches d'un agent qui ne trouvent rien, en un jour, qui fait une alerte.",
    ),
    (
        "seuil_agents_par_dossier",
        "Agents par dossier",
        "Nombre d'agents différents qui consultent un même dossier en un jour.",
    ),
    (
        "seuil_hors_perimetre",
        "Tentatives hors des départements",
        "Nombre de tentatives d'un agent hors des départements de son partenaire, en un jour.",
    ),
];

struct LigneAlerte {
    id: i64,
    regle: &'static str,
    jour: String,
    utilisateur: Option<String>,
    partenaire: String,
    matricule: String,
    compte: i64,
    seuil: i64,
    detectee: String,
}

struct LigneSurveillance {
    id: i64,
    utilisateur: String,
    alerte: String,
    depuis: String,
    par: String,
    motif: String,
    fin: Option<String>,
}

struct ChampSeuil {
    nom: &'static str,
    libelle: &'static str,
    aide: &'static str,
    valeur: String,
    erreur: Option<String>,
}

#[derive(Template)]
#[template(path = "caisse/abus.html")]
struct PageAbus {
    nav: NavCaisse,
    jours: i64,
    alertes: Vec<LigneAlerte>,
    surveillances: Vec<LigneSurveillance>,
    seuils: Vec<ChampSeuil>,
    regles_par: Option<String>,
    erreurs: ErreursChamps,
    avis: Option<&'static str>,
}

/// The rules as the form shows them: the values in force, or those typed when refused.
fn seuils(v: &ReglesVue, saisis: Option<&[(String, String)]>, erreurs: &ErreursChamps) -> Vec<ChampSeuil> {
    let r = &v.regles;
    let en_vigueur = [
        r.facteur_volume,
        r.volume_minimum,
        r.nuit_debut,
        r.nuit_fin,
        r.seuil_introuvables,
        r.seuil_agents_par_dossier,
        r.seuil_hors_perimetre,
    ];
    SEUILS
        .iter()
        .zip(en_vigueur)
        .map(|((nom, libelle, aide), n)| ChampSeuil {
            nom,
            libelle,
            aide,
            valeur: saisis
                .and_then(|s| s.iter().find(|(c, _)| c == nom))
                .map_or(n.to_string(), |(_, v)| v.clone()),
            erreur: erreurs.de(nom).map(str::to_owned),
        })
        .collect()
}

async fn page(
    state: &AppState,
    source: &str,
    session: &StaffSession,
    saisis: Option<&[(String, String)]>,
    erreurs: ErreursChamps,
    avis: Option<&'static str>,
) -> Result<PageAbus, AppError> {
    let staff = &session.staff;
    let alertes = alertes_ouvertes(state, staff, source).await?;
    let surveillances = state.app.surveillances(staff, source).await?;
    let regles = state.app.regles_abus(staff, source).await?;
    Ok(PageAbus {
        nav: session.nav(),
        jours: JOURS_MAX,
        alertes: alertes
            .into_iter()
            .map(|a| LigneAlerte {
                id: a.id,
                regle: libelle_regle(a.constat.regle),
                jour: a.constat.jour.format("%d/%m/%Y").to_string(),
                utilisateur: a.constat.utilisateur,
                partenaire: a.constat.partenaire.unwrap_or_default(),
                matricule: a.constat.matricule.unwrap_or_default(),
                compte: a.constat.compte,
                seuil: a.constat.seuil,
                detectee: date_heure(a.detectee_le),
            })
            .collect(),
        surveillances: surveillances
            .into_iter()
            .map(|s| LigneSurveillance {
                id: s.id,
                utilisateur: s.utilisateur.to_string(),
                alerte: s.alerte.map(|a| a.to_string()).unwrap_or_default(),
                depuis: date_heure(s.debut.le),
                par: s.debut.par,
                motif: s.debut.motif,
                fin: s
                    .fin
                    .map(|f| format!("Levée le {} par {} : {}", date_heure(f.le), f.par, f.motif)),
            })
            .collect(),
        seuils: seuils(&regles, saisis, &erreurs),
        regles_par: regles
            .modifiees
            .map(|(par, le)| format!("Fixées par {par} le {}", date_heure(le))),
        erreurs,
        avis,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Avis {
    #[serde(default)]
    fait: String,
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<Avis>, QueryRejection>,
) -> Response {
    let fait = query.map(|Query(a)| a.fait).unwrap_or_default();
    let avis = match fait.as_str() {
        "cloture" => Some("Alerte close."),
        "surveillance" => {
            Some("Utilisateur mis sous surveillance : chacun de ses jours de consultation fera une alerte.")
        }
        "levee" => Some("Surveillance levée."),
        "regles" => Some("Règles de détection enregistrées ; elles s'appliquent dès la prochaine analyse."),
        _ => None,
    };
    let resultat = page(&state, &source, &session, None, ErreursChamps::default(), avis).await;
    page_ou_erreur(resultat, &session, RETOUR)
}

fn fait(quoi: &str) -> Response {
    Redirect::to(&format!("{RETOUR}?fait={quoi}")).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct Commentaire {
    #[serde(default)]
    commentaire: String,
}

pub(crate) async fn clore(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(id): Path<String>,
    PageForm(c): PageForm<Commentaire>,
) -> Response {
    let id = id.parse::<i64>().unwrap_or(-1);
    match state
        .app
        .clore_alerte(&session.staff, id, &c.commentaire, &source)
        .await
    {
        Ok(_) => fait("cloture"),
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Surveillance {
    #[serde(default)]
    utilisateur: String,
    #[serde(default)]
    alerte: String,
    #[serde(default)]
    motif: String,
}

pub(crate) async fn surveiller(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(s): PageForm<Surveillance>,
) -> Response {
    let alerte = match s.alerte.trim() {
        "" => None,
        // A number that is no alert's is refused by the use case like an unknown one.
        t => Some(t.parse::<i64>().unwrap_or(-1)),
    };
    match state
        .app
        .mettre_sous_surveillance(&session.staff, &s.utilisateur, alerte, &s.motif, &source)
        .await
    {
        Ok(_) => fait("surveillance"),
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Motif {
    #[serde(default)]
    motif: String,
}

pub(crate) async fn lever(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(id): Path<String>,
    PageForm(m): PageForm<Motif>,
) -> Response {
    let id = id.parse::<i64>().unwrap_or(-1);
    match state
        .app
        .lever_surveillance(&session.staff, id, &m.motif, &source)
        .await
    {
        Ok(_) => fait("levee"),
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}

/// The rules form: every threshold, as typed.
pub(crate) async fn modifier_regles(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(saisis): PageForm<Vec<(String, String)>>,
) -> Response {
    let valeur = |nom: &str| {
        saisis
            .iter()
            .find(|(c, _)| c == nom)
            .map(|(_, v)| v.trim())
            .unwrap_or_default()
    };
    let mut illisibles = Vec::new();
    let mut nombre = |nom: &str| match valeur(nom) {
        "" => None,
        v => v.parse::<u32>().map_or_else(
            |_| {
                illisibles.push(format!("{nom} : un nombre entier positif"));
                None
            },
            Some,
        ),
    };
    let m = ModificationRegles {
        facteur_volume: nombre("facteur_volume"),
        volume_minimum: nombre("volume_minimum"),
        nuit_debut: nombre("nuit_debut"),
        nuit_fin: nombre("nuit_fin"),
        seuil_introuvables: nombre("seuil_introuvables"),
        seuil_agents_par_dossier: nombre("seuil_agents_par_dossier"),
        seuil_hors_perimetre: nombre("seuil_hors_perimetre"),
    };
    let refus = if illisibles.is_empty() {
        match state.app.modifier_regles_abus(&session.staff, m, &source).await {
            Ok(_) => return fait("regles"),
            Err(AppError::RequeteInvalide(m)) => m,
            Err(e) => return erreur(e, Some(session.nav()), RETOUR),
        }
    } else {
        illisibles.join(" ; ")
    };
    let mut champs: Vec<(&str, &'static str)> = SEUILS.iter().map(|(n, _, _)| (*n, *n)).collect();
    champs.push(("nuit_debut et nuit_fin", "nuit_fin"));
    let erreurs = ErreursChamps::depuis(&refus, &champs);
    match page(&state, &source, &session, Some(&saisis), erreurs, None).await {
        Ok(p) => rendre(StatusCode::UNPROCESSABLE_ENTITY, &p),
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}
