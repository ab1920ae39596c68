//! Consultation of a dossier through a bouquet (SPEC CO, OP-1). The order of the checks is the rule: who
//! may use the bouquet, then which dossier, then whether it is within the partner's competence, then
//! opposition; everything outside the perimeter answers as a dossier that does not exist.

use crate::debit::Admise;
use crate::secrets::{nir_hash, token_hash};
use crate::{Agent, App, AppError};
use partage_domain::dossier::{mois_demande, Adresse, Personne};
use partage_domain::perimetre::{AccesBouquet, AccesDossier, Perimetre};
use partage_domain::trace::{Action, Resultat};
use partage_domain::{Bouquet, Dossier, Matricule, Nir, PeriodeQf, Regime};
use partage_store::NirHash;
use serde::Serialize;

/// How a search names its dossier: by a NIR of one of its people (CO-1), or by its matricule (001:4-3).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cle<'a> {
    Nir(&'a str),
    Matricule(&'a str),
}

enum Parsed {
    Nir(NirHash),
    Matricule(Matricule),
}

/// The QF bouquet's answer: its two rubriques, "Coordonnées du dossier" (people and address) and "Montant du
/// QF" (the chosen month's QF and every period). Field names as in API Particulier's v3 QF answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QfView {
    pub matricule: String,
    pub allocataires: Vec<Personne>,
    pub enfants: Vec<Personne>,
    pub adresse: Adresse,
    /// `None` when the caisse computed no QF for the chosen month.
    pub quotient_familial: Option<QuotientFamilial>,
    pub periodes: Vec<PeriodeQf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotientFamilial {
    /// `MSA` or `CNAF`, as API Particulier names its providers.
    pub fournisseur: &'static str,
    pub valeur: u32,
    pub annee: i32,
    pub mois: u32,
}

/// A search by NIR or matricule together with the allocataire's name (PSU, Mon Compte Partenaire), and the
/// month to show.
#[derive(Debug, Clone, Default)]
pub struct RechercheNominative<'a> {
    pub nir: Option<&'a str>,
    pub matricule: Option<&'a str>,
    pub nom: Option<&'a str>,
    pub annee: Option<i32>,
    pub mois: Option<u32>,
}

/// The NIR or the matricule, never both. Blank counts as absent.
fn cle_de_recherche<'a>(nir: Option<&'a str>, matricule: Option<&'a str>) -> Result<Cle<'a>, AppError> {
    match (non_vide(nir), non_vide(matricule)) {
        (Some(_), Some(_)) => Err(AppError::RequeteInvalide(
            "indiquez le NIR ou le matricule, pas les deux".to_owned(),
        )),
        (Some(nir), None) => Ok(Cle::Nir(nir)),
        (None, Some(m)) => Ok(Cle::Matricule(m)),
        (None, None) => Err(AppError::RechercheIncomplete),
    }
}

fn non_vide(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// CO-2 and the bouquets that follow it: the NIR or the matricule (never both), and the allocataire's
/// name, both required. Blank counts as absent.
fn recherche_nominative<'a>(
    nir: Option<&'a str>,
    matricule: Option<&'a str>,
    nom: Option<&'a str>,
) -> Result<(Cle<'a>, &'a str), AppError> {
    let cle = cle_de_recherche(nir, matricule)?;
    let nom = non_vide(nom).ok_or(AppError::RechercheIncomplete)?;
    Ok((cle, nom))
}

impl QuotientFamilial {
    /// The dossier's QF for a month, named after its provider as API Particulier does.
    pub(crate) fn du_mois(
        dossier: &Dossier,
        regime: Regime,
        annee: i32,
        mois: u32,
    ) -> Option<QuotientFamilial> {
        let fournisseur = match regime {
            Regime::Msa => "MSA",
            Regime::Caf => "CNAF",
        };
        dossier.qf_du_mois(annee, mois).map(|p| QuotientFamilial {
            fournisseur,
            valeur: p.valeur,
            annee,
            mois,
        })
    }
}

