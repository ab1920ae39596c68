//! Lock-out around every password check (AU-1, OWASP ASVS 5 §6.3). Any login entrance (partners' agents,
//! caisse staff) wraps its password check in [`App::tentative`] and [`App::apres_tentative`], so both count
//! failures the same way, in the store, keyed by what was typed.

use crate::{App, AppError};
use partage_domain::trace::{Action, Resultat, Trace};
use partage_domain::verrouillage::{secondes_arrondies, CleConnexion, Decision, Echecs, Espace};

/// One login attempt, between the lock-out check and the outcome.
#[derive(Debug)]
pub struct Tentative {
    compte: CleConnexion,
    source: CleConnexion,
    echecs: Option<Echecs>,
    /// The account (as typed) is locked: even the right password opens nothing.
    pub verrouille: bool,
}

/// What a password check came to, for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    Succes,
    /// Unknown identifier or wrong password: counted for the account and the source.
    Echec,
    /// Right password but the login is refused for another reason (a disabled account): not a guess, so
    /// not counted for the account.
    Refus,
}

/// What one login attempt ends as, whichever entrance it came through: the trace's result and how the
/// lock-out counts it. `compte` is `None` for an unknown identifier, else whether the account is active.
pub(crate) fn verdict(tentative: &Tentative, compte: Option<bool>, password_ok: bool) -> (Resultat, Issue) {
    match compte {
        _ if tentative.verrouille => (Resultat::EchecCompteVerrouille, Issue::Echec),
        None => (Resultat::EchecIdentifiantInconnu, Issue::Echec),
        Some(_) if !password_ok => (Resultat::EchecMotDePasse, Issue::Echec),
        Some(false) => (Resultat::EchecCompteInactif, Issue::Refus),
        Some(true) => (Resultat::Succes, Issue::Succes),
    }
}

impl App {
    /// Before any password is checked: refuses, with a trace, an attempt too soon after the account's or
    /// the source's last failures. The refusal is the same for an identifier that exists and one that does
    /// not, since both are counted alike.
    pub async fn tentative(
        &self,
        espace: Espace,
        caisse: &str,
        identifiant: &str,
        source: &str,
        trace: &Trace,
    ) -> Result<Tentative, AppError> {
        let politique = &self.settings.verrouillage;
        let now = self.clock.now();
        let cle_source = CleConnexion::source(source);
        let cle_compte = CleConnexion::compte(espace, caisse, identifiant);
        let attente = match politique.source(self.store.login_failures(&cle_source).await?.as_ref(), now) {
            Decision::Attendre(d) => Some(d),
            _ => None,
        };
        let echecs = self.store.login_failures(&cle_compte).await?;
        let decision = politique.compte(echecs.as_ref(), now);
        let attente = match (attente, decision) {
            (Some(a), Decision::Attendre(b)) => Some(a.max(b)),
            (Some(a), _) => Some(a),
            (None, Decision::Attendre(b)) => Some(b),
            (None, _) => None,
        };
        if let Some(d) = attente {
            let mut trace = trace.clone();
            trace.resultat = Resultat::TropDeTentatives;
            self.journal.record(trace, None).await?;
            return Err(AppError::TropDeRequetes {
                secondes: secondes_arrondies(d),
            });
        }
        Ok(Tentative {
            compte: cle_compte,
            source: cle_source,
            verrouille: decision == Decision::Verrouille,
            echecs,
        })
    }

    /// After the password check: counts a failure (locking the account at the threshold) or forgets the
    /// failures of a success. Returns true when this failure locked the account.
    pub async fn apres_tentative(&self, tentative: &Tentative, issue: Issue) -> Result<bool, AppError> {
        let politique = &self.settings.verrouillage;
        let now = self.clock.now();
        match issue {
            Issue::Succes => {
                if tentative.echecs.is_some() {
                    self.store.clear_login_failures(&tentative.compte).await?;
                }
                Ok(false)
            }
            Issue::Refus => Ok(false),
            Issue::Echec => {
                // Counted for a locked account too (the lock stays): the same writes as a wrong password, so
                // the same time.
                self.store
                    .record_login_failure(&tentative.source, now, politique.fenetre, None)
                    .await?;
                let e = self
                    .store
                    .record_login_failure(
                        &tentative.compte,
                        now,
                        politique.fenetre,
                        Some(politique.seuil_compte),
                    )
                    .await?;
                Ok(e.verrouille_le == Some(now))
            }
        }
    }

    /// A caisse agent lifts the lock of an account (and forgets its failures). Returns what was counted,
    /// `None` when nothing was. Traced.
    pub async fn deverrouiller(
        &self,
        espace: Espace,
        caisse: &str,
        identifiant: &str,
        par: &str,
    ) -> Result<Option<Echecs>, AppError> {
        let cle = CleConnexion::compte(espace, caisse, identifiant);
        let echecs = self.store.clear_login_failures(&cle).await?;
        let trace = self.trace_typed(caisse, identifiant, par, Action::Deverrouillage);
        self.journal.record(trace, None).await?;
        Ok(echecs)
    }
}
