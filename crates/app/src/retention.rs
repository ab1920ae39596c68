//! Retention of traces (issue #6, part 9): traces are kept `Settings::retention` months (36 by default),
//! then the purge blanks their personal content, keeping their place and leaf hash in the verifiable log
//! (`partage_store::retention`). Run once a day by the scheduler inside `partage serve` and by `partage
//! tick`; a run after downtime catches up by itself, and two runs purge each trace once. Each run is traced.
//! A day's traces wait for its statistics to be built (TR-4, `crate::statistiques`): the purge blanks the
//! agent they name, the day's aggregates keep him.

use crate::{App, AppError};
use chrono::SecondsFormat;
use partage_domain::retention::Retention;
use partage_domain::trace::{Action, Resultat, Trace};
use partage_store::retention::{purge_before, PurgeOutcome};

impl App {
    pub fn retention(&self) -> Retention {
        self.settings.retention
    }

    /// Purges the traces older than the retention period that a signed checkpoint covers and whose day's
    /// statistics are built (TR-4), and traces the run: how many were purged, and the instant before which
    /// traces were purged.
    pub async fn purger_traces(&self) -> Result<PurgeOutcome, AppError> {
        let maintenant = self.clock.now();
        let limite = self.settings.retention.limite(maintenant);
        // TR-4: a day's traces are counted into its statistics before the purge blanks their agent. A day
        // not built yet (the scheduler was down, the build failed) keeps its traces whole until it is.
        let avant = match self.debut_des_jours_non_construits().await? {
            Some(debut) => limite.min(debut),
            None => limite,
        };
        let outcome = purge_before(self.store.as_ref(), avant, maintenant).await?;
        let trace = Trace {
            horodatage: maintenant,
            caisse: None,
            utilisateur: None,
            partenaire: None,
            source: "partage".to_owned(),
            action: Action::PurgeTraces,
            bouquet: None,
            rubriques: Some(format!(
                "purgees={};avant={};conservation_mois={}",
                outcome.purgees,
                avant.to_rfc3339_opts(SecondsFormat::Secs, true),
                self.settings.retention.nombre_de_mois()
            )),
            matricule: None,
            nir_hache: None,
            resultat: Resultat::Succes,
        };
        self.journal.record(trace, None).await?;
        Ok(outcome)
    }
}
