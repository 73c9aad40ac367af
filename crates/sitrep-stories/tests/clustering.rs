//! Team-written clustering cases (fictional places and people); features built by hand, no
//! model files.

use sitrep_stories::bcubed::bcubed;
use sitrep_stories::{ArticleFeatures, Clusterer, Config};

fn date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// An article from its text, publication date, entities (`"PERSON:name"`), places and tolls.
fn article(
    id: &str,
    published: &str,
    text: &str,
    entities: &[&str],
    places: &[&str],
    killed: &[u64],
) -> ArticleFeatures {
    let mut f = ArticleFeatures::from_text(id, text, date(published));
    f.entities = entities.iter().map(|e| (e.to_string(), 1)).collect();
    f.places = places.iter().map(|p| (p.to_string(), 1)).collect();
    f.killed = killed.to_vec();
    f
}

/// Some unrelated articles so that document frequencies mean something.
fn background() -> Vec<ArticleFeatures> {
    let texts = [
        "The central bank of Norvania raised interest rates by half a point on Tuesday.",
        "Parliament in Castellan passed a budget after a long night of debate over pensions.",
        "The football club Ardent Rovers signed a striker from a rival team for a record fee.",
        "A new museum of modern art opened in the harbour district with a sculpture show.",
        "Farmers protested fuel prices by driving tractors into the capital.",
        "The airline announced cheaper fares on routes between the northern islands.",
    ];
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| article(&format!("bg{i}"), "2024-03-01", t, &[], &[], &[]))
        .collect()
}

fn quake_a() -> Vec<ArticleFeatures> {
    vec![
        article(
            "qa1",
            "2024-03-02",
            "A magnitude 6.4 earthquake struck the mountain town of Orlavia on Saturday, \
             collapsing houses and killing 41 people, rescue officials said.",
            &["ORG:orlavia red cross"],
            &["orlavia"],
            &[41],
        ),
        article(
            "qa2",
            "2024-03-03",
            "Rescuers in Orlavia searched collapsed houses after the 6.4 earthquake; the death \
             toll rose to 44, the Orlavia Red Cross said.",
            &["ORG:orlavia red cross"],
            &["orlavia"],
            &[44],
        ),
        article(
            "qa3",
            "2024-03-03",
            "Aftershocks rattled Orlavia a day after the earthquake that killed 44 people and \
             left hundreds homeless in the mountain town.",
            &[],
            &["orlavia"],
            &[44],
        ),
    ]
}

fn quake_b() -> Vec<ArticleFeatures> {
    vec![
        article(
            "qb1",
            "2024-03-04",
            "A magnitude 5.1 earthquake struck the coastal city of Tessaly, collapsing a bridge \
             and killing 3 people, officials said.",
            &["PERSON:mara quell", "PERSON:quell"],
            &["tessaly"],
            &[3],
        ),
        article(
            "qb2",
            "2024-03-05",
            "Tessaly mayor Mara Quell said the bridge that collapsed in the 5.1 earthquake will \
             be rebuilt; 3 people died.",
            &["PERSON:mara quell", "PERSON:quell"],
            &["tessaly"],
            &[3],
        ),
    ]
}

fn summit() -> Vec<ArticleFeatures> {
    vec![
        article(
            "sm1",
            "2024-03-02",
            "Foreign ministers Ilse Varga and Tomas Brenn met in Lindholm to discuss a border \
             treaty between their countries.",
            &[
                "PERSON:ilse varga",
                "PERSON:varga",
                "PERSON:tomas brenn",
                "PERSON:brenn",
            ],
            &["lindholm"],
            &[],
        ),
        article(
            "sm2",
            "2024-03-02",
            "Varga and Brenn ended their Lindholm meeting without signing the border treaty, \
             but agreed to meet again.",
            &["PERSON:varga", "PERSON:brenn"],
            &["lindholm"],
            &[],
        ),
    ]
}

fn run(config: &Config, articles: &[ArticleFeatures]) -> Clusterer {
    let mut c = Clusterer::new(config.clone());
    for a in articles {
        c.add(a);
    }
    c.consolidate();
    c
}

fn story_of(c: &Clusterer, articles: &[ArticleFeatures], id: &str) -> sitrep_stories::StoryId {
    let i = articles
        .iter()
        .position(|a| a.id == id)
        .unwrap_or(usize::MAX);
    c.story_of(i).unwrap_or_else(|| panic!("no story for {id}"))
}

#[test]
fn same_story_joins() {
    let mut all = background();
    all.extend(quake_a());
    let c = run(&Config::default(), &all);
    let s = story_of(&c, &all, "qa1");
    assert_eq!(story_of(&c, &all, "qa2"), s);
    assert_eq!(story_of(&c, &all, "qa3"), s);
    assert_ne!(story_of(&c, &all, "bg0"), s);
    let story = c.stories().into_iter().find(|x| x.id == s);
    let story = story.unwrap_or_else(|| panic!("story {s} listed"));
    assert_eq!(story.articles, ["qa1", "qa2", "qa3"]);
    assert_eq!(story.entities[0].name, "orlavia red cross");
    assert_eq!(story.entities[0].articles, 2);
}

#[test]
fn another_earthquake_is_another_story() {
    let mut all = background();
    all.extend(quake_a());
    all.extend(quake_b());
    let c = run(&Config::default(), &all);
    assert_ne!(story_of(&c, &all, "qa1"), story_of(&c, &all, "qb1"));
    assert_eq!(story_of(&c, &all, "qb1"), story_of(&c, &all, "qb2"));
}

