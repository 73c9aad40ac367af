//! The server over real HTTP on 127.0.0.1 (an ephemeral port), with a temporary store filled
//! through the store API: team-written fictional articles and a hand-built story with a
//! disagreement. Every endpoint's status and JSON shape, pagination, 404s, bad parameters,
//! search, and escaping (a `<script>` in an article never reaches a page as markup).

#[macro_use]
mod common;

use common::*;

// Each on SQLite and on PostgreSQL (`SITREP_TEST_PG`; skipped with a note when unset unless
// `SITREP_REQUIRE_PG=1`, as scripts/test sets).
both!(
    a_threads_proposals_gather_its_stories_positions,
    stories_are_listed_newest_first_and_paged_without_duplicates,
    a_story_and_an_article_are_served_whole_and_unknown_ids_are_404,
    articles_page_and_bad_parameters_are_400,
    search_finds_articles_and_quotes_with_snippets,
    entities_and_events_are_found_and_filtered,
    the_openapi_document_describes_every_endpoint,
    the_front_and_story_pages_show_the_story,
    article_entity_and_search_pages_render,
    a_script_in_an_article_never_reaches_a_page_as_markup,
    threads_gather_their_stories_newest_first,
    quotes_are_found_by_speaker_and_by_story,
    disagreements_carry_both_sources_sentences,
    events_export_as_tsv_and_csv_with_escaping,
    articles_export_as_json_lines,
    the_threads_pages_list_threads_and_their_stories,
);
use serde_json::Value;
use sitrep_model::{Extraction, NaiveDate};
use sitrep_store::Store;

// ---------------------------------------------------------------- API

