//! Date expressions resolved against the publication date: team-written sentences, fictional
//! names. Weekdays of the publication dates used: 2025-03-14 Friday, 2024-11-06 Wednesday,
//! 2025-01-02 Thursday, 2023-07-10 Monday, 2026-02-01 Sunday, 2024-02-29 Thursday,
//! 2022-12-31 Saturday.

use chrono::{Datelike, Days, NaiveDate};
use sitrep_extract::events::when::{self, Granularity, Relation, Tense, TimeExpr};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad date {s}: {e}"))
}

/// The first expression in `text` has span text `span` and value `value` ("-" for none).
#[track_caller]
fn check(text: &str, published: &str, span: &str, value: &str) {
    let p = (published != "-").then(|| date(published));
    let found = when::find(text, p);
    let Some(first) = found.first() else {
        panic!("{text:?}: no date expression, want {span:?} = {value}");
    };
    let got = first.value.map_or("-".to_string(), |d| d.to_string());
    assert_eq!(
        (first.text.as_str(), got.as_str()),
        (span, value),
        "{text:?} published {published}: {found:?}"
    );
    assert_eq!(
        &text[first.start..first.end],
        first.text,
        "offsets of {text:?}"
    );
}

#[track_caller]
fn check_none(text: &str) {
    let found = when::find(text, Some(date("2025-06-18")));
    assert!(found.is_empty(), "{text:?}: want no date, got {found:?}");
}

#[test]
fn weekdays() {
    let cases = [
        // bare weekday in past reporting: the most recent such day on or before publication
        (
            "The convoy was struck on Tuesday.",
            "2025-03-14",
            "on Tuesday",
            "2025-03-11",
        ),
        (
            "Troops crossed the river Thursday.",
            "2025-03-14",
            "Thursday",
            "2025-03-13",
        ),
        (
            "The council met on Friday.",
            "2025-03-14",
            "on Friday",
            "2025-03-14",
        ),
        (
            "The council met on Saturday.",
            "2025-03-14",
            "on Saturday",
            "2025-03-08",
        ),
        (
            "Kessa Rinn spoke on Sunday night.",
            "2024-11-06",
            "on Sunday night",
            "2024-11-03",
        ),
        (
            "Shots were fired Monday morning.",
            "2024-11-06",
            "Monday morning",
            "2024-11-04",
        ),
        (
            "On Wednesday, the envoy left Parvel.",
            "2024-11-06",
            "On Wednesday",
            "2024-11-06",
        ),
        (
            "Tuesday's vote was close.",
            "2024-11-06",
            "Tuesday",
            "2024-11-05",
        ),
        (
            "The plane landed on Sunday.",
            "2026-02-01",
            "on Sunday",
            "2026-02-01",
        ),
        (
            "The plane landed on Monday.",
            "2026-02-01",
            "on Monday",
            "2026-01-26",
        ),
        // last / next / this
        (
            "Minister Olan Brisk met the envoy last Friday.",
            "2025-03-14",
            "last Friday",
            "2025-03-07",
        ),
        (
            "The strike began last Tuesday.",
            "2025-03-14",
            "last Tuesday",
            "2025-03-11",
        ),
        (
            "Talks resume next Monday.",
            "2025-03-14",
            "next Monday",
            "2025-03-17",
        ),
        (
            "Talks resume next Friday.",
            "2025-03-14",
            "next Friday",
            "2025-03-21",
        ),
        (
            "The mayor resigned this Monday.",
            "2025-03-14",
            "this Monday",
            "2025-03-10",
        ),
        (
            "The ban ended this past Sunday.",
            "2025-03-14",
            "this past Sunday",
            "2025-03-09",
        ),
        // future tense: on or after publication
        (
            "The parliament will vote on Thursday.",
            "2024-11-06",
            "on Thursday",
            "2024-11-07",
        ),
        (
            "The court is due to rule on Wednesday.",
            "2024-11-06",
            "on Wednesday",
            "2024-11-06",
        ),
        (
            "He said he will meet Ana Varo on Monday.",
            "2024-11-06",
            "on Monday",
            "2024-11-11",
        ),
        (
            "The summit is scheduled for Saturday.",
            "2022-12-31",
            "Saturday",
            "2022-12-31",
        ),
        // the future marker of another clause does not count
        (
            "He will travel to Orsk, officials said on Tuesday.",
            "2024-11-06",
            "on Tuesday",
            "2024-11-05",
        ),
        (
            "The ministry said on Monday that it would appeal.",
            "2024-11-06",
            "on Monday",
            "2024-11-04",
        ),
    ];
    for (text, published, span, value) in cases {
        check(text, published, span, value);
    }
}

