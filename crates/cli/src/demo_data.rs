//! Deterministic synthetic demo data, written in partage's import format (JSON Lines, docs/import.md), so the
//! demo and the benchmark load it through the same path as a caisse's real file.
//!
//! Same parameters, same bytes: a splitmix64 generator, one stream per purpose (users, each caisse's
//! dossiers), so the logins do not change with the number of dossiers. Everything is invented: common first
//! names and surnames drawn at random, well-formed NIRs with right keys that nobody holds, SIRETs that pass
//! the Luhn check.
//!
//! A QF is what the caisse computes: (annual resources / 12 + monthly family benefits) / parts, where parts =
//! 2 for a couple or 1 for a single parent, + 0.5 for each of the first two dependent children, + 1 from the
//! third, + 0.5 for a single parent with a dependent child. A child counts from the first period that starts
//! after its birth and until 20.

use serde::{Serialize, Serializer};
use std::collections::HashSet;
use std::fmt;
use std::io::{self, BufWriter, Write};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoParams {
    /// Dossiers written for each caisse; at most 10 000 000, since matricules have 7 digits.
    pub dossiers_par_caisse: usize,
    /// Same seed, same bytes.
    pub seed: u64,
}

/// A user the file creates, with his temporary password (to be changed at first login, AU-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub caisse: String,
    pub identifiant: String,
    pub mot_de_passe: String,
    pub description: String,
}

/// A NIR worth typing in the demo, with what partage should answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoNir {
    pub caisse: String,
    pub nir: String,
    pub matricule: String,
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSet {
    pub logins: Vec<DemoLogin>,
    pub exemples: Vec<DemoNir>,
}

/// Matricules have 7 digits.
const MAX_DOSSIERS_PAR_CAISSE: usize = 10_000_000;

/// Writes every record, one JSON object per line, "type" first; returns the logins and a few NIRs worth trying.
pub fn write_demo(params: &DemoParams, out: &mut impl std::io::Write) -> std::io::Result<DemoSet> {
    if params.dossiers_par_caisse > MAX_DOSSIERS_PAR_CAISSE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("au plus {MAX_DOSSIERS_PAR_CAISSE} dossiers par caisse : les matricules ont 7 chiffres"),
        ));
    }
    let mut w = BufWriter::with_capacity(1 << 16, out);
    for caisse in CAISSES {
        let departements: Vec<&str> = caisse.departements.iter().map(|d| d.code).collect();
        write_line(
            &mut w,
            &CaisseLine {
                kind: "caisse",
                code: caisse.code,
                nom: caisse.nom,
                regime: caisse.regime,
                departements: &departements,
            },
        )?;
    }
    for p in PARTENAIRES {
        write_line(
            &mut w,
            &PartenaireLine {
                kind: "partenaire",
                caisse: p.caisse.code,
                numero_tiers: p.numero_tiers,
                nom: p.nom,
                categorie: p.categorie,
                siret: &siret_with_check_digit(p.siret13),
                departements: p.departements,
                circonscriptions: p.rsacg.map_or(&[], |r| r.circonscriptions),
            },
        )?;
    }
    for p in PARTENAIRES {
        write_line(
            &mut w,
            &ConventionLine {
                kind: "convention",
                caisse: p.caisse.code,
                numero: p.convention,
                partenaire: p.numero_tiers,
                bouquets: &p.bouquets(),
                signee_le: p.signee_le,
                formalite_cnil_le: p.formalite_cnil_le,
                fin_le: None,
            },
        )?;
    }
    for caisse in CAISSES {
        for b in BAREMES_PSU {
            write_line(
                &mut w,
                &BaremeLine {
                    kind: "bareme_psu",
                    caisse: caisse.code,
                    ..*b
                },
            )?;
        }
    }
    let logins = write_users(&mut w, params.seed)?;
    let n = params.dossiers_par_caisse;
    // Each caisse draws its NIRs from its own half of the numbers: unique across the file, and the same
    // whatever the number of dossiers of the other caisse.
    let msa = write_dossiers(
        &mut w,
        &MSA_ADL,
        n,
        Rng::new(params.seed, STREAM_MSA_ADL),
        &MSA_ADL_FORCED,
        &mut NirRegistry::new(params.seed, 0),
    )?;
    let caf = write_dossiers(
        &mut w,
        &CAF_59,
        n,
        Rng::new(params.seed, STREAM_CAF_59),
        &CAF_59_FORCED,
        &mut NirRegistry::new(params.seed, 1),
    )?;
    w.flush()?;
    Ok(DemoSet {
        logins,
        exemples: examples(&msa, &caf),
    })
}

fn write_line(w: &mut impl Write, record: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *w, record)?;
    w.write_all(b"\n")
}

// ---------------------------------------------------------------------------------------------------------
// Caisses, partners and their conventions: fixed, so the demo always tells the same story.
// ---------------------------------------------------------------------------------------------------------

struct CaisseDef {
    code: &'static str,
    nom: &'static str,
    regime: &'static str,
    departements: &'static [DepartementDef],
    /// Per mille of dossiers held by a couple.
    couples: u64,
    /// Per mille of dossiers whose address is a lieu-dit rather than a street.
    rural: u64,
}

struct DepartementDef {
    code: &'static str,
    /// Relative share of the caisse's dossiers.
    poids: u64,
    /// Postcode and town, as AFNOR's last-but-one line writes them.
    communes: &'static [(&'static str, &'static str)],
}

const MSA_ADL: CaisseDef = CaisseDef {
    code: "MSA-ADL",
    nom: "MSA Ardèche Drôme Loire",
    regime: "MSA",
    departements: &[
        DepartementDef {
            code: "07",
            poids: 30,
            communes: COMMUNES_07,
        },
        DepartementDef {
            code: "26",
            poids: 42,
            communes: COMMUNES_26,
        },
        DepartementDef {
            code: "42",
            poids: 28,
            communes: COMMUNES_42,
        },
    ],
    couples: 650,
    rural: 350,
};

const CAF_59: CaisseDef = CaisseDef {
    code: "CAF-59",
    nom: "CAF du Nord",
    regime: "CAF",
    departements: &[DepartementDef {
        code: "59",
        poids: 1,
        communes: COMMUNES_59,
    }],
    couples: 550,
    rural: 30,
};

const CAISSES: [&CaisseDef; 2] = [&MSA_ADL, &CAF_59];

struct PartenaireDef {
    caisse: &'static CaisseDef,
    numero_tiers: &'static str,
    nom: &'static str,
    categorie: &'static str,
    /// The first 13 digits; the Luhn check digit is computed.
    siret13: &'static str,
    departements: &'static [&'static str],
    /// How a user's description names the partner.
    de_qui: &'static str,
    /// Where its agents' e-mail addresses live (`.example` is reserved: no mail ever leaves).
    domaine: &'static str,
    convention: &'static str,
    /// The bouquet its convention opens and its agents are habilitated to.
    bouquet: &'static str,
    /// A second service the convention opens, habilitated on its own (BQ-MCP): only the partner's first
    /// agent holds it, so the demo shows an agent with one service and an agent with both.
    second_bouquet: Option<&'static str>,
    signee_le: &'static str,
    formalite_cnil_le: Option<&'static str>,
    /// Added to its users' descriptions.
    note: &'static str,
    /// A conseil départemental's circonscriptions and its agents' RSACG habilitation (CO-3, HB-4).
    rsacg: Option<&'static RsacgDef>,
}

impl PartenaireDef {
    fn bouquets(&self) -> Vec<&'static str> {
        std::iter::once(self.bouquet).chain(self.second_bouquet).collect()
    }
}

struct RsacgDef {
    circonscriptions: &'static [&'static str],
    profil: &'static str,
    /// The circonscriptions its agents reach: some of the partner's, not all.
    perimetre: &'static [&'static str],
}

/// The circonscriptions of the Département de l'Ardèche in the demo; RSA dossiers of 07 are spread over them.
const CIRCONSCRIPTIONS_07: [&str; 3] = ["PRIVAS", "AUBENAS", "ANNONAY"];

const PARTENAIRES: &[PartenaireDef] = &[
    PartenaireDef {
        caisse: &MSA_ADL,
        numero_tiers: "T07-0186",
        nom: "Commune de Privas",
        categorie: "collectivite_territoriale",
        siret13: "2107186990001",
        departements: &["07"],
        de_qui: "de la commune de Privas (compétence : 07)",
        domaine: "mairie-privas.example",
        convention: "MSA-ADL-QF-2026-0001",
        bouquet: "QF",
        second_bouquet: None,
        signee_le: "2026-01-05",
        formalite_cnil_le: Some("2026-01-20"),
        note: "",
        rsacg: None,
    },
    PartenaireDef {
        caisse: &MSA_ADL,
        numero_tiers: "T07-0342",
        nom: "CIAS des Deux Rives",
        categorie: "cias",
        siret13: "2007342990002",
        departements: &["07", "26"],
        de_qui: "du CIAS des Deux Rives (compétence : 07 et 26)",
        domaine: "cias-deux-rives.example",
        convention: "MSA-ADL-QF-2026-0002",
        bouquet: "QF",
        second_bouquet: None,
        signee_le: "2026-01-05",
        formalite_cnil_le: Some("2026-01-20"),
        note: "",
        rsacg: None,
    },
    PartenaireDef {
        caisse: &MSA_ADL,
        numero_tiers: "T26-0417",
        nom: "Association Loisirs Jeunesse du Valentinois",
        categorie: "association",
        siret13: "7826417990003",
        departements: &["26"],
        de_qui: "de l'association Loisirs Jeunesse du Valentinois (compétence : 26)",
        domaine: "loisirs-valentinois.example",
        convention: "MSA-ADL-QF-2026-0003",
        bouquet: "QF",
        second_bouquet: None,
        signee_le: "2026-02-16",
        formalite_cnil_le: None,
        note: " ; convention signée le 16/02/2026 mais formalité CNIL non transmise : aucun accès tant \
               qu'elle n'est pas en vigueur (CV-2)",
        rsacg: None,
    },
    PartenaireDef {
        caisse: &CAF_59,
        numero_tiers: "T59-0350",
        nom: "Ville de Lille",
        categorie: "collectivite_territoriale",
        siret13: "2159350990004",
        departements: &["59"],
        de_qui: "de la ville de Lille (compétence : 59)",
        domaine: "mairie-lille.example",
        convention: "CAF-59-QF-2026-0001",
        bouquet: "QF",
        second_bouquet: None,
        signee_le: "2026-01-05",
        formalite_cnil_le: Some("2026-01-20"),
        note: "",
        rsacg: None,
    },
    // Last, so the agents drawn before it stay the same for a seed.
    PartenaireDef {
        caisse: &MSA_ADL,
        numero_tiers: "T07-0420",
        nom: "Crèche Les Lutins",
        categorie: "structure_aje",
        siret13: "2607420990005",
        departements: &["07"],
        de_qui: "de la crèche Les Lutins (compétence : 07) : recherche par NIR ou matricule ET nom de l'allocataire",
        domaine: "creche-lutins.example",
        convention: "MSA-ADL-PSU-2026-0001",
        bouquet: "PSU",
        second_bouquet: None,
        signee_le: "2026-01-05",
        formalite_cnil_le: Some("2026-01-20"),
        note: "",
        rsacg: None,
    },
    // After the crèche, for the same reason.
    PartenaireDef {
        caisse: &CAF_59,
        numero_tiers: "T59-0599",
        nom: "Ville de Tourcoing",
        categorie: "collectivite_territoriale",
        siret13: "2159599990006",
        departements: &["59"],
        de_qui: "de la ville de Tourcoing (compétence : 59), Mon Compte Partenaire : QF des activités enfance \
                 et jeunesse, par NIR ou matricule ET nom",
        domaine: "mairie-tourcoing.example",
        convention: "CAF-59-MCP-2026-0001",
        bouquet: "MCP-QF",
        second_bouquet: Some("MCP-ADRESSE"),
        signee_le: "2026-01-05",
        formalite_cnil_le: Some("2026-01-20"),
        note: "",
        rsacg: None,
    },
    // After Tourcoing, for the same reason.
    PartenaireDef {
        caisse: &MSA_ADL,
        numero_tiers: "T07-0001",
        nom: "Département de l'Ardèche",
        categorie: "conseil_departemental",
        siret13: "2207000199000",
        departements: &["07"],
        de_qui: "du Département de l'Ardèche (compétence : 07), travailleur social habilité sur les \
                 circonscriptions PRIVAS et AUBENAS, pas ANNONAY : dossiers RSA par NIR ou matricule",
        domaine: "ardeche.example",
        convention: "MSA-ADL-RSACG-2026-0001",
        bouquet: "RSACG",
        second_bouquet: None,
        signee_le: "2026-01-05",
        formalite_cnil_le: Some("2026-01-20"),
        note: "",
        rsacg: Some(&RsacgDef {
            circonscriptions: &["07/PRIVAS", "07/AUBENAS", "07/ANNONAY"],
            profil: "1",
            perimetre: &["07/PRIVAS", "07/AUBENAS"],
        }),
    },
];

