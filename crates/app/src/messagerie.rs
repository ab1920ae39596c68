//! Mail to users (HB-3, HB-6): one message, one recipient, a French plain-text body. Written as an RFC 5322
//! `.eml` file in an outbox folder by default, so that a person or a test reads it; sent through SMTP when a
//! server is configured; kept in memory for tests.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One message to send. The body may hold a secret (an activation link): it is never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    pub de: String,
    pub a: String,
    pub objet: String,
    pub corps: String,
    /// Its `Date:` header, from the application's clock.
    pub le: DateTime<Utc>,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("a", &self.a)
            .field("objet", &self.objet)
            .finish_non_exhaustive()
    }
}

/// Why a message could not leave. Says nothing of the body.
#[derive(Debug, thiserror::Error)]
#[error("envoi du courriel impossible : {0}")]
pub struct EchecEnvoi(pub String);

#[async_trait]
pub trait Messagerie: Send + Sync + fmt::Debug {
    async fn envoyer(&self, message: &Message) -> Result<(), EchecEnvoi>;
}

/// The message as RFC 5322 text; `tel_quel` keeps the body readable as it is (outbox files).
fn courriel(message: &Message, tel_quel: bool) -> Result<lettre::Message, EchecEnvoi> {
    let de: Mailbox = message
        .de
        .parse()
        .map_err(|e| EchecEnvoi(format!("expéditeur « {} » invalide ({e})", message.de)))?;
    let a: Mailbox = message
        .a
        .parse()
        .map_err(|e| EchecEnvoi(format!("destinataire « {} » invalide ({e})", message.a)))?;
    let builder = lettre::Message::builder()
        .from(de)
        .to(a)
        .subject(message.objet.clone())
        .date(message.le.into())
        .header(ContentType::TEXT_PLAIN);
    let built = if tel_quel {
        // `binary`: lines as they are, however long (a link is longer than 8bit's 76 columns).
        let body = Body::new_with_encoding(message.corps.clone(), ContentTransferEncoding::Binary)
            .map_err(|_| EchecEnvoi("corps du message non représentable".into()))?;
        builder.body(body)
    } else {
        builder.body(message.corps.clone())
    };
    built.map_err(|e| EchecEnvoi(e.to_string()))
}

/// One `.eml` file per message in a folder, created when needed.
#[derive(Debug)]
pub struct BoiteDEnvoi {
    dossier: PathBuf,
    suivant: AtomicU64,
}

impl BoiteDEnvoi {
    pub fn new(dossier: impl Into<PathBuf>) -> BoiteDEnvoi {
        BoiteDEnvoi {
            dossier: dossier.into(),
            suivant: AtomicU64::new(0),
        }
    }

    pub fn dossier(&self) -> &std::path::Path {
        &self.dossier
    }
}

#[async_trait]
impl Messagerie for BoiteDEnvoi {
    async fn envoyer(&self, message: &Message) -> Result<(), EchecEnvoi> {
        let texte = courriel(message, true)?.formatted();
        tokio::fs::create_dir_all(&self.dossier)
            .await
            .map_err(|e| EchecEnvoi(format!("dossier {} : {e}", self.dossier.display())))?;
        let n = self.suivant.fetch_add(1, Ordering::Relaxed);
        let mut hasard = [0u8; 4];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut hasard);
        let nom = format!(
            "{}-{n:04}-{:08x}",
            message.le.format("%Y%m%dT%H%M%S%.6fZ"),
            u32::from_be_bytes(hasard)
        );
        // Written aside then renamed: a reader of the folder never sees half a message.
        let provisoire = self.dossier.join(format!(".{nom}.tmp"));
        let fichier = self.dossier.join(format!("{nom}.eml"));
        tokio::fs::write(&provisoire, texte)
            .await
            .map_err(|e| EchecEnvoi(format!("écriture de {} : {e}", provisoire.display())))?;
        tokio::fs::rename(&provisoire, &fichier)
            .await
            .map_err(|e| EchecEnvoi(format!("écriture de {} : {e}", fichier.display())))
    }
}

/// SMTP, with TLS through rustls, from a URL such as `smtps://user:pass@smtp.example.fr:465` or
/// `smtp://smtp.example.fr:587?tls=required`.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl fmt::Debug for Smtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry the server's password.
        f.write_str("Smtp(…)")
    }
}

