//! The caisse's audit of delegated management (SPEC SU-3, 003 art. 9.1), role `supervision`: every grant,
//! change, suspension, reactivation and removal a partner's administrator made himself, read back from the
//! traces.
//!
//! A delegated act's trace (action `gestion`, under the administrator's name and partner) carries what was
//! done in `rubriques`, written by [`ActeTrace::encoder`]: `gestion_deleguee;nature=…;convention=…;
//! bouquet=…;agent=…`. Traces of acts made before that field was written carry nothing and are not listed.

use crate::auth::bounded;
use crate::personnel::Staff;
use crate::{App, AppError};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use partage_domain::habilitation::NatureActe;
use partage_domain::personnel::Role;
use partage_domain::trace::{Action, Resultat};
use partage_domain::NumeroTiers;
use partage_store::supervision::TraceFilter;

const PREFIXE: &str = "gestion_deleguee";
/// The longest period one audit covers: a year, for the bilan annuel.
pub const JOURS_MAX_AUDIT: i64 = 366;
const PAGE: u32 = 1_000;

/// What a delegated act's trace records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActeTrace {
    pub nature: NatureActe,
    pub convention: String,
    pub bouquet: String,
    /// The agent created or concerned; for a refused access, none.
    pub agent: Option<String>,
    /// The agent's habilitation on this convention's bouquet before the act: `None` when he had none (an
    /// access), or for an act traced before the states were recorded.
    pub avant: Option<EtatHabilitation>,
    /// The same after the act: `None` once removed. A refused act changed nothing: after is before.
    pub apres: Option<EtatHabilitation>,
}

/// An agent's habilitation as a delegated act found or left it (SU-3).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EtatHabilitation {
    pub profil: Option<String>,
    /// Whether the agent's account is active.
    pub actif: bool,
    /// HB-9: the habilitation held but suspended by the partner's administrator. An act traced before
    /// suspensions existed reads back as not suspended, which it was.
    pub suspendue: bool,
    pub service: Option<String>,
    pub fonction: Option<String>,
}

impl EtatHabilitation {
    /// Its fields as `(name, value)`, absent ones left out: the trace's encoding and the CSV's.
    pub fn champs(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("statut", if self.actif { "actif" } else { "inactif" }.to_owned()),
            ("habilitation", self.habilitation().to_owned()),
        ];
        for (nom, valeur) in [
            ("profil", &self.profil),
            ("service", &self.service),
            ("fonction", &self.fonction),
        ] {
            if let Some(x) = valeur {
                v.push((nom, x.clone()));
            }
        }
        v
    }

    /// The habilitation's own state: `active` or `suspendue` (HB-9).
    pub fn habilitation(&self) -> &'static str {
        if self.suspendue {
            "suspendue"
        } else {
            "active"
        }
    }

    fn lire(&mut self, nom: &str, valeur: &str) {
        match nom {
            "statut" => self.actif = valeur == "actif",
            "habilitation" => self.suspendue = valeur == "suspendue",
            "profil" => self.profil = Some(valeur.to_owned()),
            "service" => self.service = Some(valeur.to_owned()),
            "fonction" => self.fonction = Some(valeur.to_owned()),
            _ => {}
        }
    }
}

/// A value as the encoding holds it: its separators replaced, so a typed value cannot forge a field.
fn propre(v: &str) -> String {
    v.replace([';', '='], "_")
}

impl ActeTrace {
    pub fn encoder(&self) -> String {
        let mut s = format!(
            "{PREFIXE};nature={};convention={};bouquet={}",
            self.nature.code(),
            propre(&self.convention),
            propre(&self.bouquet)
        );
        if let Some(a) = &self.agent {
            s.push_str(";agent=");
            s.push_str(&propre(a));
        }
        // Each state as `avant.statut=…;avant.profil=…`, or `avant=aucune`.
        for (cote, etat) in [("avant", &self.avant), ("apres", &self.apres)] {
            match etat {
                None => s.push_str(&format!(";{cote}=aucune")),
                Some(e) => {
                    for (nom, v) in e.champs() {
                        s.push_str(&format!(";{cote}.{nom}={}", propre(&bounded(&v, 64))));
                    }
                }
            }
        }
        s
    }