/// The Luhn check digit makes the 14 digits' weighted sum a multiple of 10; the digit next to it is doubled.
fn siret_with_check_digit(d13: &str) -> String {
    let sum: u32 = d13
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.wrapping_sub(b'0'));
            match (i % 2 == 0, d * 2) {
                (true, dd) if dd > 9 => dd - 9,
                (true, dd) => dd,
                (false, _) => d,
            }
        })
        .sum();
    format!("{d13}{}", (10 - sum % 10) % 10)
}

/// One period of the PSU barème, as the import takes it.
#[derive(Serialize, Clone, Copy)]
struct BaremeLine {
    #[serde(rename = "type")]
    kind: &'static str,
    caisse: &'static str,
    debut: &'static str,
    fin: Option<&'static str>,
    plancher_mensuel: &'static str,
    plafond_mensuel: &'static str,
    collectif: &'static [&'static str],
    familial: &'static [&'static str],
}

/// The taux d'effort are those of the Cnaf circular 2019-005 in force since 2022 (collectif: 0,0619 % for
/// one child down to 0,0206 % from eight; familial, parental or micro-crèche: 0,0516 % down to 0,0206 % from
/// six). The floors and ceilings are ILLUSTRATIVE, of the right order but not the published figures: a caisse
/// imports the Cnaf's own each year. Each demo caisse gets both periods.
const BAREMES_PSU: &[BaremeLine] = &[
    BaremeLine {
        kind: "bareme_psu",
        caisse: "",
        debut: "2025-01-01",
        fin: Some("2025-12-31"),
        plancher_mensuel: "801.00",
        plafond_mensuel: "7000.00",
        collectif: TAUX_COLLECTIF,
        familial: TAUX_FAMILIAL,
    },
    BaremeLine {
        kind: "bareme_psu",
        caisse: "",
        debut: "2026-01-01",
        fin: None,
        plancher_mensuel: "812.00",
        plafond_mensuel: "7000.00",
        collectif: TAUX_COLLECTIF,
        familial: TAUX_FAMILIAL,
    },
];
const TAUX_COLLECTIF: &[&str] = &[
    "0.0619", "0.0516", "0.0413", "0.0310", "0.0310", "0.0310", "0.0310", "0.0206",
];
const TAUX_FAMILIAL: &[&str] = &["0.0516", "0.0413", "0.0310", "0.0310", "0.0310", "0.0206"];

#[derive(Serialize)]
struct CaisseLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    code: &'a str,
    nom: &'a str,
    regime: &'a str,
    departements: &'a [&'a str],
}

#[derive(Serialize)]
struct PartenaireLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    caisse: &'a str,
    numero_tiers: &'a str,
    nom: &'a str,
    categorie: &'a str,
    siret: &'a str,
    departements: &'a [&'a str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    circonscriptions: &'a [&'a str],
}

#[derive(Serialize)]
struct ConventionLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    caisse: &'a str,
    numero: &'a str,
    partenaire: &'a str,
    bouquets: &'a [&'a str],
    signee_le: &'a str,
    formalite_cnil_le: Option<&'a str>,
    fin_le: Option<&'a str>,
}

#[derive(Serialize)]
struct UtilisateurLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    caisse: &'a str,
    identifiant: &'a str,
    partenaire: &'a str,
    civilite: &'a str,
    nom: &'a str,
    prenom: &'a str,
    email: &'a str,
    habilitations: Vec<Habilitation<'a>>,
    mot_de_passe_provisoire: &'a str,
}

#[derive(Serialize)]
struct Habilitation<'a> {
    convention: &'a str,
    bouquet: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    profil: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    circonscriptions: &'a [&'a str],
}

// ---------------------------------------------------------------------------------------------------------
// Users: two or three agents per partner in force, one for the convention still waiting for the CNIL.
// ---------------------------------------------------------------------------------------------------------

fn write_users(w: &mut impl Write, seed: u64) -> io::Result<Vec<DemoLogin>> {
    let mut rng = Rng::new(seed, STREAM_USERS);
    let mut taken: HashSet<(&str, String)> = HashSet::new();
    let mut logins = Vec::new();
    for p in PARTENAIRES {
        let count = if p.formalite_cnil_le.is_some() {
            2 + rng.below(2)
        } else {
            1
        };
        for rang in 0..count {
            let sex = if rng.chance(500) { Sex::F } else { Sex::M };
            let prenom = rng.pick(sex.first_names());
            let nom = rng.pick(NOMS);
            let base = format!(
                "{}{}",
                ascii_lower(prenom, false).get(..1).unwrap_or(""),
                ascii_lower(nom, false)
            );
            let mut identifiant = base.clone();
            let mut suffix = 1;
            while !taken.insert((p.caisse.code, identifiant.clone())) {
                suffix += 1;
                identifiant = format!("{base}{suffix}");
            }
            let homonym = if suffix > 1 {
                suffix.to_string()
            } else {
                String::new()
            };
            let email = format!(
                "{}.{}{homonym}@{}",
                ascii_lower(prenom, true),
                ascii_lower(nom, true),
                p.domaine
            );
            let mot_de_passe = format!("{}-{}-{:04}", rng.pick(MOTS), rng.pick(MOTS), rng.below(10_000));
            let bouquets = if rang == 0 { p.bouquets() } else { vec![p.bouquet] };
            write_line(
                w,
                &UtilisateurLine {
                    kind: "utilisateur",
                    caisse: p.caisse.code,
                    identifiant: &identifiant,
                    partenaire: p.numero_tiers,
                    civilite: sex.civilite(),
                    nom,
                    prenom,
                    email: &email,
                    habilitations: bouquets
                        .iter()
                        .map(|bouquet| Habilitation {
                            convention: p.convention,
                            bouquet,
                            profil: p.rsacg.map(|r| r.profil),
                            circonscriptions: p.rsacg.map_or(&[], |r| r.perimetre),
                        })
                        .collect(),
                    mot_de_passe_provisoire: &mot_de_passe,
                },
            )?;
            logins.push(DemoLogin {
                caisse: p.caisse.code.to_owned(),
                identifiant,
                mot_de_passe,
                description: format!(
                    "agent {}, {} {}, {}{}",
                    p.de_qui,
                    if bouquets.len() > 1 { "bouquets" } else { "bouquet" },
                    bouquets.join(" et "),
                    p.caisse.nom,
                    p.note
                ),
            });
        }
    }
    Ok(logins)
}

/// Lower-case ASCII for identifiers and e-mail addresses: accents dropped; spaces and hyphens become `-` when
/// `hyphens`, and go with apostrophes otherwise.
fn ascii_lower(s: &str, hyphens: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' => 'a',
            'ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ÿ' => 'y',
            ' ' | '-' if hyphens => '-',
            c => c,
        };
        if c.is_ascii_alphanumeric() || (hyphens && c == '-') {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// Dossiers.
// ---------------------------------------------------------------------------------------------------------

/// What a few dossiers must be so that the demo's example NIRs show what they say.
#[derive(Debug, Clone, Copy, Default)]
struct Forced {
    /// Index into the caisse's départements, and into that département's communes.
    departement: Option<usize>,
    commune: Option<usize>,
    opposition: Option<bool>,
    /// A couple with two or three children.
    family: bool,
    /// Where the first allocataire was born.
    born_in: Option<[u8; 2]>,
}

const MSA_ADL_FORCED: [Forced; 4] = [
    // Found by the commune de Privas: a family of Privas.
    Forced {
        departement: Some(0),
        commune: Some(0),
        opposition: Some(false),
        family: true,
        born_in: None,
    },
    Forced {
        departement: Some(0),
        commune: None,
        opposition: Some(true),
        family: false,
        born_in: None,
    },
    Forced {
        departement: Some(2),
        commune: None,
        opposition: Some(false),
        family: false,
        born_in: None,
    },
    Forced {
        departement: Some(0),
        commune: None,
        opposition: Some(false),
        family: false,
        born_in: Some(*b"2A"),
    },
];

const CAF_59_FORCED: [Forced; 1] = [Forced {
    departement: Some(0),
    commune: None,
    opposition: Some(false),
    family: false,
    born_in: None,
}];

/// What the examples tell of a forced dossier.
#[derive(Debug, Clone, Copy)]
struct Summary {
    matricule: Matricule,
    nir: NirParts,
    nom: &'static str,
    ville: &'static str,
    enfants: usize,
}

/// Writes the caisse's dossiers; returns the summary of each forced one that was written, in order.
fn write_dossiers(
    w: &mut impl Write,
    caisse: &'static CaisseDef,
    count: usize,
    mut rng: Rng,
    forced: &[Forced],
    registry: &mut NirRegistry,
) -> io::Result<Vec<Option<Summary>>> {
    // An affine map modulo 10^7 with a multiplier prime to 10 is a bijection: unique matricules that do not
    // look sequential.
    const MODULE: u64 = 10_000_000;
    const MULTIPLICATEUR: u64 = 3_010_349;
    let offset = rng.below(MODULE);
    let mut household = Household::default();
    let mut summaries = Vec::new();
    for i in 0..count {
        let f = forced.get(i).copied().unwrap_or_default();
        let matricule = Matricule(((i as u64 * MULTIPLICATEUR + offset) % MODULE) as u32);
        let d = generate(&mut rng, caisse, f, registry, &mut household)?;
        write_line(
            w,
            &DossierLine {
                kind: "dossier",
                caisse: caisse.code,
                matricule,
                departement: d.departement,
                allocataires: &household.allocataires,
                enfants: &household.enfants,
                adresse: d.adresse,
                quotients_familiaux: &household.qf,
                situation_familiale: d.situation_familiale,
                enfants_a_charge: d.enfants_a_charge,
                ressources: &household.ressources,
                opposition: d.opposition,
                rsa: rsa_du_dossier(caisse, &d, i, &household),
            },
        )?;
        if i < forced.len() {
            let first = household.allocataires.first();
            summaries.push(first.and_then(|first| {
                Some(Summary {
                    matricule,
                    nir: first.nir?,
                    nom: first.nom_usage.unwrap_or(first.nom_naissance),
                    ville: d.adresse.code_postal_ville.1,
                    enfants: household.enfants.len(),
                })
            }));
        }
    }
    Ok(summaries)
}

/// The examples the demo prints, from the forced dossiers that were written.
fn examples(msa: &[Option<Summary>], caf: &[Option<Summary>]) -> Vec<DemoNir> {
    let at = |summaries: &[Option<Summary>], i: usize| summaries.get(i).copied().flatten();
    let mut out = Vec::new();
    let mut push = |caisse: &str, nir: String, m: Matricule, description: String| {
        out.push(DemoNir {
            caisse: caisse.to_owned(),
            nir,
            matricule: m.to_string(),
            description,
        })
    };
    if let Some(s) = at(msa, 0) {
        push(
            MSA_ADL.code,
            s.nir.to_string(),
            s.matricule,
            format!(
                "dossier trouvé : famille {} de {} (07), {} enfants, QF par semestre 2025-2026 ; visible \
                 des agents de la commune de Privas et du CIAS des Deux Rives ; droit RSA ouvert, \
                 circonscription PRIVAS : visible aussi de l'agent RSACG du Département de l'Ardèche",
                s.nom, s.ville, s.enfants
            ),
        );
    }
    if let Some(s) = at(msa, 3) {
        push(
            MSA_ADL.code,
            s.nir.to_string(),
            s.matricule,
            format!(
                "dossier trouvé ({}, {}, 07) : allocataire {} en Corse-du-Sud, « 2A » dans le NIR (compte 19 \
                 pour la clé) ; sans droit RSA : introuvable pour l'agent RSACG (BQ-RSA)",
                s.nom,
                s.ville,
                if s.nir.sex == 2 { "née" } else { "né" }
            ),
        );
    }
    if let Some(s) = at(msa, 1) {
        push(
            MSA_ADL.code,
            s.nir.to_string(),
            s.matricule,
            "dossier sous opposition (OP-1) : partage dit seulement qu'une opposition existe, sans rien \
             montrer d'autre"
                .to_owned(),
        );
    }
    if let Some(s) = at(msa, 2) {
        push(
            MSA_ADL.code,
            s.nir.to_string(),
            s.matricule,
            format!(
                "dossier de {} (42, Loire) : hors du champ de compétence de la commune de Privas (07) et du \
                 CIAS des Deux Rives (07 et 26), introuvable pour leurs agents (CO-4)",
                s.ville
            ),
        );
    }
    if let Some(s) = at(caf, 0) {
        push(
            CAF_59.code,
            s.nir.to_string(),
            s.matricule,
            format!(
                "dossier de la CAF du Nord ({}) : trouvé par les agents de la ville de Lille, introuvable \
                 depuis la MSA Ardèche Drôme Loire (TEN-1)",
                s.ville
            ),
        );
    }
    if let Some(s) = at(msa, 0) {
        push(
            MSA_ADL.code,
            s.nir.with_wrong_key(),
            s.matricule,
            format!(
                "NIR du premier dossier avec une clé erronée : refusé, la clé attendue ({:02}) est indiquée",
                s.nir.key()
            ),
        );
    }
    out
}

#[derive(Serialize)]
struct DossierLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    caisse: &'a str,
    matricule: Matricule,
    departement: &'a str,
    allocataires: &'a [Person],
    enfants: &'a [Person],
    adresse: Address,
    quotients_familiaux: &'a [QfPeriod],
    situation_familiale: &'static str,
    enfants_a_charge: u8,
    ressources: &'a [RessourcesPeriod],
    opposition: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    rsa: Option<RsaLine>,
}

