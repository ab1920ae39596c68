//! The caisse's supervision (SPEC TR-3, SU-2, AU-6, BY-1), role `supervision`: trace requests and their
//! exports, suspensions of a user or a whole partner and their lifting, and the list of the partners that
//! consulted a dossier. Every act is traced, with what was asked summarised and never a NIR in clear.

use crate::auth::bounded;
use crate::personnel::Staff;
use crate::secrets::nir_hash;
use crate::{App, AppError};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use partage_domain::personnel::Role;
use partage_domain::trace::{Action, Resultat, Trace};
use partage_domain::{Bouquet, Identifiant, Matricule, Nir, NumeroTiers};
use partage_store::supervision::{
    Acte, ConsultationDossier, DossierFilter, LeveeRefusee, NewSuspension, SuspensionRecord,
    SuspensionRefusee, TraceFilter,
};
pub use partage_store::supervision::{Cible, LigneStatistique};
use partage_store::Store;
pub use partage_store::StoredTrace;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The most traces one page gives.
pub const LIMITE_MAX: u32 = 1_000;
const LIMITE_PAR_DEFAUT: u32 = 100;
/// Traces read per round trip while exporting.
const PAGE_EXPORT: u32 = 1_000;
const MOTIF_MAX: usize = 500;

/// A trace request as typed (query string): every field optional, checked by [`App::requete_traces`].
#[derive(Debug, Clone, Default)]
pub struct RequeteTraces {
    pub utilisateur: Option<String>,
    pub partenaire: Option<String>,
    pub matricule: Option<String>,
    pub nir: Option<String>,
    pub bouquet: Option<String>,
    pub resultat: Option<String>,
    pub action: Option<String>,
    /// `AAAA-MM-JJ`, inclusive, UTC.
    pub du: Option<String>,
    /// `AAAA-MM-JJ`, inclusive, UTC.
    pub au: Option<String>,
    /// The last trace id of the previous page.
    pub apres: Option<String>,
    pub limite: Option<String>,
}

/// One page of a trace request; `suivant` is the `apres` of the next page, if there may be one.
#[derive(Debug, Clone)]
pub struct PageTraces {
    pub traces: Vec<StoredTrace>,
    pub suivant: Option<i64>,
}

/// Every trace of a request, read page by page as the export is written.
#[derive(Debug)]
pub struct ExportTraces {
    store: Arc<dyn Store>,
    filter: TraceFilter,
    after: i64,
    done: bool,
}

impl ExportTraces {
    /// The next traces, or `None` once all were given.
    pub async fn suite(&mut self) -> Result<Option<Vec<StoredTrace>>, AppError> {
        if self.done {
            return Ok(None);
        }
        let page = self
            .store
            .search_traces(&self.filter, self.after, PAGE_EXPORT)
            .await?;
        match page.last() {
            Some(last) => {
                self.after = last.id;
                self.done = page.len() < PAGE_EXPORT as usize;
                Ok(Some(page))
            }
            None => {
                self.done = true;
                Ok(None)
            }
        }
    }
}

/// A suspension as asked (JSON body): a user **or** a partner, until an instant or for good, and why.
#[derive(Debug, Clone, Default)]
pub struct DemandeSuspension {
    pub utilisateur: Option<String>,
    pub partenaire: Option<String>,
    /// RFC 3339 instant in the future; absent: definitive.
    pub jusqu_au: Option<String>,
    pub motif: String,
}

/// A suspension as recorded, with whether it holds now.
#[derive(Debug, Clone)]
pub struct SuspensionVue {
    pub suspension: SuspensionRecord,
    pub en_cours: bool,
    /// Live sessions the suspension ended (only right after it is made).
    pub sessions_terminees: Option<u64>,
}

/// A checked filter, what its trace says of it, and the dossier it names.
struct Filtre {
    filter: TraceFilter,
    resume: String,
    matricule: Option<String>,
    nir_hache: Option<String>,
    apres: i64,
    limite: u32,
}

