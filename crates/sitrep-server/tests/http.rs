//! The server over real HTTP on 127.0.0.1 (an ephemeral port), with a temporary store filled
//! through the store API: team-written fictional articles and a hand-built story with a
//! disagreement. Every endpoint's status and JSON shape, pagination, 404s, bad parameters,
//! search, and escaping (a `<script>` in an article never reaches a page as markup).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;

use serde_json::Value;
use sitrep_model::{
    Actor, Article, Disagreement, Entity, Event, EventDate, Extraction, Location, Mention,
    NaiveDate, QuadClass, Quote, QuoteKind, SCHEMA, SourcedValue, Speaker, Story, StoryEntity,
    StoryEvent, StoryQuote, StorySpan,
};
use sitrep_store::Store;

// ---------------------------------------------------------------- fixtures (fictional)

const A1_BODY: &str = "Oda Brenn, the harbour master of Lesk, said on Tuesday that the channel would be dredged by May.\n\n\"The channel will be dredged by May,\" Brenn told reporters at the quay.\n\nFishermen in Lesk welcomed the plan.";
const A2_BODY: &str = "Former harbour master Oda Brenn met the mayor of Tarvik, Ilsa Moor, in Tarvik on Wednesday.\n\n\"We will share the dredger,\" Brenn said.\n\nThe meeting lasted two hours.";
const A3_BODY: &str = "A reader wrote <script>alert('pwned')</script> in a letter about the quay.\n\n\"<img src=x onerror=alert(1)>\" said Pell Arno.";

fn span_of(body: &str, needle: &str) -> (usize, usize) {
    let start = body.find(needle).expect("needle in body");
    (start, start + needle.len())
}

fn mention(body: &str, text: &str) -> Mention {
    let (start, end) = span_of(body, text);
    Mention {
        text: text.to_string(),
        start,
        end,
    }
}

fn article(input: &str, body: &str, title: &str, outlet: &str, day: u32) -> Article {
    let mut a = Article::new(input, body.to_string());
    a.title = Some(title.to_string());
    a.outlet = Some(outlet.to_string());
    a.url = Some(format!("https://{outlet}/{input}"));
    a.published = NaiveDate::from_ymd_opt(2025, 4, day);
    a
}

fn person(id: &str, body: &str, name: &str) -> Entity {
    Entity {
        id: id.to_string(),
        name: name.to_string(),
        kind: "PERSON".to_string(),
        roles: vec![],
        mentions: vec![mention(body, name)],
        stands_for: None,
    }
}

fn quote(body: &str, text: &str, speaker: &str, said: &str) -> Quote {
    let (start, end) = span_of(body, text);
    Quote {
        text: text.to_string(),
        kind: QuoteKind::Direct,
        speaker: Some(Speaker {
            entity: Some("e1".to_string()),
            name: speaker.to_string(),
            mention: mention(body, said),
        }),
        cue: Some("said".to_string()),
        field: Default::default(),
        start,
        end,
    }
}

fn meeting() -> Event {
    let actor = |name: &str, entity: &str| Actor {
        entity: Some(entity.to_string()),
        name: name.to_string(),
        country: Some("LSK".to_string()),
        sector: None,
        mention: None,
    };
    Event {
        kind: "CONSULT".to_string(),
        mode: Some("visit".to_string()),
        context: vec![],
        cameo_root: "04".to_string(),
        quad_class: QuadClass::VerbalCooperation,
        source: vec![actor("Oda Brenn", "e1")],
        target: vec![actor("Ilsa Moor", "e2")],
        location: Some(Location {
            name: "Tarvik".to_string(),
            country: Some("LSK".to_string()),
            lat: Some(61.2),
            lon: Some(9.7),
            mention: None,
        }),
        date: Some(EventDate {
            text: "on Wednesday".to_string(),
            value: NaiveDate::from_ymd_opt(2025, 4, 2),
            start: None,
            end: None,
        }),
        casualties: None,
        negated: false,
        hypothetical: false,
        modality: "asserted".to_string(),
        cameo: Some("042".to_string()),
        trigger: None,
        start: 0,
        end: 94,
    }
}

