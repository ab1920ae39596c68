//! The PSU barème in the back office (issue #5, the PSU family fee): staff with role `conventions` see the
//! periods of their caisse and add one. The barème applies what the PSU conventions (001, 004) refer to, so
//! it is kept by those who run the conventions. A new period is checked as an import line is (floor not
//! above ceiling, end not before start, a rate in each column) and against the periods already there (no
//! two in force on the same day); a refused one writes nothing. Every addition is traced, refused or not.

use crate::personnel::Staff;
use crate::{App, AppError};
use chrono::NaiveDate;
use partage_domain::bareme::{verifier_baremes, BaremeError, BaremePsu, TauxEffort};
use partage_domain::personnel::Role;
use partage_domain::trace::Action;
use partage_domain::Euros;

/// A period as staff type it: dates `AAAA-MM-JJ` (`fin` empty: no end), amounts in euros, rates as in the
/// import (`0.0619` for 0,0619 %), one per number of dependent children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaisieBareme {
    pub debut: String,
    pub fin: String,
    pub plancher_mensuel: String,
    pub plafond_mensuel: String,
    pub collectif: Vec<String>,
    pub familial: Vec<String>,
}

impl SaisieBareme {
    /// The period, or every field in fault as `champ : raison`, joined by ` ; `.
    fn lire(&self) -> Result<BaremePsu, AppError> {
        let mut fautes = Vec::new();
        let mut date = |champ: &str, texte: &str| jour(champ, texte).map_err(|e| fautes.push(e)).ok();
        let debut = date("debut", &self.debut);
        let fin = if self.fin.trim().is_empty() {
            Some(None)
        } else {
            date("fin", &self.fin).map(Some)
        };
        let mut euros = |champ: &str, texte: &str| {
            Euros::parse(texte)
                .map_err(|e| fautes.push(format!("{champ} : {e}")))
                .ok()
        };
        let plancher = euros("plancher_mensuel", &self.plancher_mensuel);
        let plafond = euros("plafond_mensuel", &self.plafond_mensuel);
        let mut colonne = |champ: &str, textes: &[String]| {
            let avant = fautes.len();
            let taux: Vec<TauxEffort> = textes
                .iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .filter_map(|t| {
                    TauxEffort::parse(t)
                        .map_err(|e| fautes.push(format!("{champ} : {e}")))
                        .ok()
                })
                .collect();
            if taux.is_empty() && fautes.len() == avant {
                fautes.push(format!(
                    "{champ} : au moins un taux d'effort (pour un enfant à charge)"
                ));
            }
            (fautes.len() == avant).then_some(taux)
        };
        let collectif = colonne("collectif", &self.collectif);
        let familial = colonne("familial", &self.familial);
        match (debut, fin, plancher, plafond, collectif, familial) {
            (Some(debut), Some(fin), Some(plancher), Some(plafond), Some(collectif), Some(familial))
                if fautes.is_empty() =>
            {
                BaremePsu::new(debut, fin, plancher, plafond, collectif, familial).map_err(|e| {
                    let champ = match e {
                        BaremeError::PlancherAuDessusDuPlafond { .. } => "plancher_mensuel",
                        BaremeError::FinAvantDebut(_) => "fin",
                        _ => "bareme",
                    };
                    AppError::BaremeRefuse(format!("{champ} : {e}"))
                })
            }
            _ => Err(AppError::BaremeRefuse(fautes.join(" ; "))),
        }
    }
}

fn court(texte: &str) -> String {
    texte.trim().chars().take(20).collect()
}

