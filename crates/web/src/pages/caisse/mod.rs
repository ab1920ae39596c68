//! The caisse's back office as pages (SPEC Actors): the staff's own entrance at `/caisse`, apart from the
//! partners' home page, with its own session cookie. A partner agent's cookie opens nothing here and a
//! staff cookie opens no partner page: the two sessions are looked up in different tables.
//!
//! Every page here calls the same use cases as `/api/v1/caisse/…`, which check the role and, for a sensitive
//! act, a password typed within ten minutes. When that is missing, the page sends the staff member to
//! [`reauthentification`] and back to where he was — a posted form with what he had typed in it. A member
//! whose caisse requires the second factor and who has none yet is sent to [`double_facteur`] only.

mod abus;
mod annuaire;
mod baremes;
mod bilan;
mod consultations;
mod conventions;
mod demandes;
mod documents;
mod double_facteur;
mod entree;
mod gestion_deleguee;
mod mot_de_passe;
mod partenaires;
mod personnels;
mod plages;
mod reauthentification;
mod statistiques;
mod supervision;
mod suspensions;
mod tableau;
mod traces;

use super::{phrase, rendre};
use crate::cookies;
use crate::error::ApiError;
use crate::extract::Source;
use crate::AppState;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use partage_app::double_facteur::DoubleFacteur;
use partage_app::personnel::Staff;
use partage_app::AppError;
use partage_domain::personnel::Role;

pub(crate) use demandes::{facultatif, AgentSaisi};

pub(crate) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/caisse", get(entree::afficher))
        .route("/caisse/connexion", post(entree::connexion))
        .route("/caisse/deconnexion", post(entree::deconnexion))
        .route(
            "/caisse/mot-de-passe",
            get(mot_de_passe::afficher).post(mot_de_passe::changer),
        )
        .route(
            "/caisse/reauthentification",
            get(reauthentification::afficher).post(reauthentification::confirmer),
        )
        .route(
            "/caisse/double-facteur",
            get(double_facteur::afficher).post(double_facteur::enroler),
        )
        .route("/caisse/double-facteur/activation", post(double_facteur::activer))
        .route("/caisse/tableau", get(tableau::afficher))
        .route("/caisse/supervision", get(supervision::afficher))
        .route("/caisse/traces", get(traces::afficher).post(traces::rechercher))
        .route(
            "/caisse/traces/export",
            get(traces::exporter_lien).post(traces::exporter_formulaire),
        )
        .route("/caisse/abus", get(abus::afficher))
        .route("/caisse/abus/alertes/{id}/cloture", post(abus::clore))
        .route("/caisse/abus/surveillances", post(abus::surveiller))
        .route("/caisse/abus/surveillances/{id}/levee", post(abus::lever))
        .route("/caisse/abus/regles", post(abus::modifier_regles))
        .route(
            "/caisse/suspensions",
            get(suspensions::afficher).post(suspensions::suspendre),
        )
        .route("/caisse/suspensions/{id}/levee", post(suspensions::lever))
        .route("/caisse/statistiques", get(statistiques::afficher))
        .route("/caisse/statistiques/export", get(statistiques::exporter))
        .route("/caisse/gestion-deleguee", get(gestion_deleguee::afficher))
        .route("/caisse/gestion-deleguee/export", get(gestion_deleguee::exporter))
        .route(
            "/caisse/dossiers/consultations",
            get(consultations::afficher).post(consultations::rechercher),
        )
        .route("/caisse/conventions/{numero}/bilan", get(bilan::afficher))
        .route("/caisse/demandes", get(demandes::lister))
        .route(
            "/caisse/demandes/nouvelle",
            get(demandes::nouvelle).post(demandes::enregistrer),
        )
        .route("/caisse/demandes/{id}", get(demandes::detail))
        .route("/caisse/demandes/{id}/a-completer", post(demandes::a_completer))
        .route("/caisse/demandes/{id}/refuser", post(demandes::refuser))
        .route("/caisse/demandes/{id}/soumettre", post(demandes::soumettre))
        .route("/caisse/demandes/{id}/accorder", post(demandes::accorder))
        .route("/caisse/demandes/{id}/imprimer", get(documents::formulaire))
        .route("/caisse/demandes/{id}/notification", get(documents::notification))
        .route(
            "/caisse/personnels",
            get(personnels::afficher).post(personnels::creer),
        )
        .route(
            "/caisse/personnels/double-facteur",
            post(personnels::double_facteur),
        )
        .route(
            "/caisse/baremes-psu",
            get(baremes::afficher).post(baremes::ajouter),
        )
        .route("/caisse/baremes-psu/cloture", post(baremes::clore))
        .route("/caisse/plages", get(plages::afficher))
        .route("/caisse/plages/{bouquet}", post(plages::definir))
        .route("/caisse/plages/{bouquet}/retrait", post(plages::retirer))
        .route("/caisse/extranautes", get(annuaire::extranautes))
        .route("/caisse/utilisateurs/{identifiant}", get(annuaire::utilisateur))
        .route(
            "/caisse/utilisateurs/{identifiant}/reinitialisation",
            post(annuaire::reinitialiser),
        )
        .route(
            "/caisse/partenaires",
            get(partenaires::lister).post(partenaires::creer),
        )
        .route(
            "/caisse/conventions",
            get(conventions::lister).post(conventions::creer),
        )
        .route("/caisse/conventions/{numero}", get(conventions::detail))
        .route("/caisse/conventions/{numero}/actes", post(conventions::agir))
        .route(
            "/caisse/conventions/{numero}/attestation",
            post(conventions::attester),
        )
        .route("/caisse/partenaires/nouveau", get(partenaires::nouveau))
        .route("/caisse/partenaires/{tiers}", get(partenaires::detail))
        .route(
            "/caisse/partenaires/{tiers}/modifier",
            get(partenaires::modification).post(partenaires::modifier),
        )
        // A form refused for want of a fresh password keeps its fields through the confirmation.
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            reauthentification::garder,
        ))
}

