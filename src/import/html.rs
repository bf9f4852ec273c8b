//! Saved HTML pages read as the text a browser shows of them.
//!
//! A documentation page saved with the browser (Ctrl+S) is HTML, not the
//! text the page parsers read. This module turns it into that text the way a
//! browser's `innerText` lays it out, so that a saved page and a copy of its
//! text import alike:
//!
//! * only the page's main content is read: the element the site puts the
//!   article in (api.onlyoffice.com's `.layout-content` cell beside its
//!   navigation, else the innermost `main`, `article` or `[role=main]`,
//!   else the body), and inside it no scripts, styles, navigation, asides,
//!   footers, form controls or hidden elements;
//! * entities are decoded (by the HTML parser, as the browser does), runs of
//!   white space outside `<pre>` are one space, and `<pre>` text stays byte
//!   for byte: it holds the examples, which become fixtures;
//! * block elements stand on their own lines; paragraphs and headings have
//!   a blank line around them (Chromium adds it for their margins, and the
//!   vendors' text pages show it);
//! * table rows are lines. Where every cell of a table fits on one line the
//!   rows are written `| a | b |` with a `|---|` line under the heading row,
//!   as the SuperOffice reference's own text shows its tables; where a cell
//!   holds lines of its own (the ONLYOFFICE parameter table's
//!   `name` / `sent in url` cell), cells are separated by one space and a
//!   cell that starts a line starts it, as the ONLYOFFICE method pages'
//!   text shows them.

use encoding_rs::Encoding;
use scraper::{ElementRef, Html, Node, Selector};

/// The file extensions of saved HTML pages.
pub const EXTENSIONS: [&str; 4] = ["html", "htm", "xhtml", "shtml"];

/// The element api.onlyoffice.com's method pages put their content in
/// (`td.layout-table-content > div.layout-content`, beside the navigation
/// cell).
const ONLYOFFICE_CONTENT: &str = ".layout-content";

/// The elements other sites put their content in. Sites nest them either
/// way (DocFX's `div[role=main]` holds the table of contents and the
/// `article`; docs.superoffice.com's newer pages put `main` inside an
/// `article` that also holds the table of contents and the headings
/// list), so the innermost one is the content.
const CONTENT: &str = "main, article, [role=main]";

/// Elements whose content a reader never sees as the page's text.
const NOT_SHOWN: &[&str] = &[
    "head", "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "audio", "video", "button", "select", "input", "textarea", "datalist", "dialog",
    "map", "nav", "aside", "footer",
];

/// Elements laid out as blocks: each on lines of its own.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "form",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "listing",
    "main",
    "menu",
    "ol",
    "plaintext",
    "pre",
    "search",
    "section",
    "summary",
    "ul",
    "xmp",
];

/// Elements whose text is shown as written (`white-space: pre`).
const PREFORMATTED: &[&str] = &["pre", "listing", "xmp", "plaintext"];

/// Whether a page file is HTML: by its extension, or by how it starts (a
/// doctype, an `<html>` tag, or the `<!-- saved from url=` mark browsers
/// put on a saved page), whatever its name.
pub fn is_html(extension: Option<&str>, bytes: &[u8]) -> bool {
    if extension.is_some_and(|x| EXTENSIONS.iter().any(|e| x.eq_ignore_ascii_case(e))) {
        return true;
    }
    let start = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start: Vec<u8> = start
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(24)
        .map(u8::to_ascii_lowercase)
        .collect();
    [&b"<!doctype html"[..], b"<html", b"<!-- saved from url="]
        .iter()
        .any(|mark| start.starts_with(mark))
}

/// The text of an HTML file in the encoding it declares: a byte order mark,
/// else a `charset` in its first kilobyte (`<meta charset="windows-1251">`,
/// as an older R7-Office page may be saved), else UTF-8. Bytes that are not
/// valid in that encoding become U+FFFD, as a browser shows them.
pub fn decode(bytes: &[u8]) -> String {
    let declared = Encoding::for_bom(bytes)
        .map(|(encoding, _)| encoding)
        .or_else(|| declared_charset(&bytes[..bytes.len().min(1024)]))
        .unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = declared.decode(bytes);
    text.into_owned()
}