/// The RSACG data of a dossier (BQ-RSA), derived from its index so that the other draws stay the same.
#[derive(Serialize)]
struct RsaLine {
    circonscription: &'static str,
    droit_rsa: DroitRsaLine,
    droits: [PrestationLine; 1],
    declarations_trimestrielles: [DeclarationLine; 2],
}

#[derive(Serialize)]
struct DroitRsaLine {
    etat: &'static str,
    ouvert_le: Day,
    montant_mensuel: u64,
    majoration: bool,
    motif_suspension: Option<&'static str>,
}

#[derive(Serialize)]
struct PrestationLine {
    prestation: &'static str,
    debut: Day,
    fin: Option<Day>,
    montant_mensuel: u64,
}

#[derive(Serialize)]
struct DeclarationLine {
    annee: u16,
    trimestre: u8,
    montant: u64,
}

/// One dossier in five of the MSA's 07 has an RSA right, spread over the three circonscriptions; one in four
/// of those is suspended.
fn rsa_du_dossier(caisse: &CaisseDef, d: &Generated, i: usize, h: &Household) -> Option<RsaLine> {
    if caisse.code != MSA_ADL.code || d.departement != "07" || !i.is_multiple_of(5) {
        return None;
    }
    let k = (i / 5) as u64;
    let suspendu = k % 4 == 3;
    let ouvert_le = Day {
        year: ANNEE - 1,
        month: 1 + (k % 12) as u8,
        day: 1,
    };
    Some(RsaLine {
        circonscription: CIRCONSCRIPTIONS_07[(k % 3) as usize],
        droit_rsa: DroitRsaLine {
            etat: if suspendu { "suspendu" } else { "ouvert" },
            ouvert_le,
            montant_mensuel: 300 + (k * 37) % 500,
            majoration: h.allocataires.len() == 1 && !h.enfants.is_empty(),
            motif_suspension: suspendu.then_some("Défaut de déclaration trimestrielle"),
        },
        droits: [PrestationLine {
            prestation: "ALF",
            debut: ouvert_le,
            fin: None,
            montant_mensuel: 150 + (k * 23) % 200,
        }],
        declarations_trimestrielles: [
            DeclarationLine {
                annee: ANNEE - 1,
                trimestre: 4,
                montant: (k * 131) % 1500,
            },
            DeclarationLine {
                annee: ANNEE,
                trimestre: 1,
                montant: (k * 97) % 1500,
            },
        ],
    })
}

/// PSU "Ressources hors prestations familiales": the yearly resources of the reference year (N-2), in whole
/// euros (the import reads a whole number as exact euros).
#[derive(Debug, Clone, Copy, Serialize)]
struct RessourcesPeriod {
    debut: Day,
    fin: Day,
    annee_reference: u16,
    montant_annuel: u64,
}

/// Buffers reused from one dossier to the next.
#[derive(Debug, Default)]
struct Household {
    allocataires: Vec<Person>,
    enfants: Vec<Person>,
    qf: Vec<QfPeriod>,
    ressources: Vec<RessourcesPeriod>,
}

struct Generated {
    situation_familiale: &'static str,
    enfants_a_charge: u8,
    departement: &'static str,
    adresse: Address,
    opposition: bool,
}

/// The year the data describes: ages are counted at its first day.
const ANNEE: u16 = 2026;

/// Fills `h` with one household of the caisse.
fn generate(
    rng: &mut Rng,
    caisse: &'static CaisseDef,
    f: Forced,
    registry: &mut NirRegistry,
    h: &mut Household,
) -> io::Result<Generated> {
    h.allocataires.clear();
    h.enfants.clear();
    h.qf.clear();
    h.ressources.clear();
    let dep_index = f
        .departement
        .unwrap_or_else(|| pick_departement(rng, caisse.departements));
    let dep = &caisse.departements[dep_index.min(caisse.departements.len() - 1)];
    let dep_code = departement_bytes(dep.code);
    let couple = f.family || rng.chance(caisse.couples);
    let children = if f.family {
        2 + rng.below(2)
    } else {
        children_count(rng)
    };

    // Allocataires: 20 to 60 years old, most around 40; in a couple, the first is more often the mother.
    let sex1 = match (couple, rng.below(1000)) {
        (true, r) if r < 600 => Sex::F,
        (true, _) => Sex::M,
        (false, r) if r < 850 => Sex::F,
        (false, _) => Sex::M,
    };
    let year1 = (ANNEE - 21) - rng.below(20) as u16 - rng.below(21) as u16;
    let born_in = f
        .born_in
        .unwrap_or_else(|| birth_departement(rng, caisse, dep_code, 550));
    let name1 = rng.pick(NOMS);
    let first = adult(rng, registry, sex1, year1, name1, born_in)?;
    h.allocataires.push(first);
    if couple {
        let sex2 = sex1.other();
        // Within six years of the first, and 20 to 60 years old too.
        let year2 = (year1 + rng.below(13) as u16).clamp(ANNEE - 54, ANNEE - 15) - 6;
        let born_in = birth_departement(rng, caisse, dep_code, 550);
        let name2 = rng.pick(NOMS);
        let second = adult(rng, registry, sex2, year2, name2, born_in)?;
        h.allocataires.push(second);
        // About half the married mothers use their husband's name.
        if rng.chance(550) {
            let (wife, husband) = if sex1 == Sex::F { (0, 1) } else { (1, 0) };
            let name = h.allocataires[husband].nom_naissance;
            if h.allocataires[wife].nom_naissance != name {
                h.allocataires[wife].nom_usage = Some(name);
            }
        }
    }

    // Children: born after each parent turned 16, before the mother turned 46 (the father 51), younger than
    // 25 in 2026 and born by the end of 2025.
    let youngest = h
        .allocataires
        .iter()
        .map(|p| p.date_naissance.year)
        .max()
        .unwrap_or(year1);
    let last = h
        .allocataires
        .iter()
        .map(|p| p.date_naissance.year + if p.sexe == Sex::F { 45 } else { 50 })
        .min()
        .unwrap_or(year1 + 45);
    let first_year = (youngest + 17).max(ANNEE - 24);
    let last_year = last.min(ANNEE - 1);
    if first_year <= last_year {
        let child_name = family_name(rng, &h.allocataires, couple);
        for _ in 0..children {
            let sex = if rng.chance(512) { Sex::M } else { Sex::F };
            let year = first_year + rng.below(u64::from(last_year - first_year) + 1) as u16;
            let born = random_day(rng, year);
            let nir = if rng.chance(880) {
                let born_in = birth_departement(rng, caisse, dep_code, 850);
                Some(registry.issue(rng, sex, born, born_in)?)
            } else {
                None
            };
            h.enfants.push(Person {
                nir,
                nom_naissance: child_name,
                nom_usage: None,
                prenoms: first_names(rng, sex),
                date_naissance: born,
                sexe: sex,
                // About one child in a hundred, read off the draw rather than drawn: the random stream, and
                // so every QF and NIR of a seed, stays what it was before the PSU data existed.
                aeeh: born.day == 29 && born.month <= 4,
            });
        }
        h.enfants.sort_by_key(|c| c.date_naissance);
    }

    let adresse = address(rng, caisse, dep, f.commune, &h.allocataires[0]);
    let resources = draw_resources(rng, couple);
    compute_qf(couple, &resources, &h.enfants, &mut h.qf);
    // PSU data, read off the draw (no random number more, so a seed's QF and NIRs stay the same).
    for (annee, montant) in [(2025, resources.y2025), (2026, resources.y2026)] {
        h.ressources.push(RessourcesPeriod {
            debut: Day::new(annee, 1, 1),
            fin: Day::new(annee, 12, 31),
            annee_reference: annee - 2,
            montant_annuel: montant,
        });
    }
    let start = Day::new(ANNEE, 1, 1);
    let enfants_a_charge = h
        .enfants
        .iter()
        .filter(|c| c.date_naissance < start && c.date_naissance > start.years_before(20))
        .count()
        .min(30) as u8;
    let jour = usize::from(h.allocataires[0].date_naissance.day);
    let situation_familiale = if couple {
        ["marie", "pacse", "vie_maritale"][jour % 3]
    } else {
        ["celibataire", "separe", "divorce", "veuf"][jour % 4]
    };
    let opposition = f.opposition.unwrap_or_else(|| rng.chance(20));
    Ok(Generated {
        situation_familiale,
        enfants_a_charge,
        departement: dep.code,
        adresse,
        opposition,
    })
}

fn adult(
    rng: &mut Rng,
    registry: &mut NirRegistry,
    sex: Sex,
    year: u16,
    nom: &'static str,
    born_in: [u8; 2],
) -> io::Result<Person> {
    let born = random_day(rng, year);
    Ok(Person {
        nir: Some(registry.issue(rng, sex, born, born_in)?),
        nom_naissance: nom,
        nom_usage: None,
        prenoms: first_names(rng, sex),
        date_naissance: born,
        sexe: sex,
        aeeh: false,
    })
}

/// Children mostly bear their father's name; a single parent's, or now and then another.
fn family_name(rng: &mut Rng, parents: &[Person], couple: bool) -> &'static str {
    let father = parents.iter().find(|p| p.sexe == Sex::M).map(|p| p.nom_naissance);
    let mother = parents.iter().find(|p| p.sexe == Sex::F).map(|p| p.nom_naissance);
    let r = rng.below(1000);
    match (couple, father, mother) {
        (true, Some(f), Some(m)) => {
            if r < 850 {
                f
            } else {
                m
            }
        }
        (_, _, Some(m)) if r < 750 => m,
        (_, Some(f), None) => f,
        _ => rng.pick(NOMS),
    }
}

fn first_names(rng: &mut Rng, sex: Sex) -> FirstNames {
    let list = sex.first_names();
    let first = rng.pick(list);
    let second = if rng.chance(400) {
        Some(rng.pick(list)).filter(|s| *s != first)
    } else {
        None
    };
    FirstNames(first, second)
}

fn children_count(rng: &mut Rng) -> u64 {
    match rng.below(1000) {
        0..170 => 0,
        170..440 => 1,
        440..750 => 2,
        750..910 => 3,
        910..970 => 4,
        _ => 5,
    }
}

