//! Examples borrowed from another page of the same returned type.
//!
//! Some pages show no example response (a third of ONLYOFFICE's CRM
//! settings pages), but name what the method returns ("Returns: Contact").
//! When another page of the same import and API documents an example of
//! that type, it is the best example there is: the vendor's serialiser
//! writes every `Contact` alike. Its fixtures are copied under the
//! borrowing endpoint's own names, and the response records where they come
//! from (`"example": {"from": "same-type", "endpoint": …}`), so it is still
//! marked as not documented by its own page.

use serde_json::Value;

use super::Imported;
use crate::contract::dialect::DialectName;
use crate::contract::spec::{ExampleSource, ResponseFile};

/// Whether a returned type is one value or a list of them, as far as its
/// name or its example tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    One,
    List,
    Unknown,
}

/// Type names that say nothing of what the value holds: a list or an
/// object of anything. Two pages returning `array` return different things.
const SHAPELESS: &[&str] = &[
    "array",
    "object",
    "list",
    "collection",
    "dictionary",
    "ienumerable",
    "void",
    "none",
    "task",
    "ok",
    "объект",
    "список",
    "коллекция",
    "массив",
];

/// Words that make a type name a list of what follows or precedes them.
const LIST_PREFIXES: &[&str] = &[
    "list of ",
    "collection of ",
    "array of ",
    "set of ",
    "ienumerable",
    "list<",
    "список ",
    "коллекция ",
    "массив ",
];
const LIST_SUFFIXES: &[&str] = &[" list", " collection", "[]", " array", " список"];

/// A returned type name as pages are compared by: trimmed, without a
/// closing full stop, white space collapsed, in lower case; with what its
/// words say of its shape. `None` for a name that says nothing
/// ([`SHAPELESS`]).
fn type_key(name: &str) -> Option<(String, Shape)> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let key = words.join(" ").trim_end_matches('.').trim().to_lowercase();
    if key.is_empty() || SHAPELESS.contains(&key.as_str()) {
        return None;
    }
    let shape = if LIST_PREFIXES.iter().any(|p| key.starts_with(p))
        || LIST_SUFFIXES.iter().any(|s| key.ends_with(s))
    {
        Shape::List
    } else if key.ends_with('s') && !key.ends_with("ss") && !key.ends_with("us") {
        // `Contacts`: perhaps a list, perhaps a name; the example decides.
        Shape::Unknown
    } else {
        Shape::One
    };
    Some((key, shape))
}

/// The shape of a documented JSON example: the envelope's `response` for
/// the ONLYOFFICE dialects, the body itself for SuperOffice.
fn example_shape(dialect: DialectName, json: &str) -> Shape {
    let Ok(value) = serde_json::from_str::<Value>(json) else {
        return Shape::Unknown;
    };
    let value = match dialect {
        DialectName::Onlyoffice | DialectName::R7office => {
            value.get("response").cloned().unwrap_or(value)
        }
        DialectName::Superoffice => value,
    };
    match value {
        Value::Array(_) => Shape::List,
        Value::Null => Shape::Unknown,
        _ => Shape::One,
    }
}

/// Whether a response documents an example of its own.
fn documented(response: &ResponseFile) -> bool {
    response.example.is_none() && (response.json.is_some() || response.xml.is_some())
}

