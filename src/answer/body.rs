//! Request bodies: JSON, form-urlencoded, XML and (SuperOffice) JSON Patch
//! and JSON Merge Patch, all decoded into one `serde_json::Value` so that a
//! single schema validates them.
//!
//! Forms and XML carry only text; their scalars are coerced to the types the
//! body schema asks for (`"1234"` → `1234`, `True` → `true`), and the XML
//! dialect's array convention (repeated elements or wrapped items) is read
//! back. A value that cannot be coerced is left as text, so the schema
//! reports it with what was sent.

use std::borrow::Cow;

use encoding_rs::Encoding;
use serde_json::{Map, Value};
use smallvec::SmallVec;

use crate::contract::dialect::ArrayForm;
use crate::contract::schema::{property, types_of};
use crate::contract::xml::{MalformedXml, XmlNode, parse_xml};

/// How deep form keys may nest: as deep as XML elements may
/// ([`crate::contract::xml::MAX_DEPTH`]), as serde_json limits JSON.
const MAX_DEPTH: usize = crate::contract::xml::MAX_DEPTH;

/// How a request body is encoded, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json`, `text/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `application/xml`, `text/xml`.
    Xml,
    /// `application/json-patch+json` (RFC 6902), applied to the documented entity.
    JsonPatch,
    /// `application/merge-patch+json` (RFC 7396), applied to the documented entity.
    MergePatch,
}

/// A media type without its parameters: `application/json` of
/// `application/json; charset=utf-8`.
pub fn essence(media_type: &str) -> &str {
    // A byte loop: media types are short, and a `char` search costs more.
    let end = media_type
        .bytes()
        .position(|b| b == b';')
        .unwrap_or(media_type.len());
    media_type[..end].trim_ascii()
}

impl BodyKind {
    /// The body kind of a `Content-Type` media type (parameters ignored).
    pub fn of_media_type(media_type: &str) -> Option<BodyKind> {
        const KINDS: [(&str, BodyKind); 7] = [
            ("application/json", BodyKind::Json),
            ("text/json", BodyKind::Json),
            ("application/x-www-form-urlencoded", BodyKind::Form),
            ("application/xml", BodyKind::Xml),
            ("text/xml", BodyKind::Xml),
            ("application/json-patch+json", BodyKind::JsonPatch),
            ("application/merge-patch+json", BodyKind::MergePatch),
        ];
        let essence = essence(media_type);
        KINDS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(essence))
            .map(|&(_, kind)| kind)
    }
}

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not well-formed JSON.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser says.
        message: String,
    },
    /// Not well-formed XML.
    #[error("malformed XML at line {line}, column {column}: {message}")]
    Xml {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser says.
        message: String,
    },
    /// Well-formed JSON holding a number beyond what a 64-bit float holds
    /// (`1e999999`), which the vendors' .NET readers refuse as an overflow.
    #[error("the number at {pointer:?} ({number}) is beyond what a 64-bit float holds")]
    NumberOutOfRange {
        /// JSON pointer to the number.
        pointer: String,
        /// The number as sent, shortened when long.
        number: String,
    },
    /// Not UTF-8 text.
    #[error("the body is not UTF-8 text")]
    NotUtf8,
    /// Not text in the charset the request names.
    #[error("the body is not {charset} text")]
    NotInCharset {
        /// The charset's canonical name (`windows-1251`, `UTF-16LE`).
        charset: &'static str,
    },
    /// A `charset` no encoding is known by.
    #[error("unknown charset {0:?}")]
    UnknownCharset(String),
    /// A JSON Patch that is not a list of RFC 6902 operations, or that does
    /// not apply to the documented entity.
    #[error("JSON Patch at {pointer:?}: {message}")]
    Patch {
        /// JSON pointer into the patch document: the operation at fault
        /// (`/2`), or `""` when the document is not a list at all.
        pointer: String,
        /// What is wrong with it.
        message: String,
    },
    /// A form body that cannot be read.
    #[error("malformed form body: {0}")]
    Form(String),
    /// A form body that is really JSON: the wrong `Content-Type`.
    #[error(
        "the body is JSON but was sent as application/x-www-form-urlencoded; send Content-Type: application/json"
    )]
    JsonSentAsForm,
}

impl From<MalformedXml> for DecodeError {
    fn from(e: MalformedXml) -> DecodeError {
        DecodeError::Xml {
            line: e.line,
            column: e.column,
            message: e.message,
        }
    }
}

