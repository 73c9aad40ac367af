//! One pass over the parsed document into a flat, document-ordered list of the elements and
//! text the date heuristics look at, so that later stages need no further tree walks.

use dom_query::NodeData;

/// Tags the heuristics tell apart; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Meta,
    Link,
    Script,
    Title,
    H1,
    Abbr,
    Time,
    Footer,
    Small,
    /// div, h2-h4, li, p, span, ul: the containers whose own text htmldate reads as free text.
    Block,
    Other,
}

/// Attributes the heuristics read (names lowercased by the HTML parser).
const KEPT_ATTRS: [&str; 15] = [
    "id",
    "class",
    "itemprop",
    "name",
    "property",
    "content",
    "datetime",
    "pubdate",
    "title",
    "href",
    "rel",
    "type",
    "http-equiv",
    "data-utime",
    "data-published",
];

#[derive(Debug)]
pub struct Elem {
    pub tag: Tag,
    pub attrs: Vec<(&'static str, String)>,
    /// Index in `Flat::text_nodes` of the first text node inside this element.
    pub text_start: usize,
    /// One past the last text node inside this element.
    pub text_end: usize,
}

impl Elem {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn has_attr(&self, name: &str) -> bool {
        self.attrs.iter().any(|(n, _)| *n == name)
    }
}

#[derive(Debug)]
pub struct TextNode {
    pub text: String,
    /// Tag of the parent element.
    pub parent: Tag,
}

#[derive(Debug, Default)]
pub struct Flat {
    pub elems: Vec<Elem>,
    pub text_nodes: Vec<TextNode>,
    /// Text of `application/ld+json` (and similar JSON) scripts.
    pub json_scripts: Vec<String>,
}

impl Flat {
    /// The text content of an element, up to about `max` bytes, from its start.
    pub fn text_prefix(&self, e: &Elem, max: usize) -> String {
        let mut out = String::new();
        for t in &self.text_nodes[e.text_start..e.text_end] {
            out.push_str(&t.text);
            if out.len() >= max {
                break;
            }
        }
        out
    }
}

fn tag_of(name: &str) -> Tag {
    match name {
        "meta" => Tag::Meta,
        "link" => Tag::Link,
        "script" => Tag::Script,
        "title" => Tag::Title,
        "h1" => Tag::H1,
        "abbr" => Tag::Abbr,
        "time" => Tag::Time,
        "footer" => Tag::Footer,
        "small" => Tag::Small,
        "div" | "h2" | "h3" | "h4" | "li" | "p" | "span" | "ul" => Tag::Block,
        _ => Tag::Other,
    }
}

/// Elements whose content is no text a reader sees, or is an archive banner.
fn skipped(name: &str) -> bool {
    matches!(
        name,
        "style"
            | "noscript"
            | "template"
            | "applet"
            | "audio"
            | "canvas"
            | "datalist"
            | "embed"
            | "frame"
            | "frameset"
            | "iframe"
            | "label"
            | "map"
            | "math"
            | "noframes"
            | "object"
            | "picture"
            | "svg"
            | "track"
            | "video"
            | "select"
            | "textarea"
    )
}

const MAX_NODES: usize = 400_000;
const MAX_JSON: usize = 200_000;

/// Depth-first walk: enter a node (with its parent's tag), or close element `i`.
enum Step<'a> {
    Enter(dom_query::NodeRef<'a>, Tag),
    Leave(usize),
}

pub fn flatten(doc: &dom_query::Document) -> Flat {
    let mut flat = Flat::default();
    let mut stack: Vec<Step> = vec![Step::Enter(doc.root(), Tag::Other)];
    let mut seen = 0usize;
    while let Some(step) = stack.pop() {
        let (node, parent_tag) = match step {
            Step::Leave(i) => {
                let end = flat.text_nodes.len();
                if let Some(e) = flat.elems.get_mut(i) {
                    e.text_end = end;
                }
                continue;
            }
            Step::Enter(n, p) => (n, p),
        };
        seen += 1;
        if seen > MAX_NODES {
            break;
        }
        enum Kind {
            Container,
            Element(Tag, Vec<(&'static str, String)>, bool),
            Text(String),
            Skip,
        }
        let kind = node
            .query(|tn| match &tn.data {
                NodeData::Document | NodeData::Fragment => Kind::Container,
                NodeData::Text { contents } => Kind::Text(contents.to_string()),
                NodeData::Element(el) => {
                    let name: &str = &el.name.local;
                    if skipped(name) {
                        return Kind::Skip;
                    }
                    let tag = tag_of(name);
                    let mut attrs = Vec::new();
                    for a in &el.attrs {
                        let an: &str = &a.name.local;
                        if let Some(k) = KEPT_ATTRS.iter().find(|k| **k == an) {
                            attrs.push((*k, a.value.to_string()));
                        }
                    }
                    // The Wayback Machine's toolbar.
                    let banner = name == "div"
                        && attrs
                            .iter()
                            .any(|(n, v)| *n == "id" && (v == "wm-ipp-base" || v == "wm-ipp"));
                    if banner {
                        Kind::Skip
                    } else {
                        Kind::Element(tag, attrs, name == "script")
                    }
                }
                _ => Kind::Skip,
            })
            .unwrap_or(Kind::Skip);
        match kind {
            Kind::Skip => {}
            Kind::Text(text) => {
                if parent_tag == Tag::Script {
                    continue;
                }
                flat.text_nodes.push(TextNode {
                    text,
                    parent: parent_tag,
                });
            }
            Kind::Container => push_children(&node, Tag::Other, &mut stack),
            Kind::Element(tag, attrs, is_script) => {
                if is_script {
                    let ty = attrs
                        .iter()
                        .find(|(n, _)| *n == "type")
                        .map(|(_, v)| v.to_ascii_lowercase());
                    if ty.as_deref().is_some_and(|t| t.contains("json")) {
                        let text = node.text();
                        if text.len() <= MAX_JSON {
                            flat.json_scripts.push(text.to_string());
                        }
                    }
                }
                let idx = flat.elems.len();
                let start = flat.text_nodes.len();
                flat.elems.push(Elem {
                    tag,
                    attrs,
                    text_start: start,
                    text_end: usize::MAX,
                });
                stack.push(Step::Leave(idx));
                if !is_script {
                    push_children(&node, tag, &mut stack);
                }
            }
        }
    }
    // Elements left open by the node cap.
    let end = flat.text_nodes.len();
    for e in &mut flat.elems {
        if e.text_end == usize::MAX {
            e.text_end = end;
        }
    }
    flat
}

fn push_children<'a>(node: &dom_query::NodeRef<'a>, tag: Tag, stack: &mut Vec<Step<'a>>) {
    let start = stack.len();
    let mut child = node.first_child();
    while let Some(c) = child {
        child = c.next_sibling();
        stack.push(Step::Enter(c, tag));
    }
    stack[start..].reverse();
}
