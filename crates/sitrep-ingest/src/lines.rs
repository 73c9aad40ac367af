//! Recognising the non-article lines that scraped news text is full of: outlet lines, photo
//! credits, captions, bylines, separators and site chrome. Shared by the plain-text and HTML
//! cleaners.

use std::sync::LazyLock;

use regex::Regex;

macro_rules! re {
    ($name:ident, $pat:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| {
            #[allow(clippy::expect_used)]
            Regex::new($pat).expect("static regex compiles")
        });
    };
}

re!(
    DOMAIN,
    r"^(?i)(?:https?://)?(?:www\.)?([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,})/?$"
);
re!(
    PHOTO_CREDIT,
    r"(?i)^[\[(]?\s*(?:photos?|images?|pictures?|pic|fotos?|credits?|photo credits?|image credits?|illustrations?|video)\s*(?::|-|–|—|by\b|credit\b|courtesy\b|source\b|/)"
);
re!(BRACKETED, r"^\[[^\]]{1,80}\]$");
re!(
    AGENCY_CREDIT,
    r"(?i)(?:\((?:AP|AFP|Reuters|ANI|PTI|IANS|EPA|Getty(?: Images)?|Xinhua|Bloomberg|TASS|Sputnik|UNI|DPA|Anadolu(?: Agency)?|Shutterstock|Pexels|Unsplash|File(?: photo)?|Representational(?: image)?|Photo[^)]*|Image[^)]*|Courtesy[^)]*|[^()]{1,60}/(?:AP|AFP|Reuters|Getty Images|EPA|Bloomberg|[^()]{1,30}))\)|(?:/|\|)\s*(?:AP|AFP|Reuters|Getty Images|EPA|Shutterstock)(?: (?:via|Photo|Images)[^)]*)?)\s*$"
);
re!(SENTENCE_BREAK, r#"\p{Ll}{2,}[.!?]["”’]?\s+["“‘]?\p{Lu}"#);
re!(
    CREDIT_PAREN,
    r"\((?:[\p{Lu}][\p{L}\p{N}.&'’-]*)(?:[\s/]+(?:via\s+)?[\p{Lu}][\p{L}\p{N}.&'’-]*){0,4}\)\s*$"
);
re!(SEPARATOR, r"^[\-–—_*•=~#·.|+\s]{1,80}$");
re!(
    BYLINE,
    r"^(?i:by|written by|reported by|reporting by|words by|story by|von)\s+([\p{Lu}][\p{L}.'’\-]+(?:\s+[\p{Lu}\p{Ll}][\p{L}.'’\-]+){0,4}(?:\s*(?:,|and|&)\s*[\p{Lu}][\p{L}.'’\-]+(?:\s+[\p{Lu}][\p{L}.'’\-]+){0,4})*)(?:\s*[,|/–—-]\s*.*)?$"
);
re!(
    CHROME_LINE,
    r"(?i)^(?:advertisement|advertisements|ad|sponsored|sponsored content|story continues below(?: advertisement)?|continue reading(?: below)?|skip to (?:main )?content|exit mobile version|share|share this(?: article| story| post)?:?|share on (?:facebook|twitter|x|whatsapp|linkedin)|tweet|email|e-mail|print|copy link|link copied|whatsapp|facebook|twitter|linkedin|telegram|reddit|pinterest|subscribe|subscribe now|sign up|sign in|log in|loading\.*|listen to (?:this )?article.*|\d+\s*min(?:ute)?s? read|read more|read more:.*|also read:?.*|read also:?.*|see also:?.*|related:?.*|watch:.*|watch video.*|click here.*|follow us on.*|follow .{1,40} on (?:twitter|x|facebook|instagram|google news).*|download (?:the|our) app.*|get the latest.*|(?:first )?published:?\s*$|updated:?\s*$|scroll (?:down|to continue).*|image source,.*|image caption,.*|getty images|comments?|\d+ comments?|view comments|show comments|leave a (?:comment|reply)|toggle caption|hide caption|enlarge this image|caption|expand|close|menu|home|top stories|trending|trending now|advertisement\s*-\s*scroll to continue)$"
);
re!(
    TAIL_START,
    r"(?i)^(?:exit mobile version|related(?: articles?| stories| posts| news| content| coverage| reading)?:?|more (?:from|on|stories|news|in) .{0,60}|more stories|you (?:may|might) also like:?|recommended(?: for you| stories| articles)?:?|most (?:read|popular|viewed)|popular (?:stories|posts|now)|trending(?: now| stories)?|what to read next|read next|up next|latest news|tags?:.*|topics?:.*|filed under:?.*|categories:.*|share this:?|about the authors?:?.*|the author.{0,40}|comments?|\d+ comments?|leave a (?:comment|reply)|join the conversation.*|copyright\b.*|©.*|\(c\)\s+\d{4}.*|all rights reserved.*|subscribe to (?:our|the) .{0,40}newsletter.*|sign up for .{0,60}newsletter.*|newsletter sign.?up.*|get our .{0,40}newsletter.*|(?:this|the) (?:story|article|report) (?:was|has been) (?:updated|corrected).*|\(only the headline .*|disclaimer:.*)$"
);
re!(
    DATE_LINE,
    r"(?i)^(?:(?:published|posted|updated|last updated|first published|date)\s*(?:on|at)?\s*:?\s*)?(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+[a-z]{3,9}\.?,?\s+\d{4}|[a-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})(?:\s*(?:,|at|\||-|–|/)?\s*\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[a-z]{2,5})?(?:\s*[+-]\d{2}:?\d{2})?)?\s*$"
);

/// What a single line of scraped text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// A bare domain name, e.g. the outlet line at the top of a scrape.
    Domain(String),
    PhotoCredit,
    Caption,
    Separator,
    /// "By Jane Roe and John Doe": the authors.
    Byline(Vec<String>),
    /// A standalone date line ("Published March 3, 2025").
    DateLine,
    /// Share buttons, "Advertisement" and the like: dropped wherever they stand.
    Chrome,
    /// The start of trailing site chrome ("Related articles", "Exit mobile version").
    TailStart,
    Text,
}