fn pick_departement(rng: &mut Rng, deps: &[DepartementDef]) -> usize {
    let total: u64 = deps.iter().map(|d| d.poids).sum();
    let mut r = rng.below(total);
    for (i, d) in deps.iter().enumerate() {
        if r < d.poids {
            return i;
        }
        r -= d.poids;
    }
    0
}

const fn departement_bytes(code: &str) -> [u8; 2] {
    let b = code.as_bytes();
    [b[0], b[1]]
}

/// Where someone living in `home` was born: mostly there (`local` per mille), else next door, elsewhere in
/// France, in Corsica now and then, or abroad (`99`).
fn birth_departement(rng: &mut Rng, caisse: &CaisseDef, home: [u8; 2], local: u64) -> [u8; 2] {
    let r = rng.below(1000);
    let rest = 1000 - local;
    if r < local {
        home
    } else if r < local + rest * 25 / 100 {
        departement_bytes(caisse.departements[rng.below(caisse.departements.len() as u64) as usize].code)
    } else if r < local + rest * 28 / 100 {
        if rng.chance(500) {
            *b"2A"
        } else {
            *b"2B"
        }
    } else if r < local + rest * 40 / 100 {
        *b"99"
    } else {
        // 01 to 95 without 20, which Corsica replaced.
        let n = 1 + rng.below(94) as u8;
        let n = if n >= 20 { n + 1 } else { n };
        [b'0' + n / 10, b'0' + n % 10]
    }
}

fn address(
    rng: &mut Rng,
    caisse: &CaisseDef,
    dep: &'static DepartementDef,
    commune: Option<usize>,
    first: &Person,
) -> Address {
    let commune = commune.unwrap_or_else(|| rng.below(dep.communes.len() as u64) as usize);
    let (postcode, town) = dep.communes[commune.min(dep.communes.len() - 1)];
    let destinataire = Recipient {
        civilite: if first.sexe == Sex::F { "MME" } else { "M." },
        prenom: first.prenoms.0,
        nom: first.nom_usage.unwrap_or(first.nom_naissance),
    };
    let mut a = Address {
        destinataire,
        complement_information: None,
        complement_information_geographique: None,
        numero_libelle_voie: None,
        lieu_dit: None,
        code_postal_ville: PostcodeTown(postcode, town),
        pays: "FRANCE",
    };
    if rng.chance(caisse.rural) {
        a.lieu_dit = Some(rng.pick(LIEUX_DITS));
    } else {
        a.numero_libelle_voie = Some(Street {
            numero: 1 + rng.below(140) as u16,
            bis: rng.chance(40),
            voie: rng.pick(VOIES),
            libelle: rng.pick(LIBELLES),
        });
        if rng.chance(150) {
            a.complement_information_geographique = Some(Building {
                residence: rng.pick(RESIDENCES),
                batiment: b'A' + rng.below(6) as u8,
            });
        }
        if rng.chance(120) {
            a.complement_information = Some(Flat(1 + rng.below(80) as u16));
        }
    }
    a
}

// ---------------------------------------------------------------------------------------------------------
// Quotient familial.
// ---------------------------------------------------------------------------------------------------------

/// Half-year periods, with the revaluation of benefits (per mille) each April applied from July.
const PERIODES: [(Day, Day, u64); 4] = [
    (Day::new(2025, 1, 1), Day::new(2025, 6, 30), 1000),
    (Day::new(2025, 7, 1), Day::new(2025, 12, 31), 1017),
    (Day::new(2026, 1, 1), Day::new(2026, 6, 30), 1017),
    (Day::new(2026, 7, 1), Day::new(2026, 12, 31), 1035),
];

/// Monthly amounts in cents, close to the 2025 scales.
const AF_2_ENFANTS: u64 = 15_105;
const AF_3_ENFANTS: u64 = 34_458;
const AF_PAR_ENFANT_EN_PLUS: u64 = 19_352;
const PAJE_BASE: u64 = 18_481;
const COMPLEMENT_FAMILIAL: u64 = 20_469;
const ASF_PAR_ENFANT: u64 = 19_919;

/// One earner's yearly net resources, in euros: most between 11 000 and 25 000, a few far above.
fn earnings(rng: &mut Rng) -> u64 {
    let u = rng.below(1000);
    let base = 11_000 + 28_000 * u * u / 1_000_000;
    if rng.chance(40) {
        base + rng.below(30_000)
    } else {
        base
    }
}

/// A household's yearly resources as the caisse knows them, and whether a single parent receives the ASF.
#[derive(Debug, Clone, Copy)]
struct Resources {
    y2025: u64,
    y2026: u64,
    asf: bool,
}

fn draw_resources(rng: &mut Rng, couple: bool) -> Resources {
    let mut y2026 = if rng.chance(if couple { 920 } else { 720 }) {
        earnings(rng)
    } else {
        2_000 + rng.below(7_000)
    };
    if couple {
        y2026 += if rng.chance(700) {
            earnings(rng)
        } else {
            rng.below(6_000)
        };
    }
    Resources {
        y2025: y2026 * (900 + rng.below(130)) / 1000,
        y2026,
        asf: !couple && rng.chance(400),
    }
}

fn compute_qf(couple: bool, r: &Resources, enfants: &[Person], out: &mut Vec<QfPeriod>) {
    for (debut, fin, revaluation) in PERIODES {
        let resources = if debut.year == 2025 { r.y2025 } else { r.y2026 };
        let dependants = enfants
            .iter()
            .filter(|c| c.date_naissance < debut && c.date_naissance > debut.years_before(20))
            .count() as u64;
        let under_3 = enfants
            .iter()
            .any(|c| c.date_naissance < debut && c.date_naissance > debut.years_before(3));
        let mut benefits = match dependants {
            0 | 1 => 0,
            2 => AF_2_ENFANTS,
            n => AF_3_ENFANTS + (n - 3) * AF_PAR_ENFANT_EN_PLUS,
        };
        // Allocations familiales are modulated by resources.
        if resources > 104_000 {
            benefits /= 4;
        } else if resources > 78_000 {
            benefits /= 2;
        }
        if under_3 && resources < 38_000 {
            benefits += PAJE_BASE;
        }
        if dependants >= 3 && !under_3 && resources < 42_000 {
            benefits += COMPLEMENT_FAMILIAL;
        }
        if r.asf {
            benefits += ASF_PAR_ENFANT * dependants;
        }
        let benefits = benefits * revaluation / 1000;
        let half_parts = if couple { 4 } else { 2 }
            + (1..=dependants)
                .map(|rank| if rank <= 2 { 1 } else { 2 })
                .sum::<u64>()
            + u64::from(!couple && dependants > 0);
        let monthly_cents = resources * 100 / 12 + benefits;
        // QF = monthly / (half_parts / 2), rounded to the euro.
        let valeur = (monthly_cents * 2 + half_parts * 50) / (half_parts * 100);
        out.push(QfPeriod {
            debut,
            fin,
            valeur: valeur as u32,
        });
    }
}

// ---------------------------------------------------------------------------------------------------------
// NIRs.
// ---------------------------------------------------------------------------------------------------------

/// A NIR's parts; the key is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NirParts {
    sex: u8,
    year: u8,
    month: u8,
    /// `07`, `2A`, or `99` for people born abroad.
    departement: [u8; 2],
    /// The commune's INSEE code in its département, or the country's code for `99`.
    commune: u16,
    order: u16,
}

impl NirParts {
    /// The 13 digits, Corsica's 2A counting as 19 and 2B as 18.
    fn number(&self) -> u64 {
        let departement = match self.departement {
            [b'2', b'A'] => 19,
            [b'2', b'B'] => 18,
            [x, y] => u64::from(x.wrapping_sub(b'0')) * 10 + u64::from(y.wrapping_sub(b'0')),
        };
        self.with_departement(departement)
    }

    fn with_departement(&self, dep: u64) -> u64 {
        u64::from(self.sex) * 1_000_000_000_000
            + u64::from(self.year) * 10_000_000_000
            + u64::from(self.month) * 100_000_000
            + dep * 1_000_000
            + u64::from(self.commune) * 1_000
            + u64::from(self.order)
    }

    fn key(&self) -> u64 {
        97 - self.number() % 97
    }

    /// The 15 characters, with `key` as the last two.
    fn ascii_with_key(&self, key: u64) -> [u8; 15] {
        let mut b = [0; 15];
        put_digits(&mut b[0..1], u64::from(self.sex));
        put_digits(&mut b[1..3], u64::from(self.year));
        put_digits(&mut b[3..5], u64::from(self.month));
        b[5..7].copy_from_slice(&self.departement);
        put_digits(&mut b[7..10], u64::from(self.commune));
        put_digits(&mut b[10..13], u64::from(self.order));
        put_digits(&mut b[13..15], key);
        b
    }

    fn ascii(&self) -> [u8; 15] {
        self.ascii_with_key(self.key())
    }

    fn with_wrong_key(&self) -> String {
        String::from_utf8_lossy(&self.ascii_with_key(self.key() % 97 + 1)).into_owned()
    }
}

/// Countries of birth (INSEE codes): Portugal, Italy, Spain, Belgium, Germany, Morocco, Algeria, Tunisia,
/// Turkey, Senegal.
const PAYS: &[u16] = &[139, 127, 134, 131, 109, 350, 352, 351, 208, 341];

/// Birth places a counter is kept for: départements 01 to 95, 2A, 2B, then each country of `PAYS`.
const LIEUX: usize = 97 + PAYS.len();

/// Numbers (commune, order) a place and month of birth can have in France: 350 communes × 999.
const NUMEROS: u64 = 350 * 999;

/// Hands out NIRs, each once across the whole file: the n-th person born in a given month and place gets
/// the n-th number of a permutation of that place's (commune, order) pairs, so no two NIRs clash and none
/// needs checking against the others. Each caisse takes every other number of the permutation.
struct NirRegistry {
    /// How many NIRs were issued per sex, year, month and place.
    issued: Vec<u32>,
    salt: u64,
    /// 0 or 1: which half of the numbers this registry hands out.
    half: u64,
}

impl NirRegistry {
    fn new(seed: u64, half: u64) -> NirRegistry {
        NirRegistry {
            issued: vec![0; 2 * 100 * 12 * LIEUX],
            salt: Rng::new(seed, STREAM_NIR).below(NUMEROS),
            half,
        }
    }

    fn issue(&mut self, rng: &mut Rng, sex: Sex, born: Day, departement: [u8; 2]) -> io::Result<NirParts> {
        let country = if departement == *b"99" { rng.pick(PAYS) } else { 0 };
        let place = match departement {
            [b'2', b'A'] => 95,
            [b'2', b'B'] => 96,
            [b'9', b'9'] => 97 + PAYS.iter().position(|p| *p == country).unwrap_or(0),
            [x, y] => {
                (usize::from(x.wrapping_sub(b'0')) * 10 + usize::from(y.wrapping_sub(b'0'))).clamp(1, 95) - 1
            }
        };
        let year = born.year % 100;
        let slot = ((usize::from(sex == Sex::F) * 100 + usize::from(year)) * 12
            + usize::from(born.month - 1))
            * LIEUX
            + place;
        let counter = self
            .issued
            .get_mut(slot)
            .ok_or_else(|| io::Error::other("date de naissance hors plage"))?;
        let n = 2 * u64::from(*counter) + self.half;
        // Born abroad, the commune is the country: only the order number varies.
        let capacity = if departement == *b"99" { 999 } else { NUMEROS };
        if n >= capacity {
            return Err(io::Error::other(
                "plus aucun NIR libre pour ce mois et ce lieu de naissance",
            ));
        }
        *counter += 1;
        // 7 919 is prime to 350 × 999 = 2 × 3³ × 5² × 7 × 37 (and to 999): n ↦ 7 919 n + c is a permutation.
        let x = (n * 7_919 + self.salt + slot as u64 * 104_729) % capacity;
        let (commune, order) = if departement == *b"99" {
            (country, x)
        } else {
            (1 + (x / 999) as u16, x % 999)
        };
        Ok(NirParts {
            sex: if sex == Sex::M { 1 } else { 2 },
            year: year as u8,
            month: born.month,
            departement,
            commune,
            order: 1 + order as u16,
        })
    }
}

