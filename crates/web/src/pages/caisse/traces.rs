//! Trace requests as a page (`/caisse/traces`, SPEC TR-3, role `supervision`): by user, partner, dossier
//! (matricule, or NIR), bouquet, result, action and period, 50 traces a page, and the same request exported
//! as CSV or JSON Lines. The use cases are the API's, so the request is traced the same way.
//!
//! Without a NIR the request lives in the address (a link to keep, to go back, to page). A NIR never does:
//! the form is a POST, and a request with a NIR is answered at once, its pages and exports being POST
//! buttons that carry it in their body (as `/qf` does).

use super::supervision::ErreursChamps;
use super::{erreur, NavCaisse, StaffPage, StaffSession};
use crate::api::caisse_supervision::reponse_export;
use crate::extract::Source;
use crate::pages::{date_heure, rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::supervision::{PageTraces, RequeteTraces};
use partage_app::AppError;
use partage_domain::Bouquet;
use serde::Deserialize;

/// Traces a page shows.
const PAR_PAGE: &str = "50";
/// The pages behind the current one that "Page précédente" can go back to.
const PRECEDENTS_MAX: usize = 100;

/// How the use case names a field in its refusals, and the form field it belongs to.
const CHAMPS: [(&str, &str); 10] = [
    ("utilisateur", "utilisateur"),
    ("numero_tiers", "partenaire"),
    ("matricule", "matricule"),
    ("dossier", "matricule"),
    ("bouquet", "bouquet"),
    ("resultat", "resultat"),
    ("action", "action"),
    ("du", "du"),
    ("au", "au"),
    ("période", "au"),
];

/// The filters as typed, and where the page stands. Everything but the NIR may travel in an address.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Filtres {
    #[serde(default)]
    utilisateur: String,
    #[serde(default)]
    partenaire: String,
    #[serde(default)]
    matricule: String,
    #[serde(default)]
    bouquet: String,
    #[serde(default)]
    resultat: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    du: String,
    #[serde(default)]
    au: String,
    /// The last trace of the previous page.
    #[serde(default)]
    apres: String,
    /// The `apres` of the pages before this one, comma-separated, oldest first.
    #[serde(default)]
    precedents: String,
    /// Present once the form was sent: an empty request is then every trace of the caisse.
    #[serde(default)]
    chercher: String,
}

impl Filtres {
    fn criteres(&self) -> [(&'static str, &str); 8] {
        [
            ("utilisateur", &self.utilisateur),
            ("partenaire", &self.partenaire),
            ("matricule", &self.matricule),
            ("bouquet", &self.bouquet),
            ("resultat", &self.resultat),
            ("action", &self.action),
            ("du", &self.du),
            ("au", &self.au),
        ]
    }

    /// The criteria given, as name/value pairs.
    fn paires(&self) -> Vec<(&'static str, String)> {
        self.criteres()
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(n, v)| (n, v.trim().to_owned()))
            .collect()
    }

    fn requete(&self, nir: Option<&str>) -> RequeteTraces {
        let donne = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        RequeteTraces {
            utilisateur: donne(&self.utilisateur),
            partenaire: donne(&self.partenaire),
            matricule: donne(&self.matricule),
            nir: nir.and_then(donne),
            bouquet: donne(&self.bouquet),
            resultat: donne(&self.resultat),
            action: donne(&self.action),
            du: donne(&self.du),
            au: donne(&self.au),
            apres: donne(&self.apres),
            limite: Some(PAR_PAGE.to_owned()),
        }
    }

