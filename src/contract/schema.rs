//! JSON Schemas of a request: derived from the documented parameter tables
//! and examples, compiled once at load, and their errors turned into
//! [`Violation`]s.
//!
//! Documentation pages type the top level of a body (the parameter table) but
//! rarely its insides; the documented example shows those. So a body schema is
//! the table's properties, each refined with the *shape* of the example value
//! (types only, nothing required, nulls allowed where .NET reference types
//! allow them) so that a wrongly typed nested field is caught without
//! rejecting anything the vendor would accept.

use std::sync::{Arc, OnceLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::{Map, Value, json};
use smallvec::SmallVec;

use crate::contract::problem::{Violation, Violations};
use crate::contract::spec::Location;

/// A compiled schema that can be shared between threads and clones.
#[derive(Clone)]
pub struct Compiled {
    /// The schema as written or derived.
    pub schema: Arc<Value>,
    validator: Arc<Validator>,
    /// The schema is `{"type": "integer"}` and nothing else, as most path
    /// parameters' are: any text that parses as an integer satisfies it.
    plain_integer: bool,
    /// The schema split along its members, made the first time a large
    /// instance breaks it (see [`Split`]).
    split: Arc<OnceLock<Split>>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("schema", &self.schema)
            .finish()
    }
}

impl Compiled {
    /// Compiles `schema`; the error says why it is not a usable schema.
    pub fn new(schema: Value) -> Result<Compiled, String> {
        let mut bounded = schema.clone();
        bound_integers(&mut bounded);
        // Formats are asserted, as Prism does: a guid path part documented
        // with `"format": "uuid"` refuses `abc` as the vendor's model
        // binding does (draft 2020-12 would only annotate them). Formats
        // jsonschema does not know (`int32`, read by `bound_integers`)
        // are passed over.
        let validator = build(&bounded)?;
        let plain_integer = schema
            .as_object()
            .is_some_and(|o| o.len() == 1 && o.get("type") == Some(&json!("integer")));
        Ok(Compiled {
            schema: Arc::new(schema),
            validator: Arc::new(validator),
            plain_integer,
            split: Arc::default(),
        })
    }

    /// Every violation of `instance`, located in `location` under `base`
    /// (a pointer prefix such as `/contactid` for a single parameter).
    pub fn violations(&self, instance: &Value, location: Location, base: &str) -> Vec<Violation> {
        if self.validator.is_valid(instance) {
            return Vec::new();
        }
        self.validator
            .iter_errors(instance)
            .map(|error| violation(&error, location, base))
            .collect()
    }

    /// [`Compiled::violations`] into `found`, which lists the first ones and
    /// counts the rest, except that with `bind_missing` a member the schema
    /// requires at the top level and `instance` leaves out is not a
    /// violation: its documented name goes to `missing` instead, for the
    /// caller to bind as the vendor's server does (see `answer::validate`).
    /// Nested requirements stay violations.
    ///
    /// Only the violations listed are described: a body breaking its
    /// schema once per element costs a count for each of the others. (The
    /// validator itself gathers its errors before handing out the first,
    /// a few hundred bytes each, dropped here one by one.)
    pub fn find_violations(
        &self,
        instance: &Value,
        (location, base): (Location, &str),
        bind_missing: bool,
        missing: &mut Vec<String>,
        found: &mut Violations,
    ) {
        if self.validator.is_valid(instance) {
            return;
        }
        if is_large(instance) {
            let split = self.split.get_or_init(|| {
                let mut bounded = (*self.schema).clone();
                bound_integers(&mut bounded);
                Split::new(&bounded)
            });
            let mut context = Finding {
                location,
                bind_missing,
                missing,
                found,
            };
            split.find(instance, base, true, &mut context);
            return;
        }
        for error in self.validator.iter_errors(instance) {
            if bind_missing
                && error.instance_path().as_str().is_empty()
                && let ValidationErrorKind::Required { property } = error.kind()
            {
                missing.push(required_name(property));
                continue;
            }
            found.push_with(|| violation(&error, location, base));
        }
    }