#[test]
fn relative_days_and_periods() {
    let cases = [
        (
            "The general resigned yesterday.",
            "2025-01-02",
            "yesterday",
            "2025-01-01",
        ),
        (
            "Yesterday the port reopened.",
            "2025-01-02",
            "Yesterday",
            "2025-01-01",
        ),
        ("Voting ends today.", "2025-01-02", "today", "2025-01-02"),
        (
            "The president speaks tonight.",
            "2025-01-02",
            "tonight",
            "2025-01-02",
        ),
        (
            "Shelling resumed this morning.",
            "2025-01-02",
            "this morning",
            "2025-01-02",
        ),
        (
            "Police dispersed the crowd last night.",
            "2023-07-10",
            "last night",
            "2023-07-09",
        ),
        (
            "Talks resume tomorrow in Dravo.",
            "2023-07-10",
            "tomorrow",
            "2023-07-11",
        ),
        (
            "The deal was signed the day before yesterday.",
            "2023-07-10",
            "the day before yesterday",
            "2023-07-08",
        ),
        (
            "The rebels announced a truce last week.",
            "2023-07-10",
            "last week",
            "2023-07-03",
        ),
        (
            "Lawmakers debated the budget this week.",
            "2024-02-29",
            "this week",
            "2024-02-26",
        ),
        (
            "The vote was postponed until next week.",
            "2024-02-29",
            "next week",
            "2024-03-04",
        ),
        (
            "The army said earlier this week it had withdrawn.",
            "2024-02-29",
            "earlier this week",
            "2024-02-26",
        ),
        (
            "Prices rose 12 percent last month.",
            "2025-01-02",
            "last month",
            "2024-12-01",
        ),
        (
            "The leader was arrested earlier this month.",
            "2024-02-29",
            "earlier this month",
            "2024-02-01",
        ),
        (
            "The bill may pass next month.",
            "2022-12-31",
            "next month",
            "2023-01-01",
        ),
        (
            "Inflation reached a record last year.",
            "2025-01-02",
            "last year",
            "2024-01-01",
        ),
        (
            "Growth slowed earlier this year.",
            "2024-02-29",
            "earlier this year",
            "2024-01-01",
        ),
        (
            "The mine collapsed four days ago.",
            "2026-02-01",
            "four days ago",
            "2026-01-28",
        ),
        (
            "The mine collapsed 10 days ago.",
            "2026-02-01",
            "10 days ago",
            "2026-01-22",
        ),
        (
            "The militia seized the airport two weeks ago.",
            "2025-03-14",
            "two weeks ago",
            "2025-02-28",
        ),
        (
            "The siege ended a year ago.",
            "2023-07-10",
            "a year ago",
            "2022-07-10",
        ),
        (
            "The talks broke down three months ago.",
            "2023-07-10",
            "three months ago",
            "2023-04-10",
        ),
        (
            "Clashes erupted over the weekend.",
            "2026-02-01",
            "over the weekend",
            "2026-01-31",
        ),
        (
            "Clashes erupted over the weekend.",
            "2025-03-14",
            "over the weekend",
            "2025-03-08",
        ),
        (
            "Clashes erupted last weekend.",
            "2025-03-14",
            "last weekend",
            "2025-03-08",
        ),
    ];
    for (text, published, span, value) in cases {
        check(text, published, span, value);
    }
}

