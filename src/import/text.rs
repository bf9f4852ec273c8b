//! Reading documentation pages as text: normalising line endings, finding
//! section headings in either language, and cutting out the JSON and XML
//! examples exactly as the page shows them.

use quick_xml::Reader;
use quick_xml::events::Event;

/// A documentation page split into lines, with the page's own line numbers.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page's name (its file name), for messages and `source`.
    pub name: String,
    /// Lines without their endings, BOM and trailing `\r` removed, and with
    /// no-break spaces read as spaces: what the page's structure (headings,
    /// `sent in url`, the method line, table rows) is recognised in.
    pub lines: Vec<String>,
    /// The same lines as the page has them: what examples are cut from, so
    /// that fixtures stay byte for byte.
    pub raw: Vec<String>,
}

/// The no-break spaces a browser's copy keeps where the page's HTML wrote
/// `&nbsp;` (`sent&nbsp;in&nbsp;url`, `requires&nbsp;authentication`):
/// no-break, narrow no-break and figure space.
const NO_BREAK_SPACES: &[char] = &['\u{a0}', '\u{202f}', '\u{2007}'];

impl Page {
    /// Splits `text` into lines, accepting `\r\n`, `\n` and a leading BOM.
    pub fn new(name: impl Into<String>, text: &str) -> Page {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let raw: Vec<String> = text
            .split('\n')
            .map(|line| line.strip_suffix('\r').unwrap_or(line).to_string())
            .collect();
        // Each no-break space becomes one space, so a line keeps its number
        // of characters (and the lines their numbers).
        let lines = raw
            .iter()
            .map(|line| line.replace(NO_BREAK_SPACES, " "))
            .collect();
        Page {
            name: name.into(),
            lines,
            raw,
        }
    }

    /// The index of the first line at or after `from` for which `test` holds.
    pub fn find(&self, from: usize, test: impl Fn(&str) -> bool) -> Option<usize> {
        (from..self.lines.len()).find(|&i| test(self.lines[i].trim()))
    }

    /// The index of the first line at or after `from` that is exactly one of
    /// `headings` (ignoring case and surrounding space).
    pub fn heading(&self, from: usize, headings: &[&str]) -> Option<usize> {
        self.find(from, |line| {
            headings
                .iter()
                .any(|h| line.eq_ignore_ascii_case(h) || line == *h)
        })
    }

    /// The next non-empty line at or after `from`.
    pub fn next_text(&self, from: usize) -> Option<usize> {
        self.find(from, |line| !line.is_empty())
    }
}

/// Where a JSON or XML example starts and ends on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// First line of the block.
    pub first: usize,
    /// Last line of the block (inclusive).
    pub last: usize,
    /// The block's text, lines joined with `\n`, exactly as the page has it.
    pub text: String,
}

