//! `partage import`: the caisse loads its data as JSON Lines (format in docs/import.md).
//!
//! Every line is parsed and checked before anything is written; every bad line is reported, with its number,
//! field and reason; the store then applies the whole file in one transaction or nothing.

use crate::secrets::{hash_password_blocking, nir_hash};
use crate::{App, AppError};
use chrono::NaiveDate;
use partage_domain::bareme::{verifier_baremes, BaremeError, BaremePsu, TauxEffort};
use partage_domain::dossier::DossierError;
use partage_domain::dossier::{Adresse, PeriodeQf, Personne, Sexe};
use partage_domain::famille::{Famille, PeriodeRessources, Situation};
use partage_domain::habilitation::{Gestion, PLAFOND_MAX};
use partage_domain::partenaire::{Contact, Coordonnees, Saisie};
use partage_domain::rsa::{
    AdresseAnterieure, Circonscription, DeclarationTrimestrielle, DonneesRsa, DroitRsa, EtatRsa, Prestation,
    RsaError,
};
use partage_domain::Euros;
use partage_domain::{
    Bouquet, CaisseCode, CodeCirconscription, CodeDepartement, Convention, Dossier, Identifiant, Matricule,
    Nir, NumeroConvention, NumeroTiers, Regime, Siret,
};
use partage_store::{
    BaremeRecord, CaisseRecord, ConventionRecord, DossierRecord, HabilitationRecord, ImportCounts,
    ImportRecord, LineError, NirKey, NumberedRecord, PartenaireRecord, UtilisateurRecord,
};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::fmt::Display;
use std::io::BufRead;

/// A file may not hide more than this many errors: past it, the report says so and stops listing.
const MAX_REPORTED: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub lignes: usize,
    pub enregistrements: ImportCounts,
}

/// A parsed file: records ready for the store, and the temporary passwords still to hash.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub records: Vec<NumberedRecord>,
    pub lines: usize,
    /// For each `utilisateur` record (index into `records`), its temporary password in clear.
    passwords: Vec<(usize, String)>,
}

impl App {
    /// Imports a JSON Lines file: all of it, or nothing and the list of every bad line.
    pub async fn import_jsonl(&self, input: Box<dyn BufRead + Send>) -> Result<ImportReport, AppError> {
        let key = (*self.nir_key).clone();
        let mut parsed = tokio::task::spawn_blocking(move || parse_jsonl(&key, input))
            .await
            .map_err(|e| AppError::Interne(e.to_string()))?
            .map_err(AppError::ImportRefuse)?;
        // Temporary passwords only matter for users that do not exist yet: hashing is deliberately slow.
        let passwords = std::mem::take(&mut parsed.passwords);
        for (index, password) in passwords {
            let Some(NumberedRecord {
                record: ImportRecord::Utilisateur(u),
                ..
            }) = parsed.records.get_mut(index)
            else {
                continue;
            };
            if self.store.find_login(&u.caisse, &u.identifiant).await?.is_none() {
                u.mot_de_passe_provisoire_hash =
                    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
                        .await
                        .map_err(|e| AppError::Interne(e.to_string()))?
                        .map_err(|e| AppError::Interne(e.to_string()))?;
            }
        }
        let counts = self.store.import(parsed.records).await?;
        Ok(ImportReport {
            lignes: parsed.lines,
            enregistrements: counts,
        })
    }
}

/// Parses and checks every line; returns all the errors if any line is bad.
pub fn parse_jsonl(key: &NirKey, input: impl BufRead) -> Result<ParsedFile, Vec<LineError>> {
    let mut file = ParsedFile::default();
    let mut errors = Vec::new();
    let mut nirs_seen: HashSet<String> = HashSet::new();
    for (index, line) in input.lines().enumerate() {
        let ligne = index + 1;
        file.lines = ligne;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                errors.push(LineError {
                    ligne,
                    champ: "ligne".into(),
                    raison: format!("illisible : {e}"),
                });
                break;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let mut f = match serde_json::from_str::<Value>(&line) {
            Ok(Value::Object(obj)) => Fields {
                obj,
                ligne,
                errors: Vec::new(),
            },
            Ok(_) => {
                errors.push(err(ligne, "ligne", "chaque ligne doit être un objet JSON"));
                continue;
            }
            Err(e) => {
                // serde's message is English; users get the column, in French.
                errors.push(err(
                    ligne,
                    "ligne",
                    format!("JSON invalide à la colonne {}", e.column()),
                ));
                continue;
            }
        };
        let record = match f.str("type").as_deref() {
            Some("caisse") => caisse(&mut f).map(ImportRecord::Caisse),
            Some("partenaire") => partenaire(&mut f).map(ImportRecord::Partenaire),
            Some("convention") => convention(&mut f).map(ImportRecord::Convention),
            Some("utilisateur") => match utilisateur(&mut f) {
                Some((u, password)) => {
                    file.passwords.push((file.records.len(), password));
                    Some(ImportRecord::Utilisateur(u))
                }
                None => None,
            },
            Some("dossier") => dossier(&mut f, key, &mut nirs_seen).map(ImportRecord::Dossier),
            Some("bareme_psu") => bareme_psu(&mut f).map(ImportRecord::BaremePsu),
            Some(other) => {
                f.error("type", format!("type d'enregistrement inconnu « {other} » (attendu : caisse, partenaire, convention, utilisateur, dossier ou bareme_psu)"));
                None
            }
            None => None,
        };
        f.no_other_fields();
        match record {
            Some(record) if f.errors.is_empty() => file.records.push(NumberedRecord { ligne, record }),
            _ => errors.append(&mut f.errors),
        }
        if errors.len() >= MAX_REPORTED {
            errors.truncate(MAX_REPORTED);
            errors.push(err(
                ligne,
                "fichier",
                format!("plus de {MAX_REPORTED} erreurs : lecture interrompue"),
            ));
            break;
        }
    }
    errors.extend(chevauchements(&file.records));
    if errors.is_empty() {
        Ok(file)
    } else {
        Err(errors)
    }
}

/// Two barème periods of one caisse in force on the same day refuse the file; the reason names both lines.
fn chevauchements(records: &[NumberedRecord]) -> Vec<LineError> {
    let mut par_caisse: Vec<(&str, Vec<(usize, &BaremePsu)>)> = Vec::new();
    for r in records {
        if let ImportRecord::BaremePsu(b) = &r.record {
            match par_caisse.iter_mut().find(|(c, _)| *c == b.caisse.as_str()) {
                Some((_, list)) => list.push((r.ligne, &b.bareme)),
                None => par_caisse.push((b.caisse.as_str(), vec![(r.ligne, &b.bareme)])),
            }
        }
    }
    let mut errors = Vec::new();
    for (caisse, list) in par_caisse {
        let baremes = list.iter().map(|(_, b)| (*b).clone()).collect();
        if let Err(BaremeError::Chevauchement(a, b)) = verifier_baremes(baremes) {
            // Two periods may start the same day: the second line is then another line than the first.
            let ligne_de = |debut, sauf| {
                list.iter()
                    .find(|(l, x)| x.debut() == debut && Some(*l) != sauf)
                    .map_or(0, |(l, _)| *l)
            };
            let premiere = ligne_de(a, None);
            let seconde = ligne_de(b, Some(premiere));
            errors.push(err(
                premiere.max(seconde),
                "debut",
                format!(
                    "le barème PSU de la caisse {caisse} de la ligne {seconde} (du {}) chevauche celui de la ligne {premiere} (du {}) : une seule période en vigueur par jour",
                    b.format("%d/%m/%Y"),
                    a.format("%d/%m/%Y")
                ),
            ));
        }
    }
    errors
}

