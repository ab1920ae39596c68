//! Delivery of credentials (HB-3, HB-6): by an activation link mailed to the agent (the default), or by a
//! temporary password shown once to the caisse agent for a sealed letter. The link's secret goes into the
//! message and nowhere else: the store keeps its hash, no trace and no log holds it.

use crate::messagerie::Message;
use crate::secrets::{hash_password, token_hash};
use crate::{App, AppError};
use partage_domain::activation::{expiration, masquer_courriel, JetonActivation, LienInvalide};
use partage_domain::trace::{Action, Resultat};
use partage_domain::{CaisseCode, Identifiant};
use partage_store::activations::NouvelleActivation;
use partage_store::{CaisseId, TokenHash};
use secrecy::SecretString;

/// How new credentials reach the agent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Remise {
    /// An activation link mailed to the agent's address: no one else ever knows his password.
    #[default]
    Lien,
    /// A temporary password shown once to the caisse agent, who hands it over in a sealed letter.
    Pli,
}

impl Remise {
    /// `lien` or `pli`, as forms and the API say it.
    pub fn parse(texte: &str) -> Result<Remise, AppError> {
        match texte.trim() {
            "" | "lien" => Ok(Remise::Lien),
            "pli" => Ok(Remise::Pli),
            autre => Err(AppError::RequeteInvalide(format!(
                "remise « {} » inconnue : « lien » (courriel d'activation) ou « pli » (mot de passe provisoire)",
                crate::auth::bounded(autre, 20)
            ))),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Remise::Lien => "lien",
            Remise::Pli => "pli",
        }
    }
}

/// What was handed over, once.
#[derive(Debug)]
pub enum Remis {
    /// The link left for this address, masked (`a***@exemple.fr`).
    Lien { courriel_masque: String },
    /// The temporary password, to show once.
    Pli { mot_de_passe_provisoire: SecretString },
}

impl Remis {
    pub fn remise(&self) -> Remise {
        match self {
            Remis::Lien { .. } => Remise::Lien,
            Remis::Pli { .. } => Remise::Pli,
        }
    }
}

/// An activation done: where the agent logs in now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompteActive {
    pub caisse: CaisseCode,
    pub identifiant: Identifiant,
}

fn jeton_aleatoire() -> JetonActivation {
    let mut octets = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut octets);
    JetonActivation::depuis_octets(octets)
}

fn empreinte(jeton: &JetonActivation) -> TokenHash {
    token_hash(jeton.expose())
}

impl App {
    /// Makes a new activation link for the agent (superseding his earlier ones) and mails it to him with
    /// his identifier and his caisse's code. Returns his masked address, for the caisse agent.
    pub(crate) async fn envoyer_lien(
        &self,
        caisse_id: CaisseId,
        caisse: &CaisseCode,
        identifiant: &Identifiant,
    ) -> Result<Remis, AppError> {
        let jeton = jeton_aleatoire();
        let maintenant = self.clock.now();
        let activation = NouvelleActivation {
            token_hash: empreinte(&jeton),
            cree_le: maintenant,
            expire_le: expiration(maintenant),
        };
        let Some(dest) = self
            .store
            .creer_activation(caisse_id, identifiant, &activation)
            .await?
        else {
            return Err(AppError::Introuvable(format!(
                "aucun agent « {identifiant} » dans votre caisse"
            )));
        };
        let reglages = &self.settings.courriel;
        let lien = format!(
            "{}/activation?jeton={}",
            reglages.url_publique.trim_end_matches('/'),
            jeton.expose()
        );
        let corps = format!(
            "Bonjour {civilite} {prenom} {nom},\n\n\
             Votre caisse vous a ouvert un accès à partage, l'extranet des partenaires.\n\n\
             Code de votre caisse : {caisse}\n\
             Votre identifiant : {identifiant}\n\n\
             Pour choisir votre mot de passe, ouvrez ce lien (il ne sert qu'une fois et expire dans 24 heures) :\n\
             {lien}\n\n\
             Si vous n'attendiez pas ce message, ne l'ouvrez pas et prévenez votre caisse.\n\
             Ce message est envoyé automatiquement : n'y répondez pas.\n",
            civilite = dest.civilite,
            prenom = dest.prenom,
            nom = dest.nom,
        );
        let message = Message {
            de: reglages.expediteur.clone(),
            a: dest.email.clone(),
            objet: "Votre accès à partage : choisissez votre mot de passe".into(),
            corps,
            le: maintenant,
        };
        self.messagerie.envoyer(&message).await.map_err(|e| {
            tracing::error!(destinataire = %masquer_courriel(&dest.email), erreur = %e, "courriel d'activation non envoyé");
            AppError::Interne(e.to_string())
        })?;
        Ok(Remis::Lien {
            courriel_masque: masquer_courriel(&dest.email),
        })
    }

    /// HB-3, HB-6: the agent sets his password with the link he received. The link is used only if the
    /// password passes the policy (AU-1); an unknown, used, superseded or expired link gets one answer; an
    /// agent deactivated or suspended since cannot use it. Traced without the link.
    pub async fn activer_compte(
        &self,
        jeton: &str,
        nouveau: SecretString,
        source: &str,
    ) -> Result<CompteActive, AppError> {
        let maintenant = self.clock.now();
        let valide = match JetonActivation::parse(jeton) {
            Ok(j) => self
                .store
                .activation(&empreinte(&j), maintenant)
                .await?
                .map(|v| (j, v)),
            Err(LienInvalide) => None,
        };
        let Some((jeton, valide)) = valide else {
            let mut trace = self.trace_typed("", "", source, Action::Activation);
            trace.caisse = None;
            trace.utilisateur = None;
            trace.resultat = Resultat::LienInvalide;
            self.journal.record(trace, None).await?;
            return Err(LienInvalide.into());
        };
        let mut trace = self.trace_typed(
            valide.caisse.as_str(),
            valide.identifiant.as_str(),
            source,
            Action::Activation,
        );
        let login = self.store.find_login(&valide.caisse, &valide.identifiant).await?;
        if let Some(l) = &login {
            trace.partenaire = Some(l.partenaire.to_string());
        }
        let outcome = match login {
            Some(l) if l.active && self.suspension_en_cours(l.user).await?.is_none() => {
                self.activer(&jeton, valide.user, nouveau).await
            }
            _ => Err(AppError::AgentDesactive),
        };
        trace.resultat = match &outcome {
            Ok(()) => Resultat::Succes,
            Err(AppError::AgentDesactive) => Resultat::EchecCompteInactif,
            Err(AppError::MotDePasseRefuse(_)) => Resultat::MotDePasseRefuse,
            Err(AppError::LienInvalide(_)) => Resultat::LienInvalide,
            Err(_) => Resultat::Refuse,
        };
        self.journal.record(trace, None).await?;
        outcome.map(|()| CompteActive {
            caisse: valide.caisse,
            identifiant: valide.identifiant,
        })
    }

    async fn activer(
        &self,
        jeton: &JetonActivation,
        user: partage_store::UserId,
        nouveau: SecretString,
    ) -> Result<(), AppError> {
        if let Err(e) = self
            .password_policy(user, &SecretString::from(String::new()), &nouveau)
            .await?
        {
            return Err(AppError::MotDePasseRefuse(e.to_string()));
        }
        let hash = hash_password(nouveau)
            .await
            .map_err(|e| AppError::Interne(e.to_string()))?;
        match self
            .store
            .activer(&empreinte(jeton), self.clock.now(), &hash)
            .await?
        {
            Some(_) => Ok(()),
            // Used or superseded in the meantime.
            None => Err(LienInvalide.into()),
        }
    }
}
