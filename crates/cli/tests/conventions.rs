//! `partage partenaires …` and `partage conventions …` end to end on a temporary SQLite file (issue 3,
//! part 8): the référentiel and the register as tab-separated lines, and the creation of a draft and the
//! attestation of return or destruction of an ended convention's data (CV-8) by a staff member the command
//! logs in with his password (SPEC Actors: his role checked, his acts traced under his name), refused with
//! the reason and nothing written when it must be. The binary runs on the real clock: the dates are in the
//! past.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

/// The password the staff members of these tests chose at their first login.
const MDP: &str = "une phrase de passe bien longue";

const FIXTURE: &str = r#"{"type":"caisse","code":"MSA-ADL","nom":"MSA Ardèche Drôme Loire","regime":"MSA","departements":["07","26"]}
{"type":"partenaire","caisse":"MSA-ADL","numero_tiers":"T1","nom":"Commune de Privas","categorie":"collectivite_territoriale","siret":"21070007100017","departements":["07"]}
{"type":"convention","caisse":"MSA-ADL","numero":"QF-1","partenaire":"T1","bouquets":["QF"],"signee_le":"2019-01-10","formalite_cnil_le":"2019-01-10","fin_le":"2020-01-10"}
{"type":"convention","caisse":"MSA-ADL","numero":"QF-2","partenaire":"T1","bouquets":["QF"],"signee_le":"2019-01-10","formalite_cnil_le":"2019-01-10"}
"#;

fn url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("p.sqlite").display())
}

fn commande(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_partage"));
    c.args(args)
        .env("PARTAGE_DATABASE_URL", url(dir))
        .env("PARTAGE_DATA_DIR", dir.join("data"))
        .env("RUST_LOG", "error")
        .env_remove("PARTAGE_MOT_DE_PASSE");
    c
}

fn partage(dir: &Path, args: &[&str]) -> Output {
    commande(dir, args).output().unwrap()
}

/// The command run with the staff member's password in `PARTAGE_MOT_DE_PASSE`.
fn partage_mdp(dir: &Path, args: &[&str], mot_de_passe: &str) -> Output {
    commande(dir, args)
        .env("PARTAGE_MOT_DE_PASSE", mot_de_passe)
        .output()
        .unwrap()
}

/// Creates a staff account with `partage personnels creer`; its temporary password.
fn creer_personnel(dir: &Path, identifiant: &str, roles: &str) -> String {
    let out = partage(
        dir,
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
    stdout(&out).trim_end().rsplit(" : ").next().unwrap().to_owned()
}

/// A staff account whose temporary password was replaced by [`MDP`], as at his first login on /caisse.
fn personnel_pret(dir: &Path, identifiant: &str, roles: &str) {
    let provisoire = creer_personnel(dir, identifiant, roles);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = partage_store_sqlite::SqliteStore::connect(&url(dir))
            .await
            .unwrap();
        let app = partage_app::App::new(
            Arc::new(store),
            Arc::new(partage_app::SystemClock),
            partage_app::Settings::default(),
        )
        .await
        .unwrap();
        let mdp = |m: &str| SecretString::from(m.to_owned());
        let session = app
            .login_personnel("MSA-ADL", identifiant, mdp(&provisoire), None, "test")
            .await
            .unwrap();
        let staff = app
            .authenticate_personnel(session.jeton.expose_secret(), "test")
            .await
            .unwrap();
        app.change_password_personnel(&staff, mdp(&provisoire), mdp(MDP), "test")
            .await
            .unwrap();
        app.logout_personnel(&staff, "test").await.unwrap();
    });
}