fn code<T: DeserializeOwned>(champ: &str, texte: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(texte.trim().to_owned()))
        .map_err(|_| format!("{champ} : « {} » n'est pas un code connu", bounded(texte, 40)))
}

fn jour(champ: &str, texte: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(texte.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "{champ} : « {} » n'est pas une date AAAA-MM-JJ",
            bounded(texte, 20)
        )
    })
}

fn minuit(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(chrono::NaiveTime::MIN).and_utc()
}

fn motif(texte: &str) -> Result<String, AppError> {
    let m = texte.trim();
    if m.is_empty() {
        Err(AppError::RequeteInvalide("motif : obligatoire".into()))
    } else if m.chars().count() > MOTIF_MAX {
        Err(AppError::RequeteInvalide(format!(
            "motif : {MOTIF_MAX} caractères au plus"
        )))
    } else {
        Ok(m.chars().map(|c| if c.is_control() { ' ' } else { c }).collect())
    }
}

fn horodatage(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl RequeteTraces {
    /// Page position: `(apres, limite)`.
    fn page(&self) -> Result<(i64, u32), AppError> {
        let apres = match self.apres.as_deref() {
            None => 0,
            Some(t) => t.trim().parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                AppError::RequeteInvalide(format!(
                    "apres : « {} » n'est pas un numéro de trace",
                    bounded(t, 20)
                ))
            })?,
        };
        let limite = match self.limite.as_deref() {
            None => LIMITE_PAR_DEFAUT,
            Some(t) => t
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=LIMITE_MAX).contains(n))
                .ok_or_else(|| {
                    AppError::RequeteInvalide(format!("limite : un nombre de 1 à {LIMITE_MAX}"))
                })?,
        };
        Ok((apres, limite))
    }
}

impl App {
    /// The trace of a supervision act of `staff`: `detail` summarises what was asked or done.
    pub(crate) fn trace_supervision(
        &self,
        staff: &Staff,
        action: Action,
        resultat: Resultat,
        detail: String,
        source: &str,
    ) -> Trace {
        let p = &staff.personnel;
        Trace {
            resultat,
            rubriques: (!detail.is_empty()).then_some(detail),
            ..self.trace_typed(p.caisse.as_str(), p.identifiant.as_str(), source, action)
        }
    }

    pub(crate) async fn enregistrer(&self, staff: &Staff, trace: Trace) -> Result<(), AppError> {
        self.journal.record(trace, None).await?;
        self.touch_personnel(staff).await
    }