/// A period of the PSU barème: floor and ceiling of the monthly resources, and the taux d'effort for 1, 2, 3…
/// dependent children in each column.
fn bareme_psu(f: &mut Fields) -> Option<BaremeRecord> {
    let caisse = f.parsed("caisse", CaisseCode::parse);
    let debut = f.date("debut");
    let fin = f.opt_date("fin");
    let plancher = f.euros("plancher_mensuel");
    let plafond = f.euros("plafond_mensuel");
    let collectif = taux_effort(f, "collectif");
    let familial = taux_effort(f, "familial");
    let (Some(debut), Ok(fin), Some(plancher), Some(plafond), Some(collectif), Some(familial)) =
        (debut, fin, plancher, plafond, collectif, familial)
    else {
        return None;
    };
    let bareme = BaremePsu::new(debut, fin, plancher, plafond, collectif, familial)
        .map_err(|e| {
            let champ = match e {
                BaremeError::PlancherAuDessusDuPlafond { .. } => "plancher_mensuel",
                BaremeError::FinAvantDebut(_) => "fin",
                _ => "bareme",
            };
            f.error(champ, e.to_string());
        })
        .ok();
    Some(BaremeRecord {
        caisse: caisse?,
        bareme: bareme?,
    })
}

/// A column of rates, one per number of dependent children, each a percentage string such as "0.0619".
fn taux_effort(f: &mut Fields, name: &str) -> Option<Vec<TauxEffort>> {
    let items = f.array(name, true)?;
    if items.is_empty() {
        f.error(name, "au moins un taux d'effort (pour un enfant à charge)");
        return None;
    }
    let mut taux = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_str().map(TauxEffort::parse) {
            Some(Ok(t)) => taux.push(t),
            Some(Err(e)) => f.error(&format!("{name}[{i}]"), e.to_string()),
            None => f.error(
                &format!("{name}[{i}]"),
                "un taux d'effort s'écrit entre guillemets, par exemple \"0.0619\"",
            ),
        }
    }
    (taux.len() == items.len()).then_some(taux)
}

fn err(ligne: usize, champ: &str, raison: impl Into<String>) -> LineError {
    LineError {
        ligne,
        champ: champ.into(),
        raison: raison.into(),
    }
}

/// Takes the fields of one JSON object, remembering an error per bad field and which fields were read.
struct Fields {
    obj: Map<String, Value>,
    ligne: usize,
    errors: Vec<LineError>,
}

impl Fields {
    fn error(&mut self, champ: &str, raison: impl Into<String>) {
        self.errors.push(err(self.ligne, champ, raison));
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        self.obj.remove(name).filter(|v| !v.is_null())
    }

    /// A field that must be present, a non-empty string.
    fn str(&mut self, name: &str) -> Option<String> {
        match self.take(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::String(_)) => {
                self.error(name, "ne doit pas être vide");
                None
            }
            Some(_) => {
                self.error(name, "doit être une chaîne de caractères");
                None
            }
            None => {
                self.error(name, "champ obligatoire manquant");
                None
            }
        }
    }

    fn opt_str(&mut self, name: &str) -> Option<String> {
        match self.take(name) {
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_owned()),
            Some(_) => {
                self.error(name, "doit être une chaîne de caractères ou null");
                None
            }
            None => None,
        }
    }

    fn parsed<T, E: Display>(&mut self, name: &str, parse: impl Fn(&str) -> Result<T, E>) -> Option<T> {
        let s = self.str(name)?;
        parse(&s).map_err(|e| self.error(name, e.to_string())).ok()
    }

    fn date(&mut self, name: &str) -> Option<NaiveDate> {
        self.parsed(name, parse_date)
    }

    fn opt_date(&mut self, name: &str) -> Result<Option<NaiveDate>, ()> {
        match self.opt_str(name) {
            None => Ok(None),
            Some(s) => parse_date(&s).map(Some).map_err(|e| self.error(name, e)),
        }
    }

    /// An optional whole number; `attendu` says what it is when it is not one.
    fn opt_u32(&mut self, name: &str, attendu: &str) -> Option<u32> {
        match self.take(name) {
            None => None,
            Some(Value::Number(n)) => match n.as_u64().and_then(|v| u32::try_from(v).ok()) {
                Some(v) => Some(v),
                None => {
                    self.error(name, attendu);
                    None
                }
            },
            Some(_) => {
                self.error(name, attendu);
                None
            }
        }
    }

    /// A required amount in euros: a decimal string (`"32500.00"`) or a whole number. A JSON number with
    /// decimals is refused: readers may round it on the way, and money must arrive as written.
    fn euros(&mut self, name: &str) -> Option<Euros> {
        match self.take(name) {
            Some(Value::String(s)) => Euros::parse(&s).map_err(|e| self.error(name, e.to_string())).ok(),
            Some(Value::Number(n)) if n.is_u64() => Euros::parse(&n.to_string())
                .map_err(|e| self.error(name, e.to_string()))
                .ok(),
            Some(_) => {
                self.error(
                    name,
                    "un montant en euros s'écrit entre guillemets, par exemple \"32500.00\"",
                );
                None
            }
            None => {
                self.error(name, "champ obligatoire manquant");
                None
            }
        }
    }

    fn bool_or(&mut self, name: &str, default: bool) -> bool {
        match self.take(name) {
            None => default,
            Some(Value::Bool(b)) => b,
            Some(_) => {
                self.error(name, "doit valoir true ou false");
                default
            }
        }
    }

    fn array(&mut self, name: &str, required: bool) -> Option<Vec<Value>> {
        match self.take(name) {
            Some(Value::Array(items)) => Some(items),
            Some(_) => {
                self.error(name, "doit être une liste");
                None
            }
            None if required => {
                self.error(name, "champ obligatoire manquant");
                None
            }
            None => Some(Vec::new()),
        }
    }

    fn departements(&mut self, name: &str) -> Option<Vec<CodeDepartement>> {
        let items = self.array(name, true)?;
        let out = self.codes_departements(name, items);
        if out.is_empty() && self.errors.is_empty() {
            self.error(name, "au moins un département");
        }
        Some(out)
    }

    /// An optional list of départements, possibly empty; `None` when absent or null.
    fn opt_departements(&mut self, name: &str) -> Option<Vec<CodeDepartement>> {
        match self.take(name)? {
            Value::Array(items) => Some(self.codes_departements(name, items)),
            _ => {
                self.error(name, "doit être une liste");
                None
            }
        }
    }

    fn codes_departements(&mut self, name: &str, items: Vec<Value>) -> Vec<CodeDepartement> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item.as_str().map(CodeDepartement::parse) {
                Some(Ok(d)) => out.push(d),
                Some(Err(e)) => self.error(name, e.raison),
                None => self.error(name, "chaque département est une chaîne, par exemple \"07\""),
            }
        }
        out
    }

    /// CO-3: an optional list of circonscriptions written `DÉPARTEMENT/CODE`.
    fn circonscriptions(&mut self, name: &str) -> Vec<Circonscription> {
        let mut out = Vec::new();
        for (i, item) in self
            .array(name, false)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            match item.as_str().map(Circonscription::parse) {
                Some(Ok(c)) if !out.contains(&c) => out.push(c),
                Some(Ok(c)) => self.error(&format!("{name}[{i}]"), format!("« {c} » figure deux fois")),
                Some(Err(e)) => self.error(&format!("{name}[{i}]"), e.to_string()),
                None => self.error(
                    &format!("{name}[{i}]"),
                    "chaque circonscription est une chaîne, par exemple \"06/NICE-EST\"",
                ),
            }
        }
        out
    }

    /// A nested object, read with its own `Fields` whose errors are prefixed with the path.
    fn nested(&mut self, path: &str, value: Value) -> Option<Fields> {
        match value {
            Value::Object(obj) => Some(Fields {
                obj,
                ligne: self.ligne,
                errors: Vec::new(),
            }),
            _ => {
                self.error(path, "doit être un objet");
                None
            }
        }
    }

    fn absorb(&mut self, path: &str, mut inner: Fields) {
        inner.no_other_fields();
        for mut e in inner.errors {
            e.champ = format!("{path}.{}", e.champ);
            self.errors.push(e);
        }
    }

    /// Refuses unknown fields: a typo in a field name must not silently drop data.
    fn no_other_fields(&mut self) {
        let unknown: Vec<String> = self.obj.keys().cloned().collect();
        for name in unknown {
            self.error(&name, "champ inconnu");
        }
        self.obj.clear();
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("« {s} » n'est pas une date AAAA-MM-JJ valide"))
}

