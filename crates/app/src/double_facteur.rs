//! The second factor (issue "security", part 5; RFC 6238): every staff member and every partner agent may
//! add a code from an authenticator application to his password. The caisse may require it of all its
//! staff — then a staff member without one can do nothing but enrol — and of its partners' administrators —
//! then an administrator without one cannot manage habilitations (HB-9). A code is accepted once only.

use crate::personnel::Staff;
use crate::{Agent, App, AppError};
use partage_domain::personnel::Role;
use partage_domain::totp::{self, SecretTotp};
use partage_domain::trace::{Action, Resultat};
use partage_domain::Identifiant;
use partage_store::double_facteur::{Exigence, Titulaire};
use partage_store::personnel::PersonnelId;
use rand::RngCore;

/// Where a staff member stands with the second factor, as each request sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoubleFacteur {
    /// Active: his logins need a code.
    Actif,
    /// Not active, and the caisse does not require it.
    Facultatif,
    /// Not active while the caisse requires it: enrolling is all he may do.
    AActiver,
}

/// What an authenticator needs, shown once at enrolment.
#[derive(Debug)]
pub struct Enrolement {
    /// The secret in base32, to type by hand.
    pub secret: String,
    /// The `otpauth://` address, to show as a QR code.
    pub uri: String,
}

impl App {
    pub(crate) async fn etat_double_facteur(
        &self,
        personnel: PersonnelId,
        caisse: partage_store::CaisseId,
    ) -> Result<DoubleFacteur, AppError> {
        if self.facteur_actif(Titulaire::Personnel(personnel)).await? {
            return Ok(DoubleFacteur::Actif);
        }
        Ok(
            if self
                .store
                .second_factor_required(caisse, Exigence::Personnel)
                .await?
            {
                DoubleFacteur::AActiver
            } else {
                DoubleFacteur::Facultatif
            },
        )
    }

    async fn facteur_actif(&self, titulaire: Titulaire) -> Result<bool, AppError> {
        Ok(self
            .store
            .second_factor(titulaire)
            .await?
            .is_some_and(|f| f.active))
    }

    /// Where a partner agent stands with the second factor, for his own page: to activate when he is his
    /// organisation's gestionnaire principal or suppléant and the caisse requires it of them (HB-9).
    pub async fn double_facteur_agent(&self, agent: &Agent) -> Result<DoubleFacteur, AppError> {
        let s = &agent.session;
        if self.facteur_actif(Titulaire::Utilisateur(s.user)).await? {
            return Ok(DoubleFacteur::Actif);
        }
        let exige = self
            .store
            .second_factor_required(s.caisse_id, Exigence::AdministrateursPartenaires)
            .await?
            && self.est_administrateur(agent).await?;
        Ok(if exige {
            DoubleFacteur::AActiver
        } else {
            DoubleFacteur::Facultatif
        })
    }

    /// HB-9: an administrator of a partner whose caisse requires the factor of administrators must have one.
    pub(crate) async fn exiger_facteur_administrateur(&self, admin: &Agent) -> Result<(), AppError> {
        let s = &admin.session;
        if self
            .store
            .second_factor_required(s.caisse_id, Exigence::AdministrateursPartenaires)
            .await?
            && !self.facteur_actif(Titulaire::Utilisateur(s.user)).await?
        {
            return Err(AppError::DoubleFacteurRequis);
        }
        Ok(())
    }

    /// At login, after the password was found right: the code, when the account has a factor. True when no
    /// code is needed or the code is good (and now spent).
    pub(crate) async fn code_totp_accepte(
        &self,
        titulaire: Titulaire,
        code: Option<&str>,
    ) -> Result<bool, AppError> {
        let Some(facteur) = self.store.second_factor(titulaire).await?.filter(|f| f.active) else {
            return Ok(true);
        };
        let (Some(code), Some(secret)) = (code, SecretTotp::from_slice(&facteur.secret)) else {
            return Ok(false);
        };
        match totp::verifier(&secret, code, self.clock.now(), facteur.last_step) {
            Some(etape) => Ok(self.store.spend_totp_step(titulaire, etape).await?),
            None => Ok(false),
        }
    }

