//! The vendors' documented type names, as JSON Schemas.
//!
//! ONLYOFFICE pages word types loosely ("number", "Bool value", "Collection of
//! numbers", "guid", enum names), R7-Office pages translate them ("номер",
//! "строка"), SuperOffice pages use .NET-ish names ("int32", "String",
//! carrier type names). Unknown names never fail an import: they give a
//! schema that constrains nothing.

use serde_json::{Value, json};

/// A documented type recognised in a parameter row: its words and schema.
#[derive(Debug, Clone, PartialEq)]
pub struct DocType {
    /// The type as the page words it.
    pub text: String,
    /// Its JSON Schema.
    pub schema: Value,
}

/// The scalar kinds the vocabulary maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Integer,
    String,
    Boolean,
    Guid,
    Date,
    Object,
    Array,
}

/// Phrases of the ONLYOFFICE and R7-Office type column, longest first so
/// that "Bool value" wins over "Bool".
const ONLYOFFICE_TYPES: &[(&str, Kind)] = &[
    ("логическое значение", Kind::Boolean),
    ("булево значение", Kind::Boolean),
    ("дата и время", Kind::Date),
    ("floating point number", Kind::Number),
    ("date and time", Kind::Date),
    ("bool value", Kind::Boolean),
    ("apidatetime", Kind::Date),
    ("date time", Kind::Date),
    ("datetime", Kind::Date),
    ("boolean", Kind::Boolean),
    ("integer", Kind::Integer),
    ("decimal", Kind::Number),
    ("строковый", Kind::String),
    ("number", Kind::Number),
    ("string", Kind::String),
    ("object", Kind::Object),
    ("array", Kind::Array),
    ("int32", Kind::Integer),
    ("int64", Kind::Integer),
    ("логический", Kind::Boolean),
    ("строка", Kind::String),
    ("число", Kind::Number),
    ("номер", Kind::Number),
    ("объект", Kind::Object),
    ("массив", Kind::Array),
    ("guid", Kind::Guid),
    ("uuid", Kind::Guid),
    ("date", Kind::Date),
    ("дата", Kind::Date),
    ("bool", Kind::Boolean),
    ("long", Kind::Integer),
    ("byte", Kind::Integer),
    ("int", Kind::Integer),
];

/// Collection phrases: "Collection of numbers", "List of string",
/// "Коллекция номеров" … followed by the item type.
const COLLECTIONS: &[&str] = &[
    "collection of",
    "list of",
    "array of",
    "коллекция",
    "список",
    "массив",
];

/// Splits a parameter row's text — description, type, example — at the
/// documented type: the last type phrase (after at least one description
/// word) whose following example fits it.
pub fn split_row(text: &str) -> (String, Option<DocType>, Option<Value>) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    // The last type phrase whose example fits it: descriptions say "String
    // parameter" or "the number of" far more often than examples contain a
    // type word.
    for start in (1..words.len()).rev() {
        let Some((mut start, mut len, mut doc_type, mut kind)) =
            type_at(&words, &lower, start).map(|(len, t, k)| (start, len, t, k))
        else {
            continue;
        };
        // `Collection of ASC.CRM.Core.Entities.InvoiceLines`: the .NET name
        // is the item type of the collection phrase before it, which the
        // walk from the end reaches only after it.
        if let Some((at, found)) = COLLECTIONS.iter().find_map(|phrase| {
            let n = phrase.split(' ').count();
            let at = start.checked_sub(n).filter(|&at| at >= 1)?;
            let found = type_at(&words, &lower, at).filter(|(l, _, _)| at + l == start + len)?;
            Some((at, found))
        }) {
            (start, (len, doc_type, kind)) = (at, found);
        }
        let example_words = &words[start + len..];
        let example_text = example_words.join(" ");
        let placeholder = is_no_example(&example_text);
        let example = (!placeholder)
            .then(|| parse_example(&example_text, kind))
            .flatten();
        if example_words.is_empty() || placeholder || example.is_some() {
            let example = example.map(|e| fit_example(e, &doc_type.schema));
            return (words[..start].join(" "), Some(doc_type), example);
        }
    }
    (words.join(" "), None, None)
}

/// `N/A`: what the generator writes in the example cell of a parameter it
/// has no example for (a file upload). Read as an example, it would be
/// sent as the value.
fn is_no_example(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("n/a")
}

/// The generator's type for files sent as `multipart/form-data` parts
/// (`Files for adding using multipart/form-data`), spanning the words from
/// `start`. A JSON or form body cannot carry a file, so the example body
/// sends an empty list; the schema constrains nothing.
fn upload(lower: &[String], start: usize) -> Option<(usize, DocType)> {
    const TAIL: [&str; 4] = ["for", "adding", "using", "multipart/form-data"];
    let head = lower.get(start)?;
    let tail = lower.get(start + 1..start + 1 + TAIL.len())?;
    ((head == "file" || head == "files") && tail.iter().zip(TAIL).all(|(w, t)| w == t)).then(|| {
        (
            1 + TAIL.len(),
            DocType {
                text: String::new(),
                schema: json!({}),
            },
        )
    })
}

