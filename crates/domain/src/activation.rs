//! Activation links (SPEC HB-3, HB-6): how a new agent, or one whose credentials were reset, sets his own
//! password without anyone else ever knowing it. The link carries 32 random bytes, base64url; the store keeps
//! only their SHA-256, so a copy of the database opens no account. A link is good once, for 24 hours, and a
//! newer link of the same agent supersedes it.

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use std::fmt;

/// How long a link stays good after it was issued.
pub fn duree_validite() -> Duration {
    Duration::hours(24)
}

/// The instant a link issued at `cree_le` stops being good (exclusive).
pub fn expiration(cree_le: DateTime<Utc>) -> DateTime<Utc> {
    cree_le + duree_validite()
}

/// A link is good until it is used or its expiry instant comes.
pub fn est_valide(
    expire_le: DateTime<Utc>,
    utilise_le: Option<DateTime<Utc>>,
    maintenant: DateTime<Utc>,
) -> bool {
    utilise_le.is_none() && maintenant < expire_le
}

/// The one refusal for an unknown, used, superseded or expired link: the answer tells which of them it was
/// to no one (no oracle).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ce lien d'activation n'est pas valable : il a peut-être déjà servi, expiré (24 heures) ou été remplacé par un plus récent. Demandez à votre caisse un nouveau lien.")]
pub struct LienInvalide;

/// The secret of one activation link. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct JetonActivation(String);

impl fmt::Debug for JetonActivation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JetonActivation(…)")
    }
}

impl JetonActivation {
    /// The link's secret from 32 random bytes the caller drew (the domain has no randomness of its own).
    pub fn depuis_octets(octets: [u8; 32]) -> JetonActivation {
        JetonActivation(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(octets))
    }

    /// A secret as it came back in a form: exactly 32 bytes, base64url without padding.
    pub fn parse(texte: &str) -> Result<JetonActivation, LienInvalide> {
        let texte = texte.trim();
        match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(texte) {
            Ok(octets) if octets.len() == 32 => Ok(JetonActivation(texte.to_owned())),
            _ => Err(LienInvalide),
        }
    }

    /// The secret itself, for the link sent to the agent and nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the secret, lowercase hex: all the store keeps.
    pub fn empreinte(&self) -> String {
        Sha256::digest(self.0.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// An address as the caisse agent sees it once the link is sent: the first letter of the local part, then
/// `***@` and the domain (`a***@exemple.fr`).
pub fn masquer_courriel(courriel: &str) -> String {
    match courriel.trim().rsplit_once('@') {
        Some((local, domaine)) => {
            let premiere: String = local.chars().take(1).collect();
            format!("{premiere}***@{domaine}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn hb_3_a_link_is_good_24_hours_and_once() {
        let fin = expiration(t0());
        assert!(est_valide(fin, None, t0()));
        assert!(est_valide(
            fin,
            None,
            t0() + Duration::hours(24) - Duration::seconds(1)
        ));
        assert!(!est_valide(fin, None, t0() + Duration::hours(24)));
        assert!(!est_valide(
            fin,
            None,
            t0() + Duration::hours(24) + Duration::seconds(1)
        ));
        assert!(!est_valide(fin, Some(t0()), t0()));
    }

    #[test]
    fn hb_3_the_secret_round_trips_and_only_its_hash_is_stored() {
        let jeton = JetonActivation::depuis_octets([7u8; 32]);
        assert_eq!(jeton.expose().len(), 43);
        assert_eq!(JetonActivation::parse(jeton.expose()), Ok(jeton.clone()));
        let empreinte = jeton.empreinte();
        assert_eq!(empreinte.len(), 64);
        assert!(!empreinte.contains(jeton.expose()));
        assert_ne!(empreinte, JetonActivation::depuis_octets([8u8; 32]).empreinte());
        assert_eq!(format!("{jeton:?}"), "JetonActivation(…)");
    }

    #[test]
    fn hb_3_a_malformed_secret_is_the_same_invalid_link() {
        for texte in ["", "abc", "!!!!", &"A".repeat(44), &"A".repeat(200)] {
            assert_eq!(JetonActivation::parse(texte), Err(LienInvalide), "{texte}");
        }
    }

    #[test]
    fn hb_3_the_address_is_masked_for_the_caisse_agent() {
        assert_eq!(masquer_courriel("alice.martin@exemple.fr"), "a***@exemple.fr");
        assert_eq!(masquer_courriel("x@y"), "x***@y");
        assert_eq!(masquer_courriel("sans-arobase"), "***");
    }
}
