//! Rule 9 of `specs/README.md`: the examples of a spec and the fixtures of its provider
//! (`tests/fixtures/<provider>/`) are the same set. Every example (`example`, or each
//! `examples.<name>.value`, of a media type of a request body or response, the shared ones
//! under `components/` included) is a fixture with the same content; every fixture is an
//! example of the spec, and its name says where: `<operation>.request[.<name>].<ext>`,
//! `<operation>.response[.<name>].<ext>` (a 2xx answer), `<operation>.error.<status>[.<name>].<ext>`,
//! or `common.error.<status>[.<name>].<ext>` for an error answer of any operation (`<status>`
//! also matches the `4XX`/`5XX` range it falls in, and `default` stands for the ranges).
//!
//! One implementation for every provider; kaas's contract tests run it on each spec.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::refs::{self, RefError};

/// What an example is the body of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A request body.
    Request,
    /// A 2xx answer.
    Response,
    /// Any other answer.
    Error,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Response => "response",
            Kind::Error => "error",
        }
    }
}

/// One operation's body an example belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The operation's `operationId`.
    pub operation: String,
    /// Request, success or error body.
    pub kind: Kind,
    /// The response status as the spec writes it (`404`, `4XX`, `default`); none for a request.
    pub status: Option<String>,
}

/// One example of a spec.
#[derive(Clone, Debug)]
pub struct Example {
    /// Where the spec holds it, as a JSON pointer (`#/components/responses/error/content/…`).
    pub at: String,
    /// Its name under `examples`, or none for a lone `example`.
    pub name: Option<String>,
    /// The media type it is an example of.
    pub media: String,
    /// The example itself.
    pub value: Value,
    /// Every operation body it is an example of (a shared response is used by several).
    pub places: Vec<Place>,
}

/// A fixture file: its name, and its content (parsed for `.json`, else its text as a string).
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The file name.
    pub name: String,
    /// What the file holds.
    pub content: Value,
}

/// Every example of the spec, once each, in the order of their pointers.
pub fn examples(doc: &Value) -> Result<Vec<Example>, RefError> {
    let mut found: BTreeMap<String, Example> = BTreeMap::new();
    for op in crate::spec_check::operations(doc) {
        let base = format!("#/paths/{}/{}", escape(op.path), op.method);
        if let Some(body) = op.operation.get("requestBody") {
            let place = Place {
                operation: op.id.clone(),
                kind: Kind::Request,
                status: None,
            };
            let at = format!("{base}/requestBody");
            collect(doc, body, &at, Some(place), &mut found)?;
        }
        for (status, response) in op.operation["responses"].as_object().into_iter().flatten() {
            let kind = if status.starts_with('2') {
                Kind::Response
            } else {
                Kind::Error
            };
            let place = Place {
                operation: op.id.clone(),
                kind,
                status: (kind == Kind::Error).then(|| status.clone()),
            };
            let at = format!("{base}/responses/{}", escape(status));
            collect(doc, response, &at, Some(place), &mut found)?;
        }
    }
    for shared in ["responses", "requestBodies"] {
        for (name, body) in doc["components"][shared].as_object().into_iter().flatten() {
            let at = format!("#/components/{shared}/{}", escape(name));
            collect(doc, body, &at, None, &mut found)?;
        }
    }
    Ok(found.into_values().collect())
}

/// Adds the examples of the body `node` (at `at`, unless it is a `$ref`) used at `place`.
fn collect(
    doc: &Value,
    node: &Value,
    at: &str,
    place: Option<Place>,
    found: &mut BTreeMap<String, Example>,
) -> Result<(), RefError> {
    let chain = refs::chain(doc, node)?;
    let at = chain.refs.last().map_or(at, |target| target);
    for (media, content) in chain.target()["content"].as_object().into_iter().flatten() {
        let media_at = format!("{at}/content/{}", escape(media));
        let mut named = Vec::new();
        if let Some(value) = content.get("example") {
            named.push((format!("{media_at}/example"), None, value.clone()));
        }
        for (name, example) in content["examples"].as_object().into_iter().flatten() {
            let value = refs::resolve(doc, example)?["value"].clone();
            let example_at = format!("{media_at}/examples/{}", escape(name));
            named.push((example_at, Some(name.clone()), value));
        }
        for (example_at, name, value) in named {
            let entry = found.entry(example_at.clone()).or_insert_with(|| Example {
                at: example_at,
                name,
                media: media.clone(),
                value,
                places: Vec::new(),
            });
            entry.places.extend(place.clone());
        }
    }
    Ok(())
}

/// The fixtures of a folder: every file at its top level, sorted by name.
pub fn read_fixtures(folder: &Path) -> Result<Vec<Fixture>, String> {
    let entries = std::fs::read_dir(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let mut fixtures = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("{}: {e}", folder.display()))?
            .path();
        if !path.is_file() {
            continue;
        }
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let content = if name.ends_with(".json") {
            serde_json::from_str(&text).map_err(|e| format!("fixture `{name}`: not JSON: {e}"))?
        } else {
            Value::String(text)
        };
        fixtures.push(Fixture { name, content });
    }
    fixtures.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(fixtures)
}