// ---------------------------------------------------------------------------------------------------------
// Small values, each written straight to the output through `Display` rather than through a `String`.
// ---------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sex {
    M,
    F,
}

impl Sex {
    fn other(self) -> Sex {
        match self {
            Sex::M => Sex::F,
            Sex::F => Sex::M,
        }
    }
    fn first_names(self) -> &'static [&'static str] {
        match self {
            Sex::M => PRENOMS_M,
            Sex::F => PRENOMS_F,
        }
    }
    fn civilite(self) -> &'static str {
        match self {
            Sex::M => "M.",
            Sex::F => "Mme",
        }
    }
}

impl Serialize for Sex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Sex::M => "M",
            Sex::F => "F",
        })
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
struct Person {
    #[serde(skip_serializing_if = "Option::is_none")]
    nir: Option<NirParts>,
    nom_naissance: &'static str,
    nom_usage: Option<&'static str>,
    prenoms: FirstNames,
    date_naissance: Day,
    sexe: Sex,
    /// PSU: AEEH is paid for this child. Never set on an allocataire.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    aeeh: bool,
}

/// One or two first names, space-separated as API Particulier writes them.
#[derive(Debug, Clone, Copy)]
struct FirstNames(&'static str, Option<&'static str>);

impl fmt::Display for FirstNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(second) => write!(f, "{} {second}", self.0),
            None => f.write_str(self.0),
        }
    }
}

impl Serialize for FirstNames {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Day {
    year: u16,
    month: u8,
    day: u8,
}

impl Day {
    const fn new(year: u16, month: u8, day: u8) -> Day {
        Day { year, month, day }
    }
    /// The same day `n` years before (29 February stays 29: comparisons only need the order).
    fn years_before(self, n: u16) -> Day {
        Day {
            year: self.year - n,
            ..self
        }
    }
    /// `YYYY-MM-DD`.
    fn ascii(&self) -> [u8; 10] {
        let mut b = *b"0000-00-00";
        put_digits(&mut b[0..4], u64::from(self.year));
        put_digits(&mut b[5..7], u64::from(self.month));
        put_digits(&mut b[8..10], u64::from(self.day));
        b
    }
}

fn random_day(rng: &mut Rng, year: u16) -> Day {
    let month = 1 + rng.below(12) as u8;
    let leap = chrono::NaiveDate::from_ymd_opt(i32::from(year), 2, 29).is_some();
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    Day {
        year,
        month,
        day: 1 + rng.below(days) as u8,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Matricule(u32);

impl Matricule {
    fn ascii(&self) -> [u8; 7] {
        let mut b = [0; 7];
        put_digits(&mut b, u64::from(self.0));
        b
    }
}

/// Writes `n`'s last digits into `out`, zero-padded: dates, NIRs and matricules are written a million times,
/// and this is much cheaper than `format!` machinery.
fn put_digits(out: &mut [u8], mut n: u64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// `Display` and `Serialize` for values that build their ASCII text on the stack.
macro_rules! ascii_text {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(std::str::from_utf8(&self.ascii()).map_err(|_| fmt::Error)?)
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(std::str::from_utf8(&self.ascii()).map_err(serde::ser::Error::custom)?)
            }
        }
    )*};
}
ascii_text!(Day, Matricule, NirParts);

#[derive(Debug, Clone, Copy, Serialize)]
struct QfPeriod {
    debut: Day,
    fin: Day,
    valeur: u32,
}

/// The seven lines of AFNOR XP Z10-011, as API Particulier names them.
#[derive(Debug, Clone, Copy, Serialize)]
struct Address {
    destinataire: Recipient,
    complement_information: Option<Flat>,
    complement_information_geographique: Option<Building>,
    numero_libelle_voie: Option<Street>,
    lieu_dit: Option<&'static str>,
    code_postal_ville: PostcodeTown,
    pays: &'static str,
}

/// Line 1, in capitals: "MME JEANNE MARTIN".
#[derive(Debug, Clone, Copy)]
struct Recipient {
    civilite: &'static str,
    prenom: &'static str,
    nom: &'static str,
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.civilite)?;
        for c in self.prenom.chars().flat_map(char::to_uppercase) {
            fmt::Write::write_char(f, c)?;
        }
        write!(f, " {}", self.nom)
    }
}

/// Line 2: "APPARTEMENT 12".
#[derive(Debug, Clone, Copy)]
struct Flat(u16);

impl fmt::Display for Flat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "APPARTEMENT {}", self.0)
    }
}

/// Line 3: "RÉSIDENCE LES CHÊNES BÂTIMENT B".
#[derive(Debug, Clone, Copy)]
struct Building {
    residence: &'static str,
    batiment: u8,
}

impl fmt::Display for Building {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} BÂTIMENT {}", self.residence, self.batiment as char)
    }
}

/// Line 4: "12 BIS RUE DES ÉCOLES".
#[derive(Debug, Clone, Copy)]
struct Street {
    numero: u16,
    bis: bool,
    voie: &'static str,
    libelle: &'static str,
}

impl fmt::Display for Street {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bis = if self.bis { " BIS" } else { "" };
        write!(f, "{}{bis} {} {}", self.numero, self.voie, self.libelle)
    }
}

/// Line 6: "07000 PRIVAS".
#[derive(Debug, Clone, Copy)]
struct PostcodeTown(&'static str, &'static str);

impl fmt::Display for PostcodeTown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}

macro_rules! serialize_as_display {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}
serialize_as_display!(Recipient, Flat, Building, Street, PostcodeTown);

// ---------------------------------------------------------------------------------------------------------
// The generator: splitmix64, tiny, fast, and the same everywhere.
// ---------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Rng(u64);

const STREAM_USERS: u64 = 1;
const STREAM_MSA_ADL: u64 = 2;
const STREAM_CAF_59: u64 = 3;
const STREAM_NIR: u64 = 4;