/// The JSON value (object or array) that starts on line `first`: braces are
/// matched outside strings, so unindented documents and nested closing lines
/// are cut where the value really ends.
pub fn json_block(page: &Page, first: usize) -> Option<Block> {
    let start_line = page.lines.get(first)?;
    let opening = start_line.trim_start().chars().next()?;
    if opening != '{' && opening != '[' {
        return None;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, line) in page.lines.iter().enumerate().skip(first) {
        for c in line.chars() {
            if in_string {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '{' | '[' => depth += 1,
                '}' | ']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(Block {
                            first,
                            last: i,
                            text: page.raw[first..=i].join("\n"),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    None
}

/// The XML element that starts on line `first`, up to its end tag.
pub fn xml_block(page: &Page, first: usize) -> Option<Block> {
    if !page.lines.get(first)?.trim_start().starts_with('<') {
        return None;
    }
    // Cut from the page's own text: the reader's byte offsets below are
    // offsets into it.
    let text = page.raw[first..].join("\n");
    let mut reader = Reader::from_str(&text);
    let mut depth = 0usize;
    loop {
        match reader.read_event().ok()? {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    break;
                }
            }
            Event::Empty(_) if depth == 0 => break,
            Event::Eof => return None,
            _ => {}
        }
    }
    let end = usize::try_from(reader.buffer_position()).ok()?;
    let block = &text[..end.min(text.len())];
    let lines = block.matches('\n').count();
    Some(Block {
        first,
        last: first + lines,
        text: block.to_string(),
    })
}

/// The legacy HTML entities a browser decodes even without their `;`, by
/// the character they become.
const LEGACY_ENTITIES: &[(char, &str)] = &[
    ('¤', "curren"),
    ('¬', "not"),
    ('¶', "para"),
    ('§', "sect"),
    ('©', "copy"),
    ('®', "reg"),
    ('°', "deg"),
    ('×', "times"),
    ('£', "pound"),
    ('¥', "yen"),
    ('¢', "cent"),
    ('µ', "micro"),
    ('·', "middot"),
    ('±', "plusmn"),
    ('¦', "brvbar"),
    ('¯', "macr"),
    ('¨', "uml"),
];

/// A request target as the page meant it, where the page's HTML wrote a
/// query string's `&` unescaped and the browser read `&currency=` as the
/// entity `&curren` followed by `cy=` (`…&entityid=1234¤cy=…`). Only the
/// query is touched, and only where the character starts a parameter name
/// (letters up to a `=`): a real URL sends such characters percent-encoded.
pub fn query_entities_undone(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else {
        return target.to_string();
    };
    let mut out = String::with_capacity(target.len() + 8);
    out.push_str(path);
    out.push('?');
    let mut rest = query;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        let starts_name = after.split_once('=').is_some_and(|(name, _)| {
            !name.contains(['&', '?'])
                && name.chars().all(|n| n.is_ascii_alphanumeric() || n == '_')
        });
        match LEGACY_ENTITIES.iter().find(|(ch, _)| *ch == c) {
            Some((_, entity)) if starts_name => {
                out.push('&');
                out.push_str(entity);
            }
            _ => out.push(c),
        }
        rest = after;
    }
    out
}

/// An XML example that a rendering ran onto one line (`<result>
/// <status>0</status> <response> …`), or kept one element a line but dropped
/// every indentation (the teamlab mirror's copy), laid out again as the
/// documentation shows it: one element a line, children indented by two
/// spaces, text and empty elements as written. `None` when `text` keeps an
/// indented line (its layout is the page's own), holds a single element, or
/// is not well-formed.
pub fn relaid_xml(text: &str) -> Option<String> {
    if text
        .trim()
        .lines()
        .any(|line| line.starts_with([' ', '\t']))
    {
        return None;
    }
    let mut reader = Reader::from_str(text);
    let mut out = String::new();
    let mut depth = 0usize;
    let mut elements = 0usize;
    // The start tag written last, while nothing has followed it yet: its
    // text (if any) and end tag go on the same line.
    let mut open: Option<String> = None;
    let mut pending_text = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => {
                elements += 1;
                write_open_parent(&mut out, open.take(), &pending_text, depth)?;
                let tag = start.to_string();
                open = Some(tag);
                pending_text.clear();
                depth += 1;
            }
            Event::End(end) => {
                depth = depth.checked_sub(1)?;
                let name = end.to_string();
                match open.take() {
                    Some(tag) => {
                        indent(&mut out, depth);
                        out.push_str(&format!("<{tag}>{pending_text}</{name}>"));
                    }
                    None => {
                        indent(&mut out, depth);
                        out.push_str(&format!("</{name}>"));
                    }
                }
                pending_text.clear();
            }
            Event::Empty(empty) => {
                elements += 1;
                write_open_parent(&mut out, open.take(), &pending_text, depth)?;
                let tag = empty.to_string();
                indent(&mut out, depth);
                out.push_str(&format!("<{} />", tag.trim_end()));
            }
            Event::Text(t) => {
                let raw = t.to_string();
                if open.is_some() {
                    pending_text.push_str(&raw);
                } else if !raw.trim().is_empty() {
                    return None;
                }
            }
            Event::GeneralRef(r) => {
                let raw = r.to_string();
                open.as_ref()?;
                pending_text.push_str(&format!("&{raw};"));
            }
            Event::Eof => break,
            _ => return None,
        }
    }
    (depth == 0 && elements > 1).then_some(out)
}

