//! The rules a new password must follow (SPEC AU-1, AU-2; ANSSI, OWASP ASVS 5 ch. 6): a length that depends
//! on the account's kind, no character-class rules, a strength estimate (zxcvbn) that knows the user's own
//! words, and no password from the list of common passwords shipped in `data/` (see its README).
//! Reuse of recent passwords is checked by the application, which holds their hashes.

use std::collections::HashSet;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MotDePasseRefuse {
    #[error("le nouveau mot de passe doit comporter au moins {min} caractères")]
    TropCourt { min: usize },
    #[error("le nouveau mot de passe ne doit pas dépasser {max} caractères")]
    TropLong { max: usize },
    #[error("le nouveau mot de passe doit être différent de l'actuel")]
    Identique,
    #[error(
        "ce mot de passe figure dans la liste des mots de passe les plus répandus : choisissez-en un autre"
    )]
    Courant,
    #[error("ce mot de passe est trop facile à deviner : {raison}")]
    TropPrevisible { raison: String },
    #[error("ce mot de passe a déjà été utilisé récemment : choisissez-en un que vous n'avez pas employé parmi vos {n} derniers")]
    DejaUtilise { n: usize },
}

/// Who holds the account: caisse staff and partner administrators may do more, so need longer passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeCompte {
    AgentPartenaire,
    AdministrateurPartenaire,
    PersonnelCaisse,
}

impl TypeCompte {
    pub fn longueur_min(self) -> usize {
        match self {
            TypeCompte::AgentPartenaire => 12,
            TypeCompte::AdministrateurPartenaire | TypeCompte::PersonnelCaisse => 15,
        }
    }
}

pub const LONGUEUR_MIN: usize = 12;
pub const LONGUEUR_MAX: usize = 128;
/// How many previous passwords may not come back.
pub const HISTORIQUE: usize = 5;

/// zxcvbn's estimate of the guesses needed, as a power of ten: above 10^10 is its top score, 4. Its score 3
/// (10^8) let through "Motdepasse2024!" and "Jeanne2024Dupont" (its dictionaries are English); at 10^10 a
/// passphrase of three unrelated words passes easily, and those do not.
const ESSAIS_MIN_LOG10: f64 = 10.0;

