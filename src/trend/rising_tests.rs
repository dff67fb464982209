use super::*;
use chrono::TimeZone;

fn cfg() -> RisingConfig {
    RisingConfig {
        baseline_weeks: 8,
        min_papers: 5,
        max_phrases: 5,
        fdr: 0.01,
    }
}

/// A stream of `per_day` papers a day for `days` days up to `end`, abstracts drawn from a fixed
/// vocabulary of topic words so phrases recur at steady rates.
struct Stream {
    keys: Vec<String>,
    titles: Vec<String>,
    abstracts: Vec<String>,
    dates: Vec<DateTime<Utc>>,
}

const WORDS: &[&str] = &[
    "graph",
    "neural",
    "network",
    "transformer",
    "attention",
    "diffusion",
    "policy",
    "reward",
    "language",
    "vision",
    "retrieval",
    "kernel",
    "sparse",
    "gradient",
    "convex",
    "bandit",
    "robust",
    "federated",
    "privacy",
    "causal",
    "embedding",
    "latent",
    "variational",
    "bayesian",
    "contrastive",
    "segmentation",
    "detection",
    "translation",
    "speech",
    "protein",
    "molecule",
    "quantization",
    "pruning",
    "distillation",
    "curriculum",
    "meta",
    "adversarial",
    "generative",
];

impl Stream {
    fn new(seed: u64, days: i64, per_day: usize, end: DateTime<Utc>) -> Stream {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut s = Stream {
            keys: vec![],
            titles: vec![],
            abstracts: vec![],
            dates: vec![],
        };
        for back in (0..days).rev() {
            for j in 0..per_day {
                let sentence = |rng: &mut fastrand::Rng| {
                    (0..3)
                        .map(|_| WORDS[rng.usize(..WORDS.len())])
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                let abs: Vec<String> = (0..8).map(|_| sentence(&mut rng)).collect();
                s.keys.push(format!("p{back}-{j}"));
                s.titles.push(sentence(&mut rng));
                s.abstracts.push(abs.join(". ") + ".");
                s.dates
                    .push(end - Duration::days(back) - Duration::hours(6));
            }
        }
        s
    }

    fn docs(&self) -> Vec<Doc<'_>> {
        (0..self.keys.len())
            .map(|i| Doc {
                key: &self.keys[i],
                title: &self.titles[i],
                abstract_text: &self.abstracts[i],
                url: None,
                date: self.dates[i],
            })
            .collect()
    }

    /// Appends `sentence` to `n_recent` papers of the last week and `n_before` of the weeks before.
    fn inject(
        &mut self,
        seed: u64,
        sentence: &str,
        n_recent: usize,
        n_before: usize,
        end: DateTime<Utc>,
    ) -> Vec<String> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let cut = end - Duration::days(RECENT_DAYS);
        let (mut recent, mut before): (Vec<usize>, Vec<usize>) =
            (0..self.keys.len()).partition(|&i| self.dates[i] > cut);
        rng.shuffle(&mut recent);
        rng.shuffle(&mut before);
        for &i in recent
            .iter()
            .take(n_recent)
            .chain(before.iter().take(n_before))
        {
            self.abstracts[i].push(' ');
            self.abstracts[i].push_str(sentence);
        }
        recent
            .into_iter()
            .take(n_recent)
            .map(|i| self.keys[i].clone())
            .collect()
    }
}

fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 23, 59, 59).unwrap()
}

#[test]
fn an_injected_phrase_leads_with_its_papers() {
    let mut s = Stream::new(1, 63, 15, end());
    let want = s.inject(
        2,
        "We call this mechanism spectral token routing.",
        20,
        4,
        end(),
    );
    let out = detect(&s.docs(), end(), &cfg());
    assert!(out.note.is_none(), "{:?}", out.note);
    let top = out.phrases.first().expect("a rising phrase");
    // Any three-word part of the sentence: here its words are equally rare before, so either reads.
    assert!(
        ["spectral token routing", "mechanism spectral token"].contains(&top.phrase.as_str()),
        "{:?}",
        out.phrases
    );
    assert_eq!(top.count, 20);
    let got: HashSet<&String> = top.keys.iter().collect();
    assert_eq!(got, want.iter().collect());
    assert!((top.share - 20.0 / 105.0).abs() < 1e-3, "{}", top.share);
    assert!((top.baseline_share - 4.0 / 840.0).abs() < 1e-3);
    assert_eq!(top.papers.len(), 2);
    // Its parts ("spectral", "token routing", ...) rose only with it: not shown again.
    assert!(
        out.phrases[1..]
            .iter()
            .all(|p| !"mechanism spectral token routing".contains(&p.phrase)),
        "{:?}",
        out.phrases
    );
}

#[test]
fn an_unchanged_stream_yields_nothing() {
    for seed in 10..16 {
        let s = Stream::new(seed, 63, 15, end());
        let out = detect(&s.docs(), end(), &cfg());
        assert!(out.tested >= WORDS.len(), "{}", out.tested);
        assert!(out.phrases.is_empty(), "seed {seed}: {:?}", out.phrases);
    }
}

#[test]
fn a_phrase_in_few_papers_is_not_a_trend() {
    let mut s = Stream::new(3, 63, 15, end());
    s.inject(4, "A quokka lattice.", 4, 0, end());
    let out = detect(&s.docs(), end(), &cfg());
    assert!(out.phrases.iter().all(|p| !p.phrase.contains("quokka")));
}

#[test]
fn little_history_is_said_plainly() {
    let s = Stream::new(5, 10, 15, end());
    let out = detect(&s.docs(), end(), &cfg());
    assert!(out.phrases.is_empty());
    assert_eq!(
        out.note.as_deref(),
        Some("not enough history yet (10 days)")
    );
    // Papers dated outside the window do not count as history.
    let mut s = Stream::new(6, 10, 15, end());
    s.dates[0] = end() - Duration::days(400);
    let out = detect(&s.docs(), end(), &cfg());
    assert_eq!(
        out.note.as_deref(),
        Some("not enough history yet (10 days)")
    );
    // No papers at all (deadlines or blogs only): nothing to say.
    assert_eq!(detect(&[], end(), &cfg()), Outcome::default());
}

#[test]
fn the_statistic_is_zero_without_change_and_shrinks_small_counts() {
    let z0 = z_score(10.0, 100.0, 80.0, 800.0).unwrap();
    assert!(z0.abs() < 1e-9, "{z0}");
    let up = z_score(20.0, 105.0, 4.0, 840.0).unwrap();
    assert!(up > 6.0, "{up}");
    // Three papers this week and none before: up, but far from significant after the prior.
    let few = z_score(3.0, 105.0, 0.0, 840.0).unwrap();
    assert!(few > 0.0 && few < 2.0, "{few}");
    assert!(z_score(0.0, 10.0, 0.0, 10.0).is_none());
    // The same shares over ten times the papers are ten times the evidence (z about √10 higher),
    // also for a phrase no paper had before.
    let big = z_score(200.0, 1050.0, 40.0, 8400.0).unwrap();
    assert!(big > 2.5 * up, "{big} vs {up}");
    let new_small = z_score(20.0, 105.0, 0.0, 840.0).unwrap();
    let new_big = z_score(2000.0, 10500.0, 0.0, 84000.0).unwrap();
    assert!(new_big > 2.5 * new_small, "{new_big} vs {new_small}");
    assert!((p_value(0.0) - 0.5).abs() < 1e-12);
    assert!(p_value(4.0) < 1e-4);
}
