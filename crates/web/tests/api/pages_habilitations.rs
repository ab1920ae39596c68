//! SPEC HB through the back office's pages: the habilitation agent records a signed paper form, processes
//! it step by step with who, when and why, grants it (a sensitive act), prints the filled form and the
//! notification, reads the directory of extranautes and resets lost credentials.

use crate::helpers::*;
use crate::pages::csrf_from;
use crate::pages_caisse::{page, staff_browser};
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// Some of a form's fields: name and value.
type Champs<'a> = &'a [(&'a str, &'a str)];

/// Claire Martin's access to QF, as the page's fields carry the signed annex form.
fn champs() -> Vec<(&'static str, &'static str)> {
    vec![
        ("nature", "acces"),
        ("partenaire", "T07"),
        ("convention", "QF-07-2025"),
        ("bouquet", "QF"),
        ("utilisateur", ""),
        ("civilite", "Mme"),
        ("nom", "Martin"),
        ("prenom", "Claire"),
        ("service", "Restauration scolaire"),
        ("adresse_service", "Place de l'Hôtel de Ville, 07000 Privas"),
        ("fonction", "Agent d'accueil"),
        ("profil", ""),
        ("email", "claire.martin@privas.example.fr"),
        ("signataire", "Michel Valla"),
        ("fonction_signataire", "Maire"),
        ("signee_le", "2026-02-27"),
    ]
}

fn avec(
    mut champs: Vec<(&'static str, &'static str)>,
    changes: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    for (nom, valeur) in changes {
        if let Some(c) = champs.iter_mut().find(|(n, _)| n == nom) {
            c.1 = valeur;
        }
    }
    champs
}

