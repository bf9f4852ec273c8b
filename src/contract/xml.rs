//! The XML tree that documented examples, request bodies and portal
//! answers are read into, and the reader that builds it.
//!
//! Reading is strict where XML is and no further: one document element, no
//! entities but XML's own five and character references (a DOCTYPE's are
//! never expanded), only the characters XML 1.0 allows (`&#0;` is no more
//! XML than a raw NUL), each attribute once per element, and nesting
//! bounded so a hostile document cannot exhaust the stack. What the tree means is for the caller: the catalog
//! and verify read it by a dialect's conventions, the request decoder by a
//! body schema.

use std::collections::HashSet;

use quick_xml::Reader;
use quick_xml::events::Event;

/// How deep XML elements may nest, as serde_json limits JSON: deeper
/// documents are refused rather than risking the stack.
pub const MAX_DEPTH: usize = 128;

/// Why a text is not a well-formed XML document, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML at line {line}, column {column}: {message}")]
pub struct MalformedXml {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What the parser says.
    pub message: String,
}

/// One parsed XML element, as the conventions checks need it.
#[derive(Debug, Default)]
pub struct XmlNode {
    /// Local name, with .NET name encoding (`_x003A_`) reversed.
    pub name: String,
    /// Carries `i:nil="true"` (any prefix, and any XML Schema spelling of
    /// true: `xsi:nil="1"`, `" true "`).
    pub nil: bool,
    /// Attributes that could be data, as `(name, value)` in document order:
    /// unprefixed names, decoded as element names are, and values with
    /// entities resolved. Kept so that verify can tell a field sent as
    /// `<contact id="12" />` from one not sent at all. Namespace
    /// declarations, prefixed attributes (`i:nil`, `xsi:type`) and a bare
    /// `nil` are markup, not data, and are left out, so the list stays
    /// empty (and unallocated) for nearly every element.
    pub attributes: Vec<(String, String)>,
    /// Written as `<name />` rather than `<name></name>`.
    pub self_closing: bool,
    /// Child elements in document order.
    pub children: Vec<XmlNode>,
    /// Text content, entities resolved.
    pub text: String,
}

/// Parses an XML document into its element tree.
pub fn parse_xml(text: &str) -> Result<XmlNode, MalformedXml> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<XmlNode> = Vec::new();
    let mut root: Option<XmlNode> = None;
    let error = |offset: u64, message: String| {
        let offset = usize::try_from(offset).unwrap_or(0).min(text.len());
        let (line, column) = line_column(text, offset);
        MalformedXml {
            line,
            column,
            message,
        }
    };
    loop {
        // Where the event being read starts: the position docmock's own
        // complaints point at (the parser's errors carry their own).
        let at = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => return Err(error(reader.error_position(), e.to_string())),
        };
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() && stack.is_empty() => {
                let _ = start;
                return Err(error(at, "more than one document element".into()));
            }
            Event::Start(_) if stack.len() >= MAX_DEPTH => {
                return Err(error(
                    at,
                    format!("elements nested deeper than {MAX_DEPTH} levels"),
                ));
            }
            Event::Start(start) => stack.push(element(&start).map_err(|m| error(at, m))?),
            Event::Empty(start) => {
                let mut node = element(&start).map_err(|m| error(at, m))?;
                node.self_closing = true;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::End(_) => {
                let Some(node) = stack.pop() else {
                    return Err(error(at, "an end tag without a start tag".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Text(content) => {
                let decoded = content.xml10_content();
                if let Some(c) = decoded.chars().find(|&c| !is_xml_char(c)) {
                    return Err(error(at, not_xml_char(c)));
                }
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&decoded),
                    None if decoded.trim().is_empty() => {}
                    None => return Err(error(at, "text outside the document element".into())),
                }
            }
            Event::GeneralRef(reference) => {
                let name: &str = reference.as_ref();
                let resolved = resolve_entity(name).ok_or_else(|| {
                    error(
                        at,
                        format!(
                            "unknown entity &{name}; (only XML's five predefined entities and \
                             character references are read: entities a DOCTYPE declares are \
                             never expanded)"
                        ),
                    )
                })?;
                if let Some(c) = resolved.chars().find(|&c| !is_xml_char(c)) {
                    return Err(error(at, format!("&{name}; is {}", not_xml_char(c))));
                }
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&resolved);
                }
            }
            Event::CData(content) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(content.as_ref());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        let offset = text.len();
        let (line, column) = line_column(text, offset);
        return Err(MalformedXml {
            line,
            column,
            message: format!(
                "<{}> is never closed",
                stack.last().map(|n| n.name.as_str()).unwrap_or("")
            ),
        });
    }
    root.ok_or(MalformedXml {
        line: 1,
        column: 1,
        message: "no document element".into(),
    })
}

fn resolve_entity(name: &str) -> Option<String> {
    let simple = match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => {
            let code = name.strip_prefix('#')?;
            let number = match code.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => code.parse().ok()?,
            };
            return char::from_u32(number).map(String::from);
        }
    };
    Some(simple.to_string())
}

/// Whether `c` is a character XML 1.0 documents may hold (its `Char`
/// production): tab, line feed, carriage return and the rest of Unicode
/// but the other C0 controls, surrogates and U+FFFE/U+FFFF.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

