//! The web pages: server-rendered HTML, no scripts. Every text from the store goes through
//! [`esc`]; ids and names in links through [`url_part`].

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sitrep_model::{ArticleRecord, Event, Story};

use crate::App;
use crate::api::{self, PageParams, SearchParams};
use crate::error::ServerError;
use crate::html::{esc, first_paragraphs, page, sentence_with_mark, url_part};

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/", get(front))
        .route("/stories/{id}", get(story_page))
        .route("/articles/{id}", get(article_page))
        .route("/entities/{name}", get(entity_page))
        .route("/search", get(search_page))
        .route("/threads", get(threads_page))
        .route("/threads/{id}", get(thread_page))
        .fallback(fallback)
}

/// An error as a page (status and message; 5xx name no internals).
struct PageError(ServerError);

impl From<ServerError> for PageError {
    fn from(e: ServerError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let title = status.canonical_reason().unwrap_or("error");
        let body = format!(
            "<h1>{}</h1><p>{}</p><p><a href=\"/\">Front page</a></p>",
            esc(title),
            esc(&self.0.public_message())
        );
        (status, Html(page(title, &body))).into_response()
    }
}

type PageResult = Result<Html<String>, PageError>;

async fn fallback(uri: Uri) -> Response {
    let shown: String = uri.path().chars().take(200).collect();
    if uri.path().starts_with("/api/") {
        crate::error::ApiError(ServerError::NotFound(format!("no endpoint {shown}")))
            .into_response()
    } else {
        PageError(ServerError::NotFound(format!("no page {shown}"))).into_response()
    }
}

fn date(d: Option<sitrep_model::NaiveDate>) -> String {
    d.map_or_else(String::new, |d| d.to_string())
}

fn span(first: Option<sitrep_model::NaiveDate>, last: Option<sitrep_model::NaiveDate>) -> String {
    match (first, last) {
        (Some(a), Some(b)) if a != b => format!("{a} – {b}"),
        (Some(a), _) | (None, Some(a)) => a.to_string(),
        (None, None) => "undated".to_string(),
    }
}

fn article_link(id: &str, title: Option<&str>) -> String {
    format!(
        "<a href=\"/articles/{}\">{}</a>",
        url_part(id),
        esc(title
            .filter(|t| !t.trim().is_empty())
            .unwrap_or("(untitled)"))
    )
}

fn entity_link(name: &str) -> String {
    format!("<a href=\"/entities/{}\">{}</a>", url_part(name), esc(name))
}

fn next_link(base: &str, next: Option<&str>, label: &str) -> String {
    next.map_or_else(String::new, |c| {
        format!(
            "<p><a href=\"{base}cursor={}\">{}</a></p>",
            url_part(c),
            esc(label)
        )
    })
}

async fn front(State(app): State<App>, q: Result<Query<PageParams>, QueryRejection>) -> PageResult {
    let q = api::query(q)?;
    let cursor = q.cursor.filter(|c| !c.is_empty());
    let limit = 30;
    let (stories, next, articles, next_articles) = app
        .store(move |s| {
            let (stories, next) = s.list_stories(limit, cursor.as_deref())?;
            let (articles, next_articles) = s.list_articles(limit, None)?;
            Ok((stories, next, articles, next_articles))
        })
        .await?;
    let mut body = String::from("<h1>Current stories</h1>");
    if stories.is_empty() {
        body.push_str(
            "<p class=\"muted\">No stories yet: stories appear here once articles are ingested \
             and linked into stories.</p>",
        );
    }
    for s in &stories {
        body.push_str(&story_card(s));
    }
    body.push_str(&next_link("/?", next.as_deref(), "Older stories →"));
    body.push_str("<h2>Recent articles</h2>");
    if articles.is_empty() {
        body.push_str(
            "<p class=\"muted\">No articles stored yet (<code>sitrep ingest</code> adds them).</p>",
        );
    } else {
        body.push_str("<table><tr><th>Date</th><th>Outlet</th><th>Title</th></tr>");
        for a in &articles {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&date(a.published)),
                esc(a.outlet.as_deref().unwrap_or("")),
                article_link(&a.id, a.title.as_deref())
            );
        }
        body.push_str("</table>");
        if next_articles.is_some() {
            body.push_str(
                "<p class=\"muted\">More in <a href=\"/api/articles\">/api/articles</a>.</p>",
            );
        }
    }
    Ok(Html(page("Current stories", &body)))
}