/// The encoding a `charset=` in `head` names. A page cannot declare itself
/// UTF-16 in its own ASCII text: such a declaration means UTF-8, as the
/// HTML standard reads it.
fn declared_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let at = lower.windows(8).position(|w| w == b"charset=")? + 8;
    let label: Vec<u8> = lower[at..]
        .iter()
        .skip_while(|b| **b == b'"' || **b == b'\'')
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
        .copied()
        .collect();
    let encoding = Encoding::for_label(&label)?;
    if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        return Some(encoding_rs::UTF_8);
    }
    Some(encoding)
}

/// The text a browser shows of the page's main content (see the module).
pub fn page_text(html: &str) -> String {
    let document = Html::parse_document(html);
    let mut text = Text::default();
    if let Some(main) = main_content(&document) {
        let content = Context {
            preformatted: false,
            // Inside the site's content element a `header` is the
            // article's (its title); around it, the site's banner.
            in_content: main.value().name() != "body",
        };
        children(main, &mut text, content);
    }
    text.finish()
}

/// The element holding the page's main content: api.onlyoffice.com's
/// content cell, else the innermost [`CONTENT`] element (the largest, where
/// there are several), else the body.
fn main_content(document: &Html) -> Option<ElementRef<'_>> {
    let selector = |css: &str| Selector::parse(css).ok();
    if let Some(onlyoffice) = selector(ONLYOFFICE_CONTENT)
        && let Some(found) = largest(document.select(&onlyoffice))
    {
        return Some(found);
    }
    if let Some(content) = selector(CONTENT) {
        let innermost = document
            .select(&content)
            .filter(|element| element.select(&content).next().is_none());
        if let Some(found) = largest(innermost) {
            return Some(found);
        }
    }
    let body = selector("body")?;
    document.select(&body).next()
}

/// The element of `elements` with the most text.
fn largest<'a>(elements: impl Iterator<Item = ElementRef<'a>>) -> Option<ElementRef<'a>> {
    elements.max_by_key(|element| element.text().map(str::len).sum::<usize>())
}

/// What the elements around a node say about its text.
#[derive(Debug, Clone, Copy)]
struct Context {
    /// Inside `<pre>`: text as written.
    preformatted: bool,
    /// Inside the main content or a section of it, where `header` is part
    /// of the article.
    in_content: bool,
}

/// Lays out the children of `element`.
fn children(element: ElementRef<'_>, text: &mut Text, context: Context) {
    for child in element.children() {
        match child.value() {
            Node::Text(words) if context.preformatted => text.verbatim(words),
            Node::Text(words) => text.words(words),
            Node::Element(_) => {
                if let Some(child) = ElementRef::wrap(child) {
                    self::element(child, text, context);
                }
            }
            _ => {}
        }
    }
}

/// Lays out one element and its content.
fn element(element: ElementRef<'_>, text: &mut Text, context: Context) {
    let value = element.value();
    let name = value.name();
    if !shown(element, context) {
        return;
    }
    match name {
        "br" => text.line_feed(),
        "table" => table(element, text, context),
        _ => {
            let breaks = match name {
                "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => 2,
                _ if BLOCKS.contains(&name) => 1,
                _ => 0,
            };
            let context = Context {
                preformatted: context.preformatted || PREFORMATTED.contains(&name),
                in_content: context.in_content || matches!(name, "main" | "article" | "section"),
            };
            text.line_breaks(breaks);
            children(element, text, context);
            text.line_breaks(breaks);
        }
    }
}

/// Whether a reader sees `element` at all: not an element of [`NOT_SHOWN`],
/// not the site's banner, not `hidden` nor styled `display: none`.
fn shown(element: ElementRef<'_>, context: Context) -> bool {
    let value = element.value();
    let name = value.name();
    if NOT_SHOWN.contains(&name) || (name == "header" && !context.in_content) {
        return false;
    }
    if value.attr("hidden").is_some() {
        return false;
    }
    let hidden_by_style = value.attr("style").is_some_and(|style| {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    });
    !hidden_by_style
}

/// The rows of `table`, each a list of its cells: rows in its head, bodies
/// and foot, not those of tables inside its cells.
fn rows<'a>(table: ElementRef<'a>) -> Vec<(ElementRef<'a>, Vec<ElementRef<'a>>)> {
    let mut rows = Vec::new();
    for child in table.child_elements() {
        match child.value().name() {
            "tr" => rows.push(child),
            "thead" | "tbody" | "tfoot" => {
                rows.extend(child.child_elements().filter(|r| r.value().name() == "tr"));
            }
            _ => {}
        }
    }
    rows.into_iter()
        .map(|row| {
            let cells = row
                .child_elements()
                .filter(|c| matches!(c.value().name(), "td" | "th"))
                .collect();
            (row, cells)
        })
        .collect()
}

