//! robots.txt (RFC 9309) for article pages: the group for our product token (`sitrep`), else
//! the `*` group; the longest matching rule wins, `Allow` on a tie; `*` and `$` in patterns;
//! `Crawl-delay` raises the host's delay (capped at [`MAX_CRAWL_DELAY`]).

use std::time::Duration;

/// A crawl delay longer than this is taken as this (one slow host must not stall the loop).
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

/// The rules that apply to us on one host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Robots {
    /// (allow, pattern)
    rules: Vec<(bool, String)>,
    pub crawl_delay: Option<Duration>,
}

impl Robots {
    /// Everything allowed (no robots.txt, or a 4xx answer).
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Reads a robots.txt for the product token `agent` (e.g. `sitrep`).
    pub fn parse(text: &str, agent: &str) -> Robots {
        let agent = agent.to_ascii_lowercase();
        // Groups: the agents named at their top, then their rules.
        let mut groups: Vec<(Vec<String>, Robots)> = Vec::new();
        let mut in_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push((Vec::new(), Robots::default()));
                        in_agents = true;
                    }
                    if let Some(g) = groups.last_mut() {
                        g.0.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    if let Some(g) = groups.last_mut()
                        && !value.is_empty()
                    {
                        g.1.rules.push((key == "allow", value.to_string()));
                    }
                }
                "crawl-delay" => {
                    in_agents = false;
                    if let (Some(g), Ok(secs)) = (groups.last_mut(), value.parse::<f64>())
                        && secs.is_finite()
                        && secs >= 0.0
                    {
                        let d = Duration::from_secs_f64(secs.min(MAX_CRAWL_DELAY.as_secs_f64()));
                        g.1.crawl_delay = Some(d);
                    }
                }
                _ => {}
            }
        }
        let merge = |wanted: &dyn Fn(&str) -> bool| {
            let mut out: Option<Robots> = None;
            for (agents, rules) in &groups {
                if agents.iter().any(|a| wanted(a)) {
                    let o = out.get_or_insert_with(Robots::default);
                    o.rules.extend(rules.rules.iter().cloned());
                    o.crawl_delay = o.crawl_delay.max(rules.crawl_delay);
                }
            }
            out
        };
        merge(&|a: &str| !a.is_empty() && a != "*" && agent.starts_with(a))
            .or_else(|| merge(&|a: &str| a == "*"))
            .unwrap_or_default()
    }

    /// Whether a path (with its query) may be fetched.
    pub fn allowed(&self, path: &str) -> bool {
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern.as_bytes(), path.as_bytes()) {
                let len = pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, *allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Prefix match with `*` (any run) and a final `$` (end of path); linear in pattern × path
/// (patterns come from outside).
fn matches(pattern: &[u8], path: &[u8]) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix(b"$") {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    // reach[i]: the pattern so far can end just before path[i].
    let mut reach = vec![false; path.len() + 1];
    reach[0] = true;
    for &c in pattern {
        let mut next = vec![false; path.len() + 1];
        if c == b'*' {
            let mut any = false;
            for (i, r) in reach.iter().enumerate() {
                any |= *r;
                next[i] = any;
            }
        } else {
            for i in 0..path.len() {
                next[i + 1] = reach[i] && path[i] == c;
            }
        }
        reach = next;
        if !reach.contains(&true) {
            return false;
        }
    }
    if anchored {
        reach[path.len()]
    } else {
        reach.contains(&true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# team-written example
User-agent: *
Disallow: /private/
Crawl-delay: 5

User-agent: otherbot
User-agent: sitrep
Disallow: /a/secret
Allow: /a/secret/ok
Disallow: /*.pdf$
Crawl-delay: 0.5

User-agent: greedybot
Disallow: /
";

    #[test]
    fn our_group_wins_over_the_star_group() {
        let r = Robots::parse(TEXT, "sitrep");
        assert!(r.allowed("/private/x"), "the * group does not apply");
        assert!(!r.allowed("/a/secret"));
        assert!(!r.allowed("/a/secret-plans?x=1"));
        assert!(r.allowed("/a/secret/ok/page"), "longer allow wins");
        assert!(!r.allowed("/files/report.pdf"));
        assert!(
            r.allowed("/files/report.pdf?download=1"),
            "$ anchors the end"
        );
        assert!(r.allowed("/a/other"));
        assert_eq!(r.crawl_delay, Some(Duration::from_millis(500)));
    }

    #[test]
    fn star_group_and_empty_files() {
        let r = Robots::parse(TEXT, "somebot");
        assert!(!r.allowed("/private/x"));
        assert!(r.allowed("/a/secret"));
        assert_eq!(r.crawl_delay, Some(Duration::from_secs(5)));
        let none = Robots::parse("", "sitrep");
        assert!(none.allowed("/anything"));
        let all = Robots::parse("User-agent: *\nDisallow: /\nAllow: /$\n", "sitrep");
        assert!(!all.allowed("/news/1"));
        assert!(all.allowed("/"));
        let slow = Robots::parse("User-agent: *\nCrawl-delay: 86400\n", "sitrep");
        assert_eq!(slow.crawl_delay, Some(MAX_CRAWL_DELAY));
    }

    #[test]
    fn many_stars_stay_cheap() {
        let pattern = format!("/{}b", "*a".repeat(200));
        let r = Robots::parse(&format!("User-agent: *\nDisallow: {pattern}\n"), "sitrep");
        assert!(r.allowed(&format!("/{}", "a".repeat(5000))));
        assert!(!r.allowed(&format!("/{}b", "a".repeat(300))));
    }

    #[test]
    fn tie_goes_to_allow() {
        let r = Robots::parse("User-agent: *\nDisallow: /page\nAllow: /page\n", "sitrep");
        assert!(r.allowed("/page"));
    }
}
