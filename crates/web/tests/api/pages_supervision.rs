//! The caisse's supervision as pages (SPEC TR-3, TR-4, SU-1 to SU-4, BY-1), driven over HTTP like a
//! browser: the forms, their errors beside the fields, the redirection to confirm a sensitive act, and the
//! files exported.

use crate::helpers::*;
use crate::pages::csrf_from;
use crate::pages_caisse::{page, staff_browser};
use chrono::Duration;
use reqwest::{Client, StatusCode};
use serde_json::json;

const SUPERVISEUR: &str = "lmoreau";

/// Sends a form of the back office with the CSRF token of `depuis`; the answer, not followed.
async fn envoyer(
    app: &TestApp,
    browser: &Client,
    depuis: &str,
    action: &str,
    champs: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = csrf_from(app, browser, depuis).await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(champs);
    browser.post(app.url(action)).form(&form).send().await.unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// The rows of the page's first table body.
fn lignes(html: &str) -> usize {
    html.split("<tbody>").nth(1).map_or(0, |corps| {
        corps
            .split("</tbody>")
            .next()
            .unwrap_or_default()
            .matches("<tr>")
            .count()
    })
}

/// The `href` of the link marked `rel`, as a path to follow.
fn lien(html: &str, rel: &str) -> Option<String> {
    let fin = html.find(&format!(r#"" rel="{rel}""#))?;
    let debut = html[..fin].rfind("href=\"")? + "href=\"".len();
    Some(html[debut..fin].replace("&#38;", "&"))
}

/// The first number after `avant` in the page.
fn numero_apres(html: &str, avant: &str) -> i64 {
    let i = html.find(avant).unwrap() + avant.len();
    html[i..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn su_1_the_hub_and_the_work_list_count_open_alerts_and_suspensions() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    for _ in 0..3 {
        app.consult(&agent, json!({"nir": nir_inconnu()})).await;
    }
    let token = app.staff_ready("superviseur", "supervision").await;
    let res = app
        .http
        .put(app.url("/api/v1/caisse/abus/regles"))
        .bearer_auth(&token)
        .json(&json!({"seuil_introuvables": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post_json(
            "/api/v1/caisse/abus/analyse?du=2026-03-02&au=2026-03-02",
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let browser = staff_browser(&app, SUPERVISEUR, "habilitation,supervision").await;
    let (status, html) = page(&app, &browser, "/caisse/supervision").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1 alerte(s) ouverte(s)"), "{html}");
    assert!(html.contains("0 suspension(s) en cours"), "{html}");
    for lien in [
        "/caisse/traces",
        "/caisse/statistiques",
        "/caisse/abus",
        "/caisse/suspensions",
        "/caisse/gestion-deleguee",
        "/caisse/dossiers/consultations",
    ] {
        assert!(html.contains(&format!(r#"href="{lien}""#)), "{lien}");
    }

    let (status, html) = page(&app, &browser, "/caisse/tableau").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("1 alerte(s) d'abus ouverte(s) à examiner"),
        "{html}"
    );
    assert!(
        html.contains("Demandes d'habilitation à traiter"),
        "the habilitation section stays"
    );

    // Without the role, no supervision: neither the hub nor the section of the work list.
    let autre = staff_browser(&app, "hdurand", "habilitation").await;
    let (status, html) = page(&app, &autre, "/caisse/supervision").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("Rôle requis"));
    let (_, html) = page(&app, &autre, "/caisse/tableau").await;
    assert!(!html.contains("alerte(s) d'abus"));
}

#[tokio::test]
async fn tr_3_the_trace_page_filters_pages_by_50_and_exports_the_same_request() {
    let app = spawn_app().await;
    // 55 traces of one user and action: the supervisor's own API requests.
    let token = app.staff_ready("superviseur", "supervision").await;
    for _ in 0..55 {
        let res = app
            .http
            .get(app.url("/api/v1/caisse/traces?limite=1"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let browser = staff_browser(&app, SUPERVISEUR, "supervision").await;
    let (status, html) = page(&app, &browser, "/caisse/traces").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"name="nir""#));
    assert!(
        !html.contains("Traces trouvées"),
        "no request before the form is sent"
    );

    // Without a NIR, the request goes to an address that can be kept and paged.
    let criteres = [
        ("utilisateur", "superviseur"),
        ("action", "requete_traces"),
        ("nir", ""),
        ("chercher", "1"),
    ];
    let res = envoyer(&app, &browser, "/caisse/traces", "/caisse/traces", &criteres).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let adresse = location(&res);
    assert!(adresse.starts_with("/caisse/traces?"), "{adresse}");
    assert!(adresse.contains("utilisateur=superviseur"), "{adresse}");
    let (status, html) = page(&app, &browser, &adresse).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Traces trouvées — page 1"));
    assert_eq!(lignes(&html), 50);
    assert!(lien(&html, "prev").is_none());
    let premier = numero_apres(&html, r#"<tr><td class="nombre">"#);

    let suivante = lien(&html, "next").expect("a second page");
    let (status, html) = page(&app, &browser, &suivante).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Traces trouvées — page 2"));
    assert_eq!(lignes(&html), 5);
    assert!(lien(&html, "next").is_none());
    let precedente = lien(&html, "prev").expect("back to the first page");
    let (_, html) = page(&app, &browser, &precedente).await;
    assert!(html.contains("Traces trouvées — page 1"));
    assert_eq!(numero_apres(&html, r#"<tr><td class="nombre">"#), premier);

    // The exports hold every matching trace, whatever the page.
    let res = browser
        .get(app.url("/caisse/traces/export?format=csv&utilisateur=superviseur&action=requete_traces"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("traces-MSA-ADL.csv"));
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("numero,horodatage,caisse,utilisateur"));
    assert_eq!(csv.lines().count(), 56);
    assert!(html.contains(
        "/caisse/traces/export?format=jsonl&#38;utilisateur=superviseur&#38;action=requete_traces"
    ));
    let res = browser
        .get(app.url("/caisse/traces/export?format=jsonl&utilisateur=superviseur&action=requete_traces"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    assert_eq!(res.text().await.unwrap().lines().count(), 55);

    // Every request of the page is traced under the staff member's name, with its criteria.
    let traced: Vec<String> = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.utilisateur.as_deref() == Some(SUPERVISEUR))
        .filter_map(|t| t.trace.rubriques)
        .collect();
    assert!(traced
        .iter()
        .any(|d| d == "utilisateur=superviseur;action=requete_traces;export=csv"));
    assert!(
        traced
            .iter()
            .filter(|d| *d == "utilisateur=superviseur;action=requete_traces")
            .count()
            >= 3
    );
}

#[tokio::test]
async fn tr_3_bad_filters_come_back_beside_their_fields_and_a_nir_never_enters_an_address() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    let browser = staff_browser(&app, SUPERVISEUR, "supervision").await;

    let (status, html) = page(
        &app,
        &browser,
        "/caisse/traces?du=2026-13-01&bouquet=XYZ&partenaire=T07&chercher=1",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="du-erreur""#), "{html}");
    assert!(html.contains("pas une date AAAA-MM-JJ"));
    assert!(html.contains(r#"id="bouquet-erreur""#));
    assert!(!html.contains(r#"id="partenaire-erreur""#));
    assert!(html.contains(r#"value="T07""#), "what was typed stays");
    assert!(!html.contains("Traces trouvées"));

    // With a NIR: answered at once, pages and exports as POST buttons.
    let res = envoyer(
        &app,
        &browser,
        "/caisse/traces",
        "/caisse/traces",
        &[("nir", &nir_martin()), ("chercher", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(MATRICULE_MARTIN), "the dossier's consultation");
    assert!(html.contains("consultation"));
    let chiffres: String = nir_martin().chars().filter(char::is_ascii_digit).collect();
    for href in html.split("href=\"").skip(1) {
        let cible = href.split('"').next().unwrap();
        assert!(!cible.contains(&chiffres[..13]), "a NIR in a link: {cible}");
    }
    assert!(html.contains(r#"action="/caisse/traces/export""#));
    let res = envoyer(
        &app,
        &browser,
        "/caisse/traces",
        "/caisse/traces/export",
        &[("nir", &nir_martin()), ("format", "csv")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains(MATRICULE_MARTIN));

    let res = envoyer(
        &app,
        &browser,
        "/caisse/traces",
        "/caisse/traces",
        &[("nir", "123"), ("chercher", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains(r#"id="nir-erreur""#));

    // The requests' traces name the NIR by its hash only.
    for t in app.traces().await {
        let texte = format!("{:?}", t.trace);
        assert!(!texte.contains(&chiffres[..13]), "{texte}");
    }
}

#[tokio::test]
async fn tr_4_statistics_page_tables_svg_chart_period_and_csv() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    app.consult(&agent, json!({"nir": nir_inconnu()})).await;
    app.consult(&agent, json!({"nir": nir_claire()})).await;
    let browser = staff_browser(&app, SUPERVISEUR, "supervision").await;

    let (status, html) = page(&app, &browser, "/caisse/statistiques").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<svg"));

    let (status, html) = page(
        &app,
        &browser,
        "/caisse/statistiques?mois=2026-03&regroupement=partenaire",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg"), "{html}");
    assert!(html.contains(r#"role="img""#));
    assert!(
        html.contains("<title>T07 — Commune de Privas : 3 consultation(s)</title>"),
        "{html}"
    );
    assert!(html.contains(r#"<th scope="row">T07 — Commune de Privas</th><td class="nombre">3</td><td class="nombre">2</td>"#), "{html}");
    assert!(!html.contains("<script"));

    let (_, html) = page(
        &app,
        &browser,
        "/caisse/statistiques?mois=2026-03&regroupement=agent",
    )
    .await;
    assert!(
        html.contains(&format!(r#"<th scope="row">{AGENT}</th>"#)),
        "{html}"
    );
    let (_, html) = page(
        &app,
        &browser,
        "/caisse/statistiques?mois=2026-03&regroupement=bouquet",
    )
    .await;
    assert!(
        html.contains("Consultation du Quotient Familial : 3 consultation(s)"),
        "{html}"
    );
    let (_, html) = page(
        &app,
        &browser,
        "/caisse/statistiques?mois=2026-03&regroupement=convention",
    )
    .await;
    assert!(
        html.contains(r#"<th scope="row">QF-07-2025 (T07)</th><td class="nombre">3</td>"#),
        "{html}"
    );

    // A period of months adds them up; February alone has nothing.
    let (_, html) = page(&app, &browser, "/caisse/statistiques?mois=2026-02&jusqua=2026-03").await;
    assert!(html.contains("2026-02 à 2026-03"), "{html}");
    assert!(html.contains("<title>T07 — Commune de Privas : 3 consultation(s)</title>"));
    let (_, html) = page(&app, &browser, "/caisse/statistiques?mois=2026-02").await;
    assert!(html.contains("Aucune trace sur cette période."));

    for (adresse, champ) in [
        ("/caisse/statistiques?mois=mars", "mois-erreur"),
        (
            "/caisse/statistiques?mois=2026-03&jusqua=2026-01",
            "jusqua-erreur",
        ),
        (
            "/caisse/statistiques?mois=2025-01&jusqua=2026-03",
            "jusqua-erreur",
        ),
    ] {
        let (status, html) = page(&app, &browser, adresse).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{adresse}");
        assert!(html.contains(&format!(r#"id="{champ}""#)), "{adresse}: {html}");
    }

    let res = browser
        .get(app.url("/caisse/statistiques/export?mois=2026-03&jusqua="))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("partenaire,nom_partenaire,convention,bouquet,utilisateur,consultations"));
    assert!(
        csv.contains(&format!(
            "T07,Commune de Privas,QF-07-2025,QF,{AGENT},3,2,1,0,0,0"
        )),
        "{csv}"
    );
}

#[tokio::test]
async fn su_1_alerts_are_closed_and_lead_to_surveillance_and_rules_change_from_the_page() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, SUPERVISEUR, "supervision").await;
    let (status, html) = page(&app, &browser, "/caisse/abus").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Valeurs par défaut"));
    assert!(html.contains("Aucune alerte ouverte"));

    // Rules: a zero or a word is refused beside its field, nothing saved.
    for (valeur, attendu) in [("0", "Au moins 1."), ("beaucoup", "Un nombre entier positif.")] {
        let res = envoyer(
            &app,
            &browser,
            "/caisse/abus",
            "/caisse/abus/regles",
            &[("seuil_introuvables", valeur), ("nuit_debut", "22")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"id="seuil_introuvables-erreur""#), "{html}");
        assert!(html.contains(attendu), "{html}");
    }
    let (_, html) = page(&app, &browser, "/caisse/abus").await;
    assert!(html.contains("Valeurs par défaut"));
    let res = envoyer(
        &app,
        &browser,
        "/caisse/abus",
        "/caisse/abus/regles",
        &[("seuil_introuvables", "3")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/caisse/abus?fait=regles");
    let (_, html) = page(&app, &browser, "/caisse/abus").await;
    assert!(html.contains(&format!("Fixées par {SUPERVISEUR}")));
    assert!(
        html.contains(r#"name="seuil_introuvables" type="text" value="3""#),
        "{html}"
    );

    // Three NIRs that find nothing, analysed: one alert.
    let agent = app.agent_ready().await;
    for _ in 0..3 {
        app.consult(&agent, json!({"nir": nir_inconnu()})).await;
    }
    let token = app.staff_ready("superviseur", "supervision").await;
    let res = app
        .post_json(
            "/api/v1/caisse/abus/analyse?du=2026-03-02&au=2026-03-02",
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, html) = page(&app, &browser, "/caisse/abus").await;
    assert!(html.contains("Recherches sans résultat (énumération)"), "{html}");
    let alerte = numero_apres(&html, "/caisse/abus/alertes/");

    let res = envoyer(
        &app,
        &browser,
        "/caisse/abus",
        "/caisse/abus/surveillances",
        &[
            ("utilisateur", AGENT),
            ("alerte", &alerte.to_string()),
            ("motif", "Recherches en série"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, "/caisse/abus?fait=surveillance").await;
    assert!(html.contains("Utilisateur mis sous surveillance"));
    assert!(html.contains("Recherches en série"));
    let surveillance = numero_apres(&html, "/caisse/abus/surveillances/");

    let cloture = format!("/caisse/abus/alertes/{alerte}/cloture");
    let res = envoyer(
        &app,
        &browser,
        "/caisse/abus",
        &cloture,
        &[("commentaire", "Vu avec le partenaire")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, "/caisse/abus").await;
    assert!(html.contains("Aucune alerte ouverte"), "{html}");
    // Closing it twice: refused, in French, with the way back.
    let res = envoyer(
        &app,
        &browser,
        "/caisse/abus",
        &cloture,
        &[("commentaire", "Encore")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(html.contains("est déjà close"), "{html}");
    assert!(html.contains(r#"href="/caisse/abus""#));

    let levee = format!("/caisse/abus/surveillances/{surveillance}/levee");
    let res = envoyer(
        &app,
        &browser,
        "/caisse/abus",
        &levee,
        &[("motif", "Explications reçues")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, "/caisse/abus").await;
    assert!(html.contains("Explications reçues"));
    assert!(!html.contains(&format!("Lever la surveillance n° {surveillance}")));

    // Changing the rules is a sensitive act: ten minutes later, the password first.
    app.clock.advance(Duration::minutes(11));
    let res = envoyer(
        &app,
        &browser,
        "/caisse/abus",
        "/caisse/abus/regles",
        &[("seuil_introuvables", "4")],
    )
    .await;
    // The confirmation page answers the form, which it carries (AU-4, issue #4).
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"action="/caisse/reauthentification""#));
    assert!(
        html.contains(r#"name="saisie.seuil_introuvables" value="4""#),
        "{html}"
    );
    let (_, html) = page(&app, &browser, "/caisse/abus").await;
    assert!(html.contains(r#"name="seuil_introuvables" type="text" value="3""#));
}

#[tokio::test]
async fn su_2_suspensions_from_the_page_user_or_partner_until_a_day_then_lifted() {
    let app = spawn_app().await;
    app.agent_ready().await;
    let browser = staff_browser(&app, SUPERVISEUR, "supervision").await;
    let (status, html) = page(&app, &browser, "/caisse/suspensions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Aucune suspension"));

    // Bad requests: the form again, what was typed kept, nothing recorded.
    type Champs<'a> = &'a [(&'a str, &'a str)];
    let cas: [(Champs, StatusCode, &str); 4] = [
        (
            &[("utilisateur", AGENT), ("partenaire", "T07"), ("motif", "x")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "un ou l&#39;autre",
        ),
        (
            &[("utilisateur", AGENT), ("jusqu_au", "demain"), ("motif", "x")],
            StatusCode::UNPROCESSABLE_ENTITY,
            r#"id="jusqu_au-erreur""#,
        ),
        (
            &[("utilisateur", AGENT), ("motif", "")],
            StatusCode::UNPROCESSABLE_ENTITY,
            r#"id="motif-erreur""#,
        ),
        (
            &[("utilisateur", "inconnu"), ("motif", "x")],
            StatusCode::NOT_FOUND,
            "ucun utilisateur « inconnu »",
        ),
    ];
    for (champs, attendu, texte) in cas {
        let res = envoyer(
            &app,
            &browser,
            "/caisse/suspensions",
            "/caisse/suspensions",
            champs,
        )
        .await;
        assert_eq!(res.status(), attendu, "{champs:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains(texte), "{champs:?}: {html}");
        assert!(html.contains("Aucune suspension"), "{champs:?}");
    }

    let res = envoyer(
        &app,
        &browser,
        "/caisse/suspensions",
        "/caisse/suspensions",
        &[("utilisateur", AGENT), ("motif", "Consultations abusives")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, &location(&res)).await;
    assert!(html.contains("Suspension n° "), "{html}");
    assert!(html.contains(&format!("Utilisateur {AGENT}")));
    assert!(html.contains("Définitive"));
    let id = numero_apres(&html, "/caisse/suspensions/");
    // Effective at once: the agent can no longer log in.
    let res = app.login(CAISSE, AGENT, NOUVEAU_MDP).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A whole partner, until the 10th of March: ends at midnight, Paris time.
    let res = envoyer(
        &app,
        &browser,
        "/caisse/suspensions",
        "/caisse/suspensions",
        &[
            ("partenaire", "T07"),
            ("jusqu_au", "2026-03-10"),
            ("motif", "Audit"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, "/caisse/suspensions").await;
    assert!(html.contains("Partenaire T07 (tous ses utilisateurs)"));
    assert!(html.contains("Jusqu&#39;au 11/03/2026 à 00:00"), "{html}");

    let levee = format!("/caisse/suspensions/{id}/levee");
    let res = envoyer(
        &app,
        &browser,
        "/caisse/suspensions",
        &levee,
        &[("motif", "Erreur")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/caisse/suspensions?levee={id}"));
    let (_, html) = page(&app, &browser, &location(&res)).await;
    assert!(html.contains(&format!("Suspension n° {id} levée.")));
    assert!(html.contains(&format!("par {SUPERVISEUR} : Erreur")), "{html}");

    // Ten minutes later, suspending needs the password again, and comes back here.
    app.clock.advance(Duration::minutes(11));
    let res = envoyer(
        &app,
        &browser,
        "/caisse/suspensions",
        "/caisse/suspensions",
        &[("utilisateur", AGENT), ("motif", "Encore")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"name="saisie.motif" value="Encore""#), "{html}");
    assert!(html.contains(r#"name="retour" value="/caisse/suspensions""#));
}

#[tokio::test]
async fn by_1_the_report_of_a_dossier_names_partners_never_agents_by_matricule_or_nir() {
    let app = spawn_app().await;
    let agent = app.agent_ready().await;
    app.consult(&agent, json!({"nir": nir_martin()})).await;
    let browser = staff_browser(&app, SUPERVISEUR, "supervision").await;
    let (status, html) = page(&app, &browser, "/caisse/dossiers/consultations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"method="post" action="/caisse/dossiers/consultations""#));

    let res = envoyer(
        &app,
        &browser,
        "/caisse/dossiers/consultations",
        "/caisse/dossiers/consultations",
        &[("matricule", MATRICULE_MARTIN), ("nir", "")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res),
        format!("/caisse/dossiers/consultations?matricule={MATRICULE_MARTIN}")
    );
    let (status, html) = page(&app, &browser, &location(&res)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Qui a consulté votre dossier ?"));
    assert!(html.contains("Commune de Privas (n° T07)"));
    assert!(html.contains("Consultation du Quotient Familial"));
    assert!(html.contains("02/03/2026 à 10:00"), "Paris time: {html}");
    assert!(!html.contains(AGENT), "the partner, never the agent");
    assert!(
        !html.contains("<form method=\"post\" action=\"/caisse/dossiers"),
        "a report to print, no form"
    );

    // By NIR: answered at once, the same report.
    let res = envoyer(
        &app,
        &browser,
        "/caisse/dossiers/consultations",
        "/caisse/dossiers/consultations",
        &[("matricule", ""), ("nir", &nir_martin())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("Dossier n° <strong>{MATRICULE_MARTIN}</strong>")));
    assert!(html.contains("Commune de Privas (n° T07)"));

    for (champs, attendu, champ) in [
        (
            [("matricule", String::new()), ("nir", nir_inconnu())],
            StatusCode::NOT_FOUND,
            "nir-erreur",
        ),
        (
            [("matricule", String::new()), ("nir", "12".to_owned())],
            StatusCode::UNPROCESSABLE_ENTITY,
            "nir-erreur",
        ),
        (
            [("matricule", "9999999".to_owned()), ("nir", String::new())],
            StatusCode::NOT_FOUND,
            "matricule-erreur",
        ),
        (
            [("matricule", MATRICULE_MARTIN.to_owned()), ("nir", nir_martin())],
            StatusCode::UNPROCESSABLE_ENTITY,
            "matricule-erreur",
        ),
    ] {
        let champs: Vec<(&str, &str)> = champs.iter().map(|(n, v)| (*n, &v[..])).collect();
        let res = envoyer(
            &app,
            &browser,
            "/caisse/dossiers/consultations",
            "/caisse/dossiers/consultations",
            &champs,
        )
        .await;
        let status = res.status();
        let html = res.text().await.unwrap();
        // An unknown matricule in an address is followed to its page.
        let (status, html) = if status == StatusCode::SEE_OTHER {
            page(&app, &browser, "/caisse/dossiers/consultations?matricule=9999999").await
        } else {
            (status, html)
        };
        assert_eq!(status, attendu, "{champs:?}");
        assert!(html.contains(&format!(r#"id="{champ}""#)), "{champs:?}: {html}");
    }

    // Each report is traced; the unknown NIR by its hash.
    let releves: Vec<_> = app
        .traces()
        .await
        .into_iter()
        .filter(|t| t.trace.action.code() == "releve_consultations")
        .collect();
    assert!(releves.iter().any(
        |t| t.trace.matricule.as_deref() == Some(MATRICULE_MARTIN) && t.trace.resultat.code() == "succes"
    ));
    assert!(releves
        .iter()
        .any(|t| t.trace.nir_hache.is_some() && t.trace.resultat.code() == "dossier_introuvable"));
}

#[tokio::test]
async fn su_3_su_4_delegated_acts_and_the_bilan_annuel_as_pages() {
    use crate::habilitations::acte_delegue;
    let app = spawn_app().await;
    app.deleguer_la_commune().await;
    let admin = app.agent_ready().await;
    assert_eq!(
        app.gerer(&admin, &acte_delegue()).await.status(),
        StatusCode::CREATED
    );
    app.consult(&admin, json!({"nir": nir_martin()})).await;
    let browser = staff_browser(&app, SUPERVISEUR, "supervision").await;

    let (status, html) = page(&app, &browser, "/caisse/gestion-deleguee").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lignes(&html), 1, "{html}");
    assert!(html.contains("Accès accordé"));
    assert!(html.contains("QF-07-2025"));
    assert!(html.contains(&format!("<td>{AGENT}</td><td>T07</td>")), "{html}");
    // Before and after: no habilitation before an access, an active one after.
    assert!(html.contains("<td>—</td>"), "{html}");
    assert!(html.contains("<td>statut : actif"), "{html}");
    assert!(
        html.contains("/caisse/gestion-deleguee/export?partenaire=&amp;du="),
        "{html}"
    );
    let (status, csv) = page(
        &app,
        &browser,
        "/caisse/gestion-deleguee/export?du=2026-01-01&au=2026-12-31",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("numero_trace,horodatage,administrateur"), "{csv}");
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains(",acces,QF-07-2025,QF,"), "{csv}");
    let (_, html) = page(
        &app,
        &browser,
        "/caisse/gestion-deleguee?du=2026-03-03&au=2026-03-31",
    )
    .await;
    assert!(html.contains("Aucun acte"));
    let (status, html) = page(&app, &browser, "/caisse/gestion-deleguee?du=hier&au=2026-03-31").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="du-erreur""#), "{html}");

    let (status, html) = page(&app, &browser, "/caisse/conventions/QF-07-2025/bilan?annee=2026").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Bilan annuel 2026 de la convention QF-07-2025"),
        "{html}"
    );
    assert!(html.contains("Commune de Privas (n° tiers T07)"));
    assert!(
        html.contains(r#"<th scope="row">l&#39;administrateur du partenaire</th><td class="nombre">1</td>"#),
        "{html}"
    );
    assert!(html.contains(r#"<th scope="row">mars</th>"#), "{html}");
    assert!(html.contains("href=\"/caisse/conventions/QF-07-2025/bilan?annee=2026&#38;format=csv\""));
    let res = browser
        .get(app.url("/caisse/conventions/QF-07-2025/bilan?annee=2026&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("bilan-QF-07-2025-2026.csv"));
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("section,mois,bouquet,indicateur,valeur"));
    assert!(csv.contains("usage,3,QF,consultations,1"), "{csv}");

    let (status, html) = page(&app, &browser, "/caisse/conventions/QF-07-2025/bilan?annee=1999").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="annee-erreur""#));
    let (status, _) = page(&app, &browser, "/caisse/conventions/INCONNUE/bilan?annee=2026").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
