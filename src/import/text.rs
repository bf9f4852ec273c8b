//! Reading documentation pages as text: normalising line endings, finding
//! section headings in either language, and cutting out the JSON and XML
//! examples exactly as the page shows them.

use std::cell::OnceCell;

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
    /// `raw` joined with `\n`, and where each line starts in it: an XML
    /// example is read from its first line on without joining the rest of
    /// the page again for every line that begins with `<`.
    raw_text: String,
    raw_starts: Vec<usize>,
    /// For each line that begins with `{` or `[`, the line its bracket
    /// closes on: found for every line in one pass over the page when
    /// first asked (see [`json_block`]).
    json_ends: OnceCell<Vec<Option<usize>>>,
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
        let raw_text = raw.join("\n");
        let mut raw_starts = Vec::with_capacity(raw.len());
        let mut start = 0;
        for line in &raw {
            raw_starts.push(start);
            start += line.len() + 1;
        }
        Page {
            name: name.into(),
            lines,
            raw,
            raw_text,
            raw_starts,
            json_ends: OnceCell::new(),
        }
    }

    /// The last line of the JSON value that opens line `first`, if it
    /// closes (see [`json_block`]).
    fn json_end(&self, first: usize) -> Option<usize> {
        let ends = self.json_ends.get_or_init(|| json_ends(&self.lines));
        ends.get(first).copied().flatten()
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

/// The JSON value (object or array) that starts on line `first`: brackets
/// are matched outside strings, so unindented documents and nested closing
/// lines are cut where the value really ends.
pub fn json_block(page: &Page, first: usize) -> Option<Block> {
    let last = page.json_end(first)?;
    Some(Block {
        first,
        last,
        text: page.raw[first..=last].join("\n"),
    })
}

/// Where the bracket opening each line closes, for every line that begins
/// with `{` or `[`, in one pass over the page: importers look for examples
/// line by line, and scanning to the end of the page from each candidate
/// made a page of many such lines cost the square of their number.
///
/// Brackets pair up as a stack, so the bracket opening line `i` closes
/// where the brackets after it balance, exactly as a scan from line `i`
/// alone would find; brackets in strings do not count. JSON strings never
/// span lines, so a string ends with its line: a stray quote in the page's
/// prose cannot hide the brackets of the lines after it.
fn json_ends(lines: &[String]) -> Vec<Option<usize>> {
    /// An open bracket that does not begin a line: it must be closed, but
    /// no block is cut from it.
    const INNER: usize = usize::MAX;
    let mut ends = vec![None; lines.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let mut opens_line = line.trim_start().starts_with(['{', '[']);
        let mut in_string = false;
        let mut escaped = false;
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
                '{' | '[' => {
                    open.push(if opens_line { i } else { INNER });
                    opens_line = false;
                }
                '}' | ']' => {
                    if let Some(opened) = open.pop()
                        && opened != INNER
                    {
                        ends[opened] = Some(i);
                    }
                }
                _ => {}
            }
        }
    }
    ends
}

/// Why an example that begins like XML is not a well-formed XML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedExample {
    /// The page line (0-based) the reader stopped at.
    pub line: usize,
    /// What is wrong there.
    pub reason: String,
}

/// The XML element that starts on line `first`, up to its end tag: `None`
/// when the line does not begin with `<`, and an error when what begins
/// there is not well-formed XML (an end tag missing or mismatched, an
/// element never closed), so that no fragment of it is taken for the
/// example. A well-formed element is then read as docmock reads every XML
/// example, so what import accepts the catalog loads.
pub fn xml_block(page: &Page, first: usize) -> Option<Result<Block, MalformedExample>> {
    if !page.lines.get(first)?.trim_start().starts_with('<') {
        return None;
    }
    let offset = *page.raw_starts.get(first)?;
    let text = page.raw_text.get(offset..)?;
    // Page lines of byte offsets into `text`, counted on as the reader goes
    // (offsets only grow), so reading stays linear in the block.
    let bytes = text.as_bytes();
    let (mut counted, mut lines_before) = (0usize, 0usize);
    let mut line_at = |at: usize| {
        let at = at.min(bytes.len());
        if at < counted {
            return first + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        }
        lines_before += bytes[counted..at].iter().filter(|&&b| b == b'\n').count();
        counted = at;
        first + lines_before
    };
    let mut reader = Reader::from_str(text);
    let mut open: Vec<(String, usize)> = Vec::new();
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                let position = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return Some(Err(MalformedExample {
                    line: line_at(position),
                    reason: error.to_string(),
                }));
            }
        };
        match event {
            Event::Start(start) => {
                let name = String::from(start.name().into_inner());
                open.push((name, line_at(at)));
            }
            Event::End(_) => {
                open.pop();
                if open.is_empty() {
                    break;
                }
            }
            Event::Empty(_) if open.is_empty() => break,
            // Mismatched end tags are reported where they are; what is
            // left open at the end of the page is the example's own root.
            Event::Eof => {
                let (name, line) = open.first().cloned().unwrap_or_default();
                return Some(Err(MalformedExample {
                    line,
                    reason: format!("<{name}>, opened here, is never closed"),
                }));
            }
            _ => {}
        }
    }
    let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
    let block = &text[..end.min(text.len())];
    if let Err(error) = crate::contract::xml::parse_xml(block) {
        return Some(Err(MalformedExample {
            line: first + error.line - 1,
            reason: error.message,
        }));
    }
    let lines = block.matches('\n').count();
    Some(Ok(Block {
        first,
        last: first + lines,
        text: block.to_string(),
    }))
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