#[test]
fn different_death_toll_lowers_similarity() {
    // The same words and place, but tolls of 41 and 300: without the toll both join.
    let a = article(
        "x1",
        "2024-05-01",
        "Earthquake hits Orlavia valley.",
        &[],
        &["orlavia"],
        &[41],
    );
    let b = article(
        "x2",
        "2024-05-01",
        "Earthquake hits Orlavia valley.",
        &[],
        &["orlavia"],
        &[300],
    );
    let mut config = Config {
        killed_penalty: 1.0,
        ..Config::default()
    };
    let c = run(&config, &[a.clone(), b.clone()]);
    assert_ne!(c.story_of(0), c.story_of(1));
    config.killed_penalty = 0.0;
    let c = run(&config, &[a, b]);
    assert_eq!(c.story_of(0), c.story_of(1));
}

#[test]
fn time_window_closes_a_story_but_not_its_thread() {
    let text = "Dockworkers in Port Serrin went on strike over pay, halting the container \
                terminal; the Serrin dockworkers union said talks had failed.";
    let all = [
        article(
            "d1",
            "2024-01-10",
            text,
            &["ORG:serrin dockworkers union"],
            &["port serrin"],
            &[],
        ),
        article(
            "d2",
            "2024-01-11",
            text,
            &["ORG:serrin dockworkers union"],
            &["port serrin"],
            &[],
        ),
        // Two months later: the same storyline, a new strike.
        article(
            "d3",
            "2024-03-15",
            text,
            &["ORG:serrin dockworkers union"],
            &["port serrin"],
            &[],
        ),
    ];
    let mut c = Clusterer::new(Config::default());
    let a1 = c.add(&all[0]);
    let a2 = c.add(&all[1]);
    let a3 = c.add(&all[2]);
    assert_eq!(a1.story, a2.story);
    assert!(a3.new_story);
    assert_ne!(a3.story, a1.story);
    assert_eq!(a3.thread, a1.thread);
    c.consolidate();
    assert_ne!(
        c.story_of(2),
        c.story_of(0),
        "the merge pass respects the window"
    );
}

#[test]
fn a_story_spans_a_week_at_most_and_its_storyline_goes_on_in_its_thread() {
    // A strike reported every day for three weeks: each report is within the window of the
    // one before, so without the cap they would chain into one three-week story.
    let text = "Dockworkers in Port Serrin stayed on strike over pay, the container terminal \
                idle; the Serrin dockworkers union said talks had not resumed.";
    let all: Vec<ArticleFeatures> = (1..=21)
        .map(|d| {
            article(
                &format!("s{d}"),
                &format!("2024-05-{d:02}"),
                text,
                &["ORG:serrin dockworkers union"],
                &["port serrin"],
                &[],
            )
        })
        .collect();
    let capped = run(&Config::default(), &all);
    let stories = capped.stories();
    assert!(stories.len() >= 3, "{stories:#?}");
    for s in &stories {
        let (first, last) = (s.first.expect("dated"), s.last.expect("dated"));
        assert!((last - first).num_days() <= 7, "{s:#?}");
    }
    let thread = capped.story_of(0).map(|s| capped.thread_of(s));
    for i in 0..all.len() {
        let t = capped.story_of(i).map(|s| capped.thread_of(s));
        assert_eq!(t, thread, "article {i} left the storyline's thread");
    }
    // Without the cap, the chain is one story.
    let uncapped = run(
        &Config {
            max_span_days: 0,
            ..Config::default()
        },
        &all,
    );
    assert_eq!(uncapped.stories().len(), 1);
}

#[test]
fn one_shared_figure_does_not_join_stories_whose_words_differ() {
    // Two briefs on different things that happen to name the same figure.
    let mut all = background();
    all.push(article(
        "n1",
        "2024-03-02",
        "Orchard growers near Vask counted 1,450 crates this season after the frost.",
        &[],
        &[],
        &[],
    ));
    all.push(article(
        "n2",
        "2024-03-02",
        "The ferry line to Tarvik sold 1,450 passes this season.",
        &[],
        &[],
        &[],
    ));
    let c = run(&Config::default(), &all);
    assert_ne!(story_of(&c, &all, "n1"), story_of(&c, &all, "n2"));
    // Unbounded, the figure alone agrees fully and joins them.
    let unbounded = Config {
        numbers_words_ratio: 0.0,
        ..Config::default()
    };
    let c = run(&unbounded, &all);
    assert_eq!(story_of(&c, &all, "n1"), story_of(&c, &all, "n2"));
}

#[test]
fn the_split_pass_tells_instances_apart_by_their_figures() {
    // Eight briefs on crane accidents at one quay, each with words of its own; four count
    // 17 hurt, four count 42: two accidents. Their shared words join them as they arrive
    // (the numbers' bound keeps the figures from holding them apart); the split pass, which
    // weighs the figures unbounded, parts them again.
    let own = [
        "alder bramble quince",
        "cobalt dunlin rowan",
        "egret fennel sorrel",
        "garnet heron teasel",
        "ibis juniper umber",
        "kestrel larch vetch",
        "merlin nettle wren",
        "osprey plover yarrow",
    ];
    let mut all = background();
    for i in [0, 2, 1, 3, 4, 5, 6, 7] {
        let hurt = if i % 2 == 0 { 17 } else { 42 };
        all.push(article(
            &format!("c{i}"),
            "2024-04-02",
            &format!("{} crane collapse tolvik quay {hurt} hurt.", own[i]),
            &[],
            &[],
            &[],
        ));
    }
    let c = run(&Config::default(), &all);
    for i in [2, 4, 6] {
        assert_eq!(
            story_of(&c, &all, &format!("c{i}")),
            story_of(&c, &all, "c0")
        );
    }
    for i in [3, 5, 7] {
        assert_eq!(
            story_of(&c, &all, &format!("c{i}")),
            story_of(&c, &all, "c1")
        );
    }
    assert_ne!(story_of(&c, &all, "c0"), story_of(&c, &all, "c1"));
    // Without the split pass they stay one story: it is the split that parts them.
    let unsplit = run(
        &Config {
            split_min_articles: 0,
            ..Config::default()
        },
        &all,
    );
    assert_eq!(
        story_of(&unsplit, &all, "c0"),
        story_of(&unsplit, &all, "c1")
    );
}

