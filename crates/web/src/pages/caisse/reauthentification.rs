//! Typing the password again before a sensitive act (grant, reset, suspension, staff creation…): the use
//! cases refuse such an act when the password is more than ten minutes old (AU-4).
//!
//! A form posted then is not lost (issue #4): [`garder`] answers it with this page in place of the
//! refusal, carrying what was typed as hidden fields — never the CSRF token, a password, a code or a secret —
//! with the form's own action. Once the password is right, a page with a "Continuer" button posts them
//! again to that action, under this session's CSRF token as any form; the use case then decides afresh. An
//! action outside the back office is never carried. A link (no form) comes here through [`super::erreur`]'s
//! redirection and goes back to its page afterwards.

use super::{erreur, retour_sur, NavCaisse, StaffPage};
use crate::extract::Source;
use crate::pages::{page_de_probleme, rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::body::{to_bytes, Body};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::AppError;
use secrecy::SecretString;
use serde::Deserialize;

/// The prefix of the carried fields' names in the confirmation form: they never meet its own fields.
const PREFIXE: &str = "saisie.";

/// Where [`super::erreur`] marks a refusal for want of a fresh password, for [`garder`] to answer.
#[derive(Debug, Clone)]
pub(crate) struct ConfirmationDemandee {
    pub nav: Option<NavCaisse>,
    pub retour: String,
}

#[derive(Template)]
#[template(path = "caisse/reauthentification.html")]
struct Reauthentification<'a> {
    nav: NavCaisse,
    retour: &'a str,
    minutes: i64,
    erreur: Option<&'a str>,
    /// The form waiting for the confirmation: its action and its fields as typed.
    reprise: Option<Reprise>,
}

#[derive(Template)]
#[template(path = "caisse/reprise.html")]
struct Continuer<'a> {
    nav: NavCaisse,
    retour: &'a str,
    reprise: Reprise,
}

/// A form to post again once the password is confirmed.
#[derive(Debug)]
struct Reprise {
    action: String,
    champs: Vec<(String, String)>,
}

impl Reprise {
    /// The form posted to `action`, if it may come back there: a path of the back office other than this
    /// page's, its fields without anything secret.
    fn de(action: &str, champs: Vec<(String, String)>) -> Option<Reprise> {
        let action_sure = retour_sur(action) == action && !action.starts_with("/caisse/reauthentification");
        action_sure.then(|| Reprise {
            action: action.to_owned(),
            champs: champs.into_iter().filter(|(nom, _)| !secret(nom)).collect(),
        })
    }
}

/// Fields never carried through the confirmation: the CSRF token (each page has its own), and anything
/// that holds or may hold a password, a one-time code or a secret.
fn secret(nom: &str) -> bool {
    let nom = nom.to_ascii_lowercase();
    nom == crate::csrf::FIELD
        || ["actuel", "nouveau", "confirmation", "code"].contains(&nom.as_str())
        || [
            "mot_de_passe",
            "motdepasse",
            "password",
            "mdp",
            "secret",
            "totp",
            "jeton",
            "token",
        ]
        .iter()
        .any(|s| nom.contains(s))
}

fn minutes() -> i64 {
    partage_app::personnel::FRAICHEUR_ACTE_SENSIBLE.num_minutes()
}

#[derive(Debug, Deserialize)]
pub(crate) struct Retour {
    #[serde(default)]
    retour: String,
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    StaffPage(session): StaffPage,
    query: Result<Query<Retour>, QueryRejection>,
) -> Response {
    let retour = query.map(|Query(q)| q.retour).unwrap_or_default();
    if let Err(e) = state.app.touch_personnel(&session.staff).await {
        return erreur(e, None, "/caisse/tableau");
    }
    rendre(
        StatusCode::OK,
        &Reauthentification {
            nav: session.nav(),
            retour: retour_sur(&retour),
            minutes: minutes(),
            erreur: None,
            reprise: None,
        },
    )
}