fn actors(e: &Event) -> String {
    let names = |v: &[sitrep_model::Actor]| {
        v.iter()
            .map(|a| entity_link(&a.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (s, t) = (names(&e.source), names(&e.target));
    match (s.is_empty(), t.is_empty()) {
        (false, false) => format!("{s} → {t}"),
        (false, true) => s,
        (true, false) => format!("→ {t}"),
        (true, true) => String::new(),
    }
}

fn place(e: &Event) -> String {
    e.location
        .as_ref()
        .map_or_else(String::new, |l| match &l.country {
            Some(c) if !c.eq_ignore_ascii_case(&l.name) => format!("{} ({})", esc(&l.name), esc(c)),
            _ => esc(&l.name),
        })
}

fn event_label(e: &Event) -> String {
    let mut label = esc(&e.kind);
    if let Some(m) = &e.mode {
        let _ = write!(label, " <span class=\"muted\">{}</span>", esc(m));
    }
    if e.negated {
        label.push_str(" <span class=\"badge warn\">negated</span>");
    }
    if e.modality != "asserted" {
        let _ = write!(label, " <span class=\"badge\">{}</span>", esc(&e.modality));
    }
    if let Some(c) = &e.casualties {
        if let Some(k) = c.killed {
            let _ = write!(label, " <span class=\"badge warn\">{k} killed</span>");
        }
        if let Some(i) = c.injured {
            let _ = write!(label, " <span class=\"badge warn\">{i} injured</span>");
        }
    }
    label
}

/// An SVG plot of labelled points (equirectangular: x = longitude, y = latitude), zoomed to
/// their bounding box. Nothing is fetched from elsewhere.
fn map_svg(points: &[(String, f64, f64)]) -> String {
    if points.is_empty() {
        return "<p class=\"muted\">No places with coordinates.</p>".to_string();
    }
    let (w, h) = (720.0_f64, 360.0_f64);
    let (mut min_lon, mut max_lon, mut min_lat, mut max_lat) =
        (180.0_f64, -180.0_f64, 90.0_f64, -90.0_f64);
    for (_, lat, lon) in points {
        min_lon = min_lon.min(*lon);
        max_lon = max_lon.max(*lon);
        min_lat = min_lat.min(*lat);
        max_lat = max_lat.max(*lat);
    }
    // At least 10 x 5 degrees, with a margin, and the plot's 2:1 ratio.
    let pad = 2.0;
    let mut lon_span = (max_lon - min_lon + 2.0 * pad).max(10.0);
    let mut lat_span = (max_lat - min_lat + 2.0 * pad).max(5.0);
    if lon_span < 2.0 * lat_span {
        lon_span = 2.0 * lat_span;
    } else {
        lat_span = lon_span / 2.0;
    }
    let cx = (min_lon + max_lon) / 2.0;
    let cy = (min_lat + max_lat) / 2.0;
    let x = |lon: f64| (lon - (cx - lon_span / 2.0)) / lon_span * w;
    let y = |lat: f64| ((cy + lat_span / 2.0) - lat) / lat_span * h;
    let mut svg = format!(
        "<svg class=\"map\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Map of the story's places\">"
    );
    // A graticule every `step` degrees.
    let step = [1.0, 2.0, 5.0, 10.0, 15.0, 30.0]
        .into_iter()
        .find(|s| lon_span / s <= 12.0)
        .unwrap_or(30.0);
    let mut g = ((cx - lon_span / 2.0) / step).ceil() * step;
    while g <= cx + lon_span / 2.0 {
        let _ = write!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"0\" x2=\"{0:.1}\" y2=\"{h}\" stroke=\"#c9d6e4\" stroke-width=\"1\"/>",
            x(g)
        );
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" fill=\"#8796a8\">{g}°</text>",
            x(g) + 2.0,
            h - 4.0
        );
        g += step;
    }
    let mut g = ((cy - lat_span / 2.0) / step).ceil() * step;
    while g <= cy + lat_span / 2.0 {
        let _ = write!(
            svg,
            "<line x1=\"0\" y1=\"{0:.1}\" x2=\"{w}\" y2=\"{0:.1}\" stroke=\"#c9d6e4\" stroke-width=\"1\"/>",
            y(g)
        );
        let _ = write!(
            svg,
            "<text x=\"2\" y=\"{:.1}\" fill=\"#8796a8\">{g}°</text>",
            y(g) - 2.0
        );
        g += step;
    }
    for (label, lat, lon) in points {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"#b4461a\" stroke=\"#fff\" stroke-width=\"1.5\"><title>{}</title></circle>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x(*lon),
            y(*lat),
            esc(label),
            x(*lon) + 7.0,
            y(*lat) + 4.0,
            esc(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

async fn story_page(State(app): State<App>, id: Result<Path<String>, PathRejection>) -> PageResult {
    let id = api::path(id)?;
    let (story, articles) = app
        .store(move |s| {
            let story = s
                .get_story(&id)?
                .ok_or_else(|| api::not_found("story", &id))?;
            let mut articles = BTreeMap::new();
            for a in &story.articles {
                if let Some(r) = s.get_article(a)? {
                    articles.insert(a.clone(), r);
                }
            }
            Ok((story, articles))
        })
        .await?;
    Ok(Html(page(&story.title, &render_story(&story, &articles))))
}

fn outlet_of(articles: &BTreeMap<String, ArticleRecord>, id: &str) -> String {
    articles
        .get(id)
        .and_then(|a| a.outlet.clone())
        .unwrap_or_else(|| id.to_string())
}

fn render_story(story: &Story, articles: &BTreeMap<String, ArticleRecord>) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{}</h1><p class=\"meta\">{} · {} article{} · {}{}</p>",
        esc(&story.title),
        esc(&span(story.span.first, story.span.last)),
        story.articles.len(),
        if story.articles.len() == 1 { "" } else { "s" },
        esc(&story.outlets.join(", ")),
        story
            .thread
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map_or_else(String::new, |t| format!(
                " · <a href=\"/threads/{}\">the whole thread</a>",
                url_part(t)
            ))
    );
    if !story.entities.is_empty() {
        b.push_str("<p>");
        for e in story.entities.iter().take(12) {
            let _ = write!(b, "<span class=\"badge\">{}</span> ", entity_link(&e.name));
        }
        b.push_str("</p>");
    }

    // Disagreements first: they are the finding.
    if !story.disagreements.is_empty() {
        b.push_str("<h2>Where the sources disagree</h2>");
        for d in &story.disagreements {
            let _ = write!(
                b,
                "<div class=\"card disagreement\"><strong>{}</strong> · <span class=\"badge warn\">{}</span>{}",
                entity_link(&d.subject),
                esc(&d.slot),
                if d.within_article {
                    " <span class=\"muted\">within one article</span>"
                } else {
                    ""
                }
            );
            for v in &d.values {
                let sentence = articles
                    .get(&v.article)
                    .and_then(|a| sentence_with_mark(&a.body, v.start, v.end))
                    .unwrap_or_default();
                let _ = write!(
                    b,
                    "<div class=\"side\"><span class=\"badge\">{}</span> <strong>{}</strong> \
                     <span class=\"meta\">— {}</span><blockquote>{}</blockquote></div>",
                    esc(&outlet_of(articles, &v.article)),
                    esc(&v.value),
                    article_link(
                        &v.article,
                        articles.get(&v.article).and_then(|a| a.title.as_deref())
                    ),
                    sentence
                );
            }
            b.push_str("</div>");
        }
    }

    b.push_str("<h2>The outlets side by side</h2><div class=\"cards\">");
    for id in &story.articles {
        match articles.get(id) {
            Some(a) => {
                let _ = write!(
                    b,
                    "<div class=\"card\"><div class=\"meta\">{} · {}</div><h3>{}</h3><div class=\"body\">{}</div></div>",
                    esc(a.outlet.as_deref().unwrap_or("unknown outlet")),
                    esc(&date(a.published)),
                    article_link(id, a.title.as_deref()),
                    first_paragraphs(a, 2)
                );
            }
            None => {
                let _ = write!(
                    b,
                    "<div class=\"card muted\">Article {} is not stored.</div>",
                    esc(id)
                );
            }
        }
    }
    b.push_str("</div>");

    b.push_str("<h2>Timeline</h2>");
    if story.events.is_empty() {
        b.push_str("<p class=\"muted\">No events.</p>");
    } else {
        let mut events: Vec<_> = story.events.iter().collect();
        events.sort_by_key(|e| e.event.date.as_ref().and_then(|d| d.value));
        b.push_str(
            "<table><tr><th>Date</th><th>Event</th><th>Who</th><th>Where</th><th>Sources</th></tr>",
        );
        for e in events {
            let when = e
                .event
                .date
                .as_ref()
                .map_or_else(String::new, |d| match d.value {
                    Some(v) => v.to_string(),
                    None => d.text.clone(),
                });
            let sources = e
                .articles
                .iter()
                .map(|a| {
                    format!(
                        "<a href=\"/articles/{}\">{}</a>",
                        url_part(a),
                        esc(&outlet_of(articles, a))
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&when),
                event_label(&e.event),
                actors(&e.event),
                place(&e.event),
                sources
            );
        }
        b.push_str("</table>");
    }

    b.push_str("<h2>Who said what</h2>");
    if story.quotes.is_empty() {
        b.push_str("<p class=\"muted\">No quotes.</p>");
    }
    for q in &story.quotes {
        let speaker = q.speaker.as_deref().map_or_else(
            || "<span class=\"muted\">unattributed</span>".to_string(),
            entity_link,
        );
        let sources = q
            .articles
            .iter()
            .map(|a| {
                format!(
                    "<a href=\"/articles/{}\">{}</a>",
                    url_part(a),
                    esc(&outlet_of(articles, a))
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            b,
            "<div class=\"card\"><strong>{speaker}</strong><blockquote>{}</blockquote>",
            esc(&q.text)
        );
        for v in q.variants.iter().filter(|v| **v != q.text) {
            let _ = write!(
                b,
                "<div class=\"muted\">also reported as: “{}”</div>",
                esc(v)
            );
        }
        let _ = write!(b, "<div class=\"meta\">{sources}</div></div>");
    }

    b.push_str("<h2>Places</h2>");
    let mut points: Vec<(String, f64, f64)> = Vec::new();
    for e in &story.events {
        if let Some(l) = &e.event.location
            && let (Some(lat), Some(lon)) = (l.lat, l.lon)
            && lat.is_finite()
            && lon.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
            && !points.iter().any(|(n, _, _)| *n == l.name)
        {
            points.push((l.name.clone(), lat, lon));
        }
    }
    b.push_str(&map_svg(&points));
    b
}

async fn article_page(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
) -> PageResult {
    let id = api::path(id)?;
    let (a, stories) = app
        .store(move |s| {
            let a = s
                .get_article(&id)?
                .ok_or_else(|| api::not_found("article", &id))?;
            let stories = s.stories_of_article(&id)?;
            Ok((a, stories))
        })
        .await?;
    let title = a.title.clone().unwrap_or_else(|| "(untitled)".to_string());
    let mut b = format!("<h1>{}</h1>", esc(&title));
    if let Some(sub) = &a.subtitle {
        let _ = write!(b, "<p><em>{}</em></p>", esc(sub));
    }
    let _ = write!(
        b,
        "<p class=\"meta\">{} · {}{}{}</p>",
        esc(a.outlet.as_deref().unwrap_or("unknown outlet")),
        esc(&date(a.published)),
        if a.authors.is_empty() {
            String::new()
        } else {
            format!(" · {}", esc(&a.authors.join(", ")))
        },
        a.url.as_deref().map_or_else(String::new, |u| format!(
            " · <a href=\"{}\" rel=\"noopener nofollow\">source</a>",
            esc(safe_url(u))
        ))
    );
    if !stories.is_empty() {
        b.push_str("<p>In stories: ");
        for s in &stories {
            let _ = write!(
                b,
                "<a href=\"/stories/{}\">{}</a> ",
                url_part(&s.id),
                esc(&s.title)
            );
        }
        b.push_str("</p>");
    }
    let _ = write!(
        b,
        "<div class=\"card body\">{}</div>",
        first_paragraphs(&a, usize::MAX)
    );
    if !a.quotes.is_empty() {
        b.push_str("<h2>Quotes</h2>");
        for q in &a.quotes {
            let who = q.speaker.as_ref().map_or_else(
                || "<span class=\"muted\">unattributed</span>".to_string(),
                |s| entity_link(&s.name),
            );
            let _ = write!(
                b,
                "<div class=\"card\"><strong>{who}</strong> <span class=\"muted\">{}</span><blockquote>{}</blockquote></div>",
                esc(q.cue.as_deref().unwrap_or("")),
                esc(&q.text)
            );
        }
    }
    if !a.events.is_empty() {
        b.push_str(
            "<h2>Events</h2><table><tr><th>Date</th><th>Event</th><th>Who</th><th>Where</th></tr>",
        );
        for e in &a.events {
            let when = e.date.as_ref().map_or_else(String::new, |d| {
                d.value.map_or_else(|| d.text.clone(), |v| v.to_string())
            });
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&when),
                event_label(e),
                actors(e),
                place(e)
            );
        }
        b.push_str("</table>");
    }
    if !a.entities.is_empty() {
        b.push_str("<h2>Entities</h2><p>");
        for e in &a.entities {
            let _ = write!(
                b,
                "<span class=\"badge\">{}</span>{} ",
                esc(&e.kind),
                entity_link(&e.name)
            );
        }
        b.push_str("</p>");
    }
    Ok(Html(page(&title, &b)))
}

/// Only http(s) urls become links (a `javascript:` url stays text).
fn safe_url(u: &str) -> &str {
    let lower = u.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        u.trim()
    } else {
        "#"
    }
}

async fn entity_page(
    State(app): State<App>,
    name: Result<Path<String>, PathRejection>,
    q: Result<Query<PageParams>, QueryRejection>,
) -> PageResult {
    let name = api::path(name)?;
    let params = api::query(q)?;
    if name.trim().is_empty() || name.len() > 200 {
        return Err(ServerError::BadRequest("name must have 1 to 200 bytes".to_string()).into());
    }
    let cursor = params.cursor.filter(|c| !c.is_empty());
    let n = name.clone();
    let report = app
        .store(move |s| api::entity_report(s, &n, 100, cursor.as_deref()))
        .await?;
    let mut b = format!("<h1>{}</h1>", esc(&name));
    if !report.stories.is_empty() {
        b.push_str("<h2>Stories</h2>");
        for s in &report.stories {
            let _ = write!(
                b,
                "<div class=\"card\"><a href=\"/stories/{}\">{}</a> <span class=\"meta\">{}</span></div>",
                url_part(&s.id),
                esc(&s.title),
                esc(&span(s.first, s.last))
            );
        }
    }
    b.push_str("<h2>What they said</h2>");
    if report.quotes.is_empty() {
        b.push_str("<p class=\"muted\">No quotes found.</p>");
    }
    for q in &report.quotes {
        let _ = write!(
            b,
            "<div class=\"card\"><blockquote>{}</blockquote><div class=\"meta\">{} · {} · {}</div></div>",
            esc(&q.quote.text),
            esc(q.source.outlet.as_deref().unwrap_or("")),
            esc(&date(q.source.published)),
            article_link(&q.source.article, q.source.title.as_deref())
        );
    }
    b.push_str("<h2>What they did</h2>");
    if report.events.is_empty() {
        b.push_str("<p class=\"muted\">No events found.</p>");
    } else {
        b.push_str(
            "<table><tr><th>Date</th><th>Event</th><th>Who</th><th>Where</th><th>Source</th></tr>",
        );
        for e in &report.events {
            let when = e
                .event
                .date
                .as_ref()
                .and_then(|d| d.value)
                .or(e.source.published);
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&date(when)),
                event_label(&e.event),
                actors(&e.event),
                place(&e.event),
                article_link(&e.source.article, e.source.title.as_deref())
            );
        }
        b.push_str("</table>");
    }
    b.push_str(&next_link(
        &format!("/entities/{}?", url_part(&name)),
        report.next.as_deref(),
        "Older articles →",
    ));
    Ok(Html(page(&name, &b)))
}

