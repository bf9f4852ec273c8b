//! JSON and XML writers, and the reader that takes a documented XML example
//! back to the JSON it stands for.
//!
//! The XML form of every body is rendered from its JSON form by the dialect's
//! [`XmlStyle`], never copied, so that error bodies and trimmed bodies have an
//! XML form too. The documented XML fixtures are the oracle that proves these
//! rules right (see `docmock check` and the fidelity tests). A page that
//! shows only XML is read by the same conventions backwards ([`infer_xml`]).

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value};

use crate::contract::dialect::{ArrayForm, EmptyForm, XmlRoot, XmlStyle};
use crate::contract::xml::{MalformedXml, XmlNode, parse_xml};

/// Renders `value` as an XML document in `style`, indented by two spaces as
/// the vendors' documentation shows it, without an XML declaration.
///
/// `type_name` names the document element for dialects whose root is the
/// returned type (SuperOffice); it is ignored by fixed-root dialects.
///
/// ```
/// use docmock::contract::dialect::DialectName;
/// use docmock::contract::render::to_xml;
///
/// // Arrange
/// let body = serde_json::json!({"status": 0, "response": {"City": "", "Tags": ["a", "b"]}});
/// // Act
/// let xml = to_xml(&DialectName::Onlyoffice.rules().xml, &body, None);
/// // Assert
/// assert_eq!(xml, "<result>\n  <status>0</status>\n  <response>\n    <City />\n    <Tags>a</Tags>\n    <Tags>b</Tags>\n  </response>\n</result>");
/// ```
pub fn to_xml(style: &XmlStyle, value: &Value, type_name: Option<&str>) -> String {
    to_xml_named(style, value, type_name, NameCase::AsIs)
}

/// [`to_xml`] for pages whose XML spells member names in another case than
/// their JSON (`displayName` → `<DisplayName>`).
pub fn to_xml_named(
    style: &XmlStyle,
    value: &Value,
    type_name: Option<&str>,
    names: NameCase,
) -> String {
    let mut out = XmlOut::new(style);
    out.names = names;
    match style.root {
        XmlRoot::Fixed(name) => out.element(name, value, &[]),
        XmlRoot::TypeName {
            fallback,
            namespaces,
        } => match type_name.map(|t| data_contract_root(t, value)) {
            Some(Root::Primitive(name)) => {
                let mut attributes = vec![("xmlns", SERIALIZATION_NS)];
                if value.is_null() {
                    attributes.push(("xmlns:i", INSTANCE_NS));
                }
                out.element(name, value, &attributes);
            }
            Some(Root::List { item, primitive }) => {
                let name = format!("ArrayOf{item}");
                let mut attributes = Vec::with_capacity(namespaces.len() + 1);
                if primitive {
                    attributes.push(("xmlns", ARRAYS_NS));
                }
                attributes.extend_from_slice(namespaces);
                out.root_list(&name, &item, value, &attributes);
            }
            Some(Root::Named(name)) => out.element(&name, value, namespaces),
            None => out.element(fallback, value, namespaces),
        },
    }
    out.finish()
}