/// Every way the spec's examples and `fixtures` break rule 9, each naming the example or the
/// fixture and the fix; empty when they are the same set.
pub fn check_fixtures(doc: &Value, fixtures: &[Fixture]) -> Vec<String> {
    let examples = match examples(doc) {
        Ok(examples) => examples,
        Err(e) => return vec![format!("the spec's examples cannot be read: {e}")],
    };
    let mut problems = Vec::new();
    for example in &examples {
        if !fixtures.iter().any(|f| f.content == example.value) {
            problems.push(format!(
                "{}: no fixture holds this example; fix: copy it to `{}`",
                example.at,
                suggested_name(example)
            ));
        }
    }
    for fixture in fixtures {
        let Some(named) = FixtureName::parse(&fixture.name) else {
            problems.push(format!(
                "fixture `{}`: not named `<operation>.<request|response|error.<status>>[.<name>].<ext>`; fix: rename it",
                fixture.name
            ));
            continue;
        };
        let same: Vec<&Example> = examples
            .iter()
            .filter(|e| e.value == fixture.content)
            .collect();
        if same.is_empty() {
            problems.push(format!(
                "fixture `{}` is no example of the spec; fix: add it to the spec's examples or remove it",
                fixture.name
            ));
        } else if !same.iter().flat_map(|e| &e.places).any(|p| named.is(p)) {
            let at: Vec<&str> = same.iter().map(|e| e.at.as_str()).collect();
            problems.push(format!(
                "fixture `{}` holds the example at {} but its name places it elsewhere; fix: rename it after that operation and status",
                fixture.name,
                at.join(", ")
            ));
        }
    }
    problems
}

/// A fixture name, `<operation>.<kind>[.<status>][.<name>].<ext>`.
struct FixtureName<'a> {
    operation: &'a str,
    kind: Kind,
    status: Option<&'a str>,
}

impl<'a> FixtureName<'a> {
    fn parse(file: &'a str) -> Option<Self> {
        let parts: Vec<&str> = file.split('.').collect();
        let (operation, kind) = (*parts.first()?, *parts.get(1)?);
        let kind = match kind {
            "request" if parts.len() >= 3 && operation != "common" => Kind::Request,
            "response" if parts.len() >= 3 && operation != "common" => Kind::Response,
            "error" if parts.len() >= 4 => Kind::Error,
            _ => return None,
        };
        let status = (kind == Kind::Error).then(|| parts[2]);
        Some(FixtureName {
            operation,
            kind,
            status,
        })
    }

    /// Whether an example used at `place` may carry this name.
    fn is(&self, place: &Place) -> bool {
        (self.operation == "common" || self.operation == place.operation)
            && self.kind == place.kind
            && match (self.status, place.status.as_deref()) {
                (Some(named), Some(status)) => status_matches(named, status),
                (None, None) => true,
                _ => false,
            }
    }
}

/// Whether a fixture's status (`404`, `default`) names a response the spec writes as `status`
/// (`404`, `4XX`, `default`).
fn status_matches(named: &str, status: &str) -> bool {
    let range = status.len() == 3 && status[1..].eq_ignore_ascii_case("xx");
    named == status
        || status == "default"
        || (range && (named == "default" || named.starts_with(&status[..1])))
}

/// The fixture name rule 9 gives an example, for the message that asks for it.
fn suggested_name(example: &Example) -> String {
    let ext = if example.media.contains("json") {
        "json"
    } else if example.media.contains("yaml") {
        "yaml"
    } else {
        example.media.rsplit('/').next().unwrap_or("txt")
    };
    let stem = match example.places.as_slice() {
        [] => "common.error.<status>".to_string(),
        [place, ..] => {
            let shared = example.at.starts_with("#/components/");
            let operation = if shared && place.kind == Kind::Error {
                "common"
            } else {
                &place.operation
            };
            match &place.status {
                Some(status) => {
                    let status = if status.ends_with("XX") || status.ends_with("xx") {
                        "default"
                    } else {
                        status
                    };
                    format!("{operation}.{}.{status}", place.kind.name())
                }
                None => format!("{operation}.{}", place.kind.name()),
            }
        }
    };
    match &example.name {
        Some(name) => format!("{stem}.{name}.{ext}"),
        None => format!("{stem}.{ext}"),
    }
}

