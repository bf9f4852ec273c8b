//! Comparing a live body with the documented example.
//!
//! The documented example is the contract: its keys must be there, with the
//! same JSON types, not null where the example is not null, and the XML form
//! must follow the dialect's conventions. Anything the portal adds is a note,
//! not a failure, because vendors grow their entities.

use serde_json::Value;

use super::{Class, Finding};
use crate::contract::dialect::{ArrayForm, EmptyForm, XmlStyle};
use crate::contract::problem::{kind, shorten};
use crate::contract::render::NameCase;
use crate::contract::xml::XmlNode;

/// Collects findings for one response form.
pub struct Comparison<'f> {
    /// Where findings go.
    pub findings: &'f mut Vec<Finding>,
    /// How the documented XML spells member names relative to the JSON
    /// (`xml_names`), from the depth the renderer applies it at
    /// ([`crate::contract::render::names_from`]).
    names: NameCase,
    /// Object nesting of the members being compared, counted as the
    /// renderer counts it.
    depth: usize,
}

impl<'f> Comparison<'f> {
    /// A comparison adding to `findings`, with member names as in the JSON.
    pub fn new(findings: &'f mut Vec<Finding>) -> Self {
        Comparison {
            findings,
            names: NameCase::AsIs,
            depth: 0,
        }
    }

    /// The same comparison for XML whose member names are spelled in
    /// `names`.
    pub fn with_names(self, names: NameCase) -> Self {
        Comparison { names, ..self }
    }