async fn search_page(
    State(app): State<App>,
    q: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let params = api::query(q)?;
    let text = params.q.unwrap_or_default();
    let mut b = format!(
        "<h1>Search</h1><form action=\"/search\" method=\"get\"><input type=\"search\" name=\"q\" value=\"{}\" style=\"font:inherit;width:24rem;padding:.3rem\"> <button>Search</button></form>",
        esc(&text)
    );
    if text.trim().is_empty() {
        return Ok(Html(page("Search", &b)).into_response());
    }
    let hits = match api::run_search(&app, &text, 50).await {
        Ok(h) => h,
        Err(e @ ServerError::BadRequest(_)) => {
            let _ = write!(b, "<p class=\"muted\">{}</p>", esc(&e.to_string()));
            return Ok((StatusCode::BAD_REQUEST, Html(page("Search", &b))).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let _ = write!(
        b,
        "<p class=\"muted\">{} result{}</p>",
        hits.len(),
        if hits.len() == 1 { "" } else { "s" }
    );
    for h in &hits {
        let title = h.article_title.as_deref();
        let what = if h.hit.kind == "quote" {
            format!(
                "<span class=\"badge\">quote</span>{}",
                h.hit
                    .speaker
                    .as_deref()
                    .map_or_else(String::new, entity_link)
            )
        } else {
            "<span class=\"badge\">article</span>".to_string()
        };
        let _ = write!(
            b,
            "<div class=\"card\">{what} {}<div class=\"snippet\">{}</div><div class=\"meta\">{} · {}</div></div>",
            article_link(&h.hit.article, title),
            h.hit.snippet.to_html(),
            esc(h.outlet.as_deref().unwrap_or("")),
            esc(&date(h.published))
        );
    }
    Ok(Html(page(&format!("Search: {text}"), &b)).into_response())
}

fn story_card(s: &sitrep_store::StorySummary) -> String {
    format!(
        "<div class=\"card story\"><h3><a href=\"/stories/{}\">{}</a></h3>\
         <div class=\"meta\">{} · {} · <span class=\"badge\">{} article{}</span>{}</div></div>",
        url_part(&s.id),
        esc(&s.title),
        esc(&span(s.first, s.last)),
        esc(&s.outlets.join(", ")),
        s.articles,
        if s.articles == 1 { "" } else { "s" },
        if s.disagreements > 0 {
            format!(
                "<span class=\"badge warn\">{} disagreement{}</span>",
                s.disagreements,
                if s.disagreements == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    )
}

/// `/threads`: the longer-running storylines, newest first.
async fn threads_page(
    State(app): State<App>,
    q: Result<Query<PageParams>, QueryRejection>,
) -> PageResult {
    let q = api::query(q)?;
    let cursor = q.cursor.filter(|c| !c.is_empty());
    let app2 = app.clone();
    let threads = app.store(move |s| app2.threads().get(s)).await?;
    let from = match cursor.as_deref() {
        Some(c) => {
            let (date, id) = c
                .split_once('~')
                .ok_or_else(|| ServerError::BadRequest("bad cursor".to_string()))?;
            let key = (date.to_string(), id.to_string());
            threads
                .list
                .iter()
                .position(|t| (date_key(t.last), t.id.clone()) < key)
                .unwrap_or(threads.list.len())
        }
        None => 0,
    };
    let limit = 50;
    let mut b = String::from(
        "<h1>Threads</h1><p class=\"muted\">Storylines that run over several stories.</p>",
    );
    if threads.list.is_empty() {
        b.push_str("<p class=\"muted\">No threads yet: stories that continue one another are gathered here.</p>");
    }
    let page_items: Vec<_> = threads.list.iter().skip(from).take(limit).collect();
    for t in &page_items {
        let _ = write!(
            b,
            "<div class=\"card story\"><h3><a href=\"/threads/{}\">{}</a></h3>\
             <div class=\"meta\">{} · {} · <span class=\"badge\">{} stor{}</span>\
             <span class=\"badge\">{} article{}</span>{}</div></div>",
            url_part(&t.id),
            esc(&t.title),
            esc(&span(t.first, t.last)),
            esc(&t.outlets.join(", ")),
            t.stories,
            if t.stories == 1 { "y" } else { "ies" },
            t.articles,
            if t.articles == 1 { "" } else { "s" },
            if t.disagreements > 0 {
                format!(
                    "<span class=\"badge warn\">{} disagreement{}</span>",
                    t.disagreements,
                    if t.disagreements == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            }
        );
    }
    if from + page_items.len() < threads.list.len()
        && let Some(last) = page_items.last()
    {
        b.push_str(&next_link(
            "/threads?",
            Some(&format!("{}~{}", date_key(last.last), last.id)),
            "Older threads →",
        ));
    }
    Ok(Html(page("Threads", &b)))
}

fn date_key(d: Option<sitrep_model::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Each proposal of a thread with every party's positions over time, each linked to the
/// article that states it (conditions listed).
fn positions_section(proposals: &[sitrep_model::Proposal]) -> String {
    let mut b = String::from("<h2>Positions</h2>");
    for p in proposals {
        b.push_str(&format!("<h3>{}</h3>", esc(&p.subject)));
        if !p.variants.is_empty() {
            b.push_str(&format!(
                "<p class=\"meta\">also: {}</p>",
                esc(&p.variants.join(", "))
            ));
        }
        b.push_str("<ul>");
        for x in &p.positions {
            let date = x
                .date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "undated".into());
            let conditions: Vec<&str> = x.conditions.iter().map(|c| c.text.as_str()).collect();
            b.push_str(&format!(
                "<li>{} · <strong>{}</strong> <a href=\"/articles/{}\">{}</a>{}</li>",
                esc(&date),
                esc(&x.party),
                url_part(&x.article),
                esc(&x.stance),
                if conditions.is_empty() {
                    String::new()
                } else {
                    format!(" (if {})", esc(&conditions.join("; ")))
                }
            ));
        }
        b.push_str("</ul>");
    }
    b
}

/// `/threads/{id}`: a thread's stories, newest first.
async fn thread_page(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<PageParams>, QueryRejection>,
) -> PageResult {
    let id = api::path(id)?;
    let q = api::query(q)?;
    let cursor = q.cursor.filter(|c| !c.is_empty());
    let app2 = app.clone();
    let first_page = cursor.is_none();
    let (t, proposals) = app
        .store(move |s| {
            let t = api::thread_page(&app2, s, &id, 100, cursor.as_deref())?;
            // The positions over the whole thread, on its first page.
            let proposals = if first_page {
                api::thread_proposals(&app2, s, &id)?.proposals
            } else {
                Vec::new()
            };
            Ok((t, proposals))
        })
        .await?;
    let mut b = format!(
        "<p class=\"meta\"><a href=\"/threads\">Threads</a></p><h1>{}</h1>\
         <p class=\"meta\">{} · {} stor{} · {}</p><h2>Stories</h2>",
        esc(&t.thread.title),
        esc(&span(t.thread.first, t.thread.last)),
        t.thread.stories,
        if t.thread.stories == 1 { "y" } else { "ies" },
        esc(&t.thread.outlets.join(", "))
    );
    for s in &t.stories {
        b.push_str(&story_card(s));
    }
    if !proposals.is_empty() {
        b.push_str(&positions_section(&proposals));
    }
    b.push_str(&next_link(
        &format!("/threads/{}?", url_part(&t.thread.id)),
        t.next.as_deref(),
        "Older stories →",
    ));
    Ok(Html(page(&t.thread.title, &b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_become_links() {
        assert_eq!(
            safe_url(" https://lesk-gazette.example/a "),
            "https://lesk-gazette.example/a"
        );
        assert_eq!(safe_url("HTTP://x.example"), "HTTP://x.example");
        assert_eq!(safe_url("javascript:alert(1)"), "#");
        assert_eq!(safe_url("data:text/html,<script>"), "#");
    }

    #[test]
    fn the_map_plots_points_inside_the_frame() {
        let svg = map_svg(&[
            ("Lesk".to_string(), 60.4, 5.3),
            ("<Tarvik>".to_string(), 61.2, 9.7),
        ]);
        assert!(svg.contains("&lt;Tarvik&gt;"));
        for cap in svg.split("<circle cx=\"").skip(1) {
            let x: f64 = cap
                .split('"')
                .next()
                .and_then(|v| v.parse().ok())
                .expect("cx");
            assert!((0.0..=720.0).contains(&x), "{x}");
        }
        assert!(map_svg(&[]).contains("No places"));
    }
}
