//! The caisse's staff (SPEC Actors): their own entrance to the back office, with the partners' agents'
//! rules (AU-1 personal password, AU-2 temporary password changed first, AU-4 idle time-out), their own
//! sessions, and a role checked by every use case.

use crate::auth::{bounded, motif_de_refus_personnel, LoginOutcome};
use crate::secrets::{hash_password, new_session_token, token_hash, verify_password};
use crate::verrouillage::verdict;
use crate::{App, AppError};
use base64::Engine;
use partage_domain::personnel::{Role, Roles};
use partage_domain::session::EtatSession;
use partage_domain::trace::{Action, Resultat, Trace};
use partage_domain::verrouillage::Espace;
use partage_domain::{CaisseCode, Identifiant};
pub use partage_store::personnel::Personnel;
use partage_store::personnel::{NewPersonnel, PersonnelRefuse};
use partage_store::TokenHash;
use rand::RngCore;
use secrecy::SecretString;

/// A staff member authenticated for the length of one request.
#[derive(Debug, Clone)]
pub struct Staff {
    pub personnel: Personnel,
    pub token_hash: TokenHash,
    /// When he last typed his password in this session (login or re-authentication).
    pub authentifie_le: chrono::DateTime<chrono::Utc>,
    pub double_facteur: crate::double_facteur::DoubleFacteur,
}

/// How recent a staff member's password must be for a sensitive act (issue "security", part 4).
pub const FRAICHEUR_ACTE_SENSIBLE: chrono::Duration = chrono::Duration::minutes(10);

/// Who a new staff member is, as typed by an admin or on the command line; checked by
/// [`App::creer_personnel`].
#[derive(Debug, Clone, Default)]
pub struct NouveauPersonnel {
    pub identifiant: String,
    pub nom: String,
    pub prenom: String,
    pub email: String,
    /// Comma-separated role codes.
    pub roles: String,
}

