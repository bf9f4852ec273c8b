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

/// How many violations an error lists. A body can break its contract once
/// per element (80,000 numbers where text is documented fit in 1 MB), and
/// an error listing each would be ten times the request, in the response,
/// the journal and every admin page that shows it; the first hundred say
/// what is wrong, and the rest are counted.
pub const LISTED: usize = 100;

/// The violations found in a request: the first [`LISTED`], and how many
/// more there were.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Violations {
    listed: Vec<Violation>,
    unlisted: usize,
}

impl Violations {
    /// Adds a violation, or counts it once [`LISTED`] are kept.
    pub fn push(&mut self, violation: Violation) {
        self.push_with(|| violation);
    }

    /// Adds the violation `make` describes, calling it only when there is
    /// room to list it: describing a violation costs more than counting it.
    pub fn push_with(&mut self, make: impl FnOnce() -> Violation) {
        if self.listed.len() < LISTED {
            self.listed.push(make());
        } else {
            self.unlisted = self.unlisted.saturating_add(1);
        }
    }

    /// Adds every violation of `violations`.
    pub fn extend(&mut self, violations: impl IntoIterator<Item = Violation>) {
        for violation in violations {
            self.push(violation);
        }
    }

    /// Whether none was found.
    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// The violations listed, in the order found.
    pub fn listed(&self) -> &[Violation] {
        &self.listed
    }
}

/// Why a request gets an error response instead of a documented example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// HTTP status to answer with.
    pub status: u16,
    /// Summary sentence for the error message.
    pub message: String,
    /// The violations listed, the first [`LISTED`] found at most, in the
    /// order found.
    pub violations: Vec<Violation>,
    /// How many violations were found beyond those listed.
    pub unlisted: usize,
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
            unlisted: 0,
            headers: Vec::new(),
        }
    }

    /// Adds violations (a handful, written out where they are found).
    pub fn with_violations(mut self, violations: Vec<Violation>) -> Self {
        self.violations = violations;
        self
    }

    /// Adds the violations a check found, listed and counted.
    pub fn with_found(mut self, found: Violations) -> Self {
        self.violations = found.listed;
        self.unlisted = found.unlisted;
        self
    }

    /// How many violations were found in all, listed or not.
    pub fn found(&self) -> usize {
        self.violations.len().saturating_add(self.unlisted)
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The message followed by the first violation, and how many more
    /// there are, on one line: what a person reading only the message (a
    /// client's log, an exception) needs to act, while the list in the
    /// error body holds the rest, so that each is written once.
    pub fn full_message(&self) -> String {
        let Some(first) = self.violations.first() else {
            return self.message.clone();
        };
        let mut text = String::with_capacity(
            self.message.len() + 96 + first.pointer.len() + first.expected.len(),
        );
        text.push_str(&self.message);
        if text.ends_with('.') {
            text.pop();
        }
        text.push_str(": ");
        first.describe_into(&mut text);
        let found = self.found();
        if found > 1 {
            let more = grouped(found - 1);
            if self.unlisted == 0 {
                text.push_str(&format!(" (and {more} more in the violations list)"));
            } else {
                text.push_str(&format!(
                    " (and {more} more; the violations list holds the first {} of {})",
                    self.violations.len(),
                    grouped(found)
                ));
            }
        }
        text
    }
}

/// `79900` → `79,900`, as counts are written in messages.
pub fn grouped(count: usize) -> String {
    let digits = count.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
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

    fn violation(i: usize) -> Violation {
        Violation {
            location: Location::Body,
            pointer: format!("/Emails/{i}/Value"),
            expected: "a string".into(),
            got: Some("5".into()),
        }
    }

    #[test]
    fn violations_past_the_listed_ones_are_counted_not_kept() {
        let mut found = Violations::default();
        for i in 0..LISTED + 5 {
            found.push_with(|| violation(i));
        }
        assert_eq!(found.listed().len(), LISTED);
        let problem =
            Problem::new(400, "the request breaks the documented contract.").with_found(found);
        assert_eq!(problem.unlisted, 5);
        assert_eq!(problem.found(), LISTED + 5);
        assert_eq!(
            problem.full_message(),
            "the request breaks the documented contract: body /Emails/0/Value: \
             expected a string, got 5 (and 104 more; the violations list holds the first 100 of 105)"
        );
        let two = Problem::new(400, "broken").with_violations(vec![violation(0), violation(1)]);
        assert_eq!(
            two.full_message(),
            "broken: body /Emails/0/Value: expected a string, got 5 (and 1 more in the violations list)"
        );
        assert_eq!(Problem::new(404, "gone.").full_message(), "gone.");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(79_900), "79,900");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn shortening_cuts_whole_characters() {
        assert_eq!(shorten("Описание", 8), "Описание");
        assert_eq!(shorten("Описание", 3), "Опи…");
        assert_eq!(shorten("", 0), "");
        assert_eq!(shorten("ab", 0), "…");
    }
}
