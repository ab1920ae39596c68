//! The staff's acts on a convention's life (SPEC CV-2 to CV-6), each backed by a document, and what the
//! resulting state means for the partner's access (CV-2, CV-8).

use crate::cycle::{Cycle, Etat, Partie, TransitionRefusee};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One act, with the date that counts for the rules (signature, receipt of the letter, notification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "acte", rename_all = "snake_case")]
pub enum Acte {
    Signer {
        partie: Partie,
        le: NaiveDate,
    },
    FormaliteCnil {
        le: NaiveDate,
    },
    Denoncer {
        recue_le: NaiveDate,
    },
    Resilier {
        recue_le: NaiveDate,
        souhaitee_le: NaiveDate,
    },
    MettreEnDemeure {
        recue_le: NaiveDate,
    },
    LeverMiseEnDemeure {
        le: NaiveDate,
    },
    ForceMajeure {
        notifiee_le: NaiveDate,
    },
    FinForceMajeure {
        le: NaiveDate,
    },
    ResilierPourForceMajeure {
        le: NaiveDate,
    },
}

/// The letter or avenant behind an act: its reference and when the caisse received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub reference: String,
    pub recu_le: NaiveDate,
}

impl Acte {
    /// An act from its code and dates as a form or the API sends them; a French reason otherwise.
    pub fn depuis(
        code: &str,
        date: NaiveDate,
        partie: Option<&str>,
        souhaitee_le: Option<NaiveDate>,
    ) -> Result<Acte, String> {
        Ok(match code {
            "signer" => Acte::Signer {
                partie: match partie {
                    Some("caisse") => Partie::Caisse,
                    Some("partenaire") => Partie::Partenaire,
                    _ => return Err("la partie qui signe doit être « caisse » ou « partenaire »".into()),
                },
                le: date,
            },
            "formalite_cnil" => Acte::FormaliteCnil { le: date },
            "denoncer" => Acte::Denoncer { recue_le: date },
            "resilier" => Acte::Resilier {
                recue_le: date,
                souhaitee_le: souhaitee_le
                    .ok_or("une résiliation indique la date d'effet souhaitée (souhaitee_le)")?,
            },
            "mettre_en_demeure" => Acte::MettreEnDemeure { recue_le: date },
            "lever_mise_en_demeure" => Acte::LeverMiseEnDemeure { le: date },
            "force_majeure" => Acte::ForceMajeure { notifiee_le: date },
            "fin_force_majeure" => Acte::FinForceMajeure { le: date },
            "resilier_pour_force_majeure" => Acte::ResilierPourForceMajeure { le: date },
            other => {
                return Err(format!(
                    "action « {} » inconnue",
                    other.chars().take(40).collect::<String>()
                ))
            }
        })
    }

    pub fn code(&self) -> &'static str {
        match self {
            Acte::Signer { .. } => "signer",
            Acte::FormaliteCnil { .. } => "formalite_cnil",
            Acte::Denoncer { .. } => "denoncer",
            Acte::Resilier { .. } => "resilier",
            Acte::MettreEnDemeure { .. } => "mettre_en_demeure",
            Acte::LeverMiseEnDemeure { .. } => "lever_mise_en_demeure",
            Acte::ForceMajeure { .. } => "force_majeure",
            Acte::FinForceMajeure { .. } => "fin_force_majeure",
            Acte::ResilierPourForceMajeure { .. } => "resilier_pour_force_majeure",
        }
    }

    /// The date the act happened (not a date it asks for, like a resiliation's wished date).
    pub fn date(&self) -> NaiveDate {
        match *self {
            Acte::Signer { le, .. }
            | Acte::FormaliteCnil { le }
            | Acte::LeverMiseEnDemeure { le }
            | Acte::FinForceMajeure { le }
            | Acte::ResilierPourForceMajeure { le } => le,
            Acte::Denoncer { recue_le }
            | Acte::Resilier { recue_le, .. }
            | Acte::MettreEnDemeure { recue_le } => recue_le,
            Acte::ForceMajeure { notifiee_le } => notifiee_le,
        }
    }

    /// Applies the act to a copy of the cycle: the original is untouched when the act is refused.
    pub fn appliquer(&self, cycle: &Cycle) -> Result<Cycle, TransitionRefusee> {
        let mut c = *cycle;
        match *self {
            Acte::Signer { partie, le } => c.signer(partie, le)?,
            Acte::FormaliteCnil { le } => c.formalite_cnil(le)?,
            Acte::Denoncer { recue_le } => c.denoncer(recue_le).map(|_| ())?,
            Acte::Resilier {
                recue_le,
                souhaitee_le,
            } => c.resilier(recue_le, souhaitee_le).map(|_| ())?,
            Acte::MettreEnDemeure { recue_le } => c.mettre_en_demeure(recue_le).map(|_| ())?,
            Acte::LeverMiseEnDemeure { .. } => c.lever_mise_en_demeure()?,
            Acte::ForceMajeure { notifiee_le } => c.force_majeure(notifiee_le)?,
            Acte::FinForceMajeure { le } => c.fin_force_majeure(le)?,
            Acte::ResilierPourForceMajeure { le } => c.resilier_pour_force_majeure(le)?,
        }
        Ok(c)
    }
}

