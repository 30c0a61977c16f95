//! HTML: the text of the page's main content, parsed with html5ever (through
//! `scraper`), the HTML5 parser of the Servo project, so broken markup reads
//! as a browser would read it.
//!
//! The main content is `<main>`, else the largest `<article>`, else
//! `<body>` without the page's chrome (`<nav>`, `<aside>`, and the
//! `<header>` and `<footer>` around the content, and the page headers and
//! footers LibreOffice exports as `<div title="header">`). `<h1>`–`<h3>` are
//! headings; `<li>` are list items; `<strong>` and `<b>` are key phrases;
//! `<pre>` keeps its lines, as a `.txt` does (LibreOffice exports a text
//! file as one `<pre>`).

use ego_tree::iter::Edge;
use ego_tree::NodeRef;
use scraper::{Html, Node};

use super::{Blocks, Inline};

/// Elements whose content is never text of the report.
const SKIPPED: [&str; 13] = [
    "head", "script", "style", "noscript", "template", "nav", "aside", "form", "button", "select",
    "svg", "iframe", "object",
];
/// Page chrome, dropped when the content is the whole `<body>`.
const CHROME: [&str; 2] = ["header", "footer"];
/// ARIA roles of page chrome.
const CHROME_ROLES: [&str; 3] = ["banner", "navigation", "contentinfo"];
/// Elements that end a paragraph.
const BLOCKS: [&str; 27] = [
    "p",
    "div",
    "section",
    "article",
    "main",
    "body",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "table",
    "tr",
    "td",
    "th",
    "figcaption",
    "caption",
    "address",
    "hr",
];

/// Decodes HTML bytes (any encoding plain text may have) to blocks of text.
pub(super) fn decode(bytes: &[u8]) -> Result<String, String> {
    let source = super::text::decode(bytes).map_err(|_| "binary file, not HTML".to_string())?;
    let html = Html::parse_document(&source);
    let (root, whole_body) = main_content(&html);
    let mut writer = Writer::default();
    let mut skipping: Option<NodeRef<Node>> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(text) => writer.text(text),
                    Node::Element(element) => {
                        let name = element.name();
                        let chrome = (whole_body && CHROME.contains(&name))
                            || element.attr("title").is_some_and(|t| CHROME.contains(&t))
                            || element
                                .attr("role")
                                .is_some_and(|r| CHROME_ROLES.contains(&r));
                        if node != root && (SKIPPED.contains(&name) || chrome) {
                            skipping = Some(node);
                        } else {
                            writer.open(name);
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node) {
                    skipping = None;
                } else if skipping.is_none() {
                    if let Node::Element(element) = node.value() {
                        writer.close(element.name());
                    }
                }
            }
        }
    }
    Ok(writer.finish())
}

/// The element holding the page's main content, and whether it is the
/// whole body (so that page headers and footers must be dropped).
fn main_content(html: &Html) -> (NodeRef<'_, Node>, bool) {
    let elements = || {
        html.tree
            .root()
            .descendants()
            .filter_map(|n| n.value().as_element().map(|e| (n, e)))
    };
    let find = |name: &str| elements().find(|(_, e)| e.name() == name).map(|(n, _)| n);
    if let Some(main) = find("main").or_else(|| {
        elements()
            .find(|(_, e)| e.attr("role") == Some("main"))
            .map(|(n, _)| n)
    }) {
        return (main, false);
    }
    let largest_article = elements()
        .filter(|(_, e)| e.name() == "article")
        .map(|(n, _)| (text_len(n), n))
        .max_by_key(|(len, _)| *len);
    if let Some((_, article)) = largest_article {
        return (article, false);
    }
    match find("body") {
        Some(body) => (body, true),
        None => (html.tree.root(), true),
    }
}

fn text_len(node: NodeRef<'_, Node>) -> usize {
    node.descendants()
        .filter_map(|n| n.value().as_text())
        .map(|t| t.trim().len())
        .sum()
}

/// Turns the open/close events of the content into blocks.
#[derive(Default)]
struct Writer {
    blocks: Blocks,
    inline: Inline,
    /// Depth of `<strong>`/`<b>` elements around the text.
    bold: usize,
    /// Depth of `<pre>` elements: their line breaks are kept.
    pre: usize,
    /// The heading level (1–3) or list item being read, innermost last.
    kinds: Vec<Kind>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Heading(usize),
    ListItem,
}

