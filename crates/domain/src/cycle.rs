//! The life of a convention (SPEC CV-2 to CV-8) as an explicit state machine.
//!
//! The rules that differ between conventions — how one ends it, with which notice, how long a mise en
//! demeure runs — are data of the convention's [`Modele`], never a test on the caisse. Every transition takes
//! its date as a parameter; date-driven transitions (tacit renewal, terminations taking effect) happen in
//! [`Cycle::avancer`], which a scheduler calls with today's date, as often as it likes: applying it twice on
//! the same day changes nothing, and one call after a long downtime catches up.

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A delay counted in calendar days or months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delai {
    Jours(u32),
    Mois(u32),
}

impl Delai {
    pub fn apres(self, date: NaiveDate) -> NaiveDate {
        match self {
            Delai::Jours(j) => date + Duration::days(i64::from(j)),
            // Adding months clamps to the month's last day (31 January + 1 month = 28 or 29 February).
            Delai::Mois(m) => date.checked_add_months(Months::new(m)).unwrap_or(NaiveDate::MAX),
        }
    }

    pub fn avant(self, date: NaiveDate) -> NaiveDate {
        match self {
            Delai::Jours(j) => date - Duration::days(i64::from(j)),
            Delai::Mois(m) => date.checked_sub_months(Months::new(m)).unwrap_or(NaiveDate::MIN),
        }
    }
}

/// How a convention may be ended early, and with which delays: the convention model's own articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Modele {
    /// Length of a period; renewed tacitly at each échéance (CV-3: one year).
    pub duree: Delai,
    /// Denunciation received at least this long before an échéance ends the convention at that échéance
    /// (MSA conventions, 000:9-2: three months). `None`: the model has no denunciation.
    pub preavis_denonciation: Option<Delai>,
    /// Unilateral resiliation at any time, effective on the date asked but never sooner than this after
    /// receipt (CAF, 003:17.2: three months). `None`: the model has none.
    pub preavis_resiliation: Option<Delai>,
    /// A mise en demeure left without effect ends the convention this long after its receipt (CV-5: 30 days
    /// for MSA, one month for the CAF).
    pub delai_mise_en_demeure: Delai,
    /// Past this long after its notification, force majeure lets either party terminate at once (CV-6).
    pub delai_force_majeure: Delai,
}

impl Modele {
    /// MSA conventions (000, 001, 002, 004).
    pub const MSA: Modele = Modele {
        duree: Delai::Mois(12),
        preavis_denonciation: Some(Delai::Mois(3)),
        preavis_resiliation: None,
        delai_mise_en_demeure: Delai::Jours(30),
        delai_force_majeure: Delai::Jours(30),
    };
    /// CAF "Mon Compte Partenaire" conventions (003).
    pub const CAF: Modele = Modele {
        duree: Delai::Mois(12),
        preavis_denonciation: None,
        preavis_resiliation: Some(Delai::Mois(3)),
        delai_mise_en_demeure: Delai::Mois(1),
        delai_force_majeure: Delai::Jours(30),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Partie {
    Caisse,
    Partenaire,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MotifFin {
    Denonciation,
    ResiliationUnilaterale,
    Inexecution,
    ForceMajeure,
    /// An end date the convention was imported with.
    TermeConvenu,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "etat", rename_all = "snake_case")]
pub enum Etat {
    Brouillon,
    /// Signed by one party only.
    SigneeParUne {
        partie: Partie,
        le: NaiveDate,
    },
    /// Signed by both, waiting for the CNIL formality (CV-2).
    AttenteCnil {
        signee_le: NaiveDate,
    },
    /// In force; `echeance` is the end of the current period, when it renews tacitly.
    EnVigueur {
        echeance: NaiveDate,
    },
    /// In force until `effet_le`, then ended for `motif`.
    FinProgrammee {
        echeance: NaiveDate,
        effet_le: NaiveDate,
        motif: MotifFin,
    },
    /// Obligations suspended by force majeure since its notification (CV-6): no access.
    Suspendue {
        echeance: NaiveDate,
        notifiee_le: NaiveDate,
    },
    Terminee {
        le: NaiveDate,
        motif: MotifFin,
    },
}

/// Why a transition was refused, in French for the staff who asked for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionRefusee {
    #[error("cette action n'est pas possible quand la convention est {0}")]
    EtatIncompatible(&'static str),
    #[error("cette partie a déjà signé")]
    DejaSignee,
    #[error("le modèle de cette convention ne prévoit pas {0}")]
    NonPrevu(&'static str),
    #[error("la date {date} précède la date {reference} ({quoi})")]
    DateAnterieure {
        date: NaiveDate,
        reference: NaiveDate,
        quoi: &'static str,
    },
    #[error("la force majeure n'a été notifiée que le {notifiee_le} : la résiliation est possible à partir du {possible_le}")]
    ForceMajeureTropRecente {
        notifiee_le: NaiveDate,
        possible_le: NaiveDate,
    },
}

/// A convention's life: its model, where it stands, and when it took effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycle {
    pub modele: Modele,
    pub etat: Etat,
}

impl Etat {
    /// The state's code, as the API writes it in `etat`.
    pub fn code(&self) -> &'static str {
        match self {
            Etat::Brouillon => "brouillon",
            Etat::SigneeParUne { .. } => "signee_par_une",
            Etat::AttenteCnil { .. } => "attente_cnil",
            Etat::EnVigueur { .. } => "en_vigueur",
            Etat::FinProgrammee { .. } => "fin_programmee",
            Etat::Suspendue { .. } => "suspendue",
            Etat::Terminee { .. } => "terminee",
        }
    }

    /// The state in French, after « la convention est ».
    pub fn nom(&self) -> &'static str {
        match self {
            Etat::Brouillon => "en brouillon",
            Etat::SigneeParUne { .. } => "signée par une seule partie",
            Etat::AttenteCnil { .. } => "en attente de la formalité CNIL",
            Etat::EnVigueur { .. } => "en vigueur",
            Etat::FinProgrammee { .. } => "en vigueur avec une fin programmée",
            Etat::Suspendue { .. } => "suspendue pour force majeure",
            Etat::Terminee { .. } => "terminée",
        }
    }
}

