//! The learned per-reader model: a linear SVM over hashed TF-IDF (arxiv-sanity-lite's recipe: squared
//! hinge, balanced classes, small C) trained on what the reader liked (library entries and 👍) against
//! what they did not (👎, and, weakly, the papers they saw listed and left unrated), plus what the
//! `why` line needs: the liked papers' titles and vectors, and the authors they liked more than once.
//!
//! Beyond the recipe: 👎 are real negatives at full weight while unrated papers count a fraction (many
//! of them would have been liked), recent ratings weigh more than old ones, the score adds the
//! similarity to the nearest liked papers (a handful of examples says more by nearest neighbour than
//! through a hyperplane), and hashing keeps the stored model to the weights it learned.

use super::features::{author_key, counts, Idf, Sparse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What the reader said about one example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Liked,
    Disliked,
    /// Listed in the store, never rated: probably not of interest, but not said.
    Unrated,
}

/// One training example: a paper's text and what the reader said about it.
#[derive(Debug, Clone)]
pub struct Example {
    pub title: String,
    pub abstract_text: String,
    pub authors: Vec<String>,
    pub label: Label,
    /// Recency and trust: 1.0 for a fresh rating, less for old ones.
    pub weight: f32,
}

/// Knobs of the training; `Params::default()` is what trendd uses, `Params::arxiv_sanity()` the
/// recipe it starts from (for the benchmark).
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub c: f32,
    /// Weight of an unrated paper as a negative, relative to a 👎.
    pub unrated_weight: f32,
    /// How much the mean similarity to the nearest liked papers adds to the SVM's score.
    pub neighbours: f32,
    /// Documents in more than this share of the corpus carry no feature.
    pub max_df: f32,
    /// Word pairs as features besides words.
    pub bigrams: bool,
    /// How many nearest liked (and disliked) papers the neighbour term averages.
    pub k: usize,
    /// How much the similarity to the nearest disliked papers takes away.
    pub contrast: f32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            c: 0.1,
            unrated_weight: 0.3,
            neighbours: 1.0,
            max_df: 0.5,
            bigrams: true,
            k: 3,
            contrast: 1.0,
        }
    }
}

impl Params {
    pub fn arxiv_sanity() -> Self {
        Params {
            c: 0.01,
            unrated_weight: 1.0,
            neighbours: 0.0,
            max_df: 0.5,
            bigrams: true,
            k: 3,
            contrast: 0.0,
        }
    }
}

/// A liked paper, as the `why` line needs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Liked {
    pub title: String,
    /// Its strongest features only: enough to find the nearest liked paper.
    pub vector: Sparse,
}

/// The stored model (`Table::Model`, one per reader).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    #[serde(with = "crate::store::ts")]
    pub trained_at: DateTime<Utc>,
    /// What it was trained on (ratings, library, corpus), to tell when it is stale.
    pub fingerprint: u64,
    pub idf: Idf,
    /// SVM weights, sorted by feature; empty when there was nothing to learn against.
    pub weights: Sparse,
    pub bias: f32,
    pub neighbours: f32,
    pub contrast: f32,
    pub k: u32,
    pub bigrams: bool,
    pub liked: Vec<Liked>,
    /// Vectors of rated papers (liked and disliked), to tell what lies outside everything rated.
    pub rated: Vec<Sparse>,
    /// Vectors of disliked papers, for the neighbour term.
    pub disliked: Vec<Sparse>,
    /// Author key → how many liked papers carry it (two or more only).
    pub liked_authors: Vec<(String, u32)>,
    pub positives: u32,
    pub negatives: u32,
    #[serde(skip)]
    index: std::sync::OnceLock<Index>,
}

/// Stored vectors by feature, and the weights as a map (see `Model::index`).
#[derive(Debug, Clone, Default)]
struct Index {
    postings: HashMap<u32, Vec<(u8, u32, f32)>>,
    weights: HashMap<u32, f32>,
}

/// What the model says about one candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub score: f32,
    /// The most similar liked paper and how similar (cosine).
    pub like: Option<(String, f32)>,
    /// A candidate's author (as the candidate writes the name) and how many liked papers they wrote.
    pub author: Option<(String, u32)>,
    /// 1 − the highest similarity to any rated paper: how far outside the profile it lies.
    pub novelty: f32,
}

const LIKED_KEPT: usize = 300;
const RATED_KEPT: usize = 600;
const LIKED_FEATURES: usize = 64;
const RATED_FEATURES: usize = 32;

fn strongest(v: &Sparse, k: usize) -> Sparse {
    let mut top = v.clone();
    top.sort_unstable_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    top.truncate(k);
    top.sort_unstable_by_key(|x| x.0);
    top
}