    /// The element a member `key` at the current depth is written as.
    fn element_name<'k>(&self, style: &XmlStyle, key: &'k str) -> std::borrow::Cow<'k, str> {
        if self.depth >= crate::contract::render::names_from(style) {
            self.names.apply(key)
        } else {
            std::borrow::Cow::Borrowed(key)
        }
    }

    fn add(&mut self, class: Class, pointer: &str, message: String) {
        self.findings.push(Finding {
            class,
            pointer: pointer.to_string(),
            message,
        });
    }

    /// One note for the undocumented members of one object beyond the
    /// first [`EXTRA_FIELDS`]: a dictionary keyed by id would otherwise
    /// add a note per entry.
    fn more_extra(&mut self, extra: usize, pointer: &str) {
        if extra > EXTRA_FIELDS {
            self.add(
                Class::ExtraField,
                pointer,
                format!(
                    "{} more undocumented fields, not listed",
                    extra - EXTRA_FIELDS
                ),
            );
        }
    }

    /// Compares the live JSON `actual` with the documented `expected`.
    pub fn json(&mut self, expected: &Value, actual: &Value, pointer: &str) {
        match (expected, actual) {
            // A documented null says nothing about the type.
            (Value::Null, _) => {}
            (_, Value::Null) => self.add(
                Class::UnexpectedNull,
                pointer,
                format!(
                    "documented as {}, the portal sends null",
                    described(expected)
                ),
            ),
            (Value::Object(documented), Value::Object(live)) => {
                for (key, value) in documented {
                    let child = format!(
                        "{pointer}/{}",
                        crate::contract::problem::escape_pointer(key)
                    );
                    match live.get(key) {
                        Some(live_value) => self.json(value, live_value, &child),
                        None => match live.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
                            // A client reading the documented name finds
                            // nothing, so it is missing; the value under the
                            // other spelling is still compared, so that its
                            // own drift is not hidden behind the name.
                            Some((found, live_value)) => {
                                self.add(
                                    Class::MissingField,
                                    &child,
                                    format!(
                                        "documented as {key:?}, the portal spells it {found:?}"
                                    ),
                                );
                                let spelled = format!(
                                    "{pointer}/{}",
                                    crate::contract::problem::escape_pointer(found)
                                );
                                self.json(value, live_value, &spelled);
                            }
                            None if conditional_annotation(key) => {}
                            None => self.add(
                                Class::MissingField,
                                &child,
                                format!("documented field {key:?} is missing"),
                            ),
                        },
                    }
                }
                let mut extra = 0;
                for key in live.keys().filter(|k| !documented.contains_key(*k)) {
                    if documented.keys().any(|d| d.eq_ignore_ascii_case(key)) {
                        continue;
                    }
                    extra += 1;
                    if extra <= EXTRA_FIELDS {
                        self.add(
                            Class::ExtraField,
                            &format!(
                                "{pointer}/{}",
                                crate::contract::problem::escape_pointer(key)
                            ),
                            format!("undocumented field {key:?}"),
                        );
                    }
                }
                self.more_extra(extra, pointer);
            }
            (Value::Array(documented), Value::Array(live)) => {
                // The documented items show the shape every item must have;
                // an example that mixes kinds allows each of them, and one
                // with a null item allows null items.
                let nulls_allowed = documented.iter().any(Value::is_null);
                if let Some(first) = documented.iter().find(|item| !item.is_null()) {
                    let mut folded = ItemFindings::new(pointer);
                    for (i, item) in live.iter().enumerate() {
                        if item.is_null() && nulls_allowed {
                            continue;
                        }
                        let shape = documented
                            .iter()
                            .find(|d| !d.is_null() && kind(d) == kind(item))
                            .unwrap_or(first);
                        let before = self.findings.len();
                        self.shape(shape, item, &format!("{pointer}/{i}"));
                        folded.absorb(self.findings, before, i);
                    }
                    folded.finish(self.findings, live.len());
                }
            }
            (Value::String(documented), Value::String(live))
                if is_iso_date(documented) && !live.is_empty() && !is_iso_date(live) =>
            {
                self.add(Class::TypeChange, pointer, date_message(documented, live))
            }
            (Value::String(documented), Value::String(live)) if zone_dropped(documented, live) => {
                self.add(Class::ValueDiffers, pointer, zone_message(documented, live))
            }
            _ if kind(expected) != kind(actual) => {
                self.add(Class::TypeChange, pointer, type_message(expected, actual))
            }
            // A fraction where the example shows an integer: a note, named
            // as such (see `integer_message`).
            (Value::Number(documented), Value::Number(live))
                if is_integer(documented) && has_fraction(live) =>
            {
                self.add(
                    Class::ValueDiffers,
                    pointer,
                    integer_message(documented, live),
                )
            }
            (Value::Number(documented), Value::Number(live))
                if is_integer(documented) && !is_integer(live) && beyond_64_bits(live.as_f64()) =>
            {
                self.add(Class::TypeChange, pointer, too_large_message(live))
            }
            _ if expected != actual
                && !(expected.is_number()
                    && actual.is_number()
                    && expected.as_f64() == actual.as_f64()) =>
            {
                self.add(
                    Class::ValueDiffers,
                    pointer,
                    format!(
                        "documented {}, the portal sends {}",
                        short(expected),
                        short(actual)
                    ),
                )
            }
            _ => {}
        }
    }

    /// Like [`Comparison::json`] for array items, where values naturally
    /// differ from the one documented item: only the shape is compared.
    fn shape(&mut self, expected: &Value, actual: &Value, pointer: &str) {
        let before = self.findings.len();
        self.json(expected, actual, pointer);
        drop_value_notes(self.findings, before);
    }

    /// Compares a live XML element with the documented JSON value under the
    /// response's XML conventions: the dialect's, with the literals the
    /// page documents in their place (`xml_literals`).
    pub fn xml(&mut self, style: &XmlStyle, expected: &Value, node: &XmlNode, pointer: &str) {
        match expected {
            Value::Null => {
                if !node.children.is_empty() || !node.text.trim().is_empty() {
                    return;
                }
                let ok = match style.null {
                    EmptyForm::Nil => node.nil,
                    EmptyForm::SelfClosing => node.self_closing || node.nil,
                    EmptyForm::Pair => !node.self_closing,
                };
                if !ok {
                    self.add(
                        Class::XmlConvention,
                        pointer,
                        format!(
                            "null written as {}, the documented convention is {}",
                            written(node),
                            form(style.null, &node.name)
                        ),
                    );
                }
            }
            Value::Bool(flag) => {
                let text = node.text.trim();
                let documented = if *flag {
                    style.true_text
                } else {
                    style.false_text
                };
                if node.nil || (node.self_closing && text.is_empty()) {
                    self.add(
                        Class::UnexpectedNull,
                        pointer,
                        format!(
                            "documented as a boolean, the portal sends {}",
                            written(node)
                        ),
                    );
                } else if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") {
                    if text != style.true_text && text != style.false_text {
                        self.add(
                            Class::XmlConvention,
                            pointer,
                            format!(
                                "boolean spelled {text:?}, the documented convention is {:?} / {:?}",
                                style.true_text, style.false_text
                            ),
                        );
                    } else if text != documented {
                        self.add(
                            Class::ValueDiffers,
                            pointer,
                            format!("documented {documented}, the portal sends {text}"),
                        );
                    }
                } else {
                    self.add(
                        Class::TypeChange,
                        pointer,
                        format!("documented as a boolean, the portal sends {text:?}"),
                    );
                }
            }
            Value::Number(n) => {
                let text = node.text.trim();
                if node.nil || (text.is_empty() && node.children.is_empty()) {
                    self.add(
                        Class::UnexpectedNull,
                        pointer,
                        format!("documented as a number, the portal sends {}", written(node)),
                    );
                } else if !text.parse::<f64>().is_ok_and(f64::is_finite)
                    || !node.children.is_empty()
                {
                    self.add(
                        Class::TypeChange,
                        pointer,
                        format!(
                            "documented as a number, the portal sends {:?}",
                            shorten(text, 60)
                        ),
                    );
                } else if is_integer(n) && text.parse::<f64>().is_ok_and(|live| live.fract() != 0.0)
                {
                    self.add(
                        Class::ValueDiffers,
                        pointer,
                        integer_message(n, shorten(text, 60)),
                    );
                } else if is_integer(n)
                    && text.parse::<i64>().is_err()
                    && text.parse::<u64>().is_err()
                    && beyond_64_bits(text.parse::<f64>().ok())
                {
                    self.add(
                        Class::TypeChange,
                        pointer,
                        too_large_message(shorten(text, 60)),
                    );
                } else if text.parse::<f64>().ok() != n.as_f64() {
                    self.add(
                        Class::ValueDiffers,
                        pointer,
                        format!("documented {n}, the portal sends {text}"),
                    );
                }
            }
            Value::String(documented) => {
                if !node.children.is_empty() {
                    self.add(
                        Class::TypeChange,
                        pointer,
                        "documented as text, the portal sends an element with children".into(),
                    );
                } else if node.nil
                    || (!documented.is_empty()
                        && node.self_closing
                        && style.null != style.empty_string)
                {
                    // Where null and "" are written apart, the form says null.
                    self.add(
                        Class::UnexpectedNull,
                        pointer,
                        format!("documented as text, the portal sends {}", written(node)),
                    );
                } else if documented.is_empty() && node.text.is_empty() {
                    let ok = match style.empty_string {
                        EmptyForm::SelfClosing => node.self_closing,
                        EmptyForm::Pair => !node.self_closing,
                        EmptyForm::Nil => node.nil,
                    };
                    if !ok {
                        self.add(
                            Class::XmlConvention,
                            pointer,
                            format!(
                                "empty text written as {}, the documented convention is {}",
                                written(node),
                                form(style.empty_string, &node.name)
                            ),
                        );
                    }
                } else if is_iso_date(documented)
                    && !node.text.trim().is_empty()
                    && !is_iso_date(node.text.trim())
                {
                    self.add(
                        Class::TypeChange,
                        pointer,
                        date_message(documented, node.text.trim()),
                    );
                } else if zone_dropped(documented, node.text.trim()) {
                    self.add(
                        Class::ValueDiffers,
                        pointer,
                        zone_message(documented, node.text.trim()),
                    );
                } else if &node.text != documented {
                    self.add(
                        Class::ValueDiffers,
                        pointer,
                        format!(
                            "documented {:?}, the portal sends {:?}",
                            shorten(documented, 60),
                            shorten(&node.text, 60)
                        ),
                    );
                }
            }
            Value::Array(items) => {
                // Repeated arrays are handled by the parent (`members`);
                // this is a wrapped array or a bare document-level array.
                let Some(shape) = items.iter().find(|i| !i.is_null()) else {
                    return;
                };
                if node.nil {
                    self.add(
                        Class::UnexpectedNull,
                        pointer,
                        format!("documented as a list, the portal sends {}", written(node)),
                    );
                } else if node.children.is_empty() && !node.text.trim().is_empty() {
                    self.add(
                        Class::TypeChange,
                        pointer,
                        format!(
                            "documented as a list of elements, the portal sends text {:?}",
                            shorten(node.text.trim(), 60)
                        ),
                    );
                } else {
                    self.items(
                        style,
                        shape,
                        &node.children.iter().collect::<Vec<_>>(),
                        pointer,
                    );
                }
            }
            Value::Object(members) => {
                self.depth += 1;
                // An element whose documented members all came as
                // attributes (`<createBy id="1" />`) is not empty: each
                // member is reported where it went instead.
                let empty = node.children.is_empty()
                    && node.text.trim().is_empty()
                    && !members.is_empty()
                    && !members
                        .keys()
                        .any(|key| self.as_attribute(style, key, node).is_some());
                if node.nil || empty {
                    self.add(
                        Class::UnexpectedNull,
                        pointer,
                        format!(
                            "documented as an element with children, the portal sends {}",
                            written(node)
                        ),
                    );
                } else {
                    self.members(style, members, node, pointer);
                }
                self.depth -= 1;
            }
        }
    }

    fn members(
        &mut self,
        style: &XmlStyle,
        members: &serde_json::Map<String, Value>,
        node: &XmlNode,
        pointer: &str,
    ) {
        for (key, value) in members {
            let documented_pointer = format!(
                "{pointer}/{}",
                crate::contract::problem::escape_pointer(key)
            );
            // Parsed element names are already decoded from `_x003A_` form.
            let element = self.element_name(style, key);
            let element = element.as_ref();
            let mut child_pointer = documented_pointer.clone();
            let mut matching: Vec<&XmlNode> =
                node.children.iter().filter(|c| c.name == element).collect();
            if matching.is_empty() {
                // Another spelling is a missing element for a client that
                // reads the documented one; its content is still compared.
                let other_case: Vec<&XmlNode> = node
                    .children
                    .iter()
                    .filter(|c| c.name.eq_ignore_ascii_case(element))
                    .collect();
                match other_case.first() {
                    Some(found) => {
                        self.add(
                            Class::MissingField,
                            &documented_pointer,
                            format!(
                                "documented as <{element}>, the portal writes <{}>",
                                found.name
                            ),
                        );
                        child_pointer = format!(
                            "{pointer}/{}",
                            crate::contract::problem::escape_pointer(&found.name)
                        );
                        matching = other_case;
                    }
                    None => {
                        // Repeated arrays with no item are written as nothing.
                        let empty_list = value.is_array() && style.arrays == ArrayForm::Repeated;
                        match self.as_attribute(style, key, node) {
                            // A client reading elements does not find an
                            // attribute, so the member is missing; saying
                            // where it went spares the API owner a hunt.
                            Some((name, text)) => self.add(
                                Class::MissingField,
                                &documented_pointer,
                                format!(
                                    "documented as element <{element}>, the portal sends it as an XML attribute of <{}>: {name}={:?}",
                                    node.name,
                                    shorten(text, 60)
                                ),
                            ),
                            None if empty_list => {}
                            None => self.add(
                                Class::MissingField,
                                &documented_pointer,
                                format!("documented element <{element}> is missing"),
                            ),
                        }
                        continue;
                    }
                }
            }
            match value {
                Value::Array(_) => {
                    self.array_member(style, element, value, &matching, &child_pointer)
                }
                _ => {
                    if matching.len() > 1 {
                        self.add(
                            Class::TypeChange,
                            &child_pointer,
                            format!(
                                "documented once, the portal repeats <{element}> {} times",
                                matching.len()
                            ),
                        );
                    }
                    self.xml(style, value, matching[0], &child_pointer);
                }
            }
        }
        let mut extra = 0;
        let mut seen = std::collections::HashSet::new();
        for child in &node.children {
            let known = members.keys().any(|k| {
                self.element_name(style, k)
                    .eq_ignore_ascii_case(&child.name)
            });
            if !known && seen.insert(child.name.as_str()) {
                extra += 1;
                if extra <= EXTRA_FIELDS {
                    self.add(
                        Class::ExtraField,
                        &format!(
                            "{pointer}/{}",
                            crate::contract::problem::escape_pointer(&child.name)
                        ),
                        format!("undocumented element <{}>", child.name),
                    );
                }
            }
        }
        self.more_extra(extra, pointer);
    }

    /// The attribute of `node` a documented member `key` came as, looked for
    /// under its element name as the member's element is: that spelling,
    /// else the same name in another case.
    fn as_attribute<'n>(
        &self,
        style: &XmlStyle,
        key: &str,
        node: &'n XmlNode,
    ) -> Option<&'n (String, String)> {
        if node.attributes.is_empty() {
            return None;
        }
        let element = self.element_name(style, key);
        let element = element.as_ref();
        node.attributes
            .iter()
            .find(|(name, _)| name == element)
            .or_else(|| {
                node.attributes
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(element))
            })
    }

    /// An array member, `matching` being the (non-empty) elements named
    /// after it. Each dialect writes arrays one way; the other way is an XML
    /// convention mismatch, and the items are compared either way so that
    /// their own drift is reported under the right pointers instead of as
    /// every documented field missing.
    fn array_member(
        &mut self,
        style: &XmlStyle,
        element: &str,
        documented: &Value,
        matching: &[&XmlNode],
        pointer: &str,
    ) {
        let Some(shape) = documented
            .as_array()
            .and_then(|items| items.iter().find(|i| !i.is_null()))
        else {
            return;
        };
        match style.arrays {
            ArrayForm::Repeated => {
                if let [only] = matching
                    && is_wrapper(only, shape)
                {
                    self.add(
                        Class::XmlConvention,
                        pointer,
                        format!("array written inside one <{element}> wrapper, the dialect repeats <{element}> for each item"),
                    );
                    self.items(
                        style,
                        shape,
                        &only.children.iter().collect::<Vec<_>>(),
                        pointer,
                    );
                } else {
                    self.items(style, shape, matching, pointer);
                }
            }
            ArrayForm::Wrapped => {
                let repeated =
                    matching.len() > 1 || matching.first().is_some_and(|only| is_item(only, shape));
                if repeated {
                    self.add(
                        Class::XmlConvention,
                        pointer,
                        format!("array written as repeated <{element}> elements, the dialect wraps the items in one <{element}>"),
                    );
                    self.items(style, shape, matching, pointer);
                } else if let Some(wrapper) = matching.first() {
                    self.xml(style, documented, wrapper, pointer);
                }
            }
        }
    }

    /// Compares array items with the documented item's shape; their values
    /// naturally differ from the one example, so value notes are dropped.
    fn items(&mut self, style: &XmlStyle, shape: &Value, items: &[&XmlNode], pointer: &str) {
        let mut folded = ItemFindings::new(pointer);
        for (i, item) in items.iter().enumerate() {
            let before = self.findings.len();
            self.xml(style, shape, item, &format!("{pointer}/{i}"));
            drop_value_notes(self.findings, before);
            folded.absorb(self.findings, before, i);
        }
        folded.finish(self.findings, items.len());
    }
}