/// Posts a page's form with the session's CSRF token, taken from `depuis`.
async fn poster(
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

/// Records the form through the page; the new request's path.
async fn enregistrer(app: &TestApp, browser: &Client, champs: &[(&str, &str)]) -> String {
    let res = poster(
        app,
        browser,
        "/caisse/demandes/nouvelle",
        "/caisse/demandes/nouvelle",
        champs,
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// How many requests the caisse holds, read through the API with a habilitation agent's token.
async fn nombre_de_demandes(app: &TestApp, hab: &str) -> usize {
    let liste: Vec<Value> = app
        .get_with("/api/v1/caisse/demandes", hab)
        .await
        .json()
        .await
        .unwrap();
    liste.len()
}

#[tokio::test]
async fn hb_1_pages_a_paper_form_is_recorded_with_its_errors_beside_the_fields_and_nothing_written() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "lmoreau", "habilitation").await;
    let compteur = app.staff_ready("compteur", "habilitation").await;
    let (status, html) = page(&app, &browser, "/caisse/demandes/nouvelle").await;
    assert_eq!(status, StatusCode::OK);
    for champ in [
        "civilite",
        "service",
        "adresse_service",
        "fonction",
        "profil",
        "signataire",
    ] {
        assert!(html.contains(&format!(r#"name="{champ}""#)), "{champ}");
    }

    // Refusals the page can tell, the domain's and the référentiel's: each beside its field, 422.
    let cas: [(Champs, &str, &str); 5] = [
        (&[("nom", " ")], "nom-erreur", "Ce champ est obligatoire."),
        (
            &[("signataire", "")],
            "signataire-erreur",
            "signée par le représentant du partenaire",
        ),
        (
            &[("profil", "3")],
            "profil-erreur",
            "n&#39;existe pas pour le bouquet QF",
        ),
        (&[("email", "claire")], "email-erreur", "adresse électronique"),
        (&[("convention", "QF-99-9999")], "convention-erreur", "QF-99-9999"),
    ];
    for (changes, id, message) in cas {
        let res = poster(
            &app,
            &browser,
            "/caisse/demandes/nouvelle",
            "/caisse/demandes/nouvelle",
            &avec(champs(), changes),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{id}");
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}: {html}");
        assert!(html.contains(message), "{id}: {html}");
        assert!(html.contains("La demande n'a pas été enregistrée"), "{id}");
        // What was typed stays, to be corrected.
        assert!(
            html.contains(r#"value="Michel Valla""#) || id == "signataire-erreur",
            "{html}"
        );
    }
    assert_eq!(nombre_de_demandes(&app, &compteur).await, 0, "nothing written");

    let chemin = enregistrer(&app, &browser, &champs()).await;
    assert!(chemin.starts_with("/caisse/demandes/"), "{chemin}");
    let (status, html) = page(&app, &browser, &chemin).await;
    assert_eq!(status, StatusCode::OK);
    for attendu in [
        "demande d&#39;accès",
        "soumise à la caisse",
        "T07",
        "QF-07-2025",
        "Mme",
        "Martin",
        "Claire",
        "Restauration scolaire",
        "Place de l&#39;Hôtel de Ville, 07000 Privas",
        "Agent d&#39;accueil",
        "claire.martin@privas.example.fr",
        "Michel Valla",
        "Maire",
        "27/02/2026",
        "Saisie par lmoreau",
        "le partenaire T07",
    ] {
        assert!(html.contains(attendu), "{attendu}: {html}");
    }
    assert_eq!(nombre_de_demandes(&app, &compteur).await, 1);
}

#[tokio::test]
async fn hb_1_pages_the_list_filters_by_state_and_partner_and_needs_the_role() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "lmoreau", "habilitation").await;
    let soumise = enregistrer(&app, &browser, &champs()).await;
    let brouillon = enregistrer(
        &app,
        &browser,
        &avec(
            champs(),
            &[
                ("signataire", ""),
                ("fonction_signataire", ""),
                ("signee_le", ""),
                ("nom", "Brun"),
            ],
        ),
    )
    .await;
    let (status, html) = page(&app, &browser, "/caisse/demandes").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!(r#"href="{soumise}""#)), "{html}");
    assert!(html.contains(&format!(r#"href="{brouillon}""#)));
    let (_, html) = page(&app, &browser, "/caisse/demandes?etat=brouillon&partenaire=").await;
    assert!(html.contains(&format!(r#"href="{brouillon}""#)));
    assert!(!html.contains(&format!(r#"href="{soumise}""#)), "{html}");
    assert!(html.contains(r#"<option value="brouillon" selected>"#));
    let (_, html) = page(&app, &browser, "/caisse/demandes?etat=&partenaire=T07B").await;
    assert!(html.contains("Aucune demande ne répond à ces critères."));
    let (status, html) = page(&app, &browser, "/caisse/demandes?etat=inventee").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("État inconnu « inventee »"), "{html}");

    // A draft waits for the signed form; once received, it is submitted.
    let (_, html) = page(&app, &browser, &brouillon).await;
    assert!(html.contains("Transmettre à la caisse"));
    assert!(!html.contains(">Accorder<"));
    let res = poster(
        &app,
        &browser,
        &brouillon,
        &format!("{brouillon}/soumettre"),
        &[
            ("signataire", "Michel Valla"),
            ("fonction_signataire", "Maire"),
            ("signee_le", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("La date de la signature est obligatoire."));
    let res = poster(
        &app,
        &browser,
        &brouillon,
        &format!("{brouillon}/soumettre"),
        &[
            ("signataire", "Michel Valla"),
            ("fonction_signataire", "Maire"),
            ("signee_le", "2026-02-27"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, &brouillon).await;
    assert!(html.contains("soumise à la caisse"));

    // Another role sees no request.
    let superviseur = staff_browser(&app, "sup", "supervision").await;
    let (status, html) = page(&app, &superviseur, "/caisse/demandes").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains("Claire"));
    let (status, _) = page(&app, &superviseur, &soumise).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = page(&app, &browser, "/caisse/demandes/987654").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn hb_5_pages_changes_and_refusal_need_a_reason_and_show_who_when_why() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "lmoreau", "habilitation").await;
    let chemin = enregistrer(&app, &browser, &champs()).await;
    let (_, html) = page(&app, &browser, &chemin).await;
    for action in ["accorder", "a-completer", "refuser"] {
        assert!(
            html.contains(&format!(r#"action="{chemin}/{action}""#)),
            "{action}"
        );
    }

    let res = poster(
        &app,
        &browser,
        &chemin,
        &format!("{chemin}/a-completer"),
        &[("motif", "  ")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Un motif est obligatoire"), "{html}");
    assert!(html.contains(r#"id="motif-completer-erreur""#));
    let res = poster(
        &app,
        &browser,
        &chemin,
        &format!("{chemin}/a-completer"),
        &[("motif", "Préciser le service de l'agent")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], chemin.as_str());
    let (_, html) = page(&app, &browser, &chemin).await;
    assert!(html.contains("à compléter par le partenaire"));
    assert!(html.contains("Préciser le service de l&#39;agent"));
    assert!(html.contains("la caisse (lmoreau)"));
    assert!(!html.contains(">Refuser<"), "no refusal in this state");
    // A step the state no longer allows: 409, the reason on the page.
    let res = poster(
        &app,
        &browser,
        &chemin,
        &format!("{chemin}/refuser"),
        &[("motif", "Hors délai")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Impossible de refuser une demande"));

    let autre = enregistrer(&app, &browser, &avec(champs(), &[("nom", "Brun")])).await;
    let res = poster(
        &app,
        &browser,
        &autre,
        &format!("{autre}/refuser"),
        &[("motif", "")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = poster(
        &app,
        &browser,
        &autre,
        &format!("{autre}/refuser"),
        &[("motif", "Agent hors du service conventionné")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, &autre).await;
    assert!(html.contains("refusée"));
    assert!(html.contains("Agent hors du service conventionné"));
    assert!(html.contains("Non."), "not done: {html}");
}

#[tokio::test]
async fn hb_3_pages_a_grant_shows_the_password_once_and_the_notification_never() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "lmoreau", "habilitation").await;
    let chemin = enregistrer(&app, &browser, &champs()).await;
    let res = poster(
        &app,
        &browser,
        &chemin,
        &format!("{chemin}/accorder"),
        &[("remise", "pli")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(!res.url().as_str().contains("mot"), "never in a URL");
    let html = res.text().await.unwrap();
    assert!(html.contains("Habilitation accordée"));
    assert!(html.contains("<strong>cmartin</strong>"), "{html}");
    assert!(html.contains("MSA-ADL"));
    let debut = html.find("<code>").unwrap() + "<code>".len();
    let fin = html[debut..].find("</code>").unwrap() + debut;
    let provisoire = html[debut..fin].to_owned();
    assert!(provisoire.len() >= 16, "{provisoire}");

    // The new agent logs in with it; the caisse never sees it again.
    let res = app.login(CAISSE, "cmartin", &provisoire).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let (_, detail) = page(&app, &browser, &chemin).await;
    assert!(detail.contains("faite"));
    assert!(detail.contains("Oui : la caisse a fait le nécessaire."));
    assert!(!detail.contains(&provisoire));
    let res = poster(&app, &browser, &chemin, &format!("{chemin}/accorder"), &[]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(!res.text().await.unwrap().contains(&provisoire));

    // The printable documents: the filled form and the notification, without the password.
    let (status, form) = page(&app, &browser, &format!("{chemin}/imprimer")).await;
    assert_eq!(status, StatusCode::OK);
    for attendu in [
        "Formulaire de demande d&#39;accès",
        "Michel Valla",
        "Restauration scolaire",
        "Fait, réservé à la MSA",
    ] {
        assert!(form.contains(attendu), "{attendu}");
    }
    assert!(
        !form.contains("Se déconnecter"),
        "a document, not a page of the back office"
    );
    let (status, notification) = page(&app, &browser, &format!("{chemin}/notification")).await;
    assert_eq!(status, StatusCode::OK);
    for attendu in [
        "Notification d'habilitation",
        "MSA-ADL",
        "cmartin",
        "Consultation du Quotient Familial",
        "Claire Martin",
    ] {
        assert!(notification.contains(attendu), "{attendu}: {notification}");
    }
    assert!(!notification.contains(&provisoire));
    assert!(!app
        .traces()
        .await
        .iter()
        .any(|t| serde_json::to_string(&t.trace).unwrap().contains(&provisoire)));

    // A request not done has no notification.
    let autre = enregistrer(&app, &browser, &avec(champs(), &[("nom", "Brun")])).await;
    let (status, html) = page(&app, &browser, &format!("{autre}/notification")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("n&#39;a pas de notification d&#39;habilitation"));
}

/// HTML text as the browser reads it (askama escapes `&<>"'`).
fn texte(html: &str) -> String {
    let mut s = html.to_owned();
    for (entite, c) in [
        ("&#34;", "\""),
        ("&#39;", "'"),
        ("&#60;", "<"),
        ("&#62;", ">"),
        ("&#38;", "&"),
    ] {
        s = s.replace(entite, c);
    }
    s
}

/// The hidden fields of the page's form that posts to `action`, in order, as the browser sends them.
fn champs_caches(html: &str, action: &str) -> Vec<(String, String)> {
    let debut = html
        .find(&format!(r#"method="post" action="{action}""#))
        .unwrap_or_else(|| panic!("no form to {action}: {html}"));
    let fin = html[debut..].find("</form>").unwrap() + debut;
    html[debut..fin]
        .split(r#"<input type="hidden" name=""#)
        .skip(1)
        .map(|morceau| {
            let (nom, reste) = morceau.split_once(r#"" value=""#).unwrap();
            let valeur = reste.split_once('"').unwrap().0;
            (texte(nom), texte(valeur))
        })
        .collect()
}

/// Posts the page's form to `action` as a browser would, its hidden fields and `en_plus`.
async fn soumettre(
    app: &TestApp,
    browser: &Client,
    html: &str,
    action: &str,
    en_plus: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = champs_caches(html, action);
    form.extend(en_plus.iter().map(|(a, b)| (a.to_string(), b.to_string())));
    browser.post(app.url(action)).form(&form).send().await.unwrap()
}

#[tokio::test]
async fn au_4_pages_granting_with_an_old_password_goes_through_the_confirmation_and_back() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "lmoreau", "habilitation").await;
    let chemin = enregistrer(&app, &browser, &champs()).await;
    let accorder = format!("{chemin}/accorder");
    app.clock.advance(chrono::Duration::minutes(11));
    let res = poster(&app, &browser, &chemin, &accorder, &[("remise", "pli")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains("Confirmer mon identité"));
    let (_, detail) = page(&app, &browser, &chemin).await;
    assert!(detail.contains("soumise à la caisse"), "nothing granted");
    // A link still comes here and goes back to its page.
    let res = poster(
        &app,
        &browser,
        &chemin,
        "/caisse/reauthentification",
        &[("mot_de_passe", NOUVEAU_MDP), ("retour", &chemin)],
    )
    .await;
    assert_eq!(res.headers()["location"], chemin.as_str());

    // The form, confirmed: "Continuer" posts the choice of a sealed letter to the grant.
    app.clock.advance(chrono::Duration::minutes(11));
    let res = poster(&app, &browser, &chemin, &accorder, &[("remise", "pli")]).await;
    let html = res.text().await.unwrap();
    let res = soumettre(
        &app,
        &browser,
        &html,
        "/caisse/reauthentification",
        &[("mot_de_passe", NOUVEAU_MDP)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Identité confirmée"), "{html}");
    assert_eq!(
        champs_caches(&html, &accorder)[1..],
        [("remise".to_owned(), "pli".to_owned())]
    );
    let res = soumettre(&app, &browser, &html, &accorder, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Habilitation accordée"));
    assert!(html.contains("<code>"), "the sealed letter's password: {html}");
}

#[tokio::test]
async fn au_4_pages_a_staff_creation_form_survives_the_password_confirmation() {
    let app = spawn_app().await;
    let admin = staff_browser(&app, "adm", "admin").await;
    app.clock.advance(chrono::Duration::minutes(11));
    let saisie = [
        ("identifiant", "jdupont"),
        ("nom", "D'Aubigné \"Dupont\" <&>"),
        ("prenom", "Jeanne-Élise"),
        ("email", "jeanne.dupont@msa.example.fr"),
        ("role_habilitation", "1"),
        ("role_supervision", "1"),
        // Nothing secret ever travels through the confirmation, even a field the page does not have.
        ("mot_de_passe", "ne-doit-pas-voyager"),
        ("code_totp", "123456"),
    ];
    let res = poster(&app, &admin, "/caisse/personnels", "/caisse/personnels", &saisie).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains("votre saisie est conservée"), "{html}");
    assert!(!html.contains("ne-doit-pas-voyager") && !html.contains("123456"));
    let portes = champs_caches(&html, "/caisse/reauthentification");
    let attendus: Vec<(String, String)> = saisie[..6]
        .iter()
        .map(|(n, v)| (format!("saisie.{n}"), v.to_string()))
        .collect();
    assert_eq!(portes[3..], attendus[..], "every typed field, in order");
    assert_eq!(
        portes[..3].iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["csrf", "retour", "action"]
    );
    let (_, liste) = page(&app, &admin, "/caisse/personnels").await;
    assert!(!liste.contains("jdupont"), "nothing created yet");

    // A wrong password: refused, the fields still carried.
    let res = soumettre(
        &app,
        &admin,
        &html,
        "/caisse/reauthentification",
        &[("mot_de_passe", "pas le bon")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains("Mot de passe incorrect"));
    assert_eq!(
        champs_caches(&html, "/caisse/reauthentification")[3..],
        attendus[..]
    );

    let res = soumettre(
        &app,
        &admin,
        &html,
        "/caisse/reauthentification",
        &[("mot_de_passe", NOUVEAU_MDP)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(!html.contains(NOUVEAU_MDP));
    let reprise = champs_caches(&html, "/caisse/personnels");
    assert_eq!(reprise[0].0, "csrf");
    let sans_prefixe: Vec<(String, String)> = saisie[..6]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    assert_eq!(reprise[1..], sans_prefixe[..]);

    // The CSRF check still guards the form posted again.
    let res = admin
        .post(app.url("/caisse/personnels"))
        .form(&reprise[1..])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("jeton CSRF"));

    let res = soumettre(&app, &admin, &html, "/caisse/personnels", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("<strong>jdupont</strong>"), "{html}");
    let (_, liste) = page(&app, &admin, "/caisse/personnels").await;
    assert!(liste.contains("<td>jdupont</td>"));
    assert!(
        liste.contains("Jeanne-Élise D&#39;Aubigné &#34;Dupont&#34; &#60;&#38;&#62;"),
        "{liste}"
    );
    assert!(liste.contains("habilitation,supervision"), "both roles kept");

    // The confirmation never posts a form anywhere but in the back office.
    let res = poster(
        &app,
        &admin,
        "/caisse/personnels",
        "/caisse/reauthentification",
        &[
            ("mot_de_passe", NOUVEAU_MDP),
            ("retour", "/caisse/personnels"),
            ("action", "https://exemple.test/caisse/personnels"),
            ("saisie.nom", "X"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/personnels");
}

#[tokio::test]
async fn hb_2_pages_the_directory_by_bouquet_and_departement() {
    let app = spawn_app().await;
    let browser = staff_browser(&app, "lmoreau", "habilitation").await;
    let (status, html) = page(&app, &browser, "/caisse/extranautes").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Choisissez un bouquet"));
    let (_, html) = page(&app, &browser, "/caisse/extranautes?bouquet=QF&departement=").await;
    assert!(html.contains("Commune de Privas — n° tiers T07"), "{html}");
    assert!(html.contains(&format!(r#"href="/caisse/utilisateurs/{AGENT}""#)));
    assert!(!html.contains("T59"), "another caisse's partner");
    let (_, html) = page(&app, &browser, "/caisse/extranautes?bouquet=QF&departement=26").await;
    assert_eq!(html.matches("n° tiers").count(), 1, "{html}");
    let (_, html) = page(&app, &browser, "/caisse/extranautes?bouquet=PSU").await;
    assert!(html.contains("Aucun extranaute pour ce bouquet"));
    let (status, _) = page(&app, &browser, "/caisse/extranautes?bouquet=XX").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn hb_6_pages_lost_credentials_the_old_password_ends_and_the_new_one_is_shown_once() {
    let app = spawn_app().await;
    let ancienne = app.agent_ready().await;
    let browser = staff_browser(&app, "lmoreau", "habilitation").await;
    let chemin = format!("/caisse/utilisateurs/{AGENT}");
    let (status, html) = page(&app, &browser, &chemin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!(r#"action="{chemin}/reinitialisation""#)));

    let res = poster(
        &app,
        &browser,
        &chemin,
        "/caisse/utilisateurs/personne/reinitialisation",
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Aucun agent « personne »"));

    let res = poster(
        &app,
        &browser,
        &chemin,
        &format!("{chemin}/reinitialisation"),
        &[("remise", "pli")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    assert!(html.contains("Identifiants réinitialisés"));
    let debut = html.find("<code>").unwrap() + "<code>".len();
    let fin = html[debut..].find("</code>").unwrap() + debut;
    let provisoire = &html[debut..fin];
    let (status, _) = problem(
        app.consult(&ancienne, serde_json::json!({"nir": nir_martin()}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "his sessions ended");
    let (status, _) = problem(app.login(CAISSE, AGENT, NOUVEAU_MDP).await).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the old password no longer works"
    );
    assert_eq!(
        app.login(CAISSE, AGENT, provisoire).await.status(),
        StatusCode::CREATED
    );
    let (_, html) = page(&app, &browser, &chemin).await;
    assert!(!html.contains(provisoire));
}

#[tokio::test]
async fn au_2_pages_an_admin_creates_a_staff_account_whose_password_is_shown_once() {
    let app = spawn_app().await;
    let admin = staff_browser(&app, "adm", "admin").await;
    let (status, html) = page(&app, &admin, "/caisse/personnels").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<td>adm</td>"), "{html}");

    let champs = [
        ("identifiant", "jdupont"),
        ("nom", "Dupont"),
        ("prenom", "Jeanne"),
        ("email", "jeanne.dupont@msa.example.fr"),
        ("role_habilitation", "1"),
    ];
    let res = poster(
        &app,
        &admin,
        "/caisse/personnels",
        "/caisse/personnels",
        &[
            ("identifiant", "jdupont"),
            ("nom", ""),
            ("prenom", "Jeanne"),
            ("email", "jeanne"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    for id in ["nom-erreur", "email-erreur", "roles-erreur"] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}: {html}");
    }
    assert!(html.contains(r#"value="jdupont""#), "kept to be corrected");
    let res = poster(&app, &admin, "/caisse/personnels", "/caisse/personnels", &champs).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    let debut = html.find("<code>").unwrap() + "<code>".len();
    let fin = html[debut..].find("</code>").unwrap() + debut;
    let provisoire = html[debut..fin].to_owned();
    assert!(html.contains("<strong>jdupont</strong>"));
    // The same identifier again: refused beside its field.
    let res = poster(&app, &admin, "/caisse/personnels", "/caisse/personnels", &champs).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains(r#"id="identifiant-erreur""#));
    let (_, html) = page(&app, &admin, "/caisse/personnels").await;
    assert!(html.contains("<td>jdupont</td>"));
    assert!(html.contains("mot de passe provisoire"));
    assert!(!html.contains(&provisoire), "never shown again");

    // AU-2: the new member logs in with it and must change it first.
    let nouveau = app.browser();
    let res = crate::pages_caisse::staff_login_page(&app, &nouveau, "jdupont", &provisoire).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/mot-de-passe");
    assert!(!app
        .traces()
        .await
        .iter()
        .any(|t| serde_json::to_string(&t.trace).unwrap().contains(&provisoire)));

    // Only an admin manages the staff.
    let hab = staff_browser(&app, "lmoreau", "habilitation").await;
    let (status, html) = page(&app, &hab, "/caisse/personnels").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains("jdupont"));
}

#[tokio::test]
async fn au_4_pages_the_second_factor_switch_is_a_sensitive_act() {
    let app = spawn_app().await;
    let admin = staff_browser(&app, "adm", "admin").await;
    let (_, html) = page(&app, &admin, "/caisse/personnels").await;
    assert!(!html.contains(r#"name="administrateurs_partenaires" value="1" checked"#));
    // The partners' administrators: the staff's own factor is another test's (double_facteur.rs).
    let res = poster(
        &app,
        &admin,
        "/caisse/personnels",
        "/caisse/personnels/double-facteur",
        &[("administrateurs_partenaires", "1")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/caisse/personnels");
    let (_, html) = page(&app, &admin, "/caisse/personnels").await;
    assert!(
        html.contains(r#"name="administrateurs_partenaires" value="1" checked"#),
        "{html}"
    );
    assert!(!html.contains(r#"name="personnel" value="1" checked"#));

    // Eleven minutes later, the password is asked again before anything changes.
    app.clock.advance(chrono::Duration::minutes(11));
    let res = poster(
        &app,
        &admin,
        "/caisse/personnels",
        "/caisse/personnels/double-facteur",
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains(r#"name="action" value="/caisse/personnels/double-facteur""#));
    let (_, html) = page(&app, &admin, "/caisse/personnels").await;
    assert!(
        html.contains(r#"name="administrateurs_partenaires" value="1" checked"#),
        "unchanged"
    );
}

/// agent07's browser, his password changed through the pages.
async fn agent_browser(app: &TestApp) -> Client {
    let browser = app.browser();
    crate::pages::login_page(app, &browser, AGENT, AGENT_MDP_PROVISOIRE).await;
    crate::pages::change_password_page(&browser, app).await;
    browser
}

#[tokio::test]
async fn hb_9_pages_a_delegated_administrator_manages_his_organisations_habilitations_and_no_other() {
    let app = spawn_app().await;
    let hab = app.hab().await;
    let browser = agent_browser(&app).await;
    // Not an administrator: no link, and the page refuses.
    let (_, html) = page(&app, &browser, "/qf").await;
    assert!(!html.contains(r#"href="/gestion""#));
    let (status, html) = page(&app, &browser, "/gestion").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        html.contains("Seuls le gestionnaire principal et le suppléant"),
        "{html}"
    );

    assert_eq!(
        app.administrateur(&hab, AGENT, serde_json::json!("principal"))
            .await,
        StatusCode::NO_CONTENT
    );
    let (_, html) = page(&app, &browser, "/qf").await;
    assert!(html.contains(r#"href="/gestion""#), "the administrator's menu");
    let (status, html) = page(&app, &browser, "/gestion").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("<td>{AGENT}</td>")), "{html}");
    assert!(!html.contains(AGENT_HV), "another organisation's agent");

    let acces = [
        ("nature", "acces"),
        ("convention", "QF-07-2025"),
        ("bouquet", "QF"),
        ("civilite", "Mme"),
        ("nom", "Martin"),
        ("prenom", "Claire"),
        ("email", "claire.martin@privas.example.fr"),
    ];
    // CV-12: centralised until the caisse delegates.
    let res = poster(&app, &browser, "/gestion", "/gestion", &acces).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("est en gestion centralisée"));
    for numero in ["QF-07-2025", "QF-07B-2026"] {
        assert_eq!(
            app.gestion(&hab, numero, serde_json::json!("deleguee")).await,
            StatusCode::NO_CONTENT
        );
    }
    // Another organisation's convention and agent: refused in French, nothing changed.
    let autre = avec(acces.to_vec(), &[("convention", "QF-07B-2026")]);
    let res = poster(&app, &browser, "/gestion", "/gestion", &autre).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("n&#39;a pas de convention n° QF-07B-2026"));
    let res = poster(
        &app,
        &browser,
        "/gestion",
        "/gestion",
        &[
            ("nature", "suppression"),
            ("convention", "QF-07-2025"),
            ("bouquet", "QF"),
            ("utilisateur", AGENT_HV),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains(&format!("Aucun agent « {AGENT_HV} »")));
    assert_eq!(
        app.login(CAISSE, AGENT_HV, AGENT_HV_MDP).await.status(),
        StatusCode::CREATED
    );

    let res = poster(&app, &browser, "/gestion", "/gestion", &acces).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = res.text().await.unwrap();
    let debut = html.find("<code>").unwrap() + "<code>".len();
    let fin = html[debut..].find("</code>").unwrap() + debut;
    let provisoire = html[debut..fin].to_owned();
    assert_eq!(
        app.login(CAISSE, "cmartin", &provisoire).await.status(),
        StatusCode::CREATED
    );
    let (_, html) = page(&app, &browser, "/gestion").await;
    assert!(html.contains("<td>cmartin</td>"));
    assert!(!html.contains(&provisoire));

    // HB-7: the cap is shown in French.
    assert_eq!(
        app.plafond(&hab, "QF-07-2025", serde_json::json!(2))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let res = poster(
        &app,
        &browser,
        "/gestion",
        "/gestion",
        &avec(
            acces.to_vec(),
            &[("nom", "Brun"), ("email", "p.brun@privas.example.fr")],
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Le plafond de 2 habilitation(s) de cette convention est atteint"));

    // The row's button deletes the habilitation.
    let res = poster(
        &app,
        &browser,
        "/gestion",
        "/gestion",
        &[
            ("nature", "suppression"),
            ("convention", "QF-07-2025"),
            ("bouquet", "QF"),
            ("utilisateur", "cmartin"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &browser, "/gestion").await;
    assert!(!html.contains("<td>cmartin</td>"));
}

#[tokio::test]
async fn co_3_pages_an_rsacg_form_names_the_agents_circonscriptions_beside_their_field() {
    let app = crate::rsacg::spawn_rsacg_app().await;
    let browser = staff_browser(&app, "lmoreau", "habilitation").await;
    let compteur = app.staff_ready("compteur", "habilitation").await;
    let rsa = |circonscriptions: &'static str| {
        let mut c = avec(
            champs(),
            &[
                ("partenaire", "T07CD"),
                ("convention", "RSA-07-2026"),
                ("bouquet", "RSACG"),
                ("profil", "1"),
            ],
        );
        c.push(("circonscriptions", circonscriptions));
        c
    };
    for (circonscriptions, message) in [
        ("", "au moins une circonscription"),
        (
            "07/AUBENAS, 83/TOULON",
            "« 83/TOULON » n&#39;est pas une circonscription du partenaire",
        ),
        ("AUBENAS", "DÉPARTEMENT/CODE"),
    ] {
        let res = poster(
            &app,
            &browser,
            "/caisse/demandes/nouvelle",
            "/caisse/demandes/nouvelle",
            &rsa(circonscriptions),
        )
        .await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{circonscriptions}"
        );
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"id="circonscriptions-erreur""#), "{html}");
        assert!(html.contains(message), "{message}: {html}");
        assert!(
            html.contains(&format!(r#"value="{circonscriptions}""#)),
            "kept to be corrected"
        );
    }
    assert_eq!(nombre_de_demandes(&app, &compteur).await, 0, "nothing written");
    let chemin = enregistrer(&app, &browser, &rsa("07/AUBENAS 07/PRIVAS")).await;
    let (status, html) = page(&app, &browser, &chemin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Circonscriptions (RSA)"), "{html}");
    assert!(html.contains("07/AUBENAS, 07/PRIVAS"), "{html}");
}
