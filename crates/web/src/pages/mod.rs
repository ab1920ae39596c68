//! The server-rendered pages (askama templates, auto-escaped). Every action works without JavaScript; every
//! form carries a CSRF token checked by [`crate::csrf::verify`]; the NIR travels only in POST bodies.

mod accueil;
mod activation;
mod caisse;
mod double_facteur;
mod gestion;
mod information;
mod mcp;
mod mot_de_passe;
mod psu;
mod qf;
mod rsacg;
mod session;

use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use partage_app::AppError;

pub(crate) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(accueil::afficher))
        .route("/connexion", post(accueil::connexion))
        .route("/activation", get(activation::afficher).post(activation::activer))
        .route(
            "/mot-de-passe",
            get(mot_de_passe::afficher).post(mot_de_passe::changer),
        )
        .route("/qf", get(qf::afficher).post(qf::rechercher))
        .route("/information-familles", get(information::afficher))
        .route("/psu", get(psu::afficher).post(psu::rechercher))
        .route("/rsacg", get(rsacg::afficher).post(rsacg::rechercher))
        .route("/mon-compte-partenaire", get(mcp::afficher).post(mcp::rechercher))
        .route(
            "/double-facteur",
            get(double_facteur::afficher).post(double_facteur::enroler),
        )
        .route("/double-facteur/activation", post(double_facteur::activer))
        .route("/deconnexion", post(session::deconnexion))
        .route("/gestion", get(gestion::afficher).post(gestion::agir))
        .merge(caisse::routes(state.clone()))
        .route_layer(axum::middleware::from_fn_with_state(state, crate::csrf::verify))
}

/// What the header of every page needs to know.
#[derive(Debug, Clone, Default)]
pub(crate) struct Nav {
    pub connecte: bool,
    /// False while a temporary password must be changed (AU-2): no link to a service.
    pub services: bool,
    pub csrf: String,
    /// HB-9: the organisation's gestionnaire principal or suppléant sees the link to manage its
    /// habilitations (the use cases check it anyway).
    pub administrateur: bool,
}

#[derive(Template)]
#[template(path = "erreur.html")]
struct PageErreur<'a> {
    nav: Nav,
    titre: &'a str,
    message: &'a str,
}

/// Renders a page; a template failure is an internal error, logged.
pub(crate) fn rendre(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(cause = %e, "échec du rendu d'une page");
            (StatusCode::INTERNAL_SERVER_ERROR, "erreur interne").into_response()
        }
    }
}

fn page_erreur(status: StatusCode, titre: &str, message: &str) -> Response {
    rendre(
        status,
        &PageErreur {
            nav: Nav::default(),
            titre,
            message,
        },
    )
}

/// How a page answers a use case's refusal that the page has no better place for. Status and title come
/// from the same table as the API's ([`ApiError`]).
pub(crate) fn depuis_erreur(e: AppError) -> Response {
    match e {
        // AU-4: back to the home page, which says why.
        AppError::SessionExpiree => Redirect::to("/?expiree=1").into_response(),
        AppError::NonAuthentifie => Redirect::to("/").into_response(),
        AppError::ChangementMotDePasseRequis => Redirect::to("/mot-de-passe").into_response(),
        // HB-9: an administrator whose caisse requires the factor enrols before managing habilitations.
        AppError::DoubleFacteurRequis => Redirect::to("/double-facteur").into_response(),
        e => {
            let retry_after = match e {
                AppError::TropDeRequetes { secondes } | AppError::ServiceFerme { secondes, .. } => {
                    Some(secondes)
                }
                _ => None,
            };
            let e = ApiError::App(e);
            e.log();
            let c = e.classement();
            let mut response = page_erreur(c.status, c.titre, &phrase(&e.detail()));
            if let Some(secondes) = retry_after {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secondes));
            }
            response
        }
    }
}

pub(crate) fn csrf_refusee() -> Response {
    page_erreur(
        StatusCode::FORBIDDEN,
        "Requête refusée (jeton CSRF)",
        "Requête refusée (jeton CSRF) : le formulaire envoyé ne provient pas d'une page de partage ouverte dans \
         ce navigateur, ou il est trop ancien. Rechargez la page et recommencez.",
    )
}

/// A request refused before any handler (too large, too slow), as a French page.
pub(crate) fn page_de_probleme(e: &ApiError) -> Response {
    let c = e.classement();
    page_erreur(c.status, c.titre, &phrase(&e.detail()))
}

/// A method the route does not take: a problem document under `/api/`, a French page elsewhere, never
/// axum's empty answer.
pub(crate) async fn method_not_allowed(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::MethodeNonAutorisee.into_response()
    } else {
        let e = ApiError::MethodeNonAutorisee;
        page_erreur(e.classement().status, e.classement().titre, &phrase(&e.detail()))
    }
}

/// A form body, refused with a French page (not axum's English text) when it is not a form or lacks a
/// field the page always sends: only a hand-made request gets there.
#[derive(Debug)]
pub(crate) struct PageForm<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for PageForm<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(PageForm(value)),
            Err(_) => Err(page_erreur(
                StatusCode::BAD_REQUEST,
                "Formulaire invalide",
                "Le formulaire reçu est incomplet ou mal formé. Rechargez la page et recommencez.",
            )),
        }
    }
}

/// The fallback of the whole router: a problem document under `/api/`, a page elsewhere.
pub(crate) async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::RouteInconnue.into_response()
    } else {
        page_erreur(
            StatusCode::NOT_FOUND,
            "Page introuvable",
            "Cette page n'existe pas. Vérifiez l'adresse, ou revenez à l'accueil.",
        )
    }
}

/// An instant as a French reader expects it, in Paris time: "05/03/2026 à 14:07".
pub(crate) fn date_heure(instant: chrono::DateTime<chrono::Utc>) -> String {
    (instant + partage_domain::plage::decalage_france(instant))
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}

/// A use case's message as a sentence: capital first letter, final full stop.
pub(crate) fn phrase(message: &str) -> String {
    let mut chars = message.chars();
    let mut s: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_shown_in_paris_time() {
        use chrono::TimeZone;
        let hiver = chrono::Utc.with_ymd_and_hms(2026, 1, 5, 13, 7, 0).unwrap();
        let ete = chrono::Utc.with_ymd_and_hms(2026, 7, 5, 13, 7, 0).unwrap();
        assert_eq!(date_heure(hiver), "05/01/2026 à 14:07");
        assert_eq!(date_heure(ete), "05/07/2026 à 15:07");
    }

    #[test]
    fn phrases_start_with_a_capital_and_end_with_a_stop() {
        assert_eq!(phrase("élément manquant"), "Élément manquant.");
        assert_eq!(phrase("Déjà."), "Déjà.");
    }
}