    /// Whether `instance` satisfies the schema.
    pub fn accepts(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    /// Whether the text alone shows that `text`, a path or query value,
    /// satisfies the schema, so that no JSON value need be built for it;
    /// `false` means only that a closer look is needed.
    pub fn plainly_accepts(&self, text: &str) -> bool {
        self.plain_integer && text.trim().parse::<i64>().is_ok()
    }
}

/// The validator of `schema`, formats asserted as Prism does: a guid path
/// part documented with `"format": "uuid"` refuses `abc` as the vendor's
/// model binding does (draft 2020-12 would only annotate them). Formats
/// jsonschema does not know (`int32`, read by `bound_integers`) are passed
/// over.
fn build(schema: &Value) -> Result<Validator, String> {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}

fn required_name(property: &Value) -> String {
    property
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| property.to_string())
}

/// How many values an instance may hold and still be checked whole: the
/// validator gathers every error before handing out the first, a few
/// hundred bytes each, so a 1 MB body with a wrong value in each of 80,000
/// elements cost more than 100 MB to check whole.
const CHECKED_WHOLE: usize = 1000;

/// Whether `instance` holds more than [`CHECKED_WHOLE`] values.
fn is_large(instance: &Value) -> bool {
    fn count(value: &Value, budget: &mut usize) -> bool {
        if *budget == 0 {
            return true;
        }
        *budget -= 1;
        match value {
            Value::Array(items) => items.iter().any(|item| count(item, budget)),
            Value::Object(members) => members.values().any(|member| count(member, budget)),
            _ => false,
        }
    }
    let mut budget = CHECKED_WHOLE;
    count(instance, &mut budget)
}

/// Where [`Split::find`] puts what it finds.
struct Finding<'f> {
    location: Location,
    bind_missing: bool,
    missing: &'f mut Vec<String>,
    found: &'f mut Violations,
}

/// A schema split along `properties` and `items`, so that a large instance
/// is checked one member at a time and an error is only ever gathered for
/// one member: each part checks its own keywords (its members' schemas
/// stood in for by `true`, so that `additionalProperties` still knows the
/// documented names), then hands each member to its part. A schema with a
/// keyword that looks at several members at once (`anyOf`, `$ref`,
/// `prefixItems` …) is checked whole where it stands.
///
/// The derived body schemas are properties and items all the way down,
/// so the split reaches the elements of every array.
struct Split {
    /// The schema's own keywords, or the whole schema where it is not
    /// split; `None` when it could not be compiled (it compiled whole).
    own: Option<Validator>,
    properties: Vec<(String, Split)>,
    items: Option<Box<Split>>,
}

impl Split {
    fn new(schema: &Value) -> Split {
        /// Keywords that look at one value, or at members one at a time.
        const SPLITTABLE: &[&str] = &[
            "type",
            "properties",
            "items",
            "required",
            "enum",
            "const",
            "format",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "minLength",
            "maxLength",
            "pattern",
            "minItems",
            "maxItems",
            "uniqueItems",
            "minProperties",
            "maxProperties",
            "additionalProperties",
            "description",
            "title",
            "example",
            "examples",
            "default",
            "nullable",
            "readOnly",
            "writeOnly",
            "deprecated",
            "$schema",
        ];
        let whole = || Split {
            own: build(schema).ok(),
            properties: Vec::new(),
            items: None,
        };
        let Some(members) = schema.as_object() else {
            return whole();
        };
        let splittable = members.keys().all(|k| SPLITTABLE.contains(&k.as_str()))
            && members.get("items").is_none_or(Value::is_object)
            && members.get("properties").is_none_or(Value::is_object);
        if !splittable {
            return whole();
        }
        let mut own = members.clone();
        let mut properties = Vec::new();
        if let Some(Value::Object(schemas)) = own.get_mut("properties") {
            for (name, schema) in schemas.iter_mut() {
                properties.push((name.clone(), Split::new(schema)));
                *schema = Value::Bool(true);
            }
        }
        let items = own
            .remove("items")
            .map(|schema| Box::new(Split::new(&schema)));
        Split {
            own: build(&Value::Object(own)).ok(),
            properties,
            items,
        }
    }