    /// A new secret for an authenticator, pending until confirmed. `None` while one is active: only the
    /// caisse removes it.
    async fn nouveau_secret(
        &self,
        titulaire: Titulaire,
        emetteur: &str,
        compte: &str,
    ) -> Result<Option<Enrolement>, AppError> {
        let mut bytes = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let secret = SecretTotp::from_bytes(bytes);
        if !self
            .store
            .enrol_second_factor(titulaire, secret.as_bytes())
            .await?
        {
            return Ok(None);
        }
        Ok(Some(Enrolement {
            secret: secret.base32(),
            uri: secret.uri(emetteur, compte),
        }))
    }

    /// The first code from the authenticator confirms the pending secret. `Err` says why not.
    async fn confirmer_secret(&self, titulaire: Titulaire, code: &str) -> Result<(), AppError> {
        let en_attente = self.store.second_factor(titulaire).await?.filter(|f| !f.active);
        let etape = en_attente
            .as_ref()
            .and_then(|f| SecretTotp::from_slice(&f.secret))
            .and_then(|s| totp::verifier(&s, code, self.clock.now(), None));
        let active = match etape {
            Some(e) => self.store.activate_second_factor(titulaire, e).await?,
            None => false,
        };
        match (en_attente, active) {
            (_, true) => Ok(()),
            (None, _) => Err(AppError::Introuvable(
                "aucun second facteur en attente : commencez par en demander un".to_owned(),
            )),
            (Some(_), false) => Err(AppError::CodeTotpRefuse),
        }
    }