    /// The act a trace's `rubriques` records, if it is a delegated act's.
    pub fn decoder(texte: &str) -> Option<ActeTrace> {
        let mut champs = texte.split(';');
        if champs.next() != Some(PREFIXE) {
            return None;
        }
        let (mut nature, mut convention, mut bouquet, mut agent) = (None, None, None, None);
        let (mut avant, mut apres): (Option<EtatHabilitation>, Option<EtatHabilitation>) = (None, None);
        for c in champs {
            let etat = |nom: &str| match nom.split_once('.') {
                Some(("avant", champ)) => Some((true, champ.to_owned())),
                Some(("apres", champ)) => Some((false, champ.to_owned())),
                _ => None,
            };
            if let Some((nom, v)) = c.split_once('=') {
                if let Some((est_avant, champ)) = etat(nom) {
                    let cible = if est_avant { &mut avant } else { &mut apres };
                    cible
                        .get_or_insert_with(EtatHabilitation::default)
                        .lire(&champ, v);
                    continue;
                }
            }
            match c.split_once('=') {
                Some(("nature", v)) => nature = NatureActe::parse(v),
                Some(("convention", v)) => convention = Some(v.to_owned()),
                Some(("bouquet", v)) => bouquet = Some(v.to_owned()),
                Some(("agent", v)) => agent = Some(v.to_owned()),
                _ => {}
            }
        }
        Some(ActeTrace {
            nature: nature?,
            convention: convention?,
            bouquet: bouquet?,
            agent,
            avant,
            apres,
        })
    }
}

/// One delegated act, as the audit lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActeDelegueAudite {
    pub numero_trace: i64,
    pub horodatage: DateTime<Utc>,
    /// The partner's administrator who acted.
    pub administrateur: String,
    pub partenaire: String,
    pub acte: ActeTrace,
    pub resultat: Resultat,
}

fn minuit(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc()
}

fn jour(champ: &str, texte: Option<&str>) -> Result<NaiveDate, AppError> {
    let t = texte.map(str::trim).unwrap_or_default();
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
        AppError::RequeteInvalide(format!(
            "{champ} : « {} » n'est pas une date AAAA-MM-JJ",
            bounded(t, 20)
        ))
    })
}