/// A QF search as typed by the user.
#[derive(Debug, Clone)]
pub struct QfQuery<'a> {
    pub nir: &'a str,
    pub annee: Option<i32>,
    pub mois: Option<u32>,
}

impl App {
    /// CO-1: the QF bouquet finds the dossier from the NIR.
    pub async fn consult_qf(
        &self,
        agent: &Agent,
        query: QfQuery<'_>,
        source: &str,
    ) -> Result<QfView, AppError> {
        self.consult_qf_lu(agent, query, None, source).await
    }

    /// [`App::authenticate`] then [`App::consult_qf`], with the session, the perimeter and the dossier
    /// read together ([`partage_store::Store::consultation_par_nir`]: one round trip on PostgreSQL
    /// instead of two). Only a well-formed request is read that way; any other takes the ordinary path,
    /// whose order of checks and traces is the rule. Every check runs as on the ordinary path, in the
    /// same order: the early read only moves when the rows are fetched, not what is judged.
    pub async fn consult_qf_par_jeton(
        &self,
        token: &str,
        query: QfQuery<'_>,
        source: &str,
    ) -> Result<(Agent, QfView), AppError> {
        let bien_formee = mois_demande(query.annee, query.mois, self.clock.today()).is_ok();
        let nir = match Nir::parse(query.nir) {
            Ok(nir) if bien_formee => nir,
            _ => {
                let agent = self.authenticate(token, source).await?;
                let view = self.consult_qf(&agent, query, source).await?;
                return Ok((agent, view));
            }
        };
        let hash = token_hash(token);
        let (session, perimetre, dossier) = self
            .store
            .consultation_par_nir(&hash, &nir_hash(&self.nir_key, &nir))
            .await?
            .ok_or(AppError::NonAuthentifie)?;
        let agent = self.verifier_session(hash, session, source).await?;
        let view = self
            .consult_qf_lu(&agent, query, Some((perimetre, dossier)), source)
            .await?;
        Ok((agent, view))
    }

    async fn consult_qf_lu(
        &self,
        agent: &Agent,
        query: QfQuery<'_>,
        lu: Option<(Perimetre, Option<Dossier>)>,
        source: &str,
    ) -> Result<QfView, AppError> {
        let admise = self.admettre_consultation(agent, Bouquet::Qf, source).await?;
        let (annee, mois) = match mois_demande(query.annee, query.mois, self.clock.today()) {
            Ok(m) => m,
            Err(e) => {
                self.trace_consultation(agent, Bouquet::Qf, Resultat::RequeteInvalide, None, None, source)
                    .await?;
                return Err(AppError::RequeteInvalide(e.to_string()));
            }
        };
        let dossier = self
            .find_dossier(&admise, agent, Bouquet::Qf, Cle::Nir(query.nir), None, lu, source)
            .await?;
        let view = QfView {
            matricule: dossier.matricule.to_string(),
            quotient_familial: QuotientFamilial::du_mois(&dossier, agent.session.regime, annee, mois),
            periodes: dossier.quotients_familiaux,
            allocataires: dossier.allocataires,
            enfants: dossier.enfants,
            adresse: dossier.adresse,
        };
        self.trace_succes(agent, Bouquet::Qf, &view.matricule, source)
            .await?;
        Ok(view)
    }

    /// AU-2: nothing but the password change before it is done. Traced as a consultation attempt.
    pub(crate) async fn refuse_before_password_change(
        &self,
        agent: &Agent,
        bouquet: Bouquet,
        source: &str,
    ) -> Result<(), AppError> {
        if agent.session.must_change_password {
            self.trace_consultation(
                agent,
                bouquet,
                Resultat::ChangementMotDePasseRequis,
                None,
                None,
                source,
            )
            .await?;
            return Err(AppError::ChangementMotDePasseRequis);
        }
        Ok(())
    }

    /// CO-2: past the gate, the month and the search are checked (a refusal traced), then the dossier is
    /// found only when the NIR (or the matricule) and the allocataire's name both match.
    pub(crate) async fn trouver_par_nom(
        &self,
        agent: &Agent,
        bouquet: Bouquet,
        query: &RechercheNominative<'_>,
        source: &str,
    ) -> Result<(Dossier, i32, u32), AppError> {
        self.trouver(agent, bouquet, query, true, source).await
    }