/// Trains on `examples` (newest first, so the most recent liked papers are the ones kept for `why`).
/// None when nothing was liked: without a positive there is no taste to learn.
pub fn train(
    examples: &[Example],
    p: Params,
    fingerprint: u64,
    now: DateTime<Utc>,
) -> Option<Model> {
    // Without a liked paper there is nothing to learn: the corpus is not even read.
    if !examples.iter().any(|e| e.label == Label::Liked) {
        return None;
    }
    let raw: Vec<HashMap<u32, f32>> = examples
        .iter()
        .map(|e| counts(&e.title, &e.abstract_text, &e.authors, p.bigrams))
        .collect();
    let idf = Idf::fit(raw.iter(), p.max_df);
    let vecs: Vec<Sparse> = raw.iter().map(|c| idf.vector(c)).collect();
    let pos: Vec<usize> = (0..examples.len())
        .filter(|&i| examples[i].label == Label::Liked)
        .collect();
    if pos.is_empty() {
        return None;
    }
    let ys: Vec<f32> = examples
        .iter()
        .map(|e| if e.label == Label::Liked { 1.0 } else { -1.0 })
        .collect();
    let ws: Vec<f32> = examples
        .iter()
        .map(|e| {
            e.weight
                * match e.label {
                    Label::Unrated => p.unrated_weight,
                    _ => 1.0,
                }
        })
        .collect();
    let (weights, bias) = if pos.len() < examples.len() {
        svm(&vecs, &ys, &ws, p.c)
    } else {
        (Vec::new(), 0.0)
    };

    // Author key → (liked, disliked) papers that carry it.
    let mut authors: HashMap<String, (u32, u32)> = HashMap::new();
    for (i, e) in examples.iter().enumerate() {
        let liked = match e.label {
            Label::Liked => true,
            Label::Disliked => false,
            Label::Unrated => continue,
        };
        let mut seen: Vec<String> = examples[i].authors.iter().map(|a| author_key(a)).collect();
        seen.sort();
        seen.dedup();
        for a in seen.into_iter().filter(|a| !a.is_empty()) {
            let n = authors.entry(a).or_default();
            if liked {
                n.0 += 1;
            } else {
                n.1 += 1;
            }
        }
    }
    // An author is a reason when liked twice and mostly liked: one on every paper, liked and
    // disliked alike, says nothing of the reader.
    let mut liked_authors: Vec<(String, u32)> = authors
        .into_iter()
        .filter(|(_, (l, d))| *l >= 2 && *l >= 3 * *d)
        .map(|(a, (l, _))| (a, l))
        .collect();
    liked_authors.sort();
    Some(Model {
        trained_at: now,
        fingerprint,
        idf,
        weights,
        bias,
        neighbours: p.neighbours,
        contrast: p.contrast,
        k: p.k.max(1) as u32,
        bigrams: p.bigrams,
        disliked: (0..examples.len())
            .filter(|&i| examples[i].label == Label::Disliked)
            .take(RATED_KEPT)
            .map(|i| strongest(&vecs[i], LIKED_FEATURES))
            .collect(),
        liked: pos
            .iter()
            .take(LIKED_KEPT)
            .map(|&i| Liked {
                title: examples[i].title.clone(),
                vector: strongest(&vecs[i], LIKED_FEATURES),
            })
            .collect(),
        rated: (0..examples.len())
            .filter(|&i| examples[i].label != Label::Unrated)
            .take(RATED_KEPT)
            .map(|i| strongest(&vecs[i], RATED_FEATURES))
            .collect(),
        liked_authors,
        positives: pos.len() as u32,
        negatives: ys.iter().filter(|&&y| y < 0.0).count() as u32,
        index: Default::default(),
    })
}

