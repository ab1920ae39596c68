//! Habilitation requests as a habilitated caisse agent processes them (SPEC HB-1 to HB-7, HB-10).
//!
//! No one registers himself (HB-1): the caisse agent (role `habilitation`) records the partner's signed
//! form; the draft and its submission are the partner's acts, recorded on his behalf, and every later step
//! is the caisse's. Granting an access request creates the partner's user with a temporary password shown
//! once to the caisse agent (HB-3, sealed letter), stored only as an argon2 hash and never traced. Every act
//! is traced, refusals included, and a refusal writes nothing.

use crate::personnel::{mot_de_passe_provisoire, Staff};
use crate::secrets::hash_password;
use crate::{App, AppError};
use partage_domain::demande::{
    verifier_plafond, Acteur, AgentDemande, Demande, DemandeRefusee, EtatDemande, NatureDemande,
    PlafondAtteint, Signature,
};
use partage_domain::habilitation::ProfilRefuse;
use partage_domain::personnel::Role;
use partage_domain::trace::{Action, Resultat};
use partage_domain::{Bouquet, CodeDepartement, Identifiant, NumeroConvention, NumeroTiers};
pub use partage_store::habilitations::{etat_code, DemandeEnregistree, Extranaute};
use partage_store::habilitations::{
    Accord, AccordRefuse, CibleInconnue, ConventionDuPartenaire, DemandeId, Effet, FiltreDemandes,
    NouvelleDemande,
};
use secrecy::SecretString;

/// Why an habilitation act was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum RefusHabilitation {
    /// The request's own rules (HB-1, HB-5): missing field, signature, reason, or a step its state forbids.
    #[error(transparent)]
    Demande(#[from] DemandeRefusee),
    /// HB-4: a profile the bouquet does not have.
    #[error(transparent)]
    Profil(#[from] ProfilRefuse),
    /// HB-7.
    #[error(transparent)]
    Plafond(#[from] PlafondAtteint),
    #[error("aucun partenaire de N° tiers « {0} » dans votre caisse")]
    PartenaireInconnu(String),
    #[error("le partenaire {tiers} n'a pas de convention n° {numero} dans votre caisse")]
    ConventionInconnue { tiers: String, numero: String },
    #[error("la convention n° {numero} n'ouvre pas le bouquet {bouquet}")]
    BouquetNonOuvert { numero: String, bouquet: &'static str },
    #[error("la convention n° {0} a pris fin : elle ne porte plus de nouvelle habilitation")]
    ConventionTerminee(String),
    #[error("une demande de modification ou de suppression nomme l'agent concerné (champ « utilisateur »)")]
    UtilisateurManquant,
    #[error("aucun agent « {0} » de ce partenaire dans votre caisse")]
    UtilisateurInconnu(String),
    #[error("l'agent « {0} » n'a pas d'habilitation sur cette convention pour ce bouquet")]
    HabilitationAbsente(String),
    #[error("aucune demande n° {0} dans votre caisse")]
    DemandeInconnue(i64),
    #[error("la demande vient d'être modifiée par ailleurs : rechargez-la et recommencez")]
    Concurrence,
}

/// How the edge should answer a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenreRefus {
    /// What the request names does not exist in the caisse.
    Introuvable,
    /// The state of things forbids it now (request's state, cap, concurrent change).
    Conflit,
    /// The form itself is wrong.
    Invalide,
}

impl RefusHabilitation {
    pub fn code(&self) -> &'static str {
        match self {
            RefusHabilitation::Demande(e) => e.code(),
            RefusHabilitation::Profil(e) => e.code(),
            RefusHabilitation::Plafond(_) => "plafond_atteint",
            RefusHabilitation::PartenaireInconnu(_) => "partenaire_inconnu",
            RefusHabilitation::ConventionInconnue { .. } => "convention_inconnue",
            RefusHabilitation::BouquetNonOuvert { .. } => "bouquet_non_ouvert",
            RefusHabilitation::ConventionTerminee(_) => "convention_terminee",
            RefusHabilitation::UtilisateurManquant => "utilisateur_requis",
            RefusHabilitation::UtilisateurInconnu(_) => "utilisateur_inconnu",
            RefusHabilitation::HabilitationAbsente(_) => "habilitation_absente",
            RefusHabilitation::DemandeInconnue(_) => "demande_inconnue",
            RefusHabilitation::Concurrence => "modification_concurrente",
        }
    }

    pub fn genre(&self) -> GenreRefus {
        match self {
            RefusHabilitation::Demande(
                DemandeRefusee::EtatIncompatible { .. } | DemandeRefusee::HorodatageAnterieur { .. },
            )
            | RefusHabilitation::Plafond(_)
            | RefusHabilitation::HabilitationAbsente(_)
            | RefusHabilitation::ConventionTerminee(_)
            | RefusHabilitation::Concurrence => GenreRefus::Conflit,
            RefusHabilitation::PartenaireInconnu(_)
            | RefusHabilitation::ConventionInconnue { .. }
            | RefusHabilitation::UtilisateurInconnu(_)
            | RefusHabilitation::DemandeInconnue(_) => GenreRefus::Introuvable,
            RefusHabilitation::Demande(_)
            | RefusHabilitation::Profil(_)
            | RefusHabilitation::BouquetNonOuvert { .. }
            | RefusHabilitation::UtilisateurManquant => GenreRefus::Invalide,
        }
    }

    /// Every code a refusal may carry, for the API's list of stable codes.
    pub const CODES: &'static [&'static str] = &[
        "champ_obligatoire",
        "email_invalide",
        "signature_requise",
        "signature_posterieure",
        "motif_requis",
        "reserve_a_la_caisse",
        "reserve_au_partenaire",
        "etat_incompatible",
        "horodatage_anterieur",
        "profil_inconnu",
        "plafond_atteint",
        "partenaire_inconnu",
        "convention_inconnue",
        "bouquet_non_ouvert",
        "convention_terminee",
        "utilisateur_requis",
        "utilisateur_inconnu",
        "habilitation_absente",
        "demande_inconnue",
        "modification_concurrente",
    ];
}

