//! How the learned model meets the ranker: each candidate's interest gains the model's opinion (made
//! relative to the other candidates, so a model's scale never swamps keywords or trend), the `why`
//! names the liked paper or author behind it, and one candidate far from everything rated is lifted
//! into the digest as an explicit exploration, so the profile can widen.

use super::model::{Judgement, Model};
use crate::rank::Scored;

/// The most the model adds to an interest score (a strong keyword match scores about as much).
const WEIGHT: f64 = 4.0;
/// Explore slots per digest (DESIGN: one or two).
pub const EXPLORE_SLOTS: usize = 1;
/// Rated papers needed before exploring means anything.
const EXPLORE_AFTER: usize = 3;
/// The explored candidate joins the digest at the interest of the candidate at this rank.
const EXPLORE_RANK: usize = 4;
/// The explored candidate scores at least this percentile of the candidates.
pub const EXPLORE_FLOOR_PERCENT: usize = 75;
/// Ratings needed before the model's 👎 keeps a paper out of a full digest (Semantic Scholar's
/// feeds ask for five positives and three negatives before they start).
const DOUBT_AFTER_LIKED: usize = 5;
const DOUBT_AFTER_DISLIKED: usize = 3;
/// Similarity above which "like 'X' that you liked" is worth saying.
const LIKE_SAYS: f32 = 0.12;

/// Whether the model has seen enough ratings for its expected 👎s to keep papers out of a digest.
pub fn trusts_its_doubts(m: &Model) -> bool {
    m.liked.len() >= DOUBT_AFTER_LIKED && m.disliked.len() >= DOUBT_AFTER_DISLIKED
}

/// Among candidates not in `top`, the one farthest from every rated paper (ties: the better score).
pub fn explore_pick(
    m: &Model,
    js: &[Judgement],
    top: &[usize],
    floor_percent: usize,
) -> Option<usize> {
    if m.rated.len() < EXPLORE_AFTER {
        return None;
    }
    // Far from everything rated, but not among the candidates the model thinks worst.
    let mut scores: Vec<f32> = js.iter().map(|j| j.score).collect();
    scores.sort_unstable_by(|a, b| a.total_cmp(b));
    let floor = scores
        .get(scores.len() * floor_percent.min(99) / 100)
        .copied()
        .unwrap_or(f32::MIN);
    (0..js.len())
        .filter(|i| !top.contains(i) && js[*i].score >= floor)
        .max_by(|&a, &b| {
            js[a]
                .novelty
                .total_cmp(&js[b].novelty)
                .then(js[a].score.total_cmp(&js[b].score))
        })
}

fn short(title: &str) -> String {
    let t = title.trim();
    if t.chars().count() <= 70 {
        t.to_string()
    } else {
        format!("{}…", t.chars().take(69).collect::<String>().trim_end())
    }
}

/// Blends the model into every candidate's interest and reasons; excluded items stay excluded.
pub fn blend(scored: &mut [Scored], m: &Model) {
    let live: Vec<usize> = (0..scored.len()).filter(|&i| !scored[i].excluded).collect();
    if live.is_empty() {
        return;
    }
    let js: Vec<Judgement> = live
        .iter()
        .map(|&i| {
            let it = &scored[i].item;
            m.judge(&it.title, &it.abstract_text, &it.authors)
        })
        .collect();
    let trusted = trusts_its_doubts(m);
    let n = js.len() as f64;
    let mean = js.iter().map(|j| j.score as f64).sum::<f64>() / n;
    let sd = (js
        .iter()
        .map(|j| (j.score as f64 - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt()
        .max(1e-6);
    for (j, &i) in js.iter().zip(&live) {
        let z = (j.score as f64 - mean) / sd;
        let s = &mut scored[i];
        s.interest += WEIGHT / (1.0 + (-1.5 * z).exp());
        // Below zero the model sides with the reader's 👎s.
        s.doubtful = trusted && j.score < 0.0;
        if let Some((name, k)) = &j.author {
            s.reasons.push(format!("you liked {k} papers by {name}"));
        } else if let Some((title, _)) = j.like.as_ref().filter(|x| x.1 >= LIKE_SAYS && z > 0.5) {
            s.reasons
                .push(format!("like '{}' that you liked", short(title)));
        }
    }
    let mut order: Vec<usize> = (0..live.len()).collect();
    order.sort_by(|&a, &b| {
        scored[live[b]]
            .interest
            .total_cmp(&scored[live[a]].interest)
    });
    for _ in 0..EXPLORE_SLOTS {
        let top: Vec<usize> = order.iter().take(EXPLORE_RANK * 3).copied().collect();
        let Some(e) = explore_pick(m, &js, &top, EXPLORE_FLOOR_PERCENT) else {
            break;
        };
        let lift = order
            .get(EXPLORE_RANK - 1)
            .map(|&k| scored[live[k]].interest)
            .unwrap_or(0.0);
        let s = &mut scored[live[e]];
        s.interest = s.interest.max(lift);
        s.doubtful = false;
        s.reasons.retain(|r| !r.starts_with("like '"));
        s.reasons.push("explore: outside your usual topics".into());
        order.retain(|&k| k != e);
        order.insert(EXPLORE_RANK - 1, e);
    }
}