/// A linear SVM with squared hinge loss by dual coordinate descent (Hsieh et al. 2008, the solver
/// behind liblinear and so scikit-learn's LinearSVC), classes balanced as `class_weight="balanced"`
/// does, each example's cost scaled by its weight, and a bias feature of 1 like liblinear's. Written
/// here because it is forty lines and the crates that offer it (linfa-svm, smartcore) bring ndarray
/// and a kernel SVM the ranker does not need.
fn svm(x: &[Sparse], y: &[f32], w8: &[f32], c: f32) -> (Sparse, f32) {
    let mut index: HashMap<u32, usize> = HashMap::new();
    let local: Vec<Vec<(usize, f32)>> = x
        .iter()
        .map(|v| {
            v.iter()
                .map(|&(f, val)| {
                    let n = index.len();
                    (*index.entry(f).or_insert(n), val)
                })
                .collect()
        })
        .collect();
    let d = index.len();
    let n = x.len() as f32;
    let wsum = |sign: f32| -> f32 {
        y.iter()
            .zip(w8)
            .filter(|(yy, _)| **yy == sign)
            .map(|(_, w)| *w)
            .sum::<f32>()
            .max(1e-6)
    };
    let (wp, wn) = (wsum(1.0), wsum(-1.0));
    let total = wp + wn;
    let cost: Vec<f32> = y
        .iter()
        .zip(w8)
        .map(|(&yy, &w)| {
            let class = if yy > 0.0 { wp } else { wn };
            c * w * total / (2.0 * class) * (n / total)
        })
        .collect();
    let diag: Vec<f32> = cost.iter().map(|c| 0.5 / c.max(1e-9)).collect();
    let qii: Vec<f32> = local
        .iter()
        .zip(&diag)
        .map(|(v, dd)| v.iter().map(|x| x.1 * x.1).sum::<f32>() + 1.0 + dd)
        .collect();
    let mut w = vec![0f32; d + 1];
    let mut alpha = vec![0f32; x.len()];
    let mut order: Vec<usize> = (0..x.len()).collect();
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    for _ in 0..300 {
        rng.shuffle(&mut order);
        let mut worst = 0f32;
        for &i in &order {
            let wx: f32 = local[i].iter().map(|&(j, v)| w[j] * v).sum::<f32>() + w[d];
            let g = y[i] * wx - 1.0 + diag[i] * alpha[i];
            let pg = if alpha[i] == 0.0 { g.min(0.0) } else { g };
            worst = worst.max(pg.abs());
            if pg.abs() > 1e-9 {
                let old = alpha[i];
                alpha[i] = (old - g / qii[i]).max(0.0);
                let step = (alpha[i] - old) * y[i];
                for &(j, v) in &local[i] {
                    w[j] += step * v;
                }
                w[d] += step;
            }
        }
        if worst < 1e-3 {
            break;
        }
    }
    let mut out: Sparse = index
        .into_iter()
        .filter(|&(_, j)| w[j] != 0.0)
        .map(|(f, j)| (f, w[j]))
        .collect();
    out.sort_unstable_by_key(|x| x.0);
    (out, w[d])
}