/// Whether one element named after an array holds the items in a wrapper
/// (`<Tags><string>a</string></Tags>`) rather than being an item itself: its
/// children all share one name, and, for object items, that name is not a
/// documented member while the children's own children are (an item
/// documented as `{}` tells nothing, so it is never taken for a wrapper).
fn is_wrapper(node: &XmlNode, shape: &Value) -> bool {
    let Some(first) = node.children.first() else {
        return false;
    };
    if node.children.iter().any(|c| c.name != first.name) {
        return false;
    }
    match shape {
        Value::Object(members) => {
            let documented = |name: &str| members.keys().any(|k| k.eq_ignore_ascii_case(name));
            !documented(&first.name) && first.children.iter().any(|c| documented(&c.name))
        }
        Value::Array(_) => false,
        _ => true,
    }
}

/// Whether an element named after an array is one item written bare (the
/// repeated form) rather than a wrapper: an object item with documented
/// members as children, or a scalar item with text and no children.
fn is_item(node: &XmlNode, shape: &Value) -> bool {
    match shape {
        Value::Object(members) => node
            .children
            .iter()
            .any(|c| members.keys().any(|k| k.eq_ignore_ascii_case(&c.name))),
        Value::Array(_) => false,
        _ => node.children.is_empty() && !node.text.trim().is_empty(),
    }
}