/// Every trace, as `partage traces export` writes them.
fn traces(dir: &Path) -> Vec<Value> {
    let out = partage(dir, &["traces", "export"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// (utilisateur, action, résultat) of the traces the command line wrote.
fn traces_cli(dir: &Path) -> Vec<(String, String, String)> {
    traces(dir)
        .into_iter()
        .filter(|t| t["source"] == "cli")
        .map(|t| {
            let s = |k: &str| t[k].as_str().unwrap_or_default().to_owned();
            (s("utilisateur"), s("action"), s("resultat"))
        })
        .collect()
}

fn trace(utilisateur: &str, action: &str, resultat: &str) -> (String, String, String) {
    (utilisateur.to_owned(), action.to_owned(), resultat.to_owned())
}

/// A database with the fixture imported and one staff member ready to log in with [`MDP`].
fn base_avec(identifiant: &str, roles: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    importer(dir.path());
    personnel_pret(dir.path(), identifiant, roles);
    dir
}

fn importer(dir: &Path) {
    let fixture = dir.join("import.jsonl");
    std::fs::write(&fixture, FIXTURE).unwrap();
    let out = partage(dir, &["import", fixture.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn attester(dir: &Path, numero: &str, le: &str, personnel: &str) -> Output {
    partage_mdp(
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
            "--personnel",
            personnel,
        ],
        MDP,
    )
}

#[test]
fn cv_8_cli_lists_partners_and_conventions_and_records_the_attestation_once() {
    let dir = tempfile::tempdir().unwrap();
    importer(dir.path());

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

    // Only by a staff member who logs in, and holds the role `conventions`.
    let out = attester(dir.path(), "QF-1", "2020-02-01", "cgestion");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("(non_authentifie)"), "{}", stderr(&out));
    for (identifiant, roles) in [("cgestion", "conventions"), ("cadmin", "admin")] {
        personnel_pret(dir.path(), identifiant, roles);
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
    let out = partage_mdp(
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
            "--personnel",
            "cgestion",
        ],
        MDP,
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
    importer(dir.path());
    personnel_pret(dir.path(), "cgestion", "conventions");
    let creer = |numero: &str, partenaire: &str, bouquets: &str| {
        partage_mdp(
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
                "--personnel",
                "cgestion",
            ],
            MDP,
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
    let out = afficher_qf3(dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("QF-3\tT1\tCommune de Privas\tQF,PSU\tbrouillon"),
        "{}",
        stdout(&out)
    );
}

fn creer_qf3(dir: &Path, personnel: &str) -> Command {
    commande(
        dir,
        &[
            "conventions",
            "creer",
            "--caisse",
            "MSA-ADL",
            "--numero",
            "QF-3",
            "--partenaire",
            "T1",
            "--bouquets",
            "QF",
            "--personnel",
            personnel,
        ],
    )
}

fn afficher_qf3(dir: &Path) -> Output {
    partage(
        dir,
        &[
            "conventions",
            "afficher",
            "--caisse",
            "MSA-ADL",
            "--numero",
            "QF-3",
        ],
    )
}

fn qf3_existe(dir: &Path) -> bool {
    afficher_qf3(dir).status.success()
}

/// `creer_qf3` with the password in `PARTAGE_MOT_DE_PASSE`.
fn creer_qf3_mdp(dir: &Path, personnel: &str, mot_de_passe: &str) -> Output {
    creer_qf3(dir, personnel)
        .env("PARTAGE_MOT_DE_PASSE", mot_de_passe)
        .output()
        .unwrap()
}

/// The command failed with `attendu` in its message, and QF-3 was not created.
fn refusee_sans_rien_creer(dir: &Path, out: &Output, attendu: &str) {
    assert!(!out.status.success());
    assert!(stderr(out).contains(attendu), "{}", stderr(out));
    assert!(!qf3_existe(dir), "nothing created");
}

#[test]
fn actors_cli_a_wrong_password_creates_nothing_and_is_traced_like_any_staff_login_failure() {
    let dir = base_avec("cgestion", "conventions");
    let avant = traces_cli(dir.path()).len();
    let out = creer_qf3_mdp(dir.path(), "cgestion", "pas le bon mot de passe");
    refusee_sans_rien_creer(
        dir.path(),
        &out,
        "partage : identifiant ou mot de passe incorrect, ou session inconnue (non_authentifie)",
    );
    assert_eq!(
        traces_cli(dir.path())[avant..],
        [trace("cgestion", "connexion_personnel", "echec_mot_de_passe")],
        "the failed login only, no act"
    );
    // An unknown staff member: the same answer.
    let out = creer_qf3_mdp(dir.path(), "inconnu", MDP);
    refusee_sans_rien_creer(dir.path(), &out, "(non_authentifie)");
}

#[test]
fn actors_cli_a_staff_member_without_the_role_conventions_is_refused_and_creates_nothing() {
    let dir = base_avec("chabil", "habilitation,supervision");
    let out = creer_qf3_mdp(dir.path(), "chabil", MDP);
    refusee_sans_rien_creer(
        dir.path(),
        &out,
        "cette action est réservée au rôle « conventions »",
    );
    assert!(stderr(&out).contains("(role_requis)"), "{}", stderr(&out));
    let codes = traces_cli(dir.path());
    assert!(
        codes.contains(&trace("chabil", "gestion", "role_requis")),
        "the refusal traced under his name, as in the back office: {codes:?}"
    );
    // A temporary password not yet replaced: refused the same way as on /caisse (AU-2).
    let provisoire = creer_personnel(dir.path(), "cneuf", "conventions");
    let out = creer_qf3_mdp(dir.path(), "cneuf", &provisoire);
    refusee_sans_rien_creer(dir.path(), &out, "(changement_mot_de_passe_requis)");
}

#[test]
fn actors_cli_a_draft_created_with_the_password_on_stdin_is_traced_under_the_staff_members_name() {
    let dir = base_avec("cgestion", "conventions");
    let avant = traces_cli(dir.path()).len();
    let mut child = creer_qf3(dir.path(), "cgestion")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{MDP}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "Convention n° QF-3 créée en brouillon dans la caisse MSA-ADL."
    );
    assert!(qf3_existe(dir.path()));
    let cgestion =
        |action: &str, resultat: &str| ("cgestion".to_owned(), action.to_owned(), resultat.to_owned());
    assert_eq!(
        traces_cli(dir.path())[avant..],
        [
            cgestion("connexion_personnel", "succes"),
            cgestion("gestion", "succes"),
            cgestion("deconnexion_personnel", "succes"),
        ],
        "logged in, the act under his name, logged out"
    );
}

#[test]
fn ten_3_cli_afficher_names_the_departements_a_convention_narrows_to() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("import.jsonl");
    // QF-4 narrows the partner's competence to the Ardèche; QF-2 narrows nothing.
    let narrowed = r#"{"type":"convention","caisse":"MSA-ADL","numero":"QF-4","partenaire":"T1","bouquets":["QF"],"signee_le":"2019-01-10","formalite_cnil_le":"2019-01-10","departements":["07"]}"#;
    std::fs::write(&fixture, format!("{FIXTURE}{narrowed}\n")).unwrap();
    let out = partage(dir.path(), &["import", fixture.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let afficher = |numero: &str| {
        partage(
            dir.path(),
            &[
                "conventions",
                "afficher",
                "--caisse",
                "MSA-ADL",
                "--numero",
                numero,
            ],
        )
    };
    let out = afficher("QF-4");
    assert!(out.status.success(), "{}", stderr(&out));
    let ligne = stdout(&out);
    let champs: Vec<&str> = ligne.trim_end_matches('\n').split('\t').collect();
    assert_eq!(champs.len(), 8, "{ligne}");
    assert_eq!(champs[0], "QF-4");
    assert_eq!(champs[7], "07", "{ligne}");
    let out = afficher("QF-2");
    let ligne = stdout(&out);
    let champs: Vec<&str> = ligne.trim_end_matches('\n').split('\t').collect();
    assert_eq!(champs.len(), 8, "{ligne}");
    assert_eq!(champs[7], "", "a convention that narrows nothing: {ligne}");
    // The list keeps its seven fields, as scripts read it.
    let out = partage(dir.path(), &["conventions", "lister", "--caisse", "MSA-ADL"]);
    assert!(
        stdout(&out).lines().all(|l| l.split('\t').count() == 7),
        "{}",
        stdout(&out)
    );
}

#[test]
fn au_2_cli_replaces_a_temporary_password_only_when_given_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    importer(dir.path());
    let provisoire = creer_personnel(dir.path(), "cnouveau", "conventions");
    let essai = |nouveau: Option<&str>| {
        let mut c = creer_qf3(dir.path(), "cnouveau");
        c.env("PARTAGE_MOT_DE_PASSE", &provisoire);
        if let Some(n) = nouveau {
            c.env("PARTAGE_NOUVEAU_MOT_DE_PASSE", n);
        }
        c.output().unwrap()
    };
    // Without the new password: refused as on the back office, and told how to give it.
    let out = essai(None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("PARTAGE_NOUVEAU_MOT_DE_PASSE"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("(changement_mot_de_passe_requis)"),
        "{}",
        stderr(&out)
    );
    assert!(!qf3_existe(dir.path()));
    // A new password the policy refuses: nothing changes, nothing is created.
    let out = essai(Some("court"));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("(mot_de_passe_refuse)"), "{}", stderr(&out));
    assert!(!qf3_existe(dir.path()));
    // A good one: replaced, then the act runs.
    let out = essai(Some(MDP));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(qf3_existe(dir.path()));
    // The temporary password no longer opens anything; the new one does, with no new one asked.
    let out = essai(None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("(non_authentifie)"), "{}", stderr(&out));
    let changements: Vec<Value> = traces(dir.path())
        .into_iter()
        .filter(|t| t["action"] == "changement_mot_de_passe_personnel")
        .collect();
    assert_eq!(changements.len(), 2, "{changements:?}");
    assert_eq!(changements[0]["resultat"], "mot_de_passe_refuse");
    assert_eq!(changements[1]["resultat"], "succes");
    assert!(changements.iter().all(|t| t["source"] == "cli"));
}