    /// Checks every filter (all bad ones named at once, a bad NIR on its own), within the staff's caisse.
    async fn filtre(&self, staff: &Staff, r: &RequeteTraces) -> Result<Filtre, AppError> {
        let mut erreurs = Vec::new();
        let mut resume = Vec::new();
        let mut filter = TraceFilter::caisse(staff.personnel.caisse.clone());
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        if let Some(u) = given(&r.utilisateur) {
            if u.chars().count() > 64 || u.chars().any(char::is_control) {
                erreurs.push("utilisateur : 64 caractères au plus, sans caractère de contrôle".to_owned());
            } else {
                resume.push(format!("utilisateur={u}"));
                filter.utilisateur = Some(u);
            }
        }
        if let Some(p) = given(&r.partenaire) {
            match NumeroTiers::parse(&p) {
                Ok(t) => {
                    resume.push(format!("partenaire={t}"));
                    filter.partenaire = Some(t);
                }
                Err(e) => erreurs.push(e.to_string()),
            }
        }
        let mut matricule = None;
        if let Some(m) = given(&r.matricule) {
            match Matricule::parse(&m) {
                Ok(m) => matricule = Some(m.as_str().to_owned()),
                Err(e) => erreurs.push(e.to_string()),
            }
        }
        if let Some(b) = given(&r.bouquet) {
            match Bouquet::parse(&b.to_ascii_uppercase()) {
                Some(b) => {
                    resume.push(format!("bouquet={}", b.code()));
                    filter.bouquet = Some(b);
                }
                None => erreurs.push(format!(
                    "bouquet : « {} » inconnu (QF, PSU, RSACG ou MCP)",
                    bounded(&b, 20)
                )),
            }
        }
        if let Some(t) = given(&r.resultat) {
            match code::<Resultat>("resultat", &t) {
                Ok(v) => {
                    resume.push(format!("resultat={}", v.code()));
                    filter.resultat = Some(v);
                }
                Err(e) => erreurs.push(e),
            }
        }
        if let Some(t) = given(&r.action) {
            match code::<Action>("action", &t) {
                Ok(v) => {
                    resume.push(format!("action={}", v.code()));
                    filter.action = Some(v);
                }
                Err(e) => erreurs.push(e),
            }
        }
        let du = given(&r.du)
            .map(|t| jour("du", &t))
            .transpose()
            .map_err(|e| erreurs.push(e));
        let au = given(&r.au)
            .map(|t| jour("au", &t))
            .transpose()
            .map_err(|e| erreurs.push(e));
        if let (Ok(du), Ok(au)) = (du, au) {
            if let (Some(d), Some(a)) = (du, au) {
                if d > a {
                    erreurs.push(format!("période : le début ({d}) est après la fin ({a})"));
                }
            }
            if let Some(d) = du {
                resume.push(format!("du={d}"));
                filter.du = Some(minuit(d));
            }
            if let Some(a) = au {
                resume.push(format!("au={a}"));
                filter.avant = a.succ_opt().map(minuit);
            }
        }
        let page = r.page().map_err(|e| erreurs.push(e.to_string()));
        if matricule.is_some() && given(&r.nir).is_some() {
            erreurs.push("dossier : le matricule ou le NIR, pas les deux".to_owned());
        }
        let (apres, limite) = match page {
            Ok(page) if erreurs.is_empty() => page,
            _ => return Err(AppError::RequeteInvalide(erreurs.join(" ; "))),
        };
        let mut nir_hache = None;
        if let Some(n) = given(&r.nir) {
            let nir = Nir::parse(&n).map_err(|e| AppError::NirInvalide(e.to_string()))?;
            let hash = nir_hash(&self.nir_key, &nir);
            // The traces name a found dossier by its matricule, a NIR that found nothing by its hash.
            let dossier = self
                .store
                .dossier_by_nir(staff.personnel.caisse_id, &hash)
                .await?;
            resume.push("nir=<empreinte>".to_owned());
            // The request's own trace names the dossier the NIR found, as a consultation's would.
            matricule = dossier.map(|d| d.matricule.as_str().to_owned());
            filter.dossier = Some(DossierFilter {
                matricule: matricule.clone(),
                nir_hache: Some(hash.0.clone()),
            });
            nir_hache = Some(hash.0);
        } else if let Some(m) = &matricule {
            resume.push(format!("matricule={m}"));
            filter.dossier = Some(DossierFilter {
                matricule: Some(m.clone()),
                nir_hache: None,
            });
        }
        Ok(Filtre {
            filter,
            resume: resume.join(";"),
            matricule,
            nir_hache,
            apres,
            limite,
        })
    }

