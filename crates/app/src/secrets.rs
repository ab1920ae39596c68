//! Passwords, session tokens and NIR hashes: the only code that touches secrets in clear.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use hmac::{Hmac, Mac};
use partage_domain::Nir;
use partage_store::{NirHash, NirKey, TokenHash};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// argon2id at OWASP ASVS 5 appendix C's first option: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    // These constants are within argon2's bounds; `Params::new` cannot fail on them, and DEFAULT is a
    // safe fallback that is itself at OWASP's minimum.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Debug, thiserror::Error)]
#[error("échec du hachage du mot de passe : {0}")]
pub struct HashError(String);

/// Hashes a password off the async threads: argon2 at these parameters takes tens of milliseconds.
pub async fn hash_password(password: SecretString) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_password_blocking(password.expose_secret()))
        .await
        .map_err(|e| HashError(e.to_string()))?
}

pub fn hash_password_blocking(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// A hash of a password nobody knows, checked when the user does not exist so that an unknown identifier
/// costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut random = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let password = base64::engine::general_purpose::STANDARD.encode(random);
        // If hashing ever failed, verification against this string fails too, in about the same time.
        hash_password_blocking(&password).unwrap_or_default()
    })
}

/// Verifies a password against a stored hash, or against the dummy hash when `stored` is `None`; always
/// runs one full argon2 computation, off the async threads.
pub async fn verify_password(stored: Option<String>, password: SecretString) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = match PasswordHash::new(&hash) {
            Ok(parsed) => argon2()
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        };
        ok && known
    })
    .await
    .unwrap_or(false)
}

/// A new session token: 256 random bits, URL-safe. Returned once to the client, stored only as its hash.
pub fn new_session_token() -> (SecretString, TokenHash) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (SecretString::from(token), hash)
}

pub fn token_hash(token: &str) -> TokenHash {
    TokenHash(hex(&Sha256::digest(token.as_bytes())))
}

/// HMAC-SHA-256 of the NIR's 15 characters under the deployment's key.
pub fn nir_hash(key: &NirKey, nir: &Nir) -> NirHash {
    // HMAC accepts keys of any length; a 32-byte key cannot be refused.
    let mut mac = match Hmac::<Sha256>::new_from_slice(&key.0) {
        Ok(mac) => mac,
        Err(_) => return NirHash(String::new()),
    };
    mac.update(nir.as_str().as_bytes());
    NirHash(hex(&mac.finalize().into_bytes()))
}

/// Lower-case hexadecimal. By hand rather than `write!("{:02x}")` per byte: every consultation hashes its
/// token and its NIR, and the formatting machinery showed in the benchmark's profile.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn au_1_password_hash_verifies_only_the_right_password() {
        let hash = hash_password(SecretString::from("un mot de passe"))
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password(Some(hash.clone()), SecretString::from("un mot de passe")).await);
        assert!(!verify_password(Some(hash), SecretString::from("un autre")).await);
        assert!(!verify_password(None, SecretString::from("un mot de passe")).await);
    }

    #[test]
    fn tokens_are_unique_and_only_their_hash_is_kept() {
        let (a, ha) = new_session_token();
        let (b, hb) = new_session_token();
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert_eq!(a.expose_secret().len(), 43, "256 bits in unpadded base64url");
        assert_eq!(token_hash(a.expose_secret()), ha);
        assert_ne!(ha, hb);
        assert!(!ha.0.contains(a.expose_secret()));
    }

    #[test]
    fn token_hash_is_the_sha256_in_lower_case_hexadecimal() {
        // FIPS 180-2's example: the stored hashes of sessions created before must still match.
        assert_eq!(
            token_hash("abc").0,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex(&[0x00, 0x0f, 0xf0, 0xff]), "000ff0ff");
    }

    #[test]
    fn nir_hash_depends_on_the_key() {
        let nir = Nir::parse("185057800608491").unwrap();
        let h1 = nir_hash(&NirKey([1; 32]), &nir);
        let h2 = nir_hash(&NirKey([2; 32]), &nir);
        assert_eq!(h1.0.len(), 64);
        assert_ne!(h1, h2);
        assert_eq!(h1, nir_hash(&NirKey([1; 32]), &nir));
    }
}
