//! Publication date of a web page from its parsed HTML and its URL.
//!
//! Inputs: a parsed [`dom_query::Document`] and the page URL when known. Output: the most likely
//! original publication date, with the kind of evidence it rests on. No IO, no clock.

use chrono::NaiveDate;

/// Where a date was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSource {
    JsonLd,
    Meta,
    TimeElement,
    Url,
    Markup,
    Text,
}

/// A publication date and the evidence it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateMatch {
    pub date: NaiveDate,
    pub source: DateSource,
}

/// The original publication date of the page, if any evidence names one.
pub fn find_date(doc: &dom_query::Document, url: Option<&str>) -> Option<DateMatch> {
    let _ = (doc, url);
    None
}