#[test]
fn absolute_dates() {
    let cases = [
        (
            "The ceasefire was signed on 14 March 2023.",
            "2025-06-18",
            "on 14 March 2023",
            "2023-03-14",
        ),
        (
            "Elections were held on March 3, 2024.",
            "2025-06-18",
            "on March 3, 2024",
            "2024-03-03",
        ),
        (
            "Elections were held March 3rd, 2024.",
            "2025-06-18",
            "March 3rd, 2024",
            "2024-03-03",
        ),
        (
            "The blockade began on June 2.",
            "2025-06-18",
            "on June 2",
            "2025-06-02",
        ),
        (
            "Fighting broke out on Dec. 28, the ministry said.",
            "2025-01-02",
            "on Dec. 28",
            "2024-12-28",
        ),
        (
            "Leaders meet on Jan. 4 in Halvard.",
            "2024-12-30",
            "on Jan. 4",
            "2025-01-04",
        ),
        (
            "The decree, dated 2024-10-05, was published.",
            "2025-06-18",
            "2024-10-05",
            "2024-10-05",
        ),
        (
            "The accord took effect on the 3rd of May.",
            "2025-06-18",
            "on the 3rd of May",
            "2025-05-03",
        ),
        (
            "The strike began on Thursday, Feb. 22.",
            "2024-02-29",
            "on Thursday, Feb. 22",
            "2024-02-22",
        ),
        (
            "Tensions rose on Thursday 6 March.",
            "2025-03-14",
            "on Thursday 6 March",
            "2025-03-06",
        ),
        (
            "Soldiers entered Brisk on 26 February.",
            "2024-02-29",
            "on 26 February",
            "2024-02-26",
        ),
        (
            "The treaty lapses on February 29.",
            "2024-02-29",
            "on February 29",
            "2024-02-29",
        ),
        (
            "The vote is set for 5 Sept.",
            "2025-06-18",
            "5 Sept.",
            "2025-09-05",
        ),
        (
            "The court will rule on June 30.",
            "2025-06-18",
            "on June 30",
            "2025-06-30",
        ),
        (
            "The inquiry opened in May 2020.",
            "2025-06-18",
            "in May 2020",
            "2020-05-01",
        ),
        (
            "It was founded in 1998.",
            "2025-06-18",
            "in 1998",
            "1998-01-01",
        ),
        (
            "The strike started on the 3rd and has not ended.",
            "2025-03-14",
            "on the 3rd",
            "2025-03-03",
        ),
        (
            "Talks collapsed on the 28th.",
            "2023-07-10",
            "on the 28th",
            "2023-06-28",
        ),
        (
            "May 5 was chosen for the vote.",
            "2025-06-18",
            "May 5",
            "2025-05-05",
        ),
        // the day is kept after a preposition and before a full stop
        (
            "Services will continue from October 28.",
            "2007-10-15",
            "October 28",
            "2007-10-28",
        ),
        (
            "The deal will be final by June 10.",
            "2011-05-29",
            "June 10",
            "2011-06-10",
        ),
    ];
    for (text, published, span, value) in cases {
        check(text, published, span, value);
    }
}