fn stories_are_listed_newest_first_and_paged_without_duplicates(b: Backend) {
    let Some((server, _)) = served_on(
        b,
        "stories_are_listed_newest_first_and_paged_without_duplicates",
    ) else {
        return;
    };
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

fn a_story_and_an_article_are_served_whole_and_unknown_ids_are_404(b: Backend) {
    let Some((server, f)) = served_on(
        b,
        "a_story_and_an_article_are_served_whole_and_unknown_ids_are_404",
    ) else {
        return;
    };
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

fn articles_page_and_bad_parameters_are_400(b: Backend) {
    let Some((server, f)) = served_on(b, "articles_page_and_bad_parameters_are_400") else {
        return;
    };
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

fn search_finds_articles_and_quotes_with_snippets(b: Backend) {
    let Some((server, f)) = served_on(b, "search_finds_articles_and_quotes_with_snippets") else {
        return;
    };
    // Every word must match unless joined by OR.
    let n = |q: &str| {
        get(&server, &format!("/api/search?q={q}")).json()["hits"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert!(n("dredger") > 0);
    assert_eq!(n("dredger%20volcano"), 0);
    assert_eq!(n("dredger%20OR%20volcano"), n("dredger"));
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

fn entities_and_events_are_found_and_filtered(b: Backend) {
    let Some((server, f)) = served_on(b, "entities_and_events_are_found_and_filtered") else {
        return;
    };
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
    assert_eq!(count("/api/events?to=2025-04-01"), 0);
    assert_eq!(count("/api/events?place=tarvik"), 1);
    assert_eq!(count("/api/events?place=Lesk"), 0);
    assert_eq!(count("/api/events?actor=Oda%20Brenn"), 1);
    assert_eq!(count("/api/events?actor=Nobody"), 0);
    assert_eq!(count("/api/events?country=lsk"), 1);
    assert_eq!(
        count(
            "/api/events?type=CONSULT&actor=moor&country=LSK&place=Tarvik&from=2025-04-02&to=2025-04-02"
        ),
        1
    );
    assert_eq!(count("/api/events?type=CONSULT&place=Vask"), 0);
    let v = get(&server, "/api/events?type=CONSULT").json();
    assert_eq!(v["events"][0]["article"], f.a2.as_str());
    assert_eq!(v["events"][0]["event"]["location"]["name"], "Tarvik");
}

fn the_openapi_document_describes_every_endpoint(b: Backend) {
    let Some((server, _)) = served_on(b, "the_openapi_document_describes_every_endpoint") else {
        return;
    };
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
        "/api/threads",
        "/api/threads/{id}",
        "/api/threads/{id}/proposals",
        "/api/quotes",
        "/api/stories/{id}/quotes",
        "/api/disagreements",
        "/api/stories/{id}/disagreements",
        "/api/export/articles.jsonl",
        "/api/export/events.tsv",
        "/api/export/events.csv",
        "/api/export/events.jsonl",
    ] {
        assert!(v["paths"][path]["get"].is_object(), "{path} undocumented");
    }
    assert!(v["paths"]["/api/admin/reindex"]["post"].is_object());
    // Every reference resolves.
    let text = v.to_string();
    for piece in text.split("#/components/schemas/").skip(1) {
        let name: String = piece.chars().take_while(|c| c.is_alphanumeric()).collect();
        assert!(v["components"]["schemas"][&name].is_object(), "{name}");
    }
}

// ---------------------------------------------------------------- pages

fn the_front_and_story_pages_show_the_story(b: Backend) {
    let Some((server, f)) = served_on(b, "the_front_and_story_pages_show_the_story") else {
        return;
    };
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

fn article_entity_and_search_pages_render(b: Backend) {
    let Some((server, f)) = served_on(b, "article_entity_and_search_pages_render") else {
        return;
    };
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

fn a_script_in_an_article_never_reaches_a_page_as_markup(b: Backend) {
    let Some((server, f)) = served_on(b, "a_script_in_an_article_never_reaches_a_page_as_markup")
    else {
        return;
    };
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

// ---------------------------------------------------------------- threads, quotes, disagreements

fn ids(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} in {v}"))
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect()
}

fn threads_gather_their_stories_newest_first(b: Backend) {
    let Some((server, _)) = served_on(b, "threads_gather_their_stories_newest_first") else {
        return;
    };
    let v = get(&server, "/api/threads").json();
    assert_eq!(ids(&v, "threads"), ["thread-lesk"]);
    let t = &v["threads"][0];
    assert_eq!(t["stories"], 3);
    assert_eq!(t["title"], "Lesk harbour dredging <b>plan</b>");
    assert_eq!(t["first"], "2025-03-01");
    assert_eq!(t["last"], "2025-04-03");
    assert_eq!(t["articles"], 4);
    assert_eq!(t["disagreements"], 1);
    assert!(v["next"].is_null());

    let v = get(&server, "/api/threads/thread-lesk").json();
    assert_eq!(v["thread"]["id"], "thread-lesk");
    assert_eq!(ids(&v, "stories"), ["story-harbour", "older-1", "older-0"]);
    // Paged one story at a time, without repeats.
    let mut seen = Vec::new();
    let mut path = "/api/threads/thread-lesk?limit=1".to_string();
    loop {
        let v = get(&server, &path).json();
        seen.extend(ids(&v, "stories"));
        match v["next"].as_str() {
            Some(c) => path = format!("/api/threads/thread-lesk?limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["story-harbour", "older-1", "older-0"]);
    // The story object names its thread.
    assert_eq!(
        get(&server, "/api/stories/story-harbour").json()["thread"],
        "thread-lesk"
    );
    assert_error(&get(&server, "/api/threads/no-such-thread"), 404);
    assert_error(&get(&server, "/api/threads?cursor=nonsense"), 400);
    assert_error(&get(&server, "/api/threads/thread-lesk?limit=x"), 400);
}

fn quotes_are_found_by_speaker_and_by_story(b: Backend) {
    let Some((server, f)) = served_on(b, "quotes_are_found_by_speaker_and_by_story") else {
        return;
    };
    let v = get(&server, "/api/quotes?speaker=Oda%20Brenn").json();
    assert_eq!(v["speaker"], "Oda Brenn");
    let quotes = v["quotes"].as_array().expect("quotes");
    assert_eq!(quotes.len(), 2, "{v}");
    // Newest article first, each quote with its source and span.
    assert_eq!(quotes[0]["article"], f.a2.as_str());
    assert_eq!(quotes[0]["quote"]["text"], "We will share the dredger,");
    assert_eq!(quotes[1]["article"], f.a1.as_str());
    let start = quotes[1]["quote"]["start"].as_u64().expect("start") as usize;
    let end = quotes[1]["quote"]["end"].as_u64().expect("end") as usize;
    assert_eq!(&A1_BODY[start..end], "The channel will be dredged by May,");
    assert!(v["next"].is_null());

    // A surname alone, any case; a page of one, then the rest.
    let v = get(&server, "/api/quotes?speaker=brenn&limit=1").json();
    assert_eq!(v["quotes"].as_array().expect("quotes").len(), 1);
    let next = v["next"].as_str().expect("next page");
    let v = get(
        &server,
        &format!("/api/quotes?speaker=brenn&limit=1&cursor={next}"),
    )
    .json();
    assert_eq!(v["quotes"][0]["article"], f.a1.as_str());
    assert!(v["next"].is_null());

    // Words of the quote, with or without the speaker.
    let v = get(&server, "/api/quotes?q=dredger").json();
    assert_eq!(v["quotes"].as_array().expect("quotes").len(), 1);
    assert_eq!(v["quotes"][0]["quote"]["speaker"]["name"], "Oda Brenn");
    let v = get(&server, "/api/quotes?speaker=Pell%20Arno&q=dredger").json();
    assert!(v["quotes"].as_array().expect("quotes").is_empty());
    let v = get(&server, "/api/quotes?speaker=Pell%20Arno").json();
    assert_eq!(
        v["quotes"][0]["quote"]["text"],
        "<img src=x onerror=alert(1)>"
    );
    // "Brenn Oda" is not "Oda Brenn": the words count in order.
    let v = get(&server, "/api/quotes?speaker=Brenn%20Oda").json();
    assert!(v["quotes"].as_array().expect("quotes").is_empty());
    assert_error(&get(&server, "/api/quotes"), 400);
    assert_error(&get(&server, "/api/quotes?speaker=%20"), 400);
    assert_error(&get(&server, "/api/quotes?speaker=x&cursor=bad"), 400);

    let v = get(&server, "/api/stories/story-harbour/quotes").json();
    assert_eq!(v["story"], "story-harbour");
    let q = &v["quotes"][0];
    assert_eq!(q["speaker"], "Oda Brenn");
    assert_eq!(q["sources"][0]["article"], f.a1.as_str());
    assert_eq!(q["sources"][0]["outlet"], "lesk-gazette.example");
    assert_eq!(q["sources"][0]["kind"], "direct");
    let (s, e) = span_of(A1_BODY, "The channel will be dredged by May,");
    assert_eq!(q["sources"][0]["start"], s);
    assert_eq!(q["sources"][0]["end"], e);
    let v = get(&server, "/api/stories/story-harbour/quotes?speaker=nobody").json();
    assert!(v["quotes"].as_array().expect("quotes").is_empty());
    assert_error(&get(&server, "/api/stories/none/quotes"), 404);
    assert_error(
        &get(&server, "/api/stories/story-harbour/quotes?cursor=x"),
        400,
    );
}

fn disagreements_carry_both_sources_sentences(b: Backend) {
    let Some((server, f)) = served_on(b, "disagreements_carry_both_sources_sentences") else {
        return;
    };
    let v = get(&server, "/api/disagreements").json();
    let all = v["disagreements"].as_array().expect("disagreements");
    assert_eq!(all.len(), 1, "{v}");
    let d = &all[0];
    assert_eq!(d["story"], "story-harbour");
    assert_eq!(d["subject"], "Oda Brenn");
    assert_eq!(d["slot"], "role");
    assert_eq!(d["values"][0]["article"], f.a1.as_str());
    assert_eq!(d["values"][0]["outlet"], "lesk-gazette.example");
    assert_eq!(
        d["values"][0]["sentence"],
        "Oda Brenn, the harbour master of Lesk, said on Tuesday that the channel would be dredged by May."
    );
    assert_eq!(d["values"][1]["value"], "former harbour master");
    assert_eq!(
        d["values"][1]["sentence"],
        "Former harbour master Oda Brenn met the mayor of Tarvik, Ilsa Moor, in Tarvik on Wednesday."
    );
    // The value's span lies inside the sentence.
    let start = d["values"][0]["start"].as_u64().expect("start") as usize;
    let from = d["values"][0]["sentence_start"].as_u64().expect("from") as usize;
    assert!(from <= start);
    assert!(v["next"].is_null());

    let n = |path: &str| {
        get(&server, path).json()["disagreements"]
            .as_array()
            .expect("disagreements")
            .len()
    };
    assert_eq!(n("/api/disagreements?slot=ROLE"), 1);
    assert_eq!(n("/api/disagreements?slot=killed"), 0);
    assert_eq!(n("/api/disagreements?subject=brenn"), 1);
    assert_eq!(n("/api/disagreements?subject=moor"), 0);
    assert_eq!(n("/api/disagreements?limit=1&slot=role&subject=oda"), 1);
    assert_eq!(n("/api/stories/story-harbour/disagreements"), 1);
    assert_eq!(n("/api/stories/story-harbour/disagreements?slot=date"), 0);
    assert_eq!(n("/api/stories/older-0/disagreements"), 0);
    assert_error(&get(&server, "/api/stories/none/disagreements"), 404);
    assert_error(&get(&server, "/api/disagreements?cursor=junk"), 400);
}

#[test]
fn disagreements_page_through_many_stories() {
    let (server, _) = start(|store| {
        let f = fill(store);
        let base = store
            .get_story("story-harbour")
            .expect("get")
            .expect("story");
        for n in 0..30u32 {
            let mut s = base.clone();
            s.id = format!("dispute-{n:02}");
            s.span.last = NaiveDate::from_ymd_opt(2025, 1, 1 + n);
            store.put_story(&s).expect("put");
        }
        Some(f)
    });
    let mut seen = Vec::new();
    let mut path = "/api/disagreements?limit=7".to_string();
    loop {
        let v = get(&server, &path).json();
        seen.extend(
            v["disagreements"]
                .as_array()
                .expect("page")
                .iter()
                .map(|d| d["story"].as_str().expect("story").to_string()),
        );
        match v["next"].as_str() {
            Some(c) => path = format!("/api/disagreements?limit=7&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 31);
    assert_eq!(seen[0], "story-harbour");
    assert_eq!(seen[1], "dispute-29");
    assert_eq!(seen[30], "dispute-00");
    let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), 31);
}

// ---------------------------------------------------------------- exports

fn events_export_as_tsv_and_csv_with_escaping(b: Backend) {
    let Some((server, f)) = served_on(b, "events_export_as_tsv_and_csv_with_escaping") else {
        return;
    };
    let r = get(&server, "/api/export/events.tsv");
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "text/tab-separated-values; charset=utf-8");
    let lines: Vec<&str> = r.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.body);
    let head: Vec<&str> = lines[0].split('\t').collect();
    let row: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(head.len(), 30);
    assert_eq!(row.len(), head.len(), "{}", lines[1]);
    let col = |name: &str| {
        let i = head.iter().position(|h| *h == name).expect(name);
        row[i]
    };
    assert_eq!(col("event_id"), format!("{}-1", f.a2));
    assert_eq!(col("date"), "2025-04-02");
    assert_eq!(col("date_text"), "on \"Wednesday\",\\tlate\\nin the day");
    assert_eq!(col("source_name"), "Oda Brenn");
    assert_eq!(col("source_country"), "LSK");
    assert_eq!(col("cameo_root"), "04");
    assert_eq!(col("plover_type"), "CONSULT");
    assert_eq!(col("quad_class"), "verbal_cooperation");
    assert_eq!(col("quad_code"), "1");
    assert_eq!(col("target_name"), "Ilsa Moor");
    assert_eq!(col("place_name"), "Tarvik");
    assert_eq!(col("lat"), "61.2");
    assert_eq!(col("lon"), "9.7");
    assert_eq!(col("article_id"), f.a2.as_str());
    assert_eq!(col("url"), "https://northwind.example/a2.txt");
    assert_eq!(col("start"), "0");
    assert_eq!(col("end"), "94");

    let r = get(&server, "/api/export/events.csv?place=tarvik");
    assert_eq!(r.content_type, "text/csv; charset=utf-8; header=present");
    assert!(r.body.starts_with("event_id,date,event_date,date_text,"));
    assert!(
        r.body
            .contains(",\"on \"\"Wednesday\"\",\tlate\nin the day\",Oda Brenn,LSK,"),
        "{}",
        r.body
    );
    assert_eq!(r.body.matches("\r\n").count(), 2);

    // Filters apply; a filter matching nothing leaves the header alone.
    let r = get(&server, "/api/export/events.tsv?type=ASSAULT");
    assert_eq!(r.body.lines().count(), 1);
    let r = get(&server, "/api/export/events.jsonl?actor=moor");
    assert_eq!(r.content_type, "application/x-ndjson");
    let v: Value = serde_json::from_str(r.body.trim()).expect("one json line");
    assert_eq!(v["event"]["type"], "CONSULT");
    assert_eq!(v["article"], f.a2.as_str());
    assert_error(&get(&server, "/api/export/events.tsv?from=soon"), 400);
}

fn articles_export_as_json_lines(b: Backend) {
    let Some((server, f)) = served_on(b, "articles_export_as_json_lines") else {
        return;
    };
    let r = get(&server, "/api/export/articles.jsonl");
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/x-ndjson");
    let records: Vec<Value> = r
        .body
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let got: Vec<&str> = records
        .iter()
        .map(|v| v["id"].as_str().expect("id"))
        .collect();
    assert_eq!(got, [f.a2.as_str(), f.a1.as_str(), f.a3.as_str()]);
    assert_eq!(records[1]["body"], A1_BODY);
    assert_eq!(records[0]["events"][0]["type"], "CONSULT");
}

#[test]
fn a_large_export_streams_every_row_once() {
    const N: usize = 1500;
    let (server, _) = start(|store| {
        let batch: Vec<_> = (0..N)
            .map(|n| {
                let body = format!(
                    "Notice {n}: the council of Vask met the ferry board about timetable number {n}, \
                     and agreed on nothing at all."
                );
                let mut a = article(&format!("n{n}.txt"), &body, &format!("Notice {n}"), "vask-post.example", 1 + (n % 28) as u32);
                a.url = Some(format!("https://vask-post.example/{n}"));
                let mut e = meeting();
                e.source[0].name = format!("Board member {n}");
                let x = Extraction {
                    entities: vec![],
                    quotes: vec![],
                    events: vec![e],
                };
                (a, x)
            })
            .collect();
        store.insert_batch(&batch).expect("insert");
        None
    });
    let r = get(&server, "/api/export/articles.jsonl");
    assert!(r.body.len() > 4 * 64 * 1024, "{} bytes", r.body.len());
    let ids: std::collections::BTreeSet<String> = r
        .body
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("json line");
            v["id"].as_str().expect("id").to_string()
        })
        .collect();
    assert_eq!(ids.len(), N);
    assert_eq!(r.body.lines().count(), N);

    let r = get(&server, "/api/export/events.tsv");
    let rows: std::collections::BTreeSet<&str> = r.body.lines().skip(1).collect();
    assert_eq!(rows.len(), N);
    assert_eq!(r.body.lines().count(), N + 1);
}

// ---------------------------------------------------------------- index refresh

fn insert_late_article(db: &std::path::Path) -> String {
    let mut store = Store::open_path(db).expect("open the store beside the server");
    let a = article(
        "late.txt",
        "The zephyrine lighthouse of Orme was relit on Friday.",
        "Orme lighthouse relit",
        "orme-daily.example",
        9,
    );
    let id = a.id.clone();
    store
        .insert_batch(&[(a, Extraction::default())])
        .expect("insert late article");
    id
}

fn hits(server: &Server, q: &str) -> Vec<String> {
    get(server, &format!("/api/search?q={q}")).json()["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["article"].as_str().expect("article").to_string())
        .collect()
}

#[test]
fn reindex_adds_articles_stored_while_serving() {
    let (server, _) = served();
    assert!(hits(&server, "zephyrine").is_empty());
    let id = insert_late_article(&server.db);
    // Not yet: the index is refreshed on request (this server has no background refresh).
    assert!(hits(&server, "zephyrine").is_empty());
    let r = post(&server, "/api/admin/reindex");
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["added"], 1);
    assert_eq!(v["articles"], 4);
    assert_eq!(hits(&server, "zephyrine"), [id]);
    // Nothing new: nothing added, the article found once.
    assert_eq!(post(&server, "/api/admin/reindex").json()["added"], 0);
    assert_eq!(hits(&server, "lighthouse").len(), 1);
    // Only POST.
    assert_eq!(get(&server, "/api/admin/reindex").status, 405);
}

#[test]
fn the_background_refresh_finds_new_articles_without_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("news.sqlite");
    fill(&mut Store::open_path(&db).expect("open"));
    let app = sitrep_server::App::open(&db.display().to_string(), false)
        .expect("open app")
        .refresh_every(Some(std::time::Duration::from_millis(100)));
    let server = Server {
        addr: spawn_app(app),
        db: db.clone(),
        _dir: dir,
        pg: None,
    };
    assert!(hits(&server, "zephyrine").is_empty());
    let id = insert_late_article(&db);
    let mut found = Vec::new();
    for _ in 0..200 {
        found = hits(&server, "zephyrine");
        if !found.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(found, [id]);
    // Readers kept being answered while it ran; the older articles are still there.
    assert_eq!(hits(&server, "dredger").len(), 2);
}

// ---------------------------------------------------------------- thread pages

fn the_threads_pages_list_threads_and_their_stories(b: Backend) {
    let Some((server, _)) = served_on(b, "the_threads_pages_list_threads_and_their_stories") else {
        return;
    };
    let r = get(&server, "/");
    assert!(r.body.contains("href=\"/threads\""));
    let r = get(&server, "/threads");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("href=\"/threads/thread-lesk\""));
    assert!(
        r.body
            .contains("Lesk harbour dredging &lt;b&gt;plan&lt;/b&gt;")
    );
    assert!(r.body.contains("3 stories"));
    let r = get(&server, "/threads/thread-lesk");
    assert_eq!(r.status, 200);
    let harbour = r
        .body
        .find("href=\"/stories/story-harbour\"")
        .expect("newest");
    let older = r.body.find("href=\"/stories/older-0\"").expect("oldest");
    assert!(harbour < older);
    assert!(!r.body.contains("older-3"));
    let r = get(&server, "/stories/story-harbour");
    assert!(r.body.contains("href=\"/threads/thread-lesk\""));
    assert_eq!(get(&server, "/threads/none-such").status, 404);
    let r = get(&server, "/threads/%3Cscript%3E");
    assert_eq!(r.status, 404);
    assert!(!r.body.contains("<script"));
}

#[test]
fn quotes_by_speaker_page_through_many_articles_once_each() {
    const N: usize = 60;
    let mut expected = 0;
    let (server, _) = start(|store| {
        let batch: Vec<_> = (0..N)
            .map(|n| {
                let said: Vec<String> = (0..if n % 4 == 0 { 3 } else { 1 })
                    .map(|k| format!("Ferry {n} will sail at {k} o'clock,"))
                    .collect();
                let body = said
                    .iter()
                    .map(|s| format!("\"{s}\" Vera Lind said."))
                    .collect::<Vec<_>>()
                    .join("\n\n");
                let mut a = article(
                    &format!("q{n}.txt"),
                    &body,
                    &format!("Ferry notice {n}"),
                    "vask-post.example",
                    1 + (n % 5) as u32,
                );
                a.url = None;
                let quotes = said
                    .iter()
                    .map(|s| {
                        let mut q = quote(&body, s, "Vera Lind", "Vera Lind");
                        q.speaker.as_mut().expect("speaker").entity = None;
                        q
                    })
                    .collect();
                (
                    a,
                    Extraction {
                        entities: vec![],
                        quotes,
                        events: vec![],
                    },
                )
            })
            .collect();
        expected = batch.iter().map(|(_, x)| x.quotes.len()).sum();
        store.insert_batch(&batch).expect("insert");
        None
    });
    let mut seen = Vec::new();
    let mut keys = Vec::new();
    let mut path = "/api/quotes?speaker=vera%20lind&limit=7".to_string();
    for _ in 0..100 {
        let v = get(&server, &path).json();
        for q in v["quotes"].as_array().expect("quotes") {
            seen.push(q["quote"]["text"].as_str().expect("text").to_string());
            keys.push((
                q["published"].as_str().expect("date").to_string(),
                q["article"].as_str().expect("article").to_string(),
            ));
        }
        match v["next"].as_str() {
            Some(c) => path = format!("/api/quotes?speaker=vera%20lind&limit=7&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), expected);
    let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), expected, "a quote came twice");
    // Newest article first, then id descending; an article's quotes together.
    assert!(keys.windows(2).all(|w| w[0] >= w[1]), "{keys:?}");
}

fn a_threads_proposals_gather_its_stories_positions(b: Backend) {
    let Some((server, f)) = served_on(b, "a_threads_proposals_gather_its_stories_positions") else {
        return;
    };
    let v = get(&server, "/api/threads/thread-lesk/proposals").json();
    assert_eq!(v["thread"], "thread-lesk");
    let proposals = v["proposals"].as_array().expect("proposals");
    // One proposal under two names, named as in the earliest story, positions in time order.
    assert_eq!(proposals.len(), 1, "{v}");
    assert_eq!(proposals[0]["subject"], "Channel dredging");
    assert_eq!(proposals[0]["variants"][0], "dredging plan");
    let positions = proposals[0]["positions"].as_array().expect("positions");
    let said: Vec<(&str, &str, &str)> = positions
        .iter()
        .map(|p| {
            (
                p["party"].as_str().unwrap_or(""),
                p["stance"].as_str().unwrap_or(""),
                p["article"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            ("Ilsa <Moor>", "rejected", f.a3.as_str()),
            ("Oda Brenn", "proposed", f.a1.as_str())
        ]
    );
    let (s, e) = span_of(A1_BODY, "the channel would be dredged by May");
    assert_eq!(
        (positions[1]["start"].as_u64(), positions[1]["end"].as_u64()),
        (Some(s as u64), Some(e as u64))
    );
    assert_error(&get(&server, "/api/threads/no-such-thread/proposals"), 404);

    // The thread page shows them, escaped, each stance linked to its article.
    let page = get(&server, "/threads/thread-lesk");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Channel dredging"), "{}", page.body);
    assert!(page.body.contains("Ilsa &lt;Moor&gt;"));
    assert!(!page.body.contains("Ilsa <Moor>"));
    assert!(page.body.contains(&format!("/articles/{}", f.a1)));
}
