//! Authentication and sessions (SPEC AU-1, AU-2, AU-4).

use crate::secrets::{hash_password, new_session_token, token_hash, verify_password};
use crate::verrouillage::verdict;
use crate::{App, AppError};
use partage_domain::password::{self, est_courant, MotDePasseRefuse, TypeCompte};
use partage_domain::session::EtatSession;
use partage_domain::trace::{Action, Resultat, Trace};
use partage_domain::verrouillage::Espace;
use partage_domain::{CaisseCode, Identifiant};
use partage_store::double_facteur::Titulaire;
use partage_store::{NewSession, SessionRecord, TokenHash, UserId};
use secrecy::{ExposeSecret, SecretString};

/// What a successful login hands back. The token is shown to the client once and never stored.
#[derive(Debug)]
pub struct LoginOutcome {
    pub jeton: SecretString,
    pub changement_mot_de_passe_requis: bool,
    pub expiration_inactivite_s: i64,
}

/// An authenticated user, for the length of one request.
#[derive(Debug, Clone)]
pub struct Agent {
    pub session: SessionRecord,
    pub token_hash: TokenHash,
}

/// Why a caisse staff member's password change is refused, if it is: the current password must be right and
/// the new one follow the staff's rules (AU-1: at least 15 characters, strong against his own words).
pub(crate) async fn motif_de_refus_personnel(
    stored_hash: String,
    actuel: &SecretString,
    nouveau: &SecretString,
    contexte: &[&str],
) -> Option<String> {
    if !verify_password(Some(stored_hash), actuel.clone()).await {
        Some("le mot de passe actuel est incorrect".to_owned())
    } else {
        password::verifier(
            TypeCompte::PersonnelCaisse,
            actuel.expose_secret(),
            nouveau.expose_secret(),
            contexte,
        )
        .err()
        .map(|e| e.to_string())
    }
}