impl Model {
    /// How much the reader would like a paper, and why.
    /// Postings of the stored vectors by feature, built on first use: scoring a candidate then
    /// touches only the features it has, not every stored vector (a merge per vector made a
    /// 10,000-rating model cost 3 ms per candidate).
    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut postings: HashMap<u32, Vec<(u8, u32, f32)>> = HashMap::new();
            for (g, vs) in [
                (
                    0u8,
                    self.liked.iter().map(|l| &l.vector).collect::<Vec<_>>(),
                ),
                (1, self.disliked.iter().collect()),
                (2, self.rated.iter().collect()),
            ] {
                for (i, v) in vs.into_iter().enumerate() {
                    for &(f, x) in v {
                        postings.entry(f).or_default().push((g, i as u32, x));
                    }
                }
            }
            Index {
                postings,
                weights: self.weights.iter().copied().collect(),
            }
        })
    }

    /// How much the reader would like a paper, and why.
    pub fn judge(&self, title: &str, abstract_text: &str, authors: &[String]) -> Judgement {
        let v = self
            .idf
            .vector(&counts(title, abstract_text, authors, self.bigrams));
        let ix = self.index();
        let mut acc = [
            vec![0f32; self.liked.len()],
            vec![0f32; self.disliked.len()],
            vec![0f32; self.rated.len()],
        ];
        let mut svm = 0f32;
        for &(f, x) in &v {
            if let Some(ps) = ix.postings.get(&f) {
                for &(g, i, y) in ps {
                    acc[g as usize][i as usize] += x * y;
                }
            }
            svm += x * ix.weights.get(&f).copied().unwrap_or(0.0);
        }
        let [liked, disliked, rated] = acc;
        let mut sims: Vec<(usize, f32)> = liked.into_iter().enumerate().collect();
        sims.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
        let k = sims.len().min(self.k as usize);
        let mut near = sims[..k].iter().map(|x| x.1).sum::<f32>() / k.max(1) as f32;
        if self.contrast > 0.0 && !disliked.is_empty() {
            let mut d = disliked;
            d.sort_unstable_by(|a, b| b.total_cmp(a));
            let k = d.len().min(self.k as usize);
            near -= self.contrast * d[..k].iter().sum::<f32>() / k as f32;
        }
        let score = if self.weights.is_empty() {
            near
        } else {
            svm + self.bias + self.neighbours * near
        };
        let like = sims.first().map(|&(i, s)| (self.liked[i].title.clone(), s));
        let author = authors
            .iter()
            .filter_map(|a| {
                let k = author_key(a);
                self.liked_authors
                    .binary_search_by(|x| x.0.as_str().cmp(&k))
                    .ok()
                    .map(|i| (a.clone(), self.liked_authors[i].1))
            })
            .max_by_key(|x| x.1);
        let closest = rated.into_iter().fold(0f32, f32::max);
        Judgement {
            score,
            like,
            author,
            novelty: 1.0 - closest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(title: &str, abs: &str, label: Label) -> Example {
        Example {
            title: title.into(),
            abstract_text: abs.into(),
            authors: vec!["Jane Doe".into()],
            label,
            weight: 1.0,
        }
    }

    fn corpus() -> Vec<Example> {
        let mut v = vec![
            ex(
                "Diffusion models for image synthesis",
                "Denoising diffusion generates images from noise.",
                Label::Liked,
            ),
            ex(
                "Faster sampling of diffusion models",
                "Fewer denoising steps for diffusion image generation.",
                Label::Liked,
            ),
            ex(
                "Graph networks for molecules",
                "Message passing over molecular graphs predicts properties.",
                Label::Disliked,
            ),
            ex(
                "Protein graphs and message passing",
                "Graph neural networks on protein structure.",
                Label::Disliked,
            ),
        ];
        for i in 0..20 {
            v.push(ex(
                &format!("Reinforcement learning benchmark {i}"),
                "Agents learn policies from reward in games.",
                Label::Unrated,
            ));
        }
        v
    }

    #[test]
    fn it_ranks_the_liked_topic_above_the_disliked_one_and_says_which_paper() {
        let m = train(&corpus(), Params::default(), 1, Utc::now()).unwrap();
        let good = m.judge(
            "Latent diffusion for high resolution images",
            "A denoising diffusion model in latent space.",
            &[],
        );
        let bad = m.judge(
            "Message passing for molecular property prediction",
            "Graph networks on molecules.",
            &[],
        );
        let other = m.judge(
            "Policies from reward",
            "Reinforcement learning agents in games.",
            &[],
        );
        assert!(
            good.score > bad.score && good.score > other.score,
            "{good:?} {bad:?} {other:?}"
        );
        assert!(good
            .like
            .as_ref()
            .unwrap()
            .0
            .to_lowercase()
            .contains("diffusion"));
        assert!(good.novelty < other.novelty || other.novelty == 1.0);
    }

    #[test]
    fn nothing_liked_is_no_model_and_only_liked_is_nearest_neighbours() {
        let only_bad: Vec<Example> = corpus()
            .into_iter()
            .filter(|e| e.label != Label::Liked)
            .collect();
        assert!(train(&only_bad, Params::default(), 1, Utc::now()).is_none());
        let only_good: Vec<Example> = corpus()
            .into_iter()
            .filter(|e| e.label == Label::Liked)
            .collect();
        let m = train(&only_good, Params::default(), 1, Utc::now()).unwrap();
        assert!(m.weights.is_empty());
        let good = m.judge("Diffusion for images", "denoising diffusion images", &[]);
        let other = m.judge("Molecules", "graphs of molecules", &[]);
        assert!(good.score > other.score);
    }

    #[test]
    fn authors_liked_twice_are_named() {
        let mut ex = corpus();
        for e in ex.iter_mut().filter(|e| e.label == Label::Disliked) {
            e.authors = vec!["Max Mustermann".into()];
        }
        let m = train(&ex, Params::default(), 1, Utc::now()).unwrap();
        let j = m.judge(
            "Anything",
            "at all",
            &["Doe, Jane".into(), "Richard Roe".into()],
        );
        assert_eq!(j.author, Some(("Doe, Jane".to_string(), 2)));
    }

    #[test]
    fn an_author_on_liked_and_disliked_papers_alike_is_no_reason() {
        let mut ex = corpus();
        for e in ex.iter_mut().filter(|e| e.label != Label::Unrated) {
            e.authors.push("A. Author".into());
        }
        let m = train(&ex, Params::default(), 1, Utc::now()).unwrap();
        assert_eq!(
            m.judge("Anything", "at all", &["A. Author".into()]).author,
            None
        );
    }

    #[test]
    fn the_model_round_trips_through_the_store_format() {
        let m = train(&corpus(), Params::default(), 7, Utc::now()).unwrap();
        let bytes = rmp_serde::to_vec_named(&m).unwrap();
        let back: Model = rmp_serde::from_slice(&bytes).unwrap();
        let a = m.judge("Diffusion for images", "denoising", &[]);
        let b = back.judge("Diffusion for images", "denoising", &[]);
        assert_eq!(a, b);
        assert_eq!(back.fingerprint, 7);
    }
}