    /// Role check, filter check and the request's own trace, shared by a page and an export. A refused
    /// filter is traced too, with what made it wrong in its result.
    async fn demande_de_traces(
        &self,
        staff: &Staff,
        r: &RequeteTraces,
        export: Option<&str>,
        source: &str,
    ) -> Result<(TraceFilter, i64, u32), AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let f = match self.filtre(staff, r).await {
            Ok(f) => f,
            Err(e) => {
                let resultat = match e {
                    AppError::NirInvalide(_) => Resultat::NirInvalide,
                    _ => Resultat::RequeteInvalide,
                };
                let trace =
                    self.trace_supervision(staff, Action::RequeteTraces, resultat, String::new(), source);
                self.enregistrer(staff, trace).await?;
                return Err(e);
            }
        };
        let mut detail = f.resume;
        if let Some(format) = export {
            detail = if detail.is_empty() {
                format!("export={format}")
            } else {
                format!("{detail};export={format}")
            };
        }
        let mut trace =
            self.trace_supervision(staff, Action::RequeteTraces, Resultat::Succes, detail, source);
        trace.matricule = f.matricule;
        trace.nir_hache = f.nir_hache;
        self.enregistrer(staff, trace).await?;
        Ok((f.filter, f.apres, f.limite))
    }

    /// TR-3: one page of the caisse's traces matching the filters (role `supervision`). Traced.
    pub async fn requete_traces(
        &self,
        staff: &Staff,
        r: &RequeteTraces,
        source: &str,
    ) -> Result<PageTraces, AppError> {
        let (filter, apres, limite) = self.demande_de_traces(staff, r, None, source).await?;
        let traces = self.store.search_traces(&filter, apres, limite).await?;
        let suivant = (traces.len() == limite as usize)
            .then(|| traces.last().map(|t| t.id))
            .flatten();
        Ok(PageTraces { traces, suivant })
    }

    /// TR-3: every trace matching the filters, from `apres`, for an export in `format` (role
    /// `supervision`). Traced once, with the format.
    pub async fn exporter_traces(
        &self,
        staff: &Staff,
        r: &RequeteTraces,
        format: &str,
        source: &str,
    ) -> Result<ExportTraces, AppError> {
        let (filter, apres, _) = self.demande_de_traces(staff, r, Some(format), source).await?;
        Ok(ExportTraces {
            store: self.store.clone(),
            filter,
            after: apres,
            done: false,
        })
    }

    /// SU-2, AU-6: suspends a user or every user of a partner of the staff's caisse (role `supervision`),
    /// ending at once every live session it covers. Traced, refused or done.
    pub async fn suspendre(
        &self,
        staff: &Staff,
        d: &DemandeSuspension,
        source: &str,
    ) -> Result<SuspensionVue, AppError> {
        self.exiger_acte_sensible(staff, Role::Supervision, source)
            .await?;
        let outcome = self.enregistrer_suspension(staff, d).await;
        let (resultat, detail) = match &outcome {
            Ok(v) => {
                let s = &v.suspension;
                let fin = s.jusqu_au.map_or("definitive".to_owned(), horodatage);
                (
                    Resultat::Succes,
                    format!(
                        "suspension={};{}={};jusqu_au={fin};sessions_terminees={}",
                        s.id,
                        s.cible.type_code(),
                        s.cible.valeur(),
                        v.sessions_terminees.unwrap_or(0)
                    ),
                )
            }
            Err(_) => (Resultat::Refuse, String::new()),
        };
        let trace = self.trace_supervision(staff, Action::Suspension, resultat, detail, source);
        self.enregistrer(staff, trace).await?;
        outcome
    }

    async fn enregistrer_suspension(
        &self,
        staff: &Staff,
        d: &DemandeSuspension,
    ) -> Result<SuspensionVue, AppError> {
        let now = self.clock.now();
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let cible = match (given(&d.utilisateur), given(&d.partenaire)) {
            (Some(u), None) => {
                Cible::Utilisateur(Identifiant::parse(&u).map_err(|e| AppError::RequeteInvalide(e.to_string()))?)
            }
            (None, Some(p)) => {
                Cible::Partenaire(NumeroTiers::parse(&p).map_err(|e| AppError::RequeteInvalide(e.to_string()))?)
            }
            _ => {
                return Err(AppError::RequeteInvalide(
                    "indiquez l'utilisateur (identifiant) ou le partenaire (N° tiers) à suspendre, l'un ou l'autre"
                        .into(),
                ))
            }
        };
        let jusqu_au = match given(&d.jusqu_au) {
            None => None,
            Some(t) => {
                let at = DateTime::parse_from_rfc3339(&t)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| {
                        AppError::RequeteInvalide(format!(
                            "jusqu_au : « {} » n'est pas un instant (AAAA-MM-JJTHH:MM:SSZ)",
                            bounded(&t, 40)
                        ))
                    })?;
                if at <= now {
                    return Err(AppError::RequeteInvalide(format!(
                        "jusqu_au : {} n'est pas dans le futur",
                        horodatage(at)
                    )));
                }
                Some(at)
            }
        };
        let acte = Acte {
            par: staff.personnel.identifiant.to_string(),
            le: now,
            motif: motif(&d.motif)?,
        };
        let nouvelle = NewSuspension {
            caisse: staff.personnel.caisse_id,
            cible: cible.clone(),
            jusqu_au,
            acte: acte.clone(),
        };
        match self.store.suspend(&nouvelle).await? {
            Ok(done) => Ok(SuspensionVue {
                suspension: SuspensionRecord {
                    id: done.id,
                    cible,
                    jusqu_au,
                    acte,
                    levee: None,
                },
                en_cours: true,
                sessions_terminees: Some(done.sessions_terminees),
            }),
            Err(SuspensionRefusee::CibleInconnue) => Err(AppError::Introuvable(format!(
                "aucun {} « {} » dans votre caisse",
                match nouvelle.cible {
                    Cible::Utilisateur(_) => "utilisateur",
                    Cible::Partenaire(_) => "partenaire",
                },
                nouvelle.cible.valeur()
            ))),
        }
    }

    /// SU-2: lifts a suspension of the staff's caisse, with a motif (role `supervision`). Traced.
    pub async fn lever_suspension(
        &self,
        staff: &Staff,
        id: i64,
        texte_motif: &str,
        source: &str,
    ) -> Result<SuspensionVue, AppError> {
        self.exiger_acte_sensible(staff, Role::Supervision, source)
            .await?;
        let outcome = match motif(texte_motif) {
            Err(e) => Err(e),
            Ok(m) => {
                let acte = Acte {
                    par: staff.personnel.identifiant.to_string(),
                    le: self.clock.now(),
                    motif: m,
                };
                match self
                    .store
                    .lift_suspension(staff.personnel.caisse_id, id, &acte)
                    .await?
                {
                    Ok(s) => Ok(SuspensionVue {
                        en_cours: s.en_cours(self.clock.now()),
                        suspension: s,
                        sessions_terminees: None,
                    }),
                    Err(LeveeRefusee::Inconnue) => Err(AppError::Introuvable(format!(
                        "aucune suspension n° {id} dans votre caisse"
                    ))),
                    Err(LeveeRefusee::DejaLevee) => Err(AppError::TransitionRefusee(format!(
                        "la suspension n° {id} est déjà levée"
                    ))),
                }
            }
        };
        let resultat = if outcome.is_ok() {
            Resultat::Succes
        } else {
            Resultat::Refuse
        };
        let trace = self.trace_supervision(
            staff,
            Action::LeveeSuspension,
            resultat,
            format!("suspension={id}"),
            source,
        );
        self.enregistrer(staff, trace).await?;
        outcome
    }

    /// SU-2: the caisse's suspensions, current and past, newest first (role `supervision`).
    pub async fn suspensions(&self, staff: &Staff, source: &str) -> Result<Vec<SuspensionVue>, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        self.touch_personnel(staff).await?;
        let now = self.clock.now();
        Ok(self
            .store
            .suspensions(staff.personnel.caisse_id)
            .await?
            .into_iter()
            .map(|s| SuspensionVue {
                en_cours: s.en_cours(now),
                suspension: s,
                sessions_terminees: None,
            })
            .collect())
    }

    /// BY-1: which partners consulted the dossier, when and through which bouquet, for the caisse to answer
    /// an allocataire's request (role `supervision`). Traced with the matricule.
    pub async fn releve_consultations(
        &self,
        staff: &Staff,
        matricule: &str,
        source: &str,
    ) -> Result<Vec<ConsultationDossier>, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let outcome = self.consultations_du_dossier(staff, matricule).await;
        let (resultat, m) = match &outcome {
            Ok((m, _)) => (Resultat::Succes, Some(m.as_str().to_owned())),
            Err(AppError::DossierIntrouvable) => (
                Resultat::DossierIntrouvable,
                Matricule::parse(matricule).ok().map(|m| m.as_str().to_owned()),
            ),
            Err(_) => (Resultat::RequeteInvalide, None),
        };
        let mut trace = self.trace_supervision(
            staff,
            Action::ReleveConsultations,
            resultat,
            String::new(),
            source,
        );
        trace.matricule = m;
        self.enregistrer(staff, trace).await?;
        outcome.map(|(_, c)| c)
    }

    async fn consultations_du_dossier(
        &self,
        staff: &Staff,
        matricule: &str,
    ) -> Result<(Matricule, Vec<ConsultationDossier>), AppError> {
        let m = Matricule::parse(matricule).map_err(|e| AppError::RequeteInvalide(e.to_string()))?;
        let p = &staff.personnel;
        if self.store.dossier_by_matricule(p.caisse_id, &m).await?.is_none() {
            return Err(AppError::DossierIntrouvable);
        }
        let consultations = self.store.consultations_of_dossier(&p.caisse, &m).await?;
        Ok((m, consultations))
    }

    /// SU-2 at login: the suspension in force for this user or his partner now, if any. Asked only once the
    /// password was found right, so a suspension reveals nothing to whoever does not hold it.
    pub(crate) async fn suspension_en_cours(
        &self,
        user: partage_store::UserId,
    ) -> Result<Option<SuspensionRecord>, AppError> {
        Ok(self.store.suspension_en_cours(user, self.clock.now()).await?)
    }
}