/// OData control information that the protocol writes only when it
/// applies: `odata.nextLink` only when another page follows, the delta
/// link only on delta queries, the count only when `$count` (or
/// `$inlinecount`) asked for it. A documented example shows them, but a
/// last page without `odata.nextLink` is no drift.
fn conditional_annotation(key: &str) -> bool {
    let name = key.strip_prefix('@').unwrap_or(key);
    ["odata.nextLink", "odata.deltaLink", "odata.count"]
        .iter()
        .any(|annotation| name.eq_ignore_ascii_case(annotation))
}

/// Whether text is an ISO 8601 date or date-time as the vendors write them
/// (`2022-10-07`, `2022-10-07T10:03:01.4979588Z`,
/// `2019-03-27T14:34:01.7686072+01:00`, a space for the `T`).
fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let date = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10);
    if !date {
        return false;
    }
    let mut rest = &b[10..];
    if rest.is_empty() {
        return true;
    }
    if !matches!(rest[0], b'T' | b't' | b' ') {
        return false;
    }
    rest = &rest[1..];
    let two = |r: &[u8]| r.len() >= 2 && r[..2].iter().all(u8::is_ascii_digit);
    if !(two(rest) && rest.get(2) == Some(&b':') && two(&rest[3..])) {
        return false;
    }
    rest = &rest[5..];
    if rest.first() == Some(&b':') {
        if !two(&rest[1..]) {
            return false;
        }
        rest = &rest[3..];
        if rest.first() == Some(&b'.') {
            let fraction = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if fraction == 0 {
                return false;
            }
            rest = &rest[1 + fraction..];
        }
    }
    match rest {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', zone @ ..] => {
            let digits: Vec<u8> = zone.iter().copied().filter(|c| *c != b':').collect();
            matches!(digits.len(), 2 | 4) && digits.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// A value's kind, with the value itself where it is a scalar.
fn described(value: &Value) -> String {
    match value {
        Value::Object(_) | Value::Array(_) | Value::Null => kind(value).to_string(),
        scalar => format!("{} ({})", kind(scalar), short(scalar)),
    }
}

/// A type change naming both values where they are scalars, so that the
/// reader sees `0` became `"0"` without fetching the answer, and saying so
/// where the live text is the documented kind spelled as a string (.NET
/// portals serialising numbers as strings) or a boolean came as 0/1.
fn type_message(expected: &Value, actual: &Value) -> String {
    let spelled = match (expected, actual) {
        (Value::Number(_), Value::String(text))
            if text.trim().parse::<f64>().is_ok_and(f64::is_finite) =>
        {
            ": the number written as a string"
        }
        (Value::Bool(_), Value::String(text))
            if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") =>
        {
            ": the boolean written as a string"
        }
        (Value::Bool(_), Value::Number(n)) if n.as_u64().is_some_and(|n| n <= 1) => {
            ": the boolean written as 0 or 1"
        }
        _ => "",
    };
    format!(
        "documented as {}, the portal sends {}{spelled}",
        described(expected),
        described(actual)
    )
}

/// A documented ISO date that came back in another format: clients that
/// parse the documented format break, so it is a type change, not a value.
fn date_message(documented: &str, live: &str) -> String {
    format!(
        "documented as an ISO 8601 date ({:?}), the portal sends {:?}",
        shorten(documented, 60),
        shorten(live, 60)
    )
}

/// Whether an ISO 8601 date-time carries a time zone (`Z`, `+01:00`).
fn has_time_zone(text: &str) -> bool {
    let time = text.as_bytes().get(11..).unwrap_or_default();
    !time.is_empty()
        && (matches!(time.last(), Some(b'Z' | b'z'))
            || time.contains(&b'+')
            || time.contains(&b'-'))
}

/// Whether the portal sends a date-time without the time zone the
/// documentation shows. Not a type change: .NET writes a `DateTime` of
/// unspecified kind that way, and portals do. But a client reads such a
/// time in its own zone, so it is a note that says so.
fn zone_dropped(documented: &str, live: &str) -> bool {
    live.len() > 10
        && is_iso_date(documented)
        && is_iso_date(live)
        && has_time_zone(documented)
        && !has_time_zone(live)
}

fn zone_message(documented: &str, live: &str) -> String {
    format!(
        "documented with a time zone ({:?}), the portal sends a time without one ({:?}): clients read it in their own time zone (JavaScript's Date does)",
        shorten(documented, 60),
        shorten(live, 60)
    )
}

/// Whether the documentation shows the number as an integer (`1234`, not
/// `1234.0`): the type a .NET portal declares for it is then integral.
fn is_integer(number: &serde_json::Number) -> bool {
    number.is_i64() || number.is_u64()
}

/// Whether a live number has a non-zero fraction. `12.0` and `1.2e3` are
/// integral values a client's integer parser accepts, so they are not.
fn has_fraction(number: &serde_json::Number) -> bool {
    number.as_f64().is_some_and(|value| value.fract() != 0.0)
}

/// Whether an integral value lies outside both `long` and `ulong`: the
/// JSON parser had to keep it as a float, and a client reading the
/// documented integer overflows.
fn beyond_64_bits(value: Option<f64>) -> bool {
    // 2^63 and 2^64 are exact in f64, so these bounds are exact too.
    value.is_some_and(|v| {
        v.fract() == 0.0 && !(-9.223_372_036_854_776e18..1.844_674_407_370_955_2e19).contains(&v)
    })
}

fn too_large_message(live: impl std::fmt::Display) -> String {
    format!("documented as an integer, the portal sends {live}, beyond the 64-bit integer types")
}

/// A fraction where the example shows an integer, in the same words for
/// JSON and XML. Only a note: the pages give examples, not types, and a
/// decimal member (a price, a bid, a rate) whose example happens to be
/// whole reads as an integer; failing it would fail every portal holding
/// a real amount. The note still tells an API owner where an integer
/// member may have become a decimal.
fn integer_message(documented: impl std::fmt::Display, live: impl std::fmt::Display) -> String {
    format!(
        "documented as an integer ({documented}), the portal sends {live}: a decimal where the example was whole, or an integer member that became one"
    )
}

/// How many undocumented members of one object are listed by name.
const EXTRA_FIELDS: usize = 20;

/// How many kinds of drift the items of one list are reported with; the
/// rest are counted in one finding. Dictionary-like items (a key per id)
/// would otherwise add a kind per item.
const ITEM_KINDS: usize = 20;

/// The findings of one list's items, folded as they are found: the same
/// drift in many items (one renamed field in each of 100 000 contacts) is
/// one finding, at its first item, saying how many items share it, so that
/// a report stays readable, and neither it nor the memory verify holds
/// grows with the portal's data. Failures are kept before notes when the
/// kinds are capped, so a capped list never hides why a check failed.
struct ItemFindings {
    prefix: String,
    /// Each kind of drift: its first finding, the items having it, and the
    /// last item counted.
    groups: Vec<(Finding, usize, usize)>,
    index: std::collections::HashMap<(Class, String), usize>,
}

impl ItemFindings {
    fn new(list: &str) -> Self {
        ItemFindings {
            prefix: format!("{list}/"),
            groups: Vec::new(),
            index: std::collections::HashMap::new(),
        }
    }

    /// Takes the findings added since `from`, all about item `item`.
    fn absorb(&mut self, findings: &mut Vec<Finding>, from: usize, item: usize) {
        for finding in findings.drain(from..) {
            let rest = finding.pointer.strip_prefix(&self.prefix).unwrap_or("");
            let within = rest.split_once('/').map_or("", |(_, within)| within);
            // Indices of nested lists differ from item to item too.
            let shape: Vec<&str> = within
                .split('/')
                .map(|segment| {
                    if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                        "*"
                    } else {
                        segment
                    }
                })
                .collect();
            let key = (finding.class, shape.join("/"));
            match self.index.get(&key) {
                Some(&at) => {
                    let group = &mut self.groups[at];
                    if group.2 != item {
                        group.1 += 1;
                        group.2 = item;
                    }
                }
                None => {
                    self.index.insert(key, self.groups.len());
                    self.groups.push((finding, 1, item));
                }
            }
        }
    }

    /// Adds the folded findings for a list of `count` items.
    fn finish(mut self, findings: &mut Vec<Finding>, count: usize) {
        self.groups
            .sort_by_key(|(finding, _, _)| !finding.class.is_failure());
        let kinds = self.groups.len();
        let list = self.prefix.trim_end_matches('/');
        for (position, (mut finding, items, _)) in self.groups.into_iter().enumerate() {
            if position == ITEM_KINDS {
                findings.push(Finding {
                    class: finding.class,
                    pointer: list.to_string(),
                    message: format!(
                        "{} more kinds of drift in the items of this list are not listed, the first: {}",
                        kinds - ITEM_KINDS,
                        finding.message
                    ),
                });
                break;
            }
            if items > 1 {
                finding.message.push_str(&format!(
                    "; the same in {} more of the {count} items",
                    items - 1
                ));
            }
            findings.push(finding);
        }
    }
}

