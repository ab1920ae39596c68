//! Suspensions as a page (`/caisse/suspensions`, SPEC SU-2, AU-6, role `supervision`): the caisse's
//! suspensions, current and past; suspending a user or a whole partner, until a day or for good, with a
//! reason; lifting one. Suspending and lifting are sensitive acts: without a fresh password the use case
//! refuses and [`super::erreur`] sends the staff member to confirm it, then back here.

use super::supervision::ErreursChamps;
use super::{erreur, page_ou_erreur, NavCaisse, StaffPage, StaffSession};
use crate::extract::Source;
use crate::pages::{date_heure, rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime, SecondsFormat};
use partage_app::supervision::{Cible, DemandeSuspension, SuspensionVue};
use partage_app::AppError;
use serde::Deserialize;

const RETOUR: &str = "/caisse/suspensions";

const CHAMPS: [(&str, &str); 4] = [
    ("identifiant", "utilisateur"),
    ("numero_tiers", "partenaire"),
    ("jusqu_au", "jusqu_au"),
    ("motif", "motif"),
];

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Saisie {
    #[serde(default)]
    utilisateur: String,
    #[serde(default)]
    partenaire: String,
    /// The last day of a temporary suspension, `AAAA-MM-JJ`; empty: definitive.
    #[serde(default)]
    jusqu_au: String,
    #[serde(default)]
    motif: String,
}

/// What the page says after an act, from its address.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Avis {
    #[serde(default)]
    suspendue: Option<i64>,
    #[serde(default)]
    sessions: Option<u64>,
    #[serde(default)]
    levee: Option<i64>,
}

struct LigneSuspension {
    id: i64,
    cible: String,
    depuis: String,
    par: String,
    motif: String,
    fin: String,
    en_cours: bool,
    levee: Option<String>,
}

#[derive(Template)]
#[template(path = "caisse/suspensions.html")]
struct PageSuspensions {
    nav: NavCaisse,
    lignes: Vec<LigneSuspension>,
    saisie: Saisie,
    erreurs: ErreursChamps,
    avis: Option<String>,
}

impl PageSuspensions {
    fn erreur(&self, champ: &str) -> Option<&str> {
        self.erreurs.de(champ)
    }
}

fn ligne(v: &SuspensionVue) -> LigneSuspension {
    let s = &v.suspension;
    LigneSuspension {
        id: s.id,
        cible: match &s.cible {
            Cible::Utilisateur(i) => format!("Utilisateur {i}"),
            Cible::Partenaire(t) => format!("Partenaire {t} (tous ses utilisateurs)"),
        },
        depuis: date_heure(s.acte.le),
        par: s.acte.par.clone(),
        motif: s.acte.motif.clone(),
        fin: s.jusqu_au.map_or("Définitive".to_owned(), |f| {
            format!("Jusqu'au {}", date_heure(f))
        }),
        en_cours: v.en_cours,
        levee: s
            .levee
            .as_ref()
            .map(|l| format!("Levée le {} par {} : {}", date_heure(l.le), l.par, l.motif)),
    }
}

async fn page(
    state: &AppState,
    source: &str,
    session: &StaffSession,
    saisie: Saisie,
    erreurs: ErreursChamps,
    avis: Option<String>,
) -> Result<PageSuspensions, AppError> {
    let liste = state.app.suspensions(&session.staff, source).await?;
    Ok(PageSuspensions {
        nav: session.nav(),
        lignes: liste.iter().map(ligne).collect(),
        saisie,
        erreurs,
        avis,
    })
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<Avis>, QueryRejection>,
) -> Response {
    let a = query.map(|Query(a)| a).unwrap_or_default();
    let avis = match (a.suspendue, a.levee) {
        (Some(id), _) => Some(format!(
            "Suspension n° {id} enregistrée, effective immédiatement : {} session(s) en cours terminée(s).",
            a.sessions.unwrap_or(0)
        )),
        (None, Some(id)) => Some(format!("Suspension n° {id} levée.")),
        (None, None) => None,
    };
    let resultat = page(
        &state,
        &source,
        &session,
        Saisie::default(),
        ErreursChamps::default(),
        avis,
    )
    .await;
    page_ou_erreur(resultat, &session, RETOUR)
}

/// The last day typed, as the instant the suspension ends: midnight in Paris at the end of that day.
fn fin_du_jour(texte: &str) -> Result<Option<String>, String> {
    let t = texte.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let jour = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map_err(|_| "jusqu_au : le dernier jour s'écrit AAAA-MM-JJ".to_owned())?;
    let minuit = jour
        .succ_opt()
        .map(|d| d.and_time(NaiveTime::MIN).and_utc())
        .ok_or_else(|| "jusqu_au : date hors calendrier".to_owned())?;
    let instant = minuit - partage_domain::plage::decalage_france(minuit);
    Ok(Some(instant.to_rfc3339_opts(SecondsFormat::Secs, true)))
}

pub(crate) async fn suspendre(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(saisie): PageForm<Saisie>,
) -> Response {
    let outcome = match fin_du_jour(&saisie.jusqu_au) {
        Err(m) => Err(AppError::RequeteInvalide(m)),
        Ok(jusqu_au) => {
            let d = DemandeSuspension {
                utilisateur: Some(saisie.utilisateur.clone()),
                partenaire: Some(saisie.partenaire.clone()),
                jusqu_au,
                motif: saisie.motif.clone(),
            };
            state.app.suspendre(&session.staff, &d, &source).await
        }
    };
    let (status, erreurs) = match outcome {
        Ok(v) => {
            let cible = format!(
                "{RETOUR}?suspendue={}&sessions={}",
                v.suspension.id,
                v.sessions_terminees.unwrap_or(0)
            );
            return Redirect::to(&cible).into_response();
        }
        Err(AppError::RequeteInvalide(m)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ErreursChamps::depuis(&m, &CHAMPS),
        ),
        Err(AppError::Introuvable(m)) => (StatusCode::NOT_FOUND, ErreursChamps::depuis(&m, &[])),
        Err(e) => return erreur(e, Some(session.nav()), RETOUR),
    };
    match page(&state, &source, &session, saisie, erreurs, None).await {
        Ok(p) => rendre(status, &p),
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Levee {
    #[serde(default)]
    motif: String,
}

pub(crate) async fn lever(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(id): Path<String>,
    PageForm(levee): PageForm<Levee>,
) -> Response {
    // A number that is no suspension's is refused by the use case like an unknown one.
    let id = id.parse::<i64>().unwrap_or(-1);
    match state
        .app
        .lever_suspension(&session.staff, id, &levee.motif, &source)
        .await
    {
        Ok(_) => Redirect::to(&format!("{RETOUR}?levee={id}")).into_response(),
        Err(e) => erreur(e, Some(session.nav()), RETOUR),
    }
}