/// A row whose cells a rendering ran together without spaces — the
/// R7-Office pages' `Идентификатор категории задачиномер1234`,
/// `Контактные данныестроковыйтекст` — split at the last scalar type
/// phrase whose example fits it. Only a fallback for rows where
/// [`split_row`] finds no type, and only where the text must be glued
/// cells: a number, boolean or guid example run into its type, a date
/// that starts like one, or a string type run into both its neighbours
/// (a type word merely inside a description word is no cell).
pub fn glued_row(text: &str) -> Option<(String, DocType, Option<Value>)> {
    let chars: Vec<char> = text.trim().chars().collect();
    let lower: Vec<char> = chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let mut best: Option<(usize, usize, Kind)> = None;
    for (phrase, kind) in ONLYOFFICE_TYPES {
        let phrase: Vec<char> = phrase.chars().collect();
        if phrase.len() > lower.len() {
            continue;
        }
        for start in (0..=lower.len() - phrase.len()).rev() {
            if lower[start..start + phrase.len()] != phrase[..] {
                continue;
            }
            if best.is_some_and(|(at, len, _)| at > start || (at == start && len >= phrase.len())) {
                break;
            }
            let end = start + phrase.len();
            let left_glued = start > 0 && chars[start - 1].is_alphabetic();
            let right_glued = chars.get(end).is_some_and(|c| !c.is_whitespace());
            let example: String = chars[end..].iter().collect::<String>().trim().to_string();
            let fits = !example.is_empty()
                && match kind {
                    Kind::Number | Kind::Integer | Kind::Boolean | Kind::Guid => {
                        (left_glued || right_glued)
                            && parse_example(&example, Some(*kind)).is_some()
                    }
                    Kind::Date => {
                        (left_glued || right_glued)
                            && example
                                .trim_start_matches("Roundtrip format:")
                                .trim()
                                .starts_with(|c: char| c.is_ascii_digit())
                    }
                    Kind::String => left_glued && right_glued,
                    Kind::Object | Kind::Array => false,
                };
            if fits {
                best = Some((start, phrase.len(), *kind));
                break;
            }
        }
    }
    let (start, len, kind) = best?;
    let description: String = chars[..start].iter().collect::<String>().trim().to_string();
    let example: String = chars[start + len..].iter().collect::<String>();
    let doc_type = DocType {
        text: chars[start..start + len].iter().collect(),
        schema: kind_schema(kind),
    };
    let example = parse_example(&example, Some(kind));
    Some((description, doc_type, example))
}

/// The phrases that open a collection type, as the type cell writes them.
const COLLECTION_CELLS: &[&str] = &["Collection of", "List of", "Array of", "Коллекция"];

/// A row whose description cell a rendering ran into a collection type
/// (`Список идентификаторов сделокCollection of numbers 1234`) with the
/// space put back, split like any row. The cells show only where a
/// lower-case letter meets the capital that opens the phrase: a
/// description that merely mentions a collection has a space before it.
pub fn unglued_collection(text: &str) -> Option<(String, DocType, Option<Value>)> {
    for phrase in COLLECTION_CELLS {
        for (at, _) in text.match_indices(phrase) {
            let glued = text[..at]
                .chars()
                .next_back()
                .is_some_and(char::is_lowercase);
            if !glued {
                continue;
            }
            let spaced = format!("{} {}", &text[..at], &text[at..]);
            if let (description, Some(doc_type), example) = split_row(&spaced) {
                return Some((description, doc_type, example));
            }
        }
    }
    None
}

/// A collection's example shown as one item (`some text`) becomes a list of
/// that item, typed as the items are.
fn fit_example(example: Value, schema: &Value) -> Value {
    if schema.get("type").and_then(Value::as_str) != Some("array") || example.is_array() {
        return example;
    }
    let mut list = Value::Array(vec![example]);
    crate::answer::body::coerce(&mut list, schema);
    list
}

/// The type phrase starting at word `start`, its length in words, and kind.
fn type_at(
    words: &[&str],
    lower: &[String],
    start: usize,
) -> Option<(usize, DocType, Option<Kind>)> {
    for collection in COLLECTIONS {
        let phrase: Vec<&str> = collection.split(' ').collect();
        if lower.len() >= start + phrase.len() && lower[start..start + phrase.len()] == phrase[..] {
            // The item type, if one of the next words names it: a known
            // word, or a .NET type name (`ASC.Api.Collections.ItemKeyValuePair`,
            // `Collection of ASC.Files.Core.FileShareParams`), which is
            // part of the type, not its example.
            let next = words.get(start + phrase.len()).copied();
            let item = lower.get(start + phrase.len()).and_then(|w| scalar_kind(w));
            let named = item.is_none() && next.is_some_and(is_type_name);
            // A phrase that names no item type is a type only when nothing
            // or a list follows it: `List of message attachments` is a
            // description whose type and example cells are empty.
            if item.is_none() && !named && next.is_some_and(|w| !w.starts_with('[')) {
                continue;
            }
            let len = phrase.len() + usize::from(item.is_some() || named);
            let text = words[start..start + len].join(" ");
            let items = match (item, named.then_some(next).flatten()) {
                (Some(kind), _) => kind_schema(kind),
                (None, Some(name)) => qualified_type(name.trim_end_matches('s'))
                    .map(|(doc_type, _)| doc_type.schema)
                    .unwrap_or_else(|| json!({})),
                (None, None) => json!({}),
            };
            return Some((
                len,
                DocType {
                    text,
                    schema: json!({"type": "array", "items": items}),
                },
                Some(Kind::Array),
            ));
        }
    }
    if let Some((len, doc_type)) = dictionary(words, start) {
        return Some((len, doc_type, Some(Kind::Array)));
    }
    if let Some((len, doc_type)) = upload(lower, start) {
        let text = words[start..start + len].join(" ");
        return Some((len, DocType { text, ..doc_type }, None));
    }
    if let Some(doc_type) = qualified_type(words[start]) {
        let kind = doc_type.1;
        return Some((1, doc_type.0, kind));
    }
    for (phrase, kind) in ONLYOFFICE_TYPES {
        let parts: Vec<&str> = phrase.split(' ').collect();
        if lower.len() >= start + parts.len()
            && lower[start..start + parts.len()]
                .iter()
                .zip(&parts)
                .all(|(word, part)| word.trim_end_matches([',', '.']) == *part)
        {
            let text = words[start..start + parts.len()].join(" ");
            return Some((
                parts.len(),
                DocType {
                    text,
                    schema: kind_schema(*kind),
                },
                Some(*kind),
            ));
        }
    }
    None
}