/// Removes the "value differs" notes added since `from`: array items other
/// than the documented one naturally hold other values.
fn drop_value_notes(findings: &mut Vec<Finding>, from: usize) {
    let mut i = from;
    while i < findings.len() {
        if findings[i].class == Class::ValueDiffers {
            findings.remove(i);
        } else {
            i += 1;
        }
    }
}

fn short(value: &Value) -> String {
    shorten(&value.to_string(), 60)
}

fn written(node: &XmlNode) -> String {
    if node.nil {
        format!("<{} i:nil=\"true\" />", node.name)
    } else if node.self_closing {
        format!("<{} />", node.name)
    } else if node.children.is_empty() && node.text.is_empty() {
        format!("<{0}></{0}>", node.name)
    } else {
        format!("<{0}>{1}</{0}>", node.name, shorten(&node.text, 60))
    }
}

fn form(empty: EmptyForm, name: &str) -> String {
    match empty {
        EmptyForm::SelfClosing => format!("<{name} />"),
        EmptyForm::Pair => format!("<{name}></{name}>"),
        EmptyForm::Nil => format!("<{name} i:nil=\"true\" />"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::dialect::{Booleans, DialectName, XmlLiterals};
    use serde_json::json;

    #[test]
    fn iso_dates_are_told_from_other_date_formats_without_panicking() {
        for date in [
            "2022-10-07",
            "2022-10-07T10:03",
            "2022-10-07T10:03:01Z",
            "2022-10-07T10:03:01.4979588Z",
            "2019-03-27T14:34:01.7686072+01:00",
            "2022-10-07 10:03:01+0300",
            "2022-10-07T10:03:01-05",
        ] {
            assert!(is_iso_date(date), "{date}");
        }
        for other in [
            "",
            "2022",
            "2022-10-0",
            "2022-10-07T",
            "2022-10-07T1",
            "2022-10-07T10:0",
            "2022-10-07T10:03:",
            "2022-10-07T10:03:01.",
            "2022-10-07T10:03:01+1",
            "2022-10-07T10:03:01 UTC",
            "07.10.2022 10:03:01",
            "/Date(1665137000000)/",
            "2022-10-07Ж",
        ] {
            assert!(!is_iso_date(other), "{other}");
        }
    }

    #[test]
    fn a_time_sent_without_its_documented_zone_is_a_note_that_says_so() {
        let expected = json!({"created": "2020-12-08T17:37:04.5916406Z", "day": "2020-12-08"});
        let note = |live: &str| {
            (
                Class::ValueDiffers,
                "/created".to_string(),
                format!(
                    "documented with a time zone (\"2020-12-08T17:37:04.5916406Z\"), the portal sends a time without one ({live:?}): clients read it in their own time zone (JavaScript's Date does)"
                ),
            )
        };
        let live = "2021-01-02T03:04:05";
        assert_eq!(
            json_findings(&expected, &json!({"created": live, "day": "2020-12-08"})),
            [note(live)]
        );
        let style = DialectName::Onlyoffice.rules().xml;
        let xml = format!("<r><created>{live}</created><day>2020-12-08</day></r>");
        assert_eq!(xml_findings(&style, &expected, &xml), [note(live)]);
        // Another zone, or a zone where none is documented, is only another
        // value.
        let local = json!({"created": "2020-12-08T17:37:04", "day": "2020-12-08"});
        for (expected, live) in [
            (&expected, "2021-01-02T03:04:05+03:00"),
            (&expected, "2021-01-02T03:04:05.1-0500"),
            (&local, "2021-01-02T03:04:05Z"),
        ] {
            let found = json_findings(expected, &json!({"created": live, "day": "2020-12-08"}));
            assert_eq!(found.len(), 1, "{live}");
            assert_eq!(found[0].0, Class::ValueDiffers, "{live}");
            assert!(!found[0].2.contains("time zone"), "{live}: {}", found[0].2);
        }
    }

    fn json_findings(expected: &Value, actual: &Value) -> Vec<(Class, String, String)> {
        let mut findings = Vec::new();
        Comparison::new(&mut findings).json(expected, actual, "");
        findings
            .into_iter()
            .map(|f| (f.class, f.pointer, f.message))
            .collect()
    }

    #[test]
    fn odata_paging_annotations_may_be_absent_but_not_change_type() {
        let documented = json!({
            "odata.metadata": "m", "odata.nextLink": "n", "@odata.count": 2, "value": []
        });
        assert!(
            json_findings(&documented, &json!({"odata.metadata": "m", "value": []})).is_empty()
        );
        assert_eq!(
            json_findings(&documented, &json!({"odata.nextLink": 5, "value": []}))
                .into_iter()
                .map(|(class, pointer, _)| (class, pointer))
                .collect::<Vec<_>>(),
            [
                (Class::MissingField, "/odata.metadata".to_string()),
                (Class::TypeChange, "/odata.nextLink".to_string()),
            ]
        );
    }

    #[test]
    fn undocumented_members_of_one_object_are_listed_up_to_a_bound() {
        let mut live = serde_json::Map::new();
        for i in 0..25 {
            live.insert(format!("k{i}"), i.into());
        }
        let found = json_findings(&json!({"settings": {}}), &json!({"settings": live}));
        assert_eq!(found.len(), 21);
        assert!(
            found
                .iter()
                .all(|(class, _, _)| *class == Class::ExtraField)
        );
        assert_eq!(
            found[20],
            (
                Class::ExtraField,
                "/settings".to_string(),
                "5 more undocumented fields, not listed".to_string()
            )
        );
        let children: String = (0..25)
            .map(|i| format!("<k{i}>1</k{i}><k{i}>2</k{i}>"))
            .collect();
        let xml =
            format!("<result><status>0</status><response><id>1</id>{children}</response></result>");
        let style = DialectName::Onlyoffice.rules().xml;
        let found = classes(&style, &json!({"status": 0, "response": {"id": 1}}), &xml);
        assert_eq!(found.len(), 21, "{found:?}");
        assert_eq!(found[20], (Class::ExtraField, "/response".to_string()));
    }

    #[test]
    fn type_changes_name_both_values_and_what_a_dotnet_portal_did() {
        let documented = json!({"id": 1234, "open": true, "done": false, "tags": ["a"], "n": 1});
        let live = json!({"id": "1234", "open": "True", "done": 0, "tags": {"a": 1}, "n": "n/a"});
        let messages: Vec<String> = json_findings(&documented, &live)
            .into_iter()
            .map(|(_, _, message)| message)
            .collect();
        assert_eq!(
            messages,
            [
                r#"documented as a number (1234), the portal sends text ("1234"): the number written as a string"#,
                r#"documented as a boolean (true), the portal sends text ("True"): the boolean written as a string"#,
                "documented as a boolean (false), the portal sends a number (0): the boolean written as 0 or 1",
                "documented as an array, the portal sends an object",
                r#"documented as a number (1), the portal sends text ("n/a")"#,
            ]
        );
        assert_eq!(
            json_findings(
                &json!({"name": "Ann", "tags": []}),
                &json!({"name": null, "tags": null})
            )
            .into_iter()
            .map(|(_, _, message)| message)
            .collect::<Vec<_>>(),
            [
                r#"documented as text ("Ann"), the portal sends null"#,
                "documented as an array, the portal sends null",
            ]
        );
    }

    #[test]
    fn a_fraction_where_an_integer_is_documented_is_a_note_that_says_so() {
        let documented = json!({"id": 1234, "big": 18446744073709551615_u64, "rate": 1.5});
        let found = json_findings(&documented, &json!({"id": 12.5, "big": 0.25, "rate": 2}));
        assert_eq!(
            found,
            [
                (
                    Class::ValueDiffers,
                    "/id".to_string(),
                    "documented as an integer (1234), the portal sends 12.5: a decimal where the example was whole, or an integer member that became one".to_string()
                ),
                (
                    Class::ValueDiffers,
                    "/big".to_string(),
                    "documented as an integer (18446744073709551615), the portal sends 0.25: a decimal where the example was whole, or an integer member that became one".to_string()
                ),
                // A documented fraction answered with an integer is only
                // another value: a decimal parser reads integers.
                (
                    Class::ValueDiffers,
                    "/rate".to_string(),
                    "documented 1.5, the portal sends 2".to_string()
                ),
            ]
        );
        assert!(found.iter().all(|(class, _, _)| !class.is_failure()));
        // Integral floats are integers to a client's parser: the same value
        // is no drift, another one only a note.
        let integral: Value =
            serde_json::from_str(r#"{"id": 1234.0, "big": 1.2e3, "rate": 1.5}"#).expect("json");
        assert_eq!(
            json_findings(&documented, &integral)
                .into_iter()
                .map(|(class, pointer, _)| (class, pointer))
                .collect::<Vec<_>>(),
            [(Class::ValueDiffers, "/big".to_string())]
        );
        // Array items hold other values than the documented one, fractions
        // included (a list of amounts documented by a whole one).
        assert!(json_findings(&json!([1]), &json!([2, 3.0, 3.5])).is_empty());
    }

    #[test]
    fn an_integer_beyond_64_bits_where_an_integer_is_documented_is_a_type_change() {
        let documented = json!({"id": 1, "max": 1, "rate": 1.5});
        let live: Value = serde_json::from_str(
            r#"{"id": 123456789012345678901234567890, "max": 18446744073709551615, "rate": 1e30}"#,
        )
        .expect("json");
        let found = json_findings(&documented, &live);
        assert_eq!(
            found
                .iter()
                .map(|(class, pointer, _)| (*class, pointer.as_str()))
                .collect::<Vec<_>>(),
            [
                (Class::TypeChange, "/id"),
                (Class::ValueDiffers, "/max"),
                (Class::ValueDiffers, "/rate"),
            ]
        );
        assert!(
            found[0].2.ends_with("beyond the 64-bit integer types"),
            "{found:?}"
        );
        let style = DialectName::Onlyoffice.rules().xml;
        let expected = json!({"status": 0, "response": {"id": 1, "max": 1}});
        let xml = "<result>\n  <status>0</status>\n  <response>\n    <id>123456789012345678901234567890</id>\n    <max>-9223372036854775808</max>\n  </response>\n</result>";
        assert_eq!(
            classes(&style, &expected, xml),
            [
                (Class::TypeChange, "/response/id".to_string()),
                (Class::ValueDiffers, "/response/max".to_string()),
            ]
        );
    }

    #[test]
    fn a_fraction_in_xml_where_an_integer_is_documented_is_a_note() {
        let style = DialectName::Onlyoffice.rules().xml;
        let expected = json!({"status": 0, "response": {"id": 1234, "rate": 1.5}});
        let xml = |id: &str, rate: &str| {
            format!(
                "<result>\n  <status>0</status>\n  <response>\n    <id>{id}</id>\n    <rate>{rate}</rate>\n  </response>\n</result>"
            )
        };
        let found = xml_findings(&style, &expected, &xml("12.5", "2"));
        assert_eq!(
            found,
            [
                (
                    Class::ValueDiffers,
                    "/response/id".to_string(),
                    "documented as an integer (1234), the portal sends 12.5: a decimal where the example was whole, or an integer member that became one".to_string()
                ),
                (
                    Class::ValueDiffers,
                    "/response/rate".to_string(),
                    "documented 1.5, the portal sends 2".to_string()
                ),
            ]
        );
        assert!(classes(&style, &expected, &xml("1234.0", "1.50")).is_empty());
        assert_eq!(
            classes(&style, &expected, &xml("1.2e3", "1.5")),
            [(Class::ValueDiffers, "/response/id".to_string())]
        );
    }

    /// The class, pointer and message of each finding on `xml`.
    fn xml_findings(style: &XmlStyle, expected: &Value, xml: &str) -> Vec<(Class, String, String)> {
        let node = crate::contract::xml::parse_xml(xml).expect("well-formed");
        let mut findings = Vec::new();
        Comparison::new(&mut findings).xml(style, expected, &node, "");
        findings
            .into_iter()
            .map(|f| (f.class, f.pointer, f.message))
            .collect()
    }

    fn classes(style: &XmlStyle, expected: &Value, xml: &str) -> Vec<(Class, String)> {
        xml_findings(style, expected, xml)
            .into_iter()
            .map(|(class, pointer, _)| (class, pointer))
            .collect()
    }

    #[test]
    fn a_response_documenting_other_literals_accepts_them_and_only_them() {
        let expected =
            json!({"status": 0, "response": {"isActive": true, "about": "", "title": null}});
        let r7_style = "<result>\n  <status>0</status>\n  <response>\n    <isActive>true</isActive>\n    <about></about>\n    <title />\n  </response>\n</result>";
        let onlyoffice = DialectName::Onlyoffice.rules().xml;
        // By the dialect's own conventions the R7-style answer drifts…
        assert_eq!(
            classes(&onlyoffice, &expected, r7_style),
            [
                (Class::XmlConvention, "/response/isActive".to_string()),
                (Class::XmlConvention, "/response/about".to_string()),
            ]
        );
        // …but not where the response documents those literals,
        let documented = onlyoffice.with_literals(&XmlLiterals {
            booleans: Some(Booleans::Lower),
            empty_string: Some(EmptyForm::Pair),
            null: None,
        });
        assert!(classes(&documented, &expected, r7_style).is_empty());
        // where the dialect's own spelling is the mismatch.
        let classic = r7_style
            .replace(">true<", ">True<")
            .replace("<about></about>", "<about />");
        assert_eq!(
            classes(&documented, &expected, &classic),
            [
                (Class::XmlConvention, "/response/isActive".to_string()),
                (Class::XmlConvention, "/response/about".to_string()),
            ]
        );
    }

    #[test]
    fn nil_spelled_any_xml_schema_way_is_null() {
        let style = DialectName::Superoffice.rules().xml;
        let expected = json!({"City": null, "Title": "Mr"});
        let xml = r#"<Person xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><City xsi:nil="1" /><Title xsi:nil=" true "></Title></Person>"#;
        assert_eq!(
            classes(&style, &expected, xml),
            [(Class::UnexpectedNull, "/Title".to_string())]
        );
    }

    #[test]
    fn a_member_sent_as_an_attribute_is_missing_and_the_finding_says_where_it_went() {
        let style = DialectName::Onlyoffice.rules().xml;
        let expected = json!({"status": 0, "response": {
            "contact": {"id": 12, "title": "T"},
            "createBy": {"id": 1, "displayName": "M"}
        }});
        let xml = r#"<result xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <status>0</status>
  <response>
    <contact ID="12"><title>T</title></contact>
    <createBy i:type="User" id="1" displayName="M &amp; N" />
  </response>
</result>"#;
        let found = xml_findings(&style, &expected, xml);
        let attribute = |pointer: &str, message: &str| {
            (
                Class::MissingField,
                pointer.to_string(),
                message.to_string(),
            )
        };
        // An element holding nothing but attributes is not taken for null.
        assert_eq!(
            found,
            [
                attribute(
                    "/response/contact/id",
                    r#"documented as element <id>, the portal sends it as an XML attribute of <contact>: ID="12""#
                ),
                attribute(
                    "/response/createBy/id",
                    r#"documented as element <id>, the portal sends it as an XML attribute of <createBy>: id="1""#
                ),
                attribute(
                    "/response/createBy/displayName",
                    r#"documented as element <displayName>, the portal sends it as an XML attribute of <createBy>: displayName="M & N""#
                ),
            ]
        );
        // Markup is not data: a prefixed attribute is no member, and an
        // element with only attributes that are no members is still empty.
        let markup = xml
            .replace(r#"ID="12""#, r#"i:id="12""#)
            .replace(r#"id="1" displayName="M &amp; N""#, r#"xmlns="urn:crm""#);
        assert_eq!(
            classes(&style, &expected, &markup),
            [
                (Class::MissingField, "/response/contact/id".to_string()),
                (Class::UnexpectedNull, "/response/createBy".to_string()),
            ]
        );
    }

    #[test]
    fn a_member_found_under_its_documented_spelling_is_not_also_undocumented() {
        let expected = json!({"status": 0, "response": {"ёмкость": 1}});
        let xml = "<result>\n  <status>0</status>\n  <response>\n    <Ёмкость>1</Ёмкость>\n  </response>\n</result>";
        let style = DialectName::Onlyoffice.rules().xml;
        let node = crate::contract::xml::parse_xml(xml).expect("well-formed");
        let mut findings = Vec::new();
        Comparison::new(&mut findings)
            .with_names(NameCase::Pascal)
            .xml(&style, &expected, &node, "");
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn members_are_looked_for_under_the_names_the_documented_xml_uses() {
        let expected =
            json!({"status": 0, "response": {"canEdit": true, "createBy": {"displayName": "T"}}});
        let pascal = "<result>\n  <status>0</status>\n  <response>\n    <CanEdit>True</CanEdit>\n    <CreateBy>\n      <DisplayName>T</DisplayName>\n    </CreateBy>\n  </response>\n</result>";
        let style = DialectName::Onlyoffice.rules().xml;
        let node = crate::contract::xml::parse_xml(pascal).expect("well-formed");
        let mut findings = Vec::new();
        Comparison::new(&mut findings)
            .with_names(NameCase::Pascal)
            .xml(&style, &expected, &node, "");
        assert!(findings.is_empty(), "{findings:?}");
        // Read with the JSON's names, every member is misspelled, also
        // beneath the one found under another case.
        let found = classes(&style, &expected, pascal);
        assert_eq!(
            found,
            [
                (Class::MissingField, "/response/canEdit".to_string()),
                (Class::MissingField, "/response/createBy".to_string()),
                (
                    Class::MissingField,
                    "/response/CreateBy/displayName".to_string()
                ),
            ]
        );
    }
}
