//! The one error type of the API edge.
//!
//! Policy: every failure a client can meet is one variant here, mapped in ONE `match` to an HTTP status, a
//! stable `code` that programs branch on, and a French title; the `detail` is the French message of the
//! use case. Answers are RFC 9457 problem documents (`application/problem+json`). An internal failure is
//! logged with its cause and answered with a fixed text: no SQL, path or stack ever reaches a client.
//! Unknown caisse, unknown user, wrong password and unknown token are one variant, so one identical answer.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use partage_app::habilitations::GenreRefus;
use partage_app::AppError;
use serde::Serialize;

#[derive(Debug)]
pub enum ApiError {
    /// A use case refused or failed.
    App(AppError),
    /// The body exceeds [`crate::WebConfig::max_body_bytes`].
    RequeteTropVolumineuse,
    /// The body did not arrive within [`crate::WebConfig::delai_corps`].
    DelaiDepasse,
    /// The body is not declared as JSON. 415 tells the client exactly what to fix; the code stays
    /// `requete_invalide` so that a client branching on codes needs no special case.
    TypeDeContenu,
    /// No API route at this path.
    RouteInconnue,
    /// The path exists, not with this method.
    MethodeNonAutorisee,
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError::App(e)
    }
}

/// Status, code and title of an error: the single table shared by the API and the pages.
pub(crate) struct Classement {
    pub status: StatusCode,
    pub code: &'static str,
    pub titre: &'static str,
}

