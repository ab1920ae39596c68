//! `partage serve`: HTTPS from the login page on (AU-3). Without a certificate, partage makes a self-signed
//! one and keeps it, so browsers can pin the exception once. Plain HTTP only when asked, for a deployment
//! behind a TLS-terminating proxy.

use anyhow::Context;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use partage_app::{App, Settings};
use partage_domain::session::SessionPolicy;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Adresse d'écoute.
    #[arg(long, env = "PARTAGE_LISTEN", default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// Certificat TLS (PEM, chaîne complète). Sans lui, un certificat auto-signé est créé et conservé.
    #[arg(long, env = "PARTAGE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Clé privée TLS (PEM).
    #[arg(long, env = "PARTAGE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Dossier où conserver le certificat auto-signé.
    #[arg(long, env = "PARTAGE_DATA_DIR", default_value = "partage-data")]
    pub data_dir: PathBuf,
    /// Sert en HTTP sans TLS : uniquement derrière un mandataire qui assure HTTPS.
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
    pub http: bool,
    /// Minutes sans activité après lesquelles une session se termine (AU-4).
    #[arg(long, env = "PARTAGE_INACTIVITE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub inactivite_minutes: u32,
    /// Minutes entre deux points de contrôle signés du journal des traces (TR-2), s'il en est arrivé.
    #[arg(long, env = "PARTAGE_POINT_DE_CONTROLE_MINUTES", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub point_de_controle_minutes: u32,
    /// Consultations par seconde permises à chaque utilisateur, en moyenne ; au-delà, la réponse est
    /// `trop_de_requetes` avec le délai à attendre (et la tentative est tracée).
    #[arg(long, env = "PARTAGE_CONSULTATIONS_PAR_SECONDE", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub consultations_par_seconde: u32,
    /// Consultations permises d'affilée avant que le débit moyen ne s'applique.
    #[arg(long, env = "PARTAGE_CONSULTATIONS_RAFALE", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub consultations_rafale: u32,
    /// Secondes permises à un client pour envoyer les en-têtes d'une requête ; au-delà, la connexion est
    /// fermée (un client lent ne retient pas le serveur).
    #[arg(long, env = "PARTAGE_DELAI_ENTETES_SECONDES", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub delai_entetes_secondes: u64,
    /// Secondes permises à un client pour envoyer le corps d'une requête ; au-delà : 408 `delai_depasse`.
    #[arg(long, env = "PARTAGE_DELAI_CORPS_SECONDES", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub delai_corps_secondes: u64,
    /// Plages d'ouverture des bouquets, heure de Paris (CO-7), par exemple `QF=05:00-23:00,PSU=05:00-23:00` ;
    /// au moins de 5 h à 23 h ; un bouquet absent est ouvert toute la journée. Plage par défaut : une caisse
    /// peut fixer la sienne pour chaque bouquet (rôle admin, /caisse/plages).
    #[arg(long, env = "PARTAGE_PLAGES", value_parser = plages, default_value = "")]
    pub plages: Plages,
    #[command(flatten)]
    pub courriel: crate::config::CourrielArgs,
    #[command(flatten)]
    pub retention: crate::config::RetentionArgs,
}

/// The opening windows given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Plages(pub Vec<(partage_domain::Bouquet, partage_domain::plage::Plage)>);

fn plages(texte: &str) -> Result<Plages, String> {
    texte
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (code, plage) = item
                .split_once('=')
                .ok_or_else(|| format!("« {item} » : attendu BOUQUET=HH:MM-HH:MM"))?;
            let bouquet = partage_domain::Bouquet::parse(code.trim())
                .ok_or_else(|| format!("bouquet inconnu « {} »", code.trim()))?;
            let plage = partage_domain::plage::Plage::parse(plage).map_err(|e| e.to_string())?;
            Ok((bouquet, plage))
        })
        .collect::<Result<Vec<_>, String>>()
        .map(Plages)
}

/// The largest request head (request line and headers) read: past it, 431 and the connection closes.
/// (hyper refuses a buffer under 8 KiB.)
const MAX_ENTETES_OCTETS: usize = 16 * 1024;
/// The most header fields in one request.
const MAX_ENTETES: usize = 64;

impl ServeArgs {
    pub fn settings(&self) -> Settings {
        Settings {
            sessions: SessionPolicy {
                inactivite: chrono::Duration::minutes(i64::from(self.inactivite_minutes)),
                ..SessionPolicy::default()
            },
            consultations: partage_domain::debit::Politique {
                par_seconde: self.consultations_par_seconde,
                rafale: self.consultations_rafale,
            },
            plages: self.plages.0.clone(),
            courriel: self.courriel.courriel(format!(
                "{}://{}",
                if self.http { "http" } else { "https" },
                self.listen
            )),
            retention: self.retention.retention,
            ..Settings::default()
        }
    }
}

