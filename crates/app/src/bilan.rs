//! The bilan annuel of a convention (SPEC SU-4, CV-10, 003 art. 16), role `conventions` or `supervision`:
//! the assignment and use of its accesses over a calendar year, produced from the data alone.
//!
//! - habilitations: the cap and the habilitations held now; those opened, changed and removed in the year,
//!   by the caisse (requests carried out) and by the partner's administrators (delegated acts, from their
//!   traces);
//! - use: the partner's consultations of the convention's bouquets per month (UTC), with dossiers found and
//!   not found, oppositions met and other refusals, counted from the traces like the monthly statistics;
//! - supervision: the alerts about the partner raised for days of the year, per rule, and the suspensions
//!   of the partner or of one of its agents who consulted that year, made in the year.

use crate::auth::bounded;
use crate::personnel::Staff;
use crate::{App, AppError};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use partage_domain::abus::Regle;
use partage_domain::demande::{EtatDemande, NatureDemande};
use partage_domain::personnel::Role;
use partage_domain::trace::{Action, Resultat};
use partage_domain::{Bouquet, NumeroConvention, NumeroTiers};
use partage_store::habilitations::FiltreDemandes;
use partage_store::supervision::{Cible, SuspensionRecord, TraceFilter};
use std::collections::{BTreeMap, BTreeSet};

/// One bouquet's use in one month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageMensuel {
    /// 1 to 12.
    pub mois: u32,
    pub bouquet: Option<Bouquet>,
    pub consultations: i64,
    pub trouves: i64,
    pub introuvables: i64,
    pub oppositions: i64,
    pub refus: i64,
}

/// Habilitations opened, changed and removed in the year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mouvements {
    pub accordees: u32,
    pub modifiees: u32,
    pub supprimees: u32,
}