impl Rng {
    /// One independent stream per purpose, so adding dossiers does not change the users.
    fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (multiply and keep the high half: a bias far below anything visible here).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------------------------
// Places: real postcodes and towns of each département; street names found in every French town.
// ---------------------------------------------------------------------------------------------------------

const COMMUNES_07: &[(&str, &str)] = &[
    ("07000", "PRIVAS"),
    ("07100", "ANNONAY"),
    ("07200", "AUBENAS"),
    ("07300", "TOURNON-SUR-RHONE"),
    ("07400", "LE TEIL"),
    ("07500", "GUILHERAND-GRANGES"),
    ("07130", "SAINT-PERAY"),
    ("07160", "LE CHEYLARD"),
    ("07150", "VALLON-PONT-D'ARC"),
    ("07800", "LA VOULTE-SUR-RHONE"),
    ("07260", "JOYEUSE"),
    ("07110", "LARGENTIERE"),
    ("07600", "VALS-LES-BAINS"),
    ("07700", "BOURG-SAINT-ANDEOL"),
    ("07140", "LES VANS"),
    ("07220", "VIVIERS"),
    ("07430", "DAVEZIEUX"),
    ("07170", "VILLENEUVE-DE-BERG"),
    ("07120", "RUOMS"),
    ("07240", "VERNOUX-EN-VIVARAIS"),
    ("07320", "SAINT-AGREVE"),
    ("07270", "LAMASTRE"),
];

const COMMUNES_26: &[(&str, &str)] = &[
    ("26000", "VALENCE"),
    ("26100", "ROMANS-SUR-ISERE"),
    ("26200", "MONTELIMAR"),
    ("26300", "BOURG-DE-PEAGE"),
    ("26400", "CREST"),
    ("26110", "NYONS"),
    ("26150", "DIE"),
    ("26700", "PIERRELATTE"),
    ("26800", "PORTES-LES-VALENCE"),
    ("26500", "BOURG-LES-VALENCE"),
    ("26130", "SAINT-PAUL-TROIS-CHATEAUX"),
    ("26240", "SAINT-VALLIER"),
    ("26250", "LIVRON-SUR-DROME"),
    ("26270", "LORIOL-SUR-DROME"),
    ("26600", "TAIN-L'HERMITAGE"),
    ("26220", "DIEULEFIT"),
    ("26170", "BUIS-LES-BARONNIES"),
    ("26120", "CHABEUIL"),
    ("26320", "SAINT-MARCEL-LES-VALENCE"),
    ("26290", "DONZERE"),
];

const COMMUNES_42: &[(&str, &str)] = &[
    ("42000", "SAINT-ETIENNE"),
    ("42100", "SAINT-ETIENNE"),
    ("42300", "ROANNE"),
    ("42600", "MONTBRISON"),
    ("42400", "SAINT-CHAMOND"),
    ("42500", "LE CHAMBON-FEUGEROLLES"),
    ("42700", "FIRMINY"),
    ("42170", "SAINT-JUST-SAINT-RAMBERT"),
    ("42110", "FEURS"),
    ("42800", "RIVE-DE-GIER"),
    ("42160", "ANDREZIEUX-BOUTHEON"),
    ("42120", "LE COTEAU"),
    ("42153", "RIORGES"),
    ("42390", "VILLARS"),
    ("42230", "ROCHE-LA-MOLIERE"),
    ("42330", "SAINT-GALMIER"),
    ("42190", "CHARLIEU"),
    ("42130", "BOEN-SUR-LIGNON"),
    ("42350", "LA TALAUDIERE"),
    ("42290", "SORBIERS"),
];

const COMMUNES_59: &[(&str, &str)] = &[
    ("59000", "LILLE"),
    ("59800", "LILLE"),
    ("59100", "ROUBAIX"),
    ("59200", "TOURCOING"),
    ("59300", "VALENCIENNES"),
    ("59140", "DUNKERQUE"),
    ("59400", "CAMBRAI"),
    ("59500", "DOUAI"),
    ("59600", "MAUBEUGE"),
    ("59650", "VILLENEUVE-D'ASCQ"),
    ("59700", "MARCQ-EN-BAROEUL"),
    ("59170", "CROIX"),
    ("59130", "LAMBERSART"),
    ("59120", "LOOS"),
    ("59280", "ARMENTIERES"),
    ("59190", "HAZEBROUCK"),
    ("59150", "WATTRELOS"),
    ("59540", "CAUDRY"),
    ("59220", "DENAIN"),
    ("59113", "SECLIN"),
    ("59250", "HALLUIN"),
    ("59110", "LA MADELEINE"),
    ("59290", "WASQUEHAL"),
    ("59760", "GRANDE-SYNTHE"),
    ("59210", "COUDEKERQUE-BRANCHE"),
    ("59620", "AULNOYE-AYMERIES"),
];

#[rustfmt::skip]
const VOIES: &[&str] = &[
    "RUE", "RUE", "RUE", "RUE", "AVENUE", "AVENUE", "BOULEVARD", "CHEMIN", "IMPASSE", "ALLÉE", "PLACE",
    "ROUTE",
];

#[rustfmt::skip]
const LIBELLES: &[&str] = &[
    "DES ÉCOLES", "DE LA RÉPUBLIQUE", "VICTOR HUGO", "JEAN JAURÈS", "PASTEUR", "DE LA GARE", "DES TILLEULS",
    "DU STADE", "DE L'ÉGLISE", "DES LILAS", "DU MOULIN", "DES PRÉS", "DU 8 MAI 1945", "GAMBETTA",
    "DU GÉNÉRAL DE GAULLE", "JULES FERRY", "DE LA LIBÉRATION", "DES ACACIAS", "DU CHÂTEAU", "DE LA FONTAINE",
    "DES PLATANES", "DU MARCHÉ", "DE LA POSTE", "ANTOINE DE SAINT-EXUPÉRY", "MARCEL PAGNOL", "ÉMILE ZOLA",
    "DE LA PAIX", "DES VIGNES", "DES CERISIERS", "DU COLOMBIER", "DES ROSIERS", "CARNOT", "DE VERDUN",
    "ALBERT CAMUS", "GEORGES CLEMENCEAU", "DES JARDINS", "DE LA MAIRIE", "DES ÉCOLIERS", "DU PONT",
    "DES CHÂTAIGNIERS", "DE LA CROIX", "PIERRE ET MARIE CURIE", "DU FOUR", "DES ARTISANS", "DU LAVOIR",
];

#[rustfmt::skip]
const RESIDENCES: &[&str] = &[
    "RÉSIDENCE LES CHÊNES", "RÉSIDENCE LE PARC", "RÉSIDENCE LES TERRASSES", "RÉSIDENCE DU LAC",
    "RÉSIDENCE BEAUSOLEIL", "RÉSIDENCE LES IRIS", "RÉSIDENCE LES PEUPLIERS", "RÉSIDENCE DU CENTRE",
];

/// Hamlets of the countryside, where a lieu-dit is the whole address.
#[rustfmt::skip]
const LIEUX_DITS: &[&str] = &[
    "LE MAS DE LA COMBE", "LES FAYSSES", "LA VERNÈDE", "LE PLATEAU", "LES CHAZEAUX", "LA BÂTIE", "LE PONTET",
    "LES GRANGES", "LE BOUSCHET", "LA FAURIE", "LES ESTABLES", "LE VILLARD", "LA CHAPELLE", "LES COMBES",
    "LE SERRE", "LA GARDE", "LES BRUYÈRES", "LE MOULIN HAUT", "LA FERME DES PINS", "LES SAGNES",
];
// ---------------------------------------------------------------------------------------------------------
// Word lists. Common French first names and surnames, combined at random: no real person's data.
// ---------------------------------------------------------------------------------------------------------

#[rustfmt::skip]
const PRENOMS_F: &[&str] = &[
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Valérie", "Christine", "Sandrine",
    "Véronique", "Stéphanie", "Sophie", "Céline", "Aurélie", "Julie", "Émilie", "Laetitia", "Caroline",
    "Virginie", "Karine", "Delphine", "Hélène", "Anne", "Martine", "Monique", "Nicole", "Brigitte",
    "Patricia",
    "Chantal", "Corinne", "Laurence", "Pascale", "Florence", "Agnès", "Béatrice", "Sabrina", "Audrey",
    "Élodie", "Mélanie", "Claire", "Camille", "Laura", "Sarah", "Marion", "Pauline", "Manon", "Léa", "Chloé",
    "Emma", "Inès", "Jade", "Louise", "Alice", "Lina", "Rose", "Anna", "Mila", "Ambre", "Julia", "Zoé", "Lou",
    "Léna", "Juliette", "Lucie", "Clara", "Romane", "Margaux", "Mathilde", "Anaïs", "Océane", "Justine",
    "Charlotte", "Eva", "Maëlys", "Lola", "Agathe", "Capucine", "Victoire", "Adèle", "Gabrielle", "Iris",
    "Nina", "Louna", "Lily", "Mia", "Rosalie", "Élise", "Valentine", "Margot", "Apolline", "Jeanne", "Alix",
    "Héloïse", "Salomé", "Noémie", "Morgane", "Amandine", "Jessica", "Vanessa", "Émeline", "Coralie",
    "Estelle", "Fanny", "Gaëlle", "Ingrid", "Jennifer", "Ludivine", "Magali", "Myriam", "Nadia", "Ophélie",
    "Perrine", "Rachel", "Séverine", "Solène", "Tiphaine", "Yasmine", "Samia", "Fatima", "Leïla", "Amina",
    "Sonia", "Nadège", "Annie", "Josiane", "Danielle", "Michèle", "Sylviane", "Odile", "Geneviève",
    "Colette", "Jacqueline", "Bernadette", "Évelyne", "Muriel", "Carole", "Emmanuelle", "Frédérique",
    "Maryse", "Mireille", "Régine", "Sandra", "Cindy", "Marina", "Aline", "Cécile", "Christelle", "Claudine",
    "Elsa", "Eloïse", "Faustine", "Axelle", "Bérénice", "Clémence", "Constance", "Daphné", "Diane", "Flavie",
    "Hortense", "Jasmine", "Joséphine", "Laurie", "Lise", "Lucile", "Maëva", "Maud", "Mélissa", "Nora",
    "Olivia", "Paola", "Quitterie", "Sixtine", "Suzanne", "Thaïs", "Victoria", "Yaëlle", "Zélie", "Aya",
    "Lyna", "Assia", "Sirine", "Kenza", "Naïla", "Lana", "Alba", "Lila", "Céleste", "Giulia", "Luna",
];

#[rustfmt::skip]
const PRENOMS_M: &[&str] = &[
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Patrick", "Nicolas", "Christophe", "Christian",
    "Daniel", "Frédéric", "Laurent", "Stéphane", "David", "Éric", "Olivier", "Sébastien", "Julien",
    "Thierry", "Pascal", "Jérôme", "François", "Bruno", "Didier", "Dominique", "Gilles", "Vincent", "Franck",
    "Denis", "Guillaume", "Thomas", "Alexandre", "Antoine", "Maxime", "Kévin", "Romain", "Anthony",
    "Mathieu", "Jonathan", "Florian", "Cédric", "Benjamin", "Fabrice", "Yannick", "Arnaud", "Jérémy",
    "Damien", "Ludovic", "Mickaël", "Grégory", "Samuel", "Hervé", "Bernard", "Gérard", "Jacques", "André",
    "René", "Marcel", "Roger", "Serge", "Joël", "Lionel", "Emmanuel", "Xavier", "Cyril", "Sylvain",
    "Raphaël", "Hugo", "Lucas", "Louis", "Gabriel", "Léo", "Arthur", "Jules", "Adam", "Nathan", "Paul",
    "Noah", "Ethan", "Tom", "Sacha", "Mathis", "Théo", "Enzo", "Timéo", "Aaron", "Nolan", "Axel", "Baptiste",
    "Clément", "Victor", "Martin", "Valentin", "Alexis", "Quentin", "Corentin", "Adrien", "Loïc", "Bastien",
    "Rémi", "Tristan", "Gaël", "Erwan", "Mehdi", "Karim", "Youssef", "Mohamed", "Rayan", "Amir", "Yanis",
    "Bilal", "Sofiane", "Nassim", "Malik", "Rachid", "Ibrahim", "Moussa", "Charles", "Henri", "Lucien",
    "Albert", "Marius", "Gaspard", "Augustin", "Côme", "Eliott", "Isaac", "Timothée", "Simon", "Robin",
    "Maël", "Noé", "Liam", "Kylian", "Evan", "Esteban", "Diego", "Marco", "Fabien", "Vivien", "Jean-Pierre",
    "Jean-Marc", "Jean-Luc", "Jean-François", "Marc", "Luc", "Yves", "Guy", "Claude", "Gilbert", "Georges",
    "Maurice", "Régis", "Thibault", "Florent", "Aurélien", "Benoît", "Jean-Baptiste", "Jordan", "Steven",
    "Dylan", "Loris", "Mattéo", "Gabin", "Ruben", "Eden", "Léon", "Lenny", "Titouan", "Antonin", "Basile",
    "Célestin", "Achille", "Abel", "Émile", "Joseph", "Anatole", "Armand", "Bertrand", "Édouard", "Étienne",
    "Félix", "Gauthier", "Hadrien", "Jason", "Killian", "Lilian", "Marin", "Mathéo", "Nils", "Oscar",
    "Pablo", "Rafaël", "Samy", "Stanislas", "Tanguy", "Ulysse", "Warren", "Yacine", "Ilyès", "Ayoub",
];

#[rustfmt::skip]
const NOMS: &[&str] = &[
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT",
    "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD",
    "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT", "MULLER", "LEFEVRE", "FAURE", "ANDRE",
    "MERCIER", "BLANC", "GUERIN", "BOYER", "GARNIER", "CHEVALIER", "FRANCOIS", "LEGRAND", "GAUTHIER",
    "GARCIA", "PERRIN", "ROBIN", "CLEMENT", "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "GAUTIER",
    "MASSON", "MARCHAND", "DUVAL", "DENIS", "DUMONT", "MARIE", "LEMAIRE", "NOEL", "MEYER", "DUFOUR",
    "MEUNIER", "BRUN", "BLANCHARD", "GIRAUD", "JOLY", "RIVIERE", "LUCAS", "BRUNET", "GAILLARD", "BARBIER",
    "ARNAUD", "MARTINEZ", "GERARD", "ROCHE", "RENARD", "SCHMITT", "ROY", "LEROUX", "COLIN", "VIDAL", "CARON",
    "PICARD", "ROGER", "FABRE", "AUBERT", "LEMOINE", "RENAUD", "DUMAS", "LACROIX", "OLIVIER", "PHILIPPE",
    "BOURGEOIS", "PIERRE", "BENOIT", "REY", "LECLERC", "PAYET", "ROLLAND", "LECLERCQ", "GUILLAUME",
    "LECOMTE", "LOPEZ", "JEAN", "DUPUY", "GUILLOT", "HUBERT", "BERGER", "CARPENTIER", "SANCHEZ", "DUPUIS",
    "MOULIN", "LOUIS", "DESCHAMPS", "HUET", "VASSEUR", "PEREZ", "BOUCHER", "FLEURY", "ROYER", "KLEIN",
    "JACQUET", "ADAM", "PARIS", "POIRIER", "MARTY", "AUBRY", "GUYOT", "CARRE", "CHARLES", "RENAULT",
    "CHARPENTIER", "MENARD", "MAILLARD", "BARON", "BERTIN", "BAILLY", "HERVE", "SCHNEIDER", "FERNANDEZ",
    "LE GALL", "COLLET", "LEGER", "BOUVIER", "JULIEN", "PREVOST", "MILLET", "PERROT", "DANIEL", "LE ROUX",
    "COUSIN", "GERMAIN", "BRETON", "BESSON", "LANGLOIS", "REMY", "LE GOFF", "PELLETIER", "LEVEQUE",
    "PERRIER", "LEBLANC", "BARRE", "LEBRUN", "MARCHAL", "WEBER", "MALLET", "HAMON", "BOULANGER", "JACOB",
    "MONNIER", "MICHAUD", "RODRIGUEZ", "GUICHARD", "GILLET", "ETIENNE", "GRONDIN", "POULAIN", "TESSIER",
    "CHEVALLIER", "COLLIN", "CHAUVIN", "DA SILVA", "BOUCHET", "GAY", "LEMAITRE", "BENARD", "MARECHAL",
    "HUMBERT", "REYNAUD", "ANTOINE", "HOARAU", "PERRET", "BARTHELEMY", "CORDIER", "PICHON", "LEJEUNE",
    "GILBERT", "LAMY", "DELAUNAY", "PASQUIER", "CARLIER", "LAPORTE", "CHAMBON", "DELORME", "VERNET",
    "MOUNIER", "TEYSSIER", "ROUVIERE", "CROS", "BRUYERE", "CHAZE", "FRAYSSE", "ROCHETTE", "COSTE", "ROUSSET",
    "VALLET", "SOUCHON", "ARNOUX", "BOUVET", "COMBE", "JOUVE", "PONCET", "BONNEFOY", "MOURIER", "VIALLE",
    "DELATTRE", "DUHAMEL", "LECOCQ", "DEVOS", "DEBRUYNE", "DESMET", "DUBRULLE", "LEFRANC", "MASSE",
    "DELCROIX",
    "VANDAMME", "DECOCK", "WAGNER", "DUBUS", "HOUZE", "LEMPEREUR", "MARTINS", "FERREIRA", "RODRIGUES",
    "DOS SANTOS", "PEREIRA", "GOMES", "NGUYEN", "TRAN", "DIALLO", "TRAORE", "N'DIAYE", "CAMARA", "BENALI",
    "HADDAD", "MANSOURI", "BRAHIMI", "CHERIF", "AMRANI", "BOUZID", "KACI", "YILMAZ", "KAYA", "ROSSI",
    "RUSSO", "ESPOSITO", "COLOMBO", "SILVA", "NAVARRO", "MORENO", "ORTEGA", "GIMENEZ", "RUIZ", "MARIN",
    "BOURDON", "TANGUY", "LE BIHAN", "CARDON", "LAINE", "BLONDEL", "RAYNAUD", "BARBE", "MAURIN", "GIRAULT",
    "COULON", "LANGLAIS", "PRUVOST", "DUCHENE", "BERTHIER", "MAILLOT", "LAVAL", "POTIER", "CHARRIER",
    "SAUVAGE", "GRAS", "BESNARD", "LEBON", "ALLARD", "BIGOT", "SAUNIER", "PAGES", "RIGAUD", "DELMAS",
];

/// Words of temporary passwords: at least five letters each, ASCII so anyone can type them.
#[rustfmt::skip]
const MOTS: &[&str] = &[
    "Ardoise", "Castor", "Lavande", "Myrtille", "Noisette", "Olivier", "Platane", "Riviere", "Tilleul",
    "Verveine", "Abeille", "Bruyere", "Cerise", "Colline", "Falaise", "Fougere", "Grenade", "Hirondelle",
    "Jonquille", "Lagune", "Luciole", "Marmotte", "Mistral", "Mouette", "Nuage", "Orage", "Pervenche",
    "Prairie", "Renard", "Rocher", "Sarrasin", "Source", "Tonnerre", "Torrent", "Vallon", "Vigne", "Violette",
    "Chamois", "Cigale", "Clairiere", "Etang", "Garrigue", "Genievre", "Loutre", "Meleze", "Mimosa", "Ocean",
    "Pinson", "Romarin", "Sauge", "Vanille", "Zephyr", "Bouleau", "Campanule", "Digitale", "Edelweiss",
];

#[cfg(test)]
mod tests {
    use super::*;
    use partage_domain::{Nir, Siret};
    use serde_json::Value;
    use std::collections::{HashMap, HashSet};

