//! The rules a new password must follow (SPEC AU-1, AU-2). The full policy (strength estimate, breached
//! passwords, history) belongs to the security-hardening work.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MotDePasseRefuse {
    #[error("le nouveau mot de passe doit comporter au moins {min} caractères")]
    TropCourt { min: usize },
    #[error("le nouveau mot de passe ne doit pas dépasser {max} caractères")]
    TropLong { max: usize },
    #[error("le nouveau mot de passe doit être différent de l'actuel")]
    Identique,
}

pub const LONGUEUR_MIN: usize = 12;
pub const LONGUEUR_MAX: usize = 128;

/// Checks a new password against the current one. Lengths count characters, not bytes, so accented
/// passphrases are measured as people count them.
pub fn verifier_nouveau(actuel: &str, nouveau: &str) -> Result<(), MotDePasseRefuse> {
    let n = nouveau.chars().count();
    if n < LONGUEUR_MIN {
        return Err(MotDePasseRefuse::TropCourt { min: LONGUEUR_MIN });
    }
    if n > LONGUEUR_MAX {
        return Err(MotDePasseRefuse::TropLong { max: LONGUEUR_MAX });
    }
    if nouveau == actuel {
        return Err(MotDePasseRefuse::Identique);
    }
    Ok(())
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
        // Twelve accented characters are twelve characters, though more bytes.
        assert_eq!(verifier_nouveau("a", &"é".repeat(12)), Ok(()));
        assert_eq!(
            verifier_nouveau("provisoire-123", "une phrase de passe longue"),
            Ok(())
        );
    }
}