/// Classifies one trimmed line.
pub fn classify(line: &str) -> LineKind {
    let line = line.trim();
    if line.is_empty() || SEPARATOR.is_match(line) {
        return LineKind::Separator;
    }
    let len = line.chars().count();
    if len <= 80
        && let Some(c) = DOMAIN.captures(line)
    {
        return LineKind::Domain(c[1].to_lowercase());
    }
    if len <= 120 {
        if TAIL_START.is_match(line) {
            return LineKind::TailStart;
        }
        if CHROME_LINE.is_match(line) {
            return LineKind::Chrome;
        }
        if DATE_LINE.is_match(line) {
            return LineKind::DateLine;
        }
        if PHOTO_CREDIT.is_match(line) || BRACKETED.is_match(line) {
            return LineKind::PhotoCredit;
        }
        if let Some(authors) = byline_authors(line) {
            return LineKind::Byline(authors);
        }
    }
    if len <= 400 && AGENCY_CREDIT.is_match(line) && !ends_sentence_before_credit(line) {
        return LineKind::Caption;
    }
    if len <= 300 && CREDIT_PAREN.is_match(line) && !ends_sentence_before_credit(line) {
        let cut = line.rfind('(').unwrap_or(0);
        let before = line[..cut].trim_end();
        if before.split_whitespace().count() >= 3 && !before.ends_with(['.', '!', '?', ':', ',']) {
            return LineKind::Caption;
        }
    }
    LineKind::Text
}

/// A caption is one descriptive sentence ending with a credit in parentheses; a paragraph of
/// several sentences that merely ends with an agency tag is still text.
fn ends_sentence_before_credit(line: &str) -> bool {
    let head = line.trim_end();
    let cut = head.rfind(['(', '/', '|']).unwrap_or(head.len());
    SENTENCE_BREAK.is_match(&head[..cut])
}

