//! Extractors shared by the API and the pages.

use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use partage_app::AppError;
use std::net::SocketAddr;

/// Where the request came from, for traces (TR-1): the client's IP address, or "inconnue" when the server
/// was not started with connection info.
#[derive(Debug, Clone)]
pub(crate) struct Source(pub String);

impl Source {
    pub(crate) fn of(parts: &Parts) -> Source {
        Source(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string())
                .unwrap_or_else(|| "inconnue".to_owned()),
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Source::of(parts))
    }
}

/// An API client authenticated by `Authorization: Bearer <jeton>` (AU-5: as its named user). Cookies are
/// never read here: the API is not cookie-authenticated, hence needs no CSRF token.
#[derive(Debug, Clone)]
pub(crate) struct Agent(pub partage_app::Agent);

impl FromRequestParts<AppState> for Agent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let source = Source::of(parts);
        Ok(Agent(state.app.authenticate(token, &source.0).await?))
    }
}

/// The bearer token, not yet checked: for a route whose use case reads the session together with the
/// rest (the QF consultation). Missing or malformed answers as [`Agent`] does.
pub(crate) struct Jeton(pub String);

impl FromRequestParts<AppState> for Jeton {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Jeton(bearer(parts)?.to_owned()))
    }
}

/// The token of `Authorization: Bearer <jeton>`.
pub(crate) fn bearer(parts: &Parts) -> Result<&str, AppError> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or(AppError::NonAuthentifie)
}

/// A JSON body read by a type's own French-speaking reader ([`FromJson`]), so that a missing field or a
/// wrong type is answered in French with the field's name, not with serde's English.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub T);

/// Builds a request type from a JSON object, recording a French reason per bad field.
pub(crate) trait FromJson: Sized {
    fn from_json(champs: &mut Champs) -> Option<Self>;
}

impl<S: Send + Sync, T: FromJson> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .is_some_and(|m| {
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::TypeDeContenu);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::RequeteTropVolumineuse
            } else {
                invalide("le corps de la requête n'a pas pu être lu")
            }
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            invalide(format!(
                "le corps de la requête n'est pas un JSON valide (ligne {}, colonne {})",
                e.line(),
                e.column()
            ))
        })?;
        let serde_json::Value::Object(obj) = value else {
            return Err(invalide("le corps de la requête doit être un objet JSON"));
        };
        let mut champs = Champs {
            obj,
            erreurs: Vec::new(),
        };
        let parsed = T::from_json(&mut champs);
        champs.no_other_fields();
        match parsed {
            Some(t) if champs.erreurs.is_empty() => Ok(JsonBody(t)),
            _ => Err(invalide(champs.erreurs.join(" ; "))),
        }
    }
}

/// A JSON body that may be left out: an empty body reads as `{}`, so clients that sent nothing keep working
/// when a request gains optional fields.
#[derive(Debug)]
pub(crate) struct CorpsFacultatif<T>(pub T);

impl<S: Send + Sync, T: FromJson> FromRequest<S> for CorpsFacultatif<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::RequeteTropVolumineuse
            } else {
                invalide("le corps de la requête n'a pas pu être lu")
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            let mut champs = Champs {
                obj: serde_json::Map::new(),
                erreurs: Vec::new(),
            };
            return match T::from_json(&mut champs) {
                Some(t) if champs.erreurs.is_empty() => Ok(CorpsFacultatif(t)),
                _ => Err(invalide(champs.erreurs.join(" ; "))),
            };
        }
        let mut avec_corps = Request::new(axum::body::Body::from(bytes));
        *avec_corps.headers_mut() = headers;
        JsonBody::<T>::from_request(avec_corps, state)
            .await
            .map(|JsonBody(t)| CorpsFacultatif(t))
    }
}

fn invalide(detail: impl Into<String>) -> ApiError {
    ApiError::App(AppError::RequeteInvalide(detail.into()))
}

/// The fields of a JSON object, taken one by one; each bad field leaves a French reason.
#[derive(Debug)]
pub(crate) struct Champs {
    obj: serde_json::Map<String, serde_json::Value>,
    erreurs: Vec<String>,
}

impl Champs {
    fn take(&mut self, nom: &str) -> Option<serde_json::Value> {
        self.obj.remove(nom).filter(|v| !v.is_null())
    }

