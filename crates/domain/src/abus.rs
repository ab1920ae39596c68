//! Abuse detection (SPEC SU-1, CO-5): the rules a caisse sets, and what one day of consultation traces shows
//! against them. Pure: the application reads the traces and stores what is found.
//!
//! Each finding is about one day (UTC) and one subject (an agent, or a dossier for rule `dossier_partage`),
//! so that analysing the same day twice finds the same findings and raises no second alert.

use crate::trace::{Resultat, Trace};
use chrono::{NaiveDate, Timelike};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Days before the analysed day whose consultations make an agent's usual volume.
pub const JOURS_D_HISTORIQUE: i64 = 28;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regle {
    /// (a) An agent's day far above his own usual volume, or his peers' when he has none.
    VolumeAnormal,
    /// (b) Consultations in the hours the caisse calls night.
    Nuit,
    /// (c) Many searches that found nothing: a NIR enumeration.
    Enumeration,
    /// (d) One dossier consulted by many agents the same day.
    DossierPartage,
    /// (e) Consultations refused as outside the partner's départements.
    HorsPerimetre,
    /// A user under surveillance consulted that day: each of his days is listed.
    Surveillance,
}

impl Regle {
    pub const TOUTES: [Regle; 6] = [
        Regle::VolumeAnormal,
        Regle::Nuit,
        Regle::Enumeration,
        Regle::DossierPartage,
        Regle::HorsPerimetre,
        Regle::Surveillance,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Regle::VolumeAnormal => "volume_anormal",
            Regle::Nuit => "nuit",
            Regle::Enumeration => "enumeration",
            Regle::DossierPartage => "dossier_partage",
            Regle::HorsPerimetre => "hors_perimetre",
            Regle::Surveillance => "surveillance",
        }
    }

    pub fn parse(code: &str) -> Option<Regle> {
        Regle::TOUTES.into_iter().find(|r| r.code() == code)
    }
}

/// The thresholds a caisse sets. Night hours are Paris hours (0–23, as the partners' agents live them); the
/// night runs from `nuit_debut` to `nuit_fin`, across midnight when `nuit_debut > nuit_fin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReglesAbus {
    /// (a) An agent's day is abnormal at this many times his usual volume…
    pub facteur_volume: u32,
    /// … and at least this many consultations (a quiet agent's three consultations are no abuse).
    pub volume_minimum: u32,
    pub nuit_debut: u32,
    pub nuit_fin: u32,
    /// (c) Searches that found nothing, per agent and day.
    pub seuil_introuvables: u32,
    /// (d) Distinct agents who saw one dossier the same day.
    pub seuil_agents_par_dossier: u32,
    /// (e) Consultations refused as outside the partner's départements, per agent and day.
    pub seuil_hors_perimetre: u32,
}

impl Default for ReglesAbus {
    fn default() -> Self {
        ReglesAbus {
            facteur_volume: 5,
            volume_minimum: 20,
            nuit_debut: 22,
            nuit_fin: 5,
            seuil_introuvables: 20,
            seuil_agents_par_dossier: 5,
            seuil_hors_perimetre: 1,
        }
    }
}

impl ReglesAbus {
    /// Every bad threshold, each with its reason in French.
    pub fn verifier(&self) -> Result<(), Vec<String>> {
        let mut erreurs = Vec::new();
        let mut au_moins_un = |nom: &str, v: u32| {
            if v == 0 {
                erreurs.push(format!("{nom} : au moins 1"));
            }
        };
        au_moins_un("facteur_volume", self.facteur_volume);
        au_moins_un("volume_minimum", self.volume_minimum);
        au_moins_un("seuil_introuvables", self.seuil_introuvables);
        au_moins_un("seuil_agents_par_dossier", self.seuil_agents_par_dossier);
        au_moins_un("seuil_hors_perimetre", self.seuil_hors_perimetre);
        for (nom, h) in [("nuit_debut", self.nuit_debut), ("nuit_fin", self.nuit_fin)] {
            if h > 23 {
                erreurs.push(format!("{nom} : une heure de 0 à 23"));
            }
        }
        if self.nuit_debut == self.nuit_fin {
            erreurs.push("nuit_debut et nuit_fin : la nuit ne peut pas être vide".into());
        }
        if erreurs.is_empty() {
            Ok(())
        } else {
            Err(erreurs)
        }
    }

    pub fn de_nuit(&self, heure: u32) -> bool {
        if self.nuit_debut < self.nuit_fin {
            (self.nuit_debut..self.nuit_fin).contains(&heure)
        } else {
            heure >= self.nuit_debut || heure < self.nuit_fin
        }
    }
}

