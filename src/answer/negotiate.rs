//! Choosing the response format, as the vendor's server does
//! ([`Formats::Server`], the default) or as its documentation says
//! ([`Formats::Documented`]: a `.json` / `.xml` path suffix where the
//! dialect has them, else the `Accept` header, else the documented default).

use crate::contract::dialect::{Dialect, Format, Formats, ServerFormats};

/// Why an ONLYOFFICE answer is JSON although `Accept` asks for XML.
pub const ACCEPT_IGNORED: &str = "Accept asks for XML, but the ONLYOFFICE server ignores Accept and \
     answers JSON; add .xml to the path for XML";

/// Why an ONLYOFFICE answer to a `.xml` path is JSON.
pub const JSON_BODY_WINS: &str = "the path ends in .xml, but the ONLYOFFICE server answers JSON \
     when the request's Content-Type is application/json; send the body as a form for XML";

/// Why a SuperOffice answer is JSON although `Accept` names no JSON type.
pub const UNKNOWN_ACCEPT: &str = "Accept names no media type this API writes; the server's \
     ASP.NET content negotiation answers JSON, so docmock does (check the spelling)";

/// What a request says about the format it wants.
#[derive(Debug, Clone, Copy, Default)]
pub struct Asked<'r> {
    /// The format a `.json`, `.xml` or `.tml` path suffix names, where the
    /// dialect reads one.
    pub suffix: Option<Format>,
    /// The `Accept` header, if any.
    pub accept: Option<&'r str>,
    /// The request's `Content-Type`, if any.
    pub content_type: Option<&'r str>,
}

/// Every `Content-Type` an answer can carry.
pub const CONTENT_TYPES: [&str; 4] = [
    "application/json; charset=utf-8",
    "text/json; charset=utf-8",
    "application/xml; charset=utf-8",
    "text/xml; charset=utf-8",
];

/// The format chosen for a response and the media type to announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// JSON or XML.
    pub format: Format,
    /// The media type for `Content-Type` (without charset).
    pub media_type: &'static str,
    /// Why the format is not the one the request seems to ask for, for the
    /// journal and the log.
    pub note: Option<&'static str>,
}

impl Negotiated {
    /// Which of [`CONTENT_TYPES`] the answer carries.
    pub fn content_type_index(&self) -> usize {
        match self.media_type {
            "application/json" => 0,
            "text/json" => 1,
            "application/xml" => 2,
            _ => 3,
        }
    }

    /// The `Content-Type` header value.
    pub fn content_type(&self) -> &'static str {
        CONTENT_TYPES[self.content_type_index()]
    }

    /// The dialect's answer for `format` when the request named no media type.
    pub fn default_for(dialect: &Dialect, format: Format) -> Negotiated {
        match format {
            Format::Json => Negotiated {
                format,
                media_type: "application/json",
                note: None,
            },
            Format::Xml => Negotiated {
                format,
                media_type: dialect.xml_content_type,
                note: None,
            },
        }
    }
}

/// Splits a `.json`, `.xml` or `.tml` suffix off the last path segment
/// (Community Server's `JsonNetSerializer.GetSupportedExtensions` lists
/// the three).
///
/// ```
/// use docmock::contract::dialect::Format;
/// use docmock::answer::negotiate::split_suffix;
///
/// assert_eq!(split_suffix("/api/2.0/crm/contact/1.xml"), ("/api/2.0/crm/contact/1", Some(Format::Xml)));
/// assert_eq!(split_suffix("/api/2.0/crm/contact/1.tml"), ("/api/2.0/crm/contact/1", Some(Format::Xml)));
/// assert_eq!(split_suffix("/api/v1/Contact/1"), ("/api/v1/Contact/1", None));
/// ```
pub fn split_suffix(path: &str) -> (&str, Option<Format>) {
    // Nearly every path ends in neither suffix: its last byte says so.
    if !matches!(path.as_bytes().last(), Some(b'n' | b'N' | b'l' | b'L')) {
        return (path, None);
    }
    for (suffix, format) in [
        (".json", Format::Json),
        (".xml", Format::Xml),
        (".tml", Format::Xml),
    ] {
        let Some(start) = path.len().checked_sub(suffix.len()) else {
            continue;
        };
        // The suffix must end a last segment that has more than the suffix.
        let ends_path = path.as_bytes()[start..].eq_ignore_ascii_case(suffix.as_bytes());
        let has_name = start > 0 && path.as_bytes()[start - 1] != b'/';
        if ends_path && has_name {
            return (&path[..start], Some(format));
        }
    }
    (path, None)
}

