//! Fills a store with synthetic articles and stories for serving benchmarks, through the store
//! API. The text is generated from a few team-written fictional templates.
//!
//! ```sh
//! cargo run --release -p sitrep-server --example gen_store -- /tmp/bench.sqlite 100000
//! ```
//!
//! Also writes `<db>.ids` (one API path per line: `/api/articles/ID`, `/api/stories/ID` and
//! `/api/threads/ID`) for the load generator.

use std::io::Write;

use sitrep_model::{
    Actor, Article, Disagreement, Entity, Event, EventDate, Extraction, Location, Mention,
    NaiveDate, QuadClass, Quote, QuoteKind, SCHEMA, SourcedValue, Speaker, Story, StoryEvent,
    StoryQuote, StorySpan,
};
use sitrep_store::Store;

const PEOPLE: [&str; 8] = [
    "Oda Brenn",
    "Ilsa Moor",
    "Pell Arno",
    "Tove Rask",
    "Jarl Wendt",
    "Mira Solt",
    "Eko Vail",
    "Runa Kesk",
];
const PLACES: [(&str, f64, f64); 6] = [
    ("Lesk", 60.4, 5.3),
    ("Tarvik", 61.2, 9.7),
    ("Vask", 58.9, 11.1),
    ("Orme", 63.4, 10.4),
    ("Holt", 59.9, 10.7),
    ("Brask", 62.5, 6.1),
];
const OUTLETS: [&str; 5] = [
    "lesk-gazette.example",
    "northwind.example",
    "vask-post.example",
    "tarvik-herald.example",
    "orme-daily.example",
];
const TOPICS: [&str; 6] = [
    "the harbour",
    "the ferry line",
    "the new bridge",
    "the school budget",
    "the fishing quota",
    "the rail tunnel",
];

fn mention(body: &str, text: &str) -> Mention {
    let start = body.find(text).unwrap_or(0);
    Mention {
        text: text.to_string(),
        start,
        end: start + text.len(),
    }
}

fn article(n: usize) -> (Article, Extraction) {
    let who = PEOPLE[n % PEOPLE.len()];
    let other = PEOPLE[(n / 3 + 1) % PEOPLE.len()];
    let (place, lat, lon) = PLACES[n % PLACES.len()];
    let topic = TOPICS[(n / 7) % TOPICS.len()];
    let outlet = OUTLETS[n % OUTLETS.len()];
    // 150 articles a day from 1 January 2024.
    let mut published = NaiveDate::from_ymd_opt(2024, 1, 1);
    for _ in 0..n / 150 {
        published = published.and_then(|d| d.succ_opt());
    }
    let quote = format!("We will settle {topic} before the winter, report {n}");
    let body = format!(
        "{who}, the council leader of {place}, met {other} in {place} on Tuesday to discuss {topic}.\n\n\
         \"{quote},\" {who} said after the meeting.\n\n\
         Residents of {place} have waited years for a decision on {topic}; item {n} of the council's list.\n\n\
         {other} said the talks would go on next week."
    );
    let mut a = Article::new(&format!("synthetic/{n}.txt"), body.clone());
    a.title = Some(format!(
        "{who} and {other} discuss {topic} in {place} ({n})"
    ));
    a.outlet = Some(outlet.to_string());
    a.url = Some(format!("https://{outlet}/news/{n}"));
    a.published = published;
    let quote_start = body.find(&quote).unwrap_or(0);
    let actor = |name: &str, id: &str| Actor {
        entity: Some(id.to_string()),
        name: name.to_string(),
        country: Some("LSK".to_string()),
        sector: Some("government".to_string()),
        mention: None,
    };
    let extraction = Extraction {
        entities: vec![
            Entity {
                id: "e1".to_string(),
                name: who.to_string(),
                kind: "PERSON".to_string(),
                roles: vec!["council leader".to_string()],
                mentions: vec![mention(&body, who)],
                stands_for: None,
            },
            Entity {
                id: "e2".to_string(),
                name: other.to_string(),
                kind: "PERSON".to_string(),
                roles: vec![],
                mentions: vec![mention(&body, other)],
                stands_for: None,
            },
        ],
        quotes: vec![Quote {
            text: quote.clone(),
            kind: QuoteKind::Direct,
            speaker: Some(Speaker {
                entity: Some("e1".to_string()),
                name: who.to_string(),
                mention: mention(&body, who),
            }),
            cue: Some("said".to_string()),
            field: Default::default(),
            start: quote_start,
            end: quote_start + quote.len(),
        }],
        events: vec![Event {
            kind: "CONSULT".to_string(),
            mode: Some("meet".to_string()),
            context: vec![],
            cameo_root: "04".to_string(),
            quad_class: QuadClass::VerbalCooperation,
            source: vec![actor(who, "e1")],
            target: vec![actor(other, "e2")],
            location: Some(Location {
                name: place.to_string(),
                country: Some("LSK".to_string()),
                lat: Some(lat),
                lon: Some(lon),
                mention: None,
            }),
            date: Some(EventDate {
                text: "on Tuesday".to_string(),
                value: published,
                start: None,
                end: None,
            }),
            casualties: None,
            negated: false,
            hypothetical: false,
            modality: "asserted".to_string(),
            cameo: Some("043".to_string()),
            trigger: None,
            start: 0,
            end: body.find('\n').unwrap_or(body.len()),
        }],
    };
    (a, extraction)
}