/// A request target as the server binds it, where the generator of the
/// ONLYOFFICE pages wrote each value as JSON, form-encoded
/// (`?responsibleid=%229924256A-…%22`, `/crm/%22some+text%22/tag`,
/// `?tags=%5b%0d%0a++%22some+text%22%0d%0a%5d`). Community Server binds a
/// query or route value as the text it is (module/ASC.Api/ASC.Api/Impl/
/// ApiArgumentBuilder.cs, `ConvertUtils.GetConverted`): the quote marks would
/// be part of a string and make a guid or a date unreadable, and a JSON
/// list would be one item of its text (Utils/Binder.cs, `BindCollection`,
/// which reads a list from repeated keys). So a quoted value becomes its
/// text, and a list its items, one `name=item` each; every other value is
/// left exactly as the page writes it.
pub fn unquoted_target(target: &str) -> String {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let path: Vec<String> = path
        .split('/')
        .map(|segment| match json_text(&form_decoded(segment)) {
            Some(text) => encode_segment(&text),
            None => segment.to_string(),
        })
        .collect();
    let mut out = path.join("/");
    let Some(query) = query else {
        return out;
    };
    let mut pairs: Vec<String> = Vec::new();
    for pair in query.split('&') {
        let Some((name, raw)) = pair.split_once('=') else {
            pairs.push(pair.to_string());
            continue;
        };
        let value = form_decoded(raw);
        let encode =
            |text: &str| -> String { form_urlencoded::byte_serialize(text.as_bytes()).collect() };
        if let Some(text) = json_text(&value) {
            pairs.push(format!("{name}={}", encode(&text)));
        } else if let Some(items) = json_items(&value) {
            pairs.extend(items.iter().map(|item| format!("{name}={}", encode(item))));
        } else {
            pairs.push(pair.to_string());
        }
    }
    if !pairs.is_empty() {
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// A value of a URL form-decoded: `+` is a space, `%XX` a byte. Undecodable
/// text is returned as it is.
pub fn form_decoded(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|text| text.into_owned())
        .unwrap_or(spaced)
}

/// The text of a JSON string literal (`"some text"` → `some text`).
fn json_text(value: &str) -> Option<String> {
    let value = value.trim();
    (value.len() >= 2 && value.starts_with('"') && value.ends_with('"'))
        .then(|| serde_json::from_str::<String>(value).ok())
        .flatten()
}

/// The items of a JSON list of scalars, each as the text a query sends.
fn json_items(value: &str) -> Option<Vec<String>> {
    if !value.trim_start().starts_with('[') {
        return None;
    }
    let items: Vec<serde_json::Value> = serde_json::from_str(value).ok()?;
    items
        .into_iter()
        .map(|item| match item {
            serde_json::Value::String(text) => Some(text),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .collect()
}

/// A path segment with everything but unreserved characters
/// percent-encoded.
pub fn encode_segment(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The `data: {…}` samples between lines `from` and `end`, each as JSON:
/// what the ONLYOFFICE pages of methods with complex bodies show in place
/// of an example request ("Data transfer in application/json format:"),
/// written as JavaScript object literals — names unquoted, strings in
/// single or double quotes, `//` comments, a trailing comma — of which a
/// page may show several. A sample that does not read as an object is
/// left out.
pub fn data_samples(page: &Page, from: usize, end: usize) -> Vec<serde_json::Value> {
    let end = end.min(page.lines.len());
    let mut samples = Vec::new();
    for at in from..end {
        let line = page.raw[at].trim_start();
        let Some(rest) = line
            .get(..5)
            .filter(|head| head.eq_ignore_ascii_case("data:"))
            .map(|_| &line[5..])
        else {
            continue;
        };
        let mut text = rest.to_string();
        for next in &page.raw[at + 1..end] {
            text.push('\n');
            text.push_str(next);
        }
        if let Some(value) = object_literal(text.trim_start()).filter(serde_json::Value::is_object)
        {
            samples.push(value);
        }
    }
    samples
}

/// The JavaScript object literal `text` starts with, read as JSON (what
/// follows it is ignored). Names of members are quoted, single-quoted
/// strings double-quoted, comments and trailing commas dropped.
fn object_literal(text: &str) -> Option<serde_json::Value> {
    if !text.starts_with('{') {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut json = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' => {
                let mut content = String::new();
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        if c == '\'' && chars[i + 1] == '\'' {
                            content.push('\'');
                        } else {
                            content.push(chars[i]);
                            content.push(chars[i + 1]);
                        }
                        i += 2;
                        continue;
                    }
                    if c == '\'' && chars[i] == '"' {
                        content.push('\\');
                    }
                    content.push(chars[i]);
                    i += 1;
                }
                json.push('"');
                json.push_str(&content);
                json.push('"');
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i + 1 < chars.len() && chars[i + 1] != '\n' {
                    i += 1;
                }
            }
            '{' | '[' => {
                depth += 1;
                json.push(c);
            }
            '}' | ']' => {
                // `a: 1, }`: a trailing comma JSON does not take.
                let kept = json.trim_end().len();
                json.truncate(kept);
                if json.ends_with(',') {
                    json.pop();
                }
                json.push(c);
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return serde_json::from_str(&json).ok();
                }
            }
            c if c.is_alphanumeric() || matches!(c, '_' | '$' | '-' | '+' | '.') => {
                let start = i;
                while i + 1 < chars.len()
                    && (chars[i + 1].is_alphanumeric()
                        || matches!(chars[i + 1], '_' | '$' | '-' | '+' | '.'))
                {
                    i += 1;
                }
                let word: String = chars[start..=i].iter().collect();
                let is_name = chars[i + 1..]
                    .iter()
                    .find(|c| !c.is_whitespace())
                    .is_some_and(|&c| c == ':');
                if is_name {
                    json.push_str(&serde_json::Value::String(word).to_string());
                } else {
                    json.push_str(&word);
                }
            }
            _ => json.push(c),
        }
        i += 1;
    }
    None
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
    fn data_samples_are_read_as_json_objects() {
        let page = Page::new(
            "p",
            "Example\n  Data transfer in application/json format:\n  data: {\n     title: \"Exhibition\",\n     isPrivate: false,\n     list: [{1: 'a \"b\"'}],\n     mask: {\"size\":\"40\"},  // The size.\n     n: -1.5,\n  }\n  where title is…\n  data: { broken\nReturns",
        );
        let samples = data_samples(&page, 0, page.lines.len());
        assert_eq!(
            samples,
            [serde_json::json!({
                "title": "Exhibition",
                "isPrivate": false,
                "list": [{"1": "a \"b\""}],
                "mask": {"size": "40"},
                "n": -1.5
            })]
        );
    }

    #[test]
    fn quoted_values_and_json_lists_in_a_target_are_sent_as_the_server_binds_them() {
        assert_eq!(
            unquoted_target(
                "/api/2.0/crm/%22some+text%22/tag?id=%229924256A-739C-462b-AF15-E652A3B1B6EB%22&tags=%5b%0d%0a++%22a%22%2c%0d%0a++%22b+c%22%0d%0a%5d&n=1234&raw=%22x"
            ),
            "/api/2.0/crm/some%20text/tag?id=9924256A-739C-462b-AF15-E652A3B1B6EB&tags=a&tags=b+c&n=1234&raw=%22x"
        );
        assert_eq!(
            unquoted_target("/api/2.0/x?ids=%5b%0d%0a++1234%0d%0a%5d"),
            "/api/2.0/x?ids=1234"
        );
        assert_eq!(unquoted_target("/api/2.0/x/1234"), "/api/2.0/x/1234");
    }

    #[test]
    fn xml_blocks_end_at_the_root_end_tag() {
        let page = Page::new(
            "p",
            "text/xml\r\n<result>\r\n  <a />\r\n  <b>1</b>\r\n</result>\r\nWas this helpful?",
        );
        let block = xml_block(&page, 1).expect("block").expect("well-formed");
        assert_eq!(block.last, 4);
        assert_eq!(block.text, "<result>\n  <a />\n  <b>1</b>\n</result>");
    }
}
