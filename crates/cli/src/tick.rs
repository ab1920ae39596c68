//! `partage tick`: applies every date-driven transition of the conventions due today (tacit renewals,
//! ends taking effect) and deactivates the agents without a login for nine full months (HB-8), for
//! deployments that prefer cron to the scheduler inside `partage serve`. Running it beside servers, or twice,
//! applies each once.

use partage_app::Settings;
use std::process::ExitCode;

pub async fn run(database_url: &str) -> anyhow::Result<ExitCode> {
    let app = crate::config::open_app(database_url, Settings::default()).await?;
    let moved = app.tick().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("partage : {moved} convention(s) mise(s) à jour");
    let dormants = app
        .desactiver_dormants()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("partage : {dormants} agent(s) désactivé(s) après neuf mois sans connexion (HB-8)");
    Ok(ExitCode::SUCCESS)
}

/// How often the scheduler inside `partage serve` looks for due transitions. A day boundary is crossed at
/// most this late; access itself needs no tick, it follows the recorded end dates at each request.
const PERIODE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The scheduler inside `partage serve`: a tick at start-up (catch-up after downtime), then every
/// [`PERIODE`]. Several servers on one PostgreSQL may all run it: each transition is recorded once.
pub fn spawn_scheduler(app: partage_app::App) {
    tokio::spawn(async move {
        loop {
            match app.tick().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(conventions = n, "échéances des conventions appliquées"),
                Err(e) => tracing::error!(cause = %e, "échéancier des conventions"),
            }
            match app.desactiver_dormants().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(agents = n, "agents sans connexion depuis neuf mois désactivés"),
                Err(e) => tracing::error!(cause = %e, "désactivation des agents inactifs"),
            }
            tokio::time::sleep(PERIODE).await;
        }
    });
}