fn caisse(f: &mut Fields) -> Option<CaisseRecord> {
    let code = f.parsed("code", CaisseCode::parse);
    let nom = f.str("nom");
    let regime = f.parsed("regime", |s| Regime::parse(s).ok_or("le régime est CAF ou MSA"));
    let departements = f.departements("departements");
    Some(CaisseRecord {
        code: code?,
        nom: nom?,
        regime: regime?,
        departements: departements?,
    })
}

fn partenaire(f: &mut Fields) -> Option<PartenaireRecord> {
    let caisse = f.parsed("caisse", CaisseCode::parse);
    let numero_tiers = f.parsed("numero_tiers", NumeroTiers::parse);
    let nom = f.str("nom");
    let categorie = f.str("categorie");
    let siret = f.parsed("siret", Siret::parse);
    let departements = f.departements("departements");
    let circonscriptions = f.circonscriptions("circonscriptions");
    let departements = departements?;
    if let Some(c) = circonscriptions
        .iter()
        .find(|c| !departements.contains(&c.departement))
    {
        f.error(
            "circonscriptions",
            format!("la circonscription « {c} » n'est pas dans un département du partenaire (TEN-3, CO-3)"),
        );
        return None;
    }
    let (numero_tiers, nom, categorie, siret) = (numero_tiers?, nom?, categorie?, siret?);
    let coordonnees = match f.take("coordonnees") {
        None => None,
        Some(valeur) => {
            let saisie = Saisie {
                numero_tiers: numero_tiers.to_string(),
                nom: nom.clone(),
                categorie: categorie.clone(),
                siret: siret.as_str().to_owned(),
                departements: departements.iter().map(|d| d.as_str().to_owned()).collect(),
                circonscriptions: circonscriptions.iter().map(ToString::to_string).collect(),
                ..Saisie::default()
            };
            Some(coordonnees(f, valeur, saisie, &departements)?)
        }
    };
    Some(PartenaireRecord {
        caisse: caisse?,
        numero_tiers,
        nom,
        categorie,
        siret,
        departements,
        circonscriptions,
        coordonnees,
    })
}

/// Issue #3 part 2: the référentiel's fields of a partner (address, representative and function, contacts,
/// structures of a gestionnaire, delegation document), in a `coordonnees` object, checked as the back
/// office checks a fiche: all of them together, the category then a known one. Absent, the partner keeps
/// what it has.
fn coordonnees(
    f: &mut Fields,
    valeur: Value,
    mut saisie: Saisie,
    departements: &[CodeDepartement],
) -> Option<Coordonnees> {
    let mut c = f.nested("coordonnees", valeur)?;
    saisie.adresse = c.opt_str("adresse").unwrap_or_default();
    saisie.representant = c.opt_str("representant").unwrap_or_default();
    saisie.fonction_representant = c.opt_str("fonction_representant").unwrap_or_default();
    saisie.document_delegation = c.opt_str("document_delegation").unwrap_or_default();
    for (i, item) in c
        .array("structures", false)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        match item {
            Value::String(s) => saisie.structures.push(s),
            _ => c.error(&format!("structures[{i}]"), "chaque structure est une chaîne"),
        }
    }
    for (i, item) in c
        .array("contacts", false)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        match serde_json::from_value::<Contact>(item) {
            Ok(contact) => saisie.contacts.push(contact),
            Err(_) => c.error(
                &format!("contacts[{i}]"),
                "un contact s'écrit {\"nom\": …, \"email\": …, \"telephone\": …}",
            ),
        }
    }
    let lues = c.errors.is_empty();
    f.absorb("coordonnees", c);
    if !lues {
        return None;
    }
    match saisie.valider(departements) {
        Ok(fiche) => Some(fiche.coordonnees),
        Err(refus) => {
            for r in refus {
                let champ = match r.champ {
                    "categorie" | "nom" | "siret" | "numero_tiers" | "departements" | "circonscriptions" => {
                        r.champ.to_owned()
                    }
                    autre => format!("coordonnees.{autre}"),
                };
                f.error(&champ, r.message);
            }
            None
        }
    }
}

fn bouquet(s: &str) -> Result<Bouquet, String> {
    Bouquet::parse(s).ok_or_else(|| format!("bouquet inconnu « {s} » (attendu : QF, PSU, RSACG ou MCP)"))
}

fn convention(f: &mut Fields) -> Option<ConventionRecord> {
    let caisse = f.parsed("caisse", CaisseCode::parse);
    let numero = f.parsed("numero", NumeroConvention::parse);
    let partenaire = f.parsed("partenaire", NumeroTiers::parse);
    let mut bouquets = Vec::new();
    for item in f.array("bouquets", true).unwrap_or_default() {
        match item.as_str().map(bouquet) {
            Some(Ok(b)) => bouquets.push(b),
            Some(Err(e)) => f.error("bouquets", e),
            None => f.error("bouquets", "chaque bouquet est une chaîne, par exemple \"QF\""),
        }
    }
    let signee_le = f.date("signee_le");
    let cnil = f.opt_date("formalite_cnil_le");
    let fin = f.opt_date("fin_le");
    // An invalid cap is recorded among the line's errors, which refuse the whole file.
    let plafond = f.opt_u32(
        "plafond_habilitations",
        "nombre entier positif ou nul d'habilitations, ou null (sans plafond)",
    );
    let plafond = match plafond {
        Some(p) if p > PLAFOND_MAX => {
            f.error(
                "plafond_habilitations",
                format!("{PLAFOND_MAX} habilitations au plus"),
            );
            None
        }
        p => p,
    };
    let gestion = f.opt_str("gestion").and_then(|g| {
        Gestion::parse(&g)
            .ok_or_else(|| {
                let g: String = g.chars().take(20).collect();
                f.error("gestion", format!("« {g} » : centralisee ou deleguee"))
            })
            .ok()
    });
    let departements = f.opt_departements("departements");
    let (Some(numero), Some(signee_le), Ok(cnil), Ok(fin)) = (numero, signee_le, cnil, fin) else {
        return None;
    };
    let convention = Convention::new(numero, bouquets, signee_le, cnil, fin)
        .map_err(|e| f.error("convention", e.to_string()))
        .ok();
    Some(ConventionRecord {
        caisse: caisse?,
        partenaire: partenaire?,
        convention: convention?,
        plafond_habilitations: plafond,
        gestion,
        departements,
    })
}