/// The common-password list, shipped as data (see data/README.md), lower-cased as shipped.
fn courants() -> &'static HashSet<&'static str> {
    static LISTE: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LISTE.get_or_init(|| {
        include_str!("../data/mots-de-passe-courants.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Whether a password is on the common-password list (compared lower-cased, as the list is). Checked at
/// each login too: a password that became listed must be changed.
pub fn est_courant(mot_de_passe: &str) -> bool {
    courants().contains(mot_de_passe.to_lowercase().as_str())
}

/// Checks a new password against the current one, for an agent of a partner, without context. Prefer
/// [`verifier`], which knows the account's kind and its holder's words.
pub fn verifier_nouveau(actuel: &str, nouveau: &str) -> Result<(), MotDePasseRefuse> {
    verifier(TypeCompte::AgentPartenaire, actuel, nouveau, &[])
}

/// The whole policy for a new password. `contexte` holds the words an attacker would try first for this
/// user: name, first name, identifier, email, partner's and caisse's names. Lengths count characters, not
/// bytes, so accented passphrases are measured as people count them.
pub fn verifier(
    type_compte: TypeCompte,
    actuel: &str,
    nouveau: &str,
    contexte: &[&str],
) -> Result<(), MotDePasseRefuse> {
    let n = nouveau.chars().count();
    let min = type_compte.longueur_min();
    if n < min {
        return Err(MotDePasseRefuse::TropCourt { min });
    }
    if n > LONGUEUR_MAX {
        return Err(MotDePasseRefuse::TropLong { max: LONGUEUR_MAX });
    }
    if nouveau == actuel {
        return Err(MotDePasseRefuse::Identique);
    }
    if est_courant(nouveau) {
        return Err(MotDePasseRefuse::Courant);
    }
    // The words of an email are tried one by one: "anne.durand@privas.example.fr" gives anne, durand, privas.
    let mots: Vec<String> = contexte
        .iter()
        .flat_map(|c| {
            let c = c.nfc().collect::<String>().to_lowercase();
            let parties: Vec<String> = c
                .split(|ch: char| !ch.is_alphanumeric())
                .filter(|p| p.chars().count() >= 3)
                .map(str::to_owned)
                .collect();
            std::iter::once(c).chain(parties)
        })
        .collect();
    let mots: Vec<&str> = mots.iter().map(String::as_str).collect();
    let estimation = zxcvbn::zxcvbn(nouveau, &mots);
    if estimation.guesses_log10() < ESSAIS_MIN_LOG10 {
        let raison = estimation
            .feedback()
            .and_then(|f| f.warning())
            .map(avertissement)
            .unwrap_or("il suit un schéma connu")
            .to_owned();
        return Err(MotDePasseRefuse::TropPrevisible {
            raison: format!(
                "{raison} ; une phrase de passe de plusieurs mots sans rapport entre eux est plus sûre"
            ),
        });
    }
    Ok(())
}

/// zxcvbn's warnings, in French.
fn avertissement(w: zxcvbn::feedback::Warning) -> &'static str {
    use zxcvbn::feedback::Warning as W;
    match w {
        W::StraightRowsOfKeysAreEasyToGuess => "une rangée de touches du clavier se devine facilement",
        W::ShortKeyboardPatternsAreEasyToGuess => "un motif du clavier se devine facilement",
        W::RepeatsLikeAaaAreEasyToGuess => "des répétitions comme « aaa » se devinent facilement",
        W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "des répétitions comme « abcabc » se devinent presque aussi facilement"
        }
        W::ThisIsATop10Password | W::ThisIsATop100Password | W::ThisIsACommonPassword => {
            "c'est un mot de passe très répandu"
        }
        W::ThisIsSimilarToACommonlyUsedPassword => "il ressemble à un mot de passe très répandu",
        W::SequencesLikeAbcAreEasyToGuess => "des suites comme « abc » ou « 1234 » se devinent facilement",
        W::RecentYearsAreEasyToGuess => "une année récente se devine facilement",
        W::AWordByItselfIsEasyToGuess => "un mot seul se devine facilement",
        W::DatesAreOftenEasyToGuess => "une date se devine facilement",
        W::NamesAndSurnamesByThemselvesAreEasyToGuess | W::CommonNamesAndSurnamesAreEasyToGuess => {
            "un nom ou un prénom se devine facilement"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn au_2_new_password_rules() {
        assert_eq!(
            verifier_nouveau("provisoire-123", "court"),
            Err(MotDePasseRefuse::TropCourt { min: 12 })
        );
        assert_eq!(
            verifier_nouveau("provisoire-123", "provisoire-123"),
            Err(MotDePasseRefuse::Identique)
        );
        assert_eq!(
            verifier_nouveau("a", &"é".repeat(129)),
            Err(MotDePasseRefuse::TropLong { max: 128 })
        );
        assert_eq!(
            verifier_nouveau("provisoire-123", "une phrase de passe longue"),
            Ok(())
        );
    }

    #[test]
    fn au_1_length_depends_on_the_account_kind() {
        let mdp = "grue velours 7"; // 14 characters
        assert_eq!(verifier(TypeCompte::AgentPartenaire, "", mdp, &[]), Ok(()));
        for kind in [TypeCompte::PersonnelCaisse, TypeCompte::AdministrateurPartenaire] {
            assert_eq!(
                verifier(kind, "", mdp, &[]),
                Err(MotDePasseRefuse::TropCourt { min: 15 })
            );
        }
    }

    #[test]
    fn au_1_no_character_class_rule_only_strength() {
        // Lower-case words only: accepted when unpredictable, whatever classes of characters they use.
        assert_eq!(verifier_nouveau("", "tortue cadastre mirabelle"), Ok(()));
        // All four classes, and still refused: a keyboard row with a year; a word, a year, a sign.
        for faible in ["Azertyuiop2024!", "Motdepasse2024!"] {
            let e = verifier_nouveau("", faible).unwrap_err();
            assert!(matches!(e, MotDePasseRefuse::TropPrevisible { .. }), "{e:?}");
            assert!(e
                .to_string()
                .starts_with("ce mot de passe est trop facile à deviner : "));
        }
        let e = verifier_nouveau("", "aaaaaaaaaaaaaaaa").unwrap_err();
        assert_eq!(
            e.to_string(),
            "ce mot de passe est trop facile à deviner : des répétitions comme « aaa » se devinent \
             facilement ; une phrase de passe de plusieurs mots sans rapport entre eux est plus sûre"
        );
    }

    #[test]
    fn au_1_the_users_own_words_make_a_password_weak() {
        let mdp = "durandprivas07";
        assert_eq!(verifier_nouveau("", mdp), Ok(()), "strong without context");
        let contexte = [
            "DURAND",
            "Anne",
            "anne.durand@privas.example.fr",
            "Commune de Privas",
            "MSA-ADL",
        ];
        assert!(matches!(
            verifier(TypeCompte::AgentPartenaire, "", mdp, &contexte),
            Err(MotDePasseRefuse::TropPrevisible { .. })
        ));
    }

    #[test]
    fn au_1_common_passwords_from_the_shipped_list_are_refused() {
        assert!(courants().len() > 19_000, "the whole list is shipped");
        // On the list (lower-cased there), long enough for every other rule.
        assert!(est_courant("Telechargement"));
        assert_eq!(
            verifier_nouveau("", "telechargement"),
            Err(MotDePasseRefuse::Courant)
        );
        assert_eq!(
            verifier_nouveau("", "password1234"),
            Err(MotDePasseRefuse::Courant)
        );
        assert!(!est_courant("tortue cadastre mirabelle"));
    }
}
