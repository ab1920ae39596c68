//! What a bouquet accepts of an habilitation request (SPEC HB-4), and how a new agent's identifier is made
//! (HB-10: "identifiants produits automatiquement").

use crate::demande::NatureDemande;
use crate::{Bouquet, Identifiant, Regime};

/// HB-7: the largest cap a convention may carry; more is a typing error, not a need.
pub const PLAFOND_MAX: u32 = 100_000;

/// One category of users a bouquet knows, with its code on the form and its label in the convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profil {
    pub code: &'static str,
    pub libelle: &'static str,
}

/// 002 art. 4 and annexes: "En dehors de ces profils, aucune habilitation ne sera délivrée."
const PROFILS_RSACG: [Profil; 6] = [
    Profil {
        code: "1",
        libelle: "Travailleurs sociaux des structures conventionnées",
    },
    Profil {
        code: "2",
        libelle: "Services instructeurs",
    },
    Profil {
        code: "3",
        libelle: "Chargés de suivi des dossiers RSA",
    },
    Profil {
        code: "4",
        libelle: "Service accompagnement et protection des majeurs du Conseil Départemental",
    },
    Profil {
        code: "5",
        libelle: "Agents des départements en charge du contentieux RSA",
    },
    Profil {
        code: "6",
        libelle: "Agents des départements en charge du contrôle RSA",
    },
];

/// HB-4: a request names a profile the bouquet has, or none when the bouquet has none.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfilRefuse {
    #[error("le profil « {profil} » n'existe pas pour le bouquet {bouquet} (profils : {attendus})")]
    Inconnu {
        profil: String,
        bouquet: &'static str,
        attendus: String,
    },
    #[error("le bouquet {bouquet} demande un profil utilisateur (profils : {attendus})")]
    Manquant { bouquet: &'static str, attendus: String },
}

impl Bouquet {
    /// The profiles the bouquet's convention defines; empty when it defines none (QF, PSU, MCP).
    pub fn profils(self) -> &'static [Profil] {
        match self {
            Bouquet::Rsacg => &PROFILS_RSACG,
            Bouquet::Qf | Bouquet::Psu | Bouquet::McpQf | Bouquet::McpAdresse => &[],
        }
    }

    /// HB-4: the profile of a request for this bouquet. A bouquet with profiles requires one of them; a
    /// bouquet without any refuses every profile, so no habilitation carries a category its convention
    /// does not know.
    pub fn profil(self, demande: Option<&str>) -> Result<Option<Profil>, ProfilRefuse> {
        let profils = self.profils();
        let attendus = || {
            if profils.is_empty() {
                "aucun".to_owned()
            } else {
                profils.iter().map(|p| p.code).collect::<Vec<_>>().join(", ")
            }
        };
        match demande.map(str::trim).filter(|p| !p.is_empty()) {
            None if profils.is_empty() => Ok(None),
            None => Err(ProfilRefuse::Manquant {
                bouquet: self.code(),
                attendus: attendus(),
            }),
            Some(p) => profils
                .iter()
                .find(|profil| profil.code == p)
                .map(|profil| Some(*profil))
                .ok_or_else(|| ProfilRefuse::Inconnu {
                    profil: p.chars().take(40).collect(),
                    bouquet: self.code(),
                    attendus: attendus(),
                }),
        }
    }
}

impl ProfilRefuse {
    pub fn code(&self) -> &'static str {
        "profil_inconnu"
    }
}

/// Lowercase ASCII letters of a name: accents dropped, everything else removed.
fn lettres(nom: &str) -> String {
    let mut out = String::new();
    for c in nom.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' => "a",
            'ç' => "c",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' | 'ì' => "i",
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ÿ' => "y",
            'ñ' => "n",
            'æ' => "ae",
            'œ' => "oe",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => continue,
        };
        out.push_str(base);
    }
    out
}

/// HB-10: the identifier a new agent is given, from his first name's initial and his name ("Claire
/// Martin" → `cmartin`); `rang` 2, 3… when the caisse already has that one (`cmartin2`). Names with no
/// letter at all fall back to `agent`.
pub fn identifiant_propose(prenom: &str, nom: &str, rang: u32) -> Option<Identifiant> {
    let initiale: String = lettres(prenom).chars().take(1).collect();
    let mut base: String = format!("{initiale}{}", lettres(nom)).chars().take(56).collect();
    if base.is_empty() {
        base = "agent".into();
    }
    let candidat = if rang <= 1 { base } else { format!("{base}{rang}") };
    Identifiant::parse(&candidat).ok()
}

/// CV-12: who grants a convention's habilitations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gestion {
    /// The caisse grants, on the partner's requests (HB-10).
    Centralisee,
    /// The partner's gestionnaire principal and suppléant manage their own organisation's habilitations,
    /// under the caisse's supervision (HB-9).
    Deleguee,
}

impl Gestion {
    pub fn code(self) -> &'static str {
        match self {
            Gestion::Centralisee => "centralisee",
            Gestion::Deleguee => "deleguee",
        }
    }

    pub fn parse(code: &str) -> Option<Gestion> {
        [Gestion::Centralisee, Gestion::Deleguee]
            .into_iter()
            .find(|g| g.code() == code)
    }

    /// CV-12 (003:9.1): delegated is the default for a CAF; the MSA conventions (000, 001, 002) have the
    /// caisse grant every habilitation.
    pub fn par_defaut(regime: Regime) -> Gestion {
        match regime {
            Regime::Caf => Gestion::Deleguee,
            Regime::Msa => Gestion::Centralisee,
        }
    }

    /// The mode a convention works in: the one the caisse chose, or its régime's default.
    pub fn effective(choisie: Option<Gestion>, regime: Regime) -> Gestion {
        choisie.unwrap_or_else(|| Gestion::par_defaut(regime))
    }
}