#[test]
fn months_and_years() {
    let cases = [
        (
            "Floods hit the north in March.",
            "2025-06-18",
            "in March",
            "2025-03-01",
        ),
        (
            "Floods hit the north in September.",
            "2025-06-18",
            "in September",
            "2024-09-01",
        ),
        (
            "Floods hit the north in June.",
            "2025-06-18",
            "in June",
            "2025-06-01",
        ),
        (
            "The embassy closed in September 2021.",
            "2025-06-18",
            "in September 2021",
            "2021-09-01",
        ),
        (
            "The new cabinet will take office in January.",
            "2022-12-31",
            "in January",
            "2023-01-01",
        ),
        (
            "Aid has been halted since May.",
            "2023-07-10",
            "since May",
            "2023-05-01",
        ),
        (
            "The general was dismissed in late January.",
            "2026-02-01",
            "in late January",
            "2026-01-01",
        ),
        (
            "The offensive began in mid-March.",
            "2025-06-18",
            "in mid-March",
            "2025-03-01",
        ),
        (
            "The index peaked in September last year.",
            "2009-10-12",
            "in September last year",
            "2008-09-01",
        ),
        (
            "Reserves fell last March.",
            "2025-06-18",
            "last March",
            "2025-03-01",
        ),
        (
            "Reserves fell last March.",
            "2025-03-14",
            "last March",
            "2024-03-01",
        ),
        (
            "The treaty was ratified in 2019.",
            "2025-03-14",
            "in 2019",
            "2019-01-01",
        ),
        (
            "Exports have grown since 2014, officials said.",
            "2025-03-14",
            "since 2014",
            "2014-01-01",
        ),
        // "of August" names a month's figures, whatever the tense around it
        (
            "An expected report of August sales is due.",
            "2008-09-04",
            "of August",
            "2008-08-01",
        ),
        (
            "Deliveries are not due until October.",
            "2007-03-19",
            "until October",
            "2007-10-01",
        ),
        (
            "The sale should close in October.",
            "2009-06-05",
            "in October",
            "2009-10-01",
        ),
        // "due to" is a cause, not a schedule
        (
            "Flights stopped due to the strike in October.",
            "2009-06-05",
            "in October",
            "2008-10-01",
        ),
    ];
    for (text, published, span, value) in cases {
        check(text, published, span, value);
    }
}

#[test]
fn without_a_publication_date() {
    let cases = [
        (
            "The ministry said on Tuesday that 12 soldiers died.",
            "on Tuesday",
            "-",
        ),
        ("The port reopened yesterday.", "yesterday", "-"),
        ("The rebels announced a truce last week.", "last week", "-"),
        ("The blockade began on June 2.", "on June 2", "-"),
        ("Floods hit the north in March.", "in March", "-"),
        (
            "The accord was signed on 12 May 2020.",
            "on 12 May 2020",
            "2020-05-12",
        ),
        ("The treaty was ratified in 2019.", "in 2019", "2019-01-01"),
        (
            "The decree is dated 2024-10-05.",
            "2024-10-05",
            "2024-10-05",
        ),
    ];
    for (text, span, value) in cases {
        check(text, "-", span, value);
    }
}

#[test]
fn traps_are_not_dates() {
    let cases = [
        "Protesters march through the capital every week.",
        "Thousands march on the capital.",
        "The two sides may meet again, a spokesman said.",
        "At least 34 people were killed.",
        "34 killed in Veln.",
        "A 30-day ceasefire took effect at 3 p.m.",
        "The council adopted Resolution 2334.",
        "About 2014 people registered at the camp.",
        "In 2014 people were counted in every district.",
        "The office is on the 14th floor.",
        "Call 020 7946 0018 for details.",
        "Turnout was 61 percent, up from 58%.",
        "The government pledged $40 million.",
        "The March for Peace drew crowds.",
        "The vote passed by 2019 votes.",
        "Sun Lin and Mae Torvik wrote the report.",
        "Organisers said 12 marches were planned.",
        "The budget of 2000 euros was spent.",
    ];
    for text in cases {
        check_none(text);
    }
}

#[test]
fn several_expressions_in_order_with_offsets() {
    let text = "The truce signed on 4 May 2024 collapsed on Tuesday, and talks resume next week.";
    let found = when::find(text, Some(date("2025-03-14")));
    let got: Vec<(&str, Option<NaiveDate>)> =
        found.iter().map(|t| (t.text.as_str(), t.value)).collect();
    assert_eq!(
        got,
        [
            ("on 4 May 2024", Some(date("2024-05-04"))),
            ("on Tuesday", Some(date("2025-03-11"))),
            ("next week", Some(date("2025-03-17"))),
        ]
    );
    for t in &found {
        assert_eq!(&text[t.start..t.end], t.text);
    }
    assert!(found.windows(2).all(|w| w[0].end <= w[1].start));
}