impl From<RefusHabilitation> for AppError {
    fn from(e: RefusHabilitation) -> Self {
        AppError::Habilitation(e)
    }
}

/// The partner's signed form, as the caisse agent types it from the paper (002: annexes 1 and 2; 000:
/// annexe 2; 001: annexes 2 and 3).
#[derive(Debug, Clone)]
pub struct FormulaireDemande {
    pub nature: NatureDemande,
    /// N° tiers.
    pub partenaire: String,
    pub convention: String,
    pub bouquet: String,
    /// The agent concerned by a modification or suppression.
    pub utilisateur: Option<String>,
    pub agent: AgentDemande,
    /// The representative's signature; without it the request stays a draft.
    pub signature: Option<Signature>,
}

/// Credentials to hand over once, by a secure channel (HB-3, HB-6): never stored in clear, never traced,
/// never shown again.
#[derive(Debug)]
pub struct Identifiants {
    pub identifiant: Identifiant,
    pub mot_de_passe_provisoire: SecretString,
}

/// A granted request, with the new agent's credentials for an access request.
#[derive(Debug)]
pub struct DemandeAccordee {
    pub demande: DemandeEnregistree,
    pub identifiants: Option<Identifiants>,
}

/// The states a list may be filtered on, by their codes.
pub fn etat_depuis_code(code: &str) -> Option<EtatDemande> {
    [
        EtatDemande::Brouillon,
        EtatDemande::Soumise,
        EtatDemande::ACompleter,
        EtatDemande::Accordee,
        EtatDemande::Refusee,
        EtatDemande::Faite,
    ]
    .into_iter()
    .find(|e| etat_code(*e) == code)
}

fn invalide(e: impl ToString) -> AppError {
    AppError::RequeteInvalide(e.to_string())
}

fn bouquet(code: &str) -> Result<Bouquet, AppError> {
    Bouquet::parse(code.trim()).ok_or_else(|| {
        invalide(format!(
            "bouquet inconnu « {} » (QF, PSU, RSACG ou MCP)",
            code.trim()
        ))
    })
}