/// Picks the format of the answer to a request that asks for `asked`,
/// under `dialect` and whose word `formats` says counts. `Err` carries the
/// media types the dialect can answer with, for a 406: only the
/// documentation's rule refuses anything.
///
/// ```
/// use docmock::answer::negotiate::{Asked, negotiate};
/// use docmock::contract::dialect::{DialectName, Format, Formats};
///
/// let r7 = DialectName::R7office.rules();
/// let asked = Asked { accept: Some("text/xml"), ..Asked::default() };
/// // Community Server does not read Accept; the documentation does.
/// assert_eq!(negotiate(r7, Formats::Server, asked).map(|n| n.format), Ok(Format::Json));
/// assert_eq!(negotiate(r7, Formats::Documented, asked).map(|n| n.format), Ok(Format::Xml));
/// ```
pub fn negotiate(
    dialect: &Dialect,
    formats: Formats,
    asked: Asked<'_>,
) -> Result<Negotiated, Vec<&'static str>> {
    match (dialect.server_formats, formats) {
        (ServerFormats::PathExtension, Formats::Server) => Ok(by_extension(dialect, asked)),
        (ServerFormats::PathExtension, Formats::Documented) => {
            documented(dialect, asked.suffix, asked.accept)
        }
        // The documentation promises no 406 either: the fallback holds
        // under both words.
        (ServerFormats::AcceptElseJson, _) => Ok(documented(dialect, asked.suffix, asked.accept)
            .unwrap_or(Negotiated {
                note: Some(UNKNOWN_ACCEPT),
                ..Negotiated::default_for(dialect, Format::Json)
            })),
    }
}

/// Community Server's rule: XML only for a `.xml` / `.tml` path whose
/// request does not send JSON; `Accept` is not read (see
/// [`ServerFormats::PathExtension`]). A request that seems to ask for XML
/// otherwise gets a note saying how to get it.
fn by_extension(dialect: &Dialect, asked: Asked<'_>) -> Negotiated {
    // `StringUtils.IsContentType`: the media type, parameters left out.
    let sends_json = asked.content_type.is_some_and(|content_type| {
        let media = content_type.split(';').next().unwrap_or_default();
        media.trim_ascii().eq_ignore_ascii_case("application/json")
    });
    let json = Negotiated::default_for(dialect, Format::Json);
    match asked.suffix {
        Some(Format::Xml) if !sends_json => Negotiated::default_for(dialect, Format::Xml),
        Some(Format::Xml) => Negotiated {
            note: Some(JSON_BODY_WINS),
            ..json
        },
        Some(Format::Json) => json,
        None if asked.accept.is_some_and(|a| asks_for_xml(dialect, a)) => Negotiated {
            note: Some(ACCEPT_IGNORED),
            ..json
        },
        None => json,
    }
}

/// Whether `accept` names an XML media type and prefers it to JSON: `*/*`
/// or a list that puts JSON first does not ask for XML.
fn asks_for_xml(dialect: &Dialect, accept: &str) -> bool {
    let names_xml = accept.split(',').any(|range| {
        let media = range.split(';').next().unwrap_or_default().trim_ascii();
        dialect
            .xml_media_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(media))
    });
    names_xml && documented(dialect, None, Some(accept)).is_ok_and(|n| n.format == Format::Xml)
}

/// The documentation's rule: the suffix, else `accept` (the `Accept`
/// header, if any) honouring q-values, else the documented default. `Err`
/// carries the media types the dialect can answer with, for a 406.
///
/// As RFC 9110 §12.5.1 says, each media type the dialect can answer with
/// takes the quality of the most specific range that matches it, so that
/// `text/xml;q=0, */*` refuses `text/xml` while `*/*` admits the rest. The
/// highest quality wins; ties go to the range listed first, then to the
/// dialect's own order (its default format first).
fn documented(
    dialect: &Dialect,
    suffix: Option<Format>,
    accept: Option<&str>,
) -> Result<Negotiated, Vec<&'static str>> {
    if let Some(format) = suffix {
        return Ok(Negotiated::default_for(dialect, format));
    }
    // A client that names one media type usually spells it as the dialect
    // does: a comparison of bytes settles it.
    if let Some(found) = accept.and_then(|accept| served(dialect, |t| t == accept)) {
        return Ok(found);
    }
    let default = Negotiated::default_for(dialect, dialect.default_format);
    let Some(accept) = accept.map(str::trim_ascii).filter(|a| !a.is_empty()) else {
        return Ok(default);
    };
    if accept == "*/*" {
        return Ok(default);
    }
    // One bare media type, the common case, needs no parsing at all.
    if !accept.bytes().any(|b| matches!(b, b',' | b';' | b'*')) {
        return served(dialect, |t| t.eq_ignore_ascii_case(accept))
            .ok_or_else(|| available(dialect));
    }
    weighed(dialect, accept).ok_or_else(|| available(dialect))
}

