use super::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn find(html: &str, url: Option<&str>) -> Option<(NaiveDate, DateSource)> {
    find_date_in_html(html, url).map(|m| (m.date, m.source))
}

#[test]
fn url_with_full_date() {
    let html = "<html><body><p>Nothing here.</p></body></html>";
    assert_eq!(
        find(html, Some("https://example.org/2019/08/02/a-story/")),
        Some((ymd(2019, 8, 2), DateSource::Url))
    );
    assert_eq!(
        find(html, Some("https://example.org/news/2019-08-02-story")),
        Some((ymd(2019, 8, 2), DateSource::Url))
    );
}

#[test]
fn canonical_link() {
    let html = r#"<html><head><link rel="canonical" href="https://example.org/2020/01/15/x"></head><body></body></html>"#;
    assert_eq!(find(html, None), Some((ymd(2020, 1, 15), DateSource::Url)));
}

#[test]
fn meta_published_time() {
    let html = r#"<html><head>
        <meta property="article:modified_time" content="2021-03-04T10:00:00Z">
        <meta property="Article:Published_Time" content="2020-12-24T08:00:00+01:00">
        </head><body><p>Updated 4 March 2021</p></body></html>"#;
    assert_eq!(
        find(html, None),
        Some((ymd(2020, 12, 24), DateSource::Meta))
    );
}

#[test]
fn meta_modified_is_only_a_fallback() {
    let html = r#"<html><head><meta property="og:updated_time" content="2021-03-04"></head><body></body></html>"#;
    assert_eq!(find(html, None), Some((ymd(2021, 3, 4), DateSource::Meta)));
}

#[test]
fn json_ld_nested_graph() {
    let html = r#"<html><head><script type="application/ld+json">
        {"@context":"https://schema.org","@graph":[{"@type":"WebPage","dateModified":"2022-02-02"},
         {"@type":["NewsArticle"],"datePublished":"2022-01-30T12:00:00Z"}]}
        </script></head><body></body></html>"#;
    assert_eq!(
        find(html, None),
        Some((ymd(2022, 1, 30), DateSource::JsonLd))
    );
}

#[test]
fn time_element_pubdate() {
    let html = r#"<html><body>
        <time datetime="2018-06-01">1 June</time>
        <time class="entry-date published" datetime="2018-05-20T09:00:00">20 May</time>
        </body></html>"#;
    assert_eq!(
        find(html, None),
        Some((ymd(2018, 5, 20), DateSource::TimeElement))
    );
}

#[test]
fn german_byline() {
    let html = r#"<html><body><article><h1>Ein Titel</h1>
        <div class="byline">Von Erika Muster, 31. Mai 2019</div><p>Text.</p></article></body></html>"#;
    assert_eq!(
        find(html, None),
        Some((ymd(2019, 5, 31), DateSource::Markup))
    );
}

#[test]
fn free_text_earliest() {
    let html = r#"<html><body><p>Some words.</p><div>Erstellt am 12.03.2016</div>
        <div>Kommentar vom 14.03.2016</div></body></html>"#;
    assert_eq!(find(html, None).map(|x| x.0), Some(ymd(2016, 3, 12)));
}

#[test]
fn implausible_dates_rejected() {
    let html = r#"<html><head><meta name="date" content="1980-01-01"></head><body><p>Nothing.</p></body></html>"#;
    assert_eq!(find(html, None), None);
    let html = r#"<html><head><meta name="date" content="2999-01-01"></head><body></body></html>"#;
    assert_eq!(find(html, None), None);
}

#[test]
fn no_panic_on_odd_input() {
    let inputs = [
        "",
        "<",
        "<meta name=date content='2019-02-30'>",
        "<time datetime='9999999999999999999999'>x</time>",
        "<abbr data-utime='-99999999999999'>x</abbr>",
        "<p>ÄÖÜ 31.ü5.2019 日本語 ٢٠١٩ 𝟚𝟘𝟙𝟡-𝟘𝟝-𝟛𝟙</p>",
        "<div class='date'>31 ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ 2019</div>",
        "<script type='application/ld+json'>{\"datePublished\": \"\u{1F600}\u{1F600}\u{1F600}\u{1F600}\"}</script>",
    ];
    for html in inputs {
        let _ = find_date_in_html(html, Some("https://example.org/9999/99/99/é"));
    }
    let big = format!(
        "<html><body>{}</body></html>",
        "<div class='meta'>é 12.</div>".repeat(5000)
    );
    let _ = find_date_in_html(&big, None);
}

#[test]
fn copyright_year_alone_is_no_date() {
    let html = "<html><body><p>Hello.</p><footer>© 2019 Example Ltd</footer></body></html>";
    assert_eq!(find(html, None), None);
}

#[test]
fn marked_published_datetime_beats_other_markup() {
    let html = r#"<html><body><div class="post-meta">Updated 3.4.2021</div>
        <span class="published" datetime="2020-02-01T08:00:00">Feb 1</span></body></html>"#;
    assert_eq!(
        find(html, None),
        Some((ymd(2020, 2, 1), DateSource::TimeElement))
    );
}

#[test]
fn modified_meta_comes_after_visible_date() {
    let html = r#"<html><head><meta property="og:updated_time" content="2021-06-02T10:00:00+02:00"></head>
        <body><div class="entry-date">14. März 2021</div></body></html>"#;
    assert_eq!(
        find(html, None),
        Some((ymd(2021, 3, 14), DateSource::Markup))
    );
}

#[test]
fn update_date_elements_skipped() {
    let html = r#"<html><body><div class="date-updated">12.12.2020</div>
        <div class="date">01.11.2020</div></body></html>"#;
    assert_eq!(find(html, None).map(|x| x.0), Some(ymd(2020, 11, 1)));
}

#[test]
fn american_meta_and_arabic_month() {
    let html = r#"<html><head><meta name="date" content="11/01/2023 12:43:42"></head></html>"#;
    assert_eq!(find(html, None).map(|x| x.0), Some(ymd(2023, 11, 1)));
    let html =
        r#"<html><body><span class="header-date">الأربعاء، 07 أكتوبر 2020</span></body></html>"#;
    assert_eq!(find(html, None).map(|x| x.0), Some(ymd(2020, 10, 7)));
}
