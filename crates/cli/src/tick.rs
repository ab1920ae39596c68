//! `partage tick`: applies every date-driven transition of the conventions due today (tacit renewals,
//! ends taking effect), closes the sessions ended conventions kept open (CV-8), deactivates the agents
//! without a login for nine full months (HB-8), analyses yesterday's consultations for abuse (SU-1), builds
//! the statistics of the closed days (TR-4) and purges the traces past their retention period (issue #6,
//! part 9), for deployments that prefer cron to the scheduler inside `partage serve`. Running it beside
//! servers, or twice, applies each once.

use partage_app::Settings;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct TickArgs {
    #[command(flatten)]
    pub retention: crate::config::RetentionArgs,
}

pub async fn run(database_url: &str, args: TickArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings {
        retention: args.retention.retention,
        ..Settings::default()
    };
    let app = crate::config::open_app(database_url, settings).await?;
    let moved = app.tick().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("partage : {moved} convention(s) mise(s) à jour");
    let fermees = app
        .fermer_sessions_apres_fin()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("partage : sessions closes pour {fermees} agent(s) dont les conventions ont pris fin");
    let dormants = app
        .desactiver_dormants()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("partage : {dormants} agent(s) désactivé(s) après neuf mois sans connexion (HB-8)");
    let alertes = app
        .analyse_quotidienne()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("partage : {alertes} alerte(s) d'abus levée(s) pour hier");
    // Before the purge: it never blanks the traces of a day whose statistics are not built.
    let jours = app
        .construire_statistiques()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("partage : statistiques de {jours} jour(s) construites (TR-4)");
    let purge = app.purger_traces().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "partage : {} trace(s) purgée(s), antérieures au {} ({} mois de conservation)",
        purge.purgees,
        purge.avant.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        app.retention().nombre_de_mois()
    );
    Ok(ExitCode::SUCCESS)
}

/// How often the scheduler inside `partage serve` looks for due transitions. A day boundary is crossed at
/// most this late; access itself needs no tick, it follows the recorded end dates at each request.
const PERIODE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The scheduler inside `partage serve`: a tick at start-up (catch-up after downtime), then every
/// [`PERIODE`]. Several servers on one PostgreSQL may all run it: each transition is recorded once.
pub fn spawn_scheduler(app: partage_app::App) {
    tokio::spawn(async move {
        // The abuse analysis of yesterday, once a day per server (idempotent: a restart or a second server
        // raises nothing twice).
        let mut analyse_du: Option<chrono::NaiveDate> = None;
        // The statistics of the days closed since the last run, once a day per server (idempotent: each
        // day is built once whoever builds it), keyed on the last closed day since a day closes a few
        // minutes after midnight.
        let mut statistiques_jusquau: Option<chrono::NaiveDate> = None;
        // The retention purge, once a day per server likewise (idempotent; a late run catches up).
        let mut purge_du: Option<chrono::NaiveDate> = None;
        loop {
            let aujourdhui = app.clock().now().date_naive();
            let clos = app.dernier_jour_clos();
            if statistiques_jusquau != clos {
                match app.construire_statistiques().await {
                    Ok(n) => {
                        statistiques_jusquau = clos;
                        if n > 0 {
                            tracing::info!(jours = n, "statistiques quotidiennes construites");
                        }
                    }
                    Err(e) => tracing::error!(cause = %e, "statistiques quotidiennes"),
                }
            }
            if analyse_du != Some(aujourdhui) {
                match app.analyse_quotidienne().await {
                    Ok(n) => {
                        analyse_du = Some(aujourdhui);
                        if n > 0 {
                            tracing::info!(alertes = n, "alertes d'abus levées");
                        }
                    }
                    Err(e) => tracing::error!(cause = %e, "analyse quotidienne des abus"),
                }
            }
            if purge_du != Some(aujourdhui) {
                match app.purger_traces().await {
                    Ok(purge) => {
                        purge_du = Some(aujourdhui);
                        tracing::info!(
                            traces = purge.purgees,
                            avant = %purge.avant,
                            "purge des traces passées leur durée de conservation"
                        );
                    }
                    Err(e) => tracing::error!(cause = %e, "purge des traces"),
                }
            }
            match app.tick().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(conventions = n, "échéances des conventions appliquées"),
                Err(e) => tracing::error!(cause = %e, "échéancier des conventions"),
            }
            match app.fermer_sessions_apres_fin().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(agents = n, "sessions closes : conventions terminées"),
                Err(e) => tracing::error!(cause = %e, "fin des sessions après la fin des conventions"),
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