/// Fills every response that has no example (`example: unknown`) but names
/// its returned type with the documented example of another endpoint of
/// the same API returning that type (the first by id; one whose example is
/// a list never lends it to a single value, nor the other way round).
/// Returns, per endpoint, notes saying where examples came from.
pub(super) fn borrow(endpoints: &mut [Imported]) -> Vec<Vec<String>> {
    let mut order: Vec<usize> = (0..endpoints.len()).collect();
    order.sort_by(|&a, &b| {
        (&endpoints[a].api.name, &endpoints[a].id).cmp(&(&endpoints[b].api.name, &endpoints[b].id))
    });
    // (lender, its response) for each borrowing (endpoint, response).
    let mut plan: Vec<(usize, usize, usize, usize)> = Vec::new();
    for &index in &order {
        let endpoint = &endpoints[index];
        for (at, response) in endpoint.spec.responses.iter().enumerate() {
            if response.example != Some(ExampleSource::Unknown)
                || matches!(response.status, 204 | 304)
            {
                continue;
            }
            let Some((key, shape)) = response.type_name.as_deref().and_then(type_key) else {
                continue;
            };
            let lender = order.iter().find_map(|&other| {
                let lender = &endpoints[other];
                if other == index || lender.api.name != endpoint.api.name {
                    return None;
                }
                lender
                    .spec
                    .responses
                    .iter()
                    .enumerate()
                    .find_map(|(their, r)| {
                        let (their_key, their_shape) = r.type_name.as_deref().and_then(type_key)?;
                        if !documented(r) || their_key != key || !fits(shape, their_shape) {
                            return None;
                        }
                        let example = r.json.as_ref().and_then(|json| fixture(lender, json));
                        let example_shape = example
                            .map(|json| example_shape(lender.api.dialect, json))
                            .unwrap_or(Shape::Unknown);
                        fits(shape, example_shape).then_some((other, their))
                    })
            });
            if let Some((other, their)) = lender {
                plan.push((index, at, other, their));
            }
        }
    }

    let mut notes = vec![Vec::new(); endpoints.len()];
    for (index, at, other, their) in plan {
        let lent = endpoints[other].spec.responses[their].clone();
        let contents = |name: &Option<String>| {
            name.as_ref()
                .and_then(|n| fixture(&endpoints[other], n))
                .map(str::to_string)
        };
        let (json, xml) = (contents(&lent.json), contents(&lent.xml));
        let lender = format!("{}/{}", endpoints[other].api.name, endpoints[other].id);
        let endpoint = &mut endpoints[index];
        let prefix = format!("{}/{}", endpoint.api.name, endpoint.id);
        let status = endpoint.spec.responses[at].status;
        let mut copy = |extension: &str, text: Option<String>| {
            let text = text?;
            let name = format!("{prefix}/response-{status}.{extension}");
            endpoint.fixtures.retain(|(existing, _)| *existing != name);
            endpoint.fixtures.push((name.clone(), text));
            Some(name)
        };
        let json = copy("json", json);
        let xml = copy("xml", xml);
        let response = &mut endpoint.spec.responses[at];
        notes[index].push(format!(
            "example response of {lender}, which returns the same type ({})",
            response.type_name.as_deref().unwrap_or_default().trim()
        ));
        response.json = json;
        response.xml = xml;
        response.xml_names = lent.xml_names;
        response.xml_literals = lent.xml_literals;
        response.example = Some(ExampleSource::SameType { endpoint: lender });
    }
    notes
}

/// Whether a value of shape `lent` may stand for one of shape `wanted`.
fn fits(wanted: Shape, lent: Shape) -> bool {
    !matches!(
        (wanted, lent),
        (Shape::One, Shape::List) | (Shape::List, Shape::One)
    )
}