/// Lays out a table (see the module): cells of one line each as `| a | b |`
/// rows, else cells separated by a space.
fn table(table: ElementRef<'_>, text: &mut Text, context: Context) {
    text.line_breaks(1);
    for child in table.child_elements() {
        if child.value().name() == "caption" {
            element(child, text, context);
        }
    }
    let rows = rows(table);
    let cell_texts: Vec<Vec<String>> = rows
        .iter()
        .map(|(_, cells)| {
            cells
                .iter()
                .map(|cell| {
                    let mut own = Text::default();
                    children(*cell, &mut own, context);
                    own.finish()
                })
                .collect()
        })
        .collect();
    let one_line = cell_texts.iter().flatten().all(|cell| !cell.contains('\n'));
    for (index, (row, cells)) in rows.iter().enumerate() {
        if cells.is_empty() {
            continue;
        }
        if one_line {
            let line = format!("| {} |", cell_texts[index].join(" | "));
            text.line(&line);
            text.line_breaks(1);
            let heading = index == 0
                && (row
                    .parent()
                    .and_then(ElementRef::wrap)
                    .is_some_and(|p| p.value().name() == "thead")
                    || cells.iter().all(|c| c.value().name() == "th"));
            if heading {
                text.line(&format!("|{}", "---|".repeat(cells.len())));
                text.line_breaks(1);
            }
        } else {
            for (position, cell) in cells.iter().enumerate() {
                if position > 0 {
                    text.cell_separator();
                }
                children(*cell, text, context);
            }
            text.line_breaks(1);
        }
    }
    text.line_breaks(1);
}

/// The text being laid out, with what is due before the next text: line
/// breaks (the most any block asked for, as `innerText` merges them), a
/// collapsed space, or a cell separator. None of them is written at the
/// start or the end of the text, and a space or separator never starts a
/// line.
#[derive(Debug, Default)]
struct Text {
    out: String,
    breaks: usize,
    space: bool,
    separator: bool,
}

impl Text {
    /// Writes what is due before new text.
    fn flush(&mut self) {
        if !self.out.is_empty() {
            let line_start = self.out.ends_with('\n');
            if self.breaks > 0 {
                self.out.extend(std::iter::repeat_n('\n', self.breaks));
            } else if (self.separator || self.space) && !line_start {
                self.out.push(' ');
            }
        }
        self.breaks = 0;
        self.space = false;
        self.separator = false;
    }

