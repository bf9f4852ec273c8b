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
    /// Lines without their endings, BOM and trailing `\r` removed.
    pub lines: Vec<String>,
}

impl Page {
    /// Splits `text` into lines, accepting `\r\n`, `\n` and a leading BOM.
    pub fn new(name: impl Into<String>, text: &str) -> Page {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines = text
            .split('\n')
            .map(|line| line.strip_suffix('\r').unwrap_or(line).to_string())
            .collect();
        Page {
            name: name.into(),
            lines,
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
                            text: page.lines[first..=i].join("\n"),
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
    let text = page.lines[first..].join("\n");
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
