//! HB-8 (002:4): an agent with no login for nine full months is deactivated — his habilitations stay on
//! record, his sessions end, his login is refused like any disabled account — each time traced, so the
//! caisse sees who and why. Run by `partage tick` and the scheduler inside `partage serve`; running it
//! twice deactivates each agent once.

use crate::{App, AppError};
use chrono::Months;
use partage_domain::demande::{inactif, MOIS_SANS_CONNEXION};
use partage_domain::trace::{Action, Resultat, Trace};

impl App {
    /// Deactivates every agent without a login for nine full months. Returns how many.
    pub async fn desactiver_dormants(&self) -> Result<usize, AppError> {
        let maintenant = self.clock.now();
        let Some(limite) = maintenant.checked_sub_months(Months::new(MOIS_SANS_CONNEXION)) else {
            return Ok(0);
        };
        let mut n = 0;
        for d in self.store.dormants(limite).await? {
            // The store's list is a first cut; the calendar rule of the domain decides.
            if !inactif(d.derniere_connexion, d.cree_le, maintenant) {
                continue;
            }
            if !self.store.deactivate_user(d.user).await? {
                continue;
            }
            let trace = Trace {
                horodatage: maintenant,
                caisse: Some(d.caisse),
                utilisateur: Some(d.identifiant),
                partenaire: Some(d.partenaire),
                source: "partage".to_owned(),
                action: Action::DesactivationInactivite,
                bouquet: None,
                rubriques: None,
                matricule: None,
                nir_hache: None,
                resultat: Resultat::Succes,
            };
            self.journal.record(trace, None).await?;
            n += 1;
        }
        Ok(n)
    }
}