/// Text typed by an unauthenticated client is kept in traces only bounded, so a trace cannot be bloated.
pub(crate) fn bounded(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

impl App {
    /// AU-1: caisse + identifier + password. Every failure answers the same error after the same work (one
    /// argon2 verification), so nobody learns whether an identifier exists. The trace says which it was.
    pub async fn login(
        &self,
        caisse: &str,
        identifiant: &str,
        mot_de_passe: SecretString,
        code_totp: Option<&str>,
        source: &str,
    ) -> Result<LoginOutcome, AppError> {
        let mut trace = self.trace_typed(caisse, identifiant, source, Action::Connexion);
        let tentative = self
            .tentative(Espace::Partenaire, caisse, identifiant, source, &trace)
            .await?;
        let login = match (CaisseCode::parse(caisse), Identifiant::parse(identifiant)) {
            (Ok(c), Ok(i)) => self.store.find_login(&c, &i).await?,
            _ => None,
        };
        // A password that became listed as common after it was chosen must now be changed (AU-1).
        let listed = est_courant(mot_de_passe.expose_secret());
        // Run even for a locked account or an unknown identifier: every refusal costs the same time.
        let password_ok =
            verify_password(login.as_ref().map(|l| l.password_hash.clone()), mot_de_passe).await;
        trace.partenaire = login.as_ref().map(|l| l.partenaire.to_string());
        let (mut resultat, mut issue) = verdict(&tentative, login.as_ref().map(|l| l.active), password_ok);
        // The second factor, once the password is known right: a missing or wrong code is a failed attempt
        // like a wrong password, counted and answered the same.
        if let (Resultat::Succes, Some(l)) = (resultat, &login) {
            if !self
                .code_totp_accepte(Titulaire::Utilisateur(l.user), code_totp)
                .await?
            {
                (resultat, issue) = (Resultat::EchecCodeTotp, crate::verrouillage::Issue::Echec);
            }
        }
        // SU-2: asked only after the right password, so a wrong one still gets the uniform answer; not a
        // guess, so not counted as a failure.
        let suspension = match &login {
            Some(l) if resultat == Resultat::Succes => self.suspension_en_cours(l.user).await?,
            _ => None,
        };
        if suspension.is_some() {
            (resultat, issue) = (Resultat::CompteSuspendu, crate::verrouillage::Issue::Refus);
        }
        let vient_de_verrouiller = self.apres_tentative(&tentative, issue).await?;
        trace.resultat = if vient_de_verrouiller {
            Resultat::Verrouillage
        } else {
            resultat
        };
        if let Some(s) = suspension {
            self.journal.record(trace, None).await?;
            return Err(AppError::CompteSuspendu(crate::supervision::fin_de_suspension(
                &s,
            )));
        }
        let login = match login {
            Some(l) if resultat == Resultat::Succes => l,
            _ => {
                self.journal.record(trace, None).await?;
                return Err(AppError::NonAuthentifie);
            }
        };
        let must_change = login.must_change_password || listed;
        if listed && !login.must_change_password {
            self.store.require_password_change(login.user).await?;
        }
        let now = self.clock.now();
        let (jeton, hash) = new_session_token();
        self.store
            .create_session(&NewSession {
                token_hash: hash.clone(),
                user: login.user,
                created_at: now,
            })
            .await?;
        // SU-2: a suspension recorded while this login was under way either ended the new session with the
        // others, or is seen here; either way no session of a suspended user outlives this call.
        if let Some(s) = self.suspension_en_cours(login.user).await? {
            self.store.end_session(&hash).await?;
            trace.resultat = Resultat::CompteSuspendu;
            self.journal.record(trace, None).await?;
            return Err(AppError::CompteSuspendu(crate::supervision::fin_de_suspension(
                &s,
            )));
        }
        self.journal.record(trace, None).await?;
        Ok(LoginOutcome {
            jeton,
            changement_mot_de_passe_requis: must_change,
            expiration_inactivite_s: self.settings.sessions.inactivite.num_seconds(),
        })
    }

    /// Finds the session behind a token and checks it is still alive (AU-4). Does not mark it active: the
    /// use case does, with its trace, once it has done its work.
    pub async fn authenticate(&self, token: &str, source: &str) -> Result<Agent, AppError> {
        let hash = token_hash(token);
        let session = self.store.session(&hash).await?.ok_or(AppError::NonAuthentifie)?;
        self.verifier_session(hash, session, source).await
    }

    /// The checks of [`App::authenticate`] on a session already read with its token's hash.
    pub(crate) async fn verifier_session(
        &self,
        hash: TokenHash,
        session: SessionRecord,
        source: &str,
    ) -> Result<Agent, AppError> {
        let now = self.clock.now();
        let etat = self
            .settings
            .sessions
            .etat(session.created_at, session.last_seen_at, now);
        if etat != EtatSession::Active || !session.active {
            self.store.end_session(&hash).await?;
            if !session.active {
                return Err(AppError::NonAuthentifie);
            }
            let trace = self.trace_for(&session, Action::ExpirationSession, Resultat::Succes, source);
            self.journal.record(trace, None).await?;
            return Err(AppError::SessionExpiree);
        }
        Ok(Agent {
            session,
            token_hash: hash,
        })
    }

    /// Marks the session active now, durably: for requests that leave no trace of their own.
    pub async fn touch(&self, agent: &Agent) -> Result<(), AppError> {
        Ok(self
            .journal
            .touch(agent.token_hash.clone(), self.clock.now())
            .await?)
    }

    /// AU-2: replaces the password (the temporary one at first login). Other sessions of the user end.
    pub async fn change_password(
        &self,
        agent: &Agent,
        actuel: SecretString,
        nouveau: SecretString,
        source: &str,
    ) -> Result<(), AppError> {
        let s = &agent.session;
        let login = self
            .store
            .find_login(&s.caisse, &s.identifiant)
            .await?
            .ok_or(AppError::NonAuthentifie)?;
        let refused = if !verify_password(Some(login.password_hash), actuel.clone()).await {
            Some("le mot de passe actuel est incorrect".to_owned())
        } else {
            self.password_policy(s.user, &actuel, &nouveau)
                .await?
                .err()
                .map(|e| e.to_string())
        };
        if let Some(reason) = refused {
            let trace = self.trace_for(
                s,
                Action::ChangementMotDePasse,
                Resultat::MotDePasseRefuse,
                source,
            );
            self.journal
                .record(trace, Some((agent.token_hash.clone(), self.clock.now())))
                .await?;
            return Err(AppError::MotDePasseRefuse(reason));
        }
        let hash = hash_password(nouveau)
            .await
            .map_err(|e| AppError::Interne(e.to_string()))?;
        self.store
            .change_password(s.user, &hash, &agent.token_hash)
            .await?;
        let trace = self.trace_for(s, Action::ChangementMotDePasse, Resultat::Succes, source);
        self.journal
            .record(trace, Some((agent.token_hash.clone(), self.clock.now())))
            .await?;
        Ok(())
    }

    /// AU-1: the policy for a new password, with the user's own words as context, then no reuse of his
    /// last passwords (one argon2 check per kept hash, only once everything cheaper has passed).
    pub(crate) async fn password_policy(
        &self,
        user: UserId,
        actuel: &SecretString,
        nouveau: &SecretString,
    ) -> Result<Result<(), MotDePasseRefuse>, AppError> {
        let contexte = self.store.password_context(user).await?;
        let contexte: Vec<&str> = contexte.iter().map(String::as_str).collect();
        if let Err(e) = password::verifier(
            TypeCompte::AgentPartenaire,
            actuel.expose_secret(),
            nouveau.expose_secret(),
            &contexte,
        ) {
            return Ok(Err(e));
        }
        let limit = u32::try_from(password::HISTORIQUE).unwrap_or(u32::MAX);
        for old in self.store.previous_password_hashes(user, limit).await? {
            if verify_password(Some(old), nouveau.clone()).await {
                return Ok(Err(MotDePasseRefuse::DejaUtilise {
                    n: password::HISTORIQUE,
                }));
            }
        }
        Ok(Ok(()))
    }

    pub async fn logout(&self, agent: &Agent, source: &str) -> Result<(), AppError> {
        self.store.end_session(&agent.token_hash).await?;
        let trace = self.trace_for(&agent.session, Action::Deconnexion, Resultat::Succes, source);
        self.journal.record(trace, None).await?;
        Ok(())
    }

    /// A trace of what was typed at a login form (bounded), before anyone is known to be behind it.
    pub(crate) fn trace_typed(&self, caisse: &str, identifiant: &str, source: &str, action: Action) -> Trace {
        Trace {
            horodatage: self.clock.now(),
            caisse: Some(bounded(caisse, 32)),
            utilisateur: Some(bounded(identifiant, 64)),
            partenaire: None,
            source: bounded(source, 64),
            action,
            bouquet: None,
            rubriques: None,
            matricule: None,
            nir_hache: None,
            resultat: Resultat::Succes,
        }
    }

    pub(crate) fn trace_for(
        &self,
        s: &SessionRecord,
        action: Action,
        resultat: Resultat,
        source: &str,
    ) -> Trace {
        // A parsed caisse code and identifier are within the bounds: kept whole.
        let mut trace = self.trace_typed(s.caisse.as_str(), s.identifiant.as_str(), source, action);
        trace.partenaire = Some(s.partenaire.to_string());
        trace.resultat = resultat;
        trace
    }
}
