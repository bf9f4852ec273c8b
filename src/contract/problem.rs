//! Problems with a request, kept as data until the very end.
//!
//! Every stage of the pipeline (routing, negotiation, validation) reports what
//! is wrong as a [`Problem`]; only [`crate::contract::dialect::Dialect::error_body`] turns
//! it into the vendor's error shape, and only the renderer turns that into
//! bytes. That keeps status codes and wording in one place.

use serde::{Deserialize, Serialize};

/// One thing wrong with a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Which part of the request: path, query, header or body.
    #[serde(rename = "in")]
    pub location: Location,
    /// JSON pointer into that part (`/contactid`, `/Emails/0/Value`).
    pub pointer: String,
    /// What the contract expects there.
    pub expected: String,
    /// What the request sent, as text; `None` when it sent nothing.
    pub got: Option<String>,
}

impl Violation {
    /// One line a person can act on: `path /contactid: expected integer, got "abc"`.
    pub fn describe(&self) -> String {
        let mut line = String::new();
        self.describe_into(&mut line);
        line
    }

    /// [`Violation::describe`], appended to `out`.
    fn describe_into(&self, out: &mut String) {
        out.push_str(self.location.as_str());
        out.push(' ');
        out.push_str(if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        });
        out.push_str(": expected ");
        out.push_str(&self.expected);
        match &self.got {
            Some(got) => {
                out.push_str(", got ");
                out.push_str(got);
            }
            None => out.push_str(", got nothing"),
        }
    }
}

/// Why a request gets an error response instead of a documented example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// HTTP status to answer with.
    pub status: u16,
    /// Summary sentence for the error message.
    pub message: String,
    /// The individual violations, all of them, in the order found.
    pub violations: Vec<Violation>,
    /// Extra response headers the status calls for (`Allow` on 405).
    pub headers: Vec<(&'static str, String)>,
}

impl Problem {
    /// A problem with a status and message and nothing else.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Problem {
            status,
            message: message.into(),
            violations: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Adds violations.
    pub fn with_violations(mut self, violations: Vec<Violation>) -> Self {
        self.violations = violations;
        self
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The message followed by every violation, on one line.
    pub fn full_message(&self) -> String {
        let size = self.message.len()
            + self
                .violations
                .iter()
                .map(|v| {
                    32 + v.pointer.len() + v.expected.len() + v.got.as_ref().map_or(0, String::len)
                })
                .sum::<usize>();
        let mut text = String::with_capacity(size);
        text.push_str(&self.message);
        if !self.violations.is_empty() && text.ends_with('.') {
            text.pop();
        }
        for (i, violation) in self.violations.iter().enumerate() {
            text.push_str(if i == 0 { ": " } else { "; " });
            violation.describe_into(&mut text);
        }
        text
    }
}

/// `text` cut to its first `limit` characters, with `…` where it was cut:
/// values sent and messages quoted from elsewhere can be of any length.
pub fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// What kind of JSON value `value` is, in words, for messages.
pub fn kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// A `{name}` segment of the path template.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A property of the request body.
    Body,
}

impl Location {
    /// The word used in messages and violation lists.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Body => "body",
        }
    }
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening_cuts_whole_characters() {
        assert_eq!(shorten("Описание", 8), "Описание");
        assert_eq!(shorten("Описание", 3), "Опи…");
        assert_eq!(shorten("", 0), "");
        assert_eq!(shorten("ab", 0), "…");
    }
}