/// `Dictionary(key:string, value:string)`, the generator's name for a list
/// of `{"Key": …, "Value": …}` pairs (its examples send a list), spanning
/// the words from `start` to the one that closes the parenthesis.
fn dictionary(words: &[&str], start: usize) -> Option<(usize, DocType)> {
    let first = words.get(start)?;
    if !first.to_lowercase().starts_with("dictionary(") {
        return None;
    }
    let end = (start..words.len()).find(|&i| words[i].contains(')'))?;
    Some((
        end - start + 1,
        DocType {
            text: words[start..=end].join(" "),
            schema: json!({"type": "array", "items": {"type": "object"}}),
        },
    ))
}

/// A word that names a .NET type: dotted segments starting with capitals,
/// possibly generic (`ItemKeyValuePair`2[System.Int32,System.String]`).
fn is_type_name(word: &str) -> bool {
    let head = word.split(['`', '[', '{']).next().unwrap_or("");
    let parts: Vec<&str> = head.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            p.chars().next().is_some_and(char::is_uppercase) && p.chars().all(char::is_alphanumeric)
        })
}

/// An enumeration ending a row's text after its description — `Person
/// privacy: … None, ReadWrite, Read` — possibly followed by the example
/// member (`FixedBid, PerHour, PerYear FixedBid`): the description, the
/// type and the example.
pub fn trailing_enumeration(text: &str) -> Option<(String, DocType, Option<Value>)> {
    // `NotAccept = 0,Open = 1` → `NotAccept=0, Open=1`: one word a member.
    let spaced = text.replace(',', ", ");
    let mut joined = String::new();
    for word in spaced.split_whitespace() {
        let glue = word.starts_with('=') || joined.ends_with('=');
        if !joined.is_empty() && !glue {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    let words: Vec<&str> = joined.split_whitespace().collect();
    // Members are .NET enum names, PascalCase, with or without their value.
    let is_name = |w: &str| {
        let (name, value) = w.split_once('=').unwrap_or((w, "0"));
        name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            && value.trim_start_matches('-').parse::<i64>().is_ok()
    };
    let name_of = |w: &str| {
        let w = w.trim_end_matches(',');
        w.split_once('=').map_or(w, |(name, _)| name).to_string()
    };
    // The members end at `last`, walking back over `Name,` words.
    let members_ending = |last: usize| -> Option<usize> {
        if !is_name(words[last]) {
            return None;
        }
        let mut first = last;
        while first > 0 && words[first - 1].strip_suffix(',').is_some_and(&is_name) {
            first -= 1;
        }
        // Two capitalised words with a comma between them are as often the
        // end of a description ("Title, Description") as an enumeration: a
        // list counts as one with three members or more, with values, or
        // when the description names every member ("0 - everybody, 1 -
        // managers only Everybody, Managers").
        let members = &words[first..=last];
        let described = words[..first].join(" ").to_lowercase();
        let enumerated = members.len() >= 2
            && (members.len() >= 3
                || members.iter().any(|w| w.contains('='))
                || members
                    .iter()
                    .all(|w| described.contains(&name_of(w).to_lowercase())));
        enumerated.then_some(first)
    };
    // The same, for a list whose last member carries a trailing comma.
    let members_ending_at = |last: usize| -> Option<usize> {
        let open = words[last].strip_suffix(',')?;
        if !is_name(open) {
            return None;
        }
        let mut first = last;
        while first > 0 && words[first - 1].strip_suffix(',').is_some_and(&is_name) {
            first -= 1;
        }
        (last - first + 1 >= 3).then_some(first)
    };
    let type_text = |members: &[&str]| {
        members
            .join(" ")
            .replace('=', " = ")
            .trim_end_matches(',')
            .to_string()
    };
    let last = words.len().checked_sub(1)?;
    // A list ending in a comma, then an example that names no member (the
    // mail pages' `…, FillForms, CustomFilter, true`): the type, and no
    // example but a value.
    if last >= 1
        && let Some(open) = words[last - 1].strip_suffix(',')
        && is_name(open)
        && let Some(first) = members_ending_at(last - 1)
        && !words[first..last].iter().any(|w| name_of(w) == words[last])
    {
        let doc_type = DocType {
            text: type_text(&words[first..last]),
            schema: json!({"type": ["string", "integer"]}),
        };
        let example = words[last].parse::<i64>().ok().map(Value::from);
        return Some((words[..first].join(" "), doc_type, example));
    }
    // With the example after the list, then without.
    if last >= 1
        && !words[last].contains('=')
        && let Some(first) = members_ending(last - 1)
        && words[first..last].iter().any(|w| name_of(w) == words[last])
    {
        let doc_type = DocType {
            text: type_text(&words[first..last]),
            schema: json!({"type": ["string", "integer"]}),
        };
        return Some((
            words[..first].join(" "),
            doc_type,
            Some(Value::String(words[last].to_string())),
        ));
    }
    let first = members_ending(last)?;
    let doc_type = DocType {
        text: type_text(&words[first..]),
        schema: json!({"type": ["string", "integer"]}),
    };
    Some((words[..first].join(" "), doc_type, None))
}

/// Plural and genitive forms of item types after "Collection of" /
/// "Коллекция".
const ITEM_FORMS: &[(&str, Kind)] = &[
    ("строк", Kind::String),
    ("номеров", Kind::Number),
    ("чисел", Kind::Number),
];

/// The kind a single (possibly plural) type word names.
fn scalar_kind(word: &str) -> Option<Kind> {
    let word = word.trim_end_matches([',', '.']);
    if let Some((_, kind)) = ITEM_FORMS.iter().find(|(form, _)| *form == word) {
        return Some(*kind);
    }
    let singular = word.strip_suffix('s').unwrap_or(word);
    ONLYOFFICE_TYPES
        .iter()
        .find(|(phrase, _)| *phrase == word || *phrase == singular || word.starts_with(phrase))
        .map(|(_, kind)| *kind)
}

/// A .NET type name as some pages print it: `System.Int32`, `System.Guid[]`,
/// `ASC.CRM.Core.ContactInfoType`.
fn qualified_type(word: &str) -> Option<(DocType, Option<Kind>)> {
    if let Some(list) = generic_list(word) {
        return Some(list);
    }
    let (name, array) = match word.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (word, false),
    };
    let parts: Vec<&str> = name.split('.').collect();
    let qualified = parts.len() >= 2
        && parts.iter().all(|p| {
            p.chars().next().is_some_and(char::is_uppercase) && p.chars().all(char::is_alphanumeric)
        });
    if !qualified {
        return None;
    }
    let last = parts.last().copied().unwrap_or("").to_lowercase();
    let kind = match last.as_str() {
        "string" => Some(Kind::String),
        "boolean" => Some(Kind::Boolean),
        "guid" => Some(Kind::Guid),
        "int32" | "int64" | "int16" | "uint32" | "byte" => Some(Kind::Integer),
        "double" | "single" | "decimal" => Some(Kind::Number),
        "datetime" | "apidatetime" => Some(Kind::Date),
        _ => None,
    };
    let item = kind.map(kind_schema).unwrap_or_else(|| json!({}));
    let (schema, kind) = if array {
        (json!({"type": "array", "items": item}), Some(Kind::Array))
    } else {
        (item, kind)
    };
    Some((
        DocType {
            text: word.to_string(),
            schema,
        },
        kind,
    ))
}

/// The .NET generic collections the mail pages print as a type:
/// `System.Collections.Generic.List`1[System.String]` and the same written
/// `List{System.Int32}`. A list of the argument type, typed as a
/// `Collection of …` row is; read as a plain name they constrained nothing
/// and, no type being found, ran into the description.
fn generic_list(word: &str) -> Option<(DocType, Option<Kind>)> {
    const LISTS: &[&str] = &[
        "List",
        "IList",
        "IEnumerable",
        "ICollection",
        "IReadOnlyList",
        "IReadOnlyCollection",
        "Collection",
        "HashSet",
    ];
    let open = word.find(['`', '{', '['])?;
    let head = &word[..open];
    let parts: Vec<&str> = head.split('.').collect();
    let is_list = parts.len() >= 2
        && parts.iter().all(|p| {
            p.chars().next().is_some_and(char::is_uppercase) && p.chars().all(char::is_alphanumeric)
        })
        && parts.last().is_some_and(|last| LISTS.contains(last));
    if !is_list {
        return None;
    }
    // `1[…]` or {…}: the one type argument.
    let argument = word[open..]
        .trim_start_matches('`')
        .trim_start_matches(|c: char| c.is_ascii_digit());
    let argument = argument
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .or_else(|| argument.strip_prefix('{').and_then(|a| a.strip_suffix('}')))?;
    if argument.contains(',') {
        return None;
    }
    let items = qualified_type(argument)
        .map(|(doc_type, _)| doc_type.schema)
        .unwrap_or_else(|| json!({}));
    Some((
        DocType {
            text: word.to_string(),
            schema: json!({"type": "array", "items": items}),
        },
        Some(Kind::Array),
    ))
}

fn kind_schema(kind: Kind) -> Value {
    match kind {
        // The vendors' "number" is nearly always an id or a count.
        Kind::Number | Kind::Integer => json!({"type": "integer"}),
        Kind::String => json!({"type": "string"}),
        Kind::Boolean => json!({"type": "boolean"}),
        Kind::Guid => json!({"type": "string", "format": "uuid"}),
        Kind::Date => json!({"type": "string"}),
        Kind::Object => json!({"type": "object"}),
        Kind::Array => json!({"type": "array"}),
    }
}

/// The example text as a JSON value that fits `kind`, or `None` when it
/// does not fit (or is empty).
fn parse_example(text: &str, kind: Option<Kind>) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match kind {
        Some(Kind::Number | Kind::Integer) => {
            text.parse::<i64>().map(Value::from).ok().or_else(|| {
                text.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
            })
        }
        Some(Kind::Boolean) => match text.to_lowercase().as_str() {
            "true" | "правда" | "истина" => Some(Value::Bool(true)),
            "false" | "ложь" => Some(Value::Bool(false)),
            _ => None,
        },
        // A date example is a date (`Roundtrip format: 2008-04-10T06-30-00.000Z`):
        // R7-Office descriptions start with the type's own word (`Дата
        // выставления нового счета`), and the rest of such a row is no example.
        Some(Kind::Date) => {
            let date = text.trim_start_matches("Roundtrip format:").trim();
            date.starts_with(|c: char| c.is_ascii_digit())
                .then(|| Value::String(date.to_string()))
        }
        Some(Kind::Guid) => (text.len() == 36
            && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
        .then(|| Value::String(text.to_string())),
        Some(Kind::Array) => serde_json::from_str::<Value>(text)
            .ok()
            .filter(Value::is_array)
            .or_else(|| Some(Value::String(text.to_string()))),
        // "Collection of numbers" shows `1234`; the item kind was checked
        // when the phrase was read.
        _ => Some(Value::String(text.to_string())),
    }
}

/// An enumeration shown in place of a type (`All, Company, Person` or
/// `High = 1, Normal = 0, Low = -1`): sent as a name or a number.
pub fn enumeration(line: &str) -> Option<DocType> {
    // Some pages end the list with a comma (`…, FillForms, CustomFilter,`).
    let line = line.trim().strip_suffix(',').unwrap_or(line.trim());
    let items: Vec<&str> = line.split(',').map(str::trim).collect();
    let is_member = |item: &&str| {
        let (name, value) = item.split_once('=').unwrap_or((item, "0"));
        let name = name.trim();
        !name.is_empty()
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
            && value.trim().parse::<i64>().is_ok()
    };
    (items.len() >= 2 && items.iter().all(is_member)).then(|| DocType {
        text: line.trim().to_string(),
        schema: json!({"type": ["string", "integer"]}),
    })
}

/// What a page's `Returns` text says of the returned value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Returned {
    /// The returned type's name (`Contact`, `List of contacts`), when the
    /// text names one; pages without an example are given the documented
    /// example of another page naming the same type.
    pub type_name: Option<String>,
    /// The text, when it describes a value instead of naming a type
    /// (`Path to the contact photo`, `Bool value: true means …`).
    pub description: String,
    /// The page says the method returns nothing.
    pub no_data: bool,
}