    fn demo(dossiers_par_caisse: usize, seed: u64) -> (Vec<u8>, DemoSet) {
        let mut out = Vec::new();
        let set = write_demo(
            &DemoParams {
                dossiers_par_caisse,
                seed,
            },
            &mut out,
        )
        .unwrap();
        (out, set)
    }

    fn records(bytes: &[u8]) -> Vec<Value> {
        std::str::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn of_type<'a>(records: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        records.iter().filter(move |r| r["type"] == kind)
    }

    fn people(dossier: &Value) -> impl Iterator<Item = &Value> {
        let a = dossier["allocataires"].as_array().unwrap();
        let e = dossier["enfants"].as_array().unwrap();
        a.iter().chain(e)
    }

    fn date(v: &Value) -> chrono::NaiveDate {
        v.as_str().unwrap().parse().unwrap()
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let (a, set_a) = demo(300, 7);
        let (b, set_b) = demo(300, 7);
        let (c, set_c) = demo(300, 8);
        assert_eq!(a, b);
        assert_eq!(set_a, set_b);
        assert_ne!(a, c);
        assert_ne!(set_a.logins, set_c.logins);
    }

    #[test]
    fn users_do_not_change_with_the_number_of_dossiers() {
        assert_eq!(demo(5, 7).1.logins, demo(50, 7).1.logins);
    }

