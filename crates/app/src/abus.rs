//! Abuse detection (SPEC SU-1, CO-5), role `supervision`: the caisse's rules (changing them is a sensitive
//! act), the analysis of a period's consultation traces into alerts, the alert work list and its closing,
//! and the users put under surveillance.
//!
//! The analysis runs on demand (`POST /api/v1/caisse/abus/analyse`) over any past period, and daily for
//! yesterday ([`App::analyse_quotidienne`], from the scheduler of `partage serve` and `partage tick`), day
//! by day (UTC): each day's consultations are read from the traces (one day in memory at a time), the
//! agents' usual volume over the [`JOURS_D_HISTORIQUE`] days before is counted by the store's statistics
//! query, and [`partage_domain::abus::detecter`] says what they show. A user under surveillance gets
//! one alert (`surveillance`) per day he consulted, with his count: that is where his consultations are
//! flagged. Every act, reading included, is traced (action `gestion`, what was done in `rubriques`).

use crate::auth::bounded;
use crate::personnel::Staff;
use crate::{App, AppError};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use partage_domain::abus::{detecter, Historique, ReglesAbus, JOURS_D_HISTORIQUE};
use partage_domain::personnel::Role;
use partage_domain::trace::{Action, Resultat, Trace};
use partage_domain::{CaisseCode, Identifiant};
pub use partage_store::abus::{AlerteRecord, ReglesEnregistrees, SurveillanceRecord};
use partage_store::abus::{ClotureRefusee, FinRefusee, SurveillanceRefusee};
pub use partage_store::supervision::Acte;
use partage_store::supervision::TraceFilter;
use partage_store::CaisseId;
use std::collections::HashSet;

/// The longest period one analysis or one alert list covers.
pub const JOURS_MAX: i64 = 92;
const PAGE: u32 = 1_000;
const COMMENTAIRE_MAX: usize = 500;

/// The rules in force, and whether the caisse set them or they are the defaults.
#[derive(Debug, Clone)]
pub struct ReglesVue {
    pub regles: ReglesAbus,
    /// `None`: the defaults, never set.
    pub modifiees: Option<(String, DateTime<Utc>)>,
}

/// New thresholds; those not given keep their current value.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModificationRegles {
    pub facteur_volume: Option<u32>,
    pub volume_minimum: Option<u32>,
    pub nuit_debut: Option<u32>,
    pub nuit_fin: Option<u32>,
    pub seuil_introuvables: Option<u32>,
    pub seuil_agents_par_dossier: Option<u32>,
    pub seuil_hors_perimetre: Option<u32>,
}

impl ModificationRegles {
    fn appliquer(self, r: ReglesAbus) -> ReglesAbus {
        ReglesAbus {
            facteur_volume: self.facteur_volume.unwrap_or(r.facteur_volume),
            volume_minimum: self.volume_minimum.unwrap_or(r.volume_minimum),
            nuit_debut: self.nuit_debut.unwrap_or(r.nuit_debut),
            nuit_fin: self.nuit_fin.unwrap_or(r.nuit_fin),
            seuil_introuvables: self.seuil_introuvables.unwrap_or(r.seuil_introuvables),
            seuil_agents_par_dossier: self
                .seuil_agents_par_dossier
                .unwrap_or(r.seuil_agents_par_dossier),
            seuil_hors_perimetre: self.seuil_hors_perimetre.unwrap_or(r.seuil_hors_perimetre),
        }
    }
}

/// What one analysis found.
#[derive(Debug, Clone)]
pub struct Analyse {
    pub du: NaiveDate,
    pub au: NaiveDate,
    pub consultations: usize,
    pub constats: usize,
    /// Alerts raised now; the others were raised by an earlier analysis.
    pub nouvelles_alertes: u64,
}

fn minuit(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc()
}