/// DataContract's namespace for the primitive types (`<boolean>`, `<int>`).
const SERIALIZATION_NS: &str = "http://schemas.microsoft.com/2003/10/Serialization/";
/// DataContract's namespace for lists of primitives (`<ArrayOfstring>`).
const ARRAYS_NS: &str = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
const INSTANCE_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The document element DataContract writes for a returned type.
enum Root<'t> {
    /// A primitive, in the serialisation namespace.
    Primitive(&'static str),
    /// `ArrayOf<item>` holding one `<item>` per member; lists of primitives
    /// are in the arrays namespace.
    List { item: Cow<'t, str>, primitive: bool },
    /// An entity or other named contract.
    Named(Cow<'t, str>),
}

/// The DataContract root for the documented `type_name` of `value`. The
/// reference names primitives the way its generator spells them (`bool`,
/// `int32`, `date-time`) and every list just `array`, so a list's item type
/// is read off the items when the name does not carry it; a list of objects
/// whose type the page never names is a list of `anyType`, as DataContract
/// writes an untyped `object[]`.
fn data_contract_root<'t>(type_name: &'t str, value: &Value) -> Root<'t> {
    let trimmed = type_name.trim();
    let binary = trimmed.eq_ignore_ascii_case("byte[]")
        || (trimmed.eq_ignore_ascii_case("byte") && value.is_string());
    if binary {
        // A byte array is one base64 value, not a list.
        return Root::Primitive("base64Binary");
    }
    if let Some(name) = primitive_name(trimmed) {
        return Root::Primitive(name);
    }
    let documented_item = trimmed
        .strip_suffix("[]")
        .map(str::trim)
        .filter(|item| !item.is_empty());
    if let Some(item) = documented_item {
        return match primitive_name(item) {
            Some(name) => Root::List {
                item: Cow::Borrowed(name),
                primitive: true,
            },
            None => Root::List {
                item: encode_name(item),
                primitive: false,
            },
        };
    }
    if trimmed.eq_ignore_ascii_case("array") || (trimmed.is_empty() && value.is_array()) {
        return match sampled_item_name(slice(value)) {
            Some(name) => Root::List {
                item: Cow::Borrowed(name),
                primitive: true,
            },
            // Its members are written like an entity's, outside the
            // arrays namespace.
            None => Root::List {
                item: Cow::Borrowed("anyType"),
                primitive: false,
            },
        };
    }
    Root::Named(encode_name(trimmed))
}

/// DataContract's element name for a primitive the reference names
/// `type_name`.
fn primitive_name(type_name: &str) -> Option<&'static str> {
    const NAMES: &[(&[&str], &str)] = &[
        (&["bool", "boolean"], "boolean"),
        (&["int", "int32", "integer"], "int"),
        (&["int64", "long"], "long"),
        (&["int16", "short"], "short"),
        (&["byte"], "unsignedByte"),
        (&["double"], "double"),
        (&["float", "single"], "float"),
        (&["decimal"], "decimal"),
        (&["string"], "string"),
        (&["date-time", "datetime"], "dateTime"),
        (&["guid", "uuid"], "guid"),
        (&["char"], "char"),
    ];
    NAMES
        .iter()
        .find(|(spellings, _)| spellings.iter().any(|s| type_name.eq_ignore_ascii_case(s)))
        .map(|(_, name)| *name)
}

/// The primitive item name shared by every item of a sampled list: whole
/// numbers that do not all fit an `int` are `long`s, and a list mixing
/// kinds, holding objects or empty has none.
fn sampled_item_name(items: &[Value]) -> Option<&'static str> {
    let mut shared: Option<&'static str> = None;
    for item in items {
        let name = match item_name(item, "") {
            Cow::Borrowed(name @ ("string" | "boolean" | "double" | "int" | "long")) => name,
            _ => return None,
        };
        shared = match (shared, name) {
            (None, name) => Some(name),
            (Some(a), b) if a == b => Some(a),
            (Some("int" | "long"), "int" | "long") => Some("long"),
            _ => return None,
        };
    }
    shared
}

/// How member names are spelled in XML relative to the JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NameCase {
    /// As in the JSON.
    #[default]
    AsIs,
    /// First letter upper-cased (`displayName` → `DisplayName`).
    Pascal,
    /// First letter lower-cased (`DisplayName` → `displayName`).
    Camel,
}

impl NameCase {
    /// `name` in this case.
    pub fn apply<'n>(self, name: &'n str) -> Cow<'n, str> {
        let mut chars = name.chars();
        let Some(first) = chars.next() else {
            return Cow::Borrowed(name);
        };
        let changed = match self {
            NameCase::AsIs => return Cow::Borrowed(name),
            NameCase::Pascal if first.is_lowercase() => first.to_uppercase().collect::<String>(),
            NameCase::Camel if first.is_uppercase() => first.to_lowercase().collect::<String>(),
            _ => return Cow::Borrowed(name),
        };
        Cow::Owned(changed + chars.as_str())
    }
}

/// The object depth from which a response's [`NameCase`] applies (the
/// document element's members are at depth 1): an envelope's own members
/// (`status`, `response`) keep the server's spelling, so under a fixed root
/// names change only inside it.
pub fn names_from(style: &XmlStyle) -> usize {
    match style.root {
        XmlRoot::Fixed(_) => 2,
        XmlRoot::TypeName { .. } => 1,
    }
}

