//! Comparing a live body with the documented example.
//!
//! The documented example is the contract: its keys must be there, with the
//! same JSON types, not null where the example is not null, and the XML form
//! must follow the dialect's conventions. Anything the portal adds is a note,
//! not a failure, because vendors grow their entities.

use serde_json::Value;

use super::{Class, Finding};
use crate::body::XmlNode;
use crate::dialect::{ArrayForm, EmptyForm, XmlStyle};

/// Collects findings for one response form.
pub struct Comparison<'f> {
    /// Where findings go.
    pub findings: &'f mut Vec<Finding>,
}

impl Comparison<'_> {
    fn add(&mut self, class: Class, pointer: &str, message: String) {
        self.findings.push(Finding {
            class,
            pointer: pointer.to_string(),
            message,
        });
    }

    /// Compares the live JSON `actual` with the documented `expected`.
    pub fn json(&mut self, expected: &Value, actual: &Value, pointer: &str) {
        match (expected, actual) {
            // A documented null says nothing about the type.
            (Value::Null, _) => {}
            (_, Value::Null) => self.add(
                Class::UnexpectedNull,
                pointer,
                format!("documented as {}, the portal sends null", kind(expected)),
            ),
            (Value::Object(documented), Value::Object(live)) => {
                for (key, value) in documented {
                    let child = format!("{pointer}/{}", crate::catalog::escape_pointer(key));
                    match live.get(key) {
                        Some(live_value) => self.json(value, live_value, &child),
                        None => {
                            let other_case = live.keys().find(|k| k.eq_ignore_ascii_case(key));
                            let message = match other_case {
                                Some(found) => {
                                    format!("documented as {key:?}, the portal spells it {found:?}")
                                }
                                None => format!("documented field {key:?} is missing"),
                            };
                            self.add(Class::MissingField, &child, message);
                        }
                    }
                }
                for key in live.keys().filter(|k| !documented.contains_key(*k)) {
                    if documented.keys().any(|d| d.eq_ignore_ascii_case(key)) {
                        continue;
                    }
                    self.add(
                        Class::ExtraField,
                        &format!("{pointer}/{}", crate::catalog::escape_pointer(key)),
                        format!("undocumented field {key:?}"),
                    );
                }
            }
            (Value::Array(documented), Value::Array(live)) => {
                // The documented items show the shape every item must have.
                if let Some(shape) = documented.iter().find(|item| !item.is_null()) {
                    for (i, item) in live.iter().enumerate() {
                        self.shape(shape, item, &format!("{pointer}/{i}"));
                    }
                }
            }
            _ if kind(expected) != kind(actual) => self.add(
                Class::TypeChange,
                pointer,
                format!(
                    "documented as {}, the portal sends {}",
                    kind(expected),
                    kind(actual)
                ),
            ),
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
    /// dialect's XML conventions.
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
                            "null written as {}, the dialect writes {}",
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
                                "boolean spelled {text:?}, the dialect spells {:?} / {:?}",
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
                } else if text.parse::<f64>().is_err() || !node.children.is_empty() {
                    self.add(
                        Class::TypeChange,
                        pointer,
                        format!(
                            "documented as a number, the portal sends {:?}",
                            shorten(text)
                        ),
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
                                "empty text written as {}, the dialect writes {}",
                                written(node),
                                form(style.empty_string, &node.name)
                            ),
                        );
                    }
                } else if &node.text != documented {
                    self.add(
                        Class::ValueDiffers,
                        pointer,
                        format!(
                            "documented {:?}, the portal sends {:?}",
                            shorten(documented),
                            shorten(&node.text)
                        ),
                    );
                }
            }
            Value::Array(items) => {
                // Repeated arrays are handled by the parent (`members`);
                // this is a wrapped array or a bare document-level array.
                if let Some(shape) = items.iter().find(|i| !i.is_null()) {
                    for (i, child) in node.children.iter().enumerate() {
                        let before = self.findings.len();
                        self.xml(style, shape, child, &format!("{pointer}/{i}"));
                        drop_value_notes(self.findings, before);
                    }
                }
            }
            Value::Object(members) => {
                if node.nil
                    || (node.children.is_empty()
                        && node.text.trim().is_empty()
                        && !members.is_empty())
                {
                    self.add(
                        Class::UnexpectedNull,
                        pointer,
                        format!(
                            "documented as an element with children, the portal sends {}",
                            written(node)
                        ),
                    );
                    return;
                }
                self.members(style, members, node, pointer);
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
            let child_pointer = format!("{pointer}/{}", crate::catalog::escape_pointer(key));
            // Parsed element names are already decoded from `_x003A_` form.
            let element = key.as_str();
            let matching: Vec<&XmlNode> =
                node.children.iter().filter(|c| c.name == element).collect();
            match value {
                Value::Array(items) if style.arrays == ArrayForm::Repeated => {
                    // Repeated elements, no wrapper: a single element holding
                    // several same-named children is the wrapped convention.
                    let shape = items.iter().find(|i| !i.is_null());
                    if let (Some(shape), [only]) = (shape, matching.as_slice())
                        && !shape.is_object()
                        && only.children.len() > 1
                    {
                        self.add(
                            Class::XmlConvention,
                            &child_pointer,
                            format!("array written inside one <{element}> wrapper, the dialect repeats <{element}> for each item"),
                        );
                        continue;
                    }
                    if let Some(shape) = shape {
                        for (i, item) in matching.iter().enumerate() {
                            let before = self.findings.len();
                            self.xml(style, shape, item, &format!("{child_pointer}/{i}"));
                            drop_value_notes(self.findings, before);
                        }
                    }
                }
                _ => match matching.first() {
                    Some(found) => {
                        if matching.len() > 1 && !value.is_array() {
                            self.add(
                                Class::TypeChange,
                                &child_pointer,
                                format!(
                                    "documented once, the portal repeats <{element}> {} times",
                                    matching.len()
                                ),
                            );
                        }
                        self.xml(style, value, found, &child_pointer);
                    }
                    None => {
                        let other_case = node
                            .children
                            .iter()
                            .find(|c| c.name.eq_ignore_ascii_case(element));
                        let message = match other_case {
                            Some(found) => format!(
                                "documented as <{element}>, the portal writes <{}>",
                                found.name
                            ),
                            None => format!("documented element <{element}> is missing"),
                        };
                        self.add(Class::MissingField, &child_pointer, message);
                    }
                },
            }
        }
        for child in &node.children {
            let known = members.keys().any(|k| k.eq_ignore_ascii_case(&child.name));
            if !known
                && !node
                    .children
                    .iter()
                    .take_while(|c| !std::ptr::eq(*c, child))
                    .any(|c| c.name == child.name)
            {
                self.add(
                    Class::ExtraField,
                    &format!("{pointer}/{}", crate::catalog::escape_pointer(&child.name)),
                    format!("undocumented element <{}>", child.name),
                );
            }
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

/// The JSON type of a value, in words.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn short(value: &Value) -> String {
    shorten(&value.to_string())
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 60 {
        return text.to_string();
    }
    format!("{}…", text.chars().take(60).collect::<String>())
}

fn written(node: &XmlNode) -> String {
    if node.nil {
        format!("<{} i:nil=\"true\" />", node.name)
    } else if node.self_closing {
        format!("<{} />", node.name)
    } else if node.children.is_empty() && node.text.is_empty() {
        format!("<{0}></{0}>", node.name)
    } else {
        format!("<{0}>{1}</{0}>", node.name, shorten(&node.text))
    }
}

fn form(empty: EmptyForm, name: &str) -> String {
    match empty {
        EmptyForm::SelfClosing => format!("<{name} />"),
        EmptyForm::Pair => format!("<{name}></{name}>"),
        EmptyForm::Nil => format!("<{name} i:nil=\"true\" />"),
    }
}