/// The middleware of the back office's routes: a form refused for want of a fresh password gets the
/// confirmation page with its fields, instead of the redirection that would lose them.
pub(crate) async fn garder(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let action = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let (parts, body) = request.into_parts();
    // Already read in memory by `corps::lire` and the CSRF check, within the same limit.
    let Ok(bytes) = to_bytes(body, state.config.max_body_bytes).await else {
        return page_de_probleme(&crate::error::ApiError::RequeteTropVolumineuse);
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    let Some(ConfirmationDemandee {
        nav: Some(nav),
        retour,
    }) = response.extensions().get::<ConfirmationDemandee>().cloned()
    else {
        return response;
    };
    let champs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).unwrap_or_default();
    let Some(reprise) = Reprise::de(&action, champs) else {
        return response;
    };
    rendre(
        StatusCode::FORBIDDEN,
        &Reauthentification {
            nav,
            retour: retour_sur(&retour),
            minutes: minutes(),
            erreur: None,
            reprise: Some(reprise),
        },
    )
}

/// The confirmation form: the password, where to go back, and the waiting form's action and fields if any.
#[derive(Default)]
struct Confirmation {
    mot_de_passe: String,
    retour: String,
    action: Option<String>,
    champs: Vec<(String, String)>,
}

impl Confirmation {
    fn de(paires: Vec<(String, String)>) -> Confirmation {
        let mut c = Confirmation::default();
        for (nom, valeur) in paires {
            match nom.as_str() {
                "mot_de_passe" => c.mot_de_passe = valeur,
                "retour" => c.retour = valeur,
                "action" => c.action = Some(valeur),
                _ => {
                    if let Some(champ) = nom.strip_prefix(PREFIXE) {
                        c.champs.push((champ.to_owned(), valeur));
                    }
                }
            }
        }
        c
    }
}

pub(crate) async fn confirmer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(paires): PageForm<Vec<(String, String)>>,
) -> Response {
    let form = Confirmation::de(paires);
    let retour = retour_sur(&form.retour);
    let reprise = form.action.as_deref().and_then(|a| Reprise::de(a, form.champs));
    match state
        .app
        .reauthentifier_personnel(&session.staff, SecretString::from(form.mot_de_passe), &source)
        .await
    {
        Ok(()) => match reprise {
            Some(reprise) => rendre(
                StatusCode::OK,
                &Continuer {
                    nav: session.nav(),
                    retour,
                    reprise,
                },
            ),
            None => Redirect::to(retour).into_response(),
        },
        Err(AppError::ReauthentificationRefusee) => rendre(
            StatusCode::FORBIDDEN,
            &Reauthentification {
                nav: session.nav(),
                retour,
                minutes: minutes(),
                erreur: Some("Mot de passe incorrect : votre identité n'est pas confirmée."),
                reprise,
            },
        ),
        Err(e) => erreur(e, Some(session.nav()), retour),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paires(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn no_token_password_or_code_is_carried() {
        let r = Reprise::de(
            "/caisse/personnels",
            paires(&[
                ("csrf", "t"),
                ("nom", "Dupont"),
                ("mot_de_passe", "x"),
                ("nouveau_mot_de_passe", "x"),
                ("code_totp", "123456"),
                ("code", "123456"),
                ("role_admin", "1"),
                ("role_admin", "2"),
            ]),
        )
        .unwrap();
        assert_eq!(
            r.champs,
            paires(&[("nom", "Dupont"), ("role_admin", "1"), ("role_admin", "2")])
        );
    }

    #[test]
    fn only_a_back_office_action_is_posted_again() {
        for hostile in [
            "https://exemple.test/caisse/personnels",
            "//exemple.test/caisse/",
            "/gestion",
            "/caisse/../gestion",
            "/caisse/reauthentification",
            "/caisse/x\"><script>",
        ] {
            assert!(Reprise::de(hostile, Vec::new()).is_none(), "{hostile}");
        }
        assert!(Reprise::de("/caisse/demandes/3/accorder", Vec::new()).is_some());
    }

    #[test]
    fn the_confirmation_form_separates_its_own_fields_from_the_carried_ones() {
        let c = Confirmation::de(paires(&[
            ("csrf", "t"),
            ("mot_de_passe", "m"),
            ("retour", "/caisse/personnels"),
            ("action", "/caisse/personnels"),
            ("saisie.nom", "Dupont"),
            ("nom", "ignoré"),
        ]));
        assert_eq!(
            (c.mot_de_passe.as_str(), c.retour.as_str(), c.action.as_deref()),
            ("m", "/caisse/personnels", Some("/caisse/personnels"))
        );
        assert_eq!(c.champs, paires(&[("nom", "Dupont")]));
    }
}