#[test]
fn numeric_dates_and_schedules() {
    let cases = [
        (
            "The decree was signed on 14.03.2025.",
            "2025-03-20",
            "on 14.03.2025",
            "2025-03-14",
        ),
        (
            "The decree was signed on 3/14/2025.",
            "2025-03-20",
            "on 3/14/2025",
            "2025-03-14",
        ),
        (
            "The decree was signed on 14/03/2025.",
            "2025-03-20",
            "on 14/03/2025",
            "2025-03-14",
        ),
        (
            "The decree was signed on 04.03.2025.",
            "2025-03-20",
            "on 04.03.2025",
            "2025-03-04",
        ),
        // day or month first? the text stays, the value does not
        (
            "The decree was signed on 03/04/2025.",
            "2025-03-20",
            "on 03/04/2025",
            "-",
        ),
        (
            "The dam was finished a decade ago.",
            "2025-03-14",
            "a decade ago",
            "2015-03-14",
        ),
        (
            "Parliament reconvenes on Monday.",
            "2025-03-14",
            "on Monday",
            "2025-03-17",
        ),
        (
            "Voters go to the polls on Sunday.",
            "2025-06-18",
            "on Sunday",
            "2025-06-22",
        ),
        (
            "The truce expires in March.",
            "2025-06-18",
            "in March",
            "2026-03-01",
        ),
        (
            "The truce expired in March.",
            "2025-06-18",
            "in March",
            "2025-03-01",
        ),
    ];
    for (text, published, span, value) in cases {
        check(text, published, span, value);
    }
    check_none("Version 1.2.2024.5 was released.");
    check_none("The score was 3/4 at half-time.");
}

#[test]
fn granularity_and_relation() {
    let p = Some(date("2025-03-14"));
    let cases: [(&str, Granularity, Relation); 10] = [
        ("on Tuesday", Granularity::Day, Relation::Exact),
        ("on 14 March 2023", Granularity::Day, Relation::Exact),
        ("last week", Granularity::Week, Relation::Exact),
        (
            "earlier this week",
            Granularity::Week,
            Relation::Approximate,
        ),
        ("in March", Granularity::Month, Relation::Exact),
        ("in late March", Granularity::Month, Relation::Approximate),
        ("in 2022", Granularity::Year, Relation::Exact),
        ("two weeks ago", Granularity::Week, Relation::Approximate),
        ("three days ago", Granularity::Day, Relation::Exact),
        ("over the weekend", Granularity::Day, Relation::Approximate),
    ];
    for (text, g, r) in cases {
        let found = when::find(text, p);
        let first = found
            .first()
            .unwrap_or_else(|| panic!("{text:?}: nothing found"));
        assert_eq!((first.granularity, first.relation), (g, r), "{text:?}");
    }
}

#[test]
fn tense_given_by_the_caller() {
    let p = Some(date("2024-11-06")); // Wednesday
    let value = |text: &str, tense| {
        when::find_with_tense(text, p, tense)
            .first()
            .and_then(|t| t.value)
    };
    assert_eq!(value("on Friday", Tense::Past), Some(date("2024-11-01")));
    assert_eq!(value("on Friday", Tense::Future), Some(date("2024-11-08")));
    assert_eq!(value("on Friday", Tense::Auto), Some(date("2024-11-01")));
    assert_eq!(value("in March", Tense::Future), Some(date("2025-03-01")));
    assert_eq!(value("in March", Tense::Past), Some(date("2024-03-01")));
    assert_eq!(
        value("on November 20", Tense::Past),
        Some(date("2023-11-20"))
    );
    assert_eq!(
        value("on November 20", Tense::Auto),
        Some(date("2024-11-20"))
    );
    // an explicit "last"/"next" wins over the tense
    assert_eq!(value("next Friday", Tense::Past), Some(date("2024-11-08")));
    assert_eq!(
        value("last Friday", Tense::Future),
        Some(date("2024-11-01"))
    );
}