/// The dates the partner's access is computed from (`Convention::en_vigueur`): access runs from the CNIL
/// formality, never before the signature by both, until `fin_le` excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acces {
    pub signee_le: NaiveDate,
    pub formalite_cnil_le: Option<NaiveDate>,
    pub fin_le: Option<NaiveDate>,
}

/// The access a cycle opens, from the dates already known (`actuel`) and the act just applied.
/// - Not yet in force: no formality date, so no access (CV-2).
/// - A programmed end, a suspension (CV-6) or an end: access stops on that day (CV-8).
pub fn acces(cycle: &Cycle, actuel: Acces, acte: Option<&Acte>) -> Acces {
    let mut a = actuel;
    match cycle.etat {
        Etat::Brouillon | Etat::SigneeParUne { .. } => {
            a.formalite_cnil_le = None;
            a.fin_le = None;
        }
        Etat::AttenteCnil { signee_le } => {
            a.signee_le = signee_le;
            a.formalite_cnil_le = None;
            a.fin_le = None;
        }
        Etat::EnVigueur { .. } => a.fin_le = None,
        Etat::FinProgrammee { effet_le, .. } => a.fin_le = Some(effet_le),
        Etat::Suspendue { notifiee_le, .. } => a.fin_le = Some(notifiee_le),
        Etat::Terminee { le, .. } => a.fin_le = Some(le),
    }
    if let Some(Acte::FormaliteCnil { le }) = acte {
        a.formalite_cnil_le = Some(*le);
    }
    // Ended before it ever opened: it never gives access.
    if let (Some(fin), debut) = (a.fin_le, a.formalite_cnil_le.map(|c| c.max(a.signee_le))) {
        if debut.is_none_or(|d| fin <= d) {
            a.formalite_cnil_le = None;
            a.fin_le = None;
        }
    }
    a
}

/// An act the staff may record now, as a form offers it: its code, its label, and for a signature the
/// party still to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActePossible {
    pub code: &'static str,
    pub libelle: &'static str,
    /// What the act's date is, as the form labels it.
    pub date: &'static str,
    pub partie: Option<Partie>,
}

/// The acts the rules accept on `cycle` today, tried on a copy: a page offers these and no other. An act
/// refused only for its dates (a force majeure too recent) is left out until it becomes possible.
pub fn actes_possibles(cycle: &Cycle, aujourdhui: NaiveDate) -> Vec<ActePossible> {
    let d = aujourdhui;
    let candidats = [
        (
            Acte::Signer {
                partie: Partie::Partenaire,
                le: d,
            },
            "Signature du partenaire",
            "Signée le",
        ),
        (
            Acte::Signer {
                partie: Partie::Caisse,
                le: d,
            },
            "Signature de la caisse",
            "Signée le",
        ),
        (
            Acte::FormaliteCnil { le: d },
            "Formalité CNIL accomplie",
            "Accomplie le",
        ),
        (
            Acte::Denoncer { recue_le: d },
            "Dénonciation (lettre recommandée)",
            "Lettre reçue le",
        ),
        (
            Acte::Resilier {
                recue_le: d,
                souhaitee_le: d,
            },
            "Résiliation unilatérale",
            "Lettre reçue le",
        ),
        (
            Acte::MettreEnDemeure { recue_le: d },
            "Mise en demeure pour manquement",
            "Reçue le",
        ),
        (
            Acte::LeverMiseEnDemeure { le: d },
            "Levée de la mise en demeure",
            "Levée le",
        ),
        (
            Acte::ForceMajeure { notifiee_le: d },
            "Force majeure notifiée",
            "Notifiée le",
        ),
        (
            Acte::FinForceMajeure { le: d },
            "Fin de la force majeure",
            "Terminée le",
        ),
        (
            Acte::ResilierPourForceMajeure { le: d },
            "Résiliation pour force majeure",
            "Résiliée le",
        ),
    ];
    candidats
        .into_iter()
        .filter(|(acte, _, _)| acte.appliquer(cycle).is_ok())
        .map(|(acte, libelle, date)| ActePossible {
            code: acte.code(),
            libelle,
            date,
            partie: match acte {
                Acte::Signer { partie, .. } => Some(partie),
                _ => None,
            },
        })
        .collect()
}