fn not_before(date: NaiveDate, reference: NaiveDate, quoi: &'static str) -> Result<(), TransitionRefusee> {
    if date < reference {
        Err(TransitionRefusee::DateAnterieure {
            date,
            reference,
            quoi,
        })
    } else {
        Ok(())
    }
}

impl Cycle {
    pub fn nouveau(modele: Modele) -> Cycle {
        Cycle {
            modele,
            etat: Etat::Brouillon,
        }
    }

    /// CV-2: access is open only while the convention is in force (a programmed end included, until it).
    pub fn ouvre_les_acces(&self) -> bool {
        matches!(self.etat, Etat::EnVigueur { .. } | Etat::FinProgrammee { .. })
    }

    /// CV-2: each party signs once; the second signature makes the convention wait for the CNIL formality.
    pub fn signer(&mut self, partie: Partie, le: NaiveDate) -> Result<(), TransitionRefusee> {
        self.etat = match self.etat {
            Etat::Brouillon => Etat::SigneeParUne { partie, le },
            Etat::SigneeParUne { partie: p, .. } if p == partie => return Err(TransitionRefusee::DejaSignee),
            Etat::SigneeParUne { le: premiere, .. } => Etat::AttenteCnil {
                signee_le: le.max(premiere),
            },
            other => return Err(TransitionRefusee::EtatIncompatible(other.nom())),
        };
        Ok(())
    }

    /// CV-2, CV-3: the CNIL formality opens access; the first period runs from the signature by both.
    pub fn formalite_cnil(&mut self, le: NaiveDate) -> Result<(), TransitionRefusee> {
        let Etat::AttenteCnil { signee_le } = self.etat else {
            return Err(TransitionRefusee::EtatIncompatible(self.etat.nom()));
        };
        let mut echeance = self.modele.duree.apres(signee_le);
        // A formality completed after whole periods have passed starts in the current one.
        while echeance <= le {
            echeance = self.modele.duree.apres(echeance);
        }
        self.etat = Etat::EnVigueur { echeance };
        Ok(())
    }

    /// CV-4 (MSA): a denunciation received at least the notice before an échéance ends the convention at
    /// that échéance; received later, at the next one.
    pub fn denoncer(&mut self, recue_le: NaiveDate) -> Result<NaiveDate, TransitionRefusee> {
        let preavis = self
            .modele
            .preavis_denonciation
            .ok_or(TransitionRefusee::NonPrevu("de dénonciation"))?;
        let Etat::EnVigueur { echeance } = self.etat else {
            return Err(TransitionRefusee::EtatIncompatible(self.etat.nom()));
        };
        let mut effet_le = echeance;
        while recue_le > preavis.avant(effet_le) {
            effet_le = self.modele.duree.apres(effet_le);
        }
        self.etat = Etat::FinProgrammee {
            echeance,
            effet_le,
            motif: MotifFin::Denonciation,
        };
        Ok(effet_le)
    }