/// The contents of the fixture `name` of `endpoint`.
fn fixture<'e>(endpoint: &'e Imported, name: &str) -> Option<&'e str> {
    endpoint
        .fixtures
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, text)| text.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::spec::EndpointFile;
    use crate::import::api_file;

    /// An ONLYOFFICE endpoint returning `type_name`, with `json` as its
    /// documented example, or none (`example: unknown`) without it.
    fn endpoint(id: &str, type_name: &str, json: Option<&str>) -> Imported {
        let prefix = format!("onlyoffice/{id}");
        let mut fixtures = Vec::new();
        let (file, example) = match json {
            Some(json) => {
                let file = format!("{prefix}/response-200.json");
                fixtures.push((file.clone(), json.to_string()));
                (Some(file), None)
            }
            None => (None, Some(ExampleSource::Unknown)),
        };
        Imported {
            api: api_file(DialectName::Onlyoffice),
            id: id.to_string(),
            spec: EndpointFile {
                method: "GET".into(),
                path: format!("/api/2.0/{id}"),
                summary: String::new(),
                auth: true,
                parameters: Vec::new(),
                request: None,
                responses: vec![ResponseFile {
                    status: 200,
                    name: None,
                    description: String::new(),
                    type_name: Some(type_name.to_string()),
                    json: file,
                    xml: None,
                    xml_names: None,
                    xml_literals: None,
                    example,
                }],
                source: Some(format!("{id}.txt")),
            },
            fixtures,
            page: format!("{id}.txt"),
            warnings: Vec::new(),
        }
    }

    const ONE: &str = "{\"status\": 0, \"response\": {\"id\": 1}}\n";
    const LIST: &str = "{\"status\": 0, \"response\": [{\"id\": 1}]}\n";

    #[test]
    fn a_page_without_an_example_borrows_the_first_documented_one_of_its_type() {
        let mut endpoints = vec![
            endpoint("get-c", "Contact", Some(ONE)),
            endpoint("get-a", " contact. ", None),
            endpoint(
                "get-b",
                "Contact",
                Some("{\"status\": 0, \"response\": {\"id\": 2}}\n"),
            ),
        ];
        let notes = borrow(&mut endpoints);
        let response = &endpoints[1].spec.responses[0];
        // get-b comes before get-c by id, whatever the page order.
        assert_eq!(
            response.example,
            Some(ExampleSource::SameType {
                endpoint: "onlyoffice/get-b".into()
            })
        );
        assert_eq!(
            response.json.as_deref(),
            Some("onlyoffice/get-a/response-200.json")
        );
        assert_eq!(
            endpoints[1].fixtures,
            vec![(
                "onlyoffice/get-a/response-200.json".to_string(),
                "{\"status\": 0, \"response\": {\"id\": 2}}\n".to_string()
            )]
        );
        assert!(notes[1][0].contains("onlyoffice/get-b"), "{notes:?}");
        assert!(notes[0].is_empty() && notes[2].is_empty());
    }

    #[test]
    fn a_list_never_borrows_a_single_value_nor_the_other_way_round() {
        let mut endpoints = vec![
            endpoint("get-one", "Contact", Some(ONE)),
            // The name says list: the single contact is no example of it.
            endpoint("get-many", "List of contact", None),
            endpoint("get-list", "list of contact", Some(ONE)),
            // The same name, but the lender's example is a list.
            endpoint("get-x", "Task", Some(LIST)),
            endpoint("get-y", "Task", None),
            // Names that say nothing are never matched.
            endpoint("get-arr", "array", Some(LIST)),
            endpoint("get-arr2", "array", None),
        ];
        borrow(&mut endpoints);
        for index in [1, 4, 6] {
            assert_eq!(
                endpoints[index].spec.responses[0].example,
                Some(ExampleSource::Unknown),
                "{}",
                endpoints[index].id
            );
            assert!(endpoints[index].fixtures.is_empty());
        }
    }

    #[test]
    fn only_endpoints_of_the_same_api_lend() {
        let mut r7 = endpoint("get-c", "Contact", Some(ONE));
        r7.api = api_file(DialectName::R7office);
        let mut endpoints = vec![r7, endpoint("get-a", "Contact", None)];
        borrow(&mut endpoints);
        assert_eq!(
            endpoints[1].spec.responses[0].example,
            Some(ExampleSource::Unknown)
        );
    }

    #[test]
    fn type_names_are_compared_trimmed_and_ignoring_case() {
        assert_eq!(type_key(" Contact. "), Some(("contact".into(), Shape::One)));
        assert_eq!(
            type_key("Collection of  Tasks"),
            Some(("collection of tasks".into(), Shape::List))
        );
        assert_eq!(type_key("Task list").map(|k| k.1), Some(Shape::List));
        assert_eq!(type_key("Array"), None);
        assert_eq!(type_key("Contacts").map(|k| k.1), Some(Shape::Unknown));
    }
}