fn jour(champ: &str, texte: Option<&str>) -> Result<NaiveDate, AppError> {
    let t = texte.map(str::trim).unwrap_or_default();
    if t.is_empty() {
        return Err(AppError::RequeteInvalide(format!(
            "{champ} : obligatoire (AAAA-MM-JJ)"
        )));
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
        AppError::RequeteInvalide(format!(
            "{champ} : « {} » n'est pas une date AAAA-MM-JJ",
            bounded(t, 20)
        ))
    })
}

/// `du` and `au`, inclusive, in order and at most [`JOURS_MAX`] days apart.
pub fn periode(du: Option<&str>, au: Option<&str>) -> Result<(NaiveDate, NaiveDate), AppError> {
    let (du, au) = (jour("du", du)?, jour("au", au)?);
    if au < du {
        return Err(AppError::RequeteInvalide("au : pas avant du".into()));
    }
    if (au - du).num_days() >= JOURS_MAX {
        return Err(AppError::RequeteInvalide(format!(
            "période : {JOURS_MAX} jours au plus"
        )));
    }
    Ok((du, au))
}

fn texte_obligatoire(champ: &str, texte: &str) -> Result<String, AppError> {
    let t = texte.trim();
    if t.is_empty() {
        Err(AppError::RequeteInvalide(format!("{champ} : obligatoire")))
    } else if t.chars().count() > COMMENTAIRE_MAX {
        Err(AppError::RequeteInvalide(format!(
            "{champ} : {COMMENTAIRE_MAX} caractères au plus"
        )))
    } else if t.chars().any(|c| c.is_control() && c != '\n') {
        Err(AppError::RequeteInvalide(format!(
            "{champ} : caractère de contrôle non autorisé"
        )))
    } else {
        Ok(t.to_owned())
    }
}

impl App {
    /// Traces a supervision act of `staff` (`action`, what was done in `detail`, the partner it was about
    /// if any), done or refused, and marks the session active.
    pub(crate) async fn tracer_acte<T>(
        &self,
        staff: &Staff,
        action: Action,
        outcome: &Result<T, AppError>,
        detail: String,
        partenaire: Option<String>,
        source: &str,
    ) -> Result<(), AppError> {
        let p = &staff.personnel;
        let trace = Trace {
            resultat: match outcome {
                Ok(_) => Resultat::Succes,
                Err(AppError::RequeteInvalide(_)) => Resultat::RequeteInvalide,
                Err(_) => Resultat::Refuse,
            },
            rubriques: Some(detail),
            partenaire,
            ..self.trace_typed(p.caisse.as_str(), p.identifiant.as_str(), source, action)
        };
        self.journal.record(trace, None).await?;
        self.touch_personnel(staff).await
    }

    async fn tracer_abus<T>(
        &self,
        staff: &Staff,
        outcome: &Result<T, AppError>,
        detail: String,
        source: &str,
    ) -> Result<(), AppError> {
        self.tracer_acte(staff, Action::Gestion, outcome, detail, None, source)
            .await
    }

    /// What `staff` does now, with the comment or motif `texte` (field `champ`), checked.
    fn acte(&self, staff: &Staff, champ: &str, texte: &str) -> Result<Acte, AppError> {
        Ok(Acte {
            par: staff.personnel.identifiant.to_string(),
            le: self.clock.now(),
            motif: texte_obligatoire(champ, texte)?,
        })
    }

    async fn regles_en_vigueur(&self, staff: &Staff) -> Result<ReglesVue, AppError> {
        Ok(match self.store.regles_abus(staff.personnel.caisse_id).await? {
            Some(r) => ReglesVue {
                regles: r.regles,
                modifiees: Some((r.par, r.le)),
            },
            None => ReglesVue {
                regles: ReglesAbus::default(),
                modifiees: None,
            },
        })
    }

