//! Counts, casualties and group sizes: team-written sentences, fictional names and places.

use sitrep_extract::events::numbers::{
    self, Casualty, CasualtyKind, Count, Qualifier, casualties, compatible, parse_count,
};

/// `parse_count(text)` gives (value, low, high, qualifier).
#[track_caller]
fn check_count(text: &str, value: u64, low: u64, high: Option<u64>, q: Qualifier) {
    let got = parse_count(text).unwrap_or_else(|| panic!("{text:?}: no count"));
    assert_eq!(
        (got.value, got.low, got.high, got.qualifier),
        (value, low, high, q),
        "{text:?}"
    );
}

#[test]
fn counts() {
    use Qualifier::*;
    let cases: &[(&str, u64, u64, Option<u64>, Qualifier)] = &[
        ("34", 34, 34, Some(34), Exact),
        ("34 people", 34, 34, Some(34), Exact),
        ("at least 34", 34, 34, None, AtLeast),
        ("At least 34", 34, 34, None, AtLeast),
        ("no fewer than 12", 12, 12, None, AtLeast),
        ("more than 100", 100, 101, None, MoreThan),
        ("over 100", 100, 101, None, MoreThan),
        ("nearly 50", 50, 43, Some(57), About),
        ("about 200", 200, 172, Some(228), About),
        ("some 3,000", 3000, 2572, Some(3428), About),
        ("an estimated 7,500", 7500, 6429, Some(8571), About),
        ("up to 70", 70, 0, Some(70), UpTo),
        ("as many as 70", 70, 0, Some(70), UpTo),
        ("fewer than 20", 20, 0, Some(19), LessThan),
        ("between 20 and 30", 20, 20, Some(30), Between),
        ("20 to 30", 20, 20, Some(30), Between),
        ("20-30", 20, 20, Some(30), Between),
        ("dozens", 24, 24, Some(99), Vague),
        ("dozens of", 24, 24, Some(99), Vague),
        ("scores", 40, 40, Some(199), Vague),
        ("hundreds", 200, 200, Some(999), Vague),
        ("thousands of", 2000, 2000, Some(9999), Vague),
        ("tens of thousands", 20_000, 20_000, Some(99_999), Vague),
        (
            "hundreds of thousands",
            200_000,
            200_000,
            Some(999_999),
            Vague,
        ),
        ("several", 3, 3, Some(9), Vague),
        ("several hundred", 300, 200, Some(999), Vague),
        ("a few dozen", 36, 24, Some(99), Vague),
        ("a dozen", 12, 11, Some(13), About),
        ("two dozen", 24, 21, Some(27), About),
        ("three", 3, 3, Some(3), Exact),
        ("Eleven", 11, 11, Some(11), Exact),
        ("twenty-five", 25, 25, Some(25), Exact),
        ("twenty five", 25, 25, Some(25), Exact),
        ("two hundred", 200, 200, Some(200), Exact),
        ("two hundred and forty", 240, 240, Some(240), Exact),
        ("a thousand", 1000, 1000, Some(1000), Exact),
        ("1.5 million", 1_500_000, 1_500_000, Some(1_500_000), Exact),
        ("2m", 2_000_000, 2_000_000, Some(2_000_000), Exact),
        (
            "1.2bn",
            1_200_000_000,
            1_200_000_000,
            Some(1_200_000_000),
            Exact,
        ),
        ("3 million", 3_000_000, 3_000_000, Some(3_000_000), Exact),
        ("one million", 1_000_000, 1_000_000, Some(1_000_000), Exact),
        ("12,500", 12_500, 12_500, Some(12_500), Exact),
        ("no one", 0, 0, Some(0), Exact),
    ];
    for (text, value, low, high, q) in cases {
        check_count(text, *value, *low, *high, *q);
    }
}