    /// Finds the violations of `instance`, at `pointer`, into `finding`;
    /// `top` when it is the whole instance, where a missing member may be
    /// bound instead.
    fn find(&self, instance: &Value, pointer: &str, top: bool, finding: &mut Finding<'_>) {
        if let Some(own) = &self.own
            && !own.is_valid(instance)
        {
            for error in own.iter_errors(instance) {
                if top
                    && finding.bind_missing
                    && error.instance_path().as_str().is_empty()
                    && let ValidationErrorKind::Required { property } = error.kind()
                {
                    finding.missing.push(required_name(property));
                    continue;
                }
                finding
                    .found
                    .push_with(|| violation(&error, finding.location, pointer));
            }
        }
        match instance {
            Value::Object(members) if !self.properties.is_empty() => {
                for (name, part) in &self.properties {
                    if let Some(member) = members.get(name) {
                        let below = format!(
                            "{pointer}/{}",
                            crate::contract::problem::escape_pointer(name)
                        );
                        part.find(member, &below, false, finding);
                    }
                }
            }
            Value::Array(elements) => {
                if let Some(part) = &self.items {
                    for (i, element) in elements.iter().enumerate() {
                        part.find(element, &format!("{pointer}/{i}"), false, finding);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Gives every integer schema without bounds of its own the range of the
/// .NET type behind it: `int32` (and `int16`, `byte`) where its `format`
/// says so, else `Int64`, the widest the vendors bind. JSON Schema's
/// `integer` is unbounded, and `99999999999999999999` is an integer to it,
/// but no vendor server would bind it; without a bound it would be
/// replayed as valid. The schema kept for coercion and export is left as
/// written.
fn bound_integers(schema: &mut Value) {
    match schema {
        Value::Object(members) => {
            // Only where every value allowed is an integer: `["number",
            // "integer"]` also takes fractions and values beyond any
            // integer type's range.
            let integer = match members.get("type") {
                Some(Value::String(t)) => t == "integer",
                Some(Value::Array(types)) => {
                    types.iter().any(|t| t == "integer")
                        && types.iter().all(|t| t == "integer" || t == "null")
                }
                _ => false,
            };
            let bounded = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]
                .iter()
                .any(|k| members.contains_key(*k));
            if integer && !bounded {
                let (minimum, maximum): (i64, i64) =
                    match members.get("format").and_then(Value::as_str) {
                        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
                        Some("int16") => (i16::MIN.into(), i16::MAX.into()),
                        Some("byte" | "uint8") => (0, 255),
                        _ => (i64::MIN, i64::MAX),
                    };
                members.insert("minimum".into(), minimum.into());
                members.insert("maximum".into(), maximum.into());
            }
            for (key, member) in members.iter_mut() {
                match key.as_str() {
                    // Keywords whose value is a schema or a list of them.
                    "items"
                    | "additionalProperties"
                    | "not"
                    | "contains"
                    | "if"
                    | "then"
                    | "else"
                    | "prefixItems"
                    | "additionalItems"
                    | "unevaluatedItems"
                    | "unevaluatedProperties"
                    | "propertyNames"
                    | "anyOf"
                    | "oneOf"
                    | "allOf" => {
                        bound_integers(member);
                    }
                    // Keywords whose value maps names to schemas.
                    "properties" | "patternProperties" | "dependentSchemas" | "$defs"
                    | "definitions" => {
                        if let Value::Object(schemas) = member {
                            schemas.values_mut().for_each(bound_integers);
                        }
                    }
                    // Examples, defaults and enumerations are values.
                    _ => {}
                }
            }
        }
        Value::Array(schemas) => schemas.iter_mut().for_each(bound_integers),
        _ => {}
    }
}

fn violation(error: &ValidationError<'_>, location: Location, base: &str) -> Violation {
    let mut pointer = format!("{base}{}", error.instance_path().as_str());
    let got = Some(crate::contract::problem::shorten(
        &error.instance().to_string(),
        120,
    ));
    let (expected, got) = match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| property.to_string());
            pointer.push('/');
            pointer.push_str(&crate::contract::problem::escape_pointer(&name));
            ("a value (required)".to_string(), None)
        }
        ValidationErrorKind::Type { kind } => {
            let names: Vec<String> = match kind {
                TypeKind::Single(t) => vec![t.to_string()],
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
            };
            (type_words(&names), got)
        }
        ValidationErrorKind::Enum { options } => (format!("one of {options}"), got),
        ValidationErrorKind::Constant { expected_value } => {
            (format!("exactly {expected_value}"), got)
        }
        ValidationErrorKind::Format { format } => (format!("a {format} value"), got),
        ValidationErrorKind::Minimum { limit } => (format!("at least {limit}"), got),
        ValidationErrorKind::Maximum { limit } => (format!("at most {limit}"), got),
        ValidationErrorKind::MinLength { limit } => (format!("at least {limit} characters"), got),
        ValidationErrorKind::MaxLength { limit } => (format!("at most {limit} characters"), got),
        ValidationErrorKind::Pattern { pattern } => (format!("text matching {pattern}"), got),
        ValidationErrorKind::AdditionalProperties { unexpected } => (
            format!(
                "no properties besides the documented ones (unexpected: {})",
                unexpected.join(", ")
            ),
            None,
        ),
        _ => (error.to_string(), got),
    };
    Violation {
        location,
        pointer,
        expected,
        got,
    }
}

/// `["string", "null"]` → `a string or null`.
fn type_words(names: &[String]) -> String {
    // "a string or null" reads better than "null or a string".
    let mut names: Vec<&String> = names.iter().collect();
    names.sort_by_key(|name| name.as_str() == "null");
    let words: Vec<String> = names
        .into_iter()
        .map(|name| match name.as_str() {
            "integer" => "an integer".to_string(),
            "object" => "an object".to_string(),
            "array" => "an array".to_string(),
            "null" => "null".to_string(),
            other => format!("a {other}"),
        })
        .collect();
    words.join(" or ")
}

/// The schema an object of documented parameters must satisfy:
/// `properties` from each parameter's schema and `required` from the table.
pub fn object_schema<'p>(parameters: impl Iterator<Item = (&'p str, &'p Value, bool)>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, schema, is_required) in parameters {
        properties.insert(name.to_string(), schema.clone());
        if is_required {
            required.push(Value::String(name.to_string()));
        }
    }
    json!({"type": "object", "properties": properties, "required": required})
}