#[test]
fn resolve_reads_one_expression() {
    let p = date("2025-03-14");
    assert_eq!(when::resolve("last Friday", p), Some(date("2025-03-07")));
    assert_eq!(when::resolve("March 14", p), Some(date("2025-03-14")));
    assert_eq!(when::resolve("yesterday", p), Some(date("2025-03-13")));
    assert_eq!(when::resolve("in 2022", p), Some(date("2022-01-01")));
    assert_eq!(
        when::resolve("will meet on Monday", p),
        Some(date("2025-03-17"))
    );
    assert_eq!(when::resolve("34 killed", p), None);
    assert_eq!(when::resolve("", p), None);
}

/// A bare weekday falls within the week before publication in past reporting and within the
/// week after it in future reporting, for every publication day of a year.
#[test]
fn weekdays_stay_within_a_week() {
    let names = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let mut p = date("2024-01-01");
    while p.year() == 2024 {
        for (i, name) in names.iter().enumerate() {
            let past = when::resolve(&format!("on {name}"), p).unwrap_or_else(|| panic!("{name}"));
            let future = when::resolve(&format!("will meet on {name}"), p)
                .unwrap_or_else(|| panic!("{name}"));
            assert!(
                (0..7).contains(&(p - past).num_days()),
                "{name} before {p}: {past}"
            );
            assert!(
                (0..7).contains(&(future - p).num_days()),
                "{name} after {p}: {future}"
            );
            assert_eq!(past.weekday().num_days_from_monday() as usize, i);
            assert_eq!(future.weekday().num_days_from_monday() as usize, i);
        }
        p = p + Days::new(1);
    }
}

#[test]
fn odd_input_never_panics() {
    let p = Some(date("2025-03-14"));
    let long = "on Tuesday ".repeat(2000);
    let inputs = [
        "",
        " ",
        "99999999999999999999 killed on 99 March 99999",
        "on February 30 and on the 31st",
        "on the 31st",
        "in 1799 and 2100",
        "Ü on Tuesday ü — 14 März, 😀 on Friday 😀",
        "on Tuesday\u{0}\u{ffff}",
        "١٤ March ٢٠٢٥",
        "9999-99-99 0000-00-00 2024-02-30",
        "300000 days ago and 99 years ago",
        long.as_str(),
    ];
    for text in inputs {
        for t in when::find(text, p) {
            assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        }
        let _: Vec<TimeExpr> = when::find(text, None);
    }
    // the edges of the calendar
    assert!(when::find("yesterday and tomorrow", NaiveDate::from_ymd_opt(1, 1, 1)).len() == 2);
    let _ = when::find("next week, next year, in 300 days", Some(NaiveDate::MAX));
    let _ = when::find(
        "last week, last year, 300000 days ago",
        Some(NaiveDate::MIN),
    );
}

#[test]
fn event_date_for_the_contract() {
    let found = when::find(
        "The convoy was struck on Tuesday.",
        Some(date("2025-03-14")),
    );
    let d = found
        .first()
        .map(TimeExpr::to_model)
        .unwrap_or_else(|| panic!("no date"));
    assert_eq!(
        (d.text.as_str(), d.value),
        ("on Tuesday", Some(date("2025-03-11")))
    );
    let json = serde_json::to_string(&d).unwrap_or_default();
    assert_eq!(
        json,
        r#"{"text":"on Tuesday","value":"2025-03-11","start":22,"end":32}"#
    );
    let found = when::find("The convoy was struck on Tuesday.", None);
    let d = found.first().map(TimeExpr::to_model);
    assert_eq!(d.and_then(|d| d.value), None);
}

#[test]
fn february_30_is_no_date() {
    let found = when::find(
        "The vote was set for February 30.",
        Some(date("2025-03-14")),
    );
    assert!(found.iter().all(|t| t.text != "February 30"), "{found:?}");
}