pub async fn run(database_url: &str, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let app = crate::config::open_app(database_url, args.settings()).await?;
    serve(app, &args).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn serve(app: App, args: &ServeArgs) -> anyhow::Result<()> {
    let key = partage_app::trace_log::load_or_create_key(&partage_app::trace_log::key_path(&args.data_dir))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = app
        .with_log_key(key)
        .avec_messagerie(args.courriel.messagerie(&args.data_dir)?);
    tokio::spawn(publish_checkpoints(
        app.clone(),
        Duration::from_secs(u64::from(args.point_de_controle_minutes) * 60),
    ));
    crate::tick::spawn_scheduler(app.clone());
    let config = partage_web::WebConfig {
        secure_cookies: !args.http,
        delai_corps: Duration::from_secs(args.delai_corps_secondes),
        ..partage_web::WebConfig::default()
    };
    let service = partage_web::router(app, config).into_make_service_with_connect_info::<SocketAddr>();
    let listener =
        std::net::TcpListener::bind(args.listen).with_context(|| format!("écoute sur {}", args.listen))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    if args.http {
        tracing::warn!(%addr, "HTTP sans TLS : à n'utiliser que derrière un mandataire HTTPS");
        let mut server = axum_server::from_tcp(listener).handle(handle);
        limit_clients(server.http_builder(), args);
        eprintln!("partage : en service sur http://{addr}");
        server.serve(service).await?;
        return Ok(());
    }
    // ring is the one crypto provider built in; installing it twice (tests) is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (cert, key) = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => (cert.clone(), key.clone()),
        _ => self_signed(&args.data_dir)?,
    };
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
        .await
        .with_context(|| {
            format!(
                "lecture du certificat {} et de la clé {}",
                cert.display(),
                key.display()
            )
        })?;
    // The TLS handshake has its own limit in axum-server (10 seconds).
    let mut server = axum_server::from_tcp_rustls(listener, tls).handle(handle);
    limit_clients(server.http_builder(), args);
    eprintln!("partage : en service sur https://{addr}");
    server.serve(service).await?;
    Ok(())
}

/// Limits on what a client may make the server hold: the time to send a request head, its size, and for
/// HTTP/2 the header list and the streams at once.
fn limit_clients(builder: &mut hyper_util::server::conn::auto::Builder<TokioExecutor>, args: &ServeArgs) {
    let entetes = Duration::from_secs(args.delai_entetes_secondes);
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(entetes)
        .max_buf_size(MAX_ENTETES_OCTETS)
        .max_headers(MAX_ENTETES);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(MAX_ENTETES_OCTETS as u32)
        .max_concurrent_streams(100)
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(entetes);
}

/// The kept self-signed certificate, made on first use for localhost and 127.0.0.1.
fn self_signed(dir: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let tls_dir = dir.join("tls");
    let cert = tls_dir.join("cert.pem");
    let key = tls_dir.join("key.pem");
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    std::fs::create_dir_all(&tls_dir).with_context(|| format!("création de {}", tls_dir.display()))?;
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .context("génération du certificat auto-signé")?;
    write_private(&key, certified.key_pair.serialize_pem().as_bytes())?;
    std::fs::write(&cert, certified.cert.pem())?;
    tracing::warn!(cert = %cert.display(), "certificat auto-signé créé : remplacez-le en production (--tls-cert, --tls-key)");
    Ok((cert, key))
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("écriture de {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}

/// Signs a checkpoint at start, then at every interval when traces arrived (TR-2). A failure is logged and
/// retried at the next interval: the extranet keeps serving.
async fn publish_checkpoints(app: App, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        match app.checkpoint(false).await {
            Ok(Some(signed)) => tracing::info!(
                taille = signed.checkpoint.taille,
                "point de contrôle du journal signé"
            ),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "point de contrôle du journal non signé"),
        }
    }
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("partage : arrêt demandé, fin des requêtes en cours");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn co_7_opening_windows_are_read_from_the_setting_and_refused_in_french() {
        let p = plages("QF=05:00-23:00, PSU=04:00-23:30").unwrap();
        assert_eq!(p.0.len(), 2);
        assert_eq!(p.0[1].0, partage_domain::Bouquet::Psu);
        assert!(plages("").unwrap().0.is_empty());
        assert_eq!(plages("XX=05:00-23:00").unwrap_err(), "bouquet inconnu « XX »");
        assert!(plages("QF=06:00-23:00")
            .unwrap_err()
            .contains("au moins 5 h à 23 h"));
        assert!(plages("QF").unwrap_err().contains("BOUQUET=HH:MM-HH:MM"));
    }

    #[test]
    fn au_3_self_signed_certificate_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = self_signed(dir.path()).unwrap();
        let first = std::fs::read(&cert).unwrap();
        assert!(String::from_utf8_lossy(&first).contains("BEGIN CERTIFICATE"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let (cert2, _) = self_signed(dir.path()).unwrap();
        assert_eq!(
            std::fs::read(cert2).unwrap(),
            first,
            "the certificate is kept, not remade"
        );
    }
}