struct Fixture {
    a1: String,
    a2: String,
    a3: String,
}

fn fill(store: &mut Store) -> Fixture {
    let a1 = article(
        "a1.txt",
        A1_BODY,
        "Lesk channel to be dredged by May",
        "lesk-gazette.example",
        2,
    );
    let a2 = article(
        "a2.txt",
        A2_BODY,
        "Brenn and Moor agree to share a dredger",
        "northwind.example",
        3,
    );
    let a3 = article(
        "a3.txt",
        A3_BODY,
        "<script>alert('title')</script> Letters",
        "lesk-gazette.example",
        1,
    );
    let e1 = Extraction {
        entities: vec![person("e1", A1_BODY, "Oda Brenn")],
        quotes: vec![quote(
            A1_BODY,
            "The channel will be dredged by May,",
            "Oda Brenn",
            "Brenn",
        )],
        events: vec![],
    };
    let e2 = Extraction {
        entities: vec![
            person("e1", A2_BODY, "Oda Brenn"),
            person("e2", A2_BODY, "Ilsa Moor"),
        ],
        quotes: vec![quote(
            A2_BODY,
            "We will share the dredger,",
            "Oda Brenn",
            "Brenn",
        )],
        events: vec![meeting()],
    };
    let e3 = Extraction {
        entities: vec![person("e1", A3_BODY, "Pell Arno")],
        quotes: vec![quote(
            A3_BODY,
            "<img src=x onerror=alert(1)>",
            "Pell Arno",
            "Pell Arno",
        )],
        events: vec![],
    };
    let ids = Fixture {
        a1: a1.id.clone(),
        a2: a2.id.clone(),
        a3: a3.id.clone(),
    };
    store
        .insert_batch(&[(a1, e1), (a2, e2), (a3, e3)])
        .expect("insert articles");

    let (s1, e1) = span_of(A1_BODY, "the harbour master");
    let (s2, e2) = span_of(A2_BODY, "Former harbour master");
    let story = Story {
        schema: SCHEMA.to_string(),
        id: "story-harbour".to_string(),
        title: "Lesk harbour dredging <b>plan</b>".to_string(),
        articles: vec![ids.a1.clone(), ids.a2.clone()],
        outlets: vec![
            "lesk-gazette.example".to_string(),
            "northwind.example".to_string(),
        ],
        span: StorySpan {
            first: NaiveDate::from_ymd_opt(2025, 4, 2),
            last: NaiveDate::from_ymd_opt(2025, 4, 3),
        },
        thread: None,
        entities: vec![StoryEntity {
            name: "Oda Brenn".to_string(),
            kind: "PERSON".to_string(),
            articles: 2,
            variants: vec![],
        }],
        quotes: vec![StoryQuote {
            text: "The channel will be dredged by May,".to_string(),
            speaker: Some("Oda Brenn".to_string()),
            articles: vec![ids.a1.clone()],
            variants: vec![],
        }],
        events: vec![StoryEvent {
            event: meeting(),
            articles: vec![ids.a2.clone()],
        }],
        disagreements: vec![Disagreement {
            subject: "Oda Brenn".to_string(),
            slot: "role".to_string(),
            values: vec![
                SourcedValue {
                    value: "harbour master".to_string(),
                    article: ids.a1.clone(),
                    start: s1,
                    end: e1,
                },
                SourcedValue {
                    value: "former harbour master".to_string(),
                    article: ids.a2.clone(),
                    start: s2,
                    end: e2,
                },
            ],
            within_article: false,
        }],
    };
    store.put_story(&story).expect("put story");
    // Older stories, to page through.
    for n in 0..5u32 {
        let mut s = story.clone();
        s.id = format!("older-{n}");
        s.title = format!("Older story {n}");
        s.articles = vec![ids.a3.clone()];
        s.span.last = NaiveDate::from_ymd_opt(2025, 3, 1 + n);
        s.disagreements.clear();
        store.put_story(&s).expect("put older story");
    }
    ids
}