/// One media range of an `Accept` header.
#[derive(Debug, Clone, Copy)]
struct Range<'a> {
    media: &'a str,
    quality: f32,
}

impl Range<'_> {
    /// How specifically this range names `media` (a `type/subtype`): 3 for
    /// the type itself, 2 for `type/*`, 1 for `*/*`, `None` when it does
    /// not match.
    fn specificity(&self, media: &str) -> Option<u8> {
        if self.media.eq_ignore_ascii_case(media) {
            return Some(3);
        }
        if self.media == "*/*" {
            return Some(1);
        }
        let (kind, _) = media.split_once('/')?;
        let (range_kind, range_subtype) = self.media.split_once('/')?;
        (range_subtype == "*" && range_kind.eq_ignore_ascii_case(kind)).then_some(2)
    }
}

/// Parses `accept` (several ranges, or parameters) and picks the dialect's
/// best media type for it.
fn weighed(dialect: &Dialect, accept: &str) -> Option<Negotiated> {
    let ranges: smallvec::SmallVec<[Range<'_>; 8]> = accept
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim_ascii();
            // The weight's name is case-insensitive (RFC 9110 §12.4.2); a
            // weight that is not a number is read as the default, 1.
            let quality = parts
                .filter_map(|p| p.split_once('='))
                .find(|(name, _)| name.trim_ascii().eq_ignore_ascii_case("q"))
                .and_then(|(_, q)| q.trim_ascii().parse::<f32>().ok())
                .filter(|q| q.is_finite())
                .map_or(1.0, |q| q.clamp(0.0, 1.0));
            (!media.is_empty()).then_some(Range { media, quality })
        })
        .collect();
    // (quality, index of the deciding range, candidate)
    let mut best: Option<(f32, usize, Negotiated)> = None;
    for media in candidates(dialect) {
        let mut chosen: Option<(u8, usize)> = None;
        for (index, range) in ranges.iter().enumerate() {
            if let Some(specificity) = range.specificity(media)
                && chosen.is_none_or(|(s, _)| specificity > s)
            {
                chosen = Some((specificity, index));
            }
        }
        let Some((_, index)) = chosen else {
            continue;
        };
        let quality = ranges[index].quality;
        if quality <= 0.0 {
            continue;
        }
        let better = best.is_none_or(|(q, i, _)| quality > q || (quality == q && index < i));
        if better && let Some(negotiated) = served(dialect, |t| t == media) {
            best = Some((quality, index, negotiated));
        }
    }
    best.map(|(_, _, negotiated)| negotiated)
}

/// The media types the dialect answers with, in its order of preference:
/// the one it answers when asked for nothing, the rest of its default
/// format, then the other format.
fn candidates(dialect: &Dialect) -> impl Iterator<Item = &'static str> {
    let default = Negotiated::default_for(dialect, dialect.default_format).media_type;
    let (first, second) = match dialect.default_format {
        Format::Json => (dialect.json_media_types, dialect.xml_media_types),
        Format::Xml => (dialect.xml_media_types, dialect.json_media_types),
    };
    std::iter::once(default)
        .chain(first.iter().copied().filter(move |t| *t != default))
        .chain(second.iter().copied())
}

/// The first of the dialect's media types, JSON before XML, that `is` picks.
fn served(dialect: &Dialect, is: impl Fn(&str) -> bool) -> Option<Negotiated> {
    if let Some(found) = dialect.json_media_types.iter().find(|t| is(t)) {
        return Some(Negotiated {
            format: Format::Json,
            media_type: if *found == "text/json" {
                "text/json"
            } else {
                "application/json"
            },
            note: None,
        });
    }
    let found = dialect.xml_media_types.iter().find(|t| is(t))?;
    Some(Negotiated {
        format: Format::Xml,
        media_type: found,
        note: None,
    })
}