/// HB-9 (003:9.1): the partner's own administrators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Administrateur {
    Principal,
    Suppleant,
}

impl Administrateur {
    pub fn code(self) -> &'static str {
        match self {
            Administrateur::Principal => "principal",
            Administrateur::Suppleant => "suppleant",
        }
    }

    pub fn parse(code: &str) -> Option<Administrateur> {
        [Administrateur::Principal, Administrateur::Suppleant]
            .into_iter()
            .find(|a| a.code() == code)
    }
}

/// HB-9 (003:9.1): what a partner's administrator does himself to an habilitation of his organisation. The
/// request forms keep the annexes' three natures ([`NatureDemande`]); suspending and reactivating are acts of
/// gestion déléguée only, with no form behind them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NatureActe {
    Acces,
    Modification,
    Suppression,
    /// The habilitation stays held (it still counts toward the cap, HB-7) but grants nothing until
    /// reactivated.
    Suspension,
    Reactivation,
}

impl NatureActe {
    pub const ALL: [NatureActe; 5] = [
        NatureActe::Acces,
        NatureActe::Modification,
        NatureActe::Suppression,
        NatureActe::Suspension,
        NatureActe::Reactivation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NatureActe::Acces => "acces",
            NatureActe::Modification => "modification",
            NatureActe::Suppression => "suppression",
            NatureActe::Suspension => "suspension",
            NatureActe::Reactivation => "reactivation",
        }
    }

    pub fn parse(code: &str) -> Option<NatureActe> {
        NatureActe::ALL.into_iter().find(|n| n.code() == code)
    }

    /// The request form's nature this act shares, if any: suspension and reactivation have none.
    pub fn demande(self) -> Option<NatureDemande> {
        match self {
            NatureActe::Acces => Some(NatureDemande::Acces),
            NatureActe::Modification => Some(NatureDemande::Modification),
            NatureActe::Suppression => Some(NatureDemande::Suppression),
            NatureActe::Suspension | NatureActe::Reactivation => None,
        }
    }
}

impl From<NatureDemande> for NatureActe {
    fn from(n: NatureDemande) -> Self {
        match n {
            NatureDemande::Acces => NatureActe::Acces,
            NatureDemande::Modification => NatureActe::Modification,
            NatureDemande::Suppression => NatureActe::Suppression,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cv_12_delegated_by_default_for_a_caf_centralised_for_an_msa() {
        assert_eq!(Gestion::effective(None, Regime::Caf), Gestion::Deleguee);
        assert_eq!(Gestion::effective(None, Regime::Msa), Gestion::Centralisee);
        // The caisse may impose centralised management for a sensitive service, or delegate.
        assert_eq!(
            Gestion::effective(Some(Gestion::Centralisee), Regime::Caf),
            Gestion::Centralisee
        );
        assert_eq!(
            Gestion::effective(Some(Gestion::Deleguee), Regime::Msa),
            Gestion::Deleguee
        );
        for g in [Gestion::Centralisee, Gestion::Deleguee] {
            assert_eq!(Gestion::parse(g.code()), Some(g));
        }
        for a in [Administrateur::Principal, Administrateur::Suppleant] {
            assert_eq!(Administrateur::parse(a.code()), Some(a));
        }
    }

    #[test]
    fn hb_4_rsacg_has_exactly_the_six_profiles_of_the_convention() {
        let codes: Vec<_> = Bouquet::Rsacg.profils().iter().map(|p| p.code).collect();
        assert_eq!(codes, ["1", "2", "3", "4", "5", "6"]);
        assert_eq!(
            Bouquet::Rsacg.profil(Some(" 3 ")).unwrap().unwrap().libelle,
            "Chargés de suivi des dossiers RSA"
        );
        for refuse in ["0", "7", "travailleur social", "1,2"] {
            let err = Bouquet::Rsacg.profil(Some(refuse)).unwrap_err();
            assert_eq!(err.code(), "profil_inconnu", "{refuse}");
        }
        assert!(matches!(
            Bouquet::Rsacg.profil(None),
            Err(ProfilRefuse::Manquant { .. })
        ));
    }

    #[test]
    fn hb_4_qf_psu_and_mcp_take_no_profile() {
        for b in [Bouquet::Qf, Bouquet::Psu, Bouquet::McpQf, Bouquet::McpAdresse] {
            assert!(b.profils().is_empty());
            assert_eq!(b.profil(None), Ok(None));
            assert_eq!(b.profil(Some("  ")), Ok(None));
            assert_eq!(b.profil(Some("1")).unwrap_err().code(), "profil_inconnu");
        }
    }

    #[test]
    fn hb_10_identifiers_are_made_from_the_names() {
        let id = |p, n, r| identifiant_propose(p, n, r).unwrap().to_string();
        assert_eq!(id("Claire", "Martin", 1), "cmartin");
        assert_eq!(id("Élodie", "Le Bœuf-Hérault", 1), "eleboeufherault");
        assert_eq!(id("Claire", "Martin", 3), "cmartin3");
        assert_eq!(id("", "", 1), "agent");
        assert_eq!(id("Ян", "Ли", 2), "agent2");
    }

    #[test]
    fn hb_9_acts_codes_read_back_and_requests_keep_three_natures() {
        for n in NatureActe::ALL {
            assert_eq!(NatureActe::parse(n.code()), Some(n));
            if let Some(d) = n.demande() {
                assert_eq!(NatureActe::from(d), n);
            }
        }
        assert_eq!(NatureActe::Suspension.demande(), None);
        assert_eq!(NatureActe::Reactivation.demande(), None);
        assert_eq!(NatureActe::parse("partage"), None);
    }
}