    /// CV-4 (CAF): unilateral resiliation, effective on the date asked, never sooner than the notice after
    /// receipt.
    pub fn resilier(
        &mut self,
        recue_le: NaiveDate,
        souhaitee_le: NaiveDate,
    ) -> Result<NaiveDate, TransitionRefusee> {
        let preavis = self
            .modele
            .preavis_resiliation
            .ok_or(TransitionRefusee::NonPrevu("de résiliation unilatérale"))?;
        let echeance = match self.etat {
            Etat::EnVigueur { echeance } => echeance,
            Etat::FinProgrammee { echeance, .. } => echeance,
            other => return Err(TransitionRefusee::EtatIncompatible(other.nom())),
        };
        let effet_le = souhaitee_le.max(preavis.apres(recue_le));
        if let Etat::FinProgrammee { effet_le: deja, .. } = self.etat {
            if deja <= effet_le {
                return Ok(deja); // An earlier end already stands.
            }
        }
        self.etat = Etat::FinProgrammee {
            echeance,
            effet_le,
            motif: MotifFin::ResiliationUnilaterale,
        };
        Ok(effet_le)
    }

    /// CV-5: a mise en demeure left without effect ends the convention after the model's delay.
    pub fn mettre_en_demeure(&mut self, recue_le: NaiveDate) -> Result<NaiveDate, TransitionRefusee> {
        let echeance = match self.etat {
            Etat::EnVigueur { echeance } | Etat::FinProgrammee { echeance, .. } => echeance,
            other => return Err(TransitionRefusee::EtatIncompatible(other.nom())),
        };
        let effet_le = self.modele.delai_mise_en_demeure.apres(recue_le);
        if let Etat::FinProgrammee { effet_le: deja, .. } = self.etat {
            if deja <= effet_le {
                return Ok(deja);
            }
        }
        self.etat = Etat::FinProgrammee {
            echeance,
            effet_le,
            motif: MotifFin::Inexecution,
        };
        Ok(effet_le)
    }

    /// CV-5: the breach was remedied in time; the convention goes on.
    pub fn lever_mise_en_demeure(&mut self) -> Result<(), TransitionRefusee> {
        match self.etat {
            Etat::FinProgrammee {
                echeance,
                motif: MotifFin::Inexecution,
                ..
            } => {
                self.etat = Etat::EnVigueur { echeance };
                Ok(())
            }
            other => Err(TransitionRefusee::EtatIncompatible(other.nom())),
        }
    }

    /// CV-6: force majeure suspends the obligations, and access with them.
    pub fn force_majeure(&mut self, notifiee_le: NaiveDate) -> Result<(), TransitionRefusee> {
        let Etat::EnVigueur { echeance } = self.etat else {
            return Err(TransitionRefusee::EtatIncompatible(self.etat.nom()));
        };
        self.etat = Etat::Suspendue {
            echeance,
            notifiee_le,
        };
        Ok(())
    }

    pub fn fin_force_majeure(&mut self, le: NaiveDate) -> Result<(), TransitionRefusee> {
        let Etat::Suspendue {
            echeance,
            notifiee_le,
        } = self.etat
        else {
            return Err(TransitionRefusee::EtatIncompatible(self.etat.nom()));
        };
        not_before(le, notifiee_le, "notification de la force majeure")?;
        self.etat = Etat::EnVigueur { echeance };
        self.avancer(le);
        Ok(())
    }

    /// CV-6: past the delay after its notification, either party may terminate at once.
    pub fn resilier_pour_force_majeure(&mut self, le: NaiveDate) -> Result<(), TransitionRefusee> {
        let Etat::Suspendue { notifiee_le, .. } = self.etat else {
            return Err(TransitionRefusee::EtatIncompatible(self.etat.nom()));
        };
        let possible_le = self.modele.delai_force_majeure.apres(notifiee_le);
        if le < possible_le {
            return Err(TransitionRefusee::ForceMajeureTropRecente {
                notifiee_le,
                possible_le,
            });
        }
        self.etat = Etat::Terminee {
            le,
            motif: MotifFin::ForceMajeure,
        };
        Ok(())
    }