/// TR-4: a month's use of the caisse's bouquets.
#[derive(Debug, Clone)]
pub struct Statistiques {
    /// `AAAA-MM`.
    pub mois: String,
    pub lignes: Vec<LigneStatistique>,
}

impl App {
    /// TR-4: the month's consultations (found, not found, oppositions, other refusals) and failed logins,
    /// per partner, convention, bouquet and agent (role `supervision`), from the days' aggregates where
    /// built, from the traces for the days not built yet (today). Traced.
    pub async fn statistiques(
        &self,
        staff: &Staff,
        mois: &str,
        source: &str,
    ) -> Result<Statistiques, AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let debut = NaiveDate::parse_from_str(&format!("{}-01", mois.trim()), "%Y-%m-%d").ok();
        let periode = debut.and_then(|d| d.checked_add_months(chrono::Months::new(1)).map(|f| (d, f)));
        let Some((debut, fin)) = periode else {
            let trace = self.trace_supervision(
                staff,
                Action::RequeteTraces,
                Resultat::RequeteInvalide,
                String::new(),
                source,
            );
            self.enregistrer(staff, trace).await?;
            return Err(AppError::RequeteInvalide(format!(
                "mois : « {} » n'est pas un mois AAAA-MM",
                bounded(mois, 20)
            )));
        };
        let mois = debut.format("%Y-%m").to_string();
        let trace = self.trace_supervision(
            staff,
            Action::RequeteTraces,
            Resultat::Succes,
            format!("statistiques={mois}"),
            source,
        );
        self.enregistrer(staff, trace).await?;
        let lignes = self
            .lignes_statistiques(&staff.personnel.caisse, debut, fin)
            .await?;
        Ok(Statistiques { mois, lignes })
    }
}

/// The end of a suspension as the suspended user is told it.
pub(crate) fn fin_de_suspension(s: &SuspensionRecord) -> String {
    match s.jusqu_au {
        Some(fin) => format!(" jusqu'au {} (UTC)", fin.format("%d/%m/%Y à %H:%M")),
        None => String::new(),
    }
}