#[test]
fn order_does_not_change_the_stories() {
    let mut all = background();
    all.extend(quake_a());
    all.extend(quake_b());
    all.extend(summit());
    let gold: Vec<&str> = all.iter().map(|a| &a.id[..2]).collect();
    // Background articles are each their own story.
    let gold: Vec<String> = all
        .iter()
        .zip(gold)
        .map(|(a, g)| {
            if g == "bg" {
                a.id.clone()
            } else {
                g.to_string()
            }
        })
        .collect();
    let n = all.len();
    for seed in 0..12u64 {
        // A fixed pseudo-random permutation per seed.
        let mut order: Vec<usize> = (0..n).collect();
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        for i in (1..n).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            order.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let shuffled: Vec<ArticleFeatures> = order.iter().map(|&i| all[i].clone()).collect();
        let c = run(&Config::default(), &shuffled);
        let predicted: Vec<u32> = (0..n)
            .map(|i| c.story_of(i).map_or(u32::MAX, |s| s.0))
            .collect();
        let gold_shuffled: Vec<&String> = order.iter().map(|&i| &gold[i]).collect();
        let score = bcubed(&predicted, &gold_shuffled);
        let got: Vec<Vec<String>> = c.stories().into_iter().map(|s| s.articles).collect();
        assert_eq!(score.f1, 1.0, "order {order:?}: {score:?} {got:?}");
    }
}

#[test]
fn empty_and_odd_articles_do_not_crash() {
    let mut c = Clusterer::new(Config::default());
    let empty = ArticleFeatures::from_text("e1", "", None);
    assert!(empty.is_empty());
    let a = c.add(&empty);
    let b = c.add(&ArticleFeatures::from_text("e2", "  ... !!! \u{0}", None));
    assert!(a.new_story && b.new_story);
    assert_ne!(a.story, b.story);
    let mut weird = ArticleFeatures::from_text("e3", "x", None);
    weird.words = vec![(String::new(), 0), ("word".to_string(), 0)];
    weird.entities = vec![(":".to_string(), 1)];
    c.add(&weird);
    c.add(&ArticleFeatures::default());
    c.consolidate();
    assert_eq!(c.stories().len(), 4);
}

#[test]
fn baseline_config_uses_words_only() {
    let mut all = background();
    all.extend(quake_a());
    let c = run(&Config::tfidf_baseline(0.2), &all);
    assert_eq!(story_of(&c, &all, "qa1"), story_of(&c, &all, "qa2"));
}

/// Four articles on one actress entering a clinic; `name` and `town` tell the instances apart.
fn clinic(prefix: &str, name: &str, town: &str) -> Vec<ArticleFeatures> {
    let texts = [
        "on Friday",
        "this week",
        "late on Friday",
        "before the weekend",
    ]
    .map(|when| {
        format!("Actress {name} checked into a rehab clinic in {town} {when}, her publicist said.")
    });
    let person = format!("PERSON:{}", name.to_lowercase());
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let place = town.to_lowercase();
            article(
                &format!("{prefix}{i}"),
                "2024-06-07",
                t,
                &[&person],
                &[&place],
                &[],
            )
        })
        .collect()
}

#[test]
fn core_penalty_keeps_two_instances_of_one_topic_apart() {
    // The same topic (an actress in rehab), two instances: each story's core names (the
    // actress, the town) are missing from the other. Articles join only their own instance;
    // the merge pass (lower threshold) joins the two stories without the core penalty.
    let mut all = background();
    all.extend(clinic("m", "Mirela Vostani", "Tarvel"));
    all.extend(clinic("k", "Ilsa Korrin", "Brenmouth"));
    let apart = Config {
        threshold: 0.6,
        merge_threshold: 0.2,
        core_penalty: 0.8,
        core_min_articles: 2,
        // The split pass would take them apart too (see the next test).
        split_min_articles: 0,
        ..Config::default()
    };
    let c = run(&apart, &all);
    assert_eq!(story_of(&c, &all, "m0"), story_of(&c, &all, "m3"));
    assert_eq!(story_of(&c, &all, "k0"), story_of(&c, &all, "k3"));
    assert_ne!(story_of(&c, &all, "m0"), story_of(&c, &all, "k0"));
    let together = Config {
        core_penalty: 0.0,
        ..apart
    };
    let c = run(&together, &all);
    assert_eq!(story_of(&c, &all, "m0"), story_of(&c, &all, "k0"));
}