/// HB-4 for a request that gives the agent a profile (access, modification); a suppression keeps none.
fn verifier_profil(nature: NatureDemande, bouquet: Bouquet, agent: &AgentDemande) -> Result<(), AppError> {
    if nature != NatureDemande::Suppression {
        bouquet
            .profil(agent.profil.as_deref())
            .map_err(RefusHabilitation::from)?;
    }
    Ok(())
}

impl App {
    /// Traces a habilitation act of `staff` about `partenaire`, and marks the session active.
    async fn tracer_habilitation<T>(
        &self,
        staff: &Staff,
        partenaire: Option<&str>,
        outcome: &Result<T, AppError>,
        source: &str,
    ) -> Result<(), AppError> {
        let p = &staff.personnel;
        let mut trace = self.trace_typed(p.caisse.as_str(), p.identifiant.as_str(), source, Action::Gestion);
        trace.partenaire = partenaire.map(|t| crate::auth::bounded(t, 32));
        trace.resultat = if outcome.is_ok() {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.journal.record(trace, None).await?;
        self.touch_personnel(staff).await
    }

    /// The partner's convention for `bouquet`, which must open it and not have ended.
    async fn convention_pour(
        &self,
        staff: &Staff,
        tiers: &NumeroTiers,
        numero: &NumeroConvention,
        bouquet: Bouquet,
    ) -> Result<ConventionDuPartenaire, AppError> {
        let c = match self
            .store
            .convention_du_partenaire(staff.personnel.caisse_id, tiers, numero)
            .await?
        {
            Ok(c) => c,
            Err(CibleInconnue::Partenaire) => {
                return Err(RefusHabilitation::PartenaireInconnu(tiers.to_string()).into())
            }
            Err(CibleInconnue::Convention) => {
                return Err(RefusHabilitation::ConventionInconnue {
                    tiers: tiers.to_string(),
                    numero: numero.to_string(),
                }
                .into())
            }
        };
        if !c.convention.ouvre(bouquet) {
            return Err(RefusHabilitation::BouquetNonOuvert {
                numero: numero.to_string(),
                bouquet: bouquet.code(),
            }
            .into());
        }
        let aujourdhui = self.clock.today();
        if c.convention.fin_le.is_some_and(|fin| aujourdhui >= fin) {
            return Err(RefusHabilitation::ConventionTerminee(numero.to_string()).into());
        }
        Ok(c)
    }

    /// HB-1: records the partner's signed form (role `habilitation`). With the signature, the request is
    /// submitted at once; without, it stays a draft until [`App::soumettre_demande`].
    pub async fn enregistrer_demande(
        &self,
        staff: &Staff,
        formulaire: FormulaireDemande,
        source: &str,
    ) -> Result<DemandeEnregistree, AppError> {
        self.exiger(staff, Role::Habilitation, source).await?;
        let tiers = formulaire.partenaire.clone();
        let outcome = self.creer_demande(staff, formulaire).await;
        self.tracer_habilitation(staff, Some(&tiers), &outcome, source)
            .await?;
        outcome
    }

    async fn creer_demande(
        &self,
        staff: &Staff,
        f: FormulaireDemande,
    ) -> Result<DemandeEnregistree, AppError> {
        let tiers = NumeroTiers::parse(&f.partenaire).map_err(invalide)?;
        let numero = NumeroConvention::parse(&f.convention).map_err(invalide)?;
        let bouquet = bouquet(&f.bouquet)?;
        let utilisateur = match (f.nature, f.utilisateur.as_deref().map(str::trim)) {
            (NatureDemande::Acces, _) => None,
            (_, None | Some("")) => return Err(RefusHabilitation::UtilisateurManquant.into()),
            (_, Some(u)) => Some(Identifiant::parse(u).map_err(invalide)?),
        };
        let maintenant = self.clock.now();
        let partenaire = Acteur::Partenaire(tiers.to_string());
        let mut demande = Demande::brouillon(f.nature, f.agent, partenaire.clone(), maintenant)
            .map_err(RefusHabilitation::from)?;
        verifier_profil(f.nature, bouquet, demande.agent())?;
        self.convention_pour(staff, &tiers, &numero, bouquet).await?;
        if let Some(signature) = f.signature {
            demande
                .soumettre(signature, partenaire, maintenant)
                .map_err(RefusHabilitation::from)?;
        }
        let nouvelle = NouvelleDemande {
            caisse: staff.personnel.caisse_id,
            partenaire: tiers,
            convention: numero,
            bouquet,
            utilisateur,
            saisie_par: staff.personnel.identifiant.to_string(),
            demande,
        };
        let id = match self.store.create_demande(&nouvelle).await? {
            Ok(id) => id,
            // Checked just above; only a concurrent deletion of the référentiel gets here.
            Err(_) => {
                return Err(RefusHabilitation::ConventionInconnue {
                    tiers: nouvelle.partenaire.to_string(),
                    numero: nouvelle.convention.to_string(),
                }
                .into())
            }
        };
        self.charger(staff, id.0).await
    }

    async fn charger(&self, staff: &Staff, id: i64) -> Result<DemandeEnregistree, AppError> {
        self.store
            .demande(staff.personnel.caisse_id, DemandeId(id))
            .await?
            .ok_or_else(|| RefusHabilitation::DemandeInconnue(id).into())
    }

    /// The caisse's requests, newest first, by state and partner (role `habilitation`).
    pub async fn demandes(
        &self,
        staff: &Staff,
        etat: Option<&str>,
        partenaire: Option<&str>,
        source: &str,
    ) -> Result<Vec<DemandeEnregistree>, AppError> {
        self.exiger(staff, Role::Habilitation, source).await?;
        let etat = etat
            .map(|e| {
                etat_depuis_code(e.trim()).ok_or_else(|| {
                    invalide(format!(
                        "état inconnu « {} » (brouillon, soumise, a_completer, accordee, refusee, faite)",
                        crate::auth::bounded(e, 32)
                    ))
                })
            })
            .transpose()?;
        let partenaire = partenaire
            .map(|p| NumeroTiers::parse(p).map_err(invalide))
            .transpose()?;
        self.touch_personnel(staff).await?;
        Ok(self
            .store
            .demandes(staff.personnel.caisse_id, &FiltreDemandes { etat, partenaire })
            .await?)
    }

    /// One request with its whole history (role `habilitation`).
    pub async fn demande_detail(
        &self,
        staff: &Staff,
        id: i64,
        source: &str,
    ) -> Result<DemandeEnregistree, AppError> {
        self.exiger(staff, Role::Habilitation, source).await?;
        self.touch_personnel(staff).await?;
        self.charger(staff, id).await
    }

    /// Applies one step to a request and records it, if no one moved it meanwhile.
    async fn etape(
        &self,
        staff: &Staff,
        id: i64,
        source: &str,
        pas: impl FnOnce(&mut Demande, &DemandeEnregistree) -> Result<(), DemandeRefusee>,
    ) -> Result<DemandeEnregistree, AppError> {
        self.exiger(staff, Role::Habilitation, source).await?;
        let lue = self.charger(staff, id).await;
        let tiers = lue.as_ref().ok().map(|d| d.partenaire.to_string());
        let outcome = match lue {
            Ok(d) => self.appliquer_etape(staff, d, pas).await,
            Err(e) => Err(e),
        };
        self.tracer_habilitation(staff, tiers.as_deref(), &outcome, source)
            .await?;
        outcome
    }

    async fn appliquer_etape(
        &self,
        staff: &Staff,
        d: DemandeEnregistree,
        pas: impl FnOnce(&mut Demande, &DemandeEnregistree) -> Result<(), DemandeRefusee>,
    ) -> Result<DemandeEnregistree, AppError> {
        let mut demande = d.demande.clone();
        pas(&mut demande, &d).map_err(RefusHabilitation::from)?;
        if !self
            .store
            .record_demande(staff.personnel.caisse_id, d.id, d.revision, &demande)
            .await?
        {
            return Err(RefusHabilitation::Concurrence.into());
        }
        self.charger(staff, d.id.0).await
    }

    fn caisse(staff: &Staff) -> Acteur {
        Acteur::Caisse(staff.personnel.identifiant.to_string())
    }

    /// HB-1: the partner's signed form reaches the caisse (recorded on the partner's behalf), with the
    /// agent's details corrected when the caisse had asked for changes.
    pub async fn soumettre_demande(
        &self,
        staff: &Staff,
        id: i64,
        signature: Signature,
        agent: Option<AgentDemande>,
        source: &str,
    ) -> Result<DemandeEnregistree, AppError> {
        let maintenant = self.clock.now();
        self.etape(staff, id, source, move |d, lue| {
            let partenaire = Acteur::Partenaire(lue.partenaire.to_string());
            if let Some(agent) = agent {
                d.modifier_agent(agent, &partenaire)?;
            }
            d.soumettre(signature, partenaire, maintenant)
        })
        .await
    }

    /// The caisse sends the request back to the partner with what to complete.
    pub async fn demander_complements(
        &self,
        staff: &Staff,
        id: i64,
        motif: &str,
        source: &str,
    ) -> Result<DemandeEnregistree, AppError> {
        let (par, le) = (Self::caisse(staff), self.clock.now());
        self.etape(staff, id, source, |d, _| d.demander_complements(motif, par, le))
            .await
    }

    pub async fn refuser_demande(
        &self,
        staff: &Staff,
        id: i64,
        motif: &str,
        source: &str,
    ) -> Result<DemandeEnregistree, AppError> {
        let (par, le) = (Self::caisse(staff), self.clock.now());
        self.etape(staff, id, source, |d, _| d.refuser(motif, par, le))
            .await
    }

    /// HB-2, HB-3, HB-5, HB-7, HB-10: grants a submitted request and carries it out at once, in one
    /// transaction: an access creates the user with a temporary password (returned here, once), a
    /// modification changes him, a suppression removes the habilitation and, with the last one, the user's
    /// access and sessions. The request ends "faite".
    pub async fn accorder_demande(
        &self,
        staff: &Staff,
        id: i64,
        source: &str,
    ) -> Result<DemandeAccordee, AppError> {
        self.exiger(staff, Role::Habilitation, source).await?;
        let lue = self.charger(staff, id).await;
        let tiers = lue.as_ref().ok().map(|d| d.partenaire.to_string());
        let outcome = match lue {
            Ok(d) => self.accorder(staff, d).await,
            Err(e) => Err(e),
        };
        self.tracer_habilitation(staff, tiers.as_deref(), &outcome, source)
            .await?;
        outcome
    }

    async fn accorder(&self, staff: &Staff, d: DemandeEnregistree) -> Result<DemandeAccordee, AppError> {
        let mut demande = d.demande.clone();
        let (par, le) = (Self::caisse(staff), self.clock.now());
        demande
            .accorder(par.clone(), le)
            .and_then(|()| demande.marquer_faite(par, le))
            .map_err(RefusHabilitation::from)?;
        let nature = demande.nature();
        let agent = demande.agent().clone();
        let mut provisoire = None;
        let effet = match nature {
            NatureDemande::Acces => {
                verifier_profil(nature, d.bouquet, &agent)?;
                let c = self
                    .convention_pour(staff, &d.partenaire, &d.convention, d.bouquet)
                    .await?;
                verifier_plafond(c.habilitations, c.plafond).map_err(RefusHabilitation::from)?;
                let mot_de_passe = mot_de_passe_provisoire();
                let hash = hash_password(mot_de_passe.clone())
                    .await
                    .map_err(|e| AppError::Interne(e.to_string()))?;
                provisoire = Some(mot_de_passe);
                Effet::Acces {
                    profil: agent.profil.clone(),
                    agent,
                    mot_de_passe_provisoire_hash: hash,
                }
            }
            NatureDemande::Modification => {
                verifier_profil(nature, d.bouquet, &agent)?;
                Effet::Modification {
                    profil: agent.profil.clone(),
                    agent,
                }
            }
            NatureDemande::Suppression => Effet::Suppression,
        };
        let concerne = d
            .utilisateur
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let accord = match self
            .store
            .accorder_demande(staff.personnel.caisse_id, d.id, d.revision, &demande, &effet)
            .await?
        {
            Ok(accord) => accord,
            Err(AccordRefuse::PlafondAtteint(plafond)) => {
                return Err(RefusHabilitation::Plafond(PlafondAtteint { plafond }).into())
            }
            Err(AccordRefuse::UtilisateurInconnu) => {
                return Err(RefusHabilitation::UtilisateurInconnu(concerne).into())
            }
            Err(AccordRefuse::HabilitationAbsente) => {
                return Err(RefusHabilitation::HabilitationAbsente(concerne).into())
            }
            Err(AccordRefuse::Concurrence) => return Err(RefusHabilitation::Concurrence.into()),
        };
        let identifiants = match (accord, provisoire) {
            (Accord::Cree(identifiant), Some(mot_de_passe_provisoire)) => Some(Identifiants {
                identifiant,
                mot_de_passe_provisoire,
            }),
            _ => None,
        };
        Ok(DemandeAccordee {
            demande: self.charger(staff, d.id.0).await?,
            identifiants,
        })
    }

    /// HB-7: sets or removes a convention's cap (role `conventions`).
    pub async fn fixer_plafond(
        &self,
        staff: &Staff,
        numero: &str,
        plafond: Option<u32>,
        source: &str,
    ) -> Result<(), AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let outcome = match NumeroConvention::parse(numero) {
            Err(e) => Err(invalide(e)),
            Ok(n) => match self
                .store
                .set_plafond(staff.personnel.caisse_id, &n, plafond)
                .await?
            {
                true => Ok(()),
                false => Err(AppError::Introuvable(format!(
                    "aucune convention n° {n} dans votre caisse"
                ))),
            },
        };
        self.tracer_habilitation(staff, None, &outcome, source).await?;
        outcome
    }

