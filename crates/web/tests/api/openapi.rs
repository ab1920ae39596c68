//! BY-3: the OpenAPI document, snapshotted so that any change of the API is a visible diff, and checked
//! against real answers so that it cannot drift from them.

use crate::helpers::*;
use serde_json::{json, Value};

#[test]
fn openapi_document_snapshot() {
    insta::assert_json_snapshot!("openapi", partage_web::api::openapi::document());
}

#[tokio::test]
async fn openapi_document_is_served() {
    let app = spawn_app().await;
    let res = app.http.get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let served: Value = res.json().await.unwrap();
    assert_eq!(served, partage_web::api::openapi::document());
    assert_eq!(served["openapi"], "3.1.0");
    assert_eq!(
        served["components"]["securitySchemes"]["jeton"]["scheme"],
        "bearer"
    );
}

/// Checks `value` against `schema` for the subset of JSON Schema the document uses.
pub(crate) fn check(doc: &Value, schema: &Value, value: &Value, path: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        assert!(!target.is_null(), "{r} introuvable");
        return check(doc, target, value, path);
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let ok = options
            .iter()
            .filter(|s| check(doc, s, value, path).is_ok())
            .count();
        return if ok == 1 {
            Ok(())
        } else {
            Err(format!("{path}: {ok} branches oneOf"))
        };
    }
    if let Some(ty) = schema.get("type") {
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let allowed: Vec<&str> = match ty {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !allowed.contains(&actual) {
            return Err(format!("{path}: {actual} ∉ {allowed:?}"));
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            return Err(format!("{path}: {value} ∉ enum"));
        }
    }
    if let Value::Object(obj) = value {
        let props = schema["properties"].as_object().cloned().unwrap_or_default();
        for required in schema["required"].as_array().into_iter().flatten() {
            let k = required.as_str().unwrap();
            if !obj.contains_key(k) {
                return Err(format!("{path}.{k} manquant"));
            }
        }
        for (k, v) in obj {
            match props.get(k) {
                Some(s) => check(doc, s, v, &format!("{path}.{k}"))?,
                None if schema["additionalProperties"] == false => {
                    return Err(format!("{path}.{k} absent du schéma"))
                }
                None => {}
            }
        }
    }
    if let (Value::Array(items), Some(s)) = (value, schema.get("items")) {
        for (i, v) in items.iter().enumerate() {
            check(doc, s, v, &format!("{path}[{i}]"))?;
        }
    }
    Ok(())
}

pub(crate) fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

#[tokio::test]
async fn by_3_real_answers_match_the_documented_schemas() {
    let doc = partage_web::api::openapi::document();
    let app = spawn_app().await;
    let res = app.login(CAISSE, AGENT, AGENT_MDP_PROVISOIRE).await;
    let session: Value = res.json().await.unwrap();
    check(&doc, &schema("SessionOuverte"), &session, "session").unwrap();
    let token = app.agent_ready().await;
    for query in [
        json!({"nir": nir_martin()}),
        json!({"nir": nir_martin(), "annee": 2026, "mois": 9}),
    ] {
        let body: Value = app.consult(&token, query).await.json().await.unwrap();
        check(&doc, &schema("ConsultationQf"), &body, "qf").unwrap();
    }
    // Every error answered in these tests is a documented problem, with a documented code for its status.
    let problems = [
        (
            app.consult(&token, json!({"nir": "1"})).await,
            "/api/v1/consultations/qf",
            "post",
        ),
        (
            app.consult(&token, json!({"nir": nir_inconnu()})).await,
            "/api/v1/consultations/qf",
            "post",
        ),
        (
            app.consult(&token, json!({"nir": nir_opposition()})).await,
            "/api/v1/consultations/qf",
            "post",
        ),
        (
            app.consult(&token, json!({})).await,
            "/api/v1/consultations/qf",
            "post",
        ),
        (
            app.consult("x", json!({"nir": nir_martin()})).await,
            "/api/v1/consultations/qf",
            "post",
        ),
        (app.login(CAISSE, AGENT, "x").await, "/api/v1/session", "post"),
        (
            app.change_password(&token, "x", "y").await,
            "/api/v1/session/mot-de-passe",
            "put",
        ),
    ];
    for (res, path, method) in problems {
        let status = res.status().as_u16().to_string();
        let body: Value = res.json().await.unwrap();
        check(&doc, &schema("Probleme"), &body, "probleme").unwrap();
        let described = &doc["paths"][path][method]["responses"][&status]["description"];
        let code = body["code"].as_str().unwrap();
        assert!(
            described
                .as_str()
                .unwrap_or_default()
                .contains(&format!("`{code}`")),
            "{method} {path} {status} {code} non documenté"
        );
    }
}