/// A date typed `AAAA-MM-JJ`, or the field's reason in French (`champ : raison`).
fn jour(champ: &str, texte: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(texte.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{champ} : « {} » n'est pas une date AAAA-MM-JJ", court(texte)))
}

/// Another staff member changed the barème between the read and the write.
fn bareme_modifie() -> AppError {
    AppError::TransitionRefusee(
        "le barème a été modifié entre-temps par quelqu'un d'autre : rien n'a été enregistré, relisez-le \
         et recommencez"
            .into(),
    )
}

impl App {
    /// The PSU barème periods of the staff member's caisse, oldest first (role `conventions`).
    pub async fn baremes_psu_caisse(&self, staff: &Staff, source: &str) -> Result<Vec<BaremePsu>, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let baremes = self.store.baremes_psu(staff.personnel.caisse_id).await?;
        self.touch_personnel(staff).await?;
        Ok(baremes)
    }

    /// Adds a period to the caisse's PSU barème (role `conventions`); returns every period. Traced.
    pub async fn ajouter_bareme_psu(
        &self,
        staff: &Staff,
        saisie: &SaisieBareme,
        source: &str,
    ) -> Result<Vec<BaremePsu>, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let outcome = self.enregistrer_bareme(staff, saisie).await;
        let detail = format!(
            "bareme_psu=ajout;debut={};fin={}",
            court(&saisie.debut).replace([';', '='], "_"),
            court(&saisie.fin).replace([';', '='], "_")
        );
        self.tracer_acte(staff, Action::Gestion, &outcome, detail, None, source)
            .await?;
        outcome
    }

    /// Ends the period that begins on `debut` on `fin`, its last day (role `conventions`), for the yearly
    /// change: the next period can then be added from the day after. Refused, writing nothing, for an
    /// unknown period, an unreadable date, an end before its start or one that would overlap the next
    /// period. Returns every period. Traced.
    pub async fn clore_bareme_psu(
        &self,
        staff: &Staff,
        debut: &str,
        fin: &str,
        source: &str,
    ) -> Result<Vec<BaremePsu>, AppError> {
        self.exiger(staff, Role::Conventions, source).await?;
        let outcome = self.ecrire_cloture(staff, debut, fin).await;
        let detail = format!(
            "bareme_psu=cloture;debut={};fin={}",
            court(debut).replace([';', '='], "_"),
            court(fin).replace([';', '='], "_")
        );
        self.tracer_acte(staff, Action::Gestion, &outcome, detail, None, source)
            .await?;
        outcome
    }

    async fn ecrire_cloture(
        &self,
        staff: &Staff,
        debut: &str,
        fin: &str,
    ) -> Result<Vec<BaremePsu>, AppError> {
        let jour = |champ: &str, texte: &str| jour(champ, texte).map_err(AppError::BaremeRefuse);
        let (debut, fin) = (jour("debut", debut)?, jour("fin", fin)?);
        let caisse = staff.personnel.caisse_id;
        let actuels = self.store.baremes_psu(caisse).await?;
        let Some(periode) = actuels.iter().find(|b| b.debut() == debut) else {
            return Err(AppError::Introuvable(format!(
                "aucune période du barème PSU ne commence le {}",
                debut.format("%d/%m/%Y")
            )));
        };
        let close = periode
            .clore(fin)
            .map_err(|e| AppError::BaremeRefuse(format!("fin : {e}")))?;
        let liste: Vec<BaremePsu> = actuels
            .iter()
            .map(|b| {
                if b.debut() == debut {
                    close.clone()
                } else {
                    b.clone()
                }
            })
            .collect();
        let liste = verifier_baremes(liste).map_err(|e| AppError::BaremeRefuse(format!("fin : {e}")))?;
        if !self.store.remplacer_baremes_psu(caisse, &actuels, &liste).await? {
            return Err(bareme_modifie());
        }
        Ok(liste)
    }

    async fn enregistrer_bareme(
        &self,
        staff: &Staff,
        saisie: &SaisieBareme,
    ) -> Result<Vec<BaremePsu>, AppError> {
        let nouveau = saisie.lire()?;
        let caisse = staff.personnel.caisse_id;
        let actuels = self.store.baremes_psu(caisse).await?;
        let mut liste = actuels.clone();
        liste.push(nouveau);
        let liste = verifier_baremes(liste).map_err(|e| AppError::BaremeRefuse(format!("debut : {e}")))?;
        if !self.store.remplacer_baremes_psu(caisse, &actuels, &liste).await? {
            return Err(bareme_modifie());
        }
        Ok(liste)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saisie() -> SaisieBareme {
        SaisieBareme {
            debut: "2027-01-01".into(),
            fin: String::new(),
            plancher_mensuel: "801.00".into(),
            plafond_mensuel: "7000.00".into(),
            collectif: vec!["0.0619".into(), "0.0516".into()],
            familial: vec!["0.0516".into(), "".into()],
        }
    }

    fn refus(s: SaisieBareme) -> String {
        match s.lire() {
            Err(AppError::BaremeRefuse(m)) => m,
            autre => panic!("{autre:?}"),
        }
    }

    #[test]
    fn bq_psu_fee_a_typed_period_is_read_as_an_import_line() {
        let b = saisie().lire().unwrap();
        assert_eq!(b.fin(), None);
        assert_eq!(b.plancher_mensuel(), Euros::parse("801").unwrap());
        assert_eq!(b.taux(partage_domain::bareme::TypeAccueil::Familial).len(), 1);

        let plancher_haut = refus(SaisieBareme {
            plancher_mensuel: "8000.00".into(),
            ..saisie()
        });
        assert!(
            plancher_haut.starts_with("plancher_mensuel : le plancher mensuel"),
            "{plancher_haut}"
        );
        let m = refus(SaisieBareme {
            debut: "1er janvier".into(),
            fin: "2026-12-31".into(),
            collectif: vec!["6 %".into()],
            familial: vec![],
            ..saisie()
        });
        assert!(m.contains("debut : « 1er janvier » n'est pas une date"), "{m}");
        assert!(
            m.contains("collectif : « 6 % » n'est pas un taux d'effort"),
            "{m}"
        );
        assert!(m.contains("familial : au moins un taux d'effort"), "{m}");
        let m = refus(SaisieBareme {
            fin: "2026-12-31".into(),
            ..saisie()
        });
        assert!(m.starts_with("fin : "), "{m}");
    }
}
