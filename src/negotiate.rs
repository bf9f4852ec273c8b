//! Choosing the response format: a `.json` / `.xml` path suffix where the
//! dialect has them, else the `Accept` header, else the vendor's default.

use crate::dialect::{Dialect, Format};

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
            },
            Format::Xml => Negotiated {
                format,
                media_type: dialect.xml_content_type,
            },
        }
    }
}

/// Splits a `.json` / `.xml` suffix off the last path segment.
///
/// ```
/// use docmock::dialect::Format;
/// use docmock::negotiate::split_suffix;
///
/// assert_eq!(split_suffix("/api/2.0/crm/contact/1.xml"), ("/api/2.0/crm/contact/1", Some(Format::Xml)));
/// assert_eq!(split_suffix("/api/v1/Contact/1"), ("/api/v1/Contact/1", None));
/// ```
pub fn split_suffix(path: &str) -> (&str, Option<Format>) {
    // Nearly every path ends in neither suffix: its last byte says so.
    if !matches!(path.as_bytes().last(), Some(b'n' | b'N' | b'l' | b'L')) {
        return (path, None);
    }
    for (suffix, format) in [(".json", Format::Json), (".xml", Format::Xml)] {
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

/// Picks the format for `accept` (the `Accept` header, if any) under
/// `dialect`, honouring q-values. `Err` carries the media types the dialect
/// can answer with, for a 406.
pub fn negotiate(
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
    // One bare media type, the common case, needs no parsing at all.
    if !accept.bytes().any(|b| b == b',' || b == b';') {
        return single(dialect, accept, default).ok_or_else(|| available(dialect));
    }
    // One media type with parameters needs no sorting.
    if !accept.bytes().any(|b| b == b',') {
        let (media, parameters) = accept.split_once(';').unwrap_or((accept, ""));
        let media = media.trim_ascii();
        let refused = !parameters.is_empty()
            && parameters
                .split(';')
                .filter_map(|p| p.trim_ascii().strip_prefix("q="))
                .any(|q| q.trim_ascii().parse::<f32>().is_ok_and(|q| q <= 0.0));
        if !refused && let Some(found) = single(dialect, media, default) {
            return Ok(found);
        }
        return Err(available(dialect));
    }
    let mut ranges: Vec<(f32, usize, &str)> = accept
        .split(',')
        .enumerate()
        .filter_map(|(i, range)| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim_ascii();
            let q = parts
                .filter_map(|p| p.trim_ascii().strip_prefix("q="))
                .find_map(|q| q.trim_ascii().parse::<f32>().ok())
                .unwrap_or(1.0);
            (!media.is_empty() && q > 0.0).then_some((q, i, media))
        })
        .collect();
    // Highest quality first; the header's own order breaks ties.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, _, media) in ranges {
        if let Some(found) = single(dialect, media, default) {
            return Ok(found);
        }
    }
    Err(available(dialect))
}

/// What one media range selects, if the dialect can answer it.
fn single(dialect: &Dialect, media: &str, default: Negotiated) -> Option<Negotiated> {
    if media == "*/*" || media.eq_ignore_ascii_case("application/*") {
        return Some(default);
    }
    if media.eq_ignore_ascii_case("text/*") {
        return Some(Negotiated::default_for(dialect, Format::Xml));
    }
    served(dialect, |t| t.eq_ignore_ascii_case(media))
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
        });
    }
    let found = dialect.xml_media_types.iter().find(|t| is(t))?;
    Some(Negotiated {
        format: Format::Xml,
        media_type: found,
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
    use crate::dialect::DialectName;

    fn pick(dialect: DialectName, accept: Option<&str>) -> Result<Negotiated, Vec<&'static str>> {
        negotiate(dialect.rules(), None, accept)
    }

    #[test]
    fn a_suffix_is_split_only_off_a_last_segment_longer_than_it() {
        assert_eq!(split_suffix("/a/1.JSON"), ("/a/1", Some(Format::Json)));
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
    fn onlyoffice_answers_xml_when_the_request_names_no_format() {
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

    #[test]
    fn a_suffix_overrides_accept() {
        let n = negotiate(
            DialectName::Onlyoffice.rules(),
            Some(Format::Json),
            Some("text/xml"),
        )
        .expect("acceptable");
        assert_eq!(n.format, Format::Json);
    }
}
