//! `partage partenaires …` and `partage conventions …` end to end on a temporary SQLite file (issue 3,
//! part 8): the référentiel and the register as tab-separated lines, and the attestation of return or
//! destruction of an ended convention's data (CV-8) recorded in a staff account's name, refused with its
//! reason and nothing written when it must be. The binary runs on the real clock: the dates are in the past.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

const FIXTURE: &str = r#"{"type":"caisse","code":"MSA-ADL","nom":"MSA Ardèche Drôme Loire","regime":"MSA","departements":["07","26"]}
{"type":"partenaire","caisse":"MSA-ADL","numero_tiers":"T1","nom":"Commune de Privas","categorie":"collectivite_territoriale","siret":"21070007100017","departements":["07"]}
{"type":"convention","caisse":"MSA-ADL","numero":"QF-1","partenaire":"T1","bouquets":["QF"],"signee_le":"2019-01-10","formalite_cnil_le":"2019-01-10","fin_le":"2020-01-10"}
{"type":"convention","caisse":"MSA-ADL","numero":"QF-2","partenaire":"T1","bouquets":["QF"],"signee_le":"2019-01-10","formalite_cnil_le":"2019-01-10"}
"#;

fn partage(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_partage"))
        .args(args)
        .env(
            "PARTAGE_DATABASE_URL",
            format!("sqlite://{}", dir.join("p.sqlite").display()),
        )
        .env("PARTAGE_DATA_DIR", dir.join("data"))
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn attester(dir: &Path, numero: &str, le: &str, par: &str) -> Output {
    partage(
        dir,
        &[
            "conventions",
            "attester",
            "--caisse",
            "MSA-ADL",
            "--numero",
            numero,
            "--nature",
            "destruction",
            "--le",
            le,
            "--reference",
            "LRAR 1A 0001",
            "--par",
            par,
        ],
    )
}

#[test]
fn cv_8_cli_lists_partners_and_conventions_and_records_the_attestation_once() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("import.jsonl");
    std::fs::write(&fixture, FIXTURE).unwrap();
    let out = partage(dir.path(), &["import", fixture.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = partage(dir.path(), &["partenaires", "lister", "--caisse", "MSA-ADL"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lignes = stdout(&out);
    assert!(lignes.starts_with("T1\tCommune de Privas\t"), "{lignes}");
    assert!(lignes.contains("21070007100017"), "{lignes}");
    let out = partage(
        dir.path(),
        &["partenaires", "afficher", "--caisse", "MSA-ADL", "--tiers", "T9"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("introuvable"), "{}", stderr(&out));

    let out = partage(dir.path(), &["conventions", "lister", "--caisse", "MSA-ADL"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lignes = stdout(&out);
    assert!(
        lignes.contains("QF-1\tT1\tCommune de Privas\tQF\tterminee"),
        "{lignes}"
    );
    assert!(
        lignes.contains("QF-2\tT1\tCommune de Privas\tQF\ten_vigueur"),
        "{lignes}"
    );
    let out = partage(
        dir.path(),
        &[
            "conventions",
            "lister",
            "--caisse",
            "MSA-ADL",
            "--etat",
            "terminee",
        ],
    );
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));

    // Only in the name of an active staff account with the role `conventions`.
    let out = attester(dir.path(), "QF-1", "2020-02-01", "cgestion");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("aucun compte actif"), "{}", stderr(&out));
    for (identifiant, roles) in [("cgestion", "conventions"), ("cadmin", "admin")] {
        let out = partage(
            dir.path(),
            &[
                "personnels",
                "creer",
                "--caisse",
                "MSA-ADL",
                "--identifiant",
                identifiant,
                "--roles",
                roles,
                "--nom",
                "Gestion",
                "--prenom",
                "Claire",
                "--email",
                "c@example.org",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = attester(dir.path(), "QF-1", "2020-02-01", "cadmin");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("role_requis"), "{}", stderr(&out));

    // A convention still in force, a date before the end, a nature unknown: refused with the reason.
    let out = attester(dir.path(), "QF-2", "2020-02-01", "cgestion");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("pas terminée"), "{}", stderr(&out));
    let out = attester(dir.path(), "QF-1", "2020-01-09", "cgestion");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("précède la fin"), "{}", stderr(&out));
    let out = partage(
        dir.path(),
        &[
            "conventions",
            "attester",
            "--caisse",
            "MSA-ADL",
            "--numero",
            "QF-1",
            "--nature",
            "oubli",
            "--le",
            "2020-02-01",
            "--reference",
            "X",
            "--par",
            "cgestion",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("restitution"), "{}", stderr(&out));

    let out = attester(dir.path(), "QF-1", "2020-02-01", "cgestion");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("destruction des données"),
        "{}",
        stdout(&out)
    );
    let out = attester(dir.path(), "QF-1", "2020-02-02", "cgestion");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("déjà"), "{}", stderr(&out));
}

#[test]
fn cv_2_cli_creates_a_draft_for_a_partner_of_the_referentiel_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("import.jsonl");
    std::fs::write(&fixture, FIXTURE).unwrap();
    assert!(partage(dir.path(), &["import", fixture.to_str().unwrap()])
        .status
        .success());
    let out = partage(
        dir.path(),
        &[
            "personnels",
            "creer",
            "--caisse",
            "MSA-ADL",
            "--identifiant",
            "cgestion",
            "--roles",
            "conventions",
            "--nom",
            "Gestion",
            "--prenom",
            "Claire",
            "--email",
            "c@example.org",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let creer = |numero: &str, partenaire: &str, bouquets: &str| {
        partage(
            dir.path(),
            &[
                "conventions",
                "creer",
                "--caisse",
                "MSA-ADL",
                "--numero",
                numero,
                "--partenaire",
                partenaire,
                "--bouquets",
                bouquets,
                "--plafond",
                "3",
                "--par",
                "cgestion",
            ],
        )
    };
    for (numero, partenaire, bouquets, raison) in [
        ("QF-3", "T9", "QF", "introuvable"),
        ("QF-1", "T1", "QF", "deja_existant"),
        ("QF-3", "T1", "QF,XYZ", "XYZ"),
        ("QF-3", "T1", "", "au moins un bouquet"),
    ] {
        let out = creer(numero, partenaire, bouquets);
        assert!(!out.status.success(), "{numero} {partenaire} {bouquets}");
        assert!(stderr(&out).contains(raison), "{}", stderr(&out));
    }
    let out = creer("QF-3", "T1", "QF,PSU");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("QF-3 créée en brouillon"),
        "{}",
        stdout(&out)
    );
    let out = partage(
        dir.path(),
        &[
            "conventions",
            "afficher",
            "--caisse",
            "MSA-ADL",
            "--numero",
            "QF-3",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("QF-3\tT1\tCommune de Privas\tQF,PSU\tbrouillon"),
        "{}",
        stdout(&out)
    );
}
