//! The XML tree that documented examples, request bodies and portal
//! answers are read into, and the reader that builds it.
//!
//! Reading is strict where XML is and no further: one document element, no
//! entities but XML's own five and character references (a DOCTYPE's are
//! never expanded), and nesting bounded so a hostile document cannot
//! exhaust the stack. What the tree means is for the caller: the catalog
//! and verify read it by a dialect's conventions, the request decoder by a
//! body schema.

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
            Event::Start(start) => stack.push(element(&start)),
            Event::Empty(start) => {
                let mut node = element(&start);
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

fn element(start: &quick_xml::events::BytesStart<'_>) -> XmlNode {
    let name = start.name();
    let raw: &str = name.as_ref();
    let local = raw.rsplit(':').next().unwrap_or(raw);
    let mut node = XmlNode {
        name: decode_name(local),
        ..XmlNode::default()
    };
    for attribute in start.attributes().flatten() {
        let key: &str = attribute.key.as_ref();
        let is_nil = key == "nil" || key.ends_with(":nil");
        if !is_nil && (key == "xmlns" || key.contains(':')) {
            continue;
        }
        // The value as an XML parser reports it; one with an entity no
        // parser without the DTD could resolve is kept as written, since
        // attributes never made a body unreadable before they were kept.
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .unwrap_or_else(|_| attribute.value.clone());
        if is_nil {
            node.nil |= is_xsd_true(&value);
        } else {
            node.attributes.push((decode_name(key), value.into_owned()));
        }
    }
    node
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
    fn encoded_xml_names_decode_back() {
        assert_eq!(decode_name("SuperOffice_x003A_1"), "SuperOffice:1");
        assert_eq!(decode_name("a_xzz"), "a_xzz");
    }
}