#[test]
fn split_pass_separates_two_instances_joined_early() {
    // A low joining threshold puts both actresses' articles in one story while it is young
    // (the topic's words carry them); the split pass bisects it afterwards: two articles of
    // different actresses are much less alike than two of the same one, and the merge pass
    // then keeps the halves apart. Without the pass they stay one story.
    let mut all = background();
    all.extend(clinic("m", "Mirela Vostani", "Tarvel"));
    all.extend(clinic("k", "Ilsa Korrin", "Brenmouth"));
    let joined = Config {
        threshold: 0.1,
        merge_threshold: 0.3,
        core_penalty: 0.8,
        core_min_articles: 2,
        split_min_articles: 0,
        ..Config::default()
    };
    let c = run(&joined, &all);
    assert_eq!(story_of(&c, &all, "m0"), story_of(&c, &all, "k0"));
    let split = Config {
        split_min_articles: 3,
        split_ratio: 0.6,
        ..joined
    };
    let c = run(&split, &all);
    assert_eq!(story_of(&c, &all, "m0"), story_of(&c, &all, "m3"));
    assert_eq!(story_of(&c, &all, "k0"), story_of(&c, &all, "k3"));
    assert_ne!(story_of(&c, &all, "m0"), story_of(&c, &all, "k0"));
    let mut stories: Vec<Vec<String>> = c
        .stories()
        .into_iter()
        .map(|s| s.articles)
        .filter(|a| a.len() > 1)
        .collect();
    stories.sort();
    assert_eq!(
        stories,
        [["k0", "k1", "k2", "k3"], ["m0", "m1", "m2", "m3"]]
    );
}

#[test]
fn observed_background_weighs_words_as_the_whole_stream_would() {
    // A burst of two unrelated stories from one town: alone, the town's words are in every
    // article and look as telling as the stories' own.
    let burst = [
        (
            "p1",
            "Velmar harbour council quay market square weekly: ferry strike.",
        ),
        (
            "p2",
            "Velmar harbour council quay market square weekly: ferry crews strike.",
        ),
        (
            "q1",
            "Velmar harbour council quay market square weekly: bakery fire.",
        ),
        (
            "q2",
            "Velmar harbour council quay market square weekly: bakery silo fire.",
        ),
    ];
    let articles: Vec<ArticleFeatures> = burst
        .iter()
        .map(|(id, t)| article(id, "2024-05-10", t, &[], &[], &[]))
        .collect();
    let stories = |c: &Clusterer| {
        let mut s: Vec<Vec<String>> = c.stories().into_iter().map(|s| s.articles).collect();
        s.sort();
        s
    };
    let alone = run(&Config::default(), &articles);
    assert_eq!(stories(&alone).len(), 1, "{:?}", stories(&alone));
    // The stream before: the town's council and harbour in the news every day.
    let mut c = Clusterer::new(Config::default());
    for i in 0..60 {
        let text = format!("Velmar harbour council quay market square weekly {i}: agenda.");
        c.observe(&article(
            &format!("bg{i}"),
            "2024-04-01",
            &text,
            &[],
            &[],
            &[],
        ));
    }
    for a in &articles {
        c.add(a);
    }
    c.consolidate();
    assert_eq!(
        stories(&c),
        [
            vec!["p1".to_string(), "p2".to_string()],
            vec!["q1".to_string(), "q2".to_string()]
        ],
        "observed articles are counted, never placed"
    );
}

/// `n` made-up words (letters only, no plural endings), from `start` on.
fn made_up_words(start: usize, n: usize) -> Vec<String> {
    const SYLLABLES: [&str; 8] = ["ba", "ke", "lo", "mu", "ri", "na", "to", "vu"];
    (start..start + n)
        .map(|i| {
            format!(
                "{}{}{}",
                SYLLABLES[i % 8],
                SYLLABLES[(i / 8) % 8],
                SYLLABLES[(i / 64) % 8]
            )
        })
        .collect()
}

#[test]
fn length_factor_asks_more_of_long_articles_only() {
    // Two long articles sharing half their words and two short ones sharing most: with no
    // length factor both pairs join; with a steep one the long pair (about 40 distinct words,
    // four times the reference length) stays apart while the short pair still joins.
    let mut all = background();
    let shared = made_up_words(0, 20);
    for (id, start) in [("long1", 100), ("long2", 200)] {
        let mut words = shared.clone();
        words.extend(made_up_words(start, 20));
        all.push(article(id, "2024-03-02", &words.join(" "), &[], &[], &[]));
    }
    all.push(article(
        "short1",
        "2024-03-02",
        "Volcano Merrow erupted, ash over Pellin village.",
        &[],
        &[],
        &[],
    ));
    all.push(article(
        "short2",
        "2024-03-03",
        "Merrow volcano erupted again; Pellin village evacuated.",
        &[],
        &[],
        &[],
    ));
    let flat = Config {
        threshold: 0.3,
        merge_threshold: 0.3,
        split_min_articles: 0,
        length_exponent: 0.0,
        length_ref: 10.0,
        ..Config::default()
    };
    let c = run(&flat, &all);
    assert_eq!(story_of(&c, &all, "long1"), story_of(&c, &all, "long2"));
    assert_eq!(story_of(&c, &all, "short1"), story_of(&c, &all, "short2"));
    let steep = Config {
        length_exponent: 1.0,
        ..flat
    };
    let c = run(&steep, &all);
    assert_ne!(story_of(&c, &all, "long1"), story_of(&c, &all, "long2"));
    assert_eq!(story_of(&c, &all, "short1"), story_of(&c, &all, "short2"));
}

/// A long article: its headline, a lead sentence, then `background` (the shared context
/// paragraphs related events repeat).
fn long_article(
    id: &str,
    day: &str,
    title: &str,
    lead: &str,
    background: &[String],
) -> ArticleFeatures {
    let body = format!("{lead}\n\n{}", background.join(" "));
    ArticleFeatures::from_parts(
        id,
        Some(title),
        &body,
        date(day),
        &sitrep_model::Extraction::default(),
    )
}