/// One rule's hit for one day: who (or which dossier), and the counts that are its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constat {
    pub regle: Regle,
    pub jour: NaiveDate,
    pub utilisateur: Option<String>,
    pub partenaire: Option<String>,
    pub matricule: Option<String>,
    /// What was counted: consultations, night consultations, searches that found nothing, agents…
    pub compte: i64,
    /// The threshold it reached (for (a): the factor times the usual volume).
    pub seuil: i64,
}

impl Constat {
    /// What makes a finding unique within a caisse, rule and day.
    pub fn sujet(&self) -> String {
        match self.regle {
            Regle::DossierPartage => format!("dossier:{}", self.matricule.as_deref().unwrap_or_default()),
            _ => format!("utilisateur:{}", self.utilisateur.as_deref().unwrap_or_default()),
        }
    }
}

/// What rule (a) compares a day with: each agent's consultations over the [`JOURS_D_HISTORIQUE`] days
/// before it.
pub type Historique = HashMap<String, i64>;

/// The findings of one day. `traces` are that day's consultation traces (other actions are ignored),
/// `historique` the agents' consultations over the days before, `surveilles` the identifiers of the users
/// under surveillance.
pub fn detecter(
    regles: &ReglesAbus,
    jour: NaiveDate,
    traces: &[Trace],
    historique: &Historique,
    surveilles: &HashSet<String>,
) -> Vec<Constat> {
    #[derive(Default)]
    struct Agent {
        partenaire: Option<String>,
        consultations: i64,
        nuit: i64,
        introuvables: i64,
        hors_perimetre: i64,
    }
    let mut agents: BTreeMap<&str, Agent> = BTreeMap::new();
    let mut dossiers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let consultations = traces
        .iter()
        .filter(|t| t.action == crate::trace::Action::Consultation && t.horodatage.date_naive() == jour);
    for t in consultations {
        let Some(u) = t.utilisateur.as_deref() else {
            continue;
        };
        let a = agents.entry(u).or_default();
        if a.partenaire.is_none() {
            a.partenaire.clone_from(&t.partenaire);
        }
        a.consultations += 1;
        let heure_de_paris = t.horodatage + crate::plage::decalage_france(t.horodatage);
        if regles.de_nuit(heure_de_paris.hour()) {
            a.nuit += 1;
        }
        match t.resultat {
            Resultat::DossierIntrouvable | Resultat::NomDiscordant => a.introuvables += 1,
            Resultat::HorsPerimetre => a.hors_perimetre += 1,
            Resultat::Succes => {
                if let Some(m) = t.matricule.as_deref() {
                    dossiers.entry(m).or_default().insert(u);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let constat = |regle, u: &str, a: &Agent, compte, seuil| Constat {
        regle,
        jour,
        utilisateur: Some(u.to_owned()),
        partenaire: a.partenaire.clone(),
        matricule: None,
        compte,
        seuil,
    };
    let volumes: Vec<(&str, Option<&str>, i64)> = agents
        .iter()
        .map(|(u, a)| (*u, a.partenaire.as_deref(), a.consultations))
        .collect();
    for (u, a) in &agents {
        if let Some(seuil) = seuil_de_volume(regles, u, a.partenaire.as_deref(), &volumes, historique) {
            if a.consultations >= seuil {
                out.push(constat(Regle::VolumeAnormal, u, a, a.consultations, seuil));
            }
        }
        if a.nuit > 0 {
            out.push(constat(Regle::Nuit, u, a, a.nuit, 1));
        }
        if a.introuvables >= i64::from(regles.seuil_introuvables) {
            out.push(constat(
                Regle::Enumeration,
                u,
                a,
                a.introuvables,
                i64::from(regles.seuil_introuvables),
            ));
        }
        if a.hors_perimetre >= i64::from(regles.seuil_hors_perimetre) {
            out.push(constat(
                Regle::HorsPerimetre,
                u,
                a,
                a.hors_perimetre,
                i64::from(regles.seuil_hors_perimetre),
            ));
        }
        if surveilles.contains(*u) {
            out.push(constat(Regle::Surveillance, u, a, a.consultations, 1));
        }
    }
    for (m, vus_par) in dossiers {
        let n = i64::try_from(vus_par.len()).unwrap_or(i64::MAX);
        if n >= i64::from(regles.seuil_agents_par_dossier) {
            out.push(Constat {
                regle: Regle::DossierPartage,
                jour,
                utilisateur: None,
                partenaire: None,
                matricule: Some(m.to_owned()),
                compte: n,
                seuil: i64::from(regles.seuil_agents_par_dossier),
            });
        }
    }
    out
}

/// Rule (a)'s threshold for agent `u`: the factor times his usual daily volume (mean over the days before)
/// when he has one, else times the median volume of his partner's other agents that day; `None` when
/// there is nothing to compare with. Never below the caisse's minimum volume.
fn seuil_de_volume(
    regles: &ReglesAbus,
    u: &str,
    partenaire: Option<&str>,
    volumes: &[(&str, Option<&str>, i64)],
    historique: &Historique,
) -> Option<i64> {
    let facteur = i64::from(regles.facteur_volume);
    let propre = historique.get(u).copied().filter(|n| *n > 0);
    let reference = match propre {
        // At least one per day: the mean rounded up, so a single past consultation is not "usual 0".
        Some(total) => Some((total + JOURS_D_HISTORIQUE - 1) / JOURS_D_HISTORIQUE),
        None => {
            let mut pairs: Vec<i64> = volumes
                .iter()
                .filter(|(v, p, _)| *v != u && partenaire.is_some() && *p == partenaire)
                .map(|(_, _, n)| *n)
                .collect();
            pairs.sort_unstable();
            pairs.get(pairs.len() / 2).copied()
        }
    }?;
    Some((facteur * reference).max(i64::from(regles.volume_minimum)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::trace::Action;
    use chrono::{DateTime, TimeZone, Utc};

    fn jour() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
    }

    fn a(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, h, m, 0).unwrap()
    }

    fn c(u: &str, at: DateTime<Utc>, resultat: Resultat, matricule: Option<&str>) -> Trace {
        Trace {
            horodatage: at,
            caisse: Some("CAF-59".into()),
            utilisateur: Some(u.into()),
            partenaire: Some("T-001".into()),
            source: "10.0.0.1".into(),
            action: Action::Consultation,
            bouquet: None,
            rubriques: None,
            matricule: matricule.map(str::to_owned),
            nir_hache: None,
            resultat,
        }
    }

    fn many(u: &str, n: u32) -> Vec<Trace> {
        (0..n)
            .map(|i| c(u, a(9 + i / 60 % 10, i % 60), Resultat::Succes, Some("0000001")))
            .collect()
    }

    fn regles_sans(regle: Regle, constats: &[Constat]) -> bool {
        constats.iter().all(|c| c.regle != regle)
    }

    fn run(traces: &[Trace], historique: &Historique) -> Vec<Constat> {
        detecter(
            &ReglesAbus::default(),
            jour(),
            traces,
            historique,
            &HashSet::new(),
        )
    }

    #[test]
    fn su_1_volume_far_above_the_agents_own_usual_fires() {
        let h = Historique::from([("ag1".to_owned(), 28 * 4)]);
        let out = run(&many("ag1", 25), &h);
        let hit = out.iter().find(|c| c.regle == Regle::VolumeAnormal).unwrap();
        assert_eq!((hit.compte, hit.seuil), (25, 20));
        assert_eq!(hit.utilisateur.as_deref(), Some("ag1"));
        assert_eq!(hit.partenaire.as_deref(), Some("T-001"));
        // Ten a day usual: 25 is not five times that.
        let h = Historique::from([("ag1".to_owned(), 28 * 10)]);
        assert!(regles_sans(Regle::VolumeAnormal, &run(&many("ag1", 25), &h)));
    }

    #[test]
    fn su_1_volume_far_above_the_peers_fires_for_an_agent_without_history() {
        let mut traces = many("nouveau", 40);
        traces.extend(many("pair1", 4));
        traces.extend(many("pair2", 6));
        let out = run(&traces, &Historique::new());
        let hits: Vec<_> = out.iter().filter(|c| c.regle == Regle::VolumeAnormal).collect();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].utilisateur.as_deref(), Some("nouveau"));
        assert_eq!(hits[0].seuil, 30);
        // Below the caisse's minimum volume nothing is abnormal, whatever the ratio.
        let mut traces = many("nouveau", 15);
        traces.extend(many("pair1", 1));
        assert!(regles_sans(
            Regle::VolumeAnormal,
            &run(&traces, &Historique::new())
        ));
    }

    #[test]
    fn su_1_night_consultations_fire_and_day_ones_do_not() {
        let out = run(
            &[
                // 10 March is winter time: Paris is UTC + 1.
                c("ag1", a(23, 30), Resultat::Succes, None),
                c("ag1", a(2, 0), Resultat::Succes, None),
                c("ag1", a(21, 0), Resultat::Succes, None),
                c("ag2", a(4, 0), Resultat::Succes, None),
                c("ag2", a(20, 59), Resultat::Succes, None),
            ],
            &Historique::new(),
        );
        let hits: Vec<_> = out.iter().filter(|c| c.regle == Regle::Nuit).collect();
        assert_eq!(hits.len(), 1);
        // 21:00 UTC is 22 h in Paris: night; 04:00 UTC is 5 h: day.
        assert_eq!((hits[0].utilisateur.as_deref(), hits[0].compte), (Some("ag1"), 3));
        let jour_ouvre = ReglesAbus {
            nuit_debut: 8,
            nuit_fin: 18,
            ..ReglesAbus::default()
        };
        assert!(jour_ouvre.de_nuit(8) && !jour_ouvre.de_nuit(18) && !jour_ouvre.de_nuit(23));
    }

    #[test]
    fn su_1_many_searches_finding_nothing_fire_as_enumeration() {
        let vides = |n| {
            (0..n)
                .map(|i| c("ag1", a(10, i), Resultat::DossierIntrouvable, None))
                .collect::<Vec<_>>()
        };
        let out = run(&vides(20), &Historique::new());
        let hit = out.iter().find(|c| c.regle == Regle::Enumeration).unwrap();
        assert_eq!((hit.compte, hit.seuil), (20, 20));
        assert!(regles_sans(
            Regle::Enumeration,
            &run(&vides(19), &Historique::new())
        ));
    }

    #[test]
    fn su_1_one_dossier_seen_by_many_agents_fires() {
        let par = |n: u32| {
            (0..n)
                .map(|i| c(&format!("ag{i}"), a(10, i), Resultat::Succes, Some("0000042")))
                .collect::<Vec<_>>()
        };
        let out = run(&par(5), &Historique::new());
        let hit = out.iter().find(|c| c.regle == Regle::DossierPartage).unwrap();
        assert_eq!((hit.matricule.as_deref(), hit.compte), (Some("0000042"), 5));
        assert_eq!(hit.sujet(), "dossier:0000042");
        // One agent five times is one agent.
        let mut traces = par(4);
        traces.push(c("ag0", a(11, 0), Resultat::Succes, Some("0000042")));
        assert!(regles_sans(
            Regle::DossierPartage,
            &run(&traces, &Historique::new())
        ));
    }

    #[test]
    fn co_5_attempts_outside_the_partners_departements_fire() {
        let out = run(
            &[c("ag1", a(10, 0), Resultat::HorsPerimetre, None)],
            &Historique::new(),
        );
        let hit = out.iter().find(|c| c.regle == Regle::HorsPerimetre).unwrap();
        assert_eq!(hit.sujet(), "utilisateur:ag1");
        let out = run(
            &[c("ag1", a(10, 0), Resultat::NonHabilite, None)],
            &Historique::new(),
        );
        assert!(regles_sans(Regle::HorsPerimetre, &out));
    }

    #[test]
    fn su_1_a_user_under_surveillance_has_each_day_listed() {
        let surveilles = HashSet::from(["ag1".to_owned()]);
        let traces = [
            c("ag1", a(10, 0), Resultat::Succes, None),
            c("ag2", a(10, 0), Resultat::Succes, None),
        ];
        let out = detecter(
            &ReglesAbus::default(),
            jour(),
            &traces,
            &Historique::new(),
            &surveilles,
        );
        let hits: Vec<_> = out.iter().filter(|c| c.regle == Regle::Surveillance).collect();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].utilisateur.as_deref(), Some("ag1"));
    }

    #[test]
    fn su_1_other_days_and_other_actions_are_ignored() {
        let mut t = c("ag1", a(23, 0), Resultat::Succes, None);
        t.horodatage += chrono::Duration::days(1);
        let mut l = c("ag1", a(23, 0), Resultat::Succes, None);
        l.action = Action::Connexion;
        assert!(run(&[t, l], &Historique::new()).is_empty());
    }

    #[test]
    fn su_1_rules_are_checked() {
        assert!(ReglesAbus::default().verifier().is_ok());
        let r = ReglesAbus {
            facteur_volume: 0,
            nuit_debut: 24,
            nuit_fin: 24,
            ..ReglesAbus::default()
        };
        assert_eq!(r.verifier().unwrap_err().len(), 4);
        assert_eq!(Regle::parse("nuit"), Some(Regle::Nuit));
        assert_eq!(Regle::parse("autre"), None);
    }
}
