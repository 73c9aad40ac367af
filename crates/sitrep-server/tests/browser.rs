//! The pages in a real browser: headless Chromium (Debian's `/usr/bin/chromium`, driven by
//! playwright-core from `e2e/node_modules`, both installed by `scripts/browser`) walks front
//! page -> story -> disagreement -> entity -> search -> article, and opens an article holding a
//! `<script>` that must not run. The screenshots it takes (front and story page) are checked
//! here: real PNGs of the viewport's size, not blank, and the story page shows the
//! disagreement highlight colour.
//!
//! Without Chromium, node or playwright-core the test prints a note and passes, unless
//! `SITREP_REQUIRE_BROWSER=1` (set by `scripts/test`), where it fails.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use sitrep_model::Extraction;
use sitrep_store::Store;

const VIEWPORT: (u32, u32) = (1280, 900);
/// The background of `<mark>` (`--mark` in the page CSS): the disagreement highlight.
const HIGHLIGHT: [u8; 3] = [0xff, 0xf1, 0xa8];
const SCRIPT_BODY: &str = "Ilsa Moor wrote <script>window.__sitrepPwned = 1</script> and \
    <img src=x onerror=\"window.__sitrepPwned = 2\"> in a note to the harbour office.";

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("e2e")
}

/// What is missing to run the browser, if anything.
fn missing() -> Option<String> {
    let chromium = std::env::var("SITREP_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("no chromium at {chromium}"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no node on PATH".to_string());
    }
    let playwright = e2e_dir().join("node_modules/playwright-core/package.json");
    if !playwright.exists() {
        return Some(format!("no {}", playwright.display()));
    }
    None
}

#[test]
fn a_reader_walks_the_pages_in_chromium() {
    if let Some(what) = missing() {
        let required = std::env::var("SITREP_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "browser test required (SITREP_REQUIRE_BROWSER=1) but {what}: run scripts/browser"
        );
        eprintln!("note: browser test skipped: {what} (scripts/browser installs it)");
        return;
    }
    let mut script_article = String::new();
    let (server, _) = start(|store: &mut Store| {
        let fixture = fill(store);
        let a = article(
            "note.txt",
            SCRIPT_BODY,
            "A note <script>window.__sitrepPwned = 3</script>",
            "lesk-gazette.example",
            4,
        );
        script_article = a.id.clone();
        store
            .insert_batch(&[(a, Extraction::default())])
            .expect("insert the script article");
        Some(fixture)
    });
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("screenshot folder");

    let run = Command::new("node")
        .arg("browse.mjs")
        .arg(format!("http://{}", server.addr))
        .arg(&out)
        .arg(&script_article)
        .current_dir(e2e_dir())
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        run.status.success(),
        "browse.mjs failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("ok: no script ran"));

    let front = Png::read(&out.join("front.png"));
    let story = Png::read(&out.join("story.png"));
    for (name, png) in [("front", &front), ("story", &story)] {
        assert_eq!((png.width, png.height), VIEWPORT, "{name} screenshot size");
        let colours = png.distinct_colours();
        assert!(
            colours > 50,
            "{name} screenshot looks blank: {colours} colours"
        );
    }
    let highlighted = story.count_near(HIGHLIGHT, 3);
    assert!(
        highlighted > 200,
        "the story page screenshot shows the highlight colour in {highlighted} pixels"
    );
    // The front page has no disagreement text, so no highlight.
    assert_eq!(front.count_near(HIGHLIGHT, 3), 0);
    eprintln!("screenshots checked in {}", out.display());
}

// ---------------------------------------------------------------- a small PNG reader

/// An 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes), decoded to RGB.
struct Png {
    width: u32,
    height: u32,
    rgb: Vec<[u8; 3]>,
}

impl Png {
    fn read(path: &Path) -> Png {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{} is not a PNG",
            path.display()
        );
        let mut pos = 8;
        let (mut width, mut height, mut channels) = (0u32, 0u32, 0usize);
        let mut data = Vec::new();
        while pos + 8 <= bytes.len() {
            let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().expect("len")) as usize;
            let kind = &bytes[pos + 4..pos + 8];
            let body = &bytes[pos + 8..pos + 8 + len];
            match kind {
                b"IHDR" => {
                    width = u32::from_be_bytes(body[0..4].try_into().expect("width"));
                    height = u32::from_be_bytes(body[4..8].try_into().expect("height"));
                    assert_eq!(body[8], 8, "bit depth");
                    assert_eq!(body[12], 0, "interlace");
                    channels = match body[9] {
                        2 => 3,
                        6 => 4,
                        other => panic!("colour type {other}"),
                    };
                }
                b"IDAT" => data.extend_from_slice(body),
                b"IEND" => break,
                _ => {}
            }
            pos += 12 + len;
        }
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&data[..])
            .read_to_end(&mut raw)
            .expect("inflate");
        let stride = width as usize * channels;
        assert_eq!(raw.len(), height as usize * (stride + 1), "image data size");
        let mut pixels = vec![0u8; height as usize * stride];
        for y in 0..height as usize {
            let filter = raw[y * (stride + 1)];
            let line = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
            for x in 0..stride {
                let a = if x >= channels {
                    pixels[y * stride + x - channels]
                } else {
                    0
                };
                let b = if y > 0 {
                    pixels[(y - 1) * stride + x]
                } else {
                    0
                };
                let c = if x >= channels && y > 0 {
                    pixels[(y - 1) * stride + x - channels]
                } else {
                    0
                };
                let predicted = match filter {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                    4 => paeth(a, b, c),
                    other => panic!("filter {other}"),
                };
                pixels[y * stride + x] = line[x].wrapping_add(predicted);
            }
        }
        let rgb = pixels
            .chunks_exact(channels)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        Png { width, height, rgb }
    }

    fn distinct_colours(&self) -> usize {
        self.rgb
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len()
    }

    fn count_near(&self, colour: [u8; 3], tolerance: u8) -> usize {
        self.rgb
            .iter()
            .filter(|p| (0..3).all(|i| p[i].abs_diff(colour[i]) <= tolerance))
            .count()
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