// ---------------------------------------------------------------- server and client

struct Server {
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

fn start(fill_store: impl FnOnce(&mut Store) -> Option<Fixture>) -> (Server, Option<Fixture>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("news.sqlite");
    let fixture = {
        let mut store = Store::open_path(&db).expect("open store");
        fill_store(&mut store)
    };
    let addr = spawn(&db);
    (Server { addr, _dir: dir }, fixture)
}

fn spawn(db: &Path) -> SocketAddr {
    let app = sitrep_server::App::open(&db.display().to_string(), false).expect("open app");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr"))
                .expect("send addr");
            sitrep_server::serve(listener, app).await.expect("serve");
        });
    });
    rx.recv().expect("server address")
}

struct Reply {
    status: u16,
    content_type: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        assert!(
            self.content_type.starts_with("application/json"),
            "content type {}",
            self.content_type
        );
        serde_json::from_str(&self.body).expect("json body")
    }
}

fn get(server: &Server, path: &str) -> Reply {
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8(raw).expect("utf-8 reply");
    let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        dechunk(body)
    } else {
        body.to_string()
    };
    Reply {
        status,
        content_type: header("content-type").unwrap_or_default(),
        body,
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).expect("chunk size");
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

fn served() -> (Server, Fixture) {
    let (server, fixture) = start(|s| Some(fill(s)));
    (server, fixture.expect("fixture"))
}

fn assert_error(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.body);
    let v = reply.json();
    assert_eq!(v["error"]["status"], status);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

// ---------------------------------------------------------------- API

#[test]
fn stories_are_listed_newest_first_and_paged_without_duplicates() {
    let (server, _) = served();
    let r = get(&server, "/api/stories");
    assert_eq!(r.status, 200);
    let v = r.json();
    let stories = v["stories"].as_array().expect("stories");
    assert_eq!(stories.len(), 6);
    assert_eq!(stories[0]["id"], "story-harbour");
    assert_eq!(stories[0]["articles"], 2);
    assert_eq!(stories[0]["disagreements"], 1);
    assert_eq!(stories[0]["last"], "2025-04-03");
    assert_eq!(stories[1]["id"], "older-4");
    assert!(v["next"].is_null());

    let mut seen = Vec::new();
    let mut path = "/api/stories?limit=4".to_string();
    loop {
        let v = get(&server, &path).json();
        let page = v["stories"].as_array().expect("page");
        assert!(page.len() <= 4);
        seen.extend(
            page.iter()
                .map(|s| s["id"].as_str().expect("id").to_string()),
        );
        match v["next"].as_str() {
            Some(c) => path = format!("/api/stories?limit=4&cursor={c}"),
            None => break,
        }
    }
    let all: Vec<String> = stories
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(seen, all);
}

#[test]
fn a_story_and_an_article_are_served_whole_and_unknown_ids_are_404() {
    let (server, f) = served();
    let v = get(&server, "/api/stories/story-harbour").json();
    assert_eq!(v["schema"], "sitrep/1");
    assert_eq!(v["disagreements"][0]["slot"], "role");
    assert_eq!(v["events"][0]["type"], "CONSULT");
    assert_eq!(v["events"][0]["articles"][0], f.a2.as_str());

    let r = get(&server, &format!("/api/articles/{}", f.a1));
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["id"], f.a1.as_str());
    assert_eq!(v["body"], A1_BODY);
    assert_eq!(v["quotes"][0]["speaker"]["name"], "Oda Brenn");
    assert_eq!(v["stories"][0]["id"], "story-harbour");

    assert_error(&get(&server, "/api/stories/no-such-story"), 404);
    assert_error(&get(&server, "/api/articles/0000000000000000"), 404);
    assert_error(&get(&server, "/api/no-such-endpoint"), 404);
    // Not UTF-8 once decoded: a bad request, not a crash.
    let r = get(&server, "/api/articles/%FF%FE");
    assert!(r.status == 400 || r.status == 404, "{}", r.status);
    assert_error(&r, r.status);
}

