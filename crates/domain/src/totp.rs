//! The second factor (issue "security", part 5): time-based one-time passwords, RFC 6238 over RFC 4226
//! (HMAC-SHA-1, steps of 30 seconds, 6 digits), which every authenticator application reads from an
//! `otpauth://` address. Pure: the instant is a parameter.
//!
//! A code is accepted for the current step and the one before or after (a phone's clock a little off), and
//! never twice: the step of the last accepted code is kept, and only a later step passes. So a code seen
//! over a shoulder or in a proxy's log is already spent.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use std::fmt;
use subtle::ConstantTimeEq;

/// Seconds per step (RFC 6238 default).
pub const PAS_S: i64 = 30;
/// Digits of a code.
pub const CHIFFRES: u32 = 6;
/// Steps accepted on either side of the current one.
const TOLERANCE: i64 = 1;

/// A user's shared secret: 160 random bits (RFC 4226 recommends at least 128).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretTotp([u8; 20]);

impl fmt::Debug for SecretTotp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretTotp(<secret>)")
    }
}

impl SecretTotp {
    pub fn from_bytes(bytes: [u8; 20]) -> SecretTotp {
        SecretTotp(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Option<SecretTotp> {
        <[u8; 20]>::try_from(bytes).ok().map(SecretTotp)
    }

    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The secret as typed into an authenticator by hand: base32 (RFC 4648), no padding.
    pub fn base32(&self) -> String {
        base32(&self.0)
    }

    /// The address an authenticator reads (usually from a QR code): issuer and account name, percent-encoded.
    pub fn uri(&self, emetteur: &str, compte: &str) -> String {
        let emetteur = pourcent(emetteur);
        format!(
            "otpauth://totp/{emetteur}:{}?secret={}&issuer={emetteur}&algorithm=SHA1&digits={CHIFFRES}&period={PAS_S}",
            pourcent(compte),
            self.base32(),
        )
    }
}

/// The step an instant falls in.
pub fn etape(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(PAS_S)
}

/// HOTP (RFC 4226 §5.3): the code of a counter, with `chiffres` digits.
pub fn hotp(secret: &[u8], compteur: u64, chiffres: u32) -> u32 {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&compteur.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[19] & 0x0f);
    let binaire = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    binaire % 10u32.pow(chiffres)
}

/// Checks a typed code at `maintenant`. Returns the step it belongs to — to keep as the last one used —
/// or `None` when it is wrong, malformed, or not later than `derniere_etape` (already spent).
pub fn verifier(
    secret: &SecretTotp,
    saisi: &str,
    maintenant: DateTime<Utc>,
    derniere_etape: Option<i64>,
) -> Option<i64> {
    let saisi: String = saisi.chars().filter(|c| !c.is_whitespace()).collect();
    if saisi.len() != CHIFFRES as usize || !saisi.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let valeur: u32 = saisi.parse().ok()?;
    let actuelle = etape(maintenant);
    (actuelle - TOLERANCE..=actuelle + TOLERANCE)
        .filter(|e| *e >= 0 && derniere_etape.is_none_or(|d| *e > d))
        .find(|e| {
            // Compared in constant time: the digits of a near miss must not show through timing.
            let attendu = hotp(&secret.0, *e as u64, CHIFFRES);
            bool::from(attendu.ct_eq(&valeur))
        })
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for b in bytes {
        buffer = (buffer << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn pourcent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(s, 0).single().unwrap()
    }

    /// RFC 6238 Appendix B, SHA-1 column (8 digits), secret "12345678901234567890".
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, code) in [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(hotp(secret, etape(at(t)) as u64, 8), code, "T = {t}");
        }
    }

    /// RFC 4226 Appendix D, counters 0 to 9.
    #[test]
    fn rfc_4226_test_vectors() {
        let attendus = [
            755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871, 520_489,
        ];
        for (c, code) in attendus.iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", c as u64, 6), *code);
        }
    }

    fn secret() -> SecretTotp {
        SecretTotp::from_slice(b"12345678901234567890").unwrap()
    }

    fn code_a(t: i64) -> String {
        format!("{:06}", hotp(&secret().0, etape(at(t)) as u64, 6))
    }

    #[test]
    fn a_code_passes_in_its_step_and_the_neighbours_only() {
        let t = 1_800_000_015;
        let code = code_a(t);
        assert_eq!(verifier(&secret(), &code, at(t), None), Some(etape(at(t))));
        assert!(
            verifier(&secret(), &code, at(t + 30), None).is_some(),
            "one step late"
        );
        assert!(
            verifier(&secret(), &code, at(t - 30), None).is_some(),
            "one step early"
        );
        assert_eq!(
            verifier(&secret(), &code, at(t + 60), None),
            None,
            "two steps late"
        );
        assert_eq!(verifier(&secret(), &code, at(t - 60), None), None);
    }

    #[test]
    fn a_code_is_never_accepted_twice() {
        let t = 1_800_000_015;
        let code = code_a(t);
        let used = verifier(&secret(), &code, at(t), None).unwrap();
        assert_eq!(verifier(&secret(), &code, at(t), Some(used)), None);
        assert_eq!(verifier(&secret(), &code, at(t + 20), Some(used)), None);
        // The next step's code is fresh.
        let next = code_a(t + 30);
        assert_eq!(verifier(&secret(), &next, at(t + 30), Some(used)), Some(used + 1));
    }

    #[test]
    fn malformed_codes_are_refused() {
        let t = 1_800_000_015;
        let code = code_a(t);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(
            verifier(&secret(), &spaced, at(t), None).is_some(),
            "spaces are ignored"
        );
        for bad in [
            "",
            "12345",
            "1234567",
            "abcdef",
            "12345a",
            "-12345",
            "１２３４５６",
        ] {
            assert_eq!(verifier(&secret(), bad, at(t), None), None, "{bad:?}");
        }
    }

    #[test]
    fn base32_and_uri_follow_rfc_4648_and_the_key_uri_format() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(secret().base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            secret().uri("partage MSA-ADL", "lmoreau"),
            "otpauth://totp/partage%20MSA-ADL:lmoreau?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=partage%20MSA-ADL&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(format!("{:?}", secret()), "SecretTotp(<secret>)");
    }
}