/// Refines the body schema `schema` with the shape of the documented example
/// body: where a property's schema says only its type, the example tells what
/// its items or members look like.
pub fn refine_with_example(schema: &mut Value, example: &Value) {
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(example) = example.as_object() else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        let Some(value) = example.get(name) else {
            continue;
        };
        let Some(property) = property.as_object_mut() else {
            continue;
        };
        match value {
            Value::Array(items) if !property.contains_key("items") => {
                if let Some(first) = items.iter().find(|item| !item.is_null()) {
                    property.insert("items".into(), shape_of(first));
                }
            }
            Value::Object(_) if !property.contains_key("properties") => {
                if let Some(Value::Object(members)) = shape_of(value).get("properties") {
                    property.insert("properties".into(), Value::Object(members.clone()));
                }
            }
            _ => {}
        }
    }
}

/// The loose schema of a documented example value: types only, nothing
/// required, `null` allowed for strings, objects and arrays (reference types
/// on the vendors' .NET servers), any number where the example has one.
pub fn shape_of(example: &Value) -> Value {
    match example {
        Value::Null => json!({}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Number(_) => json!({"type": "number"}),
        Value::String(_) => json!({"type": ["string", "null"]}),
        Value::Array(items) => match items.iter().find(|item| !item.is_null()) {
            Some(first) => json!({"type": ["array", "null"], "items": shape_of(first)}),
            None => json!({"type": ["array", "null"]}),
        },
        Value::Object(members) => {
            let properties: Map<String, Value> = members
                .iter()
                .map(|(name, value)| (name.clone(), shape_of(value)))
                .collect();
            json!({"type": ["object", "null"], "properties": properties})
        }
    }
}

/// Whether `body` is an RFC 6902 JSON Patch document: a non-empty list of
/// objects, each naming its operation in `op`.
pub fn is_json_patch(body: &Value) -> bool {
    body.as_array().is_some_and(|items| {
        !items.is_empty()
            && items
                .iter()
                .all(|item| item.get("op").is_some_and(Value::is_string))
    })
}

/// The schema of an RFC 6902 JSON Patch document: a list of operations, each
/// with a known `op` and a `path`, `value` where the operation sets one and
/// `from` where it moves or copies. Values may be anything: what they may be
/// depends on the member they patch.
pub fn json_patch_schema() -> Value {
    json!({
        "type": "array",
        "items": {
            "type": "object",
            "required": ["op", "path"],
            "properties": {
                "op": {"enum": ["add", "remove", "replace", "move", "copy", "test"]},
                "path": {"type": "string"},
                "from": {"type": "string"}
            },
            "allOf": [
                {
                    "if": {"properties": {"op": {"enum": ["add", "replace", "test"]}}},
                    "then": {"required": ["value"]}
                },
                {
                    "if": {"properties": {"op": {"enum": ["move", "copy"]}}},
                    "then": {"required": ["from"]}
                }
            ]
        }
    })
}

/// The JSON types a schema admits through its `type` keyword (empty when it
/// does not say); rarely more than two, so kept off the heap.
pub fn types_of(schema: &Value) -> SmallVec<[&str; 3]> {
    match schema.get("type") {
        Some(Value::String(t)) => smallvec::smallvec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => SmallVec::new(),
    }
}

/// The schema of member `name` of an object schema, matched exactly first
/// and then ignoring ASCII case (vendors bind names case-insensitively).
pub fn property<'s>(schema: &'s Value, name: &str) -> Option<(&'s str, &'s Value)> {
    let properties = schema.get("properties")?.as_object()?;
    if let Some((key, value)) = properties.get_key_value(name) {
        return Some((key.as_str(), value));
    }
    properties
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(key, value)| (key.as_str(), value))
}