/// Every media type the dialect answers with, for a 406.
fn available(dialect: &Dialect) -> Vec<&'static str> {
    dialect
        .json_media_types
        .iter()
        .chain(dialect.xml_media_types)
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::dialect::DialectName;

    /// The documentation's rule, which most of these tests pin.
    fn pick(dialect: DialectName, accept: Option<&str>) -> Result<Negotiated, Vec<&'static str>> {
        let asked = Asked {
            accept,
            ..Asked::default()
        };
        negotiate(dialect.rules(), Formats::Documented, asked)
    }

    /// The server's rule.
    fn served_as(dialect: DialectName, asked: Asked<'_>) -> Negotiated {
        negotiate(dialect.rules(), Formats::Server, asked).expect("the server refuses nothing")
    }

    #[test]
    fn onlyoffice_servers_answer_xml_only_for_an_xml_path_without_a_json_body() {
        let oo = DialectName::Onlyoffice;
        let xml = Asked {
            suffix: Some(Format::Xml),
            ..Asked::default()
        };
        assert_eq!(served_as(oo, xml).media_type, "text/xml");
        let form = Asked {
            content_type: Some("application/x-www-form-urlencoded"),
            ..xml
        };
        assert_eq!(served_as(oo, form).format, Format::Xml);
        let json_body = Asked {
            content_type: Some("Application/JSON; charset=utf-8"),
            ..xml
        };
        let n = served_as(oo, json_body);
        assert_eq!((n.format, n.note), (Format::Json, Some(JSON_BODY_WINS)));
        for accept in [None, Some("*/*"), Some("application/json, text/xml")] {
            let asked = Asked {
                accept,
                ..Asked::default()
            };
            let n = served_as(DialectName::R7office, asked);
            assert_eq!((n.format, n.note), (Format::Json, None), "{accept:?}");
        }
    }

    #[test]
    fn onlyoffice_servers_ignore_accept_and_say_so() {
        for accept in ["text/xml", "application/xml;q=0.9, application/json;q=0.1"] {
            let asked = Asked {
                accept: Some(accept),
                ..Asked::default()
            };
            let n = served_as(DialectName::Onlyoffice, asked);
            assert_eq!(n.format, Format::Json, "{accept}");
            assert_eq!(n.note, Some(ACCEPT_IGNORED), "{accept}");
        }
        let png = Asked {
            accept: Some("image/png"),
            ..Asked::default()
        };
        assert_eq!(served_as(DialectName::Onlyoffice, png).note, None);
    }

    #[test]
    fn superoffice_answers_json_to_an_accept_it_cannot_write() {
        for formats in [Formats::Server, Formats::Documented] {
            for accept in ["aplication/json", "text/html", "image/*", "*/*;q=0"] {
                let asked = Asked {
                    accept: Some(accept),
                    ..Asked::default()
                };
                let n =
                    negotiate(DialectName::Superoffice.rules(), formats, asked).expect("never 406");
                assert_eq!(n.content_type(), "application/json; charset=utf-8");
                assert_eq!(n.note, Some(UNKNOWN_ACCEPT));
            }
        }
        let xml = Asked {
            accept: Some("text/xml"),
            ..Asked::default()
        };
        assert_eq!(served_as(DialectName::Superoffice, xml).format, Format::Xml);
    }

    #[test]
    fn a_suffix_is_split_only_off_a_last_segment_longer_than_it() {
        assert_eq!(split_suffix("/a/1.JSON"), ("/a/1", Some(Format::Json)));
        assert_eq!(split_suffix("/a/1.TML"), ("/a/1", Some(Format::Xml)));
        assert_eq!(split_suffix("x.xml"), ("x", Some(Format::Xml)));
        for path in [
            "/a/.json",
            ".json",
            "/a/1.json/",
            "/a.json/1",
            "/a/é",
            "",
            "/",
            "xml",
        ] {
            assert_eq!(split_suffix(path), (path, None), "{path}");
        }
    }

    #[test]
    fn onlyoffice_documents_xml_when_the_request_names_no_format() {
        let n = pick(DialectName::Onlyoffice, None).expect("acceptable");
        assert_eq!(n.format, Format::Xml);
        let n = pick(DialectName::Onlyoffice, Some("*/*")).expect("acceptable");
        assert_eq!(n.format, Format::Xml);
    }

    #[test]
    fn superoffice_answers_json_by_default_and_for_patch_media_types() {
        assert_eq!(
            pick(DialectName::Superoffice, None).map(|n| n.format),
            Ok(Format::Json)
        );
        assert_eq!(
            pick(
                DialectName::Superoffice,
                Some("application/merge-patch+json")
            )
            .map(|n| n.format),
            Ok(Format::Json)
        );
    }

    #[test]
    fn quality_values_order_the_choices() {
        let n = pick(
            DialectName::Onlyoffice,
            Some("text/html,application/xml;q=0.5,application/json;q=0.9"),
        )
        .expect("acceptable");
        assert_eq!(n.format, Format::Json);
    }

    #[test]
    fn parameters_on_media_types_are_ignored() {
        let n = pick(
            DialectName::Superoffice,
            Some("application/json; charset=utf-8"),
        )
        .expect("acceptable");
        assert_eq!(n.content_type(), "application/json; charset=utf-8");
    }

    #[test]
    fn unacceptable_accept_lists_what_is_available() {
        let err = pick(DialectName::R7office, Some("image/png")).expect_err("406");
        assert!(err.contains(&"application/json"));
    }

    fn media(dialect: DialectName, accept: &str) -> Option<&'static str> {
        pick(dialect, Some(accept)).ok().map(|n| n.media_type)
    }

    #[test]
    fn a_refused_media_type_stays_refused_behind_a_wildcard() {
        let oo = DialectName::Onlyoffice;
        assert_eq!(media(oo, "text/xml;q=0, */*"), Some("application/xml"));
        assert_eq!(
            media(oo, "text/xml;q=0, application/xml;q=0, */*"),
            Some("application/json")
        );
        assert_eq!(media(oo, "*/*;q=0.1, text/*;q=0"), Some("application/xml"));
        assert_eq!(
            media(oo, "application/xml;q=0.5, */*;q=0.9"),
            Some("text/xml")
        );
        assert_eq!(media(oo, "*/*;q=0"), None);
        assert_eq!(media(oo, "application/json;q=0, */*"), Some("text/xml"));
    }

    #[test]
    fn a_type_wildcard_answers_a_media_type_of_that_type() {
        assert_eq!(
            media(DialectName::Onlyoffice, "application/*"),
            Some("application/xml")
        );
        assert_eq!(media(DialectName::Onlyoffice, "text/*"), Some("text/xml"));
        assert_eq!(media(DialectName::Superoffice, "text/*"), Some("text/json"));
        assert_eq!(
            media(DialectName::Superoffice, "application/*"),
            Some("application/json")
        );
        assert_eq!(
            media(DialectName::Onlyoffice, "text/*;q=0.5, application/*;q=0.6"),
            Some("application/xml")
        );
        assert_eq!(media(DialectName::Onlyoffice, "image/*"), None);
    }

    #[test]
    fn the_weight_name_is_case_insensitive_and_odd_weights_are_tolerated() {
        assert_eq!(media(DialectName::R7office, "application/json;Q=0"), None);
        assert_eq!(
            media(DialectName::R7office, "application/json; q = 0"),
            None
        );
        assert_eq!(
            media(DialectName::R7office, "application/json;q=abc"),
            Some("application/json")
        );
        assert_eq!(
            media(
                DialectName::R7office,
                "application/json;q=7, text/xml;q=0.9"
            ),
            Some("application/json")
        );
        assert_eq!(
            media(
                DialectName::R7office,
                "application/json;level=1;q=0.3, text/xml;q=0.2"
            ),
            Some("application/json")
        );
        assert_eq!(
            media(DialectName::R7office, ",,, application/json,"),
            Some("application/json")
        );
    }

    #[test]
    fn equal_weights_go_to_the_range_listed_first() {
        assert_eq!(
            media(DialectName::Onlyoffice, "application/json, application/xml"),
            Some("application/json")
        );
        assert_eq!(
            media(DialectName::Onlyoffice, "*/*, application/json"),
            Some("text/xml")
        );
    }

    #[test]
    fn a_suffix_overrides_accept() {
        let asked = Asked {
            suffix: Some(Format::Json),
            accept: Some("text/xml"),
            content_type: None,
        };
        let n = negotiate(DialectName::Onlyoffice.rules(), Formats::Documented, asked)
            .expect("acceptable");
        assert_eq!(n.format, Format::Json);
    }
}