fn utilisateur(f: &mut Fields) -> Option<(UtilisateurRecord, String)> {
    let caisse = f.parsed("caisse", CaisseCode::parse);
    let identifiant = f.parsed("identifiant", Identifiant::parse);
    let partenaire = f.parsed("partenaire", NumeroTiers::parse);
    let civilite = f.parsed("civilite", |s| match s {
        "M." | "Mme" => Ok(s.to_owned()),
        _ => Err("la civilité est « M. » ou « Mme »"),
    });
    let nom = f.str("nom");
    let prenom = f.str("prenom");
    let email = f.parsed("email", |s| {
        let valid = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !s.contains(char::is_whitespace)
            });
        if valid {
            Ok(s.to_owned())
        } else {
            Err(format!("« {s} » n'est pas une adresse électronique valide"))
        }
    });
    let mut habilitations = Vec::new();
    for (i, item) in f
        .array("habilitations", true)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let path = format!("habilitations[{i}]");
        let Some(mut h) = f.nested(&path, item) else {
            continue;
        };
        let convention = h.parsed("convention", NumeroConvention::parse);
        let b = h.parsed("bouquet", bouquet);
        let profil = h.opt_str("profil");
        let circonscriptions = h.circonscriptions("circonscriptions");
        if let Some(bouquet) = b {
            // HB-4: the bouquet's own profiles, none for a bouquet without any.
            let profil = match bouquet.profil(profil.as_deref()) {
                Ok(p) => p.map(|p| p.code.to_owned()),
                Err(e) => {
                    h.error("profil", e.to_string());
                    None
                }
            };
            // CO-3: an RSACG habilitation carries its perimeter; no other bouquet has one.
            if bouquet == Bouquet::Rsacg && circonscriptions.is_empty() {
                h.error(
                    "circonscriptions",
                    "une habilitation RSACG porte au moins une circonscription du partenaire (CO-3)",
                );
            } else if bouquet != Bouquet::Rsacg && !circonscriptions.is_empty() {
                h.error(
                    "circonscriptions",
                    format!(
                        "le bouquet {} ne se limite pas à des circonscriptions",
                        bouquet.code()
                    ),
                );
            }
            if let (Some(convention), true) = (convention, h.errors.is_empty()) {
                habilitations.push(HabilitationRecord {
                    convention,
                    bouquet,
                    profil,
                    circonscriptions,
                });
            }
        }
        f.absorb(&path, h);
    }
    let password = f.parsed("mot_de_passe_provisoire", |s| {
        let n = s.chars().count();
        if (partage_domain::password::LONGUEUR_MIN..=partage_domain::password::LONGUEUR_MAX).contains(&n) {
            Ok(s.to_owned())
        } else {
            Err(format!(
                "le mot de passe provisoire doit comporter de {} à {} caractères",
                partage_domain::password::LONGUEUR_MIN,
                partage_domain::password::LONGUEUR_MAX
            ))
        }
    });
    Some((
        UtilisateurRecord {
            caisse: caisse?,
            identifiant: identifiant?,
            partenaire: partenaire?,
            civilite: civilite?,
            nom: nom?,
            prenom: prenom?,
            email: email?,
            habilitations,
            mot_de_passe_provisoire_hash: String::new(),
        },
        password?,
    ))
}

fn situation(f: &mut Fields, code: &str) -> Option<Situation> {
    let found = Situation::parse(code);
    if found.is_none() {
        let codes: Vec<&str> = Situation::ALL.iter().map(|s| s.code()).collect();
        f.error(
            "situation_familiale",
            format!("situation inconnue « {code} » (attendu : {})", codes.join(", ")),
        );
    }
    found
}

/// PSU "Ressources hors prestations familiales" (BQ-PSU): annual amounts of the reference year, by period.
fn ressources(f: &mut Fields) -> Vec<PeriodeRessources> {
    let mut out = Vec::new();
    for (i, item) in f
        .array("ressources", false)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let path = format!("ressources[{i}]");
        let Some(mut r) = f.nested(&path, item) else {
            continue;
        };
        let debut = r.date("debut");
        let fin = r.date("fin");
        let annee_reference = r
            .opt_u32("annee_reference", "une année, par exemple 2024")
            .and_then(|a| i32::try_from(a).ok().filter(|a| (1900..=2200).contains(a)));
        if annee_reference.is_none() && !r.errors.iter().any(|e| e.champ == "annee_reference") {
            r.error(
                "annee_reference",
                "une année comprise entre 1900 et 2200, par exemple 2024",
            );
        }
        let montant = r.euros("montant_annuel");
        if let (Some(debut), Some(fin), Some(annee_reference), Some(montant_annuel)) =
            (debut, fin, annee_reference, montant)
        {
            out.push(PeriodeRessources {
                debut,
                fin,
                annee_reference,
                montant_annuel,
            });
        }
        f.absorb(&path, r);
    }
    out
}

/// The RSACG fields of a dossier (BQ-RSA, CO-3), each optional: a file without them imports as before.
fn donnees_rsa(f: &mut Fields) -> DonneesRsa {
    let circonscription = f.opt_str("circonscription").and_then(|c| {
        CodeCirconscription::parse(&c)
            .map_err(|e| f.error("circonscription", e.raison))
            .ok()
    });
    let droit = match f.take("droit_rsa") {
        None => None,
        Some(value) => f.nested("droit_rsa", value).and_then(|mut d| {
            let etat = d.parsed("etat", |s| {
                EtatRsa::parse(s).ok_or_else(|| {
                    let codes: Vec<&str> = EtatRsa::ALL.iter().map(|e| e.code()).collect();
                    format!("état inconnu « {s} » (attendu : {})", codes.join(", "))
                })
            });
            let ouvert_le = d.date("ouvert_le");
            let montant_mensuel = d.euros("montant_mensuel");
            let majoration = d.bool_or("majoration", false);
            let motif_suspension = d.opt_str("motif_suspension");
            f.absorb("droit_rsa", d);
            Some(DroitRsa {
                etat: etat?,
                ouvert_le: ouvert_le?,
                montant_mensuel: montant_mensuel?,
                majoration,
                motif_suspension,
            })
        }),
    };
    let mut prestations = Vec::new();
    for (i, item) in f
        .array("droits", false)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let path = format!("droits[{i}]");
        let Some(mut p) = f.nested(&path, item) else {
            continue;
        };
        let prestation = p.str("prestation");
        let debut = p.date("debut");
        let fin = p.opt_date("fin");
        let montant_mensuel = p.euros("montant_mensuel");
        if let (Some(prestation), Some(debut), Ok(fin), Some(montant_mensuel)) =
            (prestation, debut, fin, montant_mensuel)
        {
            prestations.push(Prestation {
                prestation,
                debut,
                fin,
                montant_mensuel,
            });
        }
        f.absorb(&path, p);
    }
    let mut declarations = Vec::new();
    for (i, item) in f
        .array("declarations_trimestrielles", false)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let path = format!("declarations_trimestrielles[{i}]");
        let Some(mut d) = f.nested(&path, item) else {
            continue;
        };
        let annee = d
            .opt_u32("annee", "une année, par exemple 2026")
            .and_then(|a| i32::try_from(a).ok());
        let trimestre = d
            .opt_u32("trimestre", "un trimestre, de 1 à 4")
            .and_then(|t| u8::try_from(t).ok());
        for (champ, present) in [("annee", annee.is_some()), ("trimestre", trimestre.is_some())] {
            if !present && !d.errors.iter().any(|e| e.champ == champ) {
                d.error(champ, "champ obligatoire manquant");
            }
        }
        let montant = d.euros("montant");
        let declaree_le = d.opt_date("declaree_le");
        if let (Some(annee), Some(trimestre), Some(montant), Ok(declaree_le)) =
            (annee, trimestre, montant, declaree_le)
        {
            declarations.push(DeclarationTrimestrielle {
                annee,
                trimestre,
                montant,
                declaree_le,
            });
        }
        f.absorb(&path, d);
    }
    let mut adresses_anterieures = Vec::new();
    for (i, item) in f
        .array("adresses_anterieures", false)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let path = format!("adresses_anterieures[{i}]");
        let Some(mut a) = f.nested(&path, item) else {
            continue;
        };
        let jusqu_au = a.date("jusqu_au");
        let adresse = adresse_lignes(&mut a);
        if let Some(jusqu_au) = jusqu_au {
            adresses_anterieures.push(AdresseAnterieure { jusqu_au, adresse });
        }
        f.absorb(&path, a);
    }
    DonneesRsa {
        circonscription,
        droit,
        prestations,
        declarations,
        adresses_anterieures,
    }
}

/// The seven AFNOR lines of an address, each optional.
fn adresse_lignes(a: &mut Fields) -> Adresse {
    Adresse {
        destinataire: a.opt_str("destinataire"),
        complement_information: a.opt_str("complement_information"),
        complement_information_geographique: a.opt_str("complement_information_geographique"),
        numero_libelle_voie: a.opt_str("numero_libelle_voie"),
        lieu_dit: a.opt_str("lieu_dit"),
        code_postal_ville: a.opt_str("code_postal_ville"),
        pays: a.opt_str("pays"),
    }
}