/// Renames the members of `value` that `schema` documents under another
/// case to the documented spelling (`contactId` → `contactid`), at every
/// depth the schema describes, so that validation and violations speak the
/// documentation's names.
///
/// The vendors' binders match names ignoring case: Community Server looks
/// parameters up in a `NameValueCollection`, whose default comparer is
/// case-insensitive (`module/ASC.Api/ASC.Api/Impl/ApiArgumentBuilder.cs`,
/// `GetRequestParams`), and SuperOffice's ASP.NET model binding and JSON
/// reading ignore case too. A member spelled exactly as documented wins over
/// one that differs only in case; a member the schema does not know is left
/// as sent. Nothing is allocated when every name already matches.
pub fn respell(value: &mut Value, schema: &Value) {
    match value {
        Value::Object(members) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            let misspelt = members
                .keys()
                .any(|key| !properties.contains_key(key.as_str()));
            if misspelt {
                let renames: Vec<(String, String)> = members
                    .keys()
                    .filter(|key| !properties.contains_key(key.as_str()))
                    .filter_map(|key| {
                        let (documented, _) = properties
                            .iter()
                            .find(|(name, _)| name.eq_ignore_ascii_case(key))?;
                        (!members.contains_key(documented.as_str()))
                            .then(|| (key.clone(), documented.clone()))
                    })
                    .collect();
                for (sent, documented) in renames {
                    // Two spellings of one name: the first one sent binds,
                    // as the first value in the collection does.
                    if members.contains_key(documented.as_str()) {
                        continue;
                    }
                    if let Some(member) = members.shift_remove(&sent) {
                        members.insert(documented, member);
                    }
                }
            }
            for (key, member) in members.iter_mut() {
                if let Some(member_schema) = properties.get(key.as_str()) {
                    respell(member, member_schema);
                }
            }
        }
        Value::Array(items) => {
            if let Some(items_schema) = schema.get("items") {
                for item in items {
                    respell(item, items_schema);
                }
            }
        }
        _ => {}
    }
}

/// What the vendor's server gives a parameter the request leaves out, in
/// words: `default(T)` of the .NET type behind the schema (Community
/// Server: `module/ASC.Api/ASC.Api/Impl/ApiArgumentBuilder.cs`, "Create
/// null": `Activator.CreateInstance` for value types, `null` otherwise).
pub fn bound_default(schema: &Value) -> &'static str {
    let types = types_of(schema);
    if types.contains(&"null") {
        return "null";
    }
    if types.contains(&"array") {
        "an empty list"
    } else if types.contains(&"integer") || types.contains(&"number") {
        "0"
    } else if types.contains(&"boolean") {
        "false"
    } else if schema.get("format").and_then(Value::as_str) == Some("uuid") {
        "00000000-0000-0000-0000-000000000000"
    } else {
        "null"
    }
}