#[test]
fn the_lead_tells_related_events_apart() {
    // Four long articles on two related events of one affair: each repeats the same context
    // paragraphs (the affair's made-up vocabulary), and only the headline and lead sentence
    // say which event it reports. Without the lead signal the shared context joins all four;
    // with it the two events come apart and each event's articles still join.
    let mut all = background();
    let context = made_up_words(0, 60);
    let other_context = made_up_words(300, 20);
    let mut resign = context.clone();
    resign.extend(other_context.clone());
    all.push(long_article(
        "resign1",
        "2024-03-02",
        "Minister Tovar resigns over Quellport dredging contract",
        "Transport minister Ilse Tovar resigned on Monday, saying the dredging award had cost her the trust of parliament. Her deputy, Oren Salk, will run the ministry until the governing coalition names a successor, a spokeswoman told reporters outside the cabinet office late in the evening.",
        &resign,
    ));
    all.push(long_article(
        "resign2",
        "2024-03-02",
        "Tovar quits as transport minister",
        "Ilse Tovar stepped down as transport minister after the dredging award drew protests in parliament. She handed her resignation letter to the prime minister, and deputy Oren Salk takes over the ministry for now while coalition leaders search for a successor.",
        &context,
    ));
    all.push(long_article(
        "audit1",
        "2024-03-03",
        "Auditors open inquiry into Quellport contracts",
        "The national audit office opened an inquiry into how eleven harbour contracts were awarded since last spring. Inspectors will request tender documents from the port authority and interview the officials who scored the bids, the office said, with a first report due in autumn.",
        &context,
    ));
    all.push(long_article(
        "audit2",
        "2024-03-03",
        "Audit office to examine harbour contract awards",
        "Auditors will examine the award of eleven harbour contracts, the national audit office said in a statement. Its inspectors are to collect the port authority's tender files and question the officials who scored each bid before reporting in the autumn.",
        &resign,
    ));
    let words_only = Config {
        weights: sitrep_stories::Weights {
            lead: 0.0,
            ..Config::default().weights
        },
        threshold: 0.3,
        merge_threshold: 0.3,
        split_min_articles: 0,
        core_penalty: 0.0,
        length_exponent: 0.0,
        ..Config::default()
    };
    let c = run(&words_only, &all);
    assert_eq!(story_of(&c, &all, "resign1"), story_of(&c, &all, "audit1"));
    let with_lead = Config {
        weights: sitrep_stories::Weights {
            lead: 3.0,
            ..words_only.weights
        },
        ..words_only
    };
    let c = run(&with_lead, &all);
    assert_ne!(story_of(&c, &all, "resign1"), story_of(&c, &all, "audit1"));
    assert_eq!(story_of(&c, &all, "resign1"), story_of(&c, &all, "resign2"));
    assert_eq!(story_of(&c, &all, "audit1"), story_of(&c, &all, "audit2"));
}

#[test]
fn a_sample_counts_as_the_stream_it_stands_for() {
    use sitrep_stories::StoryStore;
    // Six articles drawn from sixty: half name the town, half do not.
    let sample: Vec<ArticleFeatures> = (0..6)
        .map(|i| {
            let text = if i % 2 == 0 {
                format!("Velmar harbour council agenda {i}.")
            } else {
                format!("Distant orchard cooperative picnic {i}.")
            };
            article(&format!("s{i}"), "2024-04-01", &text, &[], &[], &[])
        })
        .collect();
    let mut c = Clusterer::new(Config::default());
    c.observe_sample(&sample, 60);
    let store = c.store();
    assert_eq!(store.docs(), 60);
    let df_of = |word: &str| {
        (0u32..)
            .map_while(|id| store.feature(id).map(|(_, w)| (id, w)))
            .find(|(_, w)| *w == word)
            .map(|(id, _)| store.df(id))
    };
    assert_eq!(df_of("velmar"), Some(30));
    assert_eq!(df_of("orchard"), Some(30));
    // Shares are whole articles and add up to the stream: seven for three.
    let mut c = Clusterer::new(Config::default());
    c.observe_sample(&sample[..3], 7);
    assert_eq!(c.store().docs(), 7);
    // Nothing is placed, and a sample larger than what it stands for counts as itself.
    let mut c = Clusterer::new(Config::default());
    c.observe_sample(&sample, 2);
    assert_eq!(c.store().docs(), 6);
    assert!(c.stories().is_empty());
}

fn with_embedding(mut a: ArticleFeatures, e: &[f32]) -> ArticleFeatures {
    a.embedding = e.to_vec();
    a
}

/// Stories as sorted lists of article ids (comparable across runs).
fn partition(c: &Clusterer) -> Vec<Vec<String>> {
    let mut p: Vec<Vec<String>> = c
        .stories()
        .into_iter()
        .map(|s| {
            let mut a = s.articles;
            a.sort();
            a
        })
        .collect();
    p.sort();
    p
}

#[test]
fn embeddings_change_nothing_while_off() {
    let mut plain = background();
    plain.extend(quake_a());
    plain.extend(quake_b());
    plain.extend(summit());
    let embedded: Vec<ArticleFeatures> = plain
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let x = i as f32;
            with_embedding(a.clone(), &[x.sin(), x.cos(), (2.0 * x).sin(), 0.5])
        })
        .collect();
    let config = Config::default();
    assert_eq!(config.embedding_weight, 0.0);
    assert_eq!(config.embedding_floor, 0.0);
    assert_eq!(
        partition(&run(&config, &plain)),
        partition(&run(&config, &embedded))
    );
}