/// Serialises `value` as compact JSON, the way the vendors' servers write
/// bodies they generate (documented examples are served verbatim instead).
pub fn to_json(value: &Value) -> Vec<u8> {
    // Serialising a `Value` into a `Vec` has no failure mode.
    serde_json::to_vec(value).unwrap_or_default()
}

/// Makes `name` a valid XML element name the way .NET's
/// `XmlConvert.EncodeLocalName` does: every character that may not stand
/// there becomes `_xHHHH_`.
pub fn encode_name(name: &str) -> Cow<'_, str> {
    let valid = |i: usize, c: char| {
        c.is_alphabetic() || c == '_' || (i > 0 && (c.is_alphanumeric() || c == '-' || c == '.'))
    };
    if !name.is_empty() && name.chars().enumerate().all(|(i, c)| valid(i, c)) {
        return Cow::Borrowed(name);
    }
    if name.is_empty() {
        return Cow::Borrowed("_");
    }
    let mut encoded = String::with_capacity(name.len() + 8);
    for (i, c) in name.chars().enumerate() {
        if valid(i, c) {
            encoded.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                encoded.push_str(&format!("_x{unit:04X}_"));
            }
        }
    }
    Cow::Owned(encoded)
}

/// The DataContract element name of an array item.
fn item_name<'a>(item: &Value, property: &'a str) -> Cow<'a, str> {
    match item {
        Value::String(_) => Cow::Borrowed("string"),
        Value::Bool(_) => Cow::Borrowed("boolean"),
        Value::Number(n) if n.is_f64() => Cow::Borrowed("double"),
        Value::Number(n) => match n.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => Cow::Borrowed("int"),
            _ => Cow::Borrowed("long"),
        },
        Value::Null => Cow::Borrowed("anyType"),
        Value::Array(_) => Cow::Borrowed("ArrayOfanyType"),
        Value::Object(_) => singular(property),
    }
}

/// `Emails` → `Email`, `Faxes` → `Fax`, `Properties` → `Property`; a name that
/// is not a plural gets `Item` appended.
fn singular(property: &str) -> Cow<'_, str> {
    if let Some(stem) = property.strip_suffix("ies").filter(|s| !s.is_empty()) {
        return Cow::Owned(format!("{stem}y"));
    }
    for suffix in ["xes", "ses", "ches", "shes"] {
        if let Some(stem) = property.strip_suffix(suffix).filter(|s| !s.is_empty()) {
            return Cow::Owned(format!("{stem}{}", &suffix[..suffix.len() - 2]));
        }
    }
    match property.strip_suffix('s').filter(|s| !s.is_empty()) {
        Some(stem) => Cow::Borrowed(stem),
        None => Cow::Owned(format!("{property}Item")),
    }
}

struct XmlOut<'s> {
    writer: Writer<Vec<u8>>,
    style: &'s XmlStyle,
    names: NameCase,
    /// Object nesting of the element being written (the root's members are
    /// at depth 1).
    depth: usize,
}

impl<'s> XmlOut<'s> {
    fn new(style: &'s XmlStyle) -> Self {
        let mut writer = Writer::new_with_indent(Vec::with_capacity(4096), b' ', 2);
        writer.config_mut().add_space_before_slash_in_empty_elements = true;
        XmlOut {
            writer,
            style,
            names: NameCase::AsIs,
            depth: 0,
        }
    }

    fn finish(self) -> String {
        // quick-xml only writes what we hand it, and we hand it `&str`s.
        String::from_utf8(self.writer.into_inner()).unwrap_or_default()
    }

    fn event(&mut self, event: Event<'_>) {
        // Writing into a `Vec<u8>` cannot fail.
        let _ = self.writer.write_event(event);
    }

