//! Proposals across the stories of a thread.

use crate::{Position, Proposal};

/// The proposals of a thread: its stories' proposals merged where one's wording (subject or
/// variant, any case) is another's, each party's positions from every story in time order
/// (publication date, undated last, then article and offset; a position reported twice is
/// kept once). A proposal is named as in the earliest story; proposals come in the order of
/// their first position.
pub fn thread_proposals(stories: &[crate::Story]) -> Vec<Proposal> {
    let mut stories: Vec<&crate::Story> = stories.iter().collect();
    stories.sort_by_key(|s| (s.span.first.is_none(), s.span.first, s.id.clone()));
    let wordings = |p: &Proposal| -> Vec<String> {
        std::iter::once(&p.subject)
            .chain(&p.variants)
            .map(|w| w.trim().to_lowercase())
            .collect()
    };
    let mut merged: Vec<Proposal> = Vec::new();
    for p in stories.iter().flat_map(|s| &s.proposals) {
        let words = wordings(p);
        let same = merged
            .iter()
            .position(|m| wordings(m).iter().any(|w| words.contains(w)));
        match same {
            Some(i) => {
                let m = &mut merged[i];
                for w in std::iter::once(&p.subject).chain(&p.variants) {
                    let lw = w.trim().to_lowercase();
                    if !wordings(m).contains(&lw) {
                        m.variants.push(w.clone());
                    }
                }
                m.positions.extend(p.positions.iter().cloned());
            }
            None => merged.push(p.clone()),
        }
    }
    let when = |x: &Position| (x.date.is_none(), x.date, x.article.clone(), x.start);
    for m in &mut merged {
        m.positions
            .sort_by(|a, b| when(a).cmp(&when(b)).then(a.party.cmp(&b.party)));
        m.positions
            .dedup_by(|a, b| a.article == b.article && a.start == b.start && a.party == b.party);
    }
    merged.sort_by_key(|m| m.positions.first().map(when));
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(party: &str, stance: &str, day: Option<u32>, article: &str) -> Position {
        Position {
            party: party.to_string(),
            stance: stance.to_string(),
            conditions: vec![],
            date: day.and_then(|d| crate::NaiveDate::from_ymd_opt(2025, 6, d)),
            article: article.to_string(),
            start: 0,
            end: 10,
        }
    }

    fn story_with(first: u32, proposals: Vec<Proposal>) -> crate::Story {
        crate::Story {
            schema: crate::SCHEMA.to_string(),
            id: format!("s{first}"),
            title: String::new(),
            articles: vec![],
            outlets: vec![],
            span: crate::StorySpan {
                first: crate::NaiveDate::from_ymd_opt(2025, 6, first),
                last: None,
            },
            thread: Some("t1".to_string()),
            entities: vec![],
            quotes: vec![],
            events: vec![],
            disagreements: vec![],
            proposals,
        }
    }

    #[test]
    fn a_threads_proposals_gather_every_storys_positions_in_time_order() {
        let truce = |variants: &[&str], positions| Proposal {
            subject: "30-day truce".to_string(),
            variants: variants.iter().map(|v| v.to_string()).collect(),
            positions,
        };
        let first = story_with(
            2,
            vec![
                truce(&[], vec![position("Norland", "proposed", Some(2), "a1")]),
                Proposal {
                    subject: "prisoner exchange".to_string(),
                    variants: vec![],
                    positions: vec![position("Vesk", "proposed", Some(3), "a2")],
                },
            ],
        );
        let later = story_with(
            9,
            vec![Proposal {
                subject: "30-Day Ceasefire".to_string(),
                variants: vec!["30-day truce".to_string()],
                positions: vec![
                    position("Vesk", "conditional", Some(9), "a5"),
                    position("Norland", "proposed", Some(2), "a1"),
                    position("Vesk", "rejected", None, "a7"),
                ],
            }],
        );
        let got = thread_proposals(&[later, first]);
        assert_eq!(got.len(), 2);
        // Merged through the shared wording, named as in the earliest story; ordered by first
        // position (2 June, then 3 June).
        assert_eq!(got[0].subject, "30-day truce");
        assert_eq!(got[0].variants, ["30-Day Ceasefire"]);
        let stances: Vec<(&str, &str)> = got[0]
            .positions
            .iter()
            .map(|p| (p.party.as_str(), p.stance.as_str()))
            .collect();
        assert_eq!(
            stances,
            [
                ("Norland", "proposed"),
                ("Vesk", "conditional"),
                ("Vesk", "rejected")
            ]
        );
        assert_eq!(got[1].subject, "prisoner exchange");
        assert!(thread_proposals(&[]).is_empty());
    }
}
