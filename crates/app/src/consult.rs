//! Consultation of a dossier through a bouquet (SPEC CO, OP-1). The order of the checks is the rule: who
//! may use the bouquet, then which dossier, then whether it is within the partner's competence, then
//! opposition; everything outside the perimeter answers as a dossier that does not exist.

use crate::secrets::nir_hash;
use crate::{Agent, App, AppError};
use partage_domain::dossier::{mois_demande, Adresse, Personne};
use partage_domain::perimetre::{AccesBouquet, AccesDossier};
use partage_domain::trace::{Action, Resultat};
use partage_domain::{Bouquet, Dossier, Nir, PeriodeQf, Regime};
use serde::Serialize;

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
        let (annee, mois) = match mois_demande(query.annee, query.mois, self.clock.today()) {
            Ok(m) => m,
            Err(e) => {
                self.trace_consultation(agent, Bouquet::Qf, Resultat::RequeteInvalide, None, None, source)
                    .await?;
                return Err(AppError::RequeteInvalide(e.to_string()));
            }
        };
        let dossier = self.find_by_nir(agent, Bouquet::Qf, query.nir, source).await?;
        let fournisseur = match agent.session.regime {
            Regime::Msa => "MSA",
            Regime::Caf => "CNAF",
        };
        let view = QfView {
            matricule: dossier.matricule.to_string(),
            quotient_familial: dossier.qf_du_mois(annee, mois).map(|p| QuotientFamilial {
                fournisseur,
                valeur: p.valeur,
                annee,
                mois,
            }),
            periodes: dossier.quotients_familiaux,
            allocataires: dossier.allocataires,
            enfants: dossier.enfants,
            adresse: dossier.adresse,
        };
        self.trace_consultation(
            agent,
            Bouquet::Qf,
            Resultat::Succes,
            Some(&view.matricule),
            None,
            source,
        )
        .await?;
        Ok(view)
    }

    /// The shared path of every NIR search: bouquet access, lookup, competence, opposition, each traced.
    async fn find_by_nir(
        &self,
        agent: &Agent,
        bouquet: Bouquet,
        nir: &str,
        source: &str,
    ) -> Result<Dossier, AppError> {
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
        let nir = match Nir::parse(nir) {
            Ok(n) => n,
            Err(e) => {
                self.trace_consultation(agent, bouquet, Resultat::NirInvalide, None, None, source)
                    .await?;
                return Err(AppError::NirInvalide(e.to_string()));
            }
        };
        let hash = nir_hash(&self.nir_key, &nir);
        let perimetre = self.store.perimetre(agent.session.user).await?;
        match perimetre.acces_bouquet(bouquet, self.clock.today()) {
            AccesBouquet::Ouvert => {}
            AccesBouquet::NonHabilite => {
                self.trace_consultation(agent, bouquet, Resultat::NonHabilite, None, Some(&hash.0), source)
                    .await?;
                return Err(AppError::NonHabilite);
            }
            AccesBouquet::ConventionHorsVigueur => {
                self.trace_consultation(
                    agent,
                    bouquet,
                    Resultat::ConventionHorsVigueur,
                    None,
                    Some(&hash.0),
                    source,
                )
                .await?;
                return Err(AppError::DossierIntrouvable);
            }
        }
        let Some(dossier) = self.store.dossier_by_nir(agent.session.caisse_id, &hash).await? else {
            self.trace_consultation(
                agent,
                bouquet,
                Resultat::DossierIntrouvable,
                None,
                Some(&hash.0),
                source,
            )
            .await?;
            return Err(AppError::DossierIntrouvable);
        };
        let matricule = Some(dossier.matricule.as_str());
        match perimetre.acces_dossier(&dossier) {
            AccesDossier::Autorise => Ok(dossier),
            AccesDossier::HorsCompetence => {
                self.trace_consultation(agent, bouquet, Resultat::HorsPerimetre, matricule, None, source)
                    .await?;
                Err(AppError::DossierIntrouvable)
            }
            AccesDossier::Opposition => {
                self.trace_consultation(agent, bouquet, Resultat::Opposition, matricule, None, source)
                    .await?;
                Err(AppError::Opposition)
            }
        }
    }

    /// Records a consultation and keeps the session alive, in the same durable commit.
    async fn trace_consultation(
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