impl App {
    /// SU-3: the delegated acts of the caisse's partners (or of one) on the days `du` to `au` (inclusive,
    /// UTC, a year at most), oldest first, refused ones included (role `supervision`). Traced.
    pub async fn actes_delegues(
        &self,
        staff: &Staff,
        partenaire: Option<&str>,
        du: Option<&str>,
        au: Option<&str>,
        source: &str,
    ) -> Result<Vec<ActeDelegueAudite>, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let outcome = self.lire_actes_delegues(staff, partenaire, du, au).await;
        let detail = format!(
            "{PREFIXE};partenaire={};du={};au={}",
            propre(&bounded(partenaire.unwrap_or_default().trim(), 32)),
            propre(&bounded(du.unwrap_or_default(), 20)),
            propre(&bounded(au.unwrap_or_default(), 20)),
        );
        self.tracer_acte(staff, Action::RequeteTraces, &outcome, detail, None, source)
            .await?;
        outcome
    }

    async fn lire_actes_delegues(
        &self,
        staff: &Staff,
        partenaire: Option<&str>,
        du: Option<&str>,
        au: Option<&str>,
    ) -> Result<Vec<ActeDelegueAudite>, AppError> {
        let (du, au) = (jour("du", du)?, jour("au", au)?);
        if au < du || (au - du).num_days() >= JOURS_MAX_AUDIT {
            return Err(AppError::RequeteInvalide(format!(
                "période : au pas avant du, {JOURS_MAX_AUDIT} jours au plus"
            )));
        }
        let mut filter = TraceFilter::caisse(staff.personnel.caisse.clone());
        filter.action = Some(Action::Gestion);
        filter.partenaire = partenaire
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| NumeroTiers::parse(p).map_err(|e| AppError::RequeteInvalide(e.to_string())))
            .transpose()?;
        filter.du = Some(minuit(du));
        filter.avant = Some(minuit(au + Duration::days(1)));
        self.actes_delegues_filtres(&filter).await
    }

    /// Every delegated act among the traces `filter` (of action `gestion`) finds.
    pub(crate) async fn actes_delegues_filtres(
        &self,
        filter: &TraceFilter,
    ) -> Result<Vec<ActeDelegueAudite>, AppError> {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page = self.store.search_traces(filter, after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let fin = page.len() < PAGE as usize;
            for s in page {
                let t = s.trace;
                let acte = t.rubriques.as_deref().and_then(ActeTrace::decoder);
                if let (Some(acte), Some(administrateur), Some(partenaire)) =
                    (acte, t.utilisateur, t.partenaire)
                {
                    out.push(ActeDelegueAudite {
                        numero_trace: s.id,
                        horodatage: t.horodatage,
                        administrateur,
                        partenaire,
                        acte,
                        resultat: t.resultat,
                    });
                }
            }
            if fin {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn su_3_a_delegated_acts_trace_reads_back_and_cannot_be_forged() {
        let a = ActeTrace {
            nature: NatureActe::Modification,
            convention: "QF-07;agent=x".into(),
            bouquet: "QF".into(),
            agent: Some("agent07".into()),
            avant: Some(EtatHabilitation {
                profil: None,
                actif: true,
                suspendue: false,
                service: Some("Accueil;apres.statut=inactif".into()),
                fonction: Some("Agent".into()),
            }),
            apres: None,
        };
        let texte = a.encoder();
        assert_eq!(
            texte,
            "gestion_deleguee;nature=modification;convention=QF-07_agent_x;bouquet=QF;agent=agent07;\
             avant.statut=actif;avant.habilitation=active;avant.service=Accueil_apres.statut_inactif;\
             avant.fonction=Agent;apres=aucune"
        );
        let lu = ActeTrace::decoder(&texte).unwrap();
        assert_eq!(
            (lu.convention.as_str(), lu.agent.as_deref()),
            ("QF-07_agent_x", Some("agent07"))
        );
        // A typed value cannot forge the state after: it stays in the field it was typed in.
        let avant = lu.avant.unwrap();
        assert_eq!(avant.service.as_deref(), Some("Accueil_apres.statut_inactif"));
        assert!(avant.actif);
        assert_eq!(lu.apres, None);
        // An act traced before the states were recorded reads back without them.
        let ancien = ActeTrace::decoder("gestion_deleguee;nature=acces;convention=C;bouquet=QF").unwrap();
        assert_eq!((ancien.avant, ancien.apres), (None, None));
        // One traced before suspensions existed reads back as an active habilitation.
        let ancien = ActeTrace::decoder(
            "gestion_deleguee;nature=modification;convention=C;bouquet=QF;agent=a;avant.statut=actif;\
             apres.statut=actif",
        )
        .unwrap();
        assert_eq!(ancien.apres.map(|e| (e.actif, e.suspendue)), Some((true, false)));
        // HB-9: a suspension, before active, after suspended.
        let etat = |suspendue| EtatHabilitation {
            actif: true,
            suspendue,
            ..EtatHabilitation::default()
        };
        let suspension = ActeTrace {
            nature: NatureActe::Suspension,
            convention: "C".into(),
            bouquet: "QF".into(),
            agent: Some("a".into()),
            avant: Some(etat(false)),
            apres: Some(etat(true)),
        };
        let texte = suspension.encoder();
        assert!(texte.contains("nature=suspension;"), "{texte}");
        assert!(
            texte.ends_with("apres.statut=actif;apres.habilitation=suspendue"),
            "{texte}"
        );
        assert_eq!(ActeTrace::decoder(&texte), Some(suspension));
        assert_eq!(ActeTrace::decoder("abus_regles=lecture"), None);
        assert_eq!(
            ActeTrace::decoder("gestion_deleguee;nature=autre;convention=C;bouquet=QF"),
            None
        );
    }
}