    /// HB-6: lost or stolen credentials. The old password stops working at once, every session of the agent
    /// ends, and a new temporary password is returned, once (role `habilitation`).
    pub async fn reinitialiser_identifiants(
        &self,
        staff: &Staff,
        identifiant: &str,
        source: &str,
    ) -> Result<Identifiants, AppError> {
        self.exiger(staff, Role::Habilitation, source).await?;
        let outcome = self.reinitialiser(staff, identifiant).await;
        self.tracer_habilitation(staff, None, &outcome, source).await?;
        outcome
    }

    async fn reinitialiser(&self, staff: &Staff, identifiant: &str) -> Result<Identifiants, AppError> {
        let identifiant = Identifiant::parse(identifiant).map_err(invalide)?;
        let mot_de_passe = mot_de_passe_provisoire();
        let hash = hash_password(mot_de_passe.clone())
            .await
            .map_err(|e| AppError::Interne(e.to_string()))?;
        match self
            .store
            .reinitialiser_mot_de_passe(staff.personnel.caisse_id, &identifiant, &hash)
            .await?
        {
            Some(_) => Ok(Identifiants {
                identifiant,
                mot_de_passe_provisoire: mot_de_passe,
            }),
            None => Err(RefusHabilitation::UtilisateurInconnu(identifiant.to_string()).into()),
        }
    }

    /// HB-2: the directory of extranautes of the caisse for a bouquet, and for a département when given
    /// (RSACG) (role `habilitation`).
    pub async fn extranautes(
        &self,
        staff: &Staff,
        bouquet_code: &str,
        departement: Option<&str>,
        source: &str,
    ) -> Result<Vec<Extranaute>, AppError> {
        self.exiger(staff, Role::Habilitation, source).await?;
        let b = bouquet(bouquet_code)?;
        let departement = departement
            .map(|d| CodeDepartement::parse(d).map_err(invalide))
            .transpose()?;
        self.touch_personnel(staff).await?;
        let mut liste = self.store.extranautes(staff.personnel.caisse_id, b).await?;
        if let Some(dep) = departement {
            liste.retain(|e| e.departements.contains(&dep));
        }
        Ok(liste)
    }
}