#[test]
fn not_counts() {
    for text in [
        "",
        "people",
        "some people",
        "many",
        "$40 million",
        "30%",
        "30 percent",
        "a 30-day ceasefire",
        "30-day",
        "3 p.m.",
        "the 14th",
        "12,34",
        "1.5",
        "99999999999999999999",
        "99999999999999999999 killed",
    ] {
        assert_eq!(parse_count(text), None, "{text:?}");
    }
    // 10^20 does not fit: no count rather than a wrong one
    assert_eq!(parse_count("a hundred billion billion"), None);
    assert_eq!(
        parse_count("a hundred billion").map(|c| c.value),
        Some(100_000_000_000)
    );
}

/// The casualties found: (kind, value) in order.
#[track_caller]
fn check(sentence: &str, want: &[(CasualtyKind, u64)]) {
    let found = casualties(sentence);
    let got: Vec<(CasualtyKind, u64)> = found.iter().map(|c| (c.kind, c.count.value)).collect();
    assert_eq!(got, want, "{sentence:?}: {found:?}");
    for c in &found {
        assert!(
            c.start < c.end && c.end <= sentence.len(),
            "{sentence:?}: {c:?}"
        );
    }
}

#[test]
fn casualty_patterns() {
    use CasualtyKind::*;
    let cases: &[(&str, &[(CasualtyKind, u64)])] = &[
        (
            "The shelling killed at least 34 people in Orvin.",
            &[(Killed, 34)],
        ),
        ("34 people were killed in the raid.", &[(Killed, 34)]),
        ("At least 34 people have been killed.", &[(Killed, 34)]),
        ("The death toll rose to 40 on Monday.", &[(Killed, 40)]),
        ("The death toll stands at 213.", &[(Killed, 213)]),
        (
            "The bombing left 12 dead and 30 wounded.",
            &[(Killed, 12), (Injured, 30)],
        ),
        (
            "The riots ended, injuring more than 100.",
            &[(Injured, 100)],
        ),
        ("Dozens were wounded near the gate.", &[(Injured, 24)]),
        ("34 dead in Harlo flood.", &[(Killed, 34)]),
        ("One soldier died in the ambush.", &[(Killed, 1)]),
        ("A soldier was killed near Lusk.", &[(Killed, 1)]),
        ("An elderly woman was injured by debris.", &[(Injured, 1)]),
        ("Five rockets killed a child in Oska.", &[(Killed, 1)]),
        (
            "Gunmen killed two guards and wounded three.",
            &[(Killed, 2), (Injured, 3)],
        ),
        (
            "Two people were killed and 14 wounded.",
            &[(Killed, 2), (Injured, 14)],
        ),
        ("Twenty-five miners died underground.", &[(Killed, 25)]),
        ("Forty people lost their lives.", &[(Killed, 40)]),
        (
            "Officials reported 14 deaths and 32 injuries.",
            &[(Killed, 14), (Injured, 32)],
        ),
        ("Thousands of people were injured.", &[(Injured, 2000)]),
        (
            "Tens of thousands were killed in the war.",
            &[(Killed, 20_000)],
        ),
        (
            "The clashes have killed 1.5 million people.",
            &[(Killed, 1_500_000)],
        ),
        ("Up to 70 people may have been killed.", &[(Killed, 70)]),
        ("Between 20 and 30 people were wounded.", &[(Injured, 20)]),
        (
            "Eight people were hurt, two of them seriously.",
            &[(Injured, 8)],
        ),
        ("No one was killed in the attack.", &[(Killed, 0)]),
        ("No injuries were reported.", &[(Injured, 0)]),
        ("Officials said 60 people remain missing.", &[(Missing, 60)]),
        ("Police arrested 40 protesters.", &[(Detained, 40)]),
        ("Police said 120 people were detained.", &[(Detained, 120)]),
        ("Rebels captured 45 government soldiers.", &[(Captured, 45)]),
        ("Nine aid workers were taken hostage.", &[(Captured, 9)]),
        (
            "He was one of 12 people killed in the raid.",
            &[(Killed, 12)],
        ),
        ("Two children were among the 9 killed.", &[(Killed, 9)]),
        ("The strike wounded a dozen people.", &[(Injured, 12)]),
        (
            "Hospitals treated about 200 wounded people.",
            &[(Injured, 200)],
        ),
        ("The number of dead rose to 19.", &[(Killed, 19)]),
        ("Scores were killed around the airport.", &[(Killed, 40)]),
        (
            "The fire killed 5, including 2 firefighters.",
            &[(Killed, 5)],
        ),
        (
            "Eleven monitors who were taken hostage were freed.",
            &[(Captured, 11)],
        ),
        (
            "Nine people who were injured remain in hospital.",
            &[(Injured, 9)],
        ),
        (
            "A young local reporter was killed in Varna.",
            &[(Killed, 1)],
        ),
        ("A prisoner died in custody.", &[(Killed, 1)]),
        ("The bombing claimed 19 lives.", &[(Killed, 19)]),
        ("The number of injured stood at 61.", &[(Injured, 61)]),
        (
            "Some 40 people were treated for injuries.",
            &[(Injured, 40)],
        ),
        ("The militia executed 6 prisoners.", &[(Killed, 6)]),
        // a part of a group counted elsewhere is no total
        (
            "Medics said 14 of the wounded were in critical condition.",
            &[],
        ),
    ];
    for (sentence, want) in cases {
        check(sentence, want);
    }
}