    /// A staff member's new secret, pending until [`App::activer_double_facteur`].
    pub async fn enroler_double_facteur(&self, staff: &Staff, source: &str) -> Result<Enrolement, AppError> {
        if staff.personnel.must_change_password {
            return Err(AppError::ChangementMotDePasseRequis);
        }
        let p = &staff.personnel;
        let enrole = self
            .nouveau_secret(
                Titulaire::Personnel(p.id),
                &format!("partage {}", p.caisse),
                p.identifiant.as_str(),
            )
            .await?;
        let resultat = if enrole.is_some() {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_double_facteur(staff, resultat, source).await?;
        enrole.ok_or_else(deja_actif)
    }

    /// The staff member's first code confirms his secret; from then on every login of his needs a code.
    pub async fn activer_double_facteur(
        &self,
        staff: &Staff,
        code: &str,
        source: &str,
    ) -> Result<(), AppError> {
        let outcome = self
            .confirmer_secret(Titulaire::Personnel(staff.personnel.id), code)
            .await;
        let resultat = if outcome.is_ok() {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_double_facteur(staff, resultat, source).await?;
        outcome
    }

    /// A partner agent's new secret, pending until [`App::activer_double_facteur_agent`].
    pub async fn enroler_double_facteur_agent(
        &self,
        agent: &Agent,
        source: &str,
    ) -> Result<Enrolement, AppError> {
        let s = &agent.session;
        if s.must_change_password {
            return Err(AppError::ChangementMotDePasseRequis);
        }
        let enrole = self
            .nouveau_secret(
                Titulaire::Utilisateur(s.user),
                &format!("partage {}", s.caisse),
                s.identifiant.as_str(),
            )
            .await?;
        let resultat = if enrole.is_some() {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_double_facteur_agent(agent, resultat, source).await?;
        enrole.ok_or_else(deja_actif)
    }

    /// The agent's first code confirms his secret; from then on every login of his needs a code.
    pub async fn activer_double_facteur_agent(
        &self,
        agent: &Agent,
        code: &str,
        source: &str,
    ) -> Result<(), AppError> {
        let outcome = self
            .confirmer_secret(Titulaire::Utilisateur(agent.session.user), code)
            .await;
        let resultat = if outcome.is_ok() {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_double_facteur_agent(agent, resultat, source).await?;
        outcome
    }

    /// What the caisse requires the factor of today, as the admin's switch shows it: (its staff, its
    /// partners' administrators).
    pub async fn exigences_double_facteur(
        &self,
        admin: &Staff,
        source: &str,
    ) -> Result<(bool, bool), AppError> {
        self.exiger(admin, Role::Admin, source).await?;
        let caisse = admin.personnel.caisse_id;
        Ok((
            self.store
                .second_factor_required(caisse, Exigence::Personnel)
                .await?,
            self.store
                .second_factor_required(caisse, Exigence::AdministrateursPartenaires)
                .await?,
        ))
    }

    /// An admin chooses whom the caisse requires the factor of: its staff, its partners' administrators.
    /// A sensitive act.
    pub async fn exiger_double_facteur(
        &self,
        admin: &Staff,
        personnel: bool,
        administrateurs_partenaires: bool,
        source: &str,
    ) -> Result<(), AppError> {
        self.exiger_acte_sensible(admin, Role::Admin, source).await?;
        let caisse = admin.personnel.caisse_id;
        self.store
            .set_second_factor_required(caisse, Exigence::Personnel, personnel)
            .await?;
        self.store
            .set_second_factor_required(
                caisse,
                Exigence::AdministrateursPartenaires,
                administrateurs_partenaires,
            )
            .await?;
        self.tracer_double_facteur(admin, Resultat::Succes, source).await
    }

    /// The caisse removes a partner agent's factor (lost phone): he enrols again. A sensitive act of the
    /// `habilitation` role, like a credentials reset (HB-6).
    pub async fn retirer_double_facteur_agent(
        &self,
        staff: &Staff,
        identifiant: &str,
        source: &str,
    ) -> Result<(), AppError> {
        self.exiger_acte_sensible(staff, Role::Habilitation, source)
            .await?;
        let cible = match Identifiant::parse(identifiant) {
            Ok(i) => self.store.find_login(&staff.personnel.caisse, &i).await?,
            Err(_) => None,
        };
        let retire = match &cible {
            Some(c) => {
                self.store
                    .remove_second_factor(Titulaire::Utilisateur(c.user))
                    .await?
            }
            None => false,
        };
        self.retrait_trace(staff, retire, source).await
    }

    /// An admin removes a staff member's factor (lost or replaced phone): he enrols again. A sensitive act.
    pub async fn retirer_double_facteur(
        &self,
        admin: &Staff,
        identifiant: &str,
        source: &str,
    ) -> Result<(), AppError> {
        self.exiger_acte_sensible(admin, Role::Admin, source).await?;
        let cible = match Identifiant::parse(identifiant) {
            Ok(i) => self.store.personnel_login(&admin.personnel.caisse, &i).await?,
            Err(_) => None,
        };
        let retire = match &cible {
            Some(c) => {
                self.store
                    .remove_second_factor(Titulaire::Personnel(c.personnel.id))
                    .await?
            }
            None => false,
        };
        self.retrait_trace(admin, retire, source).await
    }

    async fn retrait_trace(&self, staff: &Staff, retire: bool, source: &str) -> Result<(), AppError> {
        let resultat = if retire {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_double_facteur(staff, resultat, source).await?;
        if retire {
            Ok(())
        } else {
            Err(AppError::Introuvable(
                "aucun second facteur à retirer pour cet identifiant dans la caisse".to_owned(),
            ))
        }
    }

    async fn tracer_double_facteur_agent(
        &self,
        agent: &Agent,
        resultat: Resultat,
        source: &str,
    ) -> Result<(), AppError> {
        let trace = self.trace_for(&agent.session, Action::DoubleFacteur, resultat, source);
        self.journal
            .record(trace, Some((agent.token_hash.clone(), self.clock.now())))
            .await?;
        Ok(())
    }

    async fn tracer_double_facteur(
        &self,
        staff: &Staff,
        resultat: Resultat,
        source: &str,
    ) -> Result<(), AppError> {
        let trace = self.trace_staff(staff, Action::DoubleFacteur, resultat, source);
        self.journal.record(trace, None).await?;
        self.touch_personnel(staff).await
    }
}

fn deja_actif() -> AppError {
    AppError::DejaExistant(
        "un second facteur est déjà actif sur ce compte : pour le remplacer (téléphone perdu), demandez à la \
         caisse de le retirer"
            .to_owned(),
    )
}