/// A temporary password: 96 random bits, URL-safe, shown once to whoever hands it over.
pub fn mot_de_passe_provisoire() -> SecretString {
    let mut bytes = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn texte(champ: &str, valeur: &str, max: usize) -> Result<String, String> {
    let v = valeur.trim();
    if v.is_empty() {
        Err(format!("{champ} : ne doit pas être vide"))
    } else if v.chars().count() > max {
        Err(format!("{champ} : ne doit pas dépasser {max} caractères"))
    } else if v.chars().any(char::is_control) {
        Err(format!("{champ} : caractère de contrôle non autorisé"))
    } else {
        Ok(v.to_owned())
    }
}

impl NouveauPersonnel {
    /// Every bad field, each with its reason, or the record to store.
    fn verifier(&self, caisse: CaisseCode, hash: String) -> Result<NewPersonnel, AppError> {
        let mut erreurs = Vec::new();
        let identifiant = Identifiant::parse(&self.identifiant).map_err(|e| erreurs.push(e.to_string()));
        let nom = texte("nom", &self.nom, 100).map_err(|e| erreurs.push(e));
        let prenom = texte("prénom", &self.prenom, 100).map_err(|e| erreurs.push(e));
        let email = texte("email", &self.email, 254)
            .and_then(|e| {
                if e.contains('@') && !e.contains(char::is_whitespace) {
                    Ok(e)
                } else {
                    Err(format!("email : « {} » n'est pas une adresse", bounded(&e, 64)))
                }
            })
            .map_err(|e| erreurs.push(e));
        let roles = Roles::parse(&self.roles).map_err(|e| erreurs.push(format!("rôles : {e}")));
        match (identifiant, nom, prenom, email, roles) {
            (Ok(identifiant), Ok(nom), Ok(prenom), Ok(email), Ok(roles)) => Ok(NewPersonnel {
                caisse,
                identifiant,
                nom,
                prenom,
                email,
                roles,
                mot_de_passe_provisoire_hash: hash,
            }),
            _ => Err(AppError::RequeteInvalide(erreurs.join(" ; "))),
        }
    }
}

impl App {
    pub(crate) fn trace_personnel(
        &self,
        caisse: &str,
        identifiant: &str,
        action: Action,
        resultat: Resultat,
        source: &str,
    ) -> Trace {
        Trace {
            resultat,
            ..self.trace_typed(caisse, identifiant, source, action)
        }
    }

    pub(crate) fn trace_staff(
        &self,
        staff: &Staff,
        action: Action,
        resultat: Resultat,
        source: &str,
    ) -> Trace {
        let p = &staff.personnel;
        self.trace_personnel(
            p.caisse.as_str(),
            p.identifiant.as_str(),
            action,
            resultat,
            source,
        )
    }

    /// Records a back-office act of `staff`, and marks the session active.
    pub(crate) async fn tracer_gestion(
        &self,
        staff: &Staff,
        resultat: Resultat,
        source: &str,
    ) -> Result<(), AppError> {
        let trace = self.trace_staff(staff, Action::Gestion, resultat, source);
        self.journal.record(trace, None).await?;
        self.store
            .touch_personnel_session(&staff.token_hash, self.clock.now())
            .await?;
        Ok(())
    }

    /// Every back-office use case starts here: the staff member must hold `role`, and must have replaced
    /// his temporary password (AU-2). A refusal is traced.
    pub async fn exiger(&self, staff: &Staff, role: Role, source: &str) -> Result<(), AppError> {
        if staff.personnel.must_change_password {
            self.tracer_gestion(staff, Resultat::ChangementMotDePasseRequis, source)
                .await?;
            return Err(AppError::ChangementMotDePasseRequis);
        }
        if staff.double_facteur == crate::double_facteur::DoubleFacteur::AActiver {
            self.tracer_gestion(staff, Resultat::DoubleFacteurRequis, source)
                .await?;
            return Err(AppError::DoubleFacteurRequis);
        }
        if !staff.personnel.roles.contient(role) {
            self.tracer_gestion(staff, Resultat::RoleRequis, source).await?;
            return Err(AppError::RoleRequis(role));
        }
        Ok(())
    }

    /// [`App::exiger`], for a sensitive act: the staff member must also have typed his password within
    /// [`FRAICHEUR_ACTE_SENSIBLE`], at login or through [`App::reauthentifier_personnel`], so that a
    /// session left open or a stolen token does not grant, suspend or remove. A refusal is traced.
    pub async fn exiger_acte_sensible(
        &self,
        staff: &Staff,
        role: Role,
        source: &str,
    ) -> Result<(), AppError> {
        self.exiger(staff, role, source).await?;
        if let Err(e) = self.exiger_fraicheur(staff) {
            self.tracer_gestion(staff, Resultat::ReauthentificationRequise, source)
                .await?;
            return Err(e);
        }
        Ok(())
    }

    /// AU-4: the password typed within [`FRAICHEUR_ACTE_SENSIBLE`], for a use case that learns only midway
    /// that its act is sensitive (an avenant changing the gestion mode). Traces nothing: the caller does.
    pub(crate) fn exiger_fraicheur(&self, staff: &Staff) -> Result<(), AppError> {
        if self.clock.now() - staff.authentifie_le > FRAICHEUR_ACTE_SENSIBLE {
            return Err(AppError::ReauthentificationRequise {
                minutes: FRAICHEUR_ACTE_SENSIBLE.num_minutes(),
            });
        }
        Ok(())
    }

    /// The staff member types his password again in his session, before a sensitive act. Under the same
    /// lock-out as the login (a stolen token cannot try passwords faster); the failure that locks the
    /// account also ends this session.
    pub async fn reauthentifier_personnel(
        &self,
        staff: &Staff,
        mot_de_passe: SecretString,
        source: &str,
    ) -> Result<(), AppError> {
        let p = &staff.personnel;
        let mut trace = self.trace_staff(
            staff,
            Action::ReauthentificationPersonnel,
            Resultat::Succes,
            source,
        );
        let tentative = self
            .tentative(
                Espace::Personnel,
                p.caisse.as_str(),
                p.identifiant.as_str(),
                source,
                &trace,
            )
            .await?;
        let login = self.store.personnel_login(&p.caisse, &p.identifiant).await?;
        let password_ok =
            verify_password(login.as_ref().map(|l| l.password_hash.clone()), mot_de_passe).await;
        let (resultat, issue) = verdict(
            &tentative,
            login.as_ref().map(|l| l.personnel.active),
            password_ok,
        );
        let vient_de_verrouiller = self.apres_tentative(&tentative, issue).await?;
        trace.resultat = if vient_de_verrouiller {
            Resultat::Verrouillage
        } else {
            resultat
        };
        self.journal.record(trace, None).await?;
        if resultat != Resultat::Succes {
            if vient_de_verrouiller {
                self.store.end_personnel_session(&staff.token_hash).await?;
            }
            return Err(AppError::ReauthentificationRefusee);
        }
        self.store
            .reauthenticate_personnel_session(&staff.token_hash, self.clock.now())
            .await?;
        self.touch_personnel(staff).await
    }

    /// AU-1 on the staff's own entrance: the same single answer for every failure, after the same work.
    pub async fn login_personnel(
        &self,
        caisse: &str,
        identifiant: &str,
        mot_de_passe: SecretString,
        code_totp: Option<&str>,
        source: &str,
    ) -> Result<LoginOutcome, AppError> {
        // The same lock-out as the partners' entrance (AU-1), counted under the staff space so that a
        // partner agent and a staff member with the same identifier never share a counter.
        let mut trace = self.trace_personnel(
            caisse,
            identifiant,
            Action::ConnexionPersonnel,
            Resultat::Succes,
            source,
        );
        let tentative = self
            .tentative(Espace::Personnel, caisse, identifiant, source, &trace)
            .await?;
        let login = match (CaisseCode::parse(caisse), Identifiant::parse(identifiant)) {
            (Ok(c), Ok(i)) => self.store.personnel_login(&c, &i).await?,
            _ => None,
        };
        // Run even for a locked account or an unknown identifier: every refusal costs the same time.
        let password_ok =
            verify_password(login.as_ref().map(|l| l.password_hash.clone()), mot_de_passe).await;
        let (mut resultat, mut issue) = verdict(
            &tentative,
            login.as_ref().map(|l| l.personnel.active),
            password_ok,
        );
        // The second factor, once the password is known right: a missing or wrong code is a failed
        // attempt like a wrong password, counted and answered the same.
        if let (Resultat::Succes, Some(l)) = (resultat, &login) {
            if !self
                .code_totp_accepte(
                    partage_store::double_facteur::Titulaire::Personnel(l.personnel.id),
                    code_totp,
                )
                .await?
            {
                (resultat, issue) = (Resultat::EchecCodeTotp, crate::verrouillage::Issue::Echec);
            }
        }
        let vient_de_verrouiller = self.apres_tentative(&tentative, issue).await?;
        trace.resultat = if vient_de_verrouiller {
            Resultat::Verrouillage
        } else {
            resultat
        };
        let Some(login) = login.filter(|_| resultat == Resultat::Succes) else {
            self.journal.record(trace, None).await?;
            return Err(AppError::NonAuthentifie);
        };
        let (jeton, hash) = new_session_token();
        self.store
            .create_personnel_session(&hash, login.personnel.id, self.clock.now())
            .await?;
        self.journal.record(trace, None).await?;
        Ok(LoginOutcome {
            jeton,
            changement_mot_de_passe_requis: login.personnel.must_change_password,
            expiration_inactivite_s: self.settings.sessions.inactivite.num_seconds(),
        })
    }

    /// The staff session behind a token, if still alive (AU-4). A partner agent's token is unknown here.
    pub async fn authenticate_personnel(&self, token: &str, source: &str) -> Result<Staff, AppError> {
        let hash = token_hash(token);
        let session = self
            .store
            .personnel_session(&hash)
            .await?
            .ok_or(AppError::NonAuthentifie)?;
        let etat = self
            .settings
            .sessions
            .etat(session.created_at, session.last_seen_at, self.clock.now());
        let double_facteur = self
            .etat_double_facteur(session.personnel.id, session.personnel.caisse_id)
            .await?;
        let staff = Staff {
            personnel: session.personnel,
            token_hash: hash,
            authentifie_le: session.authentifie_le,
            double_facteur,
        };
        if etat != EtatSession::Active || !staff.personnel.active {
            self.store.end_personnel_session(&staff.token_hash).await?;
            if !staff.personnel.active {
                return Err(AppError::NonAuthentifie);
            }
            let trace = self.trace_staff(
                &staff,
                Action::ExpirationSessionPersonnel,
                Resultat::Succes,
                source,
            );
            self.journal.record(trace, None).await?;
            return Err(AppError::SessionExpiree);
        }
        Ok(staff)
    }

    /// Marks the staff session active now, for reads that leave no trace of their own.
    pub async fn touch_personnel(&self, staff: &Staff) -> Result<(), AppError> {
        Ok(self
            .store
            .touch_personnel_session(&staff.token_hash, self.clock.now())
            .await?)
    }

    /// AU-2 for staff: the same rules as the partners' agents.
    pub async fn change_password_personnel(
        &self,
        staff: &Staff,
        actuel: SecretString,
        nouveau: SecretString,
        source: &str,
    ) -> Result<(), AppError> {
        let p = &staff.personnel;
        let login = self
            .store
            .personnel_login(&p.caisse, &p.identifiant)
            .await?
            .ok_or(AppError::NonAuthentifie)?;
        let action = Action::ChangementMotDePassePersonnel;
        let contexte = [
            p.identifiant.as_str(),
            p.nom.as_str(),
            p.prenom.as_str(),
            p.email.as_str(),
            p.caisse.as_str(),
        ];
        if let Some(reason) =
            motif_de_refus_personnel(login.password_hash, &actuel, &nouveau, &contexte).await
        {
            let trace = self.trace_staff(staff, action, Resultat::MotDePasseRefuse, source);
            self.journal.record(trace, None).await?;
            self.touch_personnel(staff).await?;
            return Err(AppError::MotDePasseRefuse(reason));
        }
        let hash = hash_password(nouveau)
            .await
            .map_err(|e| AppError::Interne(e.to_string()))?;
        self.store
            .change_personnel_password(p.id, &hash, &staff.token_hash)
            .await?;
        self.journal
            .record(self.trace_staff(staff, action, Resultat::Succes, source), None)
            .await?;
        self.touch_personnel(staff).await
    }

    pub async fn logout_personnel(&self, staff: &Staff, source: &str) -> Result<(), AppError> {
        self.store.end_personnel_session(&staff.token_hash).await?;
        let trace = self.trace_staff(staff, Action::DeconnexionPersonnel, Resultat::Succes, source);
        self.journal.record(trace, None).await?;
        Ok(())
    }

    /// An admin creates a staff account of his own caisse. Returns the temporary password, to hand over
    /// once; it must be changed at first login.
    pub async fn creer_personnel(
        &self,
        admin: &Staff,
        nouveau: &NouveauPersonnel,
        source: &str,
    ) -> Result<SecretString, AppError> {
        self.exiger_acte_sensible(admin, Role::Admin, source).await?;
        let outcome = self
            .enregistrer_personnel(admin.personnel.caisse.as_str(), nouveau)
            .await;
        let resultat = if outcome.is_ok() {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        self.tracer_gestion(admin, resultat, source).await?;
        outcome
    }

    /// The first admin of a caisse, from the command line (whoever runs it holds the database already).
    pub async fn creer_personnel_en_ligne_de_commande(
        &self,
        caisse: &str,
        nouveau: &NouveauPersonnel,
    ) -> Result<SecretString, AppError> {
        let outcome = self.enregistrer_personnel(caisse, nouveau).await;
        let resultat = if outcome.is_ok() {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        let trace = self.trace_personnel(caisse, &nouveau.identifiant, Action::Gestion, resultat, "cli");
        self.journal.record(trace, None).await?;
        outcome
    }

    async fn enregistrer_personnel(
        &self,
        caisse: &str,
        nouveau: &NouveauPersonnel,
    ) -> Result<SecretString, AppError> {
        let code = CaisseCode::parse(caisse).map_err(|e| AppError::RequeteInvalide(e.to_string()))?;
        let provisoire = mot_de_passe_provisoire();
        let hash = hash_password(provisoire.clone())
            .await
            .map_err(|e| AppError::Interne(e.to_string()))?;
        let record = nouveau.verifier(code, hash)?;
        match self.store.create_personnel(&record).await? {
            Ok(_) => Ok(provisoire),
            Err(PersonnelRefuse::CaisseInconnue) => Err(AppError::Introuvable(format!(
                "la caisse « {} » n'existe pas",
                record.caisse
            ))),
            Err(PersonnelRefuse::IdentifiantPris) => Err(AppError::DejaExistant(format!(
                "l'identifiant « {} » est déjà celui d'un membre du personnel de la caisse",
                record.identifiant
            ))),
        }
    }

    /// The staff of the admin's caisse.
    pub async fn personnels(&self, admin: &Staff, source: &str) -> Result<Vec<Personnel>, AppError> {
        self.exiger(admin, Role::Admin, source).await?;
        self.touch_personnel(admin).await?;
        Ok(self.store.personnels(admin.personnel.caisse_id).await?)
    }
}
