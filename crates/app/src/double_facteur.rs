//! The caisse staff's second factor (issue "security", part 5; RFC 6238): each staff member may add a code
//! from an authenticator application to his password; the caisse may require it of all its staff, and then
//! a staff member without one can do nothing but enrol. A code is accepted once only.

use crate::personnel::Staff;
use crate::{App, AppError};
use partage_domain::personnel::Role;
use partage_domain::totp::{self, SecretTotp};
use partage_domain::trace::{Action, Resultat};
use partage_domain::Identifiant;
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
        if self
            .store
            .second_factor(personnel)
            .await?
            .is_some_and(|f| f.active)
        {
            return Ok(DoubleFacteur::Actif);
        }
        Ok(if self.store.second_factor_required(caisse).await? {
            DoubleFacteur::AActiver
        } else {
            DoubleFacteur::Facultatif
        })
    }

    /// At login, after the password was found right: the code, when the staff member has a factor. True
    /// when no code is needed or the code is good (and now spent).
    pub(crate) async fn code_totp_accepte(
        &self,
        personnel: PersonnelId,
        code: Option<&str>,
    ) -> Result<bool, AppError> {
        let Some(facteur) = self.store.second_factor(personnel).await?.filter(|f| f.active) else {
            return Ok(true);
        };
        let (Some(code), Some(secret)) = (code, SecretTotp::from_slice(&facteur.secret)) else {
            return Ok(false);
        };
        match totp::verifier(&secret, code, self.clock.now(), facteur.last_step) {
            Some(etape) => Ok(self.store.spend_totp_step(personnel, etape).await?),
            None => Ok(false),
        }
    }

    /// A new secret for the staff member's authenticator, pending until [`App::activer_double_facteur`].
    /// Refused while one is active: only an admin removes it.
    pub async fn enroler_double_facteur(&self, staff: &Staff, source: &str) -> Result<Enrolement, AppError> {
        if staff.personnel.must_change_password {
            return Err(AppError::ChangementMotDePasseRequis);
        }
        let mut bytes = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let secret = SecretTotp::from_bytes(bytes);
        let p = &staff.personnel;
        let enrole = self.store.enrol_second_factor(p.id, secret.as_bytes()).await?;
        let resultat = if enrole {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_double_facteur(staff, resultat, source).await?;
        if !enrole {
            return Err(AppError::DejaExistant(
                "un second facteur est déjà actif sur ce compte : pour le remplacer (téléphone perdu), \
                 demandez à un administrateur de la caisse de le retirer"
                    .to_owned(),
            ));
        }
        Ok(Enrolement {
            secret: secret.base32(),
            uri: secret.uri(&format!("partage {}", p.caisse), p.identifiant.as_str()),
        })
    }

    /// The first code from the authenticator confirms the pending secret; from then on every login of
    /// the staff member needs a code.
    pub async fn activer_double_facteur(
        &self,
        staff: &Staff,
        code: &str,
        source: &str,
    ) -> Result<(), AppError> {
        let p = &staff.personnel;
        let en_attente = self.store.second_factor(p.id).await?.filter(|f| !f.active);
        let etape = en_attente
            .as_ref()
            .and_then(|f| SecretTotp::from_slice(&f.secret))
            .and_then(|s| totp::verifier(&s, code, self.clock.now(), None));
        let active = match etape {
            Some(e) => self.store.activate_second_factor(p.id, e).await?,
            None => false,
        };
        let resultat = if active {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_double_facteur(staff, resultat, source).await?;
        match (en_attente, active) {
            (_, true) => Ok(()),
            (None, _) => Err(AppError::Introuvable(
                "aucun second facteur en attente : commencez par en demander un".to_owned(),
            )),
            (Some(_), false) => Err(AppError::CodeTotpRefuse),
        }
    }

    /// An admin turns the requirement on or off for all the caisse's staff. A sensitive act.
    pub async fn exiger_double_facteur(
        &self,
        admin: &Staff,
        exige: bool,
        source: &str,
    ) -> Result<(), AppError> {
        self.exiger_acte_sensible(admin, Role::Admin, source).await?;
        self.store
            .set_second_factor_required(admin.personnel.caisse_id, exige)
            .await?;
        self.tracer_double_facteur(admin, Resultat::Succes, source).await
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
            Some(c) => self.store.remove_second_factor(c.personnel.id).await?,
            None => false,
        };
        let resultat = if retire {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_double_facteur(admin, resultat, source).await?;
        if retire {
            Ok(())
        } else {
            Err(AppError::Introuvable(
                "aucun second facteur à retirer pour cet identifiant dans la caisse".to_owned(),
            ))
        }
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
