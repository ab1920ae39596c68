//! The gate every consultation passes first: the user's rate (security, part 3), then his temporary
//! password (AU-2). A refusal at the gate is traced like any other consultation attempt, so going too fast
//! never skips a trace.
//!
//! The rate is kept in this process's memory, per user. With several servers behind a load balancer each
//! enforces it on its own share of the requests; the lock-out after failed logins, which must be shared, is
//! kept in the store instead.

use crate::auth::Agent;
use crate::{App, AppError};
use chrono::{DateTime, Utc};
use partage_domain::debit::{Politique, Seau, Verdict};
use partage_domain::trace::Resultat;
use partage_domain::Bouquet;
use partage_store::UserId;
use std::collections::HashMap;
use std::sync::Mutex;

/// Past this many users remembered, states that are back to a full burst are forgotten.
const OUBLI_AU_DELA: usize = 4096;

#[derive(Debug)]
pub(crate) struct Limiteur {
    politique: Politique,
    seaux: Mutex<HashMap<UserId, Seau>>,
}

impl Limiteur {
    pub(crate) fn new(politique: Politique) -> Limiteur {
        Limiteur {
            politique,
            seaux: Mutex::new(HashMap::new()),
        }
    }

    fn prendre(&self, user: UserId, maintenant: DateTime<Utc>) -> Verdict {
        // A poisoned lock only means another request panicked mid-update of a plain map: the map is still
        // whole, and refusing every consultation from then on would be worse.
        let mut seaux = self.seaux.lock().unwrap_or_else(|e| e.into_inner());
        let (seau, verdict) = self.politique.prendre(seaux.get(&user).copied(), maintenant);
        seaux.insert(user, seau);
        if seaux.len() > OUBLI_AU_DELA {
            seaux.retain(|_, s| s.oubliable_apres() > maintenant);
        }
        verdict
    }

    fn apercu(&self, user: UserId, maintenant: DateTime<Utc>) -> Verdict {
        let seaux = self.seaux.lock().unwrap_or_else(|e| e.into_inner());
        self.politique.apercu(seaux.get(&user).copied(), maintenant)
    }
}

/// Proof that a consultation passed the gate: the lookup that follows cannot be reached without one.
#[derive(Debug)]
pub(crate) struct Admise(());

/// What the `RateLimit-*` headers of a served consultation say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limite: u32,
    pub restantes: u32,
    pub pleine_dans_s: u64,
}

impl App {
    /// The gate: opening hours (CO-7), then rate (even a user who has not changed his temporary password
    /// cannot hammer), then the password change.
    pub(crate) async fn admettre_consultation(
        &self,
        agent: &Agent,
        bouquet: Bouquet,
        source: &str,
    ) -> Result<Admise, AppError> {
        let maintenant = self.clock.now();
        let fermeture = self
            .plage_applicable(agent.session.caisse_id, bouquet)
            .await?
            .and_then(|plage| plage.verifier(maintenant).err());
        if let Some(f) = fermeture {
            self.trace_consultation(agent, bouquet, Resultat::HorsPlage, None, None, source)
                .await?;
            let local = f.rouvre_le + partage_domain::plage::decalage_france(f.rouvre_le);
            return Err(AppError::ServiceFerme {
                service: bouquet.libelle(),
                plage: f.plage.to_string(),
                rouvre: partage_domain::plage::heure_lisible(local.time()),
                secondes: u64::try_from((f.rouvre_le - maintenant).num_seconds().max(1)).unwrap_or(1),
            });
        }
        if let Verdict::Refuse { reessayer_dans_s, .. } =
            self.limiteur.prendre(agent.session.user, self.clock.now())
        {
            self.trace_consultation(agent, bouquet, Resultat::TropDeRequetes, None, None, source)
                .await?;
            return Err(AppError::TropDeRequetes {
                secondes: reessayer_dans_s,
            });
        }
        self.refuse_before_password_change(agent, bouquet, source).await?;
        Ok(Admise(()))
    }

    /// The user's consultations left right now, for the headers of an answer; takes none.
    pub fn quota_consultations(&self, agent: &Agent) -> Quota {
        match self.limiteur.apercu(agent.session.user, self.clock.now()) {
            Verdict::Servi {
                limite,
                restantes,
                pleine_dans_s,
            } => Quota {
                limite,
                restantes,
                pleine_dans_s,
            },
            Verdict::Refuse {
                limite,
                reessayer_dans_s,
            } => Quota {
                limite,
                restantes: 0,
                pleine_dans_s: reessayer_dans_s,
            },
        }
    }
}