#[test]
fn articles_page_and_bad_parameters_are_400() {
    let (server, f) = served();
    let mut seen = Vec::new();
    let mut path = "/api/articles?limit=2".to_string();
    loop {
        let v = get(&server, &path).json();
        seen.extend(
            v["articles"]
                .as_array()
                .expect("articles")
                .iter()
                .map(|a| a["id"].as_str().expect("id").to_string()),
        );
        match v["next"].as_str() {
            Some(c) => path = format!("/api/articles?limit=2&cursor={c}"),
            None => break,
        }
    }
    // Newest first: a2 (3 April), a1 (2 April), a3 (1 April).
    assert_eq!(seen, [f.a2.clone(), f.a1.clone(), f.a3.clone()]);

    for bad in [
        "/api/articles?limit=abc",
        "/api/articles?limit=0",
        "/api/articles?limit=-5",
        "/api/articles?cursor=garbage",
        "/api/stories?cursor=2025-99-99~x",
        "/api/events?from=yesterday",
        "/api/events?to=2025-02-30",
        "/api/search",
        "/api/search?q=",
    ] {
        assert_error(&get(&server, bad), 400);
    }
    // A huge limit is capped, not an error.
    let v = get(&server, "/api/articles?limit=99999999999999999999999").json();
    assert_eq!(v["articles"].as_array().expect("articles").len(), 3);
}

