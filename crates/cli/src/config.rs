//! Where the data lives, read once from the command line and the environment.

use anyhow::{bail, Context};
use partage_app::{App, Settings, SystemClock};
use partage_domain::retention::Retention;
use partage_store::Store;
use std::sync::Arc;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://partage.sqlite";

/// Opens the store named by the URL and brings its schema up to date.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = partage_store_sqlite::SqliteStore::connect(url)
            .await
            .with_context(|| format!("ouverture de la base SQLite {url}"))?;
        store.migrate().await.context("migration de la base SQLite")?;
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = partage_store_postgres::PostgresStore::connect(url)
            .await
            .context("connexion à PostgreSQL")?;
        store.migrate().await.context("migration de la base PostgreSQL")?;
        Ok(Arc::new(store))
    } else {
        bail!(
            "PARTAGE_DATABASE_URL doit commencer par sqlite:// ou postgres:// (reçu : {})",
            redact(url)
        )
    }
}

/// The application on the real clock.
pub async fn open_app(url: &str, settings: Settings) -> anyhow::Result<App> {
    let store = open_store(url).await?;
    App::new(store, Arc::new(SystemClock), settings)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// A database URL with its password masked, for messages.
pub fn redact(url: &str) -> String {
    partage_store_postgres::url_without_password(url)
}

/// Where the mail to users goes (HB-3, HB-6): SMTP when a server is given, else one `.eml` file per message
/// in an outbox folder, which a person or a test reads.
#[derive(Debug, Clone, clap::Args)]
pub struct CourrielArgs {
    /// Serveur SMTP, par exemple `smtps://utilisateur:motdepasse@smtp.exemple.fr:465` ou
    /// `smtp://smtp.exemple.fr:587?tls=required` ; sans lui, les courriels sont écrits dans la boîte d'envoi.
    #[arg(long, env = "PARTAGE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Dossier de la boîte d'envoi (un fichier .eml par courriel), quand aucun serveur SMTP n'est donné ;
    /// par défaut `<dossier de données>/outbox`.
    #[arg(long, env = "PARTAGE_OUTBOX_DIR")]
    pub outbox_dir: Option<std::path::PathBuf>,
    /// Expéditeur des courriels.
    #[arg(
        long,
        env = "PARTAGE_COURRIEL_EXPEDITEUR",
        default_value = "partage <ne-pas-repondre@partage.invalid>"
    )]
    pub courriel_expediteur: String,
    /// Adresse de partage telle que les utilisateurs l'atteignent, pour les liens d'activation ; par défaut
    /// l'adresse servie.
    #[arg(long, env = "PARTAGE_URL_PUBLIQUE")]
    pub url_publique: Option<String>,
}

impl CourrielArgs {
    pub fn courriel(&self, url_servie: String) -> partage_app::Courriel {
        partage_app::Courriel {
            expediteur: self.courriel_expediteur.clone(),
            url_publique: self
                .url_publique
                .clone()
                .unwrap_or(url_servie)
                .trim_end_matches('/')
                .to_owned(),
        }
    }

    pub fn messagerie(
        &self,
        data_dir: &std::path::Path,
    ) -> anyhow::Result<Arc<dyn partage_app::messagerie::Messagerie>> {
        use partage_app::messagerie::{BoiteDEnvoi, Smtp};
        match &self.smtp_url {
            Some(url) if !url.trim().is_empty() => {
                let smtp = Smtp::depuis_url(url.trim()).map_err(|e| anyhow::anyhow!("{e}"))?;
                tracing::info!("courriels envoyés par SMTP");
                Ok(Arc::new(smtp))
            }
            _ => {
                let dossier = self.outbox_dir.clone().unwrap_or_else(|| data_dir.join("outbox"));
                tracing::info!(dossier = %dossier.display(), "courriels écrits dans la boîte d'envoi");
                Ok(Arc::new(BoiteDEnvoi::new(dossier)))
            }
        }
    }
}

/// How long traces are kept (issue #6, part 9), for `serve`, `tick` and `traces verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct RetentionArgs {
    /// Durée de conservation des traces, en mois (au moins 12) : passé ce délai, la purge quotidienne
    /// efface leur contenu personnel et garde leur empreinte dans le journal vérifiable.
    #[arg(
        long = "retention-traces-mois",
        env = "PARTAGE_RETENTION_TRACES_MOIS",
        default_value = "36",
        value_parser = retention
    )]
    pub retention: Retention,
}

fn retention(texte: &str) -> Result<Retention, String> {
    Retention::parse(texte)
}