#[test]
fn embedding_floor_keeps_apart_what_words_would_join() {
    let mut all = background();
    let quake = quake_a();
    // qa1 points one way, qa2 and qa3 another: the words join them, the floor does not.
    all.push(with_embedding(quake[0].clone(), &[1.0, 0.0, 0.0]));
    all.push(with_embedding(quake[1].clone(), &[0.0, 1.0, 0.0]));
    all.push(with_embedding(quake[2].clone(), &[0.0, 0.9, 0.1]));
    let plain = run(&Config::default(), &all);
    assert_eq!(story_of(&plain, &all, "qa1"), story_of(&plain, &all, "qa2"));
    let gated = Config {
        embedding_floor: 0.5,
        ..Config::default()
    };
    let c = run(&gated, &all);
    assert_ne!(story_of(&c, &all, "qa1"), story_of(&c, &all, "qa2"));
    assert_eq!(story_of(&c, &all, "qa2"), story_of(&c, &all, "qa3"));
}

/// The background plus a short pair ("p1", "p2") that shares few words ("homes") but embeds
/// alike.
fn background_with_paraphrases() -> Vec<ArticleFeatures> {
    let mut all = background();
    all.push(with_embedding(
        article(
            "p1",
            "2024-03-02",
            "Floodwater forced families in Marrow Bay from their homes overnight.",
            &[],
            &["marrow bay"],
            &[],
        ),
        &[0.6, 0.8, 0.0],
    ));
    all.push(with_embedding(
        article(
            "p2",
            "2024-03-02",
            "Rising rivers drove residents to evacuate homes along the coast.",
            &[],
            &[],
            &[],
        ),
        &[0.6, 0.8, 0.05],
    ));
    all
}

/// Candidates still come from shared rare features (here "homes"): the embedding rescores
/// them, it does not find stories on its own.
#[test]
fn embedding_weight_joins_paraphrases_that_share_few_words() {
    let all = background_with_paraphrases();
    let plain = run(&Config::default(), &all);
    assert_ne!(story_of(&plain, &all, "p1"), story_of(&plain, &all, "p2"));
    let mixed = Config {
        embedding_weight: 0.6,
        ..Config::default()
    };
    let c = run(&mixed, &all);
    assert_eq!(story_of(&c, &all, "p1"), story_of(&c, &all, "p2"));
    // Background articles have no embedding: for them the similarity is the words' alone.
    assert_ne!(story_of(&c, &all, "bg0"), story_of(&c, &all, "p1"));
}

#[test]
fn embedding_weight_ramps_with_article_length() {
    // A short pair that shares few words but embeds alike (as in the test above) and a long
    // pair (40 distinct made-up words each, 4 of them shared) that embeds alike too. With the
    // weight ramped from 20 to 30 distinct words, the short pair is scored by its words alone
    // and stays apart, while the long pair gets the full weight and joins; an offset of 0.8
    // asks more of the cosine than the long pair's words and embedding give together.
    let mut all = background_with_paraphrases();
    let shared = made_up_words(0, 4);
    for (id, start, e) in [("long1", 100, 0.0), ("long2", 200, 0.05)] {
        let mut words = shared.clone();
        words.extend(made_up_words(start, 36));
        all.push(with_embedding(
            article(id, "2024-03-02", &words.join(" "), &[], &[], &[]),
            &[0.0, 0.6, 0.8 + e],
        ));
    }
    let words_only = run(&Config::default(), &all);
    assert_ne!(
        story_of(&words_only, &all, "long1"),
        story_of(&words_only, &all, "long2")
    );
    let flat = Config {
        embedding_weight: 0.6,
        ..Config::default()
    };
    let c = run(&flat, &all);
    assert_eq!(story_of(&c, &all, "p1"), story_of(&c, &all, "p2"));
    assert_eq!(story_of(&c, &all, "long1"), story_of(&c, &all, "long2"));
    let ramped = Config {
        embedding_short: 20.0,
        embedding_long: 30.0,
        ..flat.clone()
    };
    let c = run(&ramped, &all);
    assert_ne!(story_of(&c, &all, "p1"), story_of(&c, &all, "p2"));
    assert_eq!(story_of(&c, &all, "long1"), story_of(&c, &all, "long2"));
    // A step at 20 words (long at or below short) does the same.
    let step = Config {
        embedding_long: 0.0,
        ..ramped.clone()
    };
    let c = run(&step, &all);
    assert_ne!(story_of(&c, &all, "p1"), story_of(&c, &all, "p2"));
    assert_eq!(story_of(&c, &all, "long1"), story_of(&c, &all, "long2"));
    let offset = Config {
        embedding_offset: 0.8,
        ..ramped
    };
    let c = run(&offset, &all);
    assert_ne!(story_of(&c, &all, "long1"), story_of(&c, &all, "long2"));
}

#[test]
fn the_recommended_embedding_setting_leaves_short_texts_to_the_words() {
    // The short paraphrase pair above, and two long pairs (90 distinct made-up words each,
    // SHARED of them in common): one pair embeds alike, the other does not. The defaults keep
    // both long pairs apart (too few shared words for their length); the recommended
    // embedding setting joins the pair that embeds alike, not the other, and still scores
    // the short pair by its words alone.
    const SHARED: usize = 15;
    let mut all = background_with_paraphrases();
    for (pair, base, e1, e2) in [
        ("alike", 0, [0.0, 0.6, 0.8], [0.0, 0.6, 0.85]),
        ("apart", 1000, [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]),
    ] {
        let shared = made_up_words(base, SHARED);
        for (i, (start, e)) in [(base + 100, e1), (base + 200, e2)].into_iter().enumerate() {
            let mut words = shared.clone();
            words.extend(made_up_words(start, 90 - SHARED));
            all.push(with_embedding(
                article(
                    &format!("{pair}{i}"),
                    "2024-03-02",
                    &words.join(" "),
                    &[],
                    &[],
                    &[],
                ),
                &e,
            ));
        }
    }
    let c = run(&Config::default(), &all);
    assert_ne!(story_of(&c, &all, "alike0"), story_of(&c, &all, "alike1"));
    assert_ne!(story_of(&c, &all, "apart0"), story_of(&c, &all, "apart1"));
    let recommended = Config::with_embeddings();
    let c = run(&recommended, &all);
    assert_eq!(story_of(&c, &all, "alike0"), story_of(&c, &all, "alike1"));
    assert_ne!(story_of(&c, &all, "apart0"), story_of(&c, &all, "apart1"));
    assert_ne!(story_of(&c, &all, "p1"), story_of(&c, &all, "p2"));
    // Without the ramp the same weight joins the short pair on its embeddings.
    let flat = Config {
        embedding_short: 0.0,
        embedding_long: 0.0,
        embedding_offset: 0.0,
        ..recommended
    };
    let c = run(&flat, &all);
    assert_eq!(story_of(&c, &all, "p1"), story_of(&c, &all, "p2"));
}