#[test]
fn search_finds_articles_and_quotes_with_snippets() {
    let (server, f) = served();
    let v = get(&server, "/api/search?q=dredger").json();
    assert_eq!(v["query"], "dredger");
    let hits = v["hits"].as_array().expect("hits");
    let quote = hits
        .iter()
        .find(|h| h["kind"] == "quote")
        .expect("the quote about the dredger");
    assert_eq!(quote["article"], f.a2.as_str());
    assert_eq!(quote["speaker"], "Oda Brenn");
    assert_eq!(quote["outlet"], "northwind.example");
    let snippet = quote["snippet"]["text"].as_str().expect("snippet");
    let [start, end] = [0, 1].map(|i| {
        quote["snippet"]["highlights"][0][i]
            .as_u64()
            .expect("highlight") as usize
    });
    assert_eq!(&snippet[start..end], "dredger");
    assert!(
        hits.iter()
            .any(|h| h["kind"] == "article" && h["article"] == f.a2.as_str())
    );

    // Stemming: "dredging" finds "dredged"; a speaker's name finds their quotes.
    let v = get(&server, "/api/search?q=dredging").json();
    assert!(
        v["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .any(|h| h["article"] == f.a1.as_str())
    );
    let v = get(&server, "/api/search?q=speaker:Brenn").json();
    assert!(
        v["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .all(|h| h["kind"] == "quote")
    );
    // Query syntax errors are lenient, not 500s.
    for q in ["%22unclosed", "title:", "AND%20OR%20(", "%3C%3E%26"] {
        assert_eq!(
            get(&server, &format!("/api/search?q={q}")).status,
            200,
            "{q}"
        );
    }
    assert!(
        get(&server, "/api/search?q=zyxwvut").json()["hits"]
            .as_array()
            .expect("hits")
            .is_empty()
    );
}

#[test]
fn entities_and_events_are_found_and_filtered() {
    let (server, f) = served();
    let v = get(&server, "/api/entities/Oda%20Brenn").json();
    assert_eq!(v["name"], "Oda Brenn");
    let quotes = v["quotes"].as_array().expect("quotes");
    assert_eq!(quotes.len(), 2);
    assert!(quotes.iter().any(
        |q| q["quote"]["text"] == "We will share the dredger," && q["article"] == f.a2.as_str()
    ));
    assert_eq!(v["events"].as_array().expect("events").len(), 1);
    assert_eq!(v["events"][0]["event"]["type"], "CONSULT");
    assert_eq!(v["stories"][0]["id"], "story-harbour");
    // One quote a page: whole articles per page, newest first, then nothing more.
    let v = get(&server, "/api/entities/Oda%20Brenn?limit=1").json();
    assert_eq!(v["quotes"].as_array().expect("quotes").len(), 1);
    assert_eq!(v["quotes"][0]["article"], f.a2.as_str());
    let next = v["next"].as_str().expect("a next page");
    let v = get(
        &server,
        &format!("/api/entities/Oda%20Brenn?limit=1&cursor={next}"),
    )
    .json();
    assert_eq!(v["quotes"][0]["article"], f.a1.as_str());
    assert!(v["next"].is_null());
    let v = get(&server, "/api/entities/Nobody%20Here").json();
    assert!(v["quotes"].as_array().expect("quotes").is_empty());

    let count = |path: &str| {
        let v = get(&server, path).json();
        v["events"].as_array().expect("events").len()
    };
    assert_eq!(count("/api/events"), 1);
    assert_eq!(count("/api/events?type=consult"), 1);
    assert_eq!(count("/api/events?type=ASSAULT"), 0);
    assert_eq!(count("/api/events?country=LSK&actor=ilsa"), 1);
    assert_eq!(count("/api/events?country=XYZ"), 0);
    assert_eq!(count("/api/events?from=2025-04-01&to=2025-04-02"), 1);
    assert_eq!(count("/api/events?from=2025-04-03"), 0);
    let v = get(&server, "/api/events?type=CONSULT").json();
    assert_eq!(v["events"][0]["article"], f.a2.as_str());
    assert_eq!(v["events"][0]["event"]["location"]["name"], "Tarvik");
}

#[test]
fn the_openapi_document_describes_every_endpoint() {
    let (server, _) = served();
    let v = get(&server, "/api/openapi.json").json();
    assert!(v["openapi"].as_str().is_some_and(|s| s.starts_with("3.")));
    for path in [
        "/api/stories",
        "/api/stories/{id}",
        "/api/articles",
        "/api/articles/{id}",
        "/api/search",
        "/api/entities/{name}",
        "/api/events",
        "/api/openapi.json",
    ] {
        assert!(v["paths"][path]["get"].is_object(), "{path} undocumented");
    }
    // Every reference resolves.
    let text = v.to_string();
    for piece in text.split("#/components/schemas/").skip(1) {
        let name: String = piece.chars().take_while(|c| c.is_alphanumeric()).collect();
        assert!(v["components"]["schemas"][&name].is_object(), "{name}");
    }
}

// ---------------------------------------------------------------- pages

#[test]
fn the_front_and_story_pages_show_the_story() {
    let (server, f) = served();
    let r = get(&server, "/");
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/html"));
    assert!(
        r.body
            .contains("Lesk harbour dredging &lt;b&gt;plan&lt;/b&gt;")
    );
    assert!(r.body.contains("1 disagreement"));
    assert!(r.body.contains("href=\"/stories/story-harbour\""));

    let r = get(&server, "/stories/story-harbour");
    assert_eq!(r.status, 200);
    let b = &r.body;
    assert!(b.contains("Where the sources disagree"));
    // Both sides' sentences, cut from the stored bodies, the values marked.
    assert!(
        b.contains("Oda Brenn, <mark>the harbour master</mark> of Lesk, said on Tuesday"),
        "{b}"
    );
    assert!(b.contains("<mark>Former harbour master</mark> Oda Brenn met the mayor of Tarvik"));
    // Outlets side by side, timeline, quotes, map.
    assert!(b.contains("lesk-gazette.example") && b.contains("northwind.example"));
    assert!(b.contains("Fishermen in Lesk") || b.contains("The channel will be dredged by May"));
    assert!(b.contains("CONSULT") && b.contains("2025-04-02") && b.contains("Tarvik (LSK)"));
    assert!(b.contains("href=\"/entities/Ilsa%20Moor\""));
    assert!(b.contains("<svg class=\"map\"") && b.contains("<circle"));
    assert!(b.contains(&format!("href=\"/articles/{}\"", f.a1)));

    let r = get(&server, "/stories/none-such");
    assert_eq!(r.status, 404);
    assert!(r.content_type.starts_with("text/html"));
    assert_eq!(get(&server, "/no/such/page").status, 404);
}

#[test]
fn article_entity_and_search_pages_render() {
    let (server, f) = served();
    let r = get(&server, &format!("/articles/{}", f.a2));
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Brenn and Moor agree to share a dredger"));
    assert!(r.body.contains("The meeting lasted two hours."));
    assert!(r.body.contains("href=\"/stories/story-harbour\""));
    assert_eq!(get(&server, "/articles/0000000000000000").status, 404);

    let r = get(&server, "/entities/Oda%20Brenn");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("We will share the dredger,"));
    assert!(r.body.contains("What they did"));

    let r = get(&server, "/search?q=dredger");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<mark>dredger</mark>"));
    assert_eq!(get(&server, "/search").status, 200);
}

#[test]
fn a_script_in_an_article_never_reaches_a_page_as_markup() {
    let (server, f) = served();
    let pages = [
        "/".to_string(),
        format!("/articles/{}", f.a3),
        "/entities/Pell%20Arno".to_string(),
        "/search?q=pwned".to_string(),
        "/search?q=onerror".to_string(),
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "/stories/older-0".to_string(),
        "/entities/%3Cscript%3Ealert(2)%3C%2Fscript%3E".to_string(),
        "/stories/%3Cscript%3Ealert(3)%3C%2Fscript%3E".to_string(),
    ];
    for path in &pages {
        let r = get(&server, path);
        assert!(r.status == 200 || r.status == 404, "{path}: {}", r.status);
        let lower = r.body.to_lowercase();
        assert!(
            !lower.contains("<script"),
            "{path} has a script element:\n{}",
            r.body
        );
        assert!(!lower.contains("<img"), "{path} has an img element");
        assert!(!lower.contains("<b>"), "{path} has a b element");
    }
    let r = get(&server, &format!("/articles/{}", f.a3));
    assert!(
        r.body
            .contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;")
    );
    assert!(r.body.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(
        r.body
            .contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Letters")
    );
    let r = get(&server, "/search?q=pwned");
    assert!(
        r.body
            .contains("&lt;script&gt;alert(&#39;<mark>pwned</mark>&#39;)"),
        "{}",
        r.body
    );
}

#[test]
fn an_empty_store_serves_pages_that_say_so() {
    let (server, _) = start(|_| None);
    let r = get(&server, "/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("No stories yet"));
    assert!(r.body.contains("No articles stored yet"));
    let v = get(&server, "/api/stories").json();
    assert_eq!(v["stories"], serde_json::json!([]));
    assert!(v["next"].is_null());
    assert!(
        get(&server, "/api/search?q=anything").json()["hits"]
            .as_array()
            .expect("hits")
            .is_empty()
    );
}

#[test]
fn with_zero_stories_the_front_page_lists_recent_articles() {
    let (server, _) = start(|store| {
        let a = article(
            "z.txt",
            "The ferry to Vask ran late again on Monday.",
            "Ferry late",
            "vask-post.example",
            7,
        );
        store
            .insert_batch(&[(a, Extraction::default())])
            .expect("insert");
        None
    });
    let r = get(&server, "/");
    assert!(r.body.contains("No stories yet"));
    assert!(r.body.contains("Ferry late"));
}