    /// Whether the body has this field, `null` counting as absent.
    pub(crate) fn contient(&self, nom: &str) -> bool {
        self.obj.get(nom).is_some_and(|v| !v.is_null())
    }

    /// A required string.
    pub(crate) fn texte(&mut self, nom: &str) -> Option<String> {
        let present = self.obj.get(nom).is_some_and(|v| !v.is_null());
        let texte = self.texte_facultatif(nom);
        if !present {
            self.erreurs.push(format!("le champ « {nom} » est obligatoire"));
        }
        texte
    }

    /// An optional string.
    pub(crate) fn texte_facultatif(&mut self, nom: &str) -> Option<String> {
        match self.take(nom) {
            Some(serde_json::Value::String(s)) => Some(s),
            Some(_) => {
                self.erreurs
                    .push(format!("le champ « {nom} » doit être une chaîne de caractères"));
                None
            }
            None => None,
        }
    }

    /// Records a bad field's reason, in French.
    pub(crate) fn refuser(&mut self, raison: String) {
        self.erreurs.push(raison);
    }

    /// A string that must be given but may be `null` (a choice whose `null` means "none" or "the
    /// default"): absent is refused, so an empty body cannot reset the choice by accident.
    pub(crate) fn texte_ou_null(&mut self, nom: &str) -> Result<Option<String>, ()> {
        if !self.obj.contains_key(nom) {
            self.erreurs
                .push(format!("le champ « {nom} » est obligatoire (null pour aucun)"));
            return Err(());
        }
        self.texte_optionnel(nom)
    }

    /// An optional string: absent and `null` are "not given".
    pub(crate) fn texte_optionnel(&mut self, nom: &str) -> Result<Option<String>, ()> {
        match self.take(nom) {
            None => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s)),
            Some(_) => {
                self.erreurs
                    .push(format!("le champ « {nom} » doit être une chaîne de caractères"));
                Err(())
            }
        }
    }

    /// A required boolean.
    pub(crate) fn booleen(&mut self, nom: &str) -> Option<bool> {
        match self.take(nom) {
            Some(serde_json::Value::Bool(b)) => Some(b),
            Some(_) => {
                self.erreurs
                    .push(format!("le champ « {nom} » doit valoir true ou false"));
                None
            }
            None => {
                self.erreurs.push(format!("le champ « {nom} » est obligatoire"));
                None
            }
        }
    }

    /// A required array of strings.
    pub(crate) fn liste_de_textes(&mut self, nom: &str) -> Option<Vec<String>> {
        match self.take(nom) {
            Some(serde_json::Value::Array(items)) => {
                let textes: Option<Vec<String>> =
                    items.into_iter().map(|v| v.as_str().map(str::to_owned)).collect();
                if textes.is_none() {
                    self.erreurs.push(format!(
                        "le champ « {nom} » doit être une liste de chaînes de caractères"
                    ));
                }
                textes
            }
            Some(_) => {
                self.erreurs.push(format!(
                    "le champ « {nom} » doit être une liste de chaînes de caractères"
                ));
                None
            }
            None => {
                self.erreurs.push(format!("le champ « {nom} » est obligatoire"));
                None
            }
        }
    }

    /// An optional whole number within `T`'s range.
    pub(crate) fn entier<T: TryFrom<i64>>(&mut self, nom: &str) -> Result<Option<T>, ()> {
        match self.take(nom) {
            None => Ok(None),
            Some(v) => match v.as_i64().map(T::try_from) {
                Some(Ok(n)) => Ok(Some(n)),
                Some(Err(_)) => {
                    self.erreurs
                        .push(format!("le champ « {nom} » est hors des valeurs possibles"));
                    Err(())
                }
                None => {
                    self.erreurs
                        .push(format!("le champ « {nom} » doit être un nombre entier"));
                    Err(())
                }
            },
        }
    }

    /// Refuses unknown fields: a misspelt `annee` must not silently show the current month instead.
    fn no_other_fields(&mut self) {
        let inconnus: Vec<String> = std::mem::take(&mut self.obj)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        for nom in inconnus {
            self.erreurs.push(format!("le champ « {nom} » est inconnu"));
        }
    }
}