impl Mouvements {
    fn compter(&mut self, n: NatureDemande) {
        match n {
            NatureDemande::Acces => self.accordees += 1,
            NatureDemande::Modification => self.modifiees += 1,
            NatureDemande::Suppression => self.supprimees += 1,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Bilan {
    pub annee: i32,
    pub convention: NumeroConvention,
    pub partenaire: NumeroTiers,
    pub partenaire_nom: Option<String>,
    pub bouquets: Vec<Bouquet>,
    /// `None`: no cap.
    pub plafond: Option<u32>,
    /// Held now, when the bilan is produced.
    pub habilitations_actives: u32,
    /// Carried out by the caisse.
    pub par_la_caisse: Mouvements,
    /// Done by the partner's administrators (gestion déléguée).
    pub par_le_partenaire: Mouvements,
    /// Months with any use, in month then bouquet order.
    pub usage: Vec<UsageMensuel>,
    /// Alerts about the partner, per rule.
    pub alertes: BTreeMap<Regle, i64>,
    pub suspensions: Vec<SuspensionRecord>,
}

fn debut_annee(annee: i32) -> Option<DateTime<Utc>> {
    NaiveDate::from_ymd_opt(annee, 1, 1).map(|d| d.and_time(NaiveTime::MIN).and_utc())
}

impl App {
    /// SU-4, CV-10: the bilan annuel of the caisse's convention `numero` for `annee` (role `conventions` or
    /// `supervision`). Traced.
    pub async fn bilan_annuel(
        &self,
        staff: &Staff,
        numero: &str,
        annee: Option<&str>,
        source: &str,
    ) -> Result<Bilan, AppError> {
        let role = if staff.personnel.roles.contient(Role::Supervision) {
            Role::Supervision
        } else {
            Role::Conventions
        };
        self.exiger(staff, role, source).await?;
        let outcome = self.produire_bilan(staff, numero, annee).await;
        let detail = format!(
            "bilan={};annee={}",
            bounded(numero.trim(), 40).replace([';', '='], "_"),
            bounded(annee.unwrap_or_default().trim(), 8).replace([';', '='], "_")
        );
        let partenaire = outcome.as_ref().ok().map(|b| b.partenaire.to_string());
        self.tracer_acte(staff, Action::RequeteTraces, &outcome, detail, partenaire, source)
            .await?;
        outcome
    }

    async fn produire_bilan(
        &self,
        staff: &Staff,
        numero: &str,
        annee: Option<&str>,
    ) -> Result<Bilan, AppError> {
        let p = &staff.personnel;
        let now = self.clock.now();
        let texte = annee.map(str::trim).unwrap_or_default();
        let annee = texte
            .parse::<i32>()
            .ok()
            .filter(|a| (2000..=now.year()).contains(a))
            .ok_or_else(|| {
                AppError::RequeteInvalide(format!(
                    "annee : « {} » n'est pas une année de 2000 à {}",
                    bounded(texte, 8),
                    now.year()
                ))
            })?;
        let (Some(debut), Some(fin)) = (debut_annee(annee), debut_annee(annee + 1)) else {
            return Err(AppError::RequeteInvalide("annee : hors du calendrier".into()));
        };
        let numero =
            NumeroConvention::parse(numero.trim()).map_err(|e| AppError::RequeteInvalide(e.to_string()))?;
        let introuvable =
            || AppError::Introuvable(format!("aucune convention « {numero} » dans votre caisse"));
        let cycle = self
            .store
            .convention_cycle(p.caisse_id, &numero)
            .await?
            .ok_or_else(introuvable)?;
        let conv = self
            .store
            .convention_du_partenaire(p.caisse_id, &cycle.partenaire, &numero)
            .await?
            .map_err(|_| introuvable())?;

        // Requests the caisse carried out in the year.
        let mut par_la_caisse = Mouvements::default();
        let filtre = FiltreDemandes {
            etat: Some(EtatDemande::Faite),
            partenaire: Some(cycle.partenaire.clone()),
        };
        for d in self.store.demandes(p.caisse_id, &filtre).await? {
            let faite_le = d
                .demande
                .historique()
                .iter()
                .rev()
                .find(|e| e.etat == EtatDemande::Faite)
                .map(|e| e.le);
            if d.convention == numero && faite_le.is_some_and(|le| debut <= le && le < fin) {
                par_la_caisse.compter(d.demande.nature());
            }
        }

        // Acts of the partner's administrators, from their traces.
        let mut par_le_partenaire = Mouvements::default();
        let mut filter = TraceFilter::caisse(p.caisse.clone());
        filter.action = Some(Action::Gestion);
        filter.partenaire = Some(cycle.partenaire.clone());
        filter.du = Some(debut);
        filter.avant = Some(fin);
        for a in self.actes_delegues_filtres(&filter).await? {
            if a.resultat == Resultat::Succes && a.acte.convention == numero.as_str() {
                // A suspension or reactivation (HB-9) pauses an habilitation still held: it opens, changes
                // or removes none, so the bilan's movements do not count it.
                if let Some(nature) = a.acte.nature.demande() {
                    par_le_partenaire.compter(nature);
                }
            }
        }

        // Use, month by month, from the same counts as the monthly statistics.
        let mut usage = Vec::new();
        let mut agents = BTreeSet::new();
        let mut partenaire_nom = None;
        for mois in 1..=12 {
            let (Some(du), Some(avant)) = (
                NaiveDate::from_ymd_opt(annee, mois, 1),
                NaiveDate::from_ymd_opt(annee, mois, 1)
                    .and_then(|d| d.checked_add_months(chrono::Months::new(1))),
            ) else {
                continue;
            };
            // The days' aggregates where built: a year past the retention period keeps its agents.
            let lignes = self.lignes_statistiques(&p.caisse, du, avant).await?;
            let mut par_bouquet: BTreeMap<Bouquet, UsageMensuel> = BTreeMap::new();
            for l in lignes {
                if l.partenaire.as_deref() != Some(cycle.partenaire.as_str()) {
                    continue;
                }
                partenaire_nom = partenaire_nom.or(l.partenaire_nom.clone());
                if let Some(u) = &l.utilisateur {
                    agents.insert(u.clone());
                }
                let Some(b) = l.bouquet.filter(|b| cycle.bouquets.contains(b)) else {
                    continue;
                };
                let u = par_bouquet.entry(b).or_insert_with(|| UsageMensuel {
                    mois,
                    bouquet: Some(b),
                    ..UsageMensuel::default()
                });
                u.consultations += l.consultations;
                u.trouves += l.trouves;
                u.introuvables += l.introuvables;
                u.oppositions += l.oppositions;
                u.refus += l.refus;
            }
            usage.extend(par_bouquet.into_values());
        }

        let derniere = fin.date_naive() - Duration::days(1);
        let mut alertes = BTreeMap::new();
        for a in self
            .store
            .alertes(p.caisse_id, debut.date_naive(), derniere, false)
            .await?
        {
            if a.constat.partenaire.as_deref() == Some(cycle.partenaire.as_str()) {
                *alertes.entry(a.constat.regle).or_insert(0) += 1;
            }
        }
        let suspensions = self
            .store
            .suspensions(p.caisse_id)
            .await?
            .into_iter()
            .filter(|s| debut <= s.acte.le && s.acte.le < fin)
            .filter(|s| match &s.cible {
                Cible::Partenaire(t) => *t == cycle.partenaire,
                Cible::Utilisateur(u) => agents.contains(u.as_str()),
            })
            .collect();
        Ok(Bilan {
            annee,
            convention: numero,
            partenaire: cycle.partenaire,
            partenaire_nom,
            bouquets: cycle.bouquets,
            plafond: conv.plafond,
            habilitations_actives: conv.habilitations,
            par_la_caisse,
            par_le_partenaire,
            usage,
            alertes,
            suspensions,
        })
    }
}