fn dossier(f: &mut Fields, key: &NirKey, nirs_seen: &mut HashSet<String>) -> Option<DossierRecord> {
    let caisse = f.parsed("caisse", CaisseCode::parse);
    let matricule = f.parsed("matricule", Matricule::parse);
    let departement = f.parsed("departement", CodeDepartement::parse);
    let mut nirs = Vec::new();
    // Each person with the AEEH flag, which only a child may carry.
    let mut people = |f: &mut Fields, name: &str, required: bool| -> Vec<(Personne, bool)> {
        let mut out = Vec::new();
        for (i, item) in f
            .array(name, required)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let path = format!("{name}[{i}]");
            let Some(mut p) = f.nested(&path, item) else {
                continue;
            };
            if let Some(nir) = p.opt_str("nir") {
                match Nir::parse(&nir) {
                    Ok(nir) => {
                        if nirs_seen.insert(nir.as_str().to_owned()) {
                            nirs.push(nir_hash(key, &nir));
                        } else {
                            p.error(
                                "nir",
                                "ce NIR figure déjà dans un autre dossier ou une autre personne du fichier",
                            );
                        }
                    }
                    Err(e) => p.error("nir", e.to_string()),
                }
            }
            let nom_naissance = p.str("nom_naissance");
            let nom_usage = p.opt_str("nom_usage");
            let prenoms = p.str("prenoms");
            let date_naissance = p.opt_date("date_naissance").ok().flatten();
            let aeeh = name == "enfants" && p.bool_or("aeeh", false);
            let sexe = match p.opt_str("sexe").as_deref() {
                None => None,
                Some("M") => Some(Sexe::Masculin),
                Some("F") => Some(Sexe::Feminin),
                Some(_) => {
                    p.error("sexe", "le sexe est « M » ou « F »");
                    None
                }
            };
            if let (Some(nom_naissance), Some(prenoms)) = (nom_naissance, prenoms) {
                out.push((
                    Personne {
                        nom_naissance,
                        nom_usage,
                        prenoms,
                        date_naissance,
                        sexe,
                    },
                    aeeh,
                ));
            }
            f.absorb(&path, p);
        }
        out
    };
    let allocataires: Vec<Personne> = people(f, "allocataires", true)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    if allocataires.is_empty() && !f.errors.iter().any(|e| e.champ.starts_with("allocataires")) {
        // Named on its field, so the caisse knows what to fix.
        f.error("allocataires", "un dossier compte au moins un allocataire");
    }
    let (enfants, aeeh): (Vec<Personne>, Vec<bool>) = people(f, "enfants", false).into_iter().unzip();
    let adresse = match f.take("adresse") {
        None => Adresse::default(),
        Some(value) => match f.nested("adresse", value) {
            Some(mut a) => {
                let adresse = adresse_lignes(&mut a);
                f.absorb("adresse", a);
                adresse
            }
            None => Adresse::default(),
        },
    };
    let mut periodes = Vec::new();
    for (i, item) in f
        .array("quotients_familiaux", false)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let path = format!("quotients_familiaux[{i}]");
        let Some(mut q) = f.nested(&path, item) else {
            continue;
        };
        let debut = q.date("debut");
        let fin = q.date("fin");
        let valeur = match q.take("valeur") {
            Some(Value::Number(n)) => n.as_u64().and_then(|v| u32::try_from(v).ok()).or_else(|| {
                q.error("valeur", "le QF est un nombre entier d'euros, positif");
                None
            }),
            Some(_) => {
                q.error("valeur", "le QF est un nombre entier d'euros, positif");
                None
            }
            None => {
                q.error("valeur", "champ obligatoire manquant");
                None
            }
        };
        if let (Some(debut), Some(fin), Some(valeur)) = (debut, fin, valeur) {
            periodes.push(PeriodeQf { debut, fin, valeur });
        }
        f.absorb(&path, q);
    }
    let opposition = f.bool_or("opposition", false);
    let famille = Famille {
        situation: f.opt_str("situation_familiale").and_then(|s| situation(f, &s)),
        enfants_a_charge: f
            .opt_u32("enfants_a_charge", "un nombre entier d'enfants, de 0 à 30")
            .and_then(|n| match u8::try_from(n).ok().filter(|n| *n <= 30) {
                Some(n) => Some(n),
                None => {
                    f.error("enfants_a_charge", "un nombre entier d'enfants, de 0 à 30");
                    None
                }
            }),
        enfants_aeeh: aeeh
            .iter()
            .enumerate()
            .filter(|(_, a)| **a)
            .map(|(i, _)| i)
            .collect(),
    };
    let ressources = ressources(f);
    let rsa = donnees_rsa(f);
    let (Some(matricule), Some(departement)) = (matricule, departement) else {
        return None;
    };
    if !f.errors.is_empty() {
        return None;
    }
    let dossier = Dossier::new(
        matricule,
        departement,
        allocataires,
        enfants,
        adresse,
        periodes,
        opposition,
    )
    .and_then(|d| d.avec_psu(famille, ressources))
    .map_err(|e| f.error("dossier", e.to_string()))
    .ok()?;
    // Each RSA refusal named on the field to fix.
    let dossier = dossier
        .avec_rsa(rsa)
        .map_err(|e| {
            let champ = match &e {
                DossierError::Rsa(RsaError::MotifManquant | RsaError::MotifSansSuspension)
                | DossierError::Rsa(RsaError::MotifInvalide) => "droit_rsa.motif_suspension",
                DossierError::Rsa(RsaError::CodePrestation | RsaError::PrestationInversee(..)) => "droits",
                DossierError::Rsa(RsaError::Trimestre | RsaError::TrimestreEnDouble(..)) => {
                    "declarations_trimestrielles"
                }
                _ => "dossier",
            };
            f.error(champ, e.to_string());
        })
        .ok()?;
    Some(DossierRecord {
        caisse: caisse?,
        dossier,
        nirs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> Result<ParsedFile, Vec<LineError>> {
        parse_jsonl(&NirKey([7; 32]), text.as_bytes())
    }

    const CAISSE: &str = r#"{"type":"caisse","code":"MSA-ADL","nom":"MSA Ardèche Drôme Loire","regime":"MSA","departements":["07","26"]}"#;

    #[test]
    fn parses_a_caisse_and_a_dossier() {
        let dossier = r#"{"type":"dossier","caisse":"MSA-ADL","matricule":"0000001","departement":"07","allocataires":[{"nir":"185057800608491","nom_naissance":"MARTIN","nom_usage":null,"prenoms":"Jean","date_naissance":"1985-05-02","sexe":"M"}],"enfants":[],"adresse":{"code_postal_ville":"07000 PRIVAS"},"quotients_familiaux":[{"debut":"2026-01-01","fin":"2026-06-30","valeur":612}],"opposition":false}"#;
        let file = parse(&format!("{CAISSE}\n\n{dossier}\n")).unwrap();
        assert_eq!(file.records.len(), 2);
        assert_eq!(file.lines, 3);
        let ImportRecord::Dossier(d) = &file.records[1].record else {
            panic!("dossier attendu")
        };
        assert_eq!(file.records[1].ligne, 3);
        assert_eq!(d.nirs.len(), 1);
        assert!(!d.nirs[0].0.contains("185057800608491"), "NIRs are hashed");
        assert_eq!(d.dossier.qf_du_mois(2026, 2).map(|p| p.valeur), Some(612));
    }

    #[test]
    fn reports_every_bad_line_with_field_and_reason() {
        let text = [
            CAISSE,
            r#"{"type":"partenaire","caisse":"MSA-ADL","numero_tiers":"T1","nom":"Commune","categorie":"collectivite_territoriale","siret":"73282932000075","departements":["07"]}"#,
            r#"not json"#,
            r#"{"type":"dossier","caisse":"MSA-ADL","matricule":"1","departement":"07","allocataires":[{"nir":"185057800608492","nom_naissance":"A","prenoms":"B"}]}"#,
            r#"{"type":"caisse","code":"X","nom":"X","regime":"RSI","departements":["07"],"couleur":"bleu"}"#,
            r#"{"type":"lettre"}"#,
        ]
        .join("\n");
        let errors = parse(&text).unwrap_err();
        let found: Vec<(usize, &str)> = errors.iter().map(|e| (e.ligne, e.champ.as_str())).collect();
        assert_eq!(
            found,
            vec![
                (2, "siret"),
                (3, "ligne"),
                (4, "allocataires[0].nir"),
                (5, "regime"),
                (5, "couleur"),
                (6, "type"),
            ]
        );
        assert!(errors[0].raison.contains("Luhn"));
        assert!(errors[2].raison.contains("clé"));
        assert_eq!(errors[4].raison, "champ inconnu");
    }

    #[test]
    fn a_nir_cannot_find_two_dossiers() {
        let d = |m: &str| {
            format!(
                r#"{{"type":"dossier","caisse":"C","matricule":"{m}","departement":"07","allocataires":[{{"nir":"185057800608491","nom_naissance":"A","prenoms":"B"}}]}}"#
            )
        };
        let errors = parse(&format!("{}\n{}", d("1"), d("2"))).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].ligne, errors[0].champ.as_str()),
            (2, "allocataires[0].nir")
        );
    }

    #[test]
    fn hb_7_a_convention_may_carry_its_cap_of_habilitations() {
        let c = |plafond: &str| {
            format!(
                r#"{{"type":"convention","caisse":"C","numero":"N","partenaire":"T","bouquets":["QF"],"signee_le":"2026-01-05"{plafond}}}"#
            )
        };
        let file = parse(
            &[
                c(r#","plafond_habilitations":12"#),
                c(""),
                c(r#","plafond_habilitations":null"#),
            ]
            .join("\n"),
        )
        .unwrap();
        let plafonds: Vec<_> = file
            .records
            .iter()
            .map(|r| match &r.record {
                ImportRecord::Convention(c) => c.plafond_habilitations,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(plafonds, [Some(12), None, None]);
        for bad in [
            r#","plafond_habilitations":-1"#,
            r#","plafond_habilitations":"12""#,
            r#","plafond_habilitations":1.5"#,
        ] {
            let errors = parse(&c(bad)).unwrap_err();
            assert_eq!(errors[0].champ, "plafond_habilitations", "{bad}");
        }
    }

    #[test]
    fn ten_3_a_convention_line_may_carry_the_departements_it_narrows_to() {
        let c = |departements: &str| {
            format!(
                r#"{{"type":"convention","caisse":"C","numero":"N","partenaire":"T","bouquets":["QF"],"signee_le":"2026-01-05"{departements}}}"#
            )
        };
        let file = parse(
            &[
                c(r#","departements":["26"," 07"]"#),
                c(r#","departements":[]"#),
                c(""),
                c(r#","departements":null"#),
            ]
            .join("\n"),
        )
        .unwrap();
        let departements: Vec<Option<Vec<String>>> = file
            .records
            .iter()
            .map(|r| match &r.record {
                ImportRecord::Convention(c) => c
                    .departements
                    .as_ref()
                    .map(|d| d.iter().map(ToString::to_string).collect()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            departements,
            [
                Some(vec!["26".to_owned(), "07".to_owned()]),
                Some(vec![]),
                None,
                None
            ]
        );
        for bad in [r#","departements":["Ardèche"]"#, r#","departements":"07""#] {
            let errors = parse(&c(bad)).unwrap_err();
            assert_eq!(errors[0].champ, "departements", "{bad}");
        }
    }

    #[test]
    fn refuses_incoherent_conventions_and_qf_periods() {
        let text = [
            r#"{"type":"convention","caisse":"C","numero":"N","partenaire":"T","bouquets":["QF"],"signee_le":"2026-05-01","formalite_cnil_le":null,"fin_le":"2026-01-01"}"#,
            r#"{"type":"dossier","caisse":"C","matricule":"1","departement":"07","allocataires":[{"nom_naissance":"A","prenoms":"B"}],"quotients_familiaux":[{"debut":"2026-01-01","fin":"2026-06-30","valeur":1},{"debut":"2026-06-01","fin":"2026-12-31","valeur":2}]}"#,
            r#"{"type":"convention","caisse":"C","numero":"N","partenaire":"T","bouquets":["XX"],"signee_le":"2026-13-01"}"#,
        ]
        .join("\n");
        let errors = parse(&text).unwrap_err();
        let found: Vec<(usize, &str)> = errors.iter().map(|e| (e.ligne, e.champ.as_str())).collect();
        assert_eq!(
            found,
            vec![
                (1, "convention"),
                (2, "dossier"),
                (3, "bouquets"),
                (3, "signee_le")
            ]
        );
    }

    #[test]
    fn bq_psu_dossier_carries_family_and_resources() {
        let line = r#"{"type":"dossier","caisse":"C","matricule":"1","departement":"29","allocataires":[{"nom_naissance":"A","prenoms":"B"}],"enfants":[{"nom_naissance":"A","prenoms":"C","date_naissance":"2023-02-01"},{"nom_naissance":"A","prenoms":"D","aeeh":true}],"situation_familiale":"vie_maritale","enfants_a_charge":2,"ressources":[{"debut":"2026-01-01","fin":"2026-12-31","annee_reference":2024,"montant_annuel":"32500.50"},{"debut":"2025-01-01","fin":"2025-12-31","annee_reference":2023,"montant_annuel":30000}]}"#;
        let file = parse(line).unwrap();
        let ImportRecord::Dossier(d) = &file.records[0].record else {
            panic!("dossier attendu")
        };
        let d = &d.dossier;
        assert_eq!(d.famille.situation, Some(Situation::VieMaritale));
        assert_eq!(d.famille.enfants_a_charge, Some(2));
        assert_eq!(d.famille.enfants_aeeh, vec![1]);
        assert_eq!(d.ressources.len(), 2);
        assert_eq!(d.ressources[0].montant_annuel, Euros::from_centimes(3_000_000));
        assert_eq!(d.ressources[1].montant_annuel, Euros::from_centimes(3_250_050));
    }

    #[test]
    fn bq_psu_bad_family_or_resources_are_named_on_their_field() {
        let line = r#"{"type":"dossier","caisse":"C","matricule":"1","departement":"29","allocataires":[{"nom_naissance":"A","prenoms":"B","aeeh":true}],"situation_familiale":"concubin","enfants_a_charge":-1,"ressources":[{"debut":"2026-01-01","fin":"2026-12-31","annee_reference":2024,"montant_annuel":32500.5},{"debut":"2025-01-01","fin":"2025-12-31","montant_annuel":"12,345"}]}"#;
        let errors = parse(line).unwrap_err();
        let found: Vec<&str> = errors.iter().map(|e| e.champ.as_str()).collect();
        assert_eq!(
            found,
            vec![
                "allocataires[0].aeeh",
                "situation_familiale",
                "enfants_a_charge",
                "ressources[0].montant_annuel",
                "ressources[1].annee_reference",
                "ressources[1].montant_annuel",
            ]
        );
        assert!(errors[3].raison.contains("entre guillemets"), "{errors:?}");
    }

    const RSA_DOSSIER: &str = r#"{"type":"dossier","caisse":"MSA-PA","matricule":"R-1","departement":"06","circonscription":"NICE-EST","allocataires":[{"nir":"185057800608491","nom_naissance":"MARTIN","prenoms":"Jean"}],"droit_rsa":{"etat":"suspendu","ouvert_le":"2024-05-01","montant_mensuel":"635.71","majoration":true,"motif_suspension":"Défaut de déclaration trimestrielle"},"droits":[{"prestation":"ALF","debut":"2025-01-01","fin":null,"montant_mensuel":"212.40"}],"declarations_trimestrielles":[{"annee":2026,"trimestre":1,"montant":"1250.00","declaree_le":"2026-04-03"}],"adresses_anterieures":[{"jusqu_au":"2025-12-31","code_postal_ville":"06300 NICE"}]}"#;

    #[test]
    fn ten_a_partner_line_may_carry_the_referentiels_fields_checked_as_the_back_office_checks_them() {
        let ligne = |categorie: &str, coordonnees: &str| {
            format!(
                r#"{{"type":"partenaire","caisse":"C","numero_tiers":"T1","nom":"Association","categorie":"{categorie}","siret":"73282932000074","departements":["07"],"coordonnees":{coordonnees}}}"#
            )
        };
        let complet = r#"{"adresse":"1 place de la Mairie, 07000 Privas","representant":"Michel Valla","fonction_representant":"Maire","contacts":[{"nom":"Accueil","email":"accueil@privas.example.fr","telephone":"04 75 00 00 00"}]}"#;
        let file = parse(&ligne("collectivite_territoriale", complet)).unwrap();
        let ImportRecord::Partenaire(p) = &file.records[0].record else {
            panic!("partenaire attendu")
        };
        let c = p.coordonnees.as_ref().unwrap();
        assert_eq!(
            (c.representant.as_str(), c.fonction_representant.as_str()),
            ("Michel Valla", "Maire")
        );
        assert_eq!(c.contacts[0].email, "accueil@privas.example.fr");

        let champs =
            |texte: &str| -> Vec<String> { parse(texte).unwrap_err().into_iter().map(|e| e.champ).collect() };
        // The representative missing, an unknown field, a contact that is not one.
        assert_eq!(
            champs(&ligne(
                "collectivite_territoriale",
                r#"{"adresse":"1 place de la Mairie","fonction_representant":"Maire"}"#
            )),
            ["coordonnees.representant"]
        );
        assert_eq!(
            champs(&ligne(
                "collectivite_territoriale",
                &complet.replace("\"contacts\"", "\"contact\"")
            )),
            ["coordonnees.contact"]
        );
        assert_eq!(
            champs(&ligne(
                "collectivite_territoriale",
                &complet.replace("\"nom\":\"Accueil\"", "\"nom\":7")
            )),
            ["coordonnees.contacts[0]"]
        );
        // 002 art. 1: an association with delegation gives its delegation document.
        let erreurs = parse(&ligne("association_delegation", complet)).unwrap_err();
        assert_eq!(erreurs[0].champ, "coordonnees.document_delegation");
        assert!(
            erreurs[0].raison.contains("document de délégation"),
            "{erreurs:?}"
        );
        // Without the object, nothing is said of them: the partner keeps its own.
        let sans = r#"{"type":"partenaire","caisse":"C","numero_tiers":"T1","nom":"Commune","categorie":"collectivite","siret":"73282932000074","departements":["07"]}"#;
        let ImportRecord::Partenaire(p) = &parse(sans).unwrap().records[0].record else {
            panic!("partenaire attendu")
        };
        assert_eq!(p.coordonnees, None);
    }

    #[test]
    fn ten_the_documented_partner_lines_import() {
        let doc = include_str!("../../../docs/import.md");
        let lignes: Vec<&str> = doc
            .lines()
            .filter(|l| l.starts_with(r#"{"type":"partenaire""#))
            .collect();
        assert!(lignes.len() >= 2, "{lignes:?}");
        for ligne in lignes {
            assert!(parse(ligne).is_ok(), "{ligne}: {:?}", parse(ligne).err());
        }
    }

    #[test]
    fn bq_rsa_dossier_carries_its_circonscription_and_rsa_data() {
        let file = parse(RSA_DOSSIER).unwrap();
        let ImportRecord::Dossier(d) = &file.records[0].record else {
            panic!("dossier attendu")
        };
        let rsa = &d.dossier.rsa;
        assert_eq!(rsa.circonscription.as_ref().map(|c| c.as_str()), Some("NICE-EST"));
        let droit = rsa.droit.as_ref().unwrap();
        assert_eq!(droit.etat, EtatRsa::Suspendu);
        assert_eq!(droit.montant_mensuel, Euros::from_centimes(63_571));
        assert!(droit.majoration);
        assert_eq!(rsa.prestations.len(), 1);
        assert_eq!(rsa.declarations[0].trimestre, 1);
        assert_eq!(
            rsa.adresses_anterieures[0].adresse.code_postal_ville.as_deref(),
            Some("06300 NICE")
        );
    }

    #[test]
    fn bq_rsa_bad_rsa_fields_are_named_on_their_field() {
        let bad = |from: &str, to: &str| {
            let line = RSA_DOSSIER.replace(from, to);
            assert_ne!(line, RSA_DOSSIER, "{from}");
            let errors = parse(&line).unwrap_err();
            errors
                .into_iter()
                .map(|e| (e.champ, e.raison))
                .collect::<Vec<_>>()
        };
        let champs = |v: Vec<(String, String)>| v.into_iter().map(|(c, _)| c).collect::<Vec<_>>();
        assert_eq!(
            champs(bad(r#""etat":"suspendu""#, r#""etat":"gele""#)),
            ["droit_rsa.etat"]
        );
        assert_eq!(
            champs(bad(
                r#","motif_suspension":"Défaut de déclaration trimestrielle""#,
                ""
            )),
            ["droit_rsa.motif_suspension"]
        );
        assert_eq!(
            champs(bad(r#""montant_mensuel":"212.40""#, r#""montant_mensuel":212.4"#)),
            ["droits[0].montant_mensuel"]
        );
        assert_eq!(
            champs(bad(r#""trimestre":1"#, r#""trimestre":5"#)),
            ["declarations_trimestrielles"]
        );
        assert_eq!(
            champs(bad(
                r#""circonscription":"NICE-EST""#,
                r#""circonscription":"NICE EST""#
            )),
            ["circonscription"]
        );
        assert_eq!(
            champs(bad(
                r#""jusqu_au":"2025-12-31""#,
                r#""jusqu_au":"2025-12-31","rue":"x""#
            )),
            ["adresses_anterieures[0].rue"]
        );
        let raisons = bad(r#""etat":"suspendu""#, r#""etat":"ouvert""#);
        assert_eq!(raisons[0].0, "droit_rsa.motif_suspension");
        assert!(raisons[0].1.contains("suspendu"), "{}", raisons[0].1);
    }

    #[test]
    fn co_3_circonscriptions_of_a_partner_and_of_an_rsacg_habilitation() {
        let partenaire = |circ: &str| {
            format!(
                r#"{{"type":"partenaire","caisse":"C","numero_tiers":"CD06","nom":"Département","categorie":"conseil_departemental","siret":"73282932000074","departements":["06"],"circonscriptions":{circ}}}"#
            )
        };
        let file = parse(&partenaire(r#"["06/NICE-EST","06/MENTON"]"#)).unwrap();
        let ImportRecord::Partenaire(p) = &file.records[0].record else {
            panic!("partenaire attendu")
        };
        assert_eq!(p.circonscriptions.len(), 2);
        let errors = parse(&partenaire(r#"["83/TOULON"]"#)).unwrap_err();
        assert_eq!(errors[0].champ, "circonscriptions");
        let errors = parse(&partenaire(r#"["NICE-EST"]"#)).unwrap_err();
        assert_eq!(errors[0].champ, "circonscriptions[0]");

        let agent = |habilitation: &str| {
            format!(
                r#"{{"type":"utilisateur","caisse":"C","identifiant":"a","partenaire":"CD06","civilite":"Mme","nom":"A","prenom":"B","email":"a@b.fr","habilitations":[{habilitation}],"mot_de_passe_provisoire":"Lavande-Castor-4821"}}"#
            )
        };
        let file = parse(&agent(
            r#"{"convention":"N","bouquet":"RSACG","profil":"3","circonscriptions":["06/NICE-EST"]}"#,
        ))
        .unwrap();
        let ImportRecord::Utilisateur(u) = &file.records[0].record else {
            panic!("utilisateur attendu")
        };
        assert_eq!(u.habilitations[0].profil.as_deref(), Some("3"));
        assert_eq!(u.habilitations[0].circonscriptions[0].to_string(), "06/NICE-EST");
        for (habilitation, champ) in [
            (
                r#"{"convention":"N","bouquet":"RSACG","profil":"3"}"#,
                "habilitations[0].circonscriptions",
            ),
            (
                r#"{"convention":"N","bouquet":"RSACG","circonscriptions":["06/NICE-EST"]}"#,
                "habilitations[0].profil",
            ),
            (
                r#"{"convention":"N","bouquet":"QF","circonscriptions":["06/NICE-EST"]}"#,
                "habilitations[0].circonscriptions",
            ),
        ] {
            let errors = parse(&agent(habilitation)).unwrap_err();
            assert_eq!(errors[0].champ, champ, "{habilitation}");
        }
    }

    #[test]
    fn bq_rsa_the_documented_rsacg_example_imports() {
        let file =
            parse(include_str!("../../../docs/examples/rsacg.jsonl")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(file.records.len(), 7);
        let with_right = file
            .records
            .iter()
            .filter(|r| matches!(&r.record, ImportRecord::Dossier(d) if d.dossier.rsa.droit.is_some()))
            .count();
        assert_eq!(with_right, 2);
    }

    #[test]
    fn bq_mcp_the_documented_mon_compte_partenaire_example_imports() {
        let file =
            parse(include_str!("../../../docs/examples/mcp.jsonl")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(file.records.len(), 6);
        // Each service of Mon Compte Partenaire is habilitated on its own (003:5).
        let services: Vec<Vec<Bouquet>> = file
            .records
            .iter()
            .filter_map(|r| match &r.record {
                ImportRecord::Utilisateur(u) => Some(u.habilitations.iter().map(|h| h.bouquet).collect()),
                _ => None,
            })
            .collect();
        assert_eq!(
            services,
            [vec![Bouquet::McpQf], vec![Bouquet::McpQf, Bouquet::McpAdresse]]
        );
    }

    #[test]
    fn hb_4_an_imported_rsacg_habilitation_takes_one_of_the_six_profiles_only() {
        let agent = |profil: &str| {
            format!(
                r#"{{"type":"utilisateur","caisse":"C","identifiant":"a","partenaire":"CD06","civilite":"Mme","nom":"A","prenom":"B","email":"a@b.fr","habilitations":[{{"convention":"N","bouquet":"RSACG","profil":"{profil}","circonscriptions":["06/NICE-EST"]}}],"mot_de_passe_provisoire":"Lavande-Castor-4821"}}"#
            )
        };
        for ok in ["1", "2", "3", "4", "5", "6"] {
            assert!(parse(&agent(ok)).is_ok(), "profil {ok}");
        }
        let errors = parse(&agent("7")).unwrap_err();
        assert_eq!(errors[0].champ, "habilitations[0].profil");
    }

    const BAREME_2025: &str = r#"{"type":"bareme_psu","caisse":"C","debut":"2025-01-01","fin":"2025-12-31","plancher_mensuel":"801.00","plafond_mensuel":"7000.00","collectif":["0.0619","0.0516"],"familial":["0.0516"]}"#;

    #[test]
    fn bq_psu_fee_the_documented_bareme_example_imports() {
        let file = parse(include_str!("../../../docs/examples/bareme-psu.jsonl"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(file.records.len(), 2);
        let ImportRecord::BaremePsu(b) = &file.records[1].record else {
            panic!("barème attendu")
        };
        assert_eq!(b.bareme.fin(), None);
        assert_eq!(
            b.bareme
                .taux(partage_domain::bareme::TypeAccueil::Collectif)
                .len(),
            8
        );
    }

    #[test]
    fn bq_psu_fee_overlapping_import_is_refused_naming_both_lines() {
        let open = BAREME_2025.replace(r#""fin":"2025-12-31""#, r#""fin":null"#);
        let next = BAREME_2025
            .replace("2025-01-01", "2026-01-01")
            .replace("2025-12-31", "2026-12-31");
        let errors = parse(&format!("{open}\n{next}")).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!((errors[0].ligne, errors[0].champ.as_str()), (2, "debut"));
        assert!(
            errors[0].raison.contains("ligne 2") && errors[0].raison.contains("ligne 1"),
            "{errors:?}"
        );
        // Two periods starting the same day name both their lines.
        let errors = parse(&format!("{BAREME_2025}\n{BAREME_2025}")).unwrap_err();
        assert!(
            errors[0].raison.contains("ligne 2") && errors[0].raison.contains("ligne 1"),
            "{errors:?}"
        );
        // Closed periods that follow each other import; another caisse's period may overlap.
        let other = BAREME_2025.replace(r#""caisse":"C""#, r#""caisse":"D""#);
        assert_eq!(
            parse(&format!("{BAREME_2025}\n{next}\n{other}"))
                .unwrap()
                .records
                .len(),
            3
        );
    }

    #[test]
    fn bq_psu_fee_bad_bareme_lines_are_named_on_their_field() {
        for (from, to, champ) in [
            (
                r#""plancher_mensuel":"801.00""#,
                r#""plancher_mensuel":"7000.01""#,
                "plancher_mensuel",
            ),
            (r#""fin":"2025-12-31""#, r#""fin":"2024-12-31""#, "fin"),
            (
                r#""collectif":["0.0619","0.0516"]"#,
                r#""collectif":["0.0619","6.19"]"#,
                "collectif[1]",
            ),
            (r#""familial":["0.0516"]"#, r#""familial":[]"#, "familial"),
            (
                r#""familial":["0.0516"]"#,
                r#""familial":[0.0516]"#,
                "familial[0]",
            ),
        ] {
            let errors = parse(&BAREME_2025.replace(from, to)).unwrap_err();
            assert_eq!(errors[0].champ, champ, "{errors:?}");
        }
    }

    #[test]
    fn bq_psu_overlapping_resources_refuse_the_dossier() {
        let line = r#"{"type":"dossier","caisse":"C","matricule":"1","departement":"29","allocataires":[{"nom_naissance":"A","prenoms":"B"}],"ressources":[{"debut":"2026-01-01","fin":"2026-12-31","annee_reference":2024,"montant_annuel":"1"},{"debut":"2026-06-01","fin":"2027-05-31","annee_reference":2025,"montant_annuel":"2"}]}"#;
        let errors = parse(line).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].champ, "dossier");
        assert!(errors[0].raison.contains("ressources"), "{errors:?}");
    }

    proptest! {
        /// Any input, however hostile, gets a report naming real lines, never a panic.
        #[test]
        fn any_input_is_parsed_or_refused_with_real_line_numbers(text in "(\\PC{0,60}\n){0,8}") {
            let lines = text.lines().count().max(1);
            if let Err(errors) = parse(&text) {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(e.ligne >= 1 && e.ligne <= lines, "ligne {} of {}", e.ligne, lines);
                    prop_assert!(!e.raison.is_empty());
                }
            }
        }

        /// Any field of a valid dossier line replaced by a value of the wrong type is refused, on that line
        /// and that field.
        #[test]
        fn a_wrong_type_in_any_field_is_reported_on_its_field(
            field in prop::sample::select(vec!["caisse", "matricule", "departement", "allocataires", "opposition"]),
            value in prop::sample::select(vec!["12", "true", "[]", "{}", "\"\""]),
        ) {
            let mut line: Value = serde_json::from_str(r#"{"type":"dossier","caisse":"C","matricule":"1","departement":"07","allocataires":[{"nom_naissance":"A","prenoms":"B"}],"opposition":false}"#).unwrap();
            let replacement: Value = serde_json::from_str(value).unwrap();
            prop_assume!(!(field == "opposition" && replacement.is_boolean()));
            line[field] = replacement;
            let text = format!("{CAISSE}\n{line}");
            let errors = parse(&text).unwrap_err();
            prop_assert!(errors.iter().all(|e| e.ligne == 2), "{errors:?}");
            prop_assert!(errors.iter().any(|e| e.champ == field), "{errors:?}");
        }
    }
}
