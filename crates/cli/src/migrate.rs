//! `partage migrate`: explicit, so a deployment can run it before starting servers.

pub async fn run(database_url: &str) -> anyhow::Result<std::process::ExitCode> {
    crate::config::open_store(database_url).await?;
    eprintln!(
        "partage : schéma à jour ({})",
        crate::config::redact(database_url)
    );
    Ok(std::process::ExitCode::SUCCESS)
}