/// The compiled schemas one endpoint's requests are checked against.
#[derive(Debug, Clone, Default)]
pub struct Contract {
    /// One schema per path parameter, by name.
    pub path: Vec<(String, Compiled)>,
    /// The object of documented query parameters, if any are documented.
    pub query: Option<Compiled>,
    /// The object of documented headers, if any are documented.
    pub headers: Option<Compiled>,
    /// The body, if the endpoint takes one.
    pub body: Option<Compiled>,
    /// The entity JSON Patch and Merge Patch requests apply to: the
    /// documented example body, or, where that body is itself a JSON Patch
    /// document, the entity the endpoint documents returning.
    pub entity: Option<Arc<Value>>,
    /// The schema a patched entity must satisfy where it is not the body's
    /// (always set where the documented body is a JSON Patch document, to
    /// `{}` when no entity is documented): such an endpoint takes
    /// patches of the entity it returns, so a patch is checked by what it
    /// makes of that entity, not by how much it resembles the sample patch.
    pub entity_schema: Option<Compiled>,
}

impl Contract {
    /// Compiles the schemas of `parameters`, refining the body's with the
    /// documented example body. The error names the parameter location at
    /// fault and why its schema does not compile.
    ///
    /// `returned` is the entity the endpoint documents answering with: when
    /// the example body is a JSON Patch document (SuperOffice's PATCH
    /// pages), the body must be a JSON Patch, not something shaped like the
    /// sample (whose values are placeholders such as `{}`), and patches
    /// apply to `returned` and are checked by its shape.
    pub fn build(
        parameters: &[Parameter],
        example_body: Option<&Value>,
        returned: Option<&Value>,
    ) -> Result<Contract, String> {
        let of = |location: Location| parameters.iter().filter(move |p| p.location == location);
        let mut contract = Contract::default();
        for parameter in of(Location::Path) {
            let compiled = Compiled::new(parameter.schema.clone())
                .map_err(|e| format!("path parameter {}: {e}", parameter.name))?;
            contract.path.push((parameter.name.clone(), compiled));
        }
        let object = |location: Location| {
            object_schema(of(location).map(|p| (p.name.as_str(), &p.schema, p.required)))
        };
        if of(Location::Query).next().is_some() {
            contract.query =
                Some(Compiled::new(object(Location::Query)).map_err(|e| format!("query: {e}"))?);
        }
        if of(Location::Header).next().is_some() {
            contract.headers =
                Some(Compiled::new(object(Location::Header)).map_err(|e| format!("headers: {e}"))?);
        }
        if example_body.is_some_and(is_json_patch) {
            // The rows of a list body describe its items, which RFC 6902
            // already defines; the sample's values say nothing.
            contract.body =
                Some(Compiled::new(json_patch_schema()).map_err(|e| format!("body: {e}"))?);
            // What a patch makes is judged by the entity it patches; an
            // endpoint that documents no entity constrains nothing, rather
            // than holding the result to the patch list's own schema.
            let entity_schema = returned.map_or_else(|| json!({}), shape_of);
            contract.entity_schema =
                Some(Compiled::new(entity_schema).map_err(|e| format!("patched entity: {e}"))?);
            contract.entity = returned.cloned().map(Arc::new);
            return Ok(contract);
        }
        let body = if of(Location::Body).next().is_some() {
            let mut schema = object(Location::Body);
            if let Some(example) = example_body {
                refine_with_example(&mut schema, example);
            }
            Some(schema)
        } else {
            example_body.map(shape_of)
        };
        if let Some(schema) = body {
            contract.body = Some(Compiled::new(schema).map_err(|e| format!("body: {e}"))?);
        }
        contract.entity = example_body.cloned().map(Arc::new);
        Ok(contract)
    }

    /// The compiled schema of path parameter `name`.
    pub fn path_param(&self, name: &str) -> Option<&Compiled> {
        self.path.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }
}

/// A documented parameter with its schema ready for use.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Name.
    pub name: String,
    /// Where it travels.
    pub location: Location,
    /// Whether it must be sent.
    pub required: bool,
    /// JSON Schema (`{}` when the spec gives none).
    pub schema: Value,
    /// The spec's example value.
    pub example: Option<Value>,
    /// The description from the page.
    pub description: String,
    /// The type as the page words it.
    pub doc_type: Option<String>,
}