    /// Writes `<name>` holding `value`.
    fn element(&mut self, name: &str, value: &Value, attributes: &[(&str, &str)]) {
        let name = encode_name(name);
        let mut start = BytesStart::new(name.as_ref());
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        match value {
            Value::Null => self.empty(start, self.style.null),
            Value::String(s) if s.is_empty() => self.empty(start, self.style.empty_string),
            Value::String(s) => self.text(start, s),
            Value::Bool(b) => {
                let text = if *b {
                    self.style.true_text
                } else {
                    self.style.false_text
                };
                self.text(start, text);
            }
            Value::Number(n) => {
                let mut text = NumberText::default();
                self.text(start, text.of(n));
            }
            Value::Object(map) if map.is_empty() => self.empty(start, EmptyForm::SelfClosing),
            Value::Object(map) => {
                self.event(Event::Start(start));
                self.depth += 1;
                for (key, child) in map {
                    self.property(key, child);
                }
                self.depth -= 1;
                self.event(Event::End(BytesEnd::new(name.as_ref())));
            }
            Value::Array(items) => self.wrapped(start, &name, items),
        }
    }

    /// Writes the object member `key: value`.
    fn property(&mut self, key: &str, value: &Value) {
        let key = if self.depth >= names_from(self.style) {
            self.names.apply(key)
        } else {
            Cow::Borrowed(key)
        };
        let key = key.as_ref();
        match (value, self.style.arrays) {
            (Value::Array(items), ArrayForm::Repeated) => {
                for item in items {
                    match item {
                        // An array inside an array keeps its own element so
                        // that the nesting survives.
                        Value::Array(_) => self.wrapped(BytesStart::new(key), key, slice(item)),
                        _ => self.element(key, item, &[]),
                    }
                }
            }
            _ => self.element(key, value, &[]),
        }
    }

    fn wrapped(&mut self, start: BytesStart<'_>, name: &str, items: &[Value]) {
        self.list(start, name, items, None);
    }

    /// Writes the document element of a list, whose items are named after
    /// its item type rather than after a property. A body that is not a
    /// list after all (a `$select` of a list keeps it one) is written under
    /// the same name.
    fn root_list(&mut self, name: &str, item: &str, value: &Value, attributes: &[(&str, &str)]) {
        let Value::Array(items) = value else {
            self.element(name, value, attributes);
            return;
        };
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        self.list(start, name, items, Some(item));
    }

    fn list(&mut self, start: BytesStart<'_>, name: &str, items: &[Value], item: Option<&str>) {
        if items.is_empty() {
            self.empty(start, EmptyForm::SelfClosing);
            return;
        }
        self.event(Event::Start(start));
        for value in items {
            let item_name = item.map_or_else(|| item_name(value, name), Cow::Borrowed);
            self.element(&item_name, value, &[]);
        }
        self.event(Event::End(BytesEnd::new(name)));
    }

    fn text(&mut self, start: BytesStart<'_>, text: &str) {
        let end = BytesEnd::new(start.name().as_ref().to_string());
        self.event(Event::Start(start));
        let text = xml_characters(text);
        self.event(Event::Text(BytesText::from_escaped(partial_escape(&*text))));
        self.event(Event::End(end));
    }

    fn empty(&mut self, mut start: BytesStart<'_>, form: EmptyForm) {
        match form {
            EmptyForm::SelfClosing => self.event(Event::Empty(start)),
            EmptyForm::Nil => {
                start.push_attribute(("i:nil", "true"));
                self.event(Event::Empty(start));
            }
            EmptyForm::Pair => {
                let end = BytesEnd::new(start.name().as_ref().to_string());
                self.event(Event::Start(start));
                // An empty text event keeps the end tag on the same line.
                self.event(Event::Text(BytesText::from_escaped("")));
                self.event(Event::End(end));
            }
        }
    }
}

