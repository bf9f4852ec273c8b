//! Which XML conventions a page's documented XML example follows, read off
//! by comparing it with the page's JSON example.
//!
//! docmock renders XML from JSON, so a page whose XML was written by
//! another serialiser than its dialect's usual one (ONLYOFFICE's camelCase
//! pages spell booleans `true` and empty text `<about></about>`, its
//! PascalCase pages `True` and `<City />`; some pages capitalise their XML
//! names) needs a spec that says so, or `docmock check` fails on it. The
//! importer finds the conventions by rendering the JSON with each candidate
//! and keeping the one that reproduces the documented XML: the renderer that
//! will serve the page is the judge, so what is written is what matches.

use serde_json::Value;

use crate::contract::catalog::same_xml_text;
use crate::contract::dialect::{Booleans, DialectName, EmptyForm, XmlLiterals};
use crate::contract::render::{NameCase, to_xml_named};

/// What a response must say for its XML to render as the page documents
/// it; `None` members are the dialect's conventions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Conventions {
    /// `xml_names`: how the XML spells member names, when not as the JSON.
    pub names: Option<NameCase>,
    /// `xml_literals`: the booleans, empty text and null forms that differ
    /// from the dialect's.
    pub literals: Option<XmlLiterals>,
}

/// The conventions under which `json` renders as `xml` in `dialect`,
/// overriding as little as possible: the dialect's own first, then one
/// literal changed, then two, then three, each with the JSON's names before
/// capitalised or lower-cased ones. A literal the example does not show
/// (no `null` in it, say) is never overridden, since changing it cannot make
/// a difference. `None` when no candidate reproduces the XML, which then
/// differs in more than conventions and `docmock check` reports it.
pub fn detect(dialect: DialectName, json: &str, xml: &str) -> Option<Conventions> {
    let value: Value = serde_json::from_str(json).ok()?;
    let style = &dialect.rules().xml;
    // Spelling a convention as the dialect does is no override.
    let mut candidates: Vec<XmlLiterals> = Vec::new();
    for literals in literal_candidates() {
        let literals = literals.differing_from(style);
        if !candidates.contains(&literals) {
            candidates.push(literals);
        }
    }
    candidates.sort_by_key(overridden);
    for literals in candidates {
        let styled = style.with_literals(&literals);
        for names in [NameCase::AsIs, NameCase::Pascal, NameCase::Camel] {
            let rendered = to_xml_named(&styled, &value, None, names);
            if same_xml_text(xml, rendered.as_bytes()) {
                return Some(Conventions {
                    names: (names != NameCase::AsIs).then_some(names),
                    literals: (!literals.is_empty()).then_some(literals),
                });
            }
        }
    }
    None
}

/// Every combination of boolean spelling, empty-text form and null form,
/// `None` (the dialect's) included.
fn literal_candidates() -> Vec<XmlLiterals> {
    let booleans = [None, Some(Booleans::Capitalised), Some(Booleans::Lower)];
    let forms = [
        None,
        Some(EmptyForm::SelfClosing),
        Some(EmptyForm::Pair),
        Some(EmptyForm::Nil),
    ];
    let mut all = Vec::with_capacity(booleans.len() * forms.len() * forms.len());
    for booleans in booleans {
        for empty_string in forms {
            for null in forms {
                all.push(XmlLiterals {
                    booleans,
                    empty_string,
                    null,
                });
            }
        }
    }
    all
}

/// How many conventions `literals` overrides.
fn overridden(literals: &XmlLiterals) -> usize {
    usize::from(literals.booleans.is_some())
        + usize::from(literals.empty_string.is_some())
        + usize::from(literals.null.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str =
        r#"{"status": 0, "response": {"isVisitor": false, "about": "", "title": null, "id": 7}}"#;

    fn xml(is_visitor: &str, about: &str, title: &str) -> String {
        format!(
            "<result>\n  <status>0</status>\n  <response>\n    {is_visitor}\n    {about}\n    {title}\n    <id>7</id>\n  </response>\n</result>"
        )
    }

    #[test]
    fn the_dialects_own_conventions_need_no_override() {
        let page = xml("<isVisitor>False</isVisitor>", "<about />", "<title />");
        assert_eq!(
            detect(DialectName::Onlyoffice, JSON, &page),
            Some(Conventions::default())
        );
        let page = xml(
            "<isVisitor>false</isVisitor>",
            "<about></about>",
            "<title />",
        );
        assert_eq!(
            detect(DialectName::R7office, JSON, &page),
            Some(Conventions::default())
        );
    }

    #[test]
    fn only_the_literals_that_differ_from_the_dialect_are_overridden() {
        // An ONLYOFFICE camelCase page written the R7-Office way: null stays
        // `<title />`, which is ONLYOFFICE's own form.
        let page = xml(
            "<isVisitor>false</isVisitor>",
            "<about></about>",
            "<title />",
        );
        let found = detect(DialectName::Onlyoffice, JSON, &page).expect("conventions");
        assert_eq!(found.names, None);
        assert_eq!(
            found.literals,
            Some(XmlLiterals {
                booleans: Some(Booleans::Lower),
                empty_string: Some(EmptyForm::Pair),
                null: None,
            })
        );
        // The other way round on an R7-Office page.
        let page = xml("<isVisitor>False</isVisitor>", "<about />", "<title />");
        let found = detect(DialectName::R7office, JSON, &page).expect("conventions");
        assert_eq!(
            found.literals,
            Some(XmlLiterals {
                booleans: Some(Booleans::Capitalised),
                empty_string: Some(EmptyForm::SelfClosing),
                null: None,
            })
        );
    }

    #[test]
    fn a_literal_the_example_does_not_show_is_left_to_the_dialect() {
        let json = r#"{"status": 0, "response": {"isVisitor": true}}"#;
        let page = "<result>\n  <status>0</status>\n  <response>\n    <isVisitor>true</isVisitor>\n  </response>\n</result>";
        let found = detect(DialectName::Onlyoffice, json, page).expect("conventions");
        assert_eq!(
            found.literals,
            Some(XmlLiterals {
                booleans: Some(Booleans::Lower),
                empty_string: None,
                null: None,
            })
        );
    }

    #[test]
    fn names_and_literals_are_found_together() {
        let page = xml(
            "<IsVisitor>false</IsVisitor>",
            "<About></About>",
            "<Title />",
        )
        .replace("<id>7</id>", "<Id>7</Id>");
        let found = detect(DialectName::Onlyoffice, JSON, &page).expect("conventions");
        assert_eq!(found.names, Some(NameCase::Pascal));
        assert!(found.literals.is_some());
    }

    #[test]
    fn xml_that_differs_in_more_than_conventions_matches_nothing() {
        let page = xml(
            "<isVisitor>false</isVisitor>",
            "<about>text</about>",
            "<title />",
        );
        assert_eq!(detect(DialectName::Onlyoffice, JSON, &page), None);
    }
}