/// What the header of every back-office page needs: the menu shows only the sections of the staff member's
/// roles (the use cases check the role anyway).
#[derive(Debug, Clone, Default)]
pub(crate) struct NavCaisse {
    pub connecte: bool,
    /// False while a temporary password must be changed (AU-2), or while the caisse requires a second factor
    /// he has not activated: no link but those of his own account.
    pub services: bool,
    /// The link to his second factor's page: once the temporary password is replaced.
    pub double_facteur: bool,
    pub csrf: String,
    /// "Prénom Nom (caisse)", shown in the header.
    pub qui: String,
    pub admin: bool,
    pub habilitation: bool,
    pub conventions: bool,
    pub supervision: bool,
}

/// A staff member signed in through the pages, whatever the state of his password.
#[derive(Debug)]
pub(crate) struct StaffSession {
    pub staff: Staff,
    /// The CSRF token of this session's forms.
    pub csrf: String,
}

impl StaffSession {
    pub(crate) fn nav(&self) -> NavCaisse {
        let p = &self.staff.personnel;
        NavCaisse {
            connecte: true,
            services: !p.must_change_password && self.staff.double_facteur != DoubleFacteur::AActiver,
            double_facteur: !p.must_change_password,
            csrf: self.csrf.clone(),
            qui: format!("{} {} ({})", p.prenom, p.nom, p.caisse.as_str()),
            admin: p.roles.contient(Role::Admin),
            habilitation: p.roles.contient(Role::Habilitation),
            conventions: p.roles.contient(Role::Conventions),
            supervision: p.roles.contient(Role::Supervision),
        }
    }
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secure = state.config.secure_cookies;
        let name = cookies::staff_session_name(secure);
        let Some(token) = cookies::read(&parts.headers, name) else {
            return Err(Redirect::to("/caisse").into_response());
        };
        let source = Source::of(parts);
        match state.app.authenticate_personnel(token, &source.0).await {
            Ok(staff) => Ok(StaffSession {
                staff,
                csrf: state.csrf.for_session(token),
            }),
            // The session is over: forget its cookie on the way back to the entrance (AU-4).
            Err(e @ (AppError::SessionExpiree | AppError::NonAuthentifie)) => {
                let mut response = erreur(e, None, "/caisse");
                response
                    .headers_mut()
                    .insert(header::SET_COOKIE, cookies::clear(name, secure));
                Err(response)
            }
            Err(e) => Err(erreur(e, None, "/caisse")),
        }
    }
}