/// The body as UTF-8, read as the vendors' .NET servers read text: in the
/// `charset` its `Content-Type` names, else by a UTF-16 byte order mark,
/// else (XML) in the encoding its declaration names, else as UTF-8. A client
/// that says how its body is encoded is right whatever the encoding; only
/// bytes that are not text in it are refused.
///
/// Nearly every body is UTF-8 (or ASCII) and is passed on as it is. A form
/// body's charset is that of the bytes its percent escapes stand for, so
/// a form in another charset is written again with UTF-8 escapes.
pub fn to_utf8<'b>(
    bytes: &'b [u8],
    content_type: &str,
    kind: BodyKind,
) -> Result<Cow<'b, [u8]>, DecodeError> {
    use encoding_rs::UTF_8;

    let declared = charset_parameter(content_type);
    let by_label = |label: &str| {
        Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| DecodeError::UnknownCharset(label.to_string()))
    };
    if kind == BodyKind::Form {
        return match declared {
            Some(label) => form_to_utf8(bytes, by_label(label)?),
            None => Ok(Cow::Borrowed(bytes)),
        };
    }
    if plainly_utf8(bytes, declared, kind) {
        return Ok(Cow::Borrowed(bytes));
    }
    let (encoding, bom_length) = match (Encoding::for_bom(bytes), declared) {
        // The mark settles which UTF-16 (or UTF-8) the body is in.
        (Some((by_bom, length)), _) => (by_bom, length),
        (None, Some(label)) => (by_label(label)?, 0),
        (None, None) => match xml_declared_encoding(bytes) {
            // A declaration read as ASCII cannot be right in saying UTF-16.
            Some(label) => match by_label(label)? {
                encoding if encoding.is_ascii_compatible() => (encoding, 0),
                _ => (UTF_8, 0),
            },
            None => (UTF_8, 0),
        },
    };
    let text = &bytes[bom_length..];
    if encoding == UTF_8 || (encoding.is_ascii_compatible() && text.is_ascii()) {
        return Ok(Cow::Borrowed(text));
    }
    match encoding.decode_without_bom_handling_and_without_replacement(text) {
        Some(Cow::Borrowed(utf8)) => Ok(Cow::Borrowed(utf8.as_bytes())),
        Some(Cow::Owned(utf8)) => Ok(Cow::Owned(utf8.into_bytes())),
        None => Err(DecodeError::NotInCharset {
            charset: encoding.name(),
        }),
    }
}

/// Whether nothing about a body suggests anything but UTF-8: no charset
/// other than UTF-8, no UTF-16 byte order mark, and no XML declaration
/// that might name one. Checked first, since nearly every body is.
fn plainly_utf8(bytes: &[u8], declared: Option<&str>, kind: BodyKind) -> bool {
    let utf16_bom = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    declared.is_none_or(|c| c.eq_ignore_ascii_case("utf-8"))
        && !utf16_bom
        && (kind != BodyKind::Xml || !bytes.starts_with(b"<?xml"))
}

/// A form body whose names and values are text in `encoding` once their
/// percent escapes are decoded, written again with UTF-8 escapes; bytes
/// that are not text in `encoding` are refused, as in other bodies.
fn form_to_utf8<'b>(
    bytes: &'b [u8],
    encoding: &'static Encoding,
) -> Result<Cow<'b, [u8]>, DecodeError> {
    if encoding == encoding_rs::UTF_8
        || (encoding.is_ascii_compatible() && !bytes.contains(&b'%') && bytes.is_ascii())
    {
        return Ok(Cow::Borrowed(bytes));
    }
    let text = |raw: &[u8]| -> Result<String, DecodeError> {
        let spaced: Vec<u8> = raw
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        let decoded: Cow<'_, [u8]> = percent_encoding::percent_decode(&spaced).into();
        encoding
            .decode_without_bom_handling_and_without_replacement(&decoded)
            .map(Cow::into_owned)
            .ok_or(DecodeError::NotInCharset {
                charset: encoding.name(),
            })
    };
    let mut form = form_urlencoded::Serializer::new(String::with_capacity(bytes.len() * 2));
    for pair in bytes.split(|&b| b == b'&').filter(|pair| !pair.is_empty()) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        form.append_pair(&text(name)?, &text(value)?);
    }
    Ok(Cow::Owned(form.finish().into_bytes()))
}

/// The `charset` parameter of a media type, unquoted and as written; of
/// repeated headers joined with `, `, the first one's.
pub fn charset_parameter(media_type: &str) -> Option<&str> {
    let first = media_type.split(", ").next().unwrap_or(media_type);
    first.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// The `encoding` an XML declaration names (`<?xml version="1.0"
/// encoding="windows-1251"?>`), as written. Only a declaration opening the
/// document (after a UTF-8 byte order mark or white space) counts, and only
/// its first few hundred bytes are read, so that any body can be asked.
pub fn xml_declared_encoding(bytes: &[u8]) -> Option<&str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let prolog = &bytes[start..bytes.len().min(start + 512)];
    let end = prolog.windows(2).position(|w| w == b"?>")?;
    let declaration = std::str::from_utf8(&prolog[..end]).ok()?;
    let named_xml = declaration
        .strip_prefix("<?xml")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_whitespace()));
    if !named_xml {
        return None;
    }
    let (_, rest) = declaration.split_once("encoding")?;
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    rest[1..].split(quote).next().map(str::trim)
}

