//! Habilitation requests as pages for the caisse's habilitation agents (SPEC HB-1, HB-3, HB-5): the list
//! by state and partner, one request as the annex form shows it with its history and the steps its state
//! allows, and the entry of a signed paper form received by post. Every page calls the use case of the
//! matching `/api/v1/caisse/demandes…` endpoint.

use super::{erreur, page_ou_erreur, NavCaisse, StaffPage, StaffSession};
use crate::api::caisse_conventions::jour;
use crate::api::caisse_habilitations::nature;
use crate::extract::Source;
use crate::pages::{date_heure, phrase, rendre, PageForm};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use partage_app::habilitations::{
    etat_code, DemandeAccordee, DemandeEnregistree, FormulaireDemande, Identifiants, RefusHabilitation,
    Remis, Remise, ETATS,
};
use partage_app::AppError;
use partage_domain::demande::{Acteur, AgentDemande, DemandeRefusee, EtatDemande, Signature};
use partage_domain::rsa::Circonscription;
use partage_domain::Bouquet;
use secrecy::ExposeSecret;
use serde::Deserialize;

/// A request's number from the path, or the refusal a wrong one gets.
pub(crate) fn numero(id: &str) -> Result<i64, AppError> {
    id.parse::<i64>()
        .map_err(|_| RefusHabilitation::DemandeInconnue(0).into())
        .and_then(|n: i64| {
            if n > 0 {
                Ok(n)
            } else {
                Err(RefusHabilitation::DemandeInconnue(n).into())
            }
        })
}

/// A request's number from the path, or the page refusing it.
fn numero_ou_erreur(id: &str, session: &StaffSession) -> Result<i64, Box<Response>> {
    numero(id).map_err(|e| Box::new(erreur(e, Some(session.nav()), "/caisse/demandes")))
}

/// Who took a step, as a reader of the history expects it.
fn acteur(a: &Acteur) -> String {
    match a {
        Acteur::Partenaire(tiers) => format!("le partenaire {tiers}"),
        Acteur::Caisse(identifiant) => format!("la caisse ({identifiant})"),
    }
}

/// One line of a list of requests (this page's, the work list's).
#[derive(Debug)]
pub(crate) struct Ligne {
    pub id: i64,
    pub nature: &'static str,
    pub etat: &'static str,
    pub partenaire: String,
    pub bouquet: &'static str,
    pub agent: String,
    /// When its last step was taken.
    pub depuis: String,
}

