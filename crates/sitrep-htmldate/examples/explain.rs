//! Every heuristic's answer for one HTML file: `cargo run --example explain -- FILE [URL]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: explain FILE [URL]");
        std::process::exit(2);
    };
    let url = args.next();
    let bytes = std::fs::read(&path).unwrap_or_default();
    let html = String::from_utf8_lossy(&bytes);
    let doc = dom_query::Document::from(html.as_ref());
    for (stage, m) in sitrep_htmldate::explain(&doc, url.as_deref()) {
        println!("{stage:<16} {} {:?}", m.date, m.source);
    }
}