/// Decodes `bytes` of `kind` into a value shaped by `schema`.
///
/// `entity` is the documented entity patches apply to; `arrays` is how the
/// API's XML writes arrays.
pub fn decode(
    kind: BodyKind,
    bytes: &[u8],
    schema: Option<&Value>,
    entity: Option<&Value>,
    arrays: ArrayForm,
) -> Result<Value, DecodeError> {
    // A UTF-8 byte order mark is accepted, as the vendors' .NET servers do.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match kind {
        BodyKind::Json => parse_json(bytes),
        BodyKind::Form => decode_form(bytes, schema),
        BodyKind::Xml => decode_xml(bytes, schema, arrays),
        BodyKind::JsonPatch => {
            let document_sent = parse_json(bytes)?;
            let Value::Array(operations) = document_sent else {
                return Err(DecodeError::Patch {
                    pointer: String::new(),
                    message: format!(
                        "expected a list of RFC 6902 operations, got {}",
                        crate::contract::problem::kind(&document_sent)
                    ),
                });
            };
            // Without a documented entity there is nothing whose paths the
            // operations could be held to: a `replace` of any member is as
            // good as another, so each is only read as an RFC 6902
            // operation, and the document they make is unknown (`{}`).
            let Some(entity) = entity else {
                let unknown = Value::Object(Map::new());
                for (i, operation) in operations.into_iter().enumerate() {
                    read_operation(i, operation, &unknown)?;
                }
                return Ok(unknown);
            };
            let mut document = entity.clone();
            for (i, operation) in operations.into_iter().enumerate() {
                // Each operation's paths are read against the document as
                // the operations before it left it.
                let operation = read_operation(i, operation, &document)?;
                json_patch::patch(&mut document, std::slice::from_ref(&operation)).map_err(
                    |e| DecodeError::Patch {
                        pointer: format!("/{i}"),
                        message: format!("failed at path '{}': {}", e.path, e.kind),
                    },
                )?;
            }
            Ok(document)
        }
        BodyKind::MergePatch => {
            let patch = parse_json(bytes)?;
            let mut document = entity.cloned().unwrap_or(Value::Object(Map::new()));
            json_patch::merge(&mut document, &patch);
            Ok(document)
        }
    }
}

/// The `index`th operation of a patch, its paths read against `document`
/// as the vendor's server reads them.
fn read_operation(
    index: usize,
    mut operation: Value,
    document: &Value,
) -> Result<json_patch::PatchOperation, DecodeError> {
    if let Value::Object(members) = &mut operation {
        for key in ["path", "from"] {
            if let Some(Value::String(path)) = members.get_mut(key) {
                *path = dotnet_pointer(document, path);
            }
        }
    }
    serde_json::from_value(operation).map_err(|e| DecodeError::Patch {
        pointer: format!("/{index}"),
        message: format!("not an RFC 6902 operation: {e}"),
    })
}

/// `path` as the JSON Pointer the vendor's server reads it as.
///
/// Only SuperOffice takes JSON Patch, and its ASP.NET server reads paths
/// leniently: the leading `/` may be left out (its own reference pages
/// write `"path": "Name"`) and member names match ignoring case. The
/// pointer returned names the members as the document spells them, so that
/// the RFC 6902 implementation finds them.
fn dotnet_pointer(document: &Value, path: &str) -> String {
    let mut resolved = String::with_capacity(path.len() + 1);
    let mut here = Some(document);
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let name = segment.replace("~1", "/").replace("~0", "~");
        let (spelled, next) = match here {
            Some(Value::Object(members)) => match members.get_key_value(&name) {
                Some((key, value)) => (key.as_str(), Some(value)),
                None => members
                    .iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(&name))
                    .map_or((name.as_str(), None), |(key, value)| {
                        (key.as_str(), Some(value))
                    }),
            },
            Some(Value::Array(items)) => (
                name.as_str(),
                name.parse::<usize>().ok().and_then(|i| items.get(i)),
            ),
            _ => (name.as_str(), None),
        };
        resolved.push('/');
        resolved.push_str(&crate::contract::problem::escape_pointer(spelled));
        here = next;
    }
    resolved
}

fn parse_json(bytes: &[u8]) -> Result<Value, DecodeError> {
    serde_json::from_slice(bytes).map_err(|e| {
        if let Some(error) = number_out_of_range(bytes, &e) {
            return error;
        }
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        DecodeError::Json {
            line: e.line(),
            column: e.column(),
            message,
        }
    })
}

/// Where serde_json stopped at a number too large for an `f64`: the JSON
/// is well-formed, so the client is told which number, where, rather than
/// that its JSON is broken. The path comes from reading the body again with
/// serde_path_to_error, which only happens for this error.
fn number_out_of_range(bytes: &[u8], error: &serde_json::Error) -> Option<DecodeError> {
    if !error.to_string().starts_with("number out of range") {
        return None;
    }
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let path = match serde_path_to_error::deserialize::<_, Value>(&mut reader) {
        Err(e) => e.path().clone(),
        Ok(_) => return None,
    };
    let mut pointer = String::new();
    for segment in path.iter() {
        pointer.push('/');
        match segment {
            serde_path_to_error::Segment::Seq { index } => pointer.push_str(&index.to_string()),
            serde_path_to_error::Segment::Map { key } => {
                pointer.push_str(&crate::contract::problem::escape_pointer(key))
            }
            _ => pointer.push('-'),
        }
    }
    // serde_json's column is the number's last byte: the number is the run
    // of number characters ending there.
    let line_start = bytes
        .split(|&b| b == b'\n')
        .take(error.line().saturating_sub(1))
        .map(|line| line.len() + 1)
        .sum::<usize>();
    let end = (line_start + error.column()).min(bytes.len());
    let start = bytes[..end]
        .iter()
        .rposition(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
        .map_or(0, |i| i + 1);
    let number = String::from_utf8_lossy(&bytes[start..end]);
    let number = if number.len() > 32 {
        format!("{}… ({} characters)", &number[..24], number.len())
    } else {
        number.into_owned()
    };
    Some(DecodeError::NumberOutOfRange { pointer, number })
}

/// Decodes `a=1&b=x&tags=1&tags=2&tags[]=3&address[city]=Riga&address.zip=1`.
fn decode_form(bytes: &[u8], schema: Option<&Value>) -> Result<Value, DecodeError> {
    let text = std::str::from_utf8(bytes).map_err(|_| DecodeError::NotUtf8)?;
    let trimmed = text.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('[')) && parse_json(bytes).is_ok() {
        return Err(DecodeError::JsonSentAsForm);
    }
    let mut root = Map::new();
    for (key, value) in form_urlencoded::parse(bytes) {
        let mut path: Vec<&str> = Vec::new();
        let (head, mut rest) = match key.find(['[', '.']) {
            Some(i) => (&key[..i], &key[i..]),
            None => (key.as_ref(), ""),
        };
        path.push(head);
        let mut push = false;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("[]") {
                push = true;
                rest = after;
            } else if let Some(inner) = rest.strip_prefix('[') {
                let end = inner.find(']').unwrap_or(inner.len());
                path.push(&inner[..end]);
                rest = inner.get(end + 1..).unwrap_or("");
            } else if let Some(inner) = rest.strip_prefix('.') {
                let end = inner.find(['[', '.']).unwrap_or(inner.len());
                path.push(&inner[..end]);
                rest = &inner[end..];
            } else {
                break;
            }
        }
        if path.len() > MAX_DEPTH {
            return Err(DecodeError::Form(format!(
                "the key {:?}… nests deeper than {MAX_DEPTH} levels",
                key.chars().take(40).collect::<String>()
            )));
        }
        insert_form_value(&mut root, &path, value.into_owned(), push);
    }
    let mut value = Value::Object(root);
    if let Some(schema) = schema {
        coerce(&mut value, schema);
    }
    Ok(value)
}