    /// Text outside `<pre>`: each run of HTML white space is one space.
    fn words(&mut self, words: &str) {
        let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}');
        let mut parts = words.split(is_space).filter(|w| !w.is_empty()).peekable();
        if words.starts_with(is_space) {
            self.space = true;
        }
        while let Some(word) = parts.next() {
            self.flush();
            self.out.push_str(word);
            if parts.peek().is_some() {
                self.space = true;
            }
        }
        if words.ends_with(is_space) {
            self.space = true;
        }
    }

    /// Text inside `<pre>`, as written.
    fn verbatim(&mut self, words: &str) {
        if words.is_empty() {
            return;
        }
        self.flush();
        self.out.push_str(words);
    }

    /// A line written whole (a table row).
    fn line(&mut self, line: &str) {
        self.flush();
        self.out.push_str(line);
    }

    /// `<br>`: a line feed of its own, on top of any block's.
    fn line_feed(&mut self) {
        self.flush();
        self.out.push('\n');
    }

    /// A block starts or ends: at least `count` line breaks before more text.
    fn line_breaks(&mut self, count: usize) {
        if count > 0 {
            self.breaks = self.breaks.max(count);
            self.space = false;
            self.separator = false;
        }
    }

    /// Between two cells of a row.
    fn cell_separator(&mut self) {
        if self.breaks == 0 {
            self.separator = true;
        }
    }

    fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_headings_stand_apart_and_blocks_on_their_own_lines() {
        let html = "<body><h1> <span>GET api/x</span>\n <span>needs auth</span></h1>\
                    <div>Description</div><p>Returns   a\n thing.</p><div>Parameters</div></body>";
        assert_eq!(
            page_text(html),
            "GET api/x needs auth\n\nDescription\n\nReturns a thing.\n\nParameters"
        );
    }

    #[test]
    fn pre_text_and_entities_are_kept_as_written() {
        let html = "<pre>{\n  \"a\": \"x &amp; y &lt;z&gt;\"\n}</pre><p>text/xml</p>\
                    <pre>&lt;result&gt;\n  &lt;a&gt;1&lt;/a&gt;\n&lt;/result&gt;</pre>";
        assert_eq!(
            page_text(html),
            "{\n  \"a\": \"x & y <z>\"\n}\n\ntext/xml\n\n<result>\n  <a>1</a>\n</result>"
        );
    }

    #[test]
    fn tables_with_lines_in_cells_separate_cells_by_a_space() {
        let html = "<table><thead><tr><td>Name</td><td>Description</td><td>Type</td></tr></thead>\
                    <tbody><tr><td>id <div class=\"infotext\">sent in url</div></td>\
                    <td>Contact ID</td><td>number</td></tr>\
                    <tr><td>ids<div>sent in body</div></td><td>IDs</td>\
                    <td>Collection of numbers<div>collection</div></td><td></td></tr></tbody></table>\
                    <div>Example</div>";
        assert_eq!(
            page_text(html),
            "Name Description Type\nid\nsent in url\nContact ID number\nids\nsent in body\nIDs \
             Collection of numbers\ncollection\nExample"
        );
    }

    #[test]
    fn tables_of_one_line_cells_are_written_with_cell_bars() {
        let html = "<p>Query</p><table><thead><tr><th>Parameter Name</th><th>Type</th></tr></thead>\
                    <tbody><tr><td>$select</td><td>string</td></tr>\
                    <tr><td>id</td><td><strong>Required</strong> int32</td></tr></tbody></table>";
        assert_eq!(
            page_text(html),
            "Query\n\n| Parameter Name | Type |\n|---|---|\n| $select | string |\n| id | Required int32 |"
        );
    }

    #[test]
    fn site_chrome_around_the_main_content_is_left_out() {
        let html = "<html><head><title>t</title><style>p{}</style></head><body>\
                    <div class=\"layout-table-header\"><a>API</a></div>\
                    <table class=\"layout-table\"><tr><td class=\"layout-table-side\">\
                    <ul><li>Contacts</li></ul></td><td class=\"layout-table-content\">\
                    <div class=\"layout-content\"><h1>GET api/x</h1><script>var a;</script>\
                    <p hidden>no</p><p style=\"display: none\">no</p><p>yes</p></div></td></tr></table>\
                    <div class=\"layout-table-footer\">© 2024</div></body></html>";
        assert_eq!(page_text(html), "GET api/x\n\nyes");
        let article = "<body><header><nav>Docs</nav>Site</header><main><nav>TOC</nav>\
                       <div>Table of Contents</div>\
                       <article><header><h1>GET Contact/{id}</h1></header><p>Gets it.</p></article>\
                       </main><footer>Feedback</footer></body>";
        assert_eq!(page_text(article), "GET Contact/{id}\n\nGets it.");
        let main = "<body><article><nav>TOC</nav><main><h1>GET Sale/{id}</h1></main>\
                    <div>On this article</div></article></body>";
        assert_eq!(page_text(main), "GET Sale/{id}");
    }

    #[test]
    fn html_is_told_by_extension_or_by_how_it_starts() {
        assert!(is_html(Some("HTM"), b"anything"));
        assert!(is_html(Some("txt"), b"\xef\xbb\xbf  <!DOCTYPE html><html>"));
        assert!(is_html(
            None,
            b"<!-- saved from url=(0042)https://x -->\n<html>"
        ));
        assert!(!is_html(Some("txt"), b"GET api/2.0/x\n<result/>"));
    }

    #[test]
    fn a_declared_charset_is_read() {
        let (bytes, _, _) =
            encoding_rs::WINDOWS_1251.encode("<meta charset=\"windows-1251\">Описание");
        assert_eq!(decode(&bytes), "<meta charset=\"windows-1251\">Описание");
        assert_eq!(
            decode("<meta charset=utf-16>é".as_bytes()),
            "<meta charset=utf-16>é"
        );
    }
}