/// The next day on which time alone changes the cycle (tacit renewal, an end taking effect), for the
/// scheduler to find it without reading every convention.
pub fn prochaine_echeance(cycle: &Cycle) -> Option<NaiveDate> {
    match cycle.etat {
        Etat::EnVigueur { echeance } => Some(echeance),
        Etat::FinProgrammee {
            echeance, effet_le, ..
        } => Some(echeance.min(effet_le)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cycle::Modele;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn cv_2_only_the_acts_the_state_allows_are_offered() {
        let codes = |c: &Cycle, jour: &str| -> Vec<(&str, Option<Partie>)> {
            actes_possibles(c, d(jour))
                .into_iter()
                .map(|a| (a.code, a.partie))
                .collect()
        };
        let mut c = Cycle::nouveau(Modele::MSA);
        assert_eq!(
            codes(&c, "2026-01-05"),
            [
                ("signer", Some(Partie::Partenaire)),
                ("signer", Some(Partie::Caisse))
            ]
        );
        c.signer(Partie::Partenaire, d("2026-01-05")).unwrap();
        assert_eq!(codes(&c, "2026-01-06"), [("signer", Some(Partie::Caisse))]);
        c.signer(Partie::Caisse, d("2026-01-06")).unwrap();
        assert_eq!(codes(&c, "2026-01-07"), [("formalite_cnil", None)]);
        c.formalite_cnil(d("2026-01-07")).unwrap();
        // MSA: denunciation, no unilateral resiliation.
        assert_eq!(
            codes(&c, "2026-02-01"),
            [
                ("denoncer", None),
                ("mettre_en_demeure", None),
                ("force_majeure", None)
            ]
        );
        c.force_majeure(d("2026-02-01")).unwrap();
        assert_eq!(
            codes(&c, "2026-02-10"),
            [("fin_force_majeure", None)],
            "too early to terminate"
        );
        assert_eq!(
            codes(&c, "2026-03-10"),
            [("fin_force_majeure", None), ("resilier_pour_force_majeure", None)]
        );
    }

    fn debut() -> Acces {
        Acces {
            signee_le: d("2026-01-01"),
            formalite_cnil_le: None,
            fin_le: None,
        }
    }

    fn jouer(modele: Modele, actes: &[Acte]) -> (Cycle, Acces) {
        let mut c = Cycle::nouveau(modele);
        let mut a = debut();
        for acte in actes {
            c = acte.appliquer(&c).unwrap();
            a = acces(&c, a, Some(acte));
        }
        (c, a)
    }

    #[test]
    fn cv_2_access_opens_with_the_formality_after_both_signatures() {
        let (c, a) = jouer(
            Modele::MSA,
            &[
                Acte::Signer {
                    partie: Partie::Partenaire,
                    le: d("2026-01-05"),
                },
                Acte::Signer {
                    partie: Partie::Caisse,
                    le: d("2026-01-10"),
                },
            ],
        );
        assert_eq!(a.formalite_cnil_le, None);
        assert_eq!(a.signee_le, d("2026-01-10"));
        let acte = Acte::FormaliteCnil { le: d("2026-01-20") };
        let c = acte.appliquer(&c).unwrap();
        let a = acces(&c, a, Some(&acte));
        assert_eq!(a.formalite_cnil_le, Some(d("2026-01-20")));
        assert_eq!(prochaine_echeance(&c), Some(d("2027-01-10")));
    }

    #[test]
    fn cv_8_access_ends_on_the_day_the_end_takes_effect_and_a_refused_act_changes_nothing() {
        let ouverture = [
            Acte::Signer {
                partie: Partie::Partenaire,
                le: d("2026-01-05"),
            },
            Acte::Signer {
                partie: Partie::Caisse,
                le: d("2026-01-10"),
            },
            Acte::FormaliteCnil { le: d("2026-01-20") },
        ];
        let (c, a) = jouer(Modele::MSA, &ouverture);
        let acte = Acte::MettreEnDemeure {
            recue_le: d("2026-02-01"),
        };
        let c2 = acte.appliquer(&c).unwrap();
        assert_eq!(acces(&c2, a, Some(&acte)).fin_le, Some(d("2026-03-03")));
        assert_eq!(prochaine_echeance(&c2), Some(d("2026-03-03")));
        let refuse = Acte::Resilier {
            recue_le: d("2026-02-01"),
            souhaitee_le: d("2026-06-01"),
        };
        assert!(refuse.appliquer(&c).is_err(), "MSA: no unilateral resiliation");
        let fm = Acte::ForceMajeure {
            notifiee_le: d("2026-04-01"),
        };
        let c3 = fm.appliquer(&c).unwrap();
        assert_eq!(acces(&c3, a, Some(&fm)).fin_le, Some(d("2026-04-01")));
        let reprise = Acte::FinForceMajeure { le: d("2026-04-10") };
        let c4 = reprise.appliquer(&c3).unwrap();
        assert_eq!(acces(&c4, a, Some(&reprise)).fin_le, None);
        // Suspended on the very day of the formality: never opened, and stored so (no end before a start).
        let same_day = Acte::ForceMajeure {
            notifiee_le: d("2026-01-20"),
        };
        let c5 = same_day.appliquer(&c).unwrap();
        let a5 = acces(&c5, a, Some(&same_day));
        assert_eq!((a5.formalite_cnil_le, a5.fin_le), (None, None));
    }
}