fn insert_form_value(map: &mut Map<String, Value>, path: &[&str], value: String, push: bool) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut current = map;
    for parent in parents {
        let entry = current
            .entry(parent.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(next) = entry else {
            return;
        };
        current = next;
    }
    let value = Value::String(value);
    match current.get_mut(*last) {
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
        None if push => {
            current.insert(last.to_string(), Value::Array(vec![value]));
        }
        None => {
            current.insert(last.to_string(), value);
        }
    }
}

/// Coerces text leaves of `value` to the types `schema` asks for, and wraps
/// a lone value where an array is expected.
pub fn coerce(value: &mut Value, schema: &Value) {
    let types = types_of(schema);
    if types.contains(&"array") {
        index_to_list(value);
    }
    if types.contains(&"array") && !value.is_array() && !value.is_null() {
        let single = value.take();
        *value = Value::Array(vec![single]);
    }
    match value {
        Value::String(text) => {
            if let Some(coerced) = coerce_text(text, &types) {
                *value = coerced;
            }
        }
        Value::Array(items) => {
            if let Some(items_schema) = schema.get("items") {
                for item in items {
                    coerce(item, items_schema);
                }
            }
        }
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                if let Some((_, member_schema)) = property(schema, name) {
                    coerce(member, member_schema);
                }
            }
        }
        _ => {}
    }
}

/// Turns an object whose keys are all list indices, as form keys such as
/// `Emails[0][Value]=a&Emails[1][Value]=b` build, into the list they
/// number (in index order, gaps closed), as ASP.NET's model binding reads
/// them.
fn index_to_list(value: &mut Value) {
    let Value::Object(members) = value else {
        return;
    };
    if members.is_empty() || !members.keys().all(|k| k.parse::<usize>().is_ok()) {
        return;
    }
    let mut numbered: Vec<(usize, Value)> = std::mem::take(members)
        .into_iter()
        .filter_map(|(k, v)| Some((k.parse().ok()?, v)))
        .collect();
    numbered.sort_by_key(|(index, _)| *index);
    *value = Value::Array(numbered.into_iter().map(|(_, v)| v).collect());
}

/// The value `text` stands for under a schema admitting `types`, if it is
/// not text.
fn coerce_text(text: &str, types: &[&str]) -> Option<Value> {
    if types.is_empty() || types.contains(&"string") {
        return None;
    }
    let trimmed = text.trim();
    if trimmed.is_empty() && types.contains(&"null") {
        return Some(Value::Null);
    }
    if types.contains(&"integer")
        && let Ok(n) = trimmed.parse::<i64>()
    {
        return Some(Value::from(n));
    }
    if types.contains(&"number")
        && let Some(n) = trimmed
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
    {
        return Some(Value::Number(n));
    }
    if types.contains(&"boolean") {
        match trimmed.to_ascii_lowercase().as_str() {
            "true" => return Some(Value::Bool(true)),
            "false" => return Some(Value::Bool(false)),
            _ => {}
        }
    }
    if types.contains(&"null") && trimmed.eq_ignore_ascii_case("null") {
        return Some(Value::Null);
    }
    None
}

fn decode_xml(
    bytes: &[u8],
    schema: Option<&Value>,
    arrays: ArrayForm,
) -> Result<Value, DecodeError> {
    let text = std::str::from_utf8(bytes).map_err(|_| DecodeError::NotUtf8)?;
    let root = parse_xml(text)?;
    // The document element is the envelope (`<request>`, `<ContactEntity>`);
    // its content is the body.
    Ok(node_value(&root, schema, arrays))
}