fn not_xml_char(c: char) -> String {
    format!("U+{:04X}, a character XML 1.0 does not allow", u32::from(c))
}

/// The element a start tag opens, or why its attributes are not XML: one
/// written twice (`<a id="1" id="2">`), one without a quoted value, or one
/// whose value holds a character XML does not allow.
fn element(start: &quick_xml::events::BytesStart<'_>) -> Result<XmlNode, String> {
    let name = start.name();
    let raw: &str = name.as_ref();
    let local = raw.rsplit(':').next().unwrap_or(raw);
    let mut node = XmlNode {
        name: decode_name(local),
        ..XmlNode::default()
    };
    // quick-xml's own duplicate check compares every attribute with every
    // earlier one; a set keeps a hostile tag of 100,000 attributes linear.
    let mut seen: Vec<&str> = Vec::new();
    let mut seen_many: HashSet<&str> = HashSet::new();
    for attribute in start.attributes().with_checks(false) {
        let attribute = attribute.map_err(|e| format!("an attribute of <{raw}>: {e}"))?;
        let key: &str = attribute.key.into_inner();
        let repeated = if seen_many.is_empty() && seen.len() < 16 {
            let repeated = seen.contains(&key);
            seen.push(key);
            repeated
        } else {
            seen_many.extend(seen.drain(..));
            !seen_many.insert(key)
        };
        if repeated {
            return Err(format!("<{raw}> has the attribute {key} twice"));
        }
        let is_nil = key == "nil" || key.ends_with(":nil");
        if !is_nil && (key == "xmlns" || key.contains(':')) {
            continue;
        }
        // The value as an XML parser reports it; one with an entity no
        // parser without the DTD could resolve is kept as written, since
        // attributes never made a body unreadable before they were kept.
        // A character reference to no XML character is malformed, though.
        let value = match attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(value) => value,
            Err(quick_xml::Error::Escape(quick_xml::escape::EscapeError::InvalidCharRef(e))) => {
                return Err(format!(
                    "attribute {key}: {e}, a character XML 1.0 does not allow"
                ));
            }
            Err(_) => attribute.value.clone(),
        };
        if let Some(c) = value.chars().find(|&c| !is_xml_char(c)) {
            return Err(format!("attribute {key}: {}", not_xml_char(c)));
        }
        if is_nil {
            node.nil |= is_xsd_true(&value);
        } else {
            node.attributes.push((decode_name(key), value.into_owned()));
        }
    }
    Ok(node)
}

/// Whether an attribute value is XML Schema's boolean true: `true` or `1`,
/// with surrounding white space collapsed away (the `xs:boolean` lexical
/// space, which .NET's `XmlConvert.ToBoolean` reads for `xsi:nil` too).
fn is_xsd_true(value: &str) -> bool {
    matches!(
        value.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n')),
        "true" | "1"
    )
}

/// Reverses .NET's `XmlConvert.EncodeLocalName`: `_x003A_` → `:`.
fn decode_name(name: &str) -> String {
    if !name.contains("_x") {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let candidate = &rest[i..];
        let decoded = candidate
            .get(2..6)
            .filter(|_| candidate.get(6..7) == Some("_"))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &candidate[7..];
            }
            None => {
                out.push_str("_x");
                rest = &candidate[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_does_not_allow_are_malformed_however_written() {
        for (xml, column) in [
            ("<a>1&#0;</a>", 5),
            ("<a>&#x1;</a>", 4),
            ("<a>&#xFFFE;</a>", 4),
            ("<a>1\u{0}</a>", 4),
            ("<a b=\"&#0;\"/>", 1),
        ] {
            let error = parse_xml(xml).expect_err(xml);
            assert!(
                error.message.contains("XML 1.0 does not allow"),
                "{xml}: {error}"
            );
            assert_eq!((error.line, error.column), (1, column), "{xml}: {error}");
        }
        let allowed = parse_xml("<a b=\"&#9;\">&#x9;&#10;&#13;&#xD7FF;&#xE000;&#x10000;</a>")
            .expect("tab, line ends and the rest of Unicode are XML");
        assert_eq!(allowed.text, "\t\n\r\u{d7ff}\u{e000}\u{10000}");
    }

    #[test]
    fn an_attribute_written_twice_is_malformed() {
        let error = parse_xml("<r>\n  <a id=\"1\" id=\"2\"/>\n</r>").expect_err("duplicate");
        assert_eq!(error.line, 2, "{error}");
        assert!(error.message.contains("id"), "{error}");
        assert!(parse_xml("<r><a id=\"1\" x:id=\"2\"/></r>").is_ok());
        // Past the first few, repeats are found among many attributes too.
        let many: String = (0..40).map(|i| format!(" a{i}=\"\"")).collect();
        for repeated in ["a3", "a30"] {
            let xml = format!("<r{many} {repeated}=\"\"/>");
            let error = parse_xml(&xml).expect_err(repeated);
            assert!(error.message.contains(repeated), "{error}");
        }
        assert!(parse_xml(&format!("<r{many}/>")).is_ok());
    }

    #[test]
    fn encoded_xml_names_decode_back() {
        assert_eq!(decode_name("SuperOffice_x003A_1"), "SuperOffice:1");
        assert_eq!(decode_name("a_xzz"), "a_xzz");
    }
}