/// Starts a new line of `relaid_xml`'s output, `depth` levels in.
fn indent(out: &mut String, depth: usize) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&"  ".repeat(depth));
}

/// A child element follows `open`, the start tag written last (if any):
/// the tag gets a line of its own, one level above the child at `depth`.
/// `None` when text came before the child: mixed content, which this
/// layout cannot show without losing the text.
fn write_open_parent(
    out: &mut String,
    open: Option<String>,
    pending_text: &str,
    depth: usize,
) -> Option<()> {
    let Some(tag) = open else {
        return Some(());
    };
    if !pending_text.trim().is_empty() {
        return None;
    }
    indent(out, depth.saturating_sub(1));
    out.push_str(&format!("<{tag}>"));
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_blocks_end_where_the_value_ends_even_unindented() {
        let page = Page::new(
            "p",
            "x\n{\n\"a\": {\n\"b\": \"}\"\n},\n\"c\": [1]\n}\nReturns\n",
        );
        let block = json_block(&page, 1).expect("block");
        assert_eq!((block.first, block.last), (1, 6));
        assert!(serde_json::from_str::<serde_json::Value>(&block.text).is_ok());
    }

    #[test]
    fn entities_a_browser_read_into_a_query_string_are_undone() {
        assert_eq!(
            query_entities_undone("api/2.0/crm/invoice/filter?entityid=1234¤cy=%22EUR%22"),
            "api/2.0/crm/invoice/filter?entityid=1234&currency=%22EUR%22"
        );
        assert_eq!(
            query_entities_undone("api/x?a=1¬ify=true&b=2"),
            "api/x?a=1&notify=true&b=2"
        );
        // Not before a parameter name, or not in the query: left alone.
        assert_eq!(query_entities_undone("api/x?a=¤ 5"), "api/x?a=¤ 5");
        assert_eq!(query_entities_undone("api/¤cy=1"), "api/¤cy=1");
    }

    #[test]
    fn xml_on_one_line_is_laid_out_again() {
        let text = "<result> <status>0</status> <response> <a>x &amp; y</a> <b></b> <c /> <d> <e>True</e> </d> </response> </result>";
        assert_eq!(
            relaid_xml(text).as_deref(),
            Some(
                "<result>\n  <status>0</status>\n  <response>\n    <a>x &amp; y</a>\n    <b></b>\n    <c />\n    <d>\n      <e>True</e>\n    </d>\n  </response>\n</result>"
            )
        );
        assert_eq!(relaid_xml("<a>\n  <b />\n</a>"), None);
        assert_eq!(
            relaid_xml("<a>\n<b>\n<c>True</c>\n<d></d>\n</b>\n</a>").as_deref(),
            Some("<a>\n  <b>\n    <c>True</c>\n    <d></d>\n  </b>\n</a>")
        );
        assert_eq!(relaid_xml("<a>1</a>"), None);
        // Mixed content is left alone rather than laid out without its text.
        assert_eq!(
            relaid_xml("<result> <response>keep<b/></response> <c>1</c> </result>"),
            None
        );
        assert_eq!(relaid_xml("<a>keep<b>1</b></a>"), None);
    }

    #[test]
    fn xml_blocks_end_at_the_root_end_tag() {
        let page = Page::new(
            "p",
            "text/xml\r\n<result>\r\n  <a />\r\n  <b>1</b>\r\n</result>\r\nWas this helpful?",
        );
        let block = xml_block(&page, 1).expect("block");
        assert_eq!(block.last, 4);
        assert_eq!(block.text, "<result>\n  <a />\n  <b>1</b>\n</result>");
    }
}
