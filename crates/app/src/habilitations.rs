//! Habilitation requests as a habilitated caisse agent processes them (SPEC HB-1 to HB-7, HB-10).
//!
//! No one registers himself (HB-1): the caisse agent (role `habilitation`) records the partner's signed
//! form; the draft and its submission are the partner's acts, recorded on his behalf, and every later step
//! is the caisse's. Granting an access request creates the partner's user with a temporary password shown
//! once to the caisse agent (HB-3, sealed letter), stored only as an argon2 hash and never traced. Every act
//! is traced, refusals included, and a refusal writes nothing.

pub use crate::activation::{Remis, Remise};
use crate::personnel::{mot_de_passe_provisoire, Staff};
use crate::secrets::hash_password;
use crate::Agent;
use crate::{App, AppError};
use partage_domain::demande::{
    verifier_plafond, Acteur, AgentDemande, Demande, DemandeRefusee, EtatDemande, NatureDemande,
    PlafondAtteint, Signature,
};
use partage_domain::habilitation::{Administrateur, Gestion, NatureActe, ProfilRefuse, PLAFOND_MAX};
use partage_domain::personnel::Role;
use partage_domain::rsa::{verifier_perimetre, PerimetreRefuse};
use partage_domain::trace::{Action, Resultat};
use partage_domain::{Bouquet, CodeDepartement, Identifiant, NumeroConvention, NumeroTiers};
pub use partage_store::habilitations::{etat_code, DemandeEnregistree, Extranaute};
use partage_store::habilitations::{
    Accord, AccordRefuse, CibleInconnue, ConventionDuPartenaire, DemandeId, Designation, Effet,
    FiltreDemandes, NouvelleDemande,
};
use partage_store::CaisseId;
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
    /// HB-9: only the partner's gestionnaire principal or suppléant manages habilitations himself.
    #[error("seuls le gestionnaire principal et le suppléant de votre organisme gèrent ses habilitations")]
    AdministrateurRequis,
    /// CV-12, HB-10: in centralised mode the caisse alone grants, on the partner's requests.
    #[error("la convention n° {0} est en gestion centralisée : adressez une demande signée à la caisse")]
    GestionCentralisee(String),
    /// HB-9: administrators' rights are the caisse's to change, never another administrator's.
    #[error("les habilitations d'un gestionnaire de l'organisme ne sont modifiées que par la caisse")]
    AdministrateurProtege,
    /// HB-9 (003:9.1): one gestionnaire principal and one suppléant per partner.
    #[error(
        "« {titulaire} » est déjà le gestionnaire {role} de ce partenaire : retirez-lui ce rôle avant d'en \
         désigner un autre"
    )]
    RoleDejaTenu { titulaire: String, role: &'static str },
    /// HB-9: suspending an habilitation already suspended.
    #[error("l'habilitation de l'agent « {0} » sur cette convention pour ce bouquet est déjà suspendue")]
    DejaSuspendue(String),
    /// HB-9: reactivating an habilitation that is not suspended.
    #[error("l'habilitation de l'agent « {0} » sur cette convention pour ce bouquet n'est pas suspendue")]
    NonSuspendue(String),
    /// CO-3: an RSACG habilitation without circonscription, or beyond its partner's; another bouquet's with.
    #[error(transparent)]
    Perimetre(#[from] PerimetreRefuse),
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
    /// The actor may not do this at all.
    Interdit,
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
            RefusHabilitation::AdministrateurRequis => "administrateur_requis",
            RefusHabilitation::GestionCentralisee(_) => "gestion_centralisee",
            RefusHabilitation::AdministrateurProtege => "administrateur_protege",
            RefusHabilitation::RoleDejaTenu { .. } => "role_deja_tenu",
            RefusHabilitation::DejaSuspendue(_) => "deja_suspendue",
            RefusHabilitation::NonSuspendue(_) => "non_suspendue",
            RefusHabilitation::Perimetre(e) => e.code(),
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
            | RefusHabilitation::Concurrence
            | RefusHabilitation::RoleDejaTenu { .. }
            | RefusHabilitation::DejaSuspendue(_)
            | RefusHabilitation::NonSuspendue(_) => GenreRefus::Conflit,
            RefusHabilitation::PartenaireInconnu(_)
            | RefusHabilitation::ConventionInconnue { .. }
            | RefusHabilitation::UtilisateurInconnu(_)
            | RefusHabilitation::DemandeInconnue(_) => GenreRefus::Introuvable,
            RefusHabilitation::Demande(_)
            | RefusHabilitation::Profil(_)
            | RefusHabilitation::BouquetNonOuvert { .. }
            | RefusHabilitation::Perimetre(_)
            | RefusHabilitation::UtilisateurManquant => GenreRefus::Invalide,
            RefusHabilitation::AdministrateurRequis
            | RefusHabilitation::GestionCentralisee(_)
            | RefusHabilitation::AdministrateurProtege => GenreRefus::Interdit,
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
        "administrateur_requis",
        "gestion_centralisee",
        "administrateur_protege",
        "role_deja_tenu",
        "deja_suspendue",
        "non_suspendue",
        "circonscription_requise",
        "circonscription_hors_bouquet",
        "circonscription_hors_partenaire",
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

/// Credentials handed over once, by a secure channel (HB-3, HB-6): an activation link mailed to the agent,
/// or a temporary password for a sealed letter; never stored in clear, never traced, never shown again.
#[derive(Debug)]
pub struct Identifiants {
    pub identifiant: Identifiant,
    pub remis: Remis,
}

/// A granted request, with the new agent's credentials for an access request.
#[derive(Debug)]
pub struct DemandeAccordee {
    pub demande: DemandeEnregistree,
    pub identifiants: Option<Identifiants>,
}

/// The refusal a store's answer to a grant stands for.
fn refus_accord(
    r: AccordRefuse,
    concerne: String,
    tiers: &NumeroTiers,
    numero: &NumeroConvention,
) -> AppError {
    match r {
        AccordRefuse::PlafondAtteint(plafond) => RefusHabilitation::Plafond(PlafondAtteint { plafond }),
        AccordRefuse::UtilisateurInconnu => RefusHabilitation::UtilisateurInconnu(concerne),
        AccordRefuse::HabilitationAbsente => RefusHabilitation::HabilitationAbsente(concerne),
        AccordRefuse::Concurrence => RefusHabilitation::Concurrence,
        AccordRefuse::Cible(_) => RefusHabilitation::ConventionInconnue {
            tiers: tiers.to_string(),
            numero: numero.to_string(),
        },
        AccordRefuse::Administrateur => RefusHabilitation::AdministrateurProtege,
        AccordRefuse::DejaSuspendue => RefusHabilitation::DejaSuspendue(concerne),
        AccordRefuse::NonSuspendue => RefusHabilitation::NonSuspendue(concerne),
    }
    .into()
}

/// Every state of a request, in the order of its life: what a list may be filtered on.
pub const ETATS: [EtatDemande; 6] = [
    EtatDemande::Brouillon,
    EtatDemande::Soumise,
    EtatDemande::ACompleter,
    EtatDemande::Accordee,
    EtatDemande::Refusee,
    EtatDemande::Faite,
];

/// The states a list may be filtered on, by their codes.
pub fn etat_depuis_code(code: &str) -> Option<EtatDemande> {
    ETATS.into_iter().find(|e| etat_code(*e) == code)
}

/// How a partner administrator's attempt ends, for its trace.
fn resultat_administrateur<T>(outcome: &Result<T, AppError>) -> Resultat {
    match outcome {
        Ok(_) => Resultat::Succes,
        Err(AppError::ChangementMotDePasseRequis) => Resultat::ChangementMotDePasseRequis,
        Err(_) => Resultat::Refuse,
    }
}

fn invalide(e: impl ToString) -> AppError {
    AppError::RequeteInvalide(e.to_string())
}

fn bouquet(code: &str) -> Result<Bouquet, AppError> {
    Bouquet::parse(code.trim()).ok_or_else(|| {
        invalide(format!(
            "bouquet inconnu « {} » (QF, PSU, RSACG ou MCP)",
            crate::auth::bounded(code.trim(), 20)
        ))
    })
}

/// The longest text a form's field may hold.
const TEXTE_MAX: usize = 200;

/// The agent's fields as a form may carry them: bounded, without control characters (an address may span
/// lines).
fn verifier_textes(agent: &AgentDemande) -> Result<(), AppError> {
    let champs = [
        ("civilite", agent.civilite.as_deref(), false),
        ("nom", Some(agent.nom.as_str()), false),
        ("prenom", Some(agent.prenom.as_str()), false),
        ("service", agent.service.as_deref(), false),
        ("adresse_service", agent.adresse_service.as_deref(), true),
        ("fonction", agent.fonction.as_deref(), false),
        ("profil", agent.profil.as_deref(), false),
        ("email", Some(agent.email.as_str()), false),
    ];
    for (champ, valeur, lignes) in champs {
        let Some(v) = valeur else { continue };
        if v.chars().count() > TEXTE_MAX {
            return Err(invalide(format!("{champ} : {TEXTE_MAX} caractères au plus")));
        }
        if v.chars().any(|c| c.is_control() && !(lignes && c == '\n')) {
            return Err(invalide(format!("{champ} : caractère de contrôle non autorisé")));
        }
    }
    Ok(())
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
        caisse: CaisseId,
        tiers: &NumeroTiers,
        numero: &NumeroConvention,
        bouquet: Bouquet,
    ) -> Result<ConventionDuPartenaire, AppError> {
        let c = match self.store.convention_du_partenaire(caisse, tiers, numero).await? {
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

    /// CO-3: an access or modification on RSACG names one or more of the partner's circonscriptions, as
    /// the référentiel des tiers records them today; any other bouquet names none.
    async fn verifier_circonscriptions(
        &self,
        caisse: CaisseId,
        tiers: &NumeroTiers,
        nature: NatureDemande,
        bouquet: Bouquet,
        agent: &AgentDemande,
    ) -> Result<(), AppError> {
        if nature == NatureDemande::Suppression {
            return Ok(());
        }
        let du_partenaire = match bouquet {
            Bouquet::Rsacg => self
                .store
                .partenaire(caisse, tiers)
                .await?
                .map(|fiche| fiche.circonscriptions)
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        verifier_perimetre(bouquet, &agent.circonscriptions, &du_partenaire)
            .map_err(RefusHabilitation::from)?;
        Ok(())
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
        verifier_textes(&f.agent)?;
        let maintenant = self.clock.now();
        let partenaire = Acteur::Partenaire(tiers.to_string());
        let mut demande = Demande::brouillon(f.nature, f.agent, partenaire.clone(), maintenant)
            .map_err(RefusHabilitation::from)?;
        verifier_profil(f.nature, bouquet, demande.agent())?;
        self.convention_pour(staff.personnel.caisse_id, &tiers, &numero, bouquet)
            .await?;
        self.verifier_circonscriptions(
            staff.personnel.caisse_id,
            &tiers,
            f.nature,
            bouquet,
            demande.agent(),
        )
        .await?;
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
        if let Some(agent) = &agent {
            verifier_textes(agent)?;
        }
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
        remise: Remise,
        source: &str,
    ) -> Result<DemandeAccordee, AppError> {
        self.exiger_acte_sensible(staff, Role::Habilitation, source)
            .await?;
        let lue = self.charger(staff, id).await;
        let tiers = lue.as_ref().ok().map(|d| d.partenaire.to_string());
        let outcome = match lue {
            Ok(d) => self.accorder(staff, d, remise).await,
            Err(e) => Err(e),
        };
        self.tracer_habilitation(staff, tiers.as_deref(), &outcome, source)
            .await?;
        outcome
    }

    async fn accorder(
        &self,
        staff: &Staff,
        d: DemandeEnregistree,
        remise: Remise,
    ) -> Result<DemandeAccordee, AppError> {
        let mut demande = d.demande.clone();
        let (par, le) = (Self::caisse(staff), self.clock.now());
        demande
            .accorder(par.clone(), le)
            .and_then(|()| demande.marquer_faite(par, le))
            .map_err(RefusHabilitation::from)?;
        let c = self
            .convention_pour(staff.personnel.caisse_id, &d.partenaire, &d.convention, d.bouquet)
            .await;
        // A suppression stays possible on a convention that has ended (CV-8 ends access anyway).
        let c = match (demande.nature(), c) {
            (NatureDemande::Suppression, _) => None,
            (_, c) => Some(c?),
        };
        let (effet, provisoire) = self
            .effet(
                (staff.personnel.caisse_id, &d.partenaire),
                demande.nature(),
                d.bouquet,
                Some(demande.agent().clone()),
                c.as_ref(),
            )
            .await?;
        let concerne = d
            .utilisateur
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let accord = self
            .store
            .accorder_demande(staff.personnel.caisse_id, d.id, d.revision, &demande, &effet)
            .await?
            .map_err(|r| refus_accord(r, concerne, &d.partenaire, &d.convention))?;
        // With a link, the temporary password is dropped unseen: no one ever knows the agent's password.
        let identifiants = match (accord, provisoire) {
            (Accord::Cree(identifiant), Some(mot_de_passe_provisoire)) => Some(
                self.remettre(staff, identifiant, remise, mot_de_passe_provisoire)
                    .await?,
            ),
            _ => None,
        };
        Ok(DemandeAccordee {
            demande: self.charger(staff, d.id.0).await?,
            identifiants,
        })
    }

    /// What a grant changes, checked against the bouquet's profiles (HB-4) and the convention's cap (HB-7),
    /// with the temporary password of a new agent.
    async fn effet(
        &self,
        (caisse, partenaire): (CaisseId, &NumeroTiers),
        nature: NatureDemande,
        bouquet: Bouquet,
        agent: Option<AgentDemande>,
        convention: Option<&ConventionDuPartenaire>,
    ) -> Result<(Effet, Option<SecretString>), AppError> {
        let agent = match (nature, agent) {
            (NatureDemande::Suppression, _) => return Ok((Effet::Suppression, None)),
            (_, Some(agent)) => {
                verifier_textes(&agent)?;
                agent.normaliser().map_err(RefusHabilitation::from)?
            }
            (_, None) => {
                return Err(invalide(
                    "les coordonnées de l'agent (nom, prénom, adresse électronique) sont obligatoires",
                ))
            }
        };
        verifier_profil(nature, bouquet, &agent)?;
        self.verifier_circonscriptions(caisse, partenaire, nature, bouquet, &agent)
            .await?;
        if nature == NatureDemande::Modification {
            let profil = agent.profil.clone();
            return Ok((Effet::Modification { agent, profil }, None));
        }
        if let Some(c) = convention {
            verifier_plafond(c.habilitations, c.plafond).map_err(RefusHabilitation::from)?;
        }
        let mot_de_passe = mot_de_passe_provisoire();
        let hash = hash_password(mot_de_passe.clone())
            .await
            .map_err(|e| AppError::Interne(e.to_string()))?;
        let profil = agent.profil.clone();
        Ok((
            Effet::Acces {
                agent,
                profil,
                mot_de_passe_provisoire_hash: hash,
            },
            Some(mot_de_passe),
        ))
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
            Ok(_) if plafond.is_some_and(|p| p > PLAFOND_MAX) => {
                Err(invalide(format!("plafond : {PLAFOND_MAX} habilitations au plus")))
            }
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
        remise: Remise,
        source: &str,
    ) -> Result<Identifiants, AppError> {
        self.exiger_acte_sensible(staff, Role::Habilitation, source)
            .await?;
        let outcome = self.reinitialiser(staff, identifiant, remise).await;
        let tiers = outcome.as_ref().ok().map(|(_, t)| t.to_string());
        self.tracer_habilitation(staff, tiers.as_deref(), &outcome, source)
            .await?;
        outcome.map(|(i, _)| i)
    }

    async fn reinitialiser(
        &self,
        staff: &Staff,
        identifiant: &str,
        remise: Remise,
    ) -> Result<(Identifiants, NumeroTiers), AppError> {
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
            // The old password is gone and his sessions ended: a link, when chosen, is the only way in.
            Some((_, tiers)) => Ok((
                self.remettre(staff, identifiant, remise, mot_de_passe).await?,
                tiers,
            )),
            None => Err(RefusHabilitation::UtilisateurInconnu(identifiant.to_string()).into()),
        }
    }

    /// Hands the new credentials over as chosen: a mailed link, or the temporary password for a sealed letter.
    async fn remettre(
        &self,
        staff: &Staff,
        identifiant: Identifiant,
        remise: Remise,
        mot_de_passe_provisoire: SecretString,
    ) -> Result<Identifiants, AppError> {
        let remis = match remise {
            Remise::Pli => Remis::Pli {
                mot_de_passe_provisoire,
            },
            Remise::Lien => {
                self.envoyer_lien(staff.personnel.caisse_id, &staff.personnel.caisse, &identifiant)
                    .await?
            }
        };
        Ok(Identifiants { identifiant, remis })
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

/// What a partner's administrator does himself in delegated mode (HB-9): an agent's access, a change of
/// his details or profile, his removal, or the suspension or reactivation of his habilitation, on one of his
/// own organisation's conventions.
#[derive(Debug, Clone)]
pub struct ActeDelegue {
    pub nature: NatureActe,
    pub convention: String,
    pub bouquet: String,
    /// The agent concerned by any act but an access.
    pub utilisateur: Option<String>,
    /// Required for an access or a modification.
    pub agent: Option<AgentDemande>,
}

impl App {
    /// HB-9, CV-12: the partner's gestionnaire principal or suppléant creates, changes or removes an
    /// habilitation of his own organisation, on a convention in delegated mode, in one transaction. Returns
    /// the agent concerned and, for a new agent, his temporary password (shown once). Every attempt is
    /// traced under the administrator's name and partner, so the caisse audits it (SU-3).
    pub async fn gerer_habilitation(
        &self,
        admin: &Agent,
        acte: ActeDelegue,
        source: &str,
    ) -> Result<(Identifiant, Option<SecretString>), AppError> {
        // What was asked, for the caisse's audit (SU-3, see `crate::audit`): the agent is the one the act
        // created or concerned, else the one named.
        let mut detail = crate::audit::ActeTrace {
            nature: acte.nature,
            convention: crate::auth::bounded(acte.convention.trim(), 40),
            bouquet: crate::auth::bounded(acte.bouquet.trim(), 10),
            agent: acte
                .utilisateur
                .as_deref()
                .map(|u| crate::auth::bounded(u.trim(), 64)),
            avant: None,
            apres: None,
        };
        // The agent's habilitation before and after, for the audit (SU-3).
        let cible = NumeroConvention::parse(&acte.convention)
            .ok()
            .zip(bouquet(&acte.bouquet).ok());
        if let (Some((numero, b)), Some(u)) = (&cible, &detail.agent) {
            detail.avant = self.etat_habilitation(admin, numero, *b, u).await?;
        }
        let outcome = self.acte_delegue(admin, acte).await;
        let resultat = resultat_administrateur(&outcome);
        detail.apres = detail.avant.clone();
        if let Ok((i, _)) = &outcome {
            detail.agent = Some(i.to_string());
            if let Some((numero, b)) = &cible {
                detail.apres = self.etat_habilitation(admin, numero, *b, i.as_str()).await?;
            }
        }
        let mut trace = self.trace_for(&admin.session, Action::Gestion, resultat, source);
        trace.rubriques = Some(detail.encoder());
        self.journal
            .record(trace, Some((admin.token_hash.clone(), self.clock.now())))
            .await?;
        outcome
    }

    /// The habilitation of the administrator's agent `identifiant` on the convention's bouquet, if any.
    async fn etat_habilitation(
        &self,
        admin: &Agent,
        numero: &NumeroConvention,
        b: Bouquet,
        identifiant: &str,
    ) -> Result<Option<crate::audit::EtatHabilitation>, AppError> {
        let s = &admin.session;
        Ok(self
            .store
            .extranautes(s.caisse_id, b)
            .await?
            .into_iter()
            .find(|e| {
                e.partenaire == s.partenaire
                    && &e.convention == numero
                    && e.identifiant.as_str() == identifiant
            })
            .map(|e| crate::audit::EtatHabilitation {
                profil: e.profil,
                actif: e.actif,
                suspendue: e.suspendue,
                service: e.service,
                fonction: e.fonction,
            }))
    }

    /// HB-9: whether the agent is his organisation's gestionnaire principal or suppléant, for his menu.
    pub async fn est_administrateur(&self, agent: &Agent) -> Result<bool, AppError> {
        Ok(self.store.administrateur(agent.session.user).await?.is_some())
    }

    /// HB-9: the habilitations of the administrator's own organisation in his caisse, every bouquet, for
    /// the page he manages them from. Traced like his acts, without an act in `rubriques` (the caisse's
    /// audit of delegated acts lists acts only).
    pub async fn habilitations_de_l_organisme(
        &self,
        admin: &Agent,
        source: &str,
    ) -> Result<Vec<(Bouquet, Extranaute)>, AppError> {
        let outcome = self.lire_organisme(admin).await;
        let resultat = resultat_administrateur(&outcome);
        let trace = self.trace_for(&admin.session, Action::Gestion, resultat, source);
        self.journal
            .record(trace, Some((admin.token_hash.clone(), self.clock.now())))
            .await?;
        outcome
    }

    /// HB-9: a partner agent whose password is no longer temporary, his organisation's gestionnaire
    /// principal or suppléant, with his second factor when the caisse requires it.
    async fn exiger_administrateur(&self, admin: &Agent) -> Result<(), AppError> {
        let s = &admin.session;
        if s.must_change_password {
            return Err(AppError::ChangementMotDePasseRequis);
        }
        if self.store.administrateur(s.user).await?.is_none() {
            return Err(RefusHabilitation::AdministrateurRequis.into());
        }
        self.exiger_facteur_administrateur(admin).await
    }

    async fn lire_organisme(&self, admin: &Agent) -> Result<Vec<(Bouquet, Extranaute)>, AppError> {
        self.exiger_administrateur(admin).await?;
        let s = &admin.session;
        let mut liste = Vec::new();
        for bouquet in Bouquet::ALL {
            let agents = self.store.extranautes(s.caisse_id, bouquet).await?;
            liste.extend(
                agents
                    .into_iter()
                    .filter(|e| e.partenaire == s.partenaire)
                    .map(|e| (bouquet, e)),
            );
        }
        Ok(liste)
    }

    async fn acte_delegue(
        &self,
        admin: &Agent,
        acte: ActeDelegue,
    ) -> Result<(Identifiant, Option<SecretString>), AppError> {
        self.exiger_administrateur(admin).await?;
        let s = &admin.session;
        let numero = NumeroConvention::parse(&acte.convention).map_err(invalide)?;
        let bouquet = bouquet(&acte.bouquet)?;
        let utilisateur = match (acte.nature, acte.utilisateur.as_deref().map(str::trim)) {
            (NatureActe::Acces, _) => None,
            (_, None | Some("")) => return Err(RefusHabilitation::UtilisateurManquant.into()),
            (_, Some(u)) => Some(Identifiant::parse(u).map_err(invalide)?),
        };
        // His own partner only: another organisation's convention is not found (HB-9).
        let c = self
            .convention_pour(s.caisse_id, &s.partenaire, &numero, bouquet)
            .await;
        let c = match (acte.nature, c) {
            (
                NatureActe::Suppression,
                Err(AppError::Habilitation(RefusHabilitation::ConventionTerminee(_))),
            ) => None,
            (_, c) => Some(c?),
        };
        if let Some(c) = &c {
            if Gestion::effective(c.gestion, s.regime) == Gestion::Centralisee {
                return Err(RefusHabilitation::GestionCentralisee(numero.to_string()).into());
            }
        }
        let (effet, provisoire) = match acte.nature.demande() {
            Some(nature) => {
                self.effet(
                    (s.caisse_id, &s.partenaire),
                    nature,
                    bouquet,
                    acte.agent,
                    c.as_ref(),
                )
                .await?
            }
            // HB-9: a suspension or reactivation touches the habilitation only, never the agent's details.
            None if acte.nature == NatureActe::Suspension => (Effet::Suspension, None),
            None => (Effet::Reactivation, None),
        };
        let concerne = utilisateur.as_ref().map(ToString::to_string).unwrap_or_default();
        let accord = self
            .store
            .appliquer_habilitation(
                s.caisse_id,
                &s.partenaire,
                &numero,
                bouquet,
                utilisateur.as_ref(),
                &effet,
            )
            .await?
            .map_err(|r| refus_accord(r, concerne, &s.partenaire, &numero))?;
        let identifiant = match accord {
            Accord::Cree(i) | Accord::Modifie(i) => i,
            Accord::Supprime { identifiant, .. } => identifiant,
            Accord::Suspendu(i) | Accord::Reactive(i) => i,
        };
        Ok((identifiant, provisoire))
    }

    /// CV-12: the caisse delegates a convention's habilitations to the partner's administrators, imposes
    /// centralised management, or returns to the régime's default (`None`) (role `conventions`).
    pub async fn fixer_gestion(
        &self,
        staff: &Staff,
        numero: &str,
        gestion: Option<&str>,
        source: &str,
    ) -> Result<(), AppError> {
        self.exiger_acte_sensible(staff, Role::Conventions, source)
            .await?;
        let outcome = self.enregistrer_gestion(staff, numero, gestion).await;
        self.tracer_habilitation(staff, None, &outcome, source).await?;
        outcome
    }

    async fn enregistrer_gestion(
        &self,
        staff: &Staff,
        numero: &str,
        gestion: Option<&str>,
    ) -> Result<(), AppError> {
        let n = NumeroConvention::parse(numero).map_err(invalide)?;
        let gestion = gestion
            .map(|g| {
                Gestion::parse(g.trim())
                    .ok_or_else(|| invalide("gestion : « centralisee », « deleguee » ou null"))
            })
            .transpose()?;
        if self
            .store
            .set_gestion(staff.personnel.caisse_id, &n, gestion)
            .await?
        {
            Ok(())
        } else {
            Err(AppError::Introuvable(format!(
                "aucune convention n° {n} dans votre caisse"
            )))
        }
    }

    /// HB-9: the caisse makes a partner user his organisation's gestionnaire principal or suppléant, or an
    /// agent again (`None`) (role `habilitation`).
    pub async fn designer_administrateur(
        &self,
        staff: &Staff,
        identifiant: &str,
        role: Option<&str>,
        source: &str,
    ) -> Result<(), AppError> {
        self.exiger_acte_sensible(staff, Role::Habilitation, source)
            .await?;
        let outcome = self.enregistrer_administrateur(staff, identifiant, role).await;
        self.tracer_habilitation(staff, None, &outcome, source).await?;
        outcome
    }

    async fn enregistrer_administrateur(
        &self,
        staff: &Staff,
        identifiant: &str,
        role: Option<&str>,
    ) -> Result<(), AppError> {
        let i = Identifiant::parse(identifiant).map_err(invalide)?;
        let role = role
            .map(|r| {
                Administrateur::parse(r.trim())
                    .ok_or_else(|| invalide("administrateur : « principal », « suppleant » ou null"))
            })
            .transpose()?;
        match self
            .store
            .set_administrateur(staff.personnel.caisse_id, &i, role)
            .await?
        {
            Designation::Faite => Ok(()),
            Designation::UtilisateurInconnu => {
                Err(RefusHabilitation::UtilisateurInconnu(i.to_string()).into())
            }
            Designation::RoleDejaTenu(titulaire) => Err(RefusHabilitation::RoleDejaTenu {
                titulaire: titulaire.to_string(),
                role: match role {
                    Some(Administrateur::Suppleant) => "suppléant",
                    _ => "principal",
                },
            }
            .into()),
        }
    }
}