/// The text the vendors' XML serialisers write for a JSON number.
///
/// ONLYOFFICE and R7-Office make their XML from the JSON they have just
/// written, through Newtonsoft's `XmlNodeConverter`, which reads a number
/// with a `.` or an exponent back as a `double` and writes it with
/// `XmlConvert.ToString(double)` (Newtonsoft.Json 13.0.1,
/// `Src/Newtonsoft.Json/Converters/XmlNodeConverter.cs`,
/// `ConvertTokenToXmlValue`; the Community Server's
/// `module/ASC.Api/ASC.Api/Impl/Serializers/JsonNetSerializer.cs` calls it).
/// SuperOffice's WebAPI writes XML with .NET's `DataContractSerializer`,
/// which writes a `double` with the same `XmlConvert.ToString(double)`. So a
/// whole-number double that the JSON spells `11.0` is `11` in the XML of
/// all three, and an integer is its digits.
///
/// `XmlConvert.ToString(double)` is `double.ToString("R")` on .NET
/// Framework and Mono: 15 significant digits when they read back as the
/// same double, else 17, in the `G` format of that precision (trailing
/// zeros dropped; scientific when the exponent reaches the precision or is
/// below -4, with at least two exponent digits: `1E+20`, `1E-05`), and
/// `-0` for negative zero (`System.Xml/System/Xml/XmlConvert.cs`,
/// `ToString(Double)`).
///
/// A `decimal` keeps its scale in DataContract XML (`11.50`), which the
/// JSON value, read as a double, cannot tell: SuperOffice's pages show no
/// XML, and its money fields are doubles. An integer beyond 64 bits is
/// read by serde_json as a double too and written in this form.
///
/// The text is made in a buffer on the stack: numbers are written on the
/// request path (error bodies, `$select`) as well as at load.
#[derive(Default)]
struct NumberText {
    buffer: [u8; 32],
    len: usize,
}

impl std::fmt::Write for NumberText {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let end = self.len + text.len();
        let room = self.buffer.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        room.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl NumberText {
    /// `number` as the vendors' XML writes it.
    fn of(&mut self, number: &serde_json::Number) -> &str {
        use std::fmt::Write as _;
        self.len = 0;
        if let Some(integer) = number.as_i64() {
            let _ = write!(self, "{integer}");
        } else if let Some(integer) = number.as_u64() {
            let _ = write!(self, "{integer}");
        } else if let Some(double) = number.as_f64() {
            self.write_double(double);
        }
        self.text()
    }

    fn text(&self) -> &str {
        // Only ASCII digits, signs, `.` and `E` are ever written.
        std::str::from_utf8(&self.buffer[..self.len]).unwrap_or_default()
    }

    /// `XmlConvert.ToString(double)`, see [`NumberText`]; a JSON number
    /// is always finite, so `NaN` and the infinities never come here.
    fn write_double(&mut self, value: f64) {
        use std::fmt::Write as _;
        if value == 0.0 {
            let _ = self.write_str(if value.is_sign_negative() { "-0" } else { "0" });
            return;
        }
        // The common case, a whole number below 10^15: exactly an integer,
        // and `G15` writes its digits.
        if value.fract() == 0.0 && value.abs() < 1e15 {
            let _ = write!(self, "{}", value as i64);
            return;
        }
        // `R`: 15 significant digits if they read back as `value`, else 17.
        let mut scratch = NumberText::default();
        let _ = write!(scratch, "{value:.14e}");
        let precision = if scratch.text().parse::<f64>() == Ok(value) {
            15
        } else {
            scratch.len = 0;
            let _ = write!(scratch, "{value:.16e}");
            17
        };
        let (mantissa, exponent) = split_exponent(scratch.text());
        self.write_general(mantissa, exponent, precision);
    }

    /// Writes the number whose scientific form is `mantissa`e`exponent`
    /// (`-1.2500`, `3`) in .NET's `G` format of `precision` digits.
    fn write_general(&mut self, mantissa: &str, exponent: i32, precision: i32) {
        use std::fmt::Write as _;
        let (negative, unsigned) = match mantissa.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mantissa),
        };
        let mut digits = NumberText::default();
        for byte in unsigned.bytes().filter(u8::is_ascii_digit) {
            let _ = digits.write_char(char::from(byte));
        }
        let digits = digits.text().trim_end_matches('0');
        let digits = if digits.is_empty() { "0" } else { digits };
        if negative {
            let _ = self.write_str("-");
        }
        if exponent >= precision || exponent < -4 {
            let (first, rest) = digits.split_at(1);
            let _ = self.write_str(first);
            if !rest.is_empty() {
                let _ = write!(self, ".{rest}");
            }
            let sign = if exponent < 0 { '-' } else { '+' };
            let _ = write!(self, "E{sign}{:02}", exponent.unsigned_abs());
        } else if exponent < 0 {
            let _ = self.write_str("0.");
            for _ in 0..(-exponent - 1) {
                let _ = self.write_str("0");
            }
            let _ = self.write_str(digits);
        } else {
            let whole = usize::try_from(exponent).unwrap_or(0) + 1;
            if digits.len() <= whole {
                let _ = self.write_str(digits);
                for _ in digits.len()..whole {
                    let _ = self.write_str("0");
                }
            } else {
                let (integral, fraction) = digits.split_at(whole);
                let _ = write!(self, "{integral}.{fraction}");
            }
        }
    }
}