/// The authors named by a byline line, if it is one.
pub fn byline_authors(line: &str) -> Option<Vec<String>> {
    let caps = BYLINE.captures(line.trim())?;
    let list = &caps[1];
    // "By A, B and C" lists authors; "By A, Outlet" names one author and an affiliation.
    let list = if list.contains(" and ") || list.contains('&') {
        list
    } else {
        list.split(',').next().unwrap_or(list)
    };
    let names = split_authors(list);
    (!names.is_empty()).then_some(names)
}

/// Splits "A, B and C" into names, dropping empty parts and obvious non-names.
pub fn split_authors(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text
        .split([',', '&', ';', '|'])
        .flat_map(|p| p.split(" and "))
    {
        let name = part
            .trim()
            .trim_start_matches("By ")
            .trim_start_matches("by ")
            .trim();
        let words = name.split_whitespace().count();
        if name.is_empty() || words > 5 || name.contains('@') || name.contains("http") {
            continue;
        }
        if !name.chars().next().is_some_and(char::is_uppercase) {
            continue;
        }
        if !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// Whether a line reads like a heading rather than a paragraph: short, no final punctuation,
/// not a quotation.
pub fn looks_like_heading(line: &str) -> bool {
    let line = line.trim();
    let words = line.split_whitespace().count();
    let chars = line.chars().count();
    if !(2..=16).contains(&words) || chars > 120 {
        return false;
    }
    let first = line.chars().next().unwrap_or(' ');
    if !(first.is_uppercase() || first.is_numeric()) {
        return false;
    }
    !line.ends_with(['.', '!', '?', ',', ';', ':', '"', '”', '’', '\'', ')', '…'])
}

/// Whether a line reads like a complete sentence or more.
pub fn ends_like_sentence(line: &str) -> bool {
    line.trim_end()
        .ends_with(['.', '!', '?', '"', '”', '’', '…'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &str, expected: LineKind) {
        assert_eq!(classify(line), expected, "line: {line:?}");
    }

    #[test]
    fn recognises_outlet_lines() {
        check(
            "dailyharbour.com",
            LineKind::Domain("dailyharbour.com".into()),
        );
        check(
            "www.The-Ledger.co.uk",
            LineKind::Domain("the-ledger.co.uk".into()),
        );
        check("Talks went on.", LineKind::Text);
    }

    #[test]
    fn recognises_credits_and_captions() {
        check("[Photo : Harbour Wire]", LineKind::PhotoCredit);
        check("Photo: Lena Marsh/Getty Images", LineKind::PhotoCredit);
        check("(Image courtesy of the ministry)", LineKind::PhotoCredit);
        check(
            "Minister Ada Kroll arrives at the summit in Velden on March 2, 2024 (AP)",
            LineKind::Caption,
        );
        check(
            "Crowds gather outside the port authority. (Reuters)",
            LineKind::Caption,
        );
        check(
            "Rescuers searched all night. By dawn they had found nobody. The mayor said more help was coming (AP)",
            LineKind::Text,
        );
    }

    #[test]
    fn recognises_bylines_and_chrome() {
        check(
            "By Mara Quill and Tom Bex",
            LineKind::Byline(vec!["Mara Quill".into(), "Tom Bex".into()]),
        );
        check(
            "By Mara Quill, Harbour Wire",
            LineKind::Byline(vec!["Mara Quill".into()]),
        );
        check("-", LineKind::Separator);
        check("* * *", LineKind::Separator);
        check("Advertisement", LineKind::Chrome);
        check("Exit mobile version", LineKind::TailStart);
        check("Related Articles", LineKind::TailStart);
        check("Published March 3, 2025", LineKind::DateLine);
        check("Updated: 14 May 2024, 09:30 IST", LineKind::DateLine);
        check(
            "By the time the talks ended, nothing was agreed.",
            LineKind::Text,
        );
    }

    #[test]
    fn headings() {
        assert!(looks_like_heading("Port authority confirms the closure"));
        assert!(!looks_like_heading(
            "The port authority confirmed the closure."
        ));
        assert!(!looks_like_heading("Yes"));
        assert!(!looks_like_heading("\"We will not move,\" she said"));
    }
}
