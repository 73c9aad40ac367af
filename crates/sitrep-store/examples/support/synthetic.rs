//! Synthetic articles of realistic size for the store's benchmarks: about 5 KB of body text,
//! an HTML source about twice that size, an offset map of one segment per paragraph, a few
//! entities, quotes and events. Deterministic (a fixed xorshift seed), so runs compare.

use sitrep_model::{
    Actor, Article, Entity, Event, Extraction, Mention, NaiveDate, OffsetMap, QuadClass, Quote,
    QuoteKind, SourceFormat,
};

const WORDS: &[&str] = &[
    "the",
    "council",
    "of",
    "Veldra",
    "said",
    "on",
    "Tuesday",
    "that",
    "bridge",
    "would",
    "be",
    "rebuilt",
    "by",
    "spring",
    "minister",
    "talks",
    "resumed",
    "after",
    "a",
    "week",
    "in",
    "which",
    "officials",
    "from",
    "both",
    "sides",
    "met",
    "to",
    "discuss",
    "funding",
    "river",
    "flood",
    "damage",
    "residents",
    "were",
    "told",
    "mayor",
    "Ostrand",
    "announced",
    "plan",
    "budget",
    "vote",
    "next",
    "month",
    "opposition",
    "criticised",
    "delay",
];

/// A small deterministic generator (xorshift), so runs are comparable without a `rand` dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn word(&mut self) -> &'static str {
        WORDS[(self.next() % WORDS.len() as u64) as usize]
    }
}

pub fn article(n: usize, rng: &mut Rng) -> (Article, Extraction) {
    let mut paragraphs = Vec::new();
    let mut len = 0;
    while len < 5000 {
        let words: Vec<&str> = (0..40 + rng.next() % 40).map(|_| rng.word()).collect();
        let p = format!("Item {n}: {}.", words.join(" "));
        len += p.len() + 2;
        paragraphs.push(p);
    }
    let body = paragraphs.join("\n\n");
    let mut source = String::from(
        "<html><head><title>Veldra news</title><script>var tracking = 1;</script></head>",
    );
    source
        .push_str("<body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><article>");
    let mut offsets = OffsetMap::default();
    let mut body_pos = 0;
    for p in &paragraphs {
        source.push_str("<p class=\"article-body__paragraph\">");
        offsets.push(body_pos, source.len(), p.len());
        source.push_str(p);
        source.push_str("</p>\n<div class=\"ad-slot\" data-slot=\"inline\"></div>\n");
        body_pos += p.len() + 2;
    }
    source.push_str(
        "</article><footer>Copyright Veldra Courier. All rights reserved.</footer></body></html>",
    );

    let mut a = Article::new(&format!("bench/{n}.html"), body);
    a.format = SourceFormat::Html;
    a.outlet = Some(["veldra-courier.example", "riverside-times.example"][n % 2].to_string());
    a.url = Some(format!("https://veldra-courier.example/news/{n}"));
    a.title = Some(format!("Bridge talks resume, item {n}"));
    a.published = NaiveDate::from_ymd_opt(2024, 1 + (n % 12) as u32, 1 + (n % 28) as u32);
    a.authors = vec!["Ilse Varn".to_string()];
    a.language = Some("en".to_string());
    a.source = source;
    a.offsets = offsets;

    let mention = |start: usize| Mention {
        text: "Veldra".to_string(),
        start,
        end: start + 6,
    };
    let entities = (0..8)
        .map(|i| Entity {
            id: format!("e{i}"),
            name: format!("Entity {i}"),
            kind: "ORG".to_string(),
            roles: vec![],
            stands_for: None,
            mentions: (0..4).map(|m| mention(i * 100 + m * 10)).collect(),
        })
        .collect();
    let quotes = (0..3)
        .map(|i| Quote {
            field: Default::default(),
            text: "the bridge would be rebuilt by spring".to_string(),
            kind: QuoteKind::Indirect,
            speaker: None,
            cue: Some("said".to_string()),
            start: i * 500,
            end: i * 500 + 37,
        })
        .collect();
    let events = (0..3)
        .map(|i| Event {
            kind: "CONSULT".to_string(),
            mode: None,
            context: vec![],
            cameo_root: "04".to_string(),
            quad_class: QuadClass::VerbalCooperation,
            source: vec![Actor {
                entity: Some("e0".to_string()),
                name: "Entity 0".to_string(),
                country: None,
                sector: None,
                mention: None,
            }],
            target: vec![Actor {
                entity: Some("e1".to_string()),
                name: "Entity 1".to_string(),
                country: None,
                sector: None,
                mention: None,
            }],
            location: None,
            date: None,
            casualties: None,
            negated: false,
            hypothetical: false,
            modality: "asserted".to_string(),
            cameo: None,
            trigger: None,
            start: i * 700,
            end: i * 700 + 120,
        })
        .collect();
    (
        a,
        Extraction {
            entities,
            quotes,
            events,
        },
    )
}