/// Whether a returned type's name says the value is a collection: `List of
/// contacts`, `User list`, `Collection of tags`, `Contact[]`,
/// `List<Contact>`, `IEnumerable<Contact>`, `array`, `Список контактов`.
pub fn names_a_collection(type_name: &str) -> bool {
    let lower = type_name.trim().to_lowercase();
    let generic = ["list<", "ienumerable<", "icollection<", "ilist<", "array<"];
    let phrases = [
        "list of ",
        "collection of ",
        "array of ",
        "список ",
        "коллекция ",
    ];
    lower.ends_with("[]")
        || lower == "array"
        || lower.ends_with(" list")
        || lower.ends_with(" collection")
        || generic.iter().any(|g| lower.starts_with(g))
        || phrases.iter().any(|p| lower.starts_with(p))
}

/// How the generator says a method returns nothing.
const NO_DATA: &[&str] = &[
    "doesn't return any data",
    "does not return any data",
    "returns no data",
    "returns nothing",
    "не возвращает",
];

/// How a `Returns` text opens when it describes a scalar value rather than
/// naming a type: such a description matched against another page's would
/// lend a boolean the example of an unrelated object.
const VALUE_OPENINGS: &[&str] = &[
    "bool value",
    "boolean value",
    "integer value",
    "string value",
    "number value",
    "true if",
    "true means",
    "true -",
    "path to",
    "link to",
    "url to",
    "логическое значение",
    "булево значение",
    "путь к",
];