    fn precedents(&self) -> Vec<String> {
        self.precedents
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// A POST of the form: the filters, and a NIR perhaps.
#[derive(Debug, Deserialize)]
pub(crate) struct FormTraces {
    #[serde(flatten)]
    filtres: Filtres,
    #[serde(default)]
    nir: String,
    #[serde(default)]
    format: String,
}

/// A link to another page of the results, or to an export: the pairs it carries.
struct Lien {
    paires: Vec<(&'static str, String)>,
}

impl Lien {
    /// As a query string (without the NIR, which only a POST carries).
    fn requete(&self) -> String {
        serde_urlencoded::to_string(&self.paires).unwrap_or_default()
    }

    /// The export of these criteria in `format`, as a query string.
    fn export(&self, format: &'static str) -> String {
        let mut paires = vec![("format", format.to_owned())];
        paires.extend(self.paires.iter().cloned());
        Lien { paires }.requete()
    }
}

struct LigneTrace {
    numero: i64,
    quand: String,
    utilisateur: String,
    partenaire: String,
    action: &'static str,
    bouquet: &'static str,
    matricule: String,
    resultat: &'static str,
}

struct Resultats {
    lignes: Vec<LigneTrace>,
    page: usize,
    precedente: Option<Lien>,
    suivante: Option<Lien>,
    export: Lien,
}

#[derive(Template)]
#[template(path = "caisse/traces.html")]
struct PageTracesVue {
    nav: NavCaisse,
    f: Filtres,
    nir: String,
    bouquets: Vec<(&'static str, &'static str)>,
    erreurs: ErreursChamps,
    resultats: Option<Resultats>,
}

impl PageTracesVue {
    fn erreur(&self, champ: &str) -> Option<&str> {
        self.erreurs.de(champ)
    }
}

fn vue(session: &StaffSession, f: Filtres, nir: String) -> PageTracesVue {
    PageTracesVue {
        nav: session.nav(),
        f,
        nir,
        bouquets: Bouquet::ALL.iter().map(|b| (b.code(), b.libelle())).collect(),
        erreurs: ErreursChamps::default(),
        resultats: None,
    }
}

fn resultats(f: &Filtres, page: PageTraces) -> Resultats {
    let precedents = f.precedents();
    let base = f.paires();
    let avec = |apres: Option<String>, precedents: &[String]| {
        let mut paires = base.clone();
        if let Some(a) = apres.filter(|a| !a.is_empty() && a != "0") {
            paires.push(("apres", a));
        }
        if !precedents.is_empty() {
            paires.push(("precedents", precedents.join(",")));
        }
        paires.push(("chercher", "1".to_owned()));
        Lien { paires }
    };
    let precedente = precedents
        .split_last()
        .map(|(dernier, avant)| avec(Some(dernier.clone()), avant));
    let suivante = page.suivant.map(|suivant| {
        let mut pile = precedents.clone();
        pile.push(if f.apres.trim().is_empty() {
            "0".to_owned()
        } else {
            f.apres.trim().to_owned()
        });
        let debut = pile.len().saturating_sub(PRECEDENTS_MAX);
        avec(Some(suivant.to_string()), &pile[debut..])
    });
    let lignes = page
        .traces
        .iter()
        .map(|s| {
            let t = &s.trace;
            LigneTrace {
                numero: s.id,
                quand: date_heure(t.horodatage),
                utilisateur: t.utilisateur.clone().unwrap_or_default(),
                partenaire: t.partenaire.clone().unwrap_or_default(),
                action: t.action.code(),
                bouquet: t.bouquet.map(|b| b.code()).unwrap_or_default(),
                matricule: t.matricule.clone().unwrap_or_default(),
                resultat: t.resultat.code(),
            }
        })
        .collect();
    Resultats {
        lignes,
        page: precedents.len() + 1,
        precedente,
        suivante,
        export: Lien { paires: base },
    }
}

/// Runs the request and shows its page, or the form again with each error beside its field.
async fn repondre(
    state: &AppState,
    source: &str,
    session: &StaffSession,
    f: Filtres,
    nir: String,
) -> Response {
    let r = f.requete(Some(&nir));
    match state.app.requete_traces(&session.staff, &r, source).await {
        Ok(page) => {
            let mut v = vue(session, f, nir);
            v.resultats = Some(resultats(&v.f, page));
            rendre(StatusCode::OK, &v)
        }
        Err(AppError::RequeteInvalide(m)) => {
            let mut v = vue(session, f, nir);
            v.erreurs = ErreursChamps::depuis(&m, &CHAMPS);
            rendre(StatusCode::UNPROCESSABLE_ENTITY, &v)
        }
        Err(AppError::NirInvalide(m)) => {
            let mut v = vue(session, f, nir);
            v.erreurs = ErreursChamps::depuis(&format!("nir : {m}"), &[("nir", "nir")]);
            rendre(StatusCode::UNPROCESSABLE_ENTITY, &v)
        }
        Err(e) => erreur(e, Some(session.nav()), "/caisse/traces"),
    }
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<Filtres>, QueryRejection>,
) -> Response {
    let f = query.map(|Query(f)| f).unwrap_or_default();
    if f.chercher.is_empty() {
        if let Err(e) = state.app.touch_personnel(&session.staff).await {
            return erreur(e, None, "/caisse/supervision");
        }
        return rendre(StatusCode::OK, &vue(&session, f, String::new()));
    }
    repondre(&state, &source, &session, f, String::new()).await
}

/// The form: without a NIR, to the address of the request; with one, answered here.
pub(crate) async fn rechercher(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(form): PageForm<FormTraces>,
) -> Response {
    let mut f = form.filtres;
    if form.nir.trim().is_empty() {
        let mut paires = f.paires();
        for (nom, v) in [("apres", &f.apres), ("precedents", &f.precedents)] {
            if !v.trim().is_empty() {
                paires.push((nom, v.trim().to_owned()));
            }
        }
        paires.push(("chercher", "1".to_owned()));
        let lien = Lien { paires };
        return Redirect::to(&format!("/caisse/traces?{}", lien.requete())).into_response();
    }
    f.chercher = "1".to_owned();
    repondre(&state, &source, &session, f, form.nir).await
}

async fn exporter(
    state: &AppState,
    source: &str,
    session: &StaffSession,
    f: Filtres,
    nir: String,
    format: &str,
) -> Response {
    let csv = match format {
        "csv" => true,
        "jsonl" => false,
        _ => {
            let e = AppError::RequeteInvalide("format : csv ou jsonl".into());
            return erreur(e, Some(session.nav()), "/caisse/traces");
        }
    };
    // An export holds every matching trace, whatever page was shown.
    let f = Filtres {
        apres: String::new(),
        ..f
    };
    let r = f.requete(Some(&nir));
    let extension = if csv { "csv" } else { "jsonl" };
    match state
        .app
        .exporter_traces(&session.staff, &r, extension, source)
        .await
    {
        Ok(export) => reponse_export(export, csv, session.staff.personnel.caisse.as_str()),
        Err(e) => erreur(e, Some(session.nav()), "/caisse/traces"),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ExportDemande {
    #[serde(flatten)]
    filtres: Filtres,
    #[serde(default)]
    format: String,
}

pub(crate) async fn exporter_lien(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<ExportDemande>, QueryRejection>,
) -> Response {
    match query {
        Ok(Query(d)) => exporter(&state, &source, &session, d.filtres, String::new(), &d.format).await,
        Err(_) => {
            let e = AppError::RequeteInvalide("paramètres de l'export illisibles".into());
            erreur(e, Some(session.nav()), "/caisse/traces")
        }
    }
}

/// An export of a request with a NIR: a POST, so the NIR stays out of the address.
pub(crate) async fn exporter_formulaire(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(form): PageForm<FormTraces>,
) -> Response {
    exporter(&state, &source, &session, form.filtres, form.nir, &form.format).await
}