/// A staff member signed in whose password is no longer temporary (AU-2) and who has the second factor his
/// caisse requires: every back-office page but the password change and the second factor's needs one. The
/// use cases refuse him anyway; the page sends him where he can go on.
#[derive(Debug)]
pub(crate) struct StaffPage(pub StaffSession);

impl FromRequestParts<AppState> for StaffPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = StaffSession::from_request_parts(parts, state).await?;
        if session.staff.personnel.must_change_password {
            return Err(Redirect::to("/caisse/mot-de-passe").into_response());
        }
        if session.staff.double_facteur == DoubleFacteur::AActiver {
            return Err(Redirect::to("/caisse/double-facteur").into_response());
        }
        Ok(StaffPage(session))
    }
}

#[derive(Template)]
#[template(path = "caisse/erreur.html")]
struct PageErreur<'a> {
    nav: NavCaisse,
    titre: &'a str,
    message: &'a str,
    retour: &'a str,
}

/// How a back-office page answers a use case's refusal: the session's end and the missing steps (new
/// password, fresh password for a sensitive act) are redirections; anything else is a French page with the
/// menu, the reason, and a link back to `retour` (a path under `/caisse`).
pub(crate) fn erreur(e: AppError, nav: Option<NavCaisse>, retour: &str) -> Response {
    let retour = retour_sur(retour);
    match e {
        AppError::SessionExpiree => Redirect::to("/caisse?expiree=1").into_response(),
        AppError::NonAuthentifie => Redirect::to("/caisse").into_response(),
        AppError::ChangementMotDePasseRequis => Redirect::to("/caisse/mot-de-passe").into_response(),
        AppError::DoubleFacteurRequis => Redirect::to("/caisse/double-facteur").into_response(),
        // A form's fields are kept by [`reauthentification::garder`], which answers in place of this.
        AppError::ReauthentificationRequise { .. } => {
            let cible = format!(
                "/caisse/reauthentification?retour={}",
                form_urlencoded_component(retour)
            );
            let mut response = Redirect::to(&cible).into_response();
            response
                .extensions_mut()
                .insert(reauthentification::ConfirmationDemandee {
                    nav,
                    retour: retour.to_owned(),
                });
            response
        }
        e => {
            let e = ApiError::App(e);
            e.log();
            let c = e.classement();
            rendre(
                c.status,
                &PageErreur {
                    nav: nav.unwrap_or_default(),
                    titre: c.titre,
                    message: &phrase(&e.detail()),
                    retour,
                },
            )
        }
    }
}

/// Renders a back-office page, or the refusal of its use case.
pub(crate) fn page_ou_erreur<T: Template>(
    resultat: Result<T, AppError>,
    session: &StaffSession,
    retour: &str,
) -> Response {
    match resultat {
        Ok(page) => rendre(StatusCode::OK, &page),
        Err(e) => erreur(e, Some(session.nav()), retour),
    }
}

/// `retour` if it is a path of the back office, the work list otherwise: a crafted link cannot send the
/// staff member to another site after he typed his password.
pub(crate) fn retour_sur(retour: &str) -> &str {
    let sur = retour.starts_with("/caisse/")
        && !retour.starts_with("//")
        && !retour.contains("..")
        && retour
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_.?=&%".contains(&b));
    if sur {
        retour
    } else {
        "/caisse/tableau"
    }
}

fn form_urlencoded_component(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|encoded| encoded.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_back_office_paths_are_followed_after_confirmation() {
        assert_eq!(retour_sur("/caisse/demandes/12"), "/caisse/demandes/12");
        assert_eq!(
            retour_sur("/caisse/traces?page=2&bouquet=qf"),
            "/caisse/traces?page=2&bouquet=qf"
        );
        for hostile in [
            "https://exemple.test/",
            "//exemple.test/caisse/",
            "/qf",
            "/caisse/../qf",
            "/caisse/x\"",
            "/caisse/<script>",
            "",
        ] {
            assert_eq!(retour_sur(hostile), "/caisse/tableau", "{hostile}");
        }
    }

    #[test]
    fn the_return_path_travels_encoded() {
        assert_eq!(
            form_urlencoded_component("/caisse/traces?page=2&b=qf"),
            "%2Fcaisse%2Ftraces%3Fpage%3D2%26b%3Dqf"
        );
    }
}