/// Reads a `Returns` text: `Contact` names a type; `This method doesn't
/// return any data.` says there is none; `Path to the contact photo`,
/// `Bool value: true means …` or `Updated setting (true or false)`
/// describe a value and name no type. Only noun phrases name a type, so a
/// colon or a parenthesised explanation makes a description.
pub fn returned(text: &str) -> Returned {
    let text = text.trim().trim_end_matches(['.', ' ']);
    let lower = text.to_lowercase().replace('\u{2019}', "'");
    if text.is_empty() {
        return Returned::default();
    }
    if NO_DATA.iter().any(|phrase| lower.contains(phrase)) {
        return Returned {
            no_data: true,
            ..Returned::default()
        };
    }
    // `(true or false)` explains a value; `file(s)` is still a noun.
    let explained = text.split('(').skip(1).any(|inner| {
        inner
            .split(')')
            .next()
            .is_some_and(|i| i.contains([' ', ',']))
    });
    let describes_a_value = text.contains([':', '='])
        || explained
        || VALUE_OPENINGS
            .iter()
            .any(|opening| lower.starts_with(opening));
    if describes_a_value {
        Returned {
            description: text.to_string(),
            ..Returned::default()
        }
    } else {
        Returned {
            type_name: Some(text.to_string()),
            ..Returned::default()
        }
    }
}

/// How a description introduces the values a parameter takes.
const ALLOWED_VALUES: &[&str] = &["allowed values:", "допустимые значения:"];

/// The closed list of values a description names — `Allowed values:
/// contact, person, company`, `… opportunity, contact, or case`, `0
/// (TextField), 1 (TextArea), … or 5 (Date)` — as JSON values: words as
/// strings, numbered members as their numbers. `None` for an open list
/// (`EUR, RUB etc.`), a member of several words, or fewer than two
/// members.
pub fn allowed_values(description: &str) -> Option<Vec<Value>> {
    let lower = description.to_lowercase();
    let (at, phrase) = ALLOWED_VALUES
        .iter()
        .find_map(|phrase| lower.find(phrase).map(|at| (at, phrase)))?;
    // Lower-casing may change lengths before `at` only in non-ASCII text,
    // where the phrase is then looked for again in the text itself.
    let rest = description
        .get(at + phrase.len()..)
        .filter(|_| lower.len() == description.len())?;
    let rest = rest
        .trim()
        .trim_start_matches('{')
        .trim_end_matches(['}', '.']);
    let mut members = Vec::new();
    for item in rest.split(',').flat_map(|part| part.split(" or ")) {
        let item = item.trim();
        let item = item.strip_prefix("or ").unwrap_or(item).trim();
        if item.is_empty() {
            continue;
        }
        // `0 (TextField)`: the number is what is sent.
        let head = item.split_once(" (").map_or(item, |(number, _)| number);
        if head.contains(char::is_whitespace) || head.eq_ignore_ascii_case("etc") {
            return None;
        }
        if let Ok(number) = head.parse::<i64>() {
            members.push(Value::from(number));
        } else if head
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            members.push(Value::String(head.to_string()));
        } else {
            return None;
        }
    }
    let same_kind = members.iter().all(Value::is_string) || members.iter().all(Value::is_i64);
    (members.len() >= 2 && same_kind).then_some(members)
}