/// `1.25e-3` → (`1.25`, -3), as Rust's `{:e}` writes it.
fn split_exponent(scientific: &str) -> (&str, i32) {
    match scientific.split_once('e') {
        Some((mantissa, exponent)) => (mantissa, exponent.parse().unwrap_or(0)),
        None => (scientific, 0),
    }
}

/// [`NumberText`] as a `String`: what the vendors' XML writes for `number`.
pub fn xml_number(number: &serde_json::Number) -> String {
    NumberText::default().of(number).to_string()
}

fn slice(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// The JSON a documented XML example stands for, when a page shows only
/// XML: the dialect's conventions read backwards, scalars typed by their
/// text (`True` → `true`, `12` → `12`), repeated elements as arrays.
pub fn infer_xml(text: &str, style: &XmlStyle) -> Result<Value, MalformedXml> {
    let root = parse_xml(text)?;
    Ok(infer_node(&root, style))
}

fn infer_node(node: &XmlNode, style: &XmlStyle) -> Value {
    if node.nil {
        return Value::Null;
    }
    if node.children.is_empty() {
        let text = node.text.trim();
        if text.is_empty() {
            // Where the dialect writes null and "" differently, the form tells.
            let null_form = style.null == EmptyForm::SelfClosing
                && style.empty_string != EmptyForm::SelfClosing;
            return if node.self_closing && null_form {
                Value::Null
            } else {
                Value::String(String::new())
            };
        }
        if text == style.true_text || text == style.false_text {
            return Value::Bool(text == style.true_text);
        }
        if let Ok(n) = text.parse::<i64>()
            && n.to_string() == text
        {
            return Value::from(n);
        }
        return Value::String(node.text.clone());
    }
    let wrapped = style.arrays == ArrayForm::Wrapped
        && node.children.len() > 1
        && node
            .children
            .iter()
            .all(|c| c.name == node.children[0].name);
    if wrapped {
        return Value::Array(node.children.iter().map(|c| infer_node(c, style)).collect());
    }
    let mut members = Map::new();
    for child in &node.children {
        let value = infer_node(child, style);
        match members.get_mut(&child.name) {
            Some(Value::Array(items)) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                members.insert(child.name.clone(), value);
            }
        }
    }
    Value::Object(members)
}

