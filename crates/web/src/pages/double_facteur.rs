//! The second factor from the pages (issue "security", part 5; RFC 6238), for a partner agent at
//! `/double-facteur` and, through [`Contenu`] and the same template part, for a staff member at
//! `/caisse/double-facteur`: the page says whether a factor is active; "Activer" draws the secret through
//! the same use case as the API and shows it once — grouped for typing, as an `otpauth://` address and as a
//! QR code — on a page that no browser or proxy keeps; the first code typed confirms it. The secret never
//! travels in an address, a form field, a log or a trace: a wrong first code is refused beside its field,
//! nothing activated, and a new secret is one click away.

use super::session::PageAgent;
use super::{depuis_erreur, phrase, rendre, Nav, PageForm};
use crate::extract::Source;
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::double_facteur::{DoubleFacteur, Enrolement};
use partage_app::AppError;
use serde::Deserialize;

/// What the page shows, in either space.
#[derive(Debug, Default)]
pub(crate) struct Contenu {
    /// The page's own path: its forms post there and to `{base}/activation`.
    pub base: &'static str,
    pub actif: bool,
    /// Not active while the caisse requires it.
    pub exige: bool,
    /// Back from a confirmed first code.
    pub vient_d_etre_active: bool,
    /// Where the person goes on once his factor is active.
    pub suite: &'static str,
    /// The new secret, shown once.
    pub enrolement: Option<Secret>,
    /// The code field without the secret: after a wrong first code.
    pub saisie_code: bool,
    pub erreur_code: Option<String>,
}

impl Contenu {
    pub(crate) fn etat(base: &'static str, suite: &'static str, etat: DoubleFacteur) -> Contenu {
        Contenu {
            base,
            suite,
            actif: etat == DoubleFacteur::Actif,
            exige: etat == DoubleFacteur::AActiver,
            ..Contenu::default()
        }
    }

    pub(crate) fn enrolement(base: &'static str, suite: &'static str, e: &Enrolement) -> Contenu {
        Contenu {
            base,
            suite,
            enrolement: Some(Secret::de(e)),
            ..Contenu::default()
        }
    }

    /// The code field again, with why the first code was refused.
    pub(crate) fn code_refuse(base: &'static str, suite: &'static str, e: &AppError) -> Contenu {
        Contenu {
            base,
            suite,
            saisie_code: true,
            erreur_code: Some(phrase(&e.to_string())),
            ..Contenu::default()
        }
    }
}

/// A new secret as the page shows it.
#[derive(Debug)]
pub(crate) struct Secret {
    /// The base32 secret in groups of four, to type by hand.
    pub groupes: String,
    pub uri: String,
    /// The `otpauth://` address as an inline SVG QR code: drawn here from the address alone (numbers and
    /// fixed markup, nothing typed by anyone), so it is inserted unescaped.
    pub qr: Option<String>,
}

impl Secret {
    fn de(e: &Enrolement) -> Secret {
        Secret {
            groupes: grouper(&e.secret),
            uri: e.uri.clone(),
            qr: qr_svg(&e.uri),
        }
    }
}

/// "ABCDEFGH…" as "ABCD EFGH …": easier to read and type into an authenticator.
fn grouper(secret: &str) -> String {
    secret
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|g| g.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The address as an SVG element to put in the page, without the XML declaration of a standalone file.
/// None if it cannot be encoded (too long for a QR code): the secret and the address are enough.
fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .build();
    let debut = svg.find("<svg")?;
    Some(svg[debut..].replacen(
        "<svg ",
        r#"<svg role="img" aria-label="QR code de l'adresse otpauth" "#,
        1,
    ))
}

/// The page that shows a new secret: kept by no browser, proxy or history.
pub(crate) fn sans_cache(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The first code, as typed (spaces allowed between the digits).
#[derive(Deserialize)]
pub(crate) struct Code {
    #[serde(default)]
    code: String,
}

impl Code {
    pub(crate) fn chiffres(&self) -> String {
        self.code.chars().filter(|c| !c.is_whitespace()).collect()
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Retour {
    active: Option<String>,
}

/// Whether the page comes back from a confirmed first code.
pub(crate) fn vient_d_etre_active(query: Result<Query<Retour>, QueryRejection>) -> bool {
    query.is_ok_and(|Query(q)| q.active.as_deref() == Some("1"))
}

const BASE: &str = "/double-facteur";
const SUITE: &str = "/qf";

#[derive(Template)]
#[template(path = "double_facteur.html")]
struct Page {
    nav: Nav,
    f: Contenu,
}

pub(crate) async fn afficher(
    State(state): State<AppState>,
    PageAgent(session): PageAgent,
    query: Result<Query<Retour>, QueryRejection>,
) -> Response {
    let etat = match state.app.double_facteur_agent(&session.agent).await {
        Ok(etat) => etat,
        Err(e) => return depuis_erreur(e),
    };
    if let Err(e) = state.app.touch(&session.agent).await {
        return depuis_erreur(e);
    }
    let mut f = Contenu::etat(BASE, SUITE, etat);
    f.vient_d_etre_active = vient_d_etre_active(query);
    rendre(
        StatusCode::OK,
        &Page {
            nav: session.nav(),
            f,
        },
    )
}

pub(crate) async fn enroler(
    State(state): State<AppState>,
    Source(source): Source,
    PageAgent(session): PageAgent,
) -> Response {
    match state
        .app
        .enroler_double_facteur_agent(&session.agent, &source)
        .await
    {
        Ok(e) => sans_cache(rendre(
            StatusCode::OK,
            &Page {
                nav: session.nav(),
                f: Contenu::enrolement(BASE, SUITE, &e),
            },
        )),
        Err(e) => depuis_erreur(e),
    }
}

pub(crate) async fn activer(
    State(state): State<AppState>,
    Source(source): Source,
    PageAgent(session): PageAgent,
    PageForm(form): PageForm<Code>,
) -> Response {
    match state
        .app
        .activer_double_facteur_agent(&session.agent, &form.chiffres(), &source)
        .await
    {
        Ok(()) => Redirect::to("/double-facteur?active=1").into_response(),
        Err(e @ AppError::CodeTotpRefuse) => rendre(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Page {
                nav: session.nav(),
                f: Contenu::code_refuse(BASE, SUITE, &e),
            },
        ),
        Err(e) => depuis_erreur(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_shown_in_groups_of_four() {
        assert_eq!(grouper("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(grouper(""), "");
    }

    #[test]
    fn the_qr_code_is_an_svg_element_of_the_page() {
        let svg = qr_svg("otpauth://totp/partage%20MSA-ADL:adurand?secret=ABCDEFGH&issuer=partage").unwrap();
        assert!(svg.starts_with(r#"<svg role="img""#), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
        assert!(!svg.contains("ABCDEFGH"), "drawn, not written");
    }
}