/// A JSON pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// One operation with a request example, two answers and a shared error.
    fn spec() -> Value {
        serde_yaml_ng::from_str(
            r#"
paths:
  /things:
    post:
      operationId: create_thing
      requestBody:
        content:
          application/json:
            example: {name: a}
      responses:
        '201':
          content:
            application/json:
              examples:
                basic: {value: {id: 1}}
                full: {$ref: '#/components/examples/full'}
        '404': {$ref: '#/components/responses/error'}
        4XX: {$ref: '#/components/responses/error'}
  /things/{id}:
    get:
      operationId: get_thing
      responses:
        '200':
          content:
            application/yaml:
              example: "kind: Thing\n"
        4XX: {$ref: '#/components/responses/error'}
components:
  examples:
    full: {value: {id: 1, name: a}}
  responses:
    error:
      content:
        application/json:
          example: {message: no}
"#,
        )
        .unwrap()
    }

    fn fixture(name: &str, content: Value) -> Fixture {
        Fixture {
            name: name.into(),
            content,
        }
    }

    fn good_fixtures() -> Vec<Fixture> {
        vec![
            fixture("create_thing.request.json", json!({"name": "a"})),
            fixture("create_thing.response.basic.json", json!({"id": 1})),
            fixture(
                "create_thing.response.full.json",
                json!({"id": 1, "name": "a"}),
            ),
            fixture("get_thing.response.yaml", json!("kind: Thing\n")),
            fixture("common.error.404.json", json!({"message": "no"})),
        ]
    }

    #[test]
    fn every_example_is_found_once_with_every_place_it_is_used() {
        let examples = examples(&spec()).unwrap();
        assert_eq!(examples.len(), 5);
        let shared = examples
            .iter()
            .find(|e| e.at == "#/components/responses/error/content/application~1json/example")
            .unwrap();
        let statuses: Vec<(&str, Option<&str>)> = shared
            .places
            .iter()
            .map(|p| (p.operation.as_str(), p.status.as_deref()))
            .collect();
        assert_eq!(
            statuses,
            [
                ("create_thing", Some("404")),
                ("create_thing", Some("4XX")),
                ("get_thing", Some("4XX"))
            ]
        );
        let full = examples.iter().find(|e| e.name.as_deref() == Some("full"));
        assert_eq!(full.unwrap().value, json!({"id": 1, "name": "a"}));
    }

    #[test]
    fn examples_and_fixtures_that_are_the_same_set_pass() {
        assert_eq!(
            check_fixtures(&spec(), &good_fixtures()),
            Vec::<String>::new()
        );
        // An error fixture may name its operation, its exact status, or the range's `default`.
        let mut fixtures = good_fixtures();
        fixtures.push(fixture(
            "create_thing.error.404.json",
            json!({"message": "no"}),
        ));
        fixtures.push(fixture(
            "common.error.default.json",
            json!({"message": "no"}),
        ));
        fixtures.push(fixture(
            "get_thing.error.401.live.json",
            json!({"message": "no"}),
        ));
        assert_eq!(check_fixtures(&spec(), &fixtures), Vec::<String>::new());
    }

    #[test]
    fn an_example_without_a_fixture_is_named_with_the_file_to_add() {
        let mut fixtures = good_fixtures();
        fixtures.retain(|f| !f.name.starts_with("create_thing.response.full"));
        fixtures.retain(|f| f.name != "get_thing.response.yaml");
        let problems = check_fixtures(&spec(), &fixtures);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("copy it to `create_thing.response.full.json`"));
        assert!(problems[1].contains("copy it to `get_thing.response.yaml`"));
    }

    #[test]
    fn a_fixture_that_is_no_example_or_is_misnamed_is_refused() {
        let cases = [
            (
                fixture("create_thing.response.json", json!({"id": 2})),
                "is no example",
            ),
            (
                fixture("get_thing.response.json", json!({"id": 1})),
                "places it elsewhere",
            ),
            (
                fixture("create_thing.error.500.json", json!({"message": "no"})),
                "places it elsewhere",
            ),
            (
                fixture("common.response.json", json!({"id": 1})),
                "not named",
            ),
            (fixture("create_thing.json", json!({"id": 1})), "not named"),
        ];
        for (extra, expected) in cases {
            let name = extra.name.clone();
            let mut fixtures = good_fixtures();
            fixtures.push(extra);
            let problems = check_fixtures(&spec(), &fixtures);
            assert_eq!(problems.len(), 1, "{name}: {problems:?}");
            assert!(problems[0].contains(expected), "{name}: {problems:?}");
        }
    }

    #[test]
    fn a_broken_ref_is_a_problem_not_a_panic() {
        let mut doc = spec();
        doc["components"]["examples"] = json!({});
        let problems = check_fixtures(&doc, &good_fixtures());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("#/components/examples/full` points at nothing"));
    }

    #[test]
    fn fixtures_are_read_as_json_or_text() {
        let folder =
            std::env::temp_dir().join(format!("kaas-codegen-fixtures-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(folder.join("nested")).unwrap();
        std::fs::write(folder.join("b.response.json"), "{\"id\": 1}").unwrap();
        std::fs::write(folder.join("a.response.yaml"), "kind: Thing\n").unwrap();
        let fixtures = read_fixtures(&folder).unwrap();
        std::fs::remove_dir_all(&folder).unwrap();
        let read: Vec<(&str, &Value)> = fixtures
            .iter()
            .map(|f| (f.name.as_str(), &f.content))
            .collect();
        assert_eq!(
            read,
            [
                ("a.response.yaml", &json!("kind: Thing\n")),
                ("b.response.json", &json!({"id": 1}))
            ]
        );
    }
}