/// `text` with each character XML 1.0 does not allow (the C0 controls
/// but tab and line ends, U+FFFE, U+FFFF) replaced by U+FFFD: JSON may carry
/// them (`"\u0001"`, a request's value echoed in an error), but no XML
/// document may, not even as a character reference, and a client's XML
/// reader refuses the whole answer for one of them.
fn xml_characters(text: &str) -> Cow<'_, str> {
    if text.chars().all(crate::contract::xml::is_xml_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if crate::contract::xml::is_xml_char(c) {
                    c
                } else {
                    char::REPLACEMENT_CHARACTER
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::dialect::DialectName;
    use serde_json::json;

    fn xml(dialect: DialectName, value: Value, type_name: Option<&str>) -> String {
        to_xml(&dialect.rules().xml, &value, type_name)
    }

    #[test]
    fn onlyoffice_writes_capitalised_booleans_and_self_closing_empty_strings() {
        let out = xml(
            DialectName::Onlyoffice,
            json!({"a": true, "b": false, "c": "", "d": null}),
            None,
        );
        assert_eq!(
            out,
            "<result>\n  <a>True</a>\n  <b>False</b>\n  <c />\n  <d />\n</result>"
        );
    }

    #[test]
    fn r7_writes_lower_case_booleans_and_paired_empty_strings() {
        let out = xml(
            DialectName::R7office,
            json!({"a": true, "c": "", "d": null}),
            None,
        );
        assert_eq!(
            out,
            "<result>\n  <a>true</a>\n  <c></c>\n  <d />\n</result>"
        );
    }

    #[test]
    fn a_responses_literals_replace_the_dialects_and_nothing_else() {
        use crate::contract::dialect::{Booleans, XmlLiterals};
        let style = DialectName::Onlyoffice
            .rules()
            .xml
            .with_literals(&XmlLiterals {
                booleans: Some(Booleans::Lower),
                empty_string: Some(EmptyForm::Pair),
                null: None,
            });
        let out = to_xml(
            &style,
            &json!({"a": true, "b": false, "c": "", "d": null, "e": ["x"]}),
            None,
        );
        assert_eq!(
            out,
            "<result>\n  <a>true</a>\n  <b>false</b>\n  <c></c>\n  <d />\n  <e>x</e>\n</result>"
        );
    }

    #[test]
    fn repeated_arrays_of_objects_repeat_the_property_element() {
        let out = xml(
            DialectName::Onlyoffice,
            json!({"L": [{"x": 1}, {"x": 2}], "E": []}),
            None,
        );
        assert_eq!(
            out,
            "<result>\n  <L>\n    <x>1</x>\n  </L>\n  <L>\n    <x>2</x>\n  </L>\n</result>"
        );
    }

    #[test]
    fn superoffice_wraps_arrays_and_marks_nulls_nil() {
        let out = xml(
            DialectName::Superoffice,
            json!({"Domains": ["a"], "Emails": [{"Value": "v"}], "Owner": null, "Name": ""}),
            Some("ContactEntity"),
        );
        assert_eq!(
            out,
            "<ContactEntity xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <Domains>\n    <string>a</string>\n  </Domains>\n  <Emails>\n    <Email>\n      <Value>v</Value>\n    </Email>\n  </Emails>\n  <Owner i:nil=\"true\" />\n  <Name></Name>\n</ContactEntity>"
        );
    }

    #[test]
    fn superoffice_primitives_take_their_data_contract_names() {
        let ns = "xmlns=\"http://schemas.microsoft.com/2003/10/Serialization/\"";
        for (documented, value, expected) in [
            (
                "bool",
                json!(false),
                format!("<boolean {ns}>false</boolean>"),
            ),
            ("string", json!("k"), format!("<string {ns}>k</string>")),
            ("int32", json!(7), format!("<int {ns}>7</int>")),
            ("int64", json!(7), format!("<long {ns}>7</long>")),
            (
                "decimal",
                json!(1.5),
                format!("<decimal {ns}>1.5</decimal>"),
            ),
            (
                "date-time",
                json!("2020-01-01T00:00:00"),
                format!("<dateTime {ns}>2020-01-01T00:00:00</dateTime>"),
            ),
            (
                "byte",
                json!("R0lG"),
                format!("<base64Binary {ns}>R0lG</base64Binary>"),
            ),
        ] {
            assert_eq!(
                xml(DialectName::Superoffice, value, Some(documented)),
                expected,
                "{documented}"
            );
        }
    }

    #[test]
    fn superoffice_lists_are_array_of_their_item_type() {
        let arrays = "xmlns=\"http://schemas.microsoft.com/2003/10/Serialization/Arrays\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"";
        assert_eq!(
            xml(DialectName::Superoffice, json!(["a", "b"]), Some("array")),
            format!(
                "<ArrayOfstring {arrays}>\n  <string>a</string>\n  <string>b</string>\n</ArrayOfstring>"
            )
        );
        assert_eq!(
            xml(
                DialectName::Superoffice,
                json!([1, 5_000_000_000_i64]),
                Some("array")
            ),
            format!(
                "<ArrayOflong {arrays}>\n  <long>1</long>\n  <long>5000000000</long>\n</ArrayOflong>"
            )
        );
        assert_eq!(
            xml(
                DialectName::Superoffice,
                json!([{"Id": 1}]),
                Some("PersonEntity[]")
            ),
            "<ArrayOfPersonEntity xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <PersonEntity>\n    <Id>1</Id>\n  </PersonEntity>\n</ArrayOfPersonEntity>"
        );
        assert_eq!(
            xml(DialectName::Superoffice, json!([{"Id": 1}]), Some("array")),
            "<ArrayOfanyType xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <anyType>\n    <Id>1</Id>\n  </anyType>\n</ArrayOfanyType>"
        );
        assert_eq!(
            xml(DialectName::Superoffice, json!([]), Some("array")),
            "<ArrayOfanyType xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" />"
        );
    }

    #[test]
    fn numbers_are_written_as_dotnet_xml_convert_writes_a_double() {
        // (JSON text as a page documents it, XML text the vendor's server writes)
        for (json, expected) in [
            ("11.0", "11"),
            ("-85.0", "-85"),
            ("1.5", "1.5"),
            ("11.50", "11.5"),
            ("1e20", "1E+20"),
            ("1E+20", "1E+20"),
            ("0.1", "0.1"),
            ("0.0", "0"),
            ("-0.0", "-0"),
            ("0", "0"),
            ("11", "11"),
            ("-9223372036854775808", "-9223372036854775808"),
            ("18446744073709551615", "18446744073709551615"),
            ("123456789012345.0", "123456789012345"),
            ("1e15", "1E+15"),
            ("1234567890123456.0", "1234567890123456"),
            ("12345678901234567890.0", "1.2345678901234567E+19"),
            ("0.0001", "0.0001"),
            ("0.00001", "1E-05"),
            ("-1.25e-7", "-1.25E-07"),
            ("1e100", "1E+100"),
            ("5e-324", "4.94065645841247E-324"),
            ("1.7976931348623157e308", "1.7976931348623157E+308"),
            // Shortest form needs 16 or 17 digits: `R` falls back to 17.
            ("0.30000000000000004", "0.30000000000000004"),
            ("0.3333333333333333", "0.33333333333333331"),
            ("100.25", "100.25"),
            ("53.000", "53"),
        ] {
            let value: Value = serde_json::from_str(json).expect(json);
            let Value::Number(number) = &value else {
                panic!("{json} is a number");
            };
            assert_eq!(xml_number(number), expected, "{json}");
        }
    }

    #[test]
    fn every_number_in_a_body_is_written_as_the_vendor_writes_it() {
        let body: Value = serde_json::from_str(
            r#"{"status": 0, "response": {"BidValue": 11.0, "Rates": [1.50, -85.0], "Id": 7}}"#,
        )
        .expect("JSON");
        assert_eq!(
            xml(DialectName::Onlyoffice, body.clone(), None),
            "<result>\n  <status>0</status>\n  <response>\n    <BidValue>11</BidValue>\n    <Rates>1.5</Rates>\n    <Rates>-85</Rates>\n    <Id>7</Id>\n  </response>\n</result>"
        );
        let entity: Value =
            serde_json::from_str(r#"{"Amount": 2500.0, "Probability": 0.5}"#).expect("JSON");
        assert_eq!(
            xml(DialectName::Superoffice, entity, Some("SaleEntity")),
            "<SaleEntity xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <Amount>2500</Amount>\n  <Probability>0.5</Probability>\n</SaleEntity>"
        );
    }

    #[test]
    fn text_escapes_markup_but_not_quotes() {
        let out = xml(DialectName::Onlyoffice, json!({"t": "a<b & \"c\""}), None);
        assert_eq!(out, "<result>\n  <t>a&lt;b &amp; \"c\"</t>\n</result>");
    }

    #[test]
    fn characters_xml_does_not_allow_are_replaced_so_the_answer_stays_xml() {
        let out = xml(
            DialectName::Onlyoffice,
            json!({"t": "a\u{0}b\u{1}\u{fffe}\tc"}),
            None,
        );
        assert_eq!(
            out,
            "<result>\n  <t>a\u{fffd}b\u{fffd}\u{fffd}\tc</t>\n</result>"
        );
        crate::contract::xml::parse_xml(&out).expect("well-formed");
    }

    #[test]
    fn names_that_are_not_xml_names_are_encoded_like_dotnet() {
        assert_eq!(encode_name("SuperOffice:1"), "SuperOffice_x003A_1");
        assert_eq!(encode_name("1st"), "_x0031_st");
        assert_eq!(encode_name("_Links"), "_Links");
    }

    #[test]
    fn plural_property_names_become_singular_item_names() {
        assert_eq!(singular("Emails"), "Email");
        assert_eq!(singular("Faxes"), "Fax");
        assert_eq!(singular("Addresses"), "Address");
        assert_eq!(singular("Properties"), "Property");
        assert_eq!(singular("Data"), "DataItem");
    }
}