    /// The search of every bouquet past QF: the gate, the month and the search checked (a refusal traced),
    /// then the dossier by NIR or matricule, with the allocataire's name when `nom_requis` (CO-2).
    pub(crate) async fn trouver(
        &self,
        agent: &Agent,
        bouquet: Bouquet,
        query: &RechercheNominative<'_>,
        nom_requis: bool,
        source: &str,
    ) -> Result<(Dossier, i32, u32), AppError> {
        let admise = self.admettre_consultation(agent, bouquet, source).await?;
        let recherche = mois_demande(query.annee, query.mois, self.clock.today())
            .map_err(|e| AppError::RequeteInvalide(e.to_string()))
            .and_then(|(annee, mois)| {
                let (cle, nom) = if nom_requis {
                    let (cle, nom) = recherche_nominative(query.nir, query.matricule, query.nom)?;
                    (cle, Some(nom))
                } else {
                    (cle_de_recherche(query.nir, query.matricule)?, None)
                };
                Ok((annee, mois, cle, nom))
            });
        let (annee, mois, cle, nom) = match recherche {
            Ok(r) => r,
            Err(e) => return Err(self.refuser_recherche(agent, bouquet, e, source).await),
        };
        let dossier = self
            .find_dossier(&admise, agent, bouquet, cle, nom, None, source)
            .await?;
        Ok((dossier, annee, mois))
    }

    /// A search refused before any lookup (incomplete, malformed): traced as such, then answered.
    async fn refuser_recherche(
        &self,
        agent: &Agent,
        bouquet: Bouquet,
        e: AppError,
        source: &str,
    ) -> AppError {
        match self
            .trace_consultation(agent, bouquet, Resultat::RequeteInvalide, None, None, source)
            .await
        {
            Ok(()) => e,
            Err(trace) => trace,
        }
    }