impl ApiError {
    pub(crate) fn classement(&self) -> Classement {
        let (status, titre) = match self {
            ApiError::App(e) => match e {
                AppError::RequeteInvalide(_) => (StatusCode::BAD_REQUEST, "Requête invalide"),
                AppError::NirInvalide(_) => (StatusCode::BAD_REQUEST, "NIR invalide"),
                AppError::NonAuthentifie => (StatusCode::UNAUTHORIZED, "Authentification requise"),
                AppError::SessionExpiree => (StatusCode::UNAUTHORIZED, "Session expirée"),
                AppError::ChangementMotDePasseRequis => {
                    (StatusCode::FORBIDDEN, "Changement de mot de passe requis")
                }
                AppError::TropDeRequetes { .. } => (StatusCode::TOO_MANY_REQUESTS, "Trop de requêtes"),
                AppError::NonHabilite => (StatusCode::FORBIDDEN, "Accès non habilité"),
                AppError::Opposition => (StatusCode::FORBIDDEN, "Opposition à la consultation"),
                AppError::DossierIntrouvable => (StatusCode::NOT_FOUND, "Dossier introuvable"),
                AppError::RechercheIncomplete => (StatusCode::BAD_REQUEST, "Recherche incomplète"),
                AppError::MatriculeIntrouvable => (StatusCode::NOT_FOUND, "Dossier introuvable"),
                AppError::MotDePasseRefuse(_) => (StatusCode::UNPROCESSABLE_ENTITY, "Mot de passe refusé"),
                AppError::ImportRefuse(_) => (StatusCode::UNPROCESSABLE_ENTITY, "Import refusé"),
                AppError::RoleRequis(_) => (StatusCode::FORBIDDEN, "Rôle requis"),
                AppError::ReauthentificationRequise { .. } => {
                    (StatusCode::FORBIDDEN, "Confirmation du mot de passe requise")
                }
                AppError::ReauthentificationRefusee => (StatusCode::FORBIDDEN, "Identité non confirmée"),
                AppError::DoubleFacteurRequis => (StatusCode::FORBIDDEN, "Second facteur requis"),
                AppError::CodeTotpRefuse => (StatusCode::UNPROCESSABLE_ENTITY, "Code refusé"),
                AppError::ServiceFerme { .. } => (StatusCode::SERVICE_UNAVAILABLE, "Service fermé"),
                AppError::PlageInvalide(_) => (StatusCode::UNPROCESSABLE_ENTITY, "Plage d'ouverture refusée"),
                AppError::BaremeRefuse(_) => (StatusCode::UNPROCESSABLE_ENTITY, "Barème refusé"),
                AppError::DejaExistant(_) => (StatusCode::CONFLICT, "Déjà existant"),
                AppError::Introuvable(_) => (StatusCode::NOT_FOUND, "Introuvable"),
                AppError::TransitionRefusee(_) => (StatusCode::CONFLICT, "Action refusée"),
                AppError::AvenantRefuse(_) => (StatusCode::UNPROCESSABLE_ENTITY, "Avenant refusé"),
                AppError::PreuveIndisponible(_) => (StatusCode::NOT_FOUND, "Preuve indisponible"),
                AppError::CompteSuspendu(_) => (StatusCode::FORBIDDEN, "Compte suspendu"),
                AppError::LienInvalide(_) => (StatusCode::BAD_REQUEST, "Lien d'activation invalide"),
                AppError::AgentDesactive => (StatusCode::CONFLICT, "Agent désactivé"),
                AppError::Habilitation(r) => match r.genre() {
                    GenreRefus::Introuvable => (StatusCode::NOT_FOUND, "Introuvable"),
                    GenreRefus::Conflit => (StatusCode::CONFLICT, "Action refusée"),
                    GenreRefus::Invalide => (StatusCode::UNPROCESSABLE_ENTITY, "Demande refusée"),
                    GenreRefus::Interdit => (StatusCode::FORBIDDEN, "Action non autorisée"),
                },
                AppError::FicheRefusee(_) => (StatusCode::UNPROCESSABLE_ENTITY, "Fiche refusée"),
                AppError::Interne(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Erreur interne"),
            },
            ApiError::RequeteTropVolumineuse => (StatusCode::PAYLOAD_TOO_LARGE, "Requête trop volumineuse"),
            ApiError::DelaiDepasse => (StatusCode::REQUEST_TIMEOUT, "Délai dépassé"),
            ApiError::TypeDeContenu => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Requête invalide"),
            ApiError::RouteInconnue => (StatusCode::NOT_FOUND, "Ressource inconnue"),
            ApiError::MethodeNonAutorisee => (StatusCode::METHOD_NOT_ALLOWED, "Méthode non autorisée"),
        };
        let code = match self {
            ApiError::App(e) => e.code(),
            ApiError::RequeteTropVolumineuse => "requete_trop_volumineuse",
            ApiError::DelaiDepasse => "delai_depasse",
            ApiError::TypeDeContenu => "requete_invalide",
            ApiError::RouteInconnue => "ressource_inconnue",
            ApiError::MethodeNonAutorisee => "methode_non_autorisee",
        };
        Classement { status, code, titre }
    }

    /// The French sentence shown to the user.
    pub(crate) fn detail(&self) -> String {
        match self {
            ApiError::App(e) => e.to_string(),
            ApiError::RequeteTropVolumineuse => {
                "le corps de la requête dépasse la taille maximale acceptée".to_owned()
            }
            ApiError::DelaiDepasse => {
                "le corps de la requête n'est pas arrivé à temps : la connexion est trop lente ou a été \
                 interrompue ; rien n'a été fait, veuillez réessayer"
                    .to_owned()
            }
            ApiError::TypeDeContenu => {
                "le corps de la requête doit être du JSON, déclaré par l'en-tête Content-Type: application/json"
                    .to_owned()
            }
            ApiError::RouteInconnue => "aucune ressource de l'API à cette adresse".to_owned(),
            ApiError::MethodeNonAutorisee => {
                "cette adresse existe, mais pas avec cette méthode HTTP : voir /api/openapi.json".to_owned()
            }
        }
    }

    /// Logs the cause of a failure of partage itself; the client sees only the fixed text.
    pub(crate) fn log(&self) {
        if let ApiError::App(AppError::Interne(cause)) = self {
            tracing::error!(%cause, "erreur interne");
        }
    }
}

/// RFC 9457 problem document, with partage's stable `code`.
#[derive(Debug, Serialize)]
struct Probleme {
    #[serde(rename = "type")]
    type_: String,
    title: &'static str,
    status: u16,
    detail: String,
    code: &'static str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let c = self.classement();
        let body = Probleme {
            type_: format!("urn:partage:probleme:{}", c.code),
            title: c.titre,
            status: c.status.as_u16(),
            detail: self.detail(),
            code: c.code,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut res = (c.status, json).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let ApiError::App(
            AppError::TropDeRequetes { secondes } | AppError::ServiceFerme { secondes, .. },
        ) = &self
        {
            h.insert(header::RETRY_AFTER, HeaderValue::from(*secondes));
        }
        if c.status == StatusCode::UNAUTHORIZED {
            let challenge = match self {
                ApiError::App(AppError::SessionExpiree) => {
                    r#"Bearer realm="partage", error="invalid_token", error_description="session expiree""#
                }
                _ => r#"Bearer realm="partage""#,
            };
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(e: ApiError) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        let res = e.into_response();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, headers, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn an_internal_error_never_shows_its_cause() {
        let cause = "erreur de la base de données : relation \"sessions\" does not exist";
        let (status, headers, json) = body(ApiError::App(AppError::Interne(cause.into()))).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        assert_eq!(json["code"], "erreur_interne");
        assert_eq!(
            json["detail"],
            "erreur interne : veuillez réessayer ou contacter votre caisse"
        );
        assert!(!json.to_string().contains("sessions"));
    }

    #[tokio::test]
    async fn every_401_carries_a_bearer_challenge() {
        for e in [AppError::NonAuthentifie, AppError::SessionExpiree] {
            let (status, headers, _) = body(ApiError::App(e)).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert!(headers[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .starts_with("Bearer realm=\"partage\""));
        }
    }
}