    /// Applies every date-driven transition due by `aujourdhui` (CV-3 tacit renewals, CV-4/CV-5 ends).
    /// Idempotent: a second call the same day changes nothing. Returns whether anything changed.
    pub fn avancer(&mut self, aujourdhui: NaiveDate) -> bool {
        let avant = self.etat;
        loop {
            self.etat = match self.etat {
                Etat::FinProgrammee { effet_le, motif, .. } if effet_le <= aujourdhui => {
                    Etat::Terminee { le: effet_le, motif }
                }
                Etat::FinProgrammee {
                    echeance,
                    effet_le,
                    motif,
                } if echeance <= aujourdhui => Etat::FinProgrammee {
                    echeance: self.modele.duree.apres(echeance),
                    effet_le,
                    motif,
                },
                Etat::EnVigueur { echeance } if echeance <= aujourdhui => Etat::EnVigueur {
                    echeance: self.modele.duree.apres(echeance),
                },
                _ => break,
            };
        }
        self.etat != avant
    }

    /// CV-8: confidentiality survives the end by five years.
    pub fn confidentialite_jusquau(&self) -> Option<NaiveDate> {
        match self.etat {
            Etat::Terminee { le, .. } => le
                .with_year(le.year() + 5)
                .or_else(|| Delai::Mois(60).apres(le).into()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn each_state_code_is_the_one_the_api_serialises() {
        let le = d("2026-01-01");
        for etat in [
            Etat::Brouillon,
            Etat::SigneeParUne {
                partie: Partie::Caisse,
                le,
            },
            Etat::AttenteCnil { signee_le: le },
            Etat::EnVigueur { echeance: le },
            Etat::FinProgrammee {
                echeance: le,
                effet_le: le,
                motif: MotifFin::Denonciation,
            },
            Etat::Suspendue {
                echeance: le,
                notifiee_le: le,
            },
            Etat::Terminee {
                le,
                motif: MotifFin::ForceMajeure,
            },
        ] {
            let json = serde_json::to_value(etat).unwrap();
            assert_eq!(json["etat"], etat.code());
        }
    }

    fn en_vigueur(modele: Modele) -> Cycle {
        let mut c = Cycle::nouveau(modele);
        c.signer(Partie::Partenaire, d("2026-01-05")).unwrap();
        c.signer(Partie::Caisse, d("2026-01-10")).unwrap();
        c.formalite_cnil(d("2026-01-20")).unwrap();
        c
    }

    #[test]
    fn cv_2_both_signatures_and_the_cnil_formality_before_access() {
        let mut c = Cycle::nouveau(Modele::MSA);
        assert!(!c.ouvre_les_acces());
        c.signer(Partie::Partenaire, d("2026-01-05")).unwrap();
        assert_eq!(
            c.signer(Partie::Partenaire, d("2026-01-06")),
            Err(TransitionRefusee::DejaSignee)
        );
        assert!(matches!(
            c.formalite_cnil(d("2026-01-07")),
            Err(TransitionRefusee::EtatIncompatible(_))
        ));
        c.signer(Partie::Caisse, d("2026-01-10")).unwrap();
        assert_eq!(
            c.etat,
            Etat::AttenteCnil {
                signee_le: d("2026-01-10")
            }
        );
        assert!(!c.ouvre_les_acces());
        c.formalite_cnil(d("2026-01-20")).unwrap();
        assert!(c.ouvre_les_acces());
        assert_eq!(
            c.etat,
            Etat::EnVigueur {
                echeance: d("2027-01-10")
            }
        );
    }

    #[test]
    fn cv_3_renewed_tacitly_each_year_and_caught_up_after_downtime() {
        let mut c = en_vigueur(Modele::MSA);
        assert!(!c.avancer(d("2027-01-09")));
        assert!(c.avancer(d("2027-01-10")));
        assert_eq!(
            c.etat,
            Etat::EnVigueur {
                echeance: d("2028-01-10")
            }
        );
        assert!(!c.avancer(d("2027-01-10")), "applied once only");
        // Three years without a tick: one call catches up.
        assert!(c.avancer(d("2030-06-01")));
        assert_eq!(
            c.etat,
            Etat::EnVigueur {
                echeance: d("2031-01-10")
            }
        );
    }

    #[test]
    fn cv_4_denunciation_three_months_ahead_ends_at_the_echeance() {
        let mut c = en_vigueur(Modele::MSA);
        assert_eq!(c.denoncer(d("2026-10-10")), Ok(d("2027-01-10")));
        assert!(c.ouvre_les_acces(), "still in force until the échéance");
        c.avancer(d("2027-01-09"));
        assert!(c.ouvre_les_acces());
        c.avancer(d("2027-01-10"));
        assert_eq!(
            c.etat,
            Etat::Terminee {
                le: d("2027-01-10"),
                motif: MotifFin::Denonciation
            }
        );
        assert!(!c.ouvre_les_acces());
    }

    #[test]
    fn cv_4_late_denunciation_ends_at_the_next_echeance() {
        let mut c = en_vigueur(Modele::MSA);
        assert_eq!(c.denoncer(d("2026-10-11")), Ok(d("2028-01-10")));
        c.avancer(d("2027-06-01"));
        assert!(c.ouvre_les_acces());
        assert!(matches!(c.etat, Etat::FinProgrammee { echeance, .. } if echeance == d("2028-01-10")));
        c.avancer(d("2028-01-10"));
        assert!(!c.ouvre_les_acces());
    }

    #[test]
    fn cv_4_caf_resiliation_on_the_date_asked_never_before_three_months() {
        let mut c = en_vigueur(Modele::CAF);
        assert_eq!(
            c.denoncer(d("2026-03-01")),
            Err(TransitionRefusee::NonPrevu("de dénonciation"))
        );
        assert_eq!(c.resilier(d("2026-03-01"), d("2026-04-01")), Ok(d("2026-06-01")));
        let mut c = en_vigueur(Modele::CAF);
        assert_eq!(c.resilier(d("2026-03-01"), d("2026-09-15")), Ok(d("2026-09-15")));
        assert!(Cycle::nouveau(Modele::MSA)
            .resilier(d("2026-03-01"), d("2026-09-15"))
            .is_err());
    }

    #[test]
    fn cv_5_mise_en_demeure_ends_after_30_days_msa_one_month_caf_unless_lifted() {
        let mut msa = en_vigueur(Modele::MSA);
        assert_eq!(msa.mettre_en_demeure(d("2026-02-01")), Ok(d("2026-03-03")));
        let mut caf = en_vigueur(Modele::CAF);
        assert_eq!(caf.mettre_en_demeure(d("2026-02-01")), Ok(d("2026-03-01")));
        caf.lever_mise_en_demeure().unwrap();
        caf.avancer(d("2026-03-01"));
        assert!(caf.ouvre_les_acces(), "lifted: goes on");
        msa.avancer(d("2026-03-03"));
        assert_eq!(
            msa.etat,
            Etat::Terminee {
                le: d("2026-03-03"),
                motif: MotifFin::Inexecution
            }
        );
    }

    #[test]
    fn cv_6_force_majeure_suspends_and_allows_termination_after_30_days() {
        let mut c = en_vigueur(Modele::MSA);
        c.force_majeure(d("2026-04-01")).unwrap();
        assert!(!c.ouvre_les_acces());
        assert_eq!(
            c.resilier_pour_force_majeure(d("2026-04-30")),
            Err(TransitionRefusee::ForceMajeureTropRecente {
                notifiee_le: d("2026-04-01"),
                possible_le: d("2026-05-01")
            })
        );
        let mut reprise = c;
        reprise.fin_force_majeure(d("2026-04-20")).unwrap();
        assert!(reprise.ouvre_les_acces());
        c.resilier_pour_force_majeure(d("2026-05-01")).unwrap();
        assert_eq!(
            c.etat,
            Etat::Terminee {
                le: d("2026-05-01"),
                motif: MotifFin::ForceMajeure
            }
        );
    }

    #[test]
    fn cv_8_confidentiality_survives_five_years_and_nothing_reopens_an_ended_convention() {
        let mut c = en_vigueur(Modele::MSA);
        c.mettre_en_demeure(d("2026-02-01")).unwrap();
        c.avancer(d("2026-12-31"));
        assert_eq!(c.confidentialite_jusquau(), Some(d("2031-03-03")));
        assert!(c.denoncer(d("2027-01-01")).is_err());
        assert!(c.force_majeure(d("2027-01-01")).is_err());
        assert!(c.signer(Partie::Caisse, d("2027-01-01")).is_err());
        assert!(!c.avancer(d("2040-01-01")));
    }
}
