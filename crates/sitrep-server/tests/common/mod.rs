//! What the server tests share: a temporary store filled through the store API with
//! team-written fictional articles and a hand-built story with a disagreement, the server on an
//! ephemeral 127.0.0.1 port, and a small HTTP/1.1 client.
#![allow(dead_code, unused_macros)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;

use serde_json::Value;
use sitrep_model::{
    Actor, Article, Disagreement, Entity, Event, EventDate, Extraction, Location, Mention,
    NaiveDate, Position, Proposal, QuadClass, Quote, QuoteKind, SCHEMA, SourcedValue, Speaker,
    Story, StoryEntity, StoryEvent, StoryQuote, StorySpan,
};
use sitrep_store::Store;

// ---------------------------------------------------------------- fixtures (fictional)

pub const A1_BODY: &str = "Oda Brenn, the harbour master of Lesk, said on Tuesday that the channel would be dredged by May.\n\n\"The channel will be dredged by May,\" Brenn told reporters at the quay.\n\nFishermen in Lesk welcomed the plan.";
pub const A2_BODY: &str = "Former harbour master Oda Brenn met the mayor of Tarvik, Ilsa Moor, in Tarvik on Wednesday.\n\n\"We will share the dredger,\" Brenn said.\n\nThe meeting lasted two hours.";
pub const A3_BODY: &str = "A reader wrote <script>alert('pwned')</script> in a letter about the quay.\n\n\"<img src=x onerror=alert(1)>\" said Pell Arno.";

pub fn span_of(body: &str, needle: &str) -> (usize, usize) {
    let start = body.find(needle).expect("needle in body");
    (start, start + needle.len())
}

pub fn mention(body: &str, text: &str) -> Mention {
    let (start, end) = span_of(body, text);
    Mention {
        text: text.to_string(),
        start,
        end,
    }
}

pub fn article(input: &str, body: &str, title: &str, outlet: &str, day: u32) -> Article {
    let mut a = Article::new(input, body.to_string());
    a.title = Some(title.to_string());
    a.outlet = Some(outlet.to_string());
    a.url = Some(format!("https://{outlet}/{input}"));
    a.published = NaiveDate::from_ymd_opt(2025, 4, day);
    a
}

pub fn person(id: &str, body: &str, name: &str) -> Entity {
    Entity {
        id: id.to_string(),
        name: name.to_string(),
        kind: "PERSON".to_string(),
        roles: vec![],
        mentions: vec![mention(body, name)],
        stands_for: None,
    }
}