impl Ligne {
    pub(crate) fn de(d: &DemandeEnregistree) -> Ligne {
        Ligne {
            id: d.id.0,
            nature: d.demande.nature().libelle(),
            etat: d.demande.etat().libelle(),
            partenaire: d.partenaire.as_str().to_owned(),
            bouquet: d.bouquet.libelle(),
            agent: format!("{} {}", d.demande.agent().prenom, d.demande.agent().nom),
            depuis: d
                .demande
                .historique()
                .last()
                .map(|e| date_heure(e.le))
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "caisse/demandes.html")]
struct Liste {
    nav: NavCaisse,
    etats: Vec<(&'static str, &'static str)>,
    etat: String,
    partenaire: String,
    demandes: Vec<Ligne>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filtre {
    #[serde(default)]
    etat: String,
    #[serde(default)]
    partenaire: String,
}

/// An empty filter field filters nothing.
fn rempli(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

pub(crate) async fn lister(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    query: Result<Query<Filtre>, QueryRejection>,
) -> Response {
    let filtre = query.map(|Query(f)| f).unwrap_or_default();
    let resultat = state
        .app
        .demandes(
            &session.staff,
            rempli(&filtre.etat),
            rempli(&filtre.partenaire),
            &source,
        )
        .await
        .map(|liste| Liste {
            nav: session.nav(),
            etats: ETATS.iter().map(|e| (etat_code(*e), e.libelle())).collect(),
            etat: filtre.etat.trim().to_owned(),
            partenaire: filtre.partenaire.trim().to_owned(),
            demandes: liste.iter().map(Ligne::de).collect(),
        });
    page_ou_erreur(resultat, &session, "/caisse/demandes")
}

/// A request as the annex form shows it, shared by its page and its printable copy.
#[derive(Debug)]
pub(crate) struct Fiche {
    pub id: i64,
    pub nature: &'static str,
    pub etat: &'static str,
    pub faite: bool,
    pub partenaire: String,
    pub convention: String,
    pub bouquet: &'static str,
    pub utilisateur: Option<String>,
    pub agent: AgentDemande,
    /// The profile's label when the bouquet has profiles (HB-4).
    pub profil: Option<String>,
    pub signature: Option<(String, String, String)>,
    pub saisie_par: String,
    pub historique: Vec<(String, &'static str, String, Option<String>)>,
}

impl Fiche {
    pub(crate) fn de(d: &DemandeEnregistree) -> Fiche {
        let demande = &d.demande;
        let agent = demande.agent().clone();
        Fiche {
            id: d.id.0,
            nature: demande.nature().libelle(),
            etat: demande.etat().libelle(),
            faite: demande.faite(),
            partenaire: d.partenaire.as_str().to_owned(),
            convention: d.convention.as_str().to_owned(),
            bouquet: d.bouquet.libelle(),
            utilisateur: d.utilisateur.as_ref().map(|u| u.as_str().to_owned()),
            profil: libelle_profil(d.bouquet, agent.profil.as_deref()),
            agent,
            signature: demande.signature().map(|s| {
                (
                    s.signataire.clone(),
                    s.fonction.clone(),
                    s.le.format("%d/%m/%Y").to_string(),
                )
            }),
            saisie_par: d.saisie_par.clone(),
            historique: demande
                .historique()
                .iter()
                .map(|e| {
                    (
                        date_heure(e.le),
                        e.etat.libelle(),
                        acteur(&e.par),
                        e.motif.clone(),
                    )
                })
                .collect(),
        }
    }
}

/// "3 — Chargés de suivi des dossiers RSA" for a profile the bouquet knows, the code as typed otherwise.
pub(crate) fn libelle_profil(bouquet: Bouquet, profil: Option<&str>) -> Option<String> {
    let code = profil?;
    Some(match bouquet.profils().iter().find(|p| p.code == code) {
        Some(p) => format!("{} — {}", p.code, p.libelle),
        None => code.to_owned(),
    })
}

#[derive(Template)]
#[template(path = "caisse/demande.html")]
struct Detail {
    nav: NavCaisse,
    d: Fiche,
    /// The steps the request's state allows.
    soumise: bool,
    a_signer: bool,
    /// A refused step: which form (`a-completer`, `refuser`, `accorder`, `soumettre`) and why.
    refus: Option<(&'static str, String)>,
}

async fn detail_page(
    state: &AppState,
    session: &StaffSession,
    id: i64,
    source: &str,
    refus: Option<(&'static str, String)>,
) -> Result<Detail, AppError> {
    let d = state.app.demande_detail(&session.staff, id, source).await?;
    let etat = d.demande.etat();
    Ok(Detail {
        nav: session.nav(),
        soumise: etat == EtatDemande::Soumise,
        a_signer: matches!(etat, EtatDemande::Brouillon | EtatDemande::ACompleter),
        d: Fiche::de(&d),
        refus,
    })
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(id): Path<String>,
) -> Response {
    let resultat = match numero(&id) {
        Ok(n) => detail_page(&state, &session, n, &source, None).await,
        Err(e) => Err(e),
    };
    page_ou_erreur(resultat, &session, "/caisse/demandes")
}

#[derive(Deserialize)]
pub(crate) struct Motif {
    #[serde(default)]
    motif: String,
}

/// After a step: back to the request, or the request again with the refusal beside the form that asked
/// (the redirections of [`erreur`] first: session over, fresh password missing).
async fn apres_etape(
    state: &AppState,
    session: &StaffSession,
    id: i64,
    source: &str,
    action: &'static str,
    outcome: Result<DemandeEnregistree, AppError>,
) -> Response {
    let retour = format!("/caisse/demandes/{id}");
    match outcome {
        Ok(_) => Redirect::to(&retour).into_response(),
        Err(e) if refus_affichable(&e) => {
            let message = phrase(&e.to_string());
            let status = crate::error::ApiError::App(e).classement().status;
            match detail_page(state, session, id, source, Some((action, message))).await {
                Ok(page) => rendre(status, &page),
                Err(e) => erreur(e, Some(session.nav()), &retour),
            }
        }
        Err(e) => erreur(e, Some(session.nav()), &retour),
    }
}

/// A refusal the request's page shows beside its form: the act's own rules, not the session's.
fn refus_affichable(e: &AppError) -> bool {
    match e {
        AppError::Habilitation(RefusHabilitation::DemandeInconnue(_)) => false,
        AppError::Habilitation(_) | AppError::RequeteInvalide(_) => true,
        _ => false,
    }
}

/// The caisse's two steps that need a reason.
#[derive(Debug, Clone, Copy)]
enum AvecMotif {
    Completer,
    Refuser,
}

async fn etape_avec_motif(
    state: AppState,
    source: String,
    session: StaffSession,
    id: String,
    motif: String,
    quoi: AvecMotif,
) -> Response {
    let id = match numero_ou_erreur(&id, &session) {
        Ok(n) => n,
        Err(page) => return *page,
    };
    let (outcome, action) = match quoi {
        AvecMotif::Completer => (
            state
                .app
                .demander_complements(&session.staff, id, &motif, &source)
                .await,
            "a-completer",
        ),
        AvecMotif::Refuser => (
            state
                .app
                .refuser_demande(&session.staff, id, &motif, &source)
                .await,
            "refuser",
        ),
    };
    apres_etape(&state, &session, id, &source, action, outcome).await
}

pub(crate) async fn a_completer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(id): Path<String>,
    PageForm(form): PageForm<Motif>,
) -> Response {
    etape_avec_motif(state, source, session, id, form.motif, AvecMotif::Completer).await
}

pub(crate) async fn refuser(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(id): Path<String>,
    PageForm(form): PageForm<Motif>,
) -> Response {
    etape_avec_motif(state, source, session, id, form.motif, AvecMotif::Refuser).await
}

/// The representative's signature as the page's fields carry it.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignatureSaisie {
    #[serde(default)]
    signataire: String,
    #[serde(default)]
    fonction_signataire: String,
    #[serde(default)]
    signee_le: String,
}

impl SignatureSaisie {
    fn donnee(&self) -> bool {
        [&self.signataire, &self.fonction_signataire, &self.signee_le]
            .iter()
            .any(|c| !c.trim().is_empty())
    }

    /// The signature, or the field that is wrong and why.
    fn signature(&self) -> Result<Signature, (&'static str, String)> {
        if self.signee_le.trim().is_empty() {
            return Err(("signee_le", "La date de la signature est obligatoire.".to_owned()));
        }
        let le = jour("Date de signature", &self.signee_le).map_err(|m| ("signee_le", phrase(&m)))?;
        Ok(Signature {
            signataire: self.signataire.clone(),
            fonction: self.fonction_signataire.clone(),
            le,
        })
    }
}

/// HB-1: the partner's signed form reaches the caisse, recorded on his behalf.
pub(crate) async fn soumettre(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(id): Path<String>,
    PageForm(form): PageForm<SignatureSaisie>,
) -> Response {
    let id = match numero_ou_erreur(&id, &session) {
        Ok(n) => n,
        Err(page) => return *page,
    };
    let outcome = match form.signature() {
        Ok(signature) => {
            state
                .app
                .soumettre_demande(&session.staff, id, signature, None, &source)
                .await
        }
        Err((_, message)) => Err(AppError::RequeteInvalide(message)),
    };
    apres_etape(&state, &session, id, &source, "soumettre", outcome).await
}

/// The answer to a grant that created an agent: his credentials, shown this once to the caisse agent for
/// the sealed letter (HB-3), on a page never kept by the browser.
#[derive(Template)]
#[template(path = "caisse/identifiants.html")]
pub(crate) struct IdentifiantsRemis<'a> {
    pub nav: NavCaisse,
    pub titre: &'a str,
    /// What the printed sheet is: the notification for a partner agent, a note for a staff member.
    pub objet: &'a str,
    pub identifiant: &'a str,
    pub mot_de_passe: &'a str,
    pub caisse: &'a str,
    /// The request the grant carried out, when it is one.
    pub demande: Option<Fiche>,
    pub retour: &'a str,
}

/// The heading of the sealed letter a partner agent receives (HB-3).
pub(crate) const NOTIFICATION_SCELLEE: &str = "Notification d'habilitation — pli cacheté";

/// Renders the credentials page, never stored by a browser or a proxy.
pub(crate) fn remettre(page: &impl Template) -> Response {
    let mut response = rendre(StatusCode::OK, page);
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// The answer to new credentials sent by link (HB-3, HB-6): the masked address, never the link.
#[derive(Template)]
#[template(path = "caisse/lien_envoye.html")]
pub(crate) struct LienEnvoye<'a> {
    pub nav: NavCaisse,
    pub titre: &'a str,
    pub identifiant: &'a str,
    pub courriel: &'a str,
    pub caisse: &'a str,
    pub retour: &'a str,
}

/// The delivery chosen on a grant or reset form: `lien` (default) or `pli`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ChoixRemise {
    #[serde(default)]
    remise: String,
}

impl ChoixRemise {
    pub(crate) fn remise(&self) -> Result<Remise, AppError> {
        Remise::parse(&self.remise)
    }
}

/// New credentials as the caisse agent sees them: the masked address of the link, or the sealed letter.
pub(crate) fn remis(
    session: &StaffSession,
    titre: &str,
    identifiants: &Identifiants,
    demande: Option<Fiche>,
    retour: &str,
) -> Response {
    let caisse = session.staff.personnel.caisse.as_str();
    match &identifiants.remis {
        Remis::Lien { courriel_masque } => remettre(&LienEnvoye {
            nav: session.nav(),
            titre,
            identifiant: identifiants.identifiant.as_str(),
            courriel: courriel_masque,
            caisse,
            retour,
        }),
        Remis::Pli {
            mot_de_passe_provisoire,
        } => remettre(&IdentifiantsRemis {
            nav: session.nav(),
            titre,
            objet: NOTIFICATION_SCELLEE,
            identifiant: identifiants.identifiant.as_str(),
            mot_de_passe: mot_de_passe_provisoire.expose_secret(),
            caisse,
            demande,
            retour,
        }),
    }
}

/// HB-2, HB-3, HB-5, HB-7: grants a submitted request and carries it out. A sensitive act: without a
/// password typed within ten minutes, the page asks for it and comes back to the request.
pub(crate) async fn accorder(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    Path(id): Path<String>,
    PageForm(choix): PageForm<ChoixRemise>,
) -> Response {
    let id = match numero_ou_erreur(&id, &session) {
        Ok(n) => n,
        Err(page) => return *page,
    };
    let outcome = match choix.remise() {
        Ok(remise) => {
            state
                .app
                .accorder_demande(&session.staff, id, remise, &source)
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(DemandeAccordee {
            demande,
            identifiants: Some(nouveaux),
        }) => remis(
            &session,
            "Habilitation accordée",
            &nouveaux,
            Some(Fiche::de(&demande)),
            &format!("/caisse/demandes/{id}"),
        ),
        Ok(DemandeAccordee { demande, .. }) => {
            apres_etape(&state, &session, id, &source, "accorder", Ok(demande)).await
        }
        Err(e) => apres_etape(&state, &session, id, &source, "accorder", Err(e)).await,
    }
}

/// The annex form's fields as the page sends them.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Saisie {
    #[serde(default)]
    nature: String,
    #[serde(default)]
    partenaire: String,
    #[serde(default)]
    convention: String,
    #[serde(default)]
    bouquet: String,
    #[serde(default)]
    utilisateur: String,
    #[serde(flatten)]
    pub agent: AgentSaisi,
    #[serde(flatten)]
    signature: SignatureSaisie,
}

/// The agent's fields of the annex forms as a page sends them, kept to be shown again after a refusal.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AgentSaisi {
    #[serde(default)]
    pub civilite: String,
    #[serde(default)]
    pub nom: String,
    #[serde(default)]
    pub prenom: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub adresse_service: String,
    #[serde(default)]
    pub fonction: String,
    #[serde(default)]
    pub profil: String,
    #[serde(default)]
    pub email: String,
    /// CO-3, RSACG only: `DÉP/CODE` circonscriptions separated by commas or spaces.
    #[serde(default)]
    pub circonscriptions: String,
}

impl AgentSaisi {
    /// The agent for the use case: an empty optional field is absent. Refused, in French, when a
    /// circonscription is not written `DÉP/CODE`.
    pub(crate) fn agent(&self) -> Result<AgentDemande, String> {
        let circonscriptions = self
            .circonscriptions
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .map(|t| {
                Circonscription::parse(t).map_err(|e| {
                    let t: String = t.chars().take(40).collect();
                    format!("circonscriptions : « {t} » : {e}")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AgentDemande {
            civilite: facultatif(&self.civilite),
            nom: self.nom.clone(),
            prenom: self.prenom.clone(),
            service: facultatif(&self.service),
            adresse_service: facultatif(&self.adresse_service),
            fonction: facultatif(&self.fonction),
            profil: facultatif(&self.profil),
            email: self.email.clone(),
            circonscriptions,
        })
    }
}

pub(crate) fn facultatif(s: &str) -> Option<String> {
    rempli(s).map(str::to_owned)
}

impl Saisie {
    /// The form for the use case, or every field the page can tell is wrong before asking it.
    fn formulaire(&self) -> Result<FormulaireDemande, Vec<(&'static str, String)>> {
        let mut erreurs = Vec::new();
        let obligatoire = "Ce champ est obligatoire.";
        let nature = nature(&self.nature).map_err(|_| {
            erreurs.push((
                "nature",
                "Choisissez la nature de la demande : accès, modification ou suppression.".to_owned(),
            ))
        });
        for (champ, valeur) in [
            ("partenaire", &self.partenaire),
            ("convention", &self.convention),
            ("bouquet", &self.bouquet),
            ("nom", &self.agent.nom),
            ("prenom", &self.agent.prenom),
            ("email", &self.agent.email),
        ] {
            if valeur.trim().is_empty() {
                erreurs.push((champ, obligatoire.to_owned()));
            }
        }
        let agent = self
            .agent
            .agent()
            .map_err(|e| erreurs.push(("circonscriptions", e)));
        let signature = if self.signature.donnee() {
            self.signature.signature().map(Some).map_err(|e| erreurs.push(e))
        } else {
            Ok(None)
        };
        match (nature, signature, agent) {
            (Ok(nature), Ok(signature), Ok(agent)) if erreurs.is_empty() => Ok(FormulaireDemande {
                nature,
                partenaire: self.partenaire.trim().to_owned(),
                convention: self.convention.trim().to_owned(),
                bouquet: self.bouquet.trim().to_owned(),
                utilisateur: facultatif(&self.utilisateur),
                agent,
                signature,
            }),
            _ => Err(erreurs),
        }
    }
}

/// The field a use case's refusal is about, when it is one of the form's.
fn champ_du_refus(e: &AppError) -> Option<&'static str> {
    const CHAMPS: [&str; 14] = [
        "civilite",
        "nom",
        "prenom",
        "service",
        "adresse_service",
        "fonction",
        "profil",
        "email",
        "partenaire",
        "convention",
        "bouquet",
        "utilisateur",
        "signee_le",
        "circonscriptions",
    ];
    match e {
        AppError::Habilitation(r) => match r {
            RefusHabilitation::Demande(DemandeRefusee::ChampManquant(champ)) => match *champ {
                "nom" => Some("nom"),
                "prénom" => Some("prenom"),
                _ => Some("email"),
            },
            RefusHabilitation::Demande(DemandeRefusee::EmailInvalide) => Some("email"),
            RefusHabilitation::Demande(DemandeRefusee::SignatureIncomplete(quoi)) => {
                if quoi.contains("fonction") {
                    Some("fonction_signataire")
                } else {
                    Some("signataire")
                }
            }
            RefusHabilitation::Demande(DemandeRefusee::SignatureFuture { .. }) => Some("signee_le"),
            RefusHabilitation::Profil(_) => Some("profil"),
            RefusHabilitation::Perimetre(_) => Some("circonscriptions"),
            RefusHabilitation::PartenaireInconnu(_) => Some("partenaire"),
            RefusHabilitation::ConventionInconnue { .. }
            | RefusHabilitation::BouquetNonOuvert { .. }
            | RefusHabilitation::ConventionTerminee(_) => Some("convention"),
            RefusHabilitation::UtilisateurManquant | RefusHabilitation::UtilisateurInconnu(_) => {
                Some("utilisateur")
            }
            _ => None,
        },
        AppError::RequeteInvalide(message) => {
            let (champ, _) = message.split_once(" : ")?;
            CHAMPS.into_iter().find(|c| *c == champ.trim())
        }
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "caisse/demande_nouvelle.html")]
struct Nouvelle {
    nav: NavCaisse,
    f: Saisie,
    bouquets: Vec<(&'static str, &'static str)>,
    /// RSACG's profiles, for the help beside the field (HB-4).
    profils: Vec<(&'static str, &'static str)>,
    /// Errors beside their field.
    erreurs: Vec<(&'static str, String)>,
    /// An error of the whole form.
    general: Option<String>,
}

impl Nouvelle {
    fn pour(session: &StaffSession, f: Saisie) -> Nouvelle {
        Nouvelle {
            nav: session.nav(),
            f,
            bouquets: [Bouquet::Qf, Bouquet::Psu, Bouquet::Rsacg, Bouquet::McpQf]
                .iter()
                .map(|b| (b.code(), b.libelle()))
                .collect(),
            profils: Bouquet::Rsacg
                .profils()
                .iter()
                .map(|p| (p.code, p.libelle))
                .collect(),
            erreurs: Vec::new(),
            general: None,
        }
    }

    fn erreur(&self, champ: &str) -> Option<&str> {
        self.erreurs
            .iter()
            .find(|(c, _)| *c == champ)
            .map(|(_, m)| m.as_str())
    }
}

pub(crate) async fn nouvelle(State(state): State<AppState>, StaffPage(session): StaffPage) -> Response {
    if let Err(e) = state.app.touch_personnel(&session.staff).await {
        return erreur(e, None, "/caisse/demandes");
    }
    let saisie = Saisie {
        nature: "acces".to_owned(),
        ..Saisie::default()
    };
    rendre(StatusCode::OK, &Nouvelle::pour(&session, saisie))
}

/// HB-1: records the signed paper form. A refusal shows the form again, as typed, with the reason beside
/// the field it is about; nothing is written.
pub(crate) async fn enregistrer(
    State(state): State<AppState>,
    Source(source): Source,
    StaffPage(session): StaffPage,
    PageForm(saisie): PageForm<Saisie>,
) -> Response {
    let formulaire = match saisie.formulaire() {
        Ok(f) => f,
        Err(erreurs) => {
            if let Err(e) = state.app.touch_personnel(&session.staff).await {
                return erreur(e, None, "/caisse/demandes/nouvelle");
            }
            let mut page = Nouvelle::pour(&session, saisie);
            page.erreurs = erreurs;
            return rendre(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match state
        .app
        .enregistrer_demande(&session.staff, formulaire, &source)
        .await
    {
        Ok(d) => Redirect::to(&format!("/caisse/demandes/{}", d.id.0)).into_response(),
        Err(e) if refus_affichable(&e) => {
            let message = phrase(&e.to_string());
            let mut page = Nouvelle::pour(&session, saisie);
            match champ_du_refus(&e) {
                Some(champ) => page.erreurs.push((champ, message)),
                None => page.general = Some(message),
            }
            rendre(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => erreur(e, Some(session.nav()), "/caisse/demandes/nouvelle"),
    }
}