/// A story of `members` (article, extraction) pairs, with one role disagreement, in `thread`.
fn story(members: &[(Article, Extraction)], thread: String) -> Story {
    let first = &members[0].0;
    let last = &members[members.len() - 1].0;
    let span = |a: &Article, text: &str| {
        let m = mention(&a.body, text);
        (m.start, m.end)
    };
    let (s1, e1) = span(first, "the council leader");
    let (s2, e2) = span(last, "the council leader");
    let who = members[0].1.entities[0].name.clone();
    Story {
        schema: SCHEMA.to_string(),
        id: format!("story-{}", first.id),
        title: first.title.clone().unwrap_or_default(),
        articles: members.iter().map(|(a, _)| a.id.clone()).collect(),
        outlets: members
            .iter()
            .filter_map(|(a, _)| a.outlet.clone())
            .collect(),
        span: StorySpan {
            first: first.published,
            last: last.published,
        },
        thread: Some(thread),
        entities: vec![],
        quotes: members
            .iter()
            .map(|(a, e)| StoryQuote {
                text: e.quotes[0].text.clone(),
                speaker: Some(who.clone()),
                articles: vec![a.id.clone()],
                variants: vec![],
            })
            .collect(),
        events: members
            .iter()
            .map(|(a, e)| StoryEvent {
                event: e.events[0].clone(),
                articles: vec![a.id.clone()],
            })
            .collect(),
        proposals: vec![],
        disagreements: vec![Disagreement {
            subject: who,
            slot: "role".to_string(),
            values: vec![
                SourcedValue {
                    value: "council leader".to_string(),
                    article: first.id.clone(),
                    start: s1,
                    end: e1,
                },
                SourcedValue {
                    value: "former council leader".to_string(),
                    article: last.id.clone(),
                    start: s2,
                    end: e2,
                },
            ],
            within_article: false,
        }],
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "/tmp/sitrep-bench.sqlite".to_string());
    let count: usize = args.next().map_or(Ok(100_000), |n| n.parse())?;
    let started = std::time::Instant::now();
    let mut store = Store::open(&path)?;
    let mut ids = std::fs::File::create(format!("{path}.ids"))?;
    let mut stories = 0;
    let batch = 1000;
    for from in (0..count).step_by(batch) {
        let items: Vec<(Article, Extraction)> =
            (from..(from + batch).min(count)).map(article).collect();
        store.insert_batch(&items)?;
        for (a, _) in &items {
            writeln!(ids, "/api/articles/{}", a.id)?;
        }
        // One story per 5 consecutive articles; one thread per 10 consecutive stories.
        for members in items.chunks(5) {
            let thread = format!("thread-{:06}", stories / 10);
            if stories % 10 == 0 {
                writeln!(ids, "/api/threads/{thread}")?;
            }
            let s = story(members, thread);
            store.put_story(&s)?;
            writeln!(ids, "/api/stories/{}", s.id)?;
            stories += 1;
        }
    }
    eprintln!(
        "{path}: {} articles, {stories} stories in {:.1} s",
        store.count_articles()?,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