    /// SU-1: the caisse's detection rules, its own or the defaults (role `supervision`). Traced.
    pub async fn regles_abus(&self, staff: &Staff, source: &str) -> Result<ReglesVue, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let outcome = self.regles_en_vigueur(staff).await;
        self.tracer_abus(staff, &outcome, "abus_regles=lecture".into(), source)
            .await?;
        outcome
    }

    /// SU-1: changes the caisse's detection rules (role `supervision`, sensitive act). Traced with the new
    /// thresholds.
    pub async fn modifier_regles_abus(
        &self,
        staff: &Staff,
        modification: ModificationRegles,
        source: &str,
    ) -> Result<ReglesVue, AppError> {
        self.exiger_acte_sensible(staff, Role::Supervision, source)
            .await?;
        let regles = modification.appliquer(self.regles_en_vigueur(staff).await?.regles);
        let outcome = match regles.verifier() {
            Err(e) => Err(AppError::RequeteInvalide(e.join(" ; "))),
            Ok(()) => {
                let r = ReglesEnregistrees {
                    regles,
                    par: staff.personnel.identifiant.to_string(),
                    le: self.clock.now(),
                };
                self.store.save_regles_abus(staff.personnel.caisse_id, &r).await?;
                Ok(ReglesVue {
                    regles,
                    modifiees: Some((r.par, r.le)),
                })
            }
        };
        let g = &regles;
        let detail = format!(
            "abus_regles=modification;facteur_volume={};volume_minimum={};nuit={}-{};seuil_introuvables={};\
             seuil_agents_par_dossier={};seuil_hors_perimetre={}",
            g.facteur_volume,
            g.volume_minimum,
            g.nuit_debut,
            g.nuit_fin,
            g.seuil_introuvables,
            g.seuil_agents_par_dossier,
            g.seuil_hors_perimetre
        );
        self.tracer_abus(staff, &outcome, detail, source).await?;
        outcome
    }

    /// SU-1, CO-5: analyses the caisse's consultations of the days `du` to `au` (inclusive, UTC) and
    /// raises an alert for each finding not raised before (role `supervision`). Traced.
    pub async fn analyser_abus(
        &self,
        staff: &Staff,
        du: Option<&str>,
        au: Option<&str>,
        source: &str,
    ) -> Result<Analyse, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let outcome = match periode(du, au) {
            Err(e) => Err(e),
            Ok((du, au)) => {
                let today = self.clock.now().date_naive();
                if au > today {
                    Err(AppError::RequeteInvalide("au : pas après aujourd'hui".into()))
                } else {
                    let p = &staff.personnel;
                    self.analyser(p.caisse_id, &p.caisse, du, au).await
                }
            }
        };
        let detail = match &outcome {
            Ok(a) => format!(
                "abus_analyse={}..{};constats={};nouvelles_alertes={}",
                a.du, a.au, a.constats, a.nouvelles_alertes
            ),
            Err(_) => "abus_analyse".into(),
        };
        self.tracer_abus(staff, &outcome, detail, source).await?;
        outcome
    }

    async fn analyser(
        &self,
        caisse_id: CaisseId,
        caisse: &CaisseCode,
        du: NaiveDate,
        au: NaiveDate,
    ) -> Result<Analyse, AppError> {
        let regles = self
            .store
            .regles_abus(caisse_id)
            .await?
            .map_or_else(ReglesAbus::default, |r| r.regles);
        let surveillances = self.store.surveillances(caisse_id).await?;
        let mut constats = Vec::new();
        let mut consultations = 0;
        let mut d = du;
        // One day at a time: a day's consultation traces in memory, the usual volumes counted by the store.
        while d <= au {
            let (debut, fin) = (minuit(d), minuit(d + Duration::days(1)));
            let mut filter = TraceFilter::caisse(caisse.clone());
            filter.action = Some(Action::Consultation);
            filter.du = Some(debut);
            filter.avant = Some(fin);
            let mut traces = Vec::new();
            let mut after = 0;
            loop {
                let page = self.store.search_traces(&filter, after, PAGE).await?;
                let Some(last) = page.last() else { break };
                after = last.id;
                let complete = page.len() < PAGE as usize;
                traces.extend(page.into_iter().map(|s| s.trace));
                if complete {
                    break;
                }
            }
            consultations += traces.len();
            let mut historique = Historique::new();
            let avant = minuit(d - Duration::days(JOURS_D_HISTORIQUE));
            for l in self.store.statistics(caisse, avant, debut).await? {
                if let Some(u) = l.utilisateur {
                    *historique.entry(u).or_default() += l.consultations;
                }
            }
            let surveilles: HashSet<String> = surveillances
                .iter()
                .filter(|s| s.debut.le < fin && s.fin.as_ref().is_none_or(|f| f.le > debut))
                .map(|s| s.utilisateur.to_string())
                .collect();
            constats.extend(detecter(&regles, d, &traces, &historique, &surveilles));
            d += Duration::days(1);
        }
        let nouvelles_alertes = self
            .store
            .record_alertes(caisse_id, &constats, self.clock.now())
            .await?;
        Ok(Analyse {
            du,
            au,
            consultations,
            constats: constats.len(),
            nouvelles_alertes,
        })
    }

    /// SU-1: the daily analysis, run by the scheduler of `partage serve` once a day and by `partage tick`:
    /// yesterday (UTC) of every caisse. Idempotent, so a rerun or several servers raise each alert once.
    /// Traced per caisse, with no user (source `planificateur`). Returns the alerts raised.
    pub async fn analyse_quotidienne(&self) -> Result<u64, AppError> {
        let hier = (self.clock.now() - Duration::days(1)).date_naive();
        let mut nouvelles = 0;
        for (id, code) in self.store.caisses_a_analyser().await? {
            let a = self.analyser(id, &code, hier, hier).await?;
            nouvelles += a.nouvelles_alertes;
            let trace = Trace {
                horodatage: self.clock.now(),
                caisse: Some(code.as_str().to_owned()),
                utilisateur: None,
                partenaire: None,
                source: "planificateur".into(),
                action: Action::Gestion,
                bouquet: None,
                rubriques: Some(format!(
                    "abus_analyse={hier}..{hier};constats={};nouvelles_alertes={}",
                    a.constats, a.nouvelles_alertes
                )),
                matricule: None,
                nir_hache: None,
                resultat: Resultat::Succes,
            };
            self.journal.record(trace, None).await?;
        }
        Ok(nouvelles)
    }

    /// SU-1: the alerts of the days `du` to `au`, open ones only unless `toutes` (role `supervision`).
    /// Traced.
    pub async fn alertes_abus(
        &self,
        staff: &Staff,
        du: Option<&str>,
        au: Option<&str>,
        toutes: bool,
        source: &str,
    ) -> Result<Vec<AlerteRecord>, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let outcome = match periode(du, au) {
            Err(e) => Err(e),
            Ok((du, au)) => Ok(self
                .store
                .alertes(staff.personnel.caisse_id, du, au, !toutes)
                .await?),
        };
        let detail = format!(
            "abus_alertes={}..{}",
            du.map(|t| bounded(t, 20)).unwrap_or_default(),
            au.map(|t| bounded(t, 20)).unwrap_or_default()
        );
        self.tracer_abus(staff, &outcome, detail, source).await?;
        outcome
    }

    /// SU-1: closes an alert with a comment (role `supervision`). Traced.
    pub async fn clore_alerte(
        &self,
        staff: &Staff,
        id: i64,
        commentaire: &str,
        source: &str,
    ) -> Result<AlerteRecord, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let outcome = match self.acte(staff, "commentaire", commentaire) {
            Err(e) => Err(e),
            Ok(acte) => {
                match self
                    .store
                    .close_alerte(staff.personnel.caisse_id, id, &acte)
                    .await?
                {
                    Ok(a) => Ok(a),
                    Err(ClotureRefusee::Inconnue) => Err(AppError::Introuvable(format!(
                        "aucune alerte n° {id} dans votre caisse"
                    ))),
                    Err(ClotureRefusee::DejaClose) => Err(AppError::TransitionRefusee(format!(
                        "l'alerte n° {id} est déjà close"
                    ))),
                }
            }
        };
        self.tracer_abus(staff, &outcome, format!("abus_alerte={id};cloture"), source)
            .await?;
        outcome
    }

    /// SU-1: puts a user of the caisse under surveillance, from an alert or not (role `supervision`).
    /// Traced.
    pub async fn mettre_sous_surveillance(
        &self,
        staff: &Staff,
        utilisateur: &str,
        alerte: Option<i64>,
        motif: &str,
        source: &str,
    ) -> Result<SurveillanceRecord, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let outcome = self.surveiller(staff, utilisateur, alerte, motif).await;
        let detail = format!(
            "surveillance;utilisateur={}{}",
            bounded(utilisateur.trim(), 64),
            alerte.map(|a| format!(";alerte={a}")).unwrap_or_default()
        );
        self.tracer_abus(staff, &outcome, detail, source).await?;
        outcome
    }

    async fn surveiller(
        &self,
        staff: &Staff,
        utilisateur: &str,
        alerte: Option<i64>,
        motif: &str,
    ) -> Result<SurveillanceRecord, AppError> {
        let u =
            Identifiant::parse(utilisateur.trim()).map_err(|e| AppError::RequeteInvalide(e.to_string()))?;
        let acte = self.acte(staff, "motif", motif)?;
        match self
            .store
            .start_surveillance(staff.personnel.caisse_id, &u, alerte, &acte)
            .await?
        {
            Ok(s) => Ok(s),
            Err(SurveillanceRefusee::CibleInconnue) => Err(AppError::Introuvable(format!(
                "aucun utilisateur « {u} » dans votre caisse"
            ))),
            Err(SurveillanceRefusee::AlerteInconnue) => Err(AppError::Introuvable(format!(
                "aucune alerte n° {} dans votre caisse",
                alerte.unwrap_or_default()
            ))),
            Err(SurveillanceRefusee::DejaSurveille) => Err(AppError::TransitionRefusee(format!(
                "« {u} » est déjà sous surveillance"
            ))),
        }
    }

    /// SU-1: ends a surveillance, with a motif (role `supervision`). Traced.
    pub async fn lever_surveillance(
        &self,
        staff: &Staff,
        id: i64,
        motif: &str,
        source: &str,
    ) -> Result<SurveillanceRecord, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let outcome = match self.acte(staff, "motif", motif) {
            Err(e) => Err(e),
            Ok(acte) => {
                match self
                    .store
                    .end_surveillance(staff.personnel.caisse_id, id, &acte)
                    .await?
                {
                    Ok(s) => Ok(s),
                    Err(FinRefusee::Inconnue) => Err(AppError::Introuvable(format!(
                        "aucune surveillance n° {id} dans votre caisse"
                    ))),
                    Err(FinRefusee::DejaFinie) => Err(AppError::TransitionRefusee(format!(
                        "la surveillance n° {id} est déjà levée"
                    ))),
                }
            }
        };
        self.tracer_abus(staff, &outcome, format!("surveillance={id};levee"), source)
            .await?;
        outcome
    }

    /// SU-1: the caisse's surveillances, in force and ended, newest first (role `supervision`). Traced.
    pub async fn surveillances(
        &self,
        staff: &Staff,
        source: &str,
    ) -> Result<Vec<SurveillanceRecord>, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let outcome = Ok(self.store.surveillances(staff.personnel.caisse_id).await?);
        self.tracer_abus(staff, &outcome, "surveillances=lecture".into(), source)
            .await?;
        outcome
    }
}
