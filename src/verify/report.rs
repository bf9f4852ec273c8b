//! Verification reports: a table for people, JSON for tools, JUnit XML for
//! CI systems.

use std::borrow::Cow;
use std::fmt::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::{Check, Outcome, Report};
use crate::contract::dialect::Format;

/// Portal text (messages, content types, element names) made safe for a
/// terminal and for XML 1.0: control characters (an ANSI escape, a NUL, a
/// newline inside one message), the characters XML 1.0 forbids even as
/// references (U+FFFE, U+FFFF) and bidirectional overrides are written as
/// `\u{…}` escapes, so a hostile or broken portal can neither garble the
/// table nor make the JUnit report unparseable.
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{FFFE}' | '\u{FFFF}' | '\u{200E}' | '\u{200F}')
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The form column; `*/*` for the request that names none.
fn form(check: &Check) -> &'static str {
    if check.default_probe {
        return "*/*";
    }
    match check.form {
        Format::Json => "json",
        Format::Xml => "xml",
    }
}

/// Why a check was not run: a write verify leaves unsent, or a documented
/// endpoint the proxied traffic never used.
fn skip_reason(check: &Check) -> &'static str {
    if check.exchanges.is_some() {
        "never exercised by the traffic"
    } else {
        "a write; --include-writes sends it"
    }
}

/// One line per check with its findings below it, and a summary.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let width = report
        .checks
        .iter()
        .map(|c| c.endpoint.len())
        .max()
        .unwrap_or(8);
    for check in &report.checks {
        let verdict = match check.outcome {
            Outcome::Passed => "PASS",
            Outcome::Failed => "FAIL",
            Outcome::Error => "ERROR",
            Outcome::Skipped => "SKIP",
        };
        let status = check
            .status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "-".into());
        let _ = write!(
            out,
            "{verdict:5} {:6} {:width$}  {:4} {status:>3}",
            check.method,
            check.endpoint,
            form(check),
        );
        if check.outcome == Outcome::Skipped {
            out.push_str("  ");
            out.push_str(skip_reason(check));
        } else if let Some(exchanges) = check.exchanges {
            let plural = if exchanges == 1 { "" } else { "s" };
            let _ = write!(out, "  {exchanges} exchange{plural}");
        }
        out.push('\n');
        for finding in &check.findings {
            let pointer = if finding.pointer.is_empty() {
                "/"
            } else {
                &finding.pointer
            };
            let severity = if finding.class.is_failure() {
                ""
            } else {
                " (note)"
            };
            let _ = writeln!(
                out,
                "      {}{severity} at {}: {}",
                finding.class.label(),
                printable(pointer),
                printable(&finding.message)
            );
        }
    }
    let notes: usize = report
        .checks
        .iter()
        .flat_map(|c| &c.findings)
        .filter(|f| !f.class.is_failure())
        .count();
    let checks = report.checks.len();
    let _ = writeln!(
        out,
        "{checks} {} against {}: {} passed, {} failed, {} errors, {} skipped; {notes} {}",
        if checks == 1 { "check" } else { "checks" },
        report.base_url,
        report.count(Outcome::Passed),
        report.count(Outcome::Failed),
        report.count(Outcome::Error),
        report.count(Outcome::Skipped),
        if notes == 1 { "note" } else { "notes" },
    );
    out
}

/// The whole report as pretty JSON.
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

/// JUnit XML: one test case per endpoint and form; failures and errors carry
/// their findings, notes go to `system-out`.
pub fn junit(report: &Report) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let mut event = |e: Event<'_>| {
        let _ = writer.write_event(e);
    };
    event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let total_secs = report.checks.iter().map(|c| c.millis).sum::<u64>() as f64 / 1000.0;
    let mut suite = BytesStart::new("testsuite");
    let proxied = report.checks.iter().any(|c| c.exchanges.is_some());
    let suite_name = if proxied {
        "docmock proxy"
    } else {
        "docmock verify"
    };
    suite.push_attribute(("name", suite_name));
    suite.push_attribute(("tests", report.checks.len().to_string().as_str()));
    suite.push_attribute((
        "failures",
        report.count(Outcome::Failed).to_string().as_str(),
    ));
    suite.push_attribute(("errors", report.count(Outcome::Error).to_string().as_str()));
    suite.push_attribute((
        "skipped",
        report.count(Outcome::Skipped).to_string().as_str(),
    ));
    suite.push_attribute(("time", format!("{total_secs:.3}").as_str()));
    event(Event::Start(suite));
    for check in &report.checks {
        let mut case = BytesStart::new("testcase");
        let name = format!("{} {} [{}]", check.method, check.endpoint, form(check));
        let class = check.endpoint.split('/').next().unwrap_or("docmock");
        case.push_attribute(("name", name.as_str()));
        case.push_attribute(("classname", class));
        case.push_attribute((
            "time",
            format!("{:.3}", check.millis as f64 / 1000.0).as_str(),
        ));
        event(Event::Start(case));
        let lines = |failures: bool| {
            check
                .findings
                .iter()
                .filter(|f| f.class.is_failure() == failures)
                .map(|f| {
                    format!(
                        "{} at {}: {}",
                        f.class.label(),
                        printable(if f.pointer.is_empty() {
                            "/"
                        } else {
                            &f.pointer
                        }),
                        printable(&f.message)
                    )
                })
                .collect::<Vec<_>>()
        };
        match check.outcome {
            Outcome::Failed | Outcome::Error => {
                let tag = if check.outcome == Outcome::Error {
                    "error"
                } else {
                    "failure"
                };
                let failures = lines(true);
                let mut element = BytesStart::new(tag);
                element.push_attribute((
                    "message",
                    failures.first().map(String::as_str).unwrap_or(""),
                ));
                element.push_attribute(("type", tag));
                event(Event::Start(element));
                event(Event::Text(BytesText::new(&failures.join("\n"))));
                event(Event::End(BytesEnd::new(tag)));
            }
            Outcome::Skipped => {
                let mut element = BytesStart::new("skipped");
                element.push_attribute(("message", skip_reason(check)));
                event(Event::Empty(element));
            }
            Outcome::Passed => {}
        }
        let notes = lines(false);
        if !notes.is_empty() {
            event(Event::Start(BytesStart::new("system-out")));
            event(Event::Text(BytesText::new(&notes.join("\n"))));
            event(Event::End(BytesEnd::new("system-out")));
        }
        event(Event::End(BytesEnd::new("testcase")));
    }
    event(Event::End(BytesEnd::new("testsuite")));
    let mut text = String::from_utf8(writer.into_inner()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn printable_escapes_what_terminals_and_xml_cannot_take() {
        assert_eq!(printable("plain «text» Р7"), "plain «text» Р7");
        assert_eq!(
            printable("a\u{1b}[31mb\u{0}c\nd\u{fffe}\u{202e}"),
            "a\\u{1b}[31mb\\u{0}c\\u{a}d\\u{fffe}\\u{202e}"
        );
    }
}
