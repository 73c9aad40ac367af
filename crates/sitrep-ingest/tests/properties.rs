//! Invariants of cleaning, checked on generated input.

use proptest::prelude::*;
use sitrep_ingest::{html::clean_html, text::clean_text};
use sitrep_model::{Block, OffsetMap};

/// Every verbatim segment of the map copies the source exactly; blocks lie inside the body on
/// character boundaries.
fn check_offsets(
    body: &str,
    blocks: &[Block],
    offsets: &OffsetMap,
    source: &str,
) -> Result<(), TestCaseError> {
    for s in offsets.segments() {
        let (b, src, len) = (s.body as usize, s.source as usize, s.len as usize);
        prop_assert_eq!(body.get(b..b + len), source.get(src..src + len));
    }
    for block in blocks {
        prop_assert!(block.start < block.end && block.end <= body.len());
        prop_assert!(body.is_char_boundary(block.start) && body.is_char_boundary(block.end));
    }
    Ok(())
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Z][a-z]{2,8}( [a-z]{1,9}){4,20}[.]".prop_map(|s| s),
        1 => "[A-Z][a-z]{2,8}( [A-Z][a-z]{1,9}){1,6}".prop_map(|s| s),
        1 => Just("[Photo : Harbour Wire]".to_string()),
        1 => Just("-".to_string()),
        1 => Just("Advertisement".to_string()),
        1 => Just("By Mara Quill".to_string()),
        1 => Just("Related Articles".to_string()),
        1 => "\"[A-Z][a-z]{2,8}( [a-z]{1,9}){2,8},\" [A-Z][a-z]{3,8} said[.]".prop_map(|s| s),
        1 => "[A-Z][a-z]{2,8}( [a-z]{1,9}){3,8} \\((AP|Reuters|Harbour Wire)\\)".prop_map(|s| s),
    ]
}

fn document() -> impl Strategy<Value = String> {
    (
        prop::bool::ANY,
        prop::collection::vec(line(), 1..25),
        prop::bool::ANY,
    )
        .prop_map(|(outlet, lines, blank)| {
            let sep = if blank { "\n\n" } else { "\n" };
            let mut doc = if outlet {
                format!("harbourwire.example{sep}")
            } else {
                String::new()
            };
            doc.push_str(&lines.join(sep));
            doc
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn text_cleaning_never_panics_and_maps_back(source in "\\PC{0,400}") {
        let c = clean_text(&source);
        check_offsets(&c.body, &c.blocks, &c.offsets, &source)?;
    }

    #[test]
    fn html_cleaning_never_panics_and_maps_back(inner in "(<p>|</p>|<div>|</div>|<h2>|<br>|&amp;|&#8220;|[a-zA-Z ]{1,30}|\\PC{1,5}){0,60}") {
        let html = format!("<html><body>{inner}</body></html>");
        let c = clean_html(&html, None);
        check_offsets(&c.body, &c.blocks, &c.offsets, &html)?;
    }

    /// Cleaning a clean body again changes nothing, except that a leading paragraph that reads
    /// like a headline may now be taken as the title.
    #[test]
    fn cleaning_is_idempotent(doc in document()) {
        let once = clean_text(&doc);
        check_offsets(&once.body, &once.blocks, &once.offsets, &doc)?;
        let twice = clean_text(&once.body);
        if twice.body != once.body {
            let first_block = once.blocks.first().map(|b| &once.body[b.start..b.end]).unwrap_or("");
            prop_assert_eq!(twice.title.as_deref(), Some(first_block), "body changed: {:?} -> {:?}", once.body, twice.body);
            prop_assert!(once.body.ends_with(&twice.body));
        }
    }
}

/// Regression (found by `cleaning_is_idempotent`): a byline line after the second paragraph was
/// kept in the body, and dropped when the body was cleaned again.
#[test]
fn regression_late_byline_line_is_not_body() {
    let doc = "Ferry Talks Resume\nThe talks resumed on Monday.\nBoth sides sent delegations.\nBy Mara Quill\nNo deal was reached.";
    let once = clean_text(doc);
    assert!(!once.body.contains("By Mara Quill"), "{}", once.body);
    assert_eq!(clean_text(&once.body).body, once.body);
}
