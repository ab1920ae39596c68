//! partage's use cases. Each public method of [`App`] is one thing a user does; it reads the time from the
//! injected [`Clock`], the data from the [`Store`], applies the domain's rules and leaves its traces.

pub mod abus;
pub mod activation;
pub mod audit;
pub mod auth;
pub mod avenants;
pub mod baremes;
pub mod bilan;
pub mod clock;
pub mod consult;
pub mod conventions;
pub mod debit;
pub mod dormants;
pub mod double_facteur;
pub mod error;
pub mod habilitations;
pub mod import;
pub mod journal;
pub mod mcp;
pub mod messagerie;
pub mod partenaires;
pub mod personnel;
pub mod plages;
pub mod psu;
pub mod registre;
pub mod releve;
pub mod retention;
pub mod rsacg;
pub mod secrets;
pub mod statistiques;
pub mod supervision;
pub mod trace_log;
pub mod traces;
pub mod verrouillage;

use partage_domain::session::SessionPolicy;
use partage_store::{NirKey, Store};
use std::sync::Arc;

pub use auth::{Agent, LoginOutcome};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AppError;
pub use journal::Journal;

/// Settings a deployment may change.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub sessions: SessionPolicy,
    /// Lock-out after failed logins (AU-1).
    pub verrouillage: partage_domain::verrouillage::Politique,
    /// Consultations per second and burst, per user (security, part 3).
    pub consultations: partage_domain::debit::Politique,
    /// CO-7: bouquets open only within a daily window, unless the caisse set its own (see [`plages`]); a
    /// bouquet listed nowhere is open all day.
    pub plages: Vec<(partage_domain::Bouquet, partage_domain::plage::Plage)>,
    /// Mail to users: sender and the address links point to (HB-3, HB-6).
    pub courriel: Courriel,
    /// How long traces are kept before the purge blanks them (issue #6, part 9).
    pub retention: partage_domain::retention::Retention,
}

/// What the mail to users says of partage itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Courriel {
    /// `From:` of every message (PARTAGE_COURRIEL_EXPEDITEUR).
    pub expediteur: String,
    /// partage's address as users reach it, without a trailing slash (PARTAGE_URL_PUBLIQUE).
    pub url_publique: String,
}

impl Default for Courriel {
    fn default() -> Self {
        Courriel {
            expediteur: "partage <ne-pas-repondre@partage.invalid>".into(),
            url_publique: "https://127.0.0.1:8443".into(),
        }
    }
}

/// The application: cheap to clone, shared by every request.
#[derive(Debug, Clone)]
pub struct App {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    journal: Journal,
    settings: Arc<Settings>,
    nir_key: Arc<NirKey>,
    log_key: Option<trace_log::LogKey>,
    limiteur: Arc<debit::Limiteur>,
    messagerie: Arc<dyn messagerie::Messagerie>,
    plages_en_cache: Arc<plages::PlagesEnCache>,
}

impl App {
    /// Builds the application on a migrated store; starts the journal's writer on the current runtime.
    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Result<App, AppError> {
        let nir_key = Arc::new(store.nir_key().await?);
        let journal = Journal::spawn(store.clone());
        let limiteur = Arc::new(debit::Limiteur::new(settings.consultations));
        Ok(App {
            limiteur,
            store,
            clock,
            journal,
            settings: Arc::new(settings),
            nir_key,
            log_key: None,
            // Until a deployment says where mail goes, it stays in memory: nothing leaves unconfigured.
            messagerie: Arc::new(messagerie::Memoire::new()),
            plages_en_cache: Arc::default(),
        })
    }

    /// The same application, sending its mail through `messagerie` (outbox folder, SMTP, memory).
    pub fn avec_messagerie(mut self, messagerie: Arc<dyn messagerie::Messagerie>) -> App {
        self.messagerie = messagerie;
        self
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }
}