/// Restricts a plain string or integer `schema` to the values its
/// description allows, and makes the example one of them: the generator
/// writes `some text` or `1234` under every string or number, and sent
/// where the server's route only takes `(contact|person|company)`
/// (module/ASC.Api/ASC.Api.CRM/CRMApi.CustomFields.cs), the page's own
/// example would be refused. Enumerations already typed by their members
/// are left as they are.
pub fn restrict_to_allowed_values(
    schema: &mut Value,
    example: &mut Option<Value>,
    description: &str,
) {
    let Some(members) = allowed_values(description) else {
        return;
    };
    let kind = match schema.get("type").and_then(Value::as_str) {
        Some("string") if members[0].is_string() => "string",
        Some("integer" | "number") if members[0].is_i64() => "integer",
        _ => return,
    };
    if schema.as_object().is_some_and(|o| o.len() != 1) {
        return;
    }
    if !example.as_ref().is_some_and(|e| members.contains(e)) {
        *example = members.first().cloned();
    }
    *schema = json!({"type": kind, "enum": members});
}

/// The schema of an ONLYOFFICE parameter whose example is fractional:
/// "number" then means a real number, not an id.
pub fn widen_for_example(schema: &mut Value, example: Option<&Value>) {
    if let Some(Value::Number(n)) = example
        && n.is_f64()
        && schema.get("type").and_then(Value::as_str) == Some("integer")
    {
        *schema = json!({"type": "number"});
    }
}