fn node_value(node: &XmlNode, schema: Option<&Value>, arrays: ArrayForm) -> Value {
    if node.nil {
        return Value::Null;
    }
    let types = schema.map(types_of).unwrap_or_default();
    let items = schema.and_then(|s| s.get("items"));
    if node.children.is_empty() {
        if node.text.trim().is_empty() && !types.is_empty() && !types.contains(&"string") {
            return if types.contains(&"array") {
                Value::Array(Vec::new())
            } else if types.contains(&"object") {
                Value::Object(Map::new())
            } else {
                Value::Null
            };
        }
        return coerce_text(&node.text, &types).unwrap_or_else(|| Value::String(node.text.clone()));
    }
    if types.contains(&"array") && !types.contains(&"object") {
        // A wrapped collection: each child is an item.
        return Value::Array(
            node.children
                .iter()
                .map(|child| node_value(child, items, arrays))
                .collect(),
        );
    }
    let mut members = Map::new();
    // Distinct names in document order, and the elements of each: a
    // request body has a few members, each usually one element, so both
    // stay off the heap.
    let mut names: SmallVec<[&str; 8]> = SmallVec::new();
    for child in &node.children {
        if !names.contains(&child.name.as_str()) {
            names.push(&child.name);
        }
    }
    for name in names {
        let group: SmallVec<[&XmlNode; 2]> =
            node.children.iter().filter(|c| c.name == name).collect();
        let (key, member_schema) = match schema.and_then(|s| property(s, name)) {
            Some((key, member)) => (key.to_string(), Some(member)),
            None => (name.to_string(), None),
        };
        let member_types = member_schema.map(types_of).unwrap_or_default();
        let member_items = member_schema.and_then(|s| s.get("items"));
        let is_array = member_types.contains(&"array") || group.len() > 1;
        let value = match (is_array, arrays) {
            (true, ArrayForm::Repeated) => Value::Array(
                group
                    .iter()
                    .map(|item| node_value(item, member_items, arrays))
                    .collect(),
            ),
            (true, ArrayForm::Wrapped) if group.len() > 1 => Value::Array(
                group
                    .iter()
                    .map(|item| node_value(item, member_items, arrays))
                    .collect(),
            ),
            _ => node_value(group[0], member_schema, arrays),
        };
        members.insert(key, value);
    }
    Value::Object(members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "flag": {"type": "boolean"},
                "name": {"type": ["string", "null"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "nums": {"type": ["array", "null"], "items": {"type": "number"}}
            }
        })
    }

    #[test]
    fn form_scalars_are_coerced_and_repeated_keys_become_arrays() {
        let value = decode(
            BodyKind::Form,
            b"id=12&flag=True&name=&tags=a&tags=b&nums[]=1.5",
            Some(&schema()),
            None,
            ArrayForm::Repeated,
        )
        .expect("decodes");
        assert_eq!(
            value,
            json!({"id": 12, "flag": true, "name": "", "tags": ["a", "b"], "nums": [1.5]})
        );
    }

    #[test]
    fn form_values_that_do_not_fit_stay_text_for_the_schema_to_report() {
        let value = decode(
            BodyKind::Form,
            b"id=abc",
            Some(&schema()),
            None,
            ArrayForm::Repeated,
        )
        .expect("decodes");
        assert_eq!(value, json!({"id": "abc"}));
    }

    #[test]
    fn json_sent_as_a_form_is_named_as_such() {
        let error = decode(
            BodyKind::Form,
            br#"{"id": 1}"#,
            None,
            None,
            ArrayForm::Repeated,
        )
        .expect_err("refused");
        assert_eq!(error, DecodeError::JsonSentAsForm);
    }

    #[test]
    fn repeated_xml_elements_read_back_as_arrays() {
        let xml = b"<request>\n  <id>7</id>\n  <flag>False</flag>\n  <tags>a</tags>\n  <tags>b</tags>\n  <name />\n</request>";
        let value = decode(
            BodyKind::Xml,
            xml,
            Some(&schema()),
            None,
            ArrayForm::Repeated,
        )
        .expect("decodes");
        assert_eq!(
            value,
            json!({"id": 7, "flag": false, "tags": ["a", "b"], "name": ""})
        );
    }

    #[test]
    fn wrapped_xml_collections_and_nils_read_back() {
        let xml = br#"<Entity xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><nums><double>1.5</double></nums><name i:nil="true" /><tags><string>x</string></tags></Entity>"#;
        let value = decode(
            BodyKind::Xml,
            xml,
            Some(&schema()),
            None,
            ArrayForm::Wrapped,
        )
        .expect("decodes");
        assert_eq!(value, json!({"nums": [1.5], "name": null, "tags": ["x"]}));
    }

    #[test]
    fn nil_is_read_in_every_xml_schema_spelling_of_true() {
        let nil = |attribute: &str| {
            let xml = format!(
                r#"<r xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><name {attribute} /></r>"#
            );
            parse_xml(&xml).expect("well-formed").children[0].nil
        };
        for attribute in [
            r#"i:nil="true""#,
            r#"xsi:nil="1""#,
            r#"i:nil=" true ""#,
            "i:nil='\n\t1 '",
            r#"nil="true""#,
        ] {
            assert!(nil(attribute), "{attribute}");
        }
        // xs:boolean is case-sensitive, and false is false.
        for attribute in [
            r#"i:nil="false""#,
            r#"i:nil="0""#,
            r#"i:nil="True""#,
            r#"i:nil="yes""#,
            r#"i:type="true""#,
            "",
        ] {
            assert!(!nil(attribute), "{attribute}");
        }
        // A request body reads such an element as null too.
        let value = decode(
            BodyKind::Xml,
            br#"<request xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><name xsi:nil=" 1 "></name></request>"#,
            Some(&schema()),
            None,
            ArrayForm::Repeated,
        )
        .expect("decodes");
        assert_eq!(value, json!({"name": null}));
    }

    #[test]
    fn a_number_beyond_a_double_is_named_where_it_is_not_called_malformed() {
        let body = b"{\n  \"a\": [1, {\"b/c\": -1.5e999999}],\n  \"d\": 2\n}";
        let error = decode(BodyKind::Json, body, None, None, ArrayForm::Repeated)
            .expect_err("out of range");
        assert_eq!(
            error,
            DecodeError::NumberOutOfRange {
                pointer: "/a/1/b~1c".into(),
                number: "-1.5e999999".into()
            }
        );
        let long = format!("[{}]", "9".repeat(400));
        let error = decode(
            BodyKind::Json,
            long.as_bytes(),
            None,
            None,
            ArrayForm::Repeated,
        )
        .expect_err("out of range");
        assert_eq!(
            error,
            DecodeError::NumberOutOfRange {
                pointer: "/0".into(),
                number: format!("{}… (400 characters)", "9".repeat(24))
            }
        );
        // Broken JSON is still broken JSON.
        let error = decode(
            BodyKind::Json,
            b"{\"a\": 1e}",
            None,
            None,
            ArrayForm::Repeated,
        )
        .expect_err("malformed");
        assert!(matches!(error, DecodeError::Json { .. }), "{error:?}");
    }

    #[test]
    fn attributes_that_could_be_data_are_kept_and_markup_is_not() {
        let xml = r#"<contact xmlns="urn:crm" xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:type="Person" id="12" Display_x0020_Name="A &amp; B&#x21;" nil="false" note="&unknown;"><title>T</title></contact>"#;
        let root = parse_xml(xml).expect("well-formed");
        let kept: Vec<(&str, &str)> = root
            .attributes
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        assert_eq!(
            kept,
            [
                ("id", "12"),
                ("Display Name", "A & B!"),
                // An entity no DTD-less parser resolves is kept as written.
                ("note", "&unknown;"),
            ]
        );
        // Elements without attributes allocate nothing for them.
        assert_eq!(root.children[0].attributes.capacity(), 0);
    }

    #[test]
    fn malformed_xml_names_line_and_column() {
        let error = decode(
            BodyKind::Xml,
            b"<a>\n  <b></c>\n</a>",
            None,
            None,
            ArrayForm::Repeated,
        )
        .expect_err("malformed");
        let DecodeError::Xml { line, .. } = error else {
            panic!("expected an XML error, got {error:?}");
        };
        assert_eq!(line, 2);
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let error = decode(
            BodyKind::Json,
            b"{\n  \"a\": 1,\n}",
            None,
            None,
            ArrayForm::Repeated,
        )
        .expect_err("malformed");
        assert!(
            matches!(
                error,
                DecodeError::Json {
                    line: 3,
                    column: 1,
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn patches_apply_to_the_documented_entity() {
        let entity = json!({"Name": "A", "Department": "B"});
        let patched = decode(
            BodyKind::JsonPatch,
            br#"[{"op": "replace", "path": "/Name", "value": "C"}]"#,
            None,
            Some(&entity),
            ArrayForm::Wrapped,
        )
        .expect("applies");
        assert_eq!(patched, json!({"Name": "C", "Department": "B"}));
        let merged = decode(
            BodyKind::MergePatch,
            br#"{"Department": null}"#,
            None,
            Some(&entity),
            ArrayForm::Wrapped,
        )
        .expect("merges");
        assert_eq!(merged, json!({"Name": "A"}));
    }

    #[test]
    fn patch_paths_are_read_as_the_vendors_server_reads_them() {
        let entity = json!({"Name": "A", "Address": {"Street": "S"}, "Tags": ["x"]});
        let patched = decode(
            BodyKind::JsonPatch,
            br#"[{"op": "replace", "path": "Name", "value": "B"},
                 {"op": "replace", "path": "/address/street", "value": "T"},
                 {"op": "add", "path": "tags/-", "value": "y"},
                 {"op": "add", "path": "/Note", "value": "n"},
                 {"op": "copy", "from": "note", "path": "/Copy"}]"#,
            None,
            Some(&entity),
            ArrayForm::Wrapped,
        )
        .expect("applies");
        assert_eq!(
            patched,
            json!({"Name": "B", "Address": {"Street": "T"}, "Tags": ["x", "y"], "Note": "n", "Copy": "n"})
        );
        let error = decode(
            BodyKind::JsonPatch,
            br#"[{"op": "replace", "path": "/Name", "value": "B"}, {"op": "rename", "path": "/Name"}]"#,
            None,
            Some(&entity),
            ArrayForm::Wrapped,
        )
        .expect_err("no such operation");
        assert!(
            matches!(&error, DecodeError::Patch { pointer, .. } if pointer == "/1"),
            "{error:?}"
        );
        let error = decode(
            BodyKind::JsonPatch,
            br#"{"op": "replace", "path": "/Name", "value": "B"}"#,
            None,
            Some(&entity),
            ArrayForm::Wrapped,
        )
        .expect_err("not a list");
        assert!(error.to_string().contains("list of RFC 6902"), "{error}");
    }

    #[test]
    fn bodies_are_read_in_the_charset_they_name() {
        let utf8 = |bytes: &[u8], content_type: &str, kind| {
            to_utf8(bytes, content_type, kind).map(|text| String::from_utf8(text.into_owned()))
        };
        // UTF-8 and ASCII pass as they are.
        let plain = to_utf8(
            b"{\"a\": 1}",
            "application/json; charset=utf-8",
            BodyKind::Json,
        )
        .expect("UTF-8");
        assert!(matches!(plain, Cow::Borrowed(_)));
        assert_eq!(
            utf8(
                b"{\"a\": \"caf\xe9\"}",
                "application/json; charset=ISO-8859-1",
                BodyKind::Json
            ),
            Ok(Ok("{\"a\": \"café\"}".to_string()))
        );
        let utf16: Vec<u8> = "\u{feff}{\"a\": \"ж\"}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        // The mark settles the byte order, with or without a charset.
        for content_type in ["application/json", "application/json; charset=\"utf-16\""] {
            assert_eq!(
                utf8(&utf16, content_type, BodyKind::Json),
                Ok(Ok("{\"a\": \"ж\"}".to_string()))
            );
        }
        // XML says its encoding in its declaration when the header does not.
        let xml = b"<?xml version=\"1.0\" encoding='windows-1251'?><r>\xe6</r>";
        assert_eq!(
            utf8(xml, "text/xml", BodyKind::Xml),
            Ok(Ok(
                "<?xml version=\"1.0\" encoding='windows-1251'?><r>ж</r>".to_string()
            ))
        );
        assert_eq!(
            utf8(xml, "text/xml; charset=iso-8859-1", BodyKind::Xml),
            Ok(Ok(
                "<?xml version=\"1.0\" encoding='windows-1251'?><r>æ</r>".to_string()
            )),
            "the header wins"
        );
        assert_eq!(
            utf8(b"{}", "application/json; charset=klingon", BodyKind::Json),
            Err(DecodeError::UnknownCharset("klingon".into()))
        );
        assert_eq!(
            utf8(
                &utf16[..utf16.len() - 1],
                "application/json",
                BodyKind::Json
            ),
            Err(DecodeError::NotInCharset {
                charset: "UTF-16LE"
            })
        );
    }

    #[test]
    fn a_form_in_another_charset_is_written_again_with_utf8_escapes() {
        let form = |bytes: &[u8], content_type: &str| {
            to_utf8(bytes, content_type, BodyKind::Form).map(|text| {
                decode(BodyKind::Form, &text, None, None, ArrayForm::Wrapped).expect("a form")
            })
        };
        // "Пётр" in windows-1251, escaped and raw; é in Latin-1.
        assert_eq!(
            form(
                b"name=%CF%B8%F2%F0&city=Riga+%28LV%29",
                "application/x-www-form-urlencoded; charset=windows-1251"
            ),
            Ok(json!({"name": "Пётр", "city": "Riga (LV)"}))
        );
        assert_eq!(
            form(
                b"name=\xCF\xB8\xF2\xF0",
                "application/x-www-form-urlencoded; charset=windows-1251"
            ),
            Ok(json!({"name": "Пётр"}))
        );
        assert_eq!(
            form(
                b"a=%E9&b",
                "application/x-www-form-urlencoded; charset=latin1"
            ),
            Ok(json!({"a": "é", "b": ""}))
        );
        // UTF-8 and plain ASCII forms are passed on as they are.
        for content_type in [
            "application/x-www-form-urlencoded; charset=utf-8",
            "application/x-www-form-urlencoded; charset=latin1",
            "application/x-www-form-urlencoded",
        ] {
            assert!(matches!(
                to_utf8(b"a=1&b=x", content_type, BodyKind::Form),
                Ok(Cow::Borrowed(b"a=1&b=x"))
            ));
        }
        assert_eq!(
            to_utf8(
                b"a=%E9",
                "application/x-www-form-urlencoded; charset=klingon",
                BodyKind::Form
            ),
            Err(DecodeError::UnknownCharset("klingon".into()))
        );
        assert_eq!(
            to_utf8(
                b"a=%00%D8",
                "application/x-www-form-urlencoded; charset=utf-16le",
                BodyKind::Form
            ),
            Err(DecodeError::NotInCharset {
                charset: "UTF-16LE"
            })
        );
    }

    #[test]
    fn without_a_documented_entity_a_patch_is_read_but_not_applied() {
        let patch = |body: &[u8]| decode(BodyKind::JsonPatch, body, None, None, ArrayForm::Wrapped);
        // Nothing says `/Name` is not there, so replacing it is fine.
        assert_eq!(
            patch(br#"[{"op": "replace", "path": "/Name", "value": "B"}, {"op": "remove", "path": "Phones/0"}]"#)
                .expect("a well-formed patch"),
            json!({})
        );
        let error = patch(br#"[{"op": "replace", "path": "/Name", "value": "B"}, {"op": "rename", "path": "/Name"}]"#)
            .expect_err("no such operation");
        assert!(
            matches!(&error, DecodeError::Patch { pointer, .. } if pointer == "/1"),
            "{error:?}"
        );
        assert!(patch(br#"{"op": "add"}"#).is_err(), "not a list");
    }

    #[test]
    fn xml_for_a_list_body_reads_its_children_as_items() {
        let schema = json!({"type": "array", "items": {"type": "integer"}});
        let read = |xml: &str, arrays| {
            decode(BodyKind::Xml, xml.as_bytes(), Some(&schema), None, arrays).expect("decodes")
        };
        assert_eq!(
            read(
                "<ArrayOfint><int>1</int><int>2</int></ArrayOfint>",
                ArrayForm::Wrapped
            ),
            json!([1, 2])
        );
        assert_eq!(
            read("<ArrayOfint><int>7</int></ArrayOfint>", ArrayForm::Wrapped),
            json!([7])
        );
        assert_eq!(read("<ArrayOfint />", ArrayForm::Wrapped), json!([]));
        assert_eq!(
            read(
                "<?xml version=\"1.0\"?><request><id>3</id><id>x</id></request>",
                ArrayForm::Repeated
            ),
            json!([3, "x"])
        );
    }

    #[test]
    fn a_patch_error_points_at_the_operation_at_fault() {
        let entity = json!({"Name": "A"});
        let patch = |body: &[u8]| {
            decode(
                BodyKind::JsonPatch,
                body,
                None,
                Some(&entity),
                ArrayForm::Wrapped,
            )
        };
        let pointer = |result: Result<Value, DecodeError>| match result {
            Err(DecodeError::Patch { pointer, .. }) => pointer,
            other => panic!("expected a patch error, got {other:?}"),
        };
        assert_eq!(pointer(patch(br#"{"op": "add"}"#)), "");
        assert_eq!(
            pointer(patch(br#"[{"op": "test", "path": "/Name", "value": "A"}, {"op": "rename", "path": "/Name"}]"#)),
            "/1"
        );
        assert_eq!(
            pointer(patch(br#"[{"op": "replace", "path": "/Name", "value": "B"}, {"op": "remove", "path": "/Nope"}]"#)),
            "/1"
        );
        assert_eq!(
            pointer(patch(
                br#"[{"op": "replace", "path": "/Nope/deeper", "value": 1}]"#
            )),
            "/0"
        );
    }

    #[test]
    fn indexed_form_keys_build_lists() {
        let schema = json!({
            "type": "object",
            "properties": {
                "Emails": {"type": "array", "items": {
                    "type": "object", "properties": {"Value": {"type": "string"}, "Rank": {"type": "integer"}}
                }},
                "Map": {"type": "object"}
            }
        });
        let value = decode(
            BodyKind::Form,
            b"Emails[1][Value]=b&Emails[0][Value]=a&Emails[0][Rank]=2&Map[0]=x",
            Some(&schema),
            None,
            ArrayForm::Repeated,
        )
        .expect("decodes");
        assert_eq!(
            value,
            json!({"Emails": [{"Value": "a", "Rank": 2}, {"Value": "b"}], "Map": {"0": "x"}})
        );
    }

    #[test]
    fn xml_errors_point_where_the_trouble_starts() {
        let at = |xml: &str| match decode(
            BodyKind::Xml,
            xml.as_bytes(),
            None,
            None,
            ArrayForm::Repeated,
        ) {
            Err(DecodeError::Xml {
                line,
                column,
                message,
            }) => (line, column, message),
            other => panic!("expected an XML error, got {other:?}"),
        };
        let (line, column, message) = at("<a>\n  <b>&x;</b>\n</a>");
        assert_eq!((line, column), (2, 6), "{message}");
        assert!(message.contains("never expanded"), "{message}");
        let (line, column, _) = at("<a/>\n<b/>");
        assert_eq!((line, column), (2, 1));
        let (line, column, _) = at("<a></a>  tail");
        assert_eq!((line, column), (1, 8));
    }

    #[test]
    fn declared_entities_are_never_expanded() {
        for xml in [
            r#"<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#,
            r#"<!DOCTYPE r [<!ENTITY a "1"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>"#,
        ] {
            let error = decode(
                BodyKind::Xml,
                xml.as_bytes(),
                None,
                None,
                ArrayForm::Repeated,
            )
            .expect_err("refused");
            assert!(error.to_string().contains("never expanded"), "{error}");
        }
    }

    #[test]
    fn deeply_nested_bodies_are_refused_not_overflowed() {
        let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
        let error = decode(
            BodyKind::Xml,
            deep.as_bytes(),
            None,
            None,
            ArrayForm::Repeated,
        )
        .expect_err("too deep");
        assert!(error.to_string().contains("deeper than 128"), "{error}");
        let key = format!("a{}=1", "[a]".repeat(10_000));
        let error = decode(
            BodyKind::Form,
            key.as_bytes(),
            None,
            None,
            ArrayForm::Repeated,
        )
        .expect_err("too deep");
        assert!(error.to_string().contains("deeper than 128"), "{error}");
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let json = decode(
            BodyKind::Json,
            b"\xEF\xBB\xBF{\"id\": 1}",
            None,
            None,
            ArrayForm::Repeated,
        );
        assert_eq!(json, Ok(json!({"id": 1})));
        let xml = decode(
            BodyKind::Xml,
            b"\xEF\xBB\xBF<a><id>1</id></a>",
            None,
            None,
            ArrayForm::Repeated,
        );
        assert_eq!(xml, Ok(json!({"id": "1"})));
    }
}