#[test]
fn numbers_that_are_not_casualties() {
    for sentence in [
        "A 30-day ceasefire began at midnight.",
        "Unemployment rose to 12 percent in Tarsk.",
        "The government pledged $40 million to the victims.",
        "The council passed Resolution 2334 after 14 members voted.",
        "Call 0800 555 0199 if you were injured.",
        "He received 34 stitches after being injured.",
        "The 34-year-old driver was injured.",
        "Some 2,000 troops were deployed to the border.",
        "The ministry said 2,400 people were evacuated.",
        "Five rockets were fired at 3 p.m.",
        "The vote was 14 to 0.",
        "In 2014 killed soldiers were honoured.",
        "They were killed 3 days ago.",
        "Shelling over three days killed nobody we know of.",
        "",
    ] {
        let found = casualties(sentence);
        // the last two have a casualty, but none of these numbers
        assert!(
            found.iter().all(
                |c| ![30, 12, 40, 2334, 14, 555, 199, 34, 2000, 2400, 5, 2014, 3]
                    .contains(&c.count.value)
            ),
            "{sentence:?}: {found:?}"
        );
    }
    check(
        "The stampede injured 8 people in 2014.",
        &[(CasualtyKind::Injured, 8)],
    );
    check(
        "A 2019 report said 400 people were killed.",
        &[(CasualtyKind::Killed, 400)],
    );
    check(
        "The explosion, heard 20 kilometres away, killed four workers.",
        &[(CasualtyKind::Killed, 4)],
    );
}

/// "killed or wounded" counts casualties of no single kind: not read as killed or injured.
#[test]
fn regression_killed_or_wounded_is_no_single_kind() {
    check("Twenty people were killed or wounded in the raid.", &[]);
    check("The shelling went on, killing or wounding 50.", &[]);
    check(
        "Two were killed and 40 wounded.",
        &[(CasualtyKind::Killed, 2), (CasualtyKind::Injured, 40)],
    );
}

#[test]
fn qualifiers_carry_into_casualties() {
    let found = casualties("The blast killed more than 30 people and injured nearly 100.");
    let q: Vec<(CasualtyKind, Qualifier, u64)> = found
        .iter()
        .map(|c| (c.kind, c.count.qualifier, c.count.value))
        .collect();
    assert_eq!(
        q,
        [
            (CasualtyKind::Killed, Qualifier::MoreThan, 30),
            (CasualtyKind::Injured, Qualifier::About, 100)
        ]
    );
    let sentence = "The bombing left 12 dead and 30 wounded.";
    let found = casualties(sentence);
    let spans: Vec<&str> = found.iter().map(|c| &sentence[c.start..c.end]).collect();
    assert_eq!(spans, ["12 dead", "30 wounded"]);
}