impl Parameter {
    /// The JSON type named by the schema's `type`, if it names one.
    pub fn json_type(&self) -> Option<&str> {
        match self.schema.get("type") {
            Some(Value::String(t)) => Some(t),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The violations `find_violations` lists and the names it binds.
    fn found(
        compiled: &Compiled,
        instance: &Value,
        bind_missing: bool,
    ) -> (Vec<String>, Vec<String>, usize) {
        let mut missing = Vec::new();
        let mut found = Violations::default();
        compiled.find_violations(
            instance,
            (Location::Body, "/x"),
            bind_missing,
            &mut missing,
            &mut found,
        );
        let problem = crate::contract::problem::Problem::new(400, "").with_found(found);
        let mut lines: Vec<String> = problem.violations.iter().map(Violation::describe).collect();
        lines.sort();
        (lines, missing, problem.unlisted)
    }

    #[test]
    fn a_large_instance_is_checked_member_by_member_with_the_same_findings() {
        let schema = json!({
            "type": "object",
            "required": ["Name", "Id"],
            "additionalProperties": false,
            "properties": {
                "Id": {"type": "integer", "format": "int32"},
                "Name": {"type": ["string", "null"]},
                "Kind": {"enum": ["a", "b"]},
                "Either": {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "string"}}]},
                "Emails": {"type": ["array", "null"], "items": {
                    "type": "object",
                    "properties": {"Value": {"type": ["string", "null"]}, "Rank": {"type": "integer"}}
                }}
            }
        });
        let compiled = Compiled::new(schema).expect("compiles");
        let mut emails: Vec<Value> = (0..1500)
            .map(|i| json!({"Value": format!("{i}@x")}))
            .collect();
        emails[3] = json!({"Value": 5, "Rank": "high"});
        emails[700] = json!("not an object");
        let large = json!({
            "Id": 3000000000_i64,
            "Kind": "c",
            "Unknown": 1,
            "Either": [1, "a"],
            "Emails": emails,
        });
        assert!(is_large(&large));
        let whole: Vec<Violation> = compiled.violations(&large, Location::Body, "/x");
        let mut expected: Vec<String> = whole.iter().map(Violation::describe).collect();
        expected.sort();
        assert_eq!(expected.len(), 8, "{expected:#?}");
        assert_eq!(found(&compiled, &large, false), (expected, Vec::new(), 0));
        // A required member left out is bound at the top, as checked whole.
        let (lines, missing, _) = found(&compiled, &large, true);
        assert_eq!(missing, ["Name"]);
        assert_eq!(lines.len(), 7, "{lines:#?}");
        // Past the listed ones, violations are counted.
        let many = json!({"Id": 1, "Name": "n", "Emails": vec![json!({"Value": 5}); 5000]});
        let (lines, _, unlisted) = found(&compiled, &many, false);
        assert_eq!((lines.len(), unlisted), (100, 4900));
    }

    #[test]
    fn formats_are_asserted_and_unknown_ones_passed_over() {
        let guid = Compiled::new(json!({"type": "string", "format": "uuid"})).expect("compiles");
        assert!(guid.accepts(&json!("8a8d5a6c-1d0b-4c3e-9b8e-0d1f2a3b4c5d")));
        assert_eq!(
            guid.violations(&json!("abc"), Location::Path, "/userid"),
            [Violation {
                location: Location::Path,
                pointer: "/userid".into(),
                expected: "a uuid value".into(),
                got: Some("\"abc\"".into()),
            }]
        );
        let date =
            Compiled::new(json!({"type": "string", "format": "date-time"})).expect("compiles");
        assert!(date.accepts(&json!("2020-12-08T17:37:04.5916406Z")));
        assert!(!date.accepts(&json!("08.12.2020")));
        // .NET's integer widths are read by `bound_integers`, not as formats.
        let int32 = Compiled::new(json!({"type": "integer", "format": "int32"})).expect("compiles");
        assert!(int32.accepts(&json!(7)));
        assert!(!int32.accepts(&json!(i64::from(i32::MAX) + 1)));
    }

    #[test]
    fn every_violation_is_reported_with_its_pointer() {
        let compiled = Compiled::new(object_schema(
            [
                ("id", &json!({"type": "integer"}), true),
                ("name", &json!({"type": "string"}), true),
            ]
            .into_iter(),
        ))
        .expect("schema compiles");
        let violations = compiled.violations(&json!({"id": "x"}), Location::Body, "");
        let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(pointers, ["/name", "/id"]);
        assert_eq!(violations[1].expected, "an integer");
        assert_eq!(violations[1].got.as_deref(), Some("\"x\""));
    }

    #[test]
    fn a_patch_endpoint_that_documents_no_entity_holds_a_patched_entity_to_nothing() {
        let sample = json!([{"op": "replace", "path": "Name", "value": {}}]);
        let contract = Contract::build(&[], Some(&sample), None).expect("builds");
        let entity = contract
            .entity_schema
            .expect("a schema for the patched entity");
        assert!(entity.accepts(&json!({"Name": "x"})));
        let returned = json!({"Name": "A"});
        let contract = Contract::build(&[], Some(&sample), Some(&returned)).expect("builds");
        let entity = contract.entity_schema.expect("the returned entity's shape");
        assert!(!entity.accepts(&json!({"Name": 5})));
    }

    #[test]
    fn integers_are_bounded_by_the_dotnet_type_behind_them() {
        let written = json!({
            "type": "object",
            "properties": {
                "id": {"type": "integer", "format": "int32"},
                "big": {"type": ["integer", "null"]},
                "default": {"type": "array", "items": {"type": "integer"}},
                "own": {"type": "integer", "maximum": 5},
                "either": {"type": ["number", "integer"]},
                "keys": {"type": "object", "additionalProperties": true,
                         "propertyNames": {"pattern": "^[a-z]$"},
                         "dependentSchemas": {"k": {"properties": {"n": {"type": "integer"}}}}}
            }
        });
        let compiled = Compiled::new(written.clone()).expect("compiles");
        assert!(compiled.accepts(&json!({"id": 2147483647, "big": 9223372036854775807_i64})));
        let pointers = |value: Value| -> Vec<String> {
            compiled
                .violations(&value, Location::Body, "")
                .into_iter()
                .map(|v| v.pointer)
                .collect()
        };
        assert_eq!(pointers(json!({"id": 2147483648_i64})), ["/id"]);
        assert_eq!(pointers(json!({"id": -2147483649_i64})), ["/id"]);
        assert_eq!(pointers(json!({"big": 9223372036854775808_u64})), ["/big"]);
        assert_eq!(pointers(json!({"big": 1e20})), ["/big"]);
        assert_eq!(pointers(json!({"default": [1, 1e30]})), ["/default/1"]);
        assert_eq!(pointers(json!({"own": 6})), ["/own"]);
        assert!(
            pointers(json!({"either": 1e30})).is_empty(),
            "a number may be large"
        );
        assert_eq!(pointers(json!({"keys": {"k": 1, "n": 1e20}})), ["/keys/n"]);
        assert_eq!(*compiled.schema, written, "the schema as written is kept");
    }

    #[test]
    fn names_sent_in_another_case_take_the_documented_spelling_at_every_depth() {
        let schema = json!({
            "type": "object",
            "properties": {
                "userName": {"type": "string"},
                "Emails": {"type": "array", "items": {"type": "object", "properties": {"Value": {}}}}
            }
        });
        let mut sent = json!({"username": "a", "emails": [{"value": "x"}], "other": 1});
        respell(&mut sent, &schema);
        assert_eq!(
            sent,
            json!({"other": 1, "userName": "a", "Emails": [{"Value": "x"}]})
        );
        // The documented spelling sent wins over another one.
        let mut both = json!({"USERNAME": "b", "userName": "a"});
        respell(&mut both, &schema);
        assert_eq!(both, json!({"USERNAME": "b", "userName": "a"}));
    }

    #[test]
    fn a_missing_member_binds_its_types_default() {
        assert_eq!(bound_default(&json!({"type": "integer"})), "0");
        assert_eq!(bound_default(&json!({"type": "boolean"})), "false");
        assert_eq!(bound_default(&json!({"type": ["integer", "null"]})), "null");
        assert_eq!(bound_default(&json!({"type": "array"})), "an empty list");
        assert_eq!(bound_default(&json!({"type": "string"})), "null");
        assert_eq!(
            bound_default(&json!({"type": "string", "format": "uuid"})),
            "00000000-0000-0000-0000-000000000000"
        );
    }

    #[test]
    fn example_shapes_refine_bare_array_and_object_types() {
        let mut schema =
            object_schema([("Emails", &json!({"type": ["array", "null"]}), false)].into_iter());
        refine_with_example(&mut schema, &json!({"Emails": [{"Value": "a"}]}));
        let compiled = Compiled::new(schema).expect("compiles");
        assert!(compiled.accepts(&json!({"Emails": [{"Value": null}]})));
        let violations =
            compiled.violations(&json!({"Emails": [{"Value": 5}]}), Location::Body, "");
        assert_eq!(violations[0].pointer, "/Emails/0/Value");
    }
}