/// Two stories of made-up words on one day: four reports of one (`f`, seven of ten words
/// each) and three of the other (`e`, seven of ten), and a report of the first (`fx`) that
/// also names four of the words of the second's first report: alone with that report it is
/// close enough to join it.
fn early_join_fixture() -> Vec<ArticleFeatures> {
    let a = made_up_words(300, 10);
    let b = made_up_words(400, 10);
    let pick = |words: &[String], idx: &[usize]| -> String {
        idx.iter()
            .map(|&i| words[i].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = Vec::new();
    for (id, idx) in [
        ("f1", [0, 1, 2, 3, 4, 5, 6]),
        ("f2", [1, 2, 3, 5, 7, 8, 9]),
        ("f3", [0, 2, 4, 6, 7, 8, 9]),
        ("f4", [0, 1, 3, 4, 6, 8, 9]),
    ] {
        out.push(article(id, "2024-04-10", &pick(&a, &idx), &[], &[], &[]));
    }
    for (id, idx) in [
        ("e1", [0, 1, 2, 3, 4, 5, 6]),
        ("e2", [0, 2, 4, 5, 7, 8, 9]),
        ("e3", [1, 3, 5, 6, 7, 8, 9]),
    ] {
        out.push(article(id, "2024-04-10", &pick(&b, &idx), &[], &[], &[]));
    }
    let x = format!("{} {}", pick(&a, &[0, 1, 2, 3, 4]), pick(&b, &[0, 1, 2, 3]));
    out.push(article("fx", "2024-04-10", &x, &[], &[], &[]));
    out
}

#[test]
fn reassignment_makes_an_early_wrong_join_order_independent() {
    // Orders: the second story's first report, then fx, then the rest (fx joins that story
    // and, without the pass, stays there), and the first story's reports first (fx joins
    // them). With the pass fx moves to its own story's peers: one result for every order.
    let fixture = early_join_fixture();
    let pick = |ids: &[&str]| -> Vec<ArticleFeatures> {
        let mut all = background();
        all.extend(
            ids.iter()
                .filter_map(|id| fixture.iter().find(|a| a.id == *id).cloned()),
        );
        all
    };
    let orders = [
        pick(&["e1", "fx", "f1", "e2", "f2", "f3", "e3", "f4"]),
        pick(&["e1", "e2", "fx", "e3", "f1", "f2", "f3", "f4"]),
        pick(&["f1", "f2", "fx", "e1", "e2", "f3", "e3", "f4"]),
        pick(&["f4", "e3", "f3", "e2", "f2", "e1", "f1", "fx"]),
    ];
    let expected: Vec<Vec<String>> = [
        vec!["bg0"],
        vec!["bg1"],
        vec!["bg2"],
        vec!["bg3"],
        vec!["bg4"],
        vec!["bg5"],
        vec!["e1", "e2", "e3"],
        vec!["f1", "f2", "f3", "f4", "fx"],
    ]
    .iter()
    .map(|s| s.iter().map(|x| x.to_string()).collect())
    .collect();
    // A higher threshold than the default, so that fx's early join is the only link
    // between the two stories.
    let with = Config {
        threshold: 0.3,
        merge_threshold: 0.3,
        ..Config::default()
    };
    let without = Config {
        reassign_rounds: 0,
        ..with.clone()
    };
    let results: Vec<Vec<Vec<String>>> = orders
        .iter()
        .map(|o| partition(&run(&without, o)))
        .collect();
    assert!(
        results.iter().any(|r| *r != expected),
        "without the pass the result depends on the order: {results:?}"
    );
    for o in &orders {
        assert_eq!(partition(&run(&with, o)), expected);
    }
}

#[test]
fn the_cheaper_reassignment_pass_moves_what_the_full_pass_moves() {
    // Step 10: only articles fitting their own story (left one out) below `reassign_close`
    // look for another story (below `threshold + reassign_close`). The early wrong join of `fx` fits its story badly, so the
    // cheaper pass still moves it, in every order, as the full pass does.
    let fixture = early_join_fixture();
    let with_order = |ids: &[&str]| -> Vec<ArticleFeatures> {
        let mut all = background();
        all.extend(
            ids.iter()
                .filter_map(|id| fixture.iter().find(|a| a.id == *id).cloned()),
        );
        all
    };
    let cheap = Config {
        threshold: 0.3,
        merge_threshold: 0.3,
        ..Config::default()
    };
    assert!(cheap.reassign_close > 0.0);
    let full = Config {
        reassign_close: 0.0,
        ..cheap.clone()
    };
    let none = Config {
        reassign_rounds: 0,
        ..cheap.clone()
    };
    let order = with_order(&["e1", "fx", "f1", "e2", "f2", "f3", "e3", "f4"]);
    let moved = partition(&run(&cheap, &order));
    assert_ne!(
        moved,
        partition(&run(&none, &order)),
        "the pass has work here"
    );
    assert_eq!(moved, partition(&run(&full, &order)));
    assert!(
        moved
            .iter()
            .any(|s| s.contains(&"fx".to_string()) && s.contains(&"f1".to_string()))
    );
}

/// A long dated stream (team-made, like the scale example's): `days` days of `per_day`
/// articles; stories of 1-6 articles over at most 3 days, each with 6 words of its own and
/// 2 of its storyline (a storyline lasts about 40 days), plus 12 words from a shared pool of
/// 300; one entity of the story's and one place of the storyline's.
fn long_stream(days: u32, per_day: u32, seed: u64) -> Vec<ArticleFeatures> {
    let mut x = seed | 1;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n.max(1)
    };
    let start = date("2024-01-01").unwrap_or_default();
    // (story, storyline, articles left, first day)
    let mut active: Vec<(u64, u64, u64, u32)> = Vec::new();
    let (mut stories, mut storyline) = (0u64, 0u64);
    let mut out = Vec::new();
    for day in 0..days {
        if day % 40 == 0 {
            storyline += 1;
        }
        for i in 0..per_day {
            active.retain(|s| s.2 > 0 && day - s.3 <= 3);
            if active.is_empty() || next(4) == 0 {
                let line = storyline * 3 + next(3);
                active.push((stories, line, 1 + next(6), day));
                stories += 1;
            }
            let k = next(active.len() as u64) as usize;
            active[k].2 -= 1;
            let (story, line, _, _) = active[k];
            let mut words: Vec<(String, u32)> = Vec::new();
            for j in 0..6 {
                words.push((format!("zor{story}x{j}"), 1));
            }
            for j in 0..2 {
                words.push((format!("lin{line}x{j}"), 1));
            }
            for _ in 0..12 {
                words.push((format!("com{}", next(300)), 1));
            }
            words.sort();
            words.dedup();
            out.push(ArticleFeatures {
                id: format!("d{day}n{i}"),
                published: start.checked_add_signed(chrono::Duration::days(i64::from(day))),
                words,
                entities: vec![(format!("PERSON:per{story}"), 1)],
                places: vec![(format!("pla{line}"), 1)],
                ..Default::default()
            });
        }
    }
    out
}

#[test]
fn evicting_closed_stories_and_threads_changes_no_clustering() {
    let stream = long_stream(160, 12, 11);
    let config = Config {
        merge_every: 40,
        thread_window_days: 30,
        ..Config::default()
    };
    let kept = Config {
        evict_closed: false,
        ..config.clone()
    };
    let (a, b) = (run(&config, &stream), run(&kept, &stream));
    // Eviction happened (else the comparison says nothing) ...
    let (sa, sb) = (a.state_stats(), b.state_stats());
    assert!(sa.story_profiles * 3 < sb.story_profiles, "{sa:?} {sb:?}");
    assert!(sa.thread_profiles * 2 < sb.thread_profiles, "{sa:?} {sb:?}");
    // A compacted (or merged-away) story or thread keeps no profile body: only live ones do.
    assert!(sa.story_bodies <= sa.story_profiles, "{sa:?}");
    assert!(sa.thread_bodies <= sa.thread_profiles, "{sa:?}");
    assert!(sa.story_bodies * 3 < sb.story_bodies, "{sa:?} {sb:?}");
    // ... and the output is the same: stories (articles, span, title, entities), threads.
    assert_eq!(a.stories(), b.stories());
    assert!(a.stories().len() > 100);
    for i in 0..stream.len() {
        let (x, y) = (a.story_of(i), b.story_of(i));
        assert_eq!(x, y);
        assert_eq!(x.map(|s| a.thread_of(s)), y.map(|s| b.thread_of(s)));
    }
}

#[test]
fn live_profiles_stay_bounded_on_a_long_stream() {
    let stream = long_stream(400, 10, 5);
    let config = Config {
        thread_window_days: 30,
        merge_every: 50,
        ..Config::default()
    };
    let mut c = Clusterer::new(config.clone());
    let mut kept = Clusterer::new(Config {
        evict_closed: false,
        ..config
    });
    // Live (not evicted, not merged) story and thread profiles after each 50 articles.
    let mut live: Vec<(u32, u32)> = Vec::new();
    for (i, a) in stream.iter().enumerate() {
        c.add(a);
        kept.add(a);
        if (i + 1) % 50 == 0 {
            let st = c.state_stats();
            live.push((st.story_profiles, st.thread_profiles));
        }
    }
    // From day 100 on (both windows and their margins passed) the counts are flat: the last
    // quarter's peak is no higher than 1.3 times the peak of days 100-200 ...
    let at = |day: usize| day * 10 / 50;
    let peak = |r: std::ops::Range<usize>, f: fn(&(u32, u32)) -> u32| {
        live[r].iter().map(f).max().unwrap_or(0)
    };
    let (early_s, late_s) = (
        peak(at(100)..at(200), |x| x.0),
        peak(at(300)..live.len(), |x| x.0),
    );
    let (early_t, late_t) = (
        peak(at(100)..at(200), |x| x.1),
        peak(at(300)..live.len(), |x| x.1),
    );
    assert!(late_s * 10 <= early_s * 13, "stories {early_s} -> {late_s}");
    assert!(late_t * 10 <= early_t * 13, "threads {early_t} -> {late_t}");
    // ... while without eviction every story ever made keeps its profile.
    let (s, k) = (c.state_stats(), kept.state_stats());
    assert_eq!(s.stories, k.stories);
    assert!(k.story_profiles > 4 * late_s, "{k:?} vs {late_s}");
    assert!(k.thread_profiles > 3 * late_t, "{k:?} vs {late_t}");
}