    #[test]
    fn one_record_per_line_type_first_and_the_count_adds_up() {
        let (bytes, set) = demo(250, 1);
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.ends_with('\n'));
        for line in text.lines() {
            assert!(line.starts_with(r#"{"type":""#), "{line}");
        }
        let records = records(&bytes);
        let count = |kind| of_type(&records, kind).count();
        assert_eq!(count("caisse"), 2);
        assert_eq!(count("partenaire"), PARTENAIRES.len());
        assert_eq!(count("convention"), PARTENAIRES.len());
        assert_eq!(count("utilisateur"), set.logins.len());
        assert_eq!(count("dossier"), 2 * 250);
        assert_eq!(count("bareme_psu"), 2 * BAREMES_PSU.len());
        assert_eq!(
            records.len(),
            2 + 2 * PARTENAIRES.len() + 2 * BAREMES_PSU.len() + set.logins.len() + 2 * 250
        );
    }

    #[test]
    fn co_1_every_nir_is_valid_unique_and_matches_its_person() {
        let (bytes, _) = demo(2_000, 3);
        let records = records(&bytes);
        let mut seen = HashSet::new();
        let (mut children, mut children_without) = (0, 0);
        let mut corsica = HashSet::new();
        for d in of_type(&records, "dossier") {
            for a in d["allocataires"].as_array().unwrap() {
                assert!(a["nir"].is_string(), "every allocataire has a NIR: {a}");
            }
            for e in d["enfants"].as_array().unwrap() {
                children += 1;
                if e.get("nir").is_none_or(Value::is_null) {
                    children_without += 1;
                }
            }
            for p in people(d) {
                let Some(nir) = p.get("nir").and_then(Value::as_str) else {
                    continue;
                };
                let parsed = Nir::parse(nir).unwrap_or_else(|e| panic!("{nir}: {e}"));
                assert_eq!(parsed.as_str(), nir);
                assert!(seen.insert(nir.to_owned()), "NIR {nir} written twice");
                let sex = if p["sexe"] == "M" { "1" } else { "2" };
                let born = p["date_naissance"].as_str().unwrap();
                assert_eq!(&nir[..1], sex, "{nir} {p}");
                assert_eq!(&nir[1..3], &born[2..4], "{nir} {born}");
                assert_eq!(&nir[3..5], &born[5..7], "{nir} {born}");
                if matches!(&nir[5..7], "2A" | "2B") {
                    corsica.insert(nir[5..7].to_owned());
                }
            }
        }
        assert!(seen.len() > 2 * 2_000 * 3, "{} NIRs", seen.len());
        assert_eq!(corsica.len(), 2, "people born in both Corsican départements");
        assert!(
            children_without > 0 && children_without * 5 < children,
            "{children_without} / {children}"
        );
    }

    #[test]
    fn nir_keys_follow_the_rule() {
        let nir = |departement: &[u8; 2]| NirParts {
            sex: 1,
            year: 85,
            month: 5,
            departement: *departement,
            commune: 6,
            order: 84,
        };
        // The domain's own example, and Corsica counting as 19 (2A) and 18 (2B) for the key.
        assert_eq!(nir(b"78").to_string(), "185057800608491");
        assert_eq!(nir(b"2A").key(), nir(b"19").key());
        assert_eq!(nir(b"2B").key(), nir(b"18").key());
        assert_eq!(nir(b"78").with_wrong_key(), "185057800608492");
        assert!(Nir::parse(&nir(b"2B").to_string()).is_ok());
    }

    #[test]
    fn every_siret_passes_luhn() {
        let (bytes, _) = demo(1, 1);
        let records = records(&bytes);
        for p in of_type(&records, "partenaire") {
            let siret = p["siret"].as_str().unwrap();
            assert_eq!(siret.len(), 14);
            Siret::parse(siret).unwrap_or_else(|e| panic!("{siret}: {e}"));
        }
        assert_eq!(siret_with_check_digit("7328293200007"), "73282932000074");
    }

    #[test]
    fn co_6_qf_by_half_year_over_2025_and_2026_without_overlap() {
        let (bytes, _) = demo(2_000, 5);
        let records = records(&bytes);
        let (mut total, mut typical) = (0, 0);
        for d in of_type(&records, "dossier") {
            let periods = d["quotients_familiaux"].as_array().unwrap();
            let bounds: Vec<(&str, &str)> = periods
                .iter()
                .map(|p| (p["debut"].as_str().unwrap(), p["fin"].as_str().unwrap()))
                .collect();
            assert_eq!(
                bounds,
                [
                    ("2025-01-01", "2025-06-30"),
                    ("2025-07-01", "2025-12-31"),
                    ("2026-01-01", "2026-06-30"),
                    ("2026-07-01", "2026-12-31")
                ]
            );
            for w in periods.windows(2) {
                assert!(date(&w[0]["fin"]) < date(&w[1]["debut"]));
            }
            for p in periods {
                let v = p["valeur"].as_u64().unwrap();
                assert!(v > 0, "{d}");
                total += 1;
                typical += usize::from((300..=2_000).contains(&v));
            }
        }
        assert!(
            typical * 100 >= total * 85,
            "{typical} of {total} QF between 300 and 2000"
        );
    }

    #[test]
    fn qf_follows_the_family() {
        let child = |year| Person {
            nir: None,
            nom_naissance: "MARTIN",
            nom_usage: None,
            prenoms: FirstNames("Léa", None),
            date_naissance: Day::new(year, 3, 1),
            sexe: Sex::F,
            aeeh: false,
        };
        let qf = |couple, r: Resources, children: &[Person]| {
            let mut out = Vec::new();
            compute_qf(couple, &r, children, &mut out);
            out.iter().map(|p| p.valeur).collect::<Vec<_>>()
        };
        // A couple with 48 000 € a year and two children: 3 parts, (4 000 + 151.05) / 3 = 1 383.68.
        let r = Resources {
            y2025: 48_000,
            y2026: 48_000,
            asf: false,
        };
        assert_eq!(qf(true, r, &[child(2015), child(2018)])[0], 1384);
        // The same without children: 2 parts.
        assert_eq!(qf(true, r, &[]), [2000; 4]);
        // A third child weighs a whole part: 4 parts, (4 000 + 344.58 allocations familiales) / 4.
        assert_eq!(qf(true, r, &[child(2012), child(2015), child(2018)])[0], 1086);
        // A single parent's child born in March 2026 counts from July 2026: 1 part, then 1 + 0.5 + 0.5, with
        // the allocation de soutien familial and the PAJE's allocation de base, (199.19 + 184.81) × 1.035:
        // (1 500 + 397.44) / 2 = 948.72.
        let r = Resources {
            y2025: 18_000,
            y2026: 18_000,
            asf: true,
        };
        assert_eq!(qf(false, r, &[child(2026)]), [1500, 1500, 1500, 949]);
    }

    #[test]
    fn op_1_some_demo_dossiers_are_under_opposition() {
        let (bytes, _) = demo(4_000, 11);
        let records = records(&bytes);
        let oppositions = of_type(&records, "dossier")
            .filter(|d| d["opposition"] == true)
            .count();
        // About 2 % of 8 000.
        assert!((100..=240).contains(&oppositions), "{oppositions} oppositions");
    }

    #[test]
    fn ten_1_each_caisse_has_its_own_dossiers_in_its_departements() {
        let (bytes, _) = demo(3_000, 2);
        let records = records(&bytes);
        let departements: HashMap<&str, Vec<&str>> = of_type(&records, "caisse")
            .map(|c| {
                let deps = c["departements"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d.as_str().unwrap())
                    .collect();
                (c["code"].as_str().unwrap(), deps)
            })
            .collect();
        assert_eq!(departements["MSA-ADL"], ["07", "26", "42"]);
        assert_eq!(departements["CAF-59"], ["59"]);
        let mut matricules: HashSet<(&str, &str)> = HashSet::new();
        let mut per_departement: HashMap<&str, usize> = HashMap::new();
        for d in of_type(&records, "dossier") {
            let caisse = d["caisse"].as_str().unwrap();
            let dep = d["departement"].as_str().unwrap();
            assert!(departements[caisse].contains(&dep), "{d}");
            *per_departement.entry(dep).or_default() += 1;
            let m = d["matricule"].as_str().unwrap();
            assert!(m.len() == 7 && m.bytes().all(|b| b.is_ascii_digit()), "{m}");
            assert!(matricules.insert((caisse, m)), "matricule {m} twice in {caisse}");
            let town = d["adresse"]["code_postal_ville"].as_str().unwrap();
            assert!(town.starts_with(dep), "{dep} {town}");
        }
        for dep in ["07", "26", "42"] {
            assert!(per_departement[dep] > 600, "{per_departement:?}");
        }
        assert_eq!(per_departement["59"], 3_000);
    }

    #[test]
    fn ten_3_partners_cover_departements_of_their_caisse() {
        let (bytes, _) = demo(1, 1);
        let records = records(&bytes);
        let caisse_deps: HashMap<&str, &Value> = of_type(&records, "caisse")
            .map(|c| (c["code"].as_str().unwrap(), &c["departements"]))
            .collect();
        for p in of_type(&records, "partenaire") {
            let deps = caisse_deps[p["caisse"].as_str().unwrap()].as_array().unwrap();
            for d in p["departements"].as_array().unwrap() {
                assert!(deps.contains(d), "{p}");
            }
        }
        let cias = of_type(&records, "partenaire")
            .find(|p| p["categorie"] == "cias")
            .unwrap();
        assert_eq!(cias["departements"], serde_json::json!(["07", "26"]));
    }

    #[test]
    fn cv_2_one_convention_awaits_its_cnil_formality_and_has_one_user() {
        let (bytes, set) = demo(1, 1);
        let records = records(&bytes);
        let waiting: Vec<&Value> = of_type(&records, "convention")
            .filter(|c| c["formalite_cnil_le"].is_null())
            .collect();
        assert_eq!(waiting.len(), 1);
        for c in of_type(&records, "convention") {
            let numero = c["numero"].as_str().unwrap();
            let bouquet = if numero.contains("-PSU-") {
                "PSU"
            } else if numero.contains("-MCP-") {
                "MCP-QF"
            } else if numero.contains("-RSACG-") {
                "RSACG"
            } else {
                "QF"
            };
            let expected = if bouquet == "MCP-QF" {
                serde_json::json!(["MCP-QF", "MCP-ADRESSE"])
            } else {
                serde_json::json!([bouquet])
            };
            assert_eq!(c["bouquets"], expected);
            assert!(c["fin_le"].is_null());
        }
        let numero = &waiting[0]["numero"];
        let users: Vec<&Value> = of_type(&records, "utilisateur")
            .filter(|u| {
                u["habilitations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|h| &h["convention"] == numero)
            })
            .collect();
        assert_eq!(users.len(), 1);
        let login = set
            .logins
            .iter()
            .find(|l| l.identifiant == users[0]["identifiant"])
            .unwrap();
        assert!(login.description.contains("CV-2"), "{}", login.description);
        // Every other partner has two or three agents.
        for p in of_type(&records, "partenaire") {
            let n = of_type(&records, "utilisateur")
                .filter(|u| u["partenaire"] == p["numero_tiers"])
                .count();
            assert!((1..=3).contains(&n), "{p}");
        }
    }

    #[test]
    fn bq_mcp_each_service_is_habilitated_on_its_own_in_the_demo() {
        let (bytes, set) = demo(1, 1);
        let records = records(&bytes);
        let tourcoing: Vec<&Value> = of_type(&records, "utilisateur")
            .filter(|u| u["partenaire"] == "T59-0599")
            .collect();
        let bouquets = |u: &Value| -> Vec<String> {
            u["habilitations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["bouquet"].as_str().unwrap().to_owned())
                .collect()
        };
        assert!(
            tourcoing.len() >= 2,
            "one agent with both services, others with one"
        );
        assert_eq!(bouquets(tourcoing[0]), ["MCP-QF", "MCP-ADRESSE"]);
        for u in &tourcoing[1..] {
            assert_eq!(bouquets(u), ["MCP-QF"], "{u}");
        }
        let login = set
            .logins
            .iter()
            .find(|l| l.identifiant == tourcoing[0]["identifiant"])
            .unwrap();
        assert!(
            login.description.contains("bouquets MCP-QF et MCP-ADRESSE"),
            "{}",
            login.description
        );
    }

    #[test]
    fn births_are_consistent_within_each_family() {
        let (bytes, _) = demo(2_000, 9);
        let records = records(&bytes);
        let start_2026 = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let end_2026 = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let age = |born: chrono::NaiveDate, on: chrono::NaiveDate| on.years_since(born).unwrap_or(0);
        let mut families_with_children = 0;
        for d in of_type(&records, "dossier") {
            let parents: Vec<chrono::NaiveDate> = d["allocataires"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| date(&p["date_naissance"]))
                .collect();
            assert!((1..=2).contains(&parents.len()));
            for &p in &parents {
                assert!(age(p, start_2026) >= 20 && age(p, end_2026) <= 60, "{d}");
            }
            let children = d["enfants"].as_array().unwrap();
            assert!(children.len() <= 5);
            families_with_children += usize::from(!children.is_empty());
            for c in children {
                let born = date(&c["date_naissance"]);
                assert!(born < start_2026 && age(born, end_2026) < 25, "{c}");
                for &p in &parents {
                    assert!(
                        age(p, born) >= 16,
                        "a child born before the parent turned 16: {d}"
                    );
                }
            }
        }
        assert!(families_with_children > 2 * 2_000 * 3 / 4);
    }

    #[test]
    fn hb_3_logins_are_the_users_written_with_their_temporary_passwords() {
        let (bytes, set) = demo(1, 4);
        let records = records(&bytes);
        let users: Vec<&Value> = of_type(&records, "utilisateur").collect();
        assert_eq!(users.len(), set.logins.len());
        let mut identifiants = HashSet::new();
        for (u, l) in users.iter().zip(&set.logins) {
            assert_eq!(u["caisse"], l.caisse.as_str());
            assert_eq!(u["identifiant"], l.identifiant.as_str());
            assert_eq!(u["mot_de_passe_provisoire"], l.mot_de_passe.as_str());
            assert!(l.mot_de_passe.chars().count() >= 14, "{}", l.mot_de_passe);
            let habilitations = u["habilitations"].as_array().unwrap();
            let bouquets: Vec<&str> = habilitations
                .iter()
                .map(|h| h["bouquet"].as_str().unwrap())
                .collect();
            let named = if bouquets.len() > 1 {
                format!("bouquets {}", bouquets.join(" et "))
            } else {
                format!("bouquet {}", bouquets[0])
            };
            assert!(l.description.contains(&named), "{}", l.description);
            assert!(identifiants.insert((l.caisse.clone(), l.identifiant.clone())));
            assert!(u["email"].as_str().unwrap().ends_with(".example"));
            assert!(matches!(u["civilite"].as_str(), Some("M." | "Mme")));
            assert!(
                habilitations.len() == 1 || bouquets == ["MCP-QF", "MCP-ADRESSE"],
                "one habilitation, or both services of Mon Compte Partenaire: {u}"
            );
            assert!(matches!(
                u["habilitations"][0]["bouquet"].as_str(),
                Some("QF" | "PSU" | "MCP-QF" | "RSACG")
            ));
        }
        assert!(set.logins.iter().any(|l| l.description
            == "agent de la commune de Privas (compétence : 07), bouquet QF, MSA Ardèche Drôme Loire"));
    }

    #[test]
    fn example_nirs_lead_where_their_description_says() {
        let (bytes, set) = demo(100, 6);
        let records = records(&bytes);
        let holder = |caisse: &str, nir: &str| {
            of_type(&records, "dossier")
                .find(|d| d["caisse"] == caisse && people(d).any(|p| p.get("nir").is_some_and(|n| n == nir)))
                .cloned()
        };
        assert_eq!(set.exemples.len(), 6);
        let [found, corsica, opposition, loire, lille, wrong] = &set.exemples[..] else {
            unreachable!()
        };
        let d = holder("MSA-ADL", &found.nir).unwrap();
        assert_eq!(d["matricule"], found.matricule.as_str());
        assert_eq!(
            (d["departement"].as_str(), d["opposition"].as_bool()),
            (Some("07"), Some(false))
        );
        assert_eq!(d["adresse"]["code_postal_ville"], "07000 PRIVAS");
        assert_eq!(d["allocataires"].as_array().unwrap().len(), 2);
        assert!(d["enfants"].as_array().unwrap().len() >= 2);
        assert_eq!(&corsica.nir[5..7], "2A");
        assert_eq!(holder("MSA-ADL", &corsica.nir).unwrap()["departement"], "07");
        assert_eq!(holder("MSA-ADL", &opposition.nir).unwrap()["opposition"], true);
        assert_eq!(holder("MSA-ADL", &loire.nir).unwrap()["departement"], "42");
        assert_eq!(lille.caisse, "CAF-59");
        assert!(holder("MSA-ADL", &lille.nir).is_none());
        assert_eq!(
            holder("CAF-59", &lille.nir).unwrap()["matricule"],
            lille.matricule.as_str()
        );
        assert!(matches!(
            Nir::parse(&wrong.nir),
            Err(partage_domain::nir::NirError::Cle { .. })
        ));
        assert_eq!(wrong.nir[..13], found.nir[..13]);
        for e in &set.exemples {
            assert!(!e.description.is_empty());
        }
        // With fewer dossiers than examples, only the examples that exist.
        assert_eq!(demo(1, 6).1.exemples.len(), 3);
    }

    #[test]
    fn refuses_more_dossiers_than_matricules_allow() {
        let params = DemoParams {
            dossiers_par_caisse: MAX_DOSSIERS_PAR_CAISSE + 1,
            seed: 1,
        };
        let err = write_demo(&params, &mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn identifiers_and_addresses_are_plain_ascii() {
        assert_eq!(ascii_lower("Jean-François", true), "jean-francois");
        assert_eq!(ascii_lower("N'DIAYE", false), "ndiaye");
        assert_eq!(ascii_lower("DA SILVA", true), "da-silva");
        let r = Recipient {
            civilite: "MME",
            prenom: "Hélène",
            nom: "MARTIN",
        };
        assert_eq!(r.to_string(), "MME HÉLÈNE MARTIN");
        let s = Street {
            numero: 12,
            bis: false,
            voie: "RUE",
            libelle: "DES ÉCOLES",
        };
        assert_eq!(s.to_string(), "12 RUE DES ÉCOLES");
    }

    #[test]
    fn the_importer_accepts_the_whole_demo_file() {
        let (bytes, set) = demo(300, 12);
        let parsed = partage_app::import::parse_jsonl(&partage_store::NirKey([3; 32]), &bytes[..])
            .unwrap_or_else(|errors| panic!("{errors:?}"));
        assert_eq!(
            parsed.records.len(),
            2 + 2 * PARTENAIRES.len() + 2 * BAREMES_PSU.len() + set.logins.len() + 600
        );
    }

    #[test]
    fn the_documented_example_file_imports() {
        let text = include_str!("../../../docs/examples/qf-minimal.jsonl");
        let parsed = partage_app::import::parse_jsonl(&partage_store::NirKey([3; 32]), text.as_bytes())
            .unwrap_or_else(|errors| panic!("{errors:?}"));
        assert_eq!(parsed.records.len(), 1 + 1 + 1 + 1 + 3);
    }

    #[test]
    fn bq_psu_demo_dossiers_carry_family_and_resources_and_a_psu_login() {
        let (bytes, set) = demo(400, 2);
        let records = records(&bytes);
        let dossiers: Vec<&Value> = of_type(&records, "dossier").collect();
        let aeeh = dossiers
            .iter()
            .flat_map(|d| d["enfants"].as_array().unwrap())
            .filter(|e| e["aeeh"] == true)
            .count();
        assert!(aeeh >= 1, "some children with AEEH");
        for d in &dossiers {
            assert!(d["situation_familiale"].is_string());
            assert_eq!(d["ressources"].as_array().unwrap().len(), 2);
            for a in d["allocataires"].as_array().unwrap() {
                assert!(a.get("aeeh").is_none(), "never on an allocataire");
            }
        }
        assert!(set.logins.iter().any(|l| l.description.contains("bouquet PSU")));
    }

    #[test]
    fn bq_rsa_demo_has_an_rsacg_agent_and_rsa_dossiers_in_several_circonscriptions() {
        let (bytes, set) = demo(400, 2);
        let records = records(&bytes);
        let parsed = partage_app::import::parse_jsonl(&partage_store::NirKey([3; 32]), &bytes[..])
            .unwrap_or_else(|errors| panic!("{errors:?}"));
        assert!(!parsed.records.is_empty());
        let circonscriptions: HashSet<&str> = of_type(&records, "dossier")
            .filter(|d| d.get("droit_rsa").is_some())
            .map(|d| d["circonscription"].as_str().unwrap())
            .collect();
        assert_eq!(circonscriptions.len(), 3, "{circonscriptions:?}");
        let suspendus = of_type(&records, "dossier")
            .filter(|d| d["droit_rsa"]["etat"] == "suspendu")
            .count();
        assert!(suspendus >= 1);
        assert!(set.logins.iter().any(|l| l.description.contains("bouquet RSACG")));
    }

    #[test]
    fn bq_psu_the_documented_psu_example_imports() {
        let text = include_str!("../../../docs/examples/psu.jsonl");
        let parsed = partage_app::import::parse_jsonl(&partage_store::NirKey([3; 32]), text.as_bytes())
            .unwrap_or_else(|errors| panic!("{errors:?}"));
        assert_eq!(parsed.records.len(), 5);
        let Some(partage_store::ImportRecord::Dossier(d)) = parsed.records.last().map(|r| &r.record) else {
            panic!("dossier attendu")
        };
        assert_eq!(d.dossier.famille.enfants_aeeh, vec![1]);
        assert_eq!(d.dossier.ressources.len(), 2);
    }
}