pub fn quote(body: &str, text: &str, speaker: &str, said: &str) -> Quote {
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

pub fn position(
    party: &str,
    stance: &str,
    day: u32,
    article: &str,
    (start, end): (usize, usize),
) -> Position {
    Position {
        party: party.to_string(),
        stance: stance.to_string(),
        conditions: vec![],
        date: NaiveDate::from_ymd_opt(2025, 4, day),
        article: article.to_string(),
        start,
        end,
    }
}

pub fn meeting() -> Event {
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
            text: "on \"Wednesday\",\tlate\nin the day".to_string(),
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

pub struct Fixture {
    pub a1: String,
    pub a2: String,
    pub a3: String,
}

pub fn fill(store: &mut Store) -> Fixture {
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
        thread: Some("thread-lesk".to_string()),
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
        proposals: vec![Proposal {
            subject: "dredging plan".to_string(),
            variants: vec![],
            positions: vec![position(
                "Oda Brenn",
                "proposed",
                2,
                &ids.a1,
                span_of(A1_BODY, "the channel would be dredged by May"),
            )],
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
        s.span.first = s.span.last;
        s.disagreements.clear();
        // The oldest story saw the plan first, under another name, and someone against it.
        s.proposals = if n == 0 {
            vec![Proposal {
                subject: "Channel dredging".to_string(),
                variants: vec!["dredging plan".to_string()],
                positions: vec![position(
                    "Ilsa <Moor>",
                    "rejected",
                    1,
                    &ids.a3,
                    span_of(A3_BODY, "a letter about the quay"),
                )],
            }]
        } else {
            vec![]
        };
        // The two oldest continue the harbour thread; the others stand alone.
        if n >= 2 {
            s.thread = None;
        }
        store.put_story(&s).expect("put older story");
    }
    ids
}

// ---------------------------------------------------------------- server and client

pub struct Server {
    pub addr: SocketAddr,
    pub db: std::path::PathBuf,
    pub _dir: tempfile::TempDir,
    /// The PostgreSQL schema the store lives in (dropped with the server), if any.
    pub pg: Option<PgSchema>,
}

/// A schema of its own in the database of `SITREP_TEST_PG`, dropped on drop.
pub struct PgSchema {
    base: String,
    name: String,
    /// What `Store::open` and `App::open` take: the base URL with the schema as search path.
    pub url: String,
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.base, postgres::NoTls) {
            // Best effort: a schema left behind only takes room in a throwaway cluster.
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

static SCHEMAS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A new schema in `SITREP_TEST_PG`'s database; `None` (after a note) when the variable is
/// unset and PostgreSQL is not required (`SITREP_REQUIRE_PG=1`).
pub fn pg_schema(test: &str) -> Option<PgSchema> {
    let base = match std::env::var("SITREP_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => url.trim().to_string(),
        _ => {
            if std::env::var("SITREP_REQUIRE_PG").is_ok_and(|v| v == "1") {
                panic!(
                    "SITREP_REQUIRE_PG=1 but SITREP_TEST_PG is not set: start a server with \
                     scripts/pg and export SITREP_TEST_PG=<the url it prints>"
                );
            }
            eprintln!(
                "note: {test} on postgresql skipped: SITREP_TEST_PG is not set (see scripts/pg)"
            );
            return None;
        }
    };
    let name = format!(
        "sitrep_http_{}_{}",
        std::process::id(),
        SCHEMAS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(&base, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to SITREP_TEST_PG {base}: {e}"));
    admin
        .batch_execute(&format!("CREATE SCHEMA {name}"))
        .expect("create test schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{name}");
    Some(PgSchema { base, name, url })
}

/// The store a test runs against.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The fixture served from a store on `backend`; `None` when PostgreSQL is not configured
/// (see [`pg_schema`]).
pub fn served_on(backend: Backend, test: &str) -> Option<(Server, Fixture)> {
    match backend {
        Backend::Sqlite => Some(served()),
        Backend::Postgres => {
            let schema = pg_schema(test)?;
            let fixture = {
                let mut store = Store::open(&schema.url).expect("open postgres store");
                fill(&mut store)
            };
            let app = sitrep_server::App::open(&schema.url, true)
                .expect("open app on postgres")
                .refresh_every(None);
            let addr = spawn_app(app);
            let dir = tempfile::tempdir().expect("tempdir");
            Some((
                Server {
                    addr,
                    db: dir.path().join("unused"),
                    _dir: dir,
                    pg: Some(schema),
                },
                fixture,
            ))
        }
    }
}

/// `both!(test_a, test_b)`: for each `fn test_a(b: Backend)` of the file, the tests
/// `sqlite::test_a` and `postgres::test_a`.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(crate::common::Backend::Sqlite);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    super::$name(crate::common::Backend::Postgres);
                }
            )*
        }
    };
}

pub fn start(fill_store: impl FnOnce(&mut Store) -> Option<Fixture>) -> (Server, Option<Fixture>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("news.sqlite");
    let fixture = {
        let mut store = Store::open_path(&db).expect("open store");
        fill_store(&mut store)
    };
    let addr = spawn(&db);
    (
        Server {
            addr,
            db,
            _dir: dir,
            pg: None,
        },
        fixture,
    )
}

pub fn spawn(db: &Path) -> SocketAddr {
    let app = sitrep_server::App::open(&db.display().to_string(), false)
        .expect("open app")
        .refresh_every(None);
    spawn_app(app)
}

pub fn spawn_app(app: sitrep_server::App) -> SocketAddr {
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

pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        assert!(
            self.content_type.starts_with("application/json"),
            "content type {}",
            self.content_type
        );
        serde_json::from_str(&self.body).expect("json body")
    }
}

pub fn get(server: &Server, path: &str) -> Reply {
    request(server.addr, "GET", path)
}

pub fn post(server: &Server, path: &str) -> Reply {
    request(server.addr, "POST", path)
}

pub fn request(addr: SocketAddr, method: &str, path: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
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

pub fn dechunk(mut s: &str) -> String {
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

pub fn served() -> (Server, Fixture) {
    let (server, fixture) = start(|s| Some(fill(s)));
    (server, fixture.expect("fixture"))
}

pub fn assert_error(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.body);
    let v = reply.json();
    assert_eq!(v["error"]["status"], status);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}