/// A SuperOffice table type (`int32`, `String`, `bool`, `date-time`,
/// `array`, carrier names) as a schema. `nullable` says whether .NET
/// reference types may be null (request bodies).
pub fn superoffice_schema(doc_type: &str, nullable: bool) -> Value {
    let lower = doc_type.trim().to_ascii_lowercase();
    let (kind, reference) = match lower.as_str() {
        "int32" | "int64" | "integer" | "int" | "long" | "short" | "int16" => ("integer", false),
        "double" | "decimal" | "float" | "number" => ("number", false),
        "bool" | "boolean" => ("boolean", false),
        "string" | "date-time" | "datetime" | "date" | "guid" | "uuid" => ("string", true),
        "array" => ("array", true),
        // `Enum: Slim, Wide, Full`: sent by member name.
        _ if lower.starts_with("enum:") => ("string", true),
        _ if lower.ends_with("[]") => ("array", true),
        _ => ("object", true),
    };
    if nullable && reference {
        json!({"type": [kind, "null"]})
    } else {
        json!({"type": kind})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_are_named_in_words_and_in_dotnet_spellings() {
        for name in [
            "List of contacts",
            "User list",
            "Collection of tags",
            "System.Int32[]",
            "List<Contact>",
            "IEnumerable<ContactWrapper>",
            "array",
            "Список контактов",
        ] {
            assert!(names_a_collection(name), "{name}");
        }
        for name in [
            "Contact",
            "Case",
            "Invoice information",
            "Listing",
            "Arrays",
        ] {
            assert!(!names_a_collection(name), "{name}");
        }
    }

    #[test]
    fn two_capitalised_words_are_a_description_not_an_enumeration() {
        assert!(trailing_enumeration("Описание Title, Description").is_none());
        assert!(trailing_enumeration("Contact ID, Person ID").is_none());
        let (description, doc_type, example) =
            trailing_enumeration("Access: None, ReadWrite, Read").expect("three members");
        assert_eq!(description, "Access:");
        assert_eq!(doc_type.text, "None, ReadWrite, Read");
        assert_eq!(example, None);
        assert!(trailing_enumeration("Priority High = 1, Low = 0").is_some());
    }

    #[test]
    fn rows_split_at_the_documented_type() {
        let (description, doc_type, example) = split_row("New contact status ID number 1234");
        assert_eq!(description, "New contact status ID");
        assert_eq!(doc_type.map(|t| t.text), Some("number".to_string()));
        assert_eq!(example, Some(json!(1234)));
    }

    #[test]
    fn russian_rows_split_too() {
        let (description, doc_type, example) = split_row("Идентификатор контакта номер 1234");
        assert_eq!(description, "Идентификатор контакта");
        assert_eq!(doc_type.map(|t| t.schema), Some(json!({"type": "integer"})));
        assert_eq!(example, Some(json!(1234)));
    }

    #[test]
    fn a_type_word_in_the_description_does_not_end_it() {
        let (description, doc_type, example) = split_row("The number of items number 10");
        assert_eq!(description, "The number of items");
        assert_eq!(doc_type.map(|t| t.text), Some("number".to_string()));
        assert_eq!(example, Some(json!(10)));
    }

    #[test]
    fn multi_word_types_and_examples() {
        let (description, doc_type, example) = split_row("Show only companies Bool value true");
        assert_eq!(description, "Show only companies");
        assert_eq!(doc_type.map(|t| t.schema), Some(json!({"type": "boolean"})));
        assert_eq!(example, Some(json!(true)));
        let (_, doc_type, example) = split_row("Contact title string some text");
        assert_eq!(doc_type.map(|t| t.text), Some("string".to_string()));
        assert_eq!(example, Some(json!("some text")));
        let (_, doc_type, example) = split_row("Tag list Collection of strings [\"a\"]");
        assert_eq!(
            doc_type.map(|t| t.schema),
            Some(json!({"type": "array", "items": {"type": "string"}}))
        );
        assert_eq!(example, Some(json!(["a"])));
    }

    #[test]
    fn generic_dotnet_lists_are_lists_of_their_argument() {
        let (description, doc_type, example) = split_row(
            "List of mail addresses. Format: Name <name@domain> \
             System.Collections.Generic.List`1[System.String]",
        );
        assert_eq!(
            description,
            "List of mail addresses. Format: Name <name@domain>"
        );
        assert_eq!(
            doc_type.map(|t| t.schema),
            Some(json!({"type": "array", "items": {"type": "string"}}))
        );
        assert_eq!(example, None);
        let (_, doc_type, _) =
            split_row("List of tag IDs System.Collections.Generic.List{System.Int32}");
        assert_eq!(
            doc_type.map(|t| t.schema),
            Some(json!({"type": "array", "items": {"type": "integer"}}))
        );
        let (_, doc_type, _) = split_row(
            "Attachments System.Collections.Generic.List{ASC.Mail.Data.Contracts.MailAttachmentData}",
        );
        assert_eq!(
            doc_type.map(|t| t.schema),
            Some(json!({"type": "array", "items": {}}))
        );
    }

    #[test]
    fn a_description_opening_like_a_collection_is_no_type() {
        assert!(type_at_start("List of message attachments").is_none());
        let (description, doc_type, example) = split_row("List of message attachments");
        assert_eq!(description, "List of message attachments");
        assert!(doc_type.is_none());
        assert_eq!(example, None);
        let (_, doc_type, _) = split_row("Tags Collection of strings");
        assert!(doc_type.is_some());
    }

    /// The type phrase at the first word, as a one-line row's type cell.
    fn type_at_start(text: &str) -> Option<(usize, DocType, Option<Kind>)> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        type_at(&words, &lower, 0)
    }

    #[test]
    fn a_file_upload_is_a_type_and_its_n_a_no_example() {
        let (description, doc_type, example) = split_row(
            "Contact photo (upload using multipart/form-data) \
             Files for adding using multipart/form-data N/A",
        );
        assert_eq!(
            description,
            "Contact photo (upload using multipart/form-data)"
        );
        let doc_type = doc_type.expect("a type");
        assert_eq!(doc_type.text, "Files for adding using multipart/form-data");
        assert_eq!(doc_type.schema, json!({}));
        assert_eq!(example, None);
    }

    #[test]
    fn collections_of_dotnet_types_and_dictionaries_are_types_not_examples() {
        let (description, doc_type, example) = split_row(
            "Custom fields Collection of ASC.Api.Collections.ItemKeyValuePair`2[System.Int32,System.String]s",
        );
        assert_eq!(description, "Custom fields");
        assert_eq!(
            doc_type.map(|t| t.schema),
            Some(json!({"type": "array", "items": {}}))
        );
        assert_eq!(example, None);
        let (description, doc_type, example) =
            split_row(r#"Pairs Dictionary(key:string, value:string) [{"Key": "a","Value": "b"}]"#);
        assert_eq!(description, "Pairs");
        assert_eq!(
            doc_type.map(|t| t.text),
            Some("Dictionary(key:string, value:string)".to_string())
        );
        assert_eq!(example, Some(json!([{"Key": "a", "Value": "b"}])));
    }

    #[test]
    fn an_enumeration_may_end_in_a_comma() {
        let doc_type = enumeration("None, ReadWrite, CustomFilter,").expect("enum");
        assert_eq!(doc_type.text, "None, ReadWrite, CustomFilter");
        assert!(enumeration("None,").is_none());
        let (description, doc_type, example) =
            trailing_enumeration("Sharing mode None, ReadWrite, Read, CustomFilter, true")
                .expect("enum");
        assert_eq!(description, "Sharing mode");
        assert_eq!(doc_type.text, "None, ReadWrite, Read, CustomFilter");
        assert_eq!(example, None);
    }

    #[test]
    fn enumerations_after_the_description_are_the_type() {
        let (description, doc_type, example) =
            trailing_enumeration("Privacy: 0 - none, 1 - all None, ReadWrite, Read").expect("enum");
        assert_eq!(description, "Privacy: 0 - none, 1 - all");
        assert_eq!(doc_type.text, "None, ReadWrite, Read");
        assert_eq!(example, None);
        let (description, doc_type, example) =
            trailing_enumeration("Kind Hourly, Daily, Weekly Daily").expect("enum");
        assert_eq!(description, "Kind");
        assert_eq!(doc_type.text, "Hourly, Daily, Weekly");
        assert_eq!(example, Some(json!("Daily")));
        let (description, doc_type, example) =
            trailing_enumeration("New status Draft = 0,Sent = 1, Paid = 2 Sent").expect("enum");
        assert_eq!(description, "New status");
        assert_eq!(doc_type.text, "Draft = 0, Sent = 1, Paid = 2");
        assert_eq!(example, Some(json!("Sent")));
        let (description, doc_type, example) =
            trailing_enumeration("High = 1, Normal = 0, Low = -1 Normal").expect("enum");
        assert_eq!(description, "");
        assert_eq!(doc_type.text, "High = 1, Normal = 0, Low = -1");
        assert_eq!(example, Some(json!("Normal")));
        assert!(trailing_enumeration("first name, last name").is_none());
        assert!(trailing_enumeration("Sort order ContactSortedByType").is_none());
    }

    #[test]
    fn cells_run_together_split_at_the_type_whose_example_fits() {
        let (description, doc_type, example) =
            glued_row("Идентификатор категории задачиномер1234").expect("glued");
        assert_eq!(description, "Идентификатор категории задачи");
        assert_eq!(doc_type.schema, json!({"type": "integer"}));
        assert_eq!(example, Some(json!(1234)));
        let (description, doc_type, example) =
            glued_row("Контактные данныестроковыйтекст").expect("glued");
        assert_eq!(description, "Контактные данные");
        assert_eq!(doc_type.text, "строковый");
        assert_eq!(example, Some(json!("текст")));
        let (_, doc_type, example) =
            glued_row("Важность контакта логическийправда").expect("glued");
        assert_eq!(doc_type.schema, json!({"type": "boolean"}));
        assert_eq!(example, Some(json!(true)));
        // Type words inside description words are no cells.
        assert!(glued_row("Needs updates soon").is_none());
        assert!(glued_row("Sort order ContactSortedByType").is_none());
        assert!(glued_row("Rows with строками").is_none());
    }

    #[test]
    fn a_collection_type_run_into_its_description_is_split_off() {
        let (description, doc_type, example) =
            unglued_collection("Список идентификаторов сделокCollection of numbers 1234")
                .expect("a collection");
        assert_eq!(description, "Список идентификаторов сделок");
        assert_eq!(
            doc_type.schema,
            json!({"type": "array", "items": {"type": "integer"}})
        );
        assert_eq!(example, Some(json!([1234])));
        // A description that mentions a collection after a space is no cell.
        assert!(unglued_collection("Tags Collection of notes").is_none());
    }

    #[test]
    fn a_returns_text_names_a_type_says_no_data_or_describes_a_value() {
        assert_eq!(returned("Contact").type_name.as_deref(), Some("Contact"));
        assert_eq!(
            returned("Entity with the file(s) attached")
                .type_name
                .as_deref(),
            Some("Entity with the file(s) attached")
        );
        let none = returned("This method doesn\u{2019}t return any data.");
        assert!(none.no_data && none.type_name.is_none() && none.description.is_empty());
        assert!(returned("Этот метод не возвращает никаких данных.").no_data);
        for value in [
            "Path to the contact photo",
            "Bool value: true means that the user will get a notification",
            "Updated setting for writing mails to the history (true or false)",
            "True if an operation is successful",
        ] {
            let found = returned(value);
            assert_eq!(found.type_name, None, "{value}");
            assert_eq!(found.description, value.trim_end_matches('.'), "{value}");
        }
        assert_eq!(returned(""), Returned::default());
    }

    #[test]
    fn closed_lists_of_allowed_values_are_read_open_ones_are_not() {
        assert_eq!(
            allowed_values("Entity type Allowed values: contact, person, company"),
            Some(vec![json!("contact"), json!("person"), json!("company")])
        );
        assert_eq!(
            allowed_values("Related entity Allowed values: opportunity, contact, or case"),
            Some(vec![json!("opportunity"), json!("contact"), json!("case")])
        );
        assert_eq!(
            allowed_values("Type Allowed values: 0 (TextField), 1 (TextArea), or 5 (Date)"),
            Some(vec![json!(0), json!(1), json!(5)])
        );
        assert_eq!(
            allowed_values("Allowed values: {Open, ClosedAndWon}"),
            Some(vec![json!("Open"), json!("ClosedAndWon")])
        );
        assert_eq!(
            allowed_values("Currency Allowed values: EUR, RUB etc. You can get the whole list"),
            None
        );
        assert_eq!(allowed_values("Allowed values: contact"), None);
        assert_eq!(allowed_values("Allowed values: 0, contact"), None);
        assert_eq!(allowed_values("Entity type"), None);
    }

    #[test]
    fn allowed_values_restrict_only_plain_strings_and_numbers() {
        let mut schema = json!({"type": "string"});
        let mut example = Some(json!("some text"));
        restrict_to_allowed_values(&mut schema, &mut example, "Allowed values: a, b");
        assert_eq!(schema, json!({"type": "string", "enum": ["a", "b"]}));
        assert_eq!(example, Some(json!("a")));
        let mut schema = json!({"type": "string"});
        let mut example = Some(json!("b"));
        restrict_to_allowed_values(&mut schema, &mut example, "Allowed values: a, b");
        assert_eq!(example, Some(json!("b")), "a member is kept");
        // Members typed otherwise than the row, or an enumeration already.
        let mut schema = json!({"type": "integer"});
        restrict_to_allowed_values(&mut schema, &mut None, "Allowed values: a, b");
        assert_eq!(schema, json!({"type": "integer"}));
        let mut schema = json!({"type": ["string", "integer"]});
        restrict_to_allowed_values(&mut schema, &mut None, "Allowed values: a, b");
        assert_eq!(schema, json!({"type": ["string", "integer"]}));
    }

    #[test]
    fn a_collection_of_a_dotnet_type_is_one_type() {
        let (description, doc_type, example) =
            split_row("List of invoice lines Collection of ASC.CRM.Core.Entities.InvoiceLines");
        assert_eq!(description, "List of invoice lines");
        let doc_type = doc_type.expect("a type");
        assert_eq!(
            doc_type.text,
            "Collection of ASC.CRM.Core.Entities.InvoiceLines"
        );
        assert_eq!(doc_type.schema, json!({"type": "array", "items": {}}));
        assert_eq!(example, None);
    }

    #[test]
    fn rows_without_a_known_type_keep_their_text() {
        let (description, doc_type, example) = split_row("Sort order ContactSortedByType");
        assert_eq!(description, "Sort order ContactSortedByType");
        assert!(doc_type.is_none() && example.is_none());
    }
}