impl Smtp {
    pub fn depuis_url(url: &str) -> Result<Smtp, EchecEnvoi> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| EchecEnvoi(format!("PARTAGE_SMTP_URL invalide ({e})")))?
            .build();
        Ok(Smtp { transport })
    }
}

#[async_trait]
impl Messagerie for Smtp {
    async fn envoyer(&self, message: &Message) -> Result<(), EchecEnvoi> {
        let courriel = courriel(message, false)?;
        self.transport
            .send(courriel)
            .await
            .map(|_| ())
            .map_err(|e| EchecEnvoi(e.to_string()))
    }
}

/// Keeps the messages, for tests. Cheap to clone; clones share the messages.
#[derive(Debug, Clone, Default)]
pub struct Memoire {
    messages: Arc<Mutex<Vec<Message>>>,
}

impl Memoire {
    pub fn new() -> Memoire {
        Memoire::default()
    }

    /// Every message sent so far, oldest first.
    pub fn messages(&self) -> Vec<Message> {
        match self.messages.lock() {
            Ok(m) => m.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

#[async_trait]
impl Messagerie for Memoire {
    async fn envoyer(&self, message: &Message) -> Result<(), EchecEnvoi> {
        // The same checks as the real ones: an address they would refuse is refused here too.
        courriel(message, true)?;
        match self.messages.lock() {
            Ok(mut m) => m.push(message.clone()),
            Err(poisoned) => poisoned.into_inner().push(message.clone()),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> Message {
        Message {
            de: "partage <ne-pas-repondre@caisse.example.fr>".into(),
            a: "alice.martin@ccas.example.fr".into(),
            objet: "Votre accès à partage : activez-le".into(),
            corps: "Bonjour,\n\nVotre identifiant : amartin\nPour choisir votre mot de passe, ouvrez ce lien (il ne sert qu'une fois et expire dans 24 heures) :\nhttps://partage.example.fr/activation?jeton=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq\n"
                .into(),
            le: "2026-03-02T09:00:00Z".parse().unwrap(),
        }
    }

    #[tokio::test]
    async fn hb_3_the_outbox_writes_one_readable_rfc_5322_file_per_message() {
        let dir = tempfile::tempdir().unwrap();
        let boite = BoiteDEnvoi::new(dir.path().join("outbox"));
        boite.envoyer(&message()).await.unwrap();
        boite.envoyer(&message()).await.unwrap();
        let mut fichiers: Vec<_> = std::fs::read_dir(boite.dossier())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        fichiers.sort();
        assert_eq!(fichiers.len(), 2, "{fichiers:?}");
        assert!(fichiers.iter().all(|f| f.extension().unwrap() == "eml"));
        let texte = std::fs::read_to_string(&fichiers[0]).unwrap();
        assert!(texte.contains("To: alice.martin@ccas.example.fr\r\n"), "{texte}");
        assert!(
            texte.contains("From: partage <ne-pas-repondre@caisse.example.fr>\r\n"),
            "{texte}"
        );
        assert!(
            texte.contains("Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n"),
            "{texte}"
        );
        assert!(texte.contains("Subject: "), "{texte}");
        assert!(texte.contains("Content-Transfer-Encoding: binary\r\n"), "{texte}");
        assert!(
            texte.contains(
                "https://partage.example.fr/activation?jeton=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq"
            ),
            "the link is readable as it is: {texte}"
        );
    }

    #[tokio::test]
    async fn a_bad_address_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let boite = BoiteDEnvoi::new(dir.path());
        let mut m = message();
        m.a = "pas une adresse".into();
        let e = boite.envoyer(&m).await.unwrap_err();
        assert!(e.to_string().contains("destinataire"), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let memoire = Memoire::new();
        assert!(memoire.envoyer(&m).await.is_err());
        assert!(memoire.messages().is_empty());
    }

    #[tokio::test]
    async fn the_default_sender_is_a_valid_address() {
        let mut m = message();
        m.de = crate::Courriel::default().expediteur;
        Memoire::new().envoyer(&m).await.unwrap();
    }

    #[test]
    fn an_smtp_url_is_checked_and_its_password_never_shown() {
        let smtp = Smtp::depuis_url("smtps://u:secret@smtp.example.fr:465").unwrap();
        assert!(!format!("{smtp:?}").contains("secret"));
        assert!(Smtp::depuis_url("ftp://x").is_err());
    }
}