#[test]
fn sizes_of_groups() {
    let cases: &[(&str, &[(&str, u64)])] = &[
        (
            "Thousands of Ukrainian troops crossed the river.",
            &[("troops", 2000)],
        ),
        (
            "Some 2,000 protesters gathered in Velka square.",
            &[("protesters", 2000)],
        ),
        ("The camp holds 12,000 refugees.", &[("refugees", 12_000)]),
        (
            "Nearly 500 soldiers and 40 police officers were deployed.",
            &[("soldiers", 500), ("officers", 40)],
        ),
        (
            "Tens of thousands of demonstrators marched.",
            &[("demonstrators", 20_000)],
        ),
        (
            "A crowd of some 5,000 gathered outside.",
            &[("crowd", 5000)],
        ),
        (
            "A 2,000-strong force entered the valley.",
            &[("force", 2000)],
        ),
        (
            "Kessel sent a contingent of 300 to the border.",
            &[("contingent", 300)],
        ),
        // a casualty count is no group size
        ("34 soldiers were killed.", &[]),
        ("The 30-day mission sent 3 km of cable.", &[]),
    ];
    for (sentence, want) in cases {
        let got: Vec<(String, u64)> = numbers::sizes(sentence)
            .into_iter()
            .map(|s| (s.what, s.count.value))
            .collect();
        let want: Vec<(String, u64)> = want.iter().map(|(w, v)| (w.to_string(), *v)).collect();
        assert_eq!(got, want, "{sentence:?}");
    }
}

#[test]
fn compatibility_of_counts() {
    let c = |t: &str| parse_count(t).unwrap_or_else(|| panic!("{t:?}"));
    let cases = [
        ("34", "more than 30", true),
        ("34", "at least 34", true),
        ("34", "32", false),
        ("34", "34", true),
        ("34", "more than 40", false),
        ("34", "about 35", true),
        ("34", "dozens", true),
        ("340", "dozens", false),
        ("12", "dozens", false),
        ("500", "hundreds", true),
        ("up to 70", "50", true),
        ("up to 70", "80", false),
        ("fewer than 20", "20", false),
        ("between 20 and 30", "25", true),
        ("between 20 and 30", "31", false),
        ("at least 10", "more than 100", true),
    ];
    for (a, b, want) in cases {
        assert_eq!(compatible(&c(a), &c(b)), want, "{a:?} vs {b:?}");
        assert_eq!(compatible(&c(b), &c(a)), want, "{b:?} vs {a:?} (symmetry)");
    }
}

#[test]
fn summary_for_the_contract() {
    let s = numbers::summary(&casualties(
        "The blast killed 34 people, injured 100 and left 3 missing.",
    ))
    .unwrap_or_else(|| panic!("no summary"));
    assert_eq!((s.killed, s.injured), (Some(34), Some(100)));
    let s = numbers::summary(&casualties("Police arrested 40 protesters."));
    assert_eq!(
        s.map(|s| (s.killed, s.injured, s.detained)),
        Some((None, None, Some(40)))
    );
    let s = numbers::summary(&casualties("Police closed 40 roads."));
    assert_eq!(s, None);
    let s = numbers::summary(&casualties("Dozens were hurt."));
    assert_eq!(s.map(|s| (s.killed, s.injured)), Some((None, Some(24))));
}

#[test]
fn odd_input_never_panics() {
    let long = "killed 34 people and ".repeat(2000);
    let inputs = [
        "",
        "   ",
        "99999999999999999999 killed",
        "killed 99999999999999999999 people",
        "18446744073709551615 were killed",
        "18446744073709551616 were killed",
        "9999999999999 million were killed",
        "a billion billion billion killed",
        "Ü 34 Menschen getötet 😀 killed 😀 34",
        "killed ٣٤ people",
        "1,2,3,4 dead",
        "1.2.3 dead",
        "-34 dead",
        "killed,,,, 34",
        "at least",
        "more than",
        "between 5 and",
        "toll",
        "the death toll rose to",
        long.as_str(),
    ];
    for text in inputs {
        let _: Vec<Casualty> = casualties(text);
        let _ = numbers::sizes(text);
        let _: Option<Count> = parse_count(text);
    }
    assert_eq!(
        parse_count("18446744073709551615").map(|c| c.value),
        Some(u64::MAX)
    );
    assert_eq!(parse_count("18446744073709551616"), None);
}