impl Writer {
    fn text(&mut self, text: &str) {
        self.inline.push(text, self.bold > 0);
    }

    fn open(&mut self, name: &str) {
        match name {
            "strong" | "b" => self.bold += 1,
            "br" => self.inline.push("\n", false),
            "pre" => {
                self.flush();
                self.pre += 1;
            }
            _ if BLOCKS.contains(&name) => {
                self.flush();
                match name {
                    "h1" => self.kinds.push(Kind::Heading(1)),
                    "h2" => self.kinds.push(Kind::Heading(2)),
                    "h3" => self.kinds.push(Kind::Heading(3)),
                    "li" => self.kinds.push(Kind::ListItem),
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "strong" | "b" => self.bold = self.bold.saturating_sub(1),
            "pre" => {
                // A `<pre>` is a text file of its own: its blank lines end
                // paragraphs and its lines are kept, as in a `.txt`.
                let text = self.inline.take();
                self.blocks.raw(&text);
                self.pre = self.pre.saturating_sub(1);
            }
            _ if BLOCKS.contains(&name) => {
                self.flush();
                if matches!(name, "h1" | "h2" | "h3" | "li") {
                    self.kinds.pop();
                }
            }
            _ => {}
        }
    }

    /// Ends the paragraph being read.
    fn flush(&mut self) {
        if self.pre > 0 {
            return;
        }
        let text = self.inline.take();
        match self.kinds.last() {
            Some(Kind::Heading(level)) => self.blocks.heading(*level, &text),
            Some(Kind::ListItem) => self.blocks.list_item(&text),
            None => self.blocks.paragraph(&text),
        }
    }

    fn finish(mut self) -> String {
        self.flush();
        self.blocks.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        decode(html.as_bytes()).unwrap()
    }

    #[test]
    fn headings_lists_and_bold_become_markdown() {
        let html = "<html><head><title>T</title><style>p{}</style></head><body>\
            <h1>Rapport de Tanger</h1><p>Le <strong>cadre juridique</strong> est\n clair.</p>\
            <h2>Défis</h2><ul><li>un <b>point</b></li><li>deux<br>lignes</li></ul>\
            <h4>Petit titre</h4><script>var x = 1;</script></body></html>";
        assert_eq!(
            text(html),
            "# Rapport de Tanger\n\nLe **cadre juridique** est clair.\n\n## Défis\n\n\
             - un **point**\n\n- deux lignes\n\nPetit titre"
        );
    }

    #[test]
    fn main_content_leaves_out_the_page_chrome() {
        let html = "<body><header><a href='/'>Accueil</a></header><nav>Menu</nav>\
            <main><h1>Contexte</h1><p>Texte.</p><footer>Publié le 3 mai</footer></main>\
            <footer>© Ville</footer></body>";
        assert_eq!(text(html), "# Contexte\n\nTexte.\n\nPublié le 3 mai");
        let without_main = "<body><header>Site</header><nav>Menu</nav><div><h2>Contexte</h2>\
            <p>Texte.</p></div><aside>Pub</aside><footer>© Ville</footer></body>";
        assert_eq!(text(without_main), "## Contexte\n\nTexte.");
        let libreoffice = "<body><div title=\"header\"><p>Rapport MC2CM</p></div>\
            <h1>Contexte</h1><p>Texte.</p><div title=\"footer\"><p>Page 1</p></div></body>";
        assert_eq!(text(libreoffice), "# Contexte\n\nTexte.");
    }

    #[test]
    fn the_largest_article_is_the_content() {
        let html = "<body><article><p>Court.</p></article>\
            <article><h1>Rapport</h1><p>Le texte le plus long de la page.</p></article></body>";
        assert_eq!(text(html), "# Rapport\n\nLe texte le plus long de la page.");
    }

    #[test]
    fn pre_keeps_its_lines_and_entities_are_decoded() {
        let html = "<body><pre>Contexte\n\nL&apos;activit&eacute; a r&eacute;uni\nles villes.</pre></body>";
        assert_eq!(text(html), "Contexte\n\nL'activité a réuni\nles villes.");
    }

    #[test]
    fn windows_1252_html_is_decoded() {
        assert_eq!(text("<p>r\u{e9}fugi\u{e9}s</p>"), "réfugiés");
        assert_eq!(decode(b"<p>r\xe9fugi\xe9s</p>").unwrap(), "réfugiés");
    }
}