    /// The shared path of every search, past the gate ([`App::admettre_consultation`]): bouquet access, lookup by NIR or matricule, the allocataire's name
    /// when the bouquet asks for it (CO-2), competence, opposition, each traced. The name is checked before
    /// competence and opposition: a NIR with a wrong name must not even learn that an opposition exists.
    #[allow(clippy::too_many_arguments)] // Distinct inputs of the one shared search path; a struct made
                                         // for this call alone would only rename them.
    pub(crate) async fn find_dossier(
        &self,
        _admise: &Admise,
        agent: &Agent,
        bouquet: Bouquet,
        cle: Cle<'_>,
        nom: Option<&str>,
        lu: Option<(Perimetre, Option<Dossier>)>,
        source: &str,
    ) -> Result<Dossier, AppError> {
        let introuvable = || match cle {
            Cle::Nir(_) => AppError::DossierIntrouvable,
            Cle::Matricule(_) => AppError::MatriculeIntrouvable,
        };
        let cle = match cle {
            Cle::Nir(nir) => match Nir::parse(nir) {
                Ok(n) => Parsed::Nir(nir_hash(&self.nir_key, &n)),
                Err(e) => {
                    self.trace_consultation(agent, bouquet, Resultat::NirInvalide, None, None, source)
                        .await?;
                    return Err(AppError::NirInvalide(e.to_string()));
                }
            },
            Cle::Matricule(m) => match Matricule::parse(m) {
                Ok(m) => Parsed::Matricule(m),
                Err(e) => {
                    self.trace_consultation(agent, bouquet, Resultat::RequeteInvalide, None, None, source)
                        .await?;
                    return Err(AppError::RequeteInvalide(format!(
                        "matricule invalide : {}",
                        e.raison
                    )));
                }
            },
        };
        // What a trace names when no dossier is found: the NIR's hash, or the matricule as typed.
        let (hash, typed) = match &cle {
            Parsed::Nir(h) => (Some(h.0.as_str()), None),
            Parsed::Matricule(m) => (None, Some(m.as_str())),
        };
        // Perimeter and dossier are read before either is looked at (one round trip on PostgreSQL for a
        // NIR); they are judged below in the same order as if read one after the other.
        let caisse = agent.session.caisse_id;
        let user = agent.session.user;
        let (perimetre, found) = match (&cle, lu) {
            // Read with the session, from the same NIR ([`App::consult_qf_par_jeton`]).
            (Parsed::Nir(_), Some(lu)) => lu,
            (Parsed::Nir(h), None) => self.store.perimetre_et_dossier_par_nir(user, caisse, h).await?,
            (Parsed::Matricule(m), _) => (
                self.store.perimetre(user).await?,
                self.store.dossier_by_matricule(caisse, m).await?,
            ),
        };
        match perimetre.acces_bouquet(bouquet, self.clock.today()) {
            AccesBouquet::Ouvert => {}
            AccesBouquet::NonHabilite => {
                self.trace_consultation(agent, bouquet, Resultat::NonHabilite, typed, hash, source)
                    .await?;
                return Err(AppError::NonHabilite);
            }
            AccesBouquet::ConventionHorsVigueur => {
                self.trace_consultation(
                    agent,
                    bouquet,
                    Resultat::ConventionHorsVigueur,
                    typed,
                    hash,
                    source,
                )
                .await?;
                return Err(introuvable());
            }
        }
        let Some(dossier) = found else {
            self.trace_consultation(agent, bouquet, Resultat::DossierIntrouvable, typed, hash, source)
                .await?;
            return Err(introuvable());
        };
        let matricule = Some(dossier.matricule.as_str());
        if nom.is_some_and(|nom| !dossier.nom_correspond(nom)) {
            self.trace_consultation(agent, bouquet, Resultat::NomDiscordant, matricule, None, source)
                .await?;
            return Err(introuvable());
        }
        // Outside the perimeter reads exactly like nobody; the trace keeps the true reason (CO-3, CO-5).
        let hors = match perimetre.acces_dossier(bouquet, &dossier, self.clock.today()) {
            AccesDossier::Autorise => return Ok(dossier),
            AccesDossier::HorsCompetence | AccesDossier::HorsConvention => Resultat::HorsPerimetre,
            AccesDossier::SansDroitRsa => Resultat::SansDroitRsa,
            AccesDossier::HorsCirconscription => Resultat::HorsCirconscription,
            AccesDossier::Opposition => {
                self.trace_consultation(agent, bouquet, Resultat::Opposition, matricule, None, source)
                    .await?;
                return Err(AppError::Opposition);
            }
        };
        self.trace_consultation(agent, bouquet, hors, matricule, None, source)
            .await?;
        Err(introuvable())
    }

    /// A consultation that showed the bouquet's rubriques of this dossier.
    pub(crate) async fn trace_succes(
        &self,
        agent: &Agent,
        bouquet: Bouquet,
        matricule: &str,
        source: &str,
    ) -> Result<(), AppError> {
        self.trace_consultation(agent, bouquet, Resultat::Succes, Some(matricule), None, source)
            .await
    }

    /// Records a consultation and keeps the session alive, in the same durable commit.
    pub(crate) async fn trace_consultation(
        &self,
        agent: &Agent,
        bouquet: Bouquet,
        resultat: Resultat,
        matricule: Option<&str>,
        nir_hache: Option<&str>,
        source: &str,
    ) -> Result<(), AppError> {
        let mut trace = self.trace_for(&agent.session, Action::Consultation, resultat, source);
        trace.bouquet = Some(bouquet);
        trace.matricule = matricule.map(str::to_owned);
        // A NIR is kept (hashed) only when it found nothing to name: otherwise the matricule says it all.
        trace.nir_hache = if matricule.is_none() {
            nir_hache.map(str::to_owned)
        } else {
            None
        };
        if resultat == Resultat::Succes {
            let codes: Vec<&str> = bouquet.rubriques().iter().map(|r| r.code()).collect();
            trace.rubriques = Some(codes.join(","));
        }
        self.journal
            .record(trace, Some((agent.token_hash.clone(), self.clock.now())))
            .await?;
        Ok(())
    }
}
