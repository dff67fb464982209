//! Words that break a phrase: English function words, and the boilerplate every abstract uses
//! ("we propose a novel approach", "experimental results show", "we call this"), which would
//! otherwise rise and fall with the mere number of papers. Kept here rather than taken from a
//! stop-word crate because the second list is specific to research abstracts and the two must agree.

/// English function words (pronouns, articles, prepositions, auxiliaries, conjunctions).
#[rustfmt::skip]
const FUNCTION: &[&str] = &[
    "a", "about", "above", "across", "after", "again", "against", "all", "almost", "along",
    "already", "also", "although", "always", "am", "among", "an", "and", "another", "any", "are",
    "around", "as", "at", "be", "because", "been", "before", "being", "below", "beside", "besides",
    "between", "beyond", "both", "but", "by", "can", "cannot", "could", "did", "do", "does",
    "doing", "done", "down", "during", "each", "either", "else", "enough", "etc", "even", "ever",
    "every", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into", "is", "it",
    "its", "itself", "just", "least", "less", "many", "may", "me", "might", "more", "most", "much",
    "must", "my", "myself", "neither", "never", "no", "nor", "not", "now", "of", "off", "often",
    "on", "once", "one", "only", "onto", "or", "other", "others", "otherwise", "our", "ours",
    "ourselves", "out", "over", "own", "per", "perhaps", "quite", "rather", "same", "several",
    "shall", "she", "should", "since", "so", "some", "such", "than", "that", "the", "their",
    "theirs", "them", "themselves", "then", "there", "thereby", "therefore", "these", "they",
    "this", "those", "though", "through", "throughout", "thus", "to", "together", "too", "toward",
    "towards", "two", "three", "under", "unlike", "until", "up", "upon", "us", "very", "via", "was",
    "we", "well", "were", "what", "whatever", "when", "whenever", "where", "whereas", "wherein",
    "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within", "without",
    "would", "yet", "you", "your", "yours", "first", "second", "third", "whereby", "hence",
    "moreover", "furthermore", "i.e", "e.g", "ie", "eg", "vs",
];

/// Words of abstract boilerplate: how papers present themselves, not what they are about.
#[rustfmt::skip]
const BOILERPLATE: &[&str] = &[
    "paper", "papers", "work", "works", "propose", "proposed", "proposes", "proposing", "present",
    "presents", "presented", "introduce", "introduces", "introduced", "show", "shows", "showed",
    "shown", "demonstrate", "demonstrates", "demonstrated", "result", "results", "approach",
    "approaches", "method", "methods", "novel", "new", "study", "studies", "studied", "experiment",
    "experiments", "experimental", "extensive", "extensively", "achieve", "achieves", "achieved",
    "achieving", "outperform", "outperforms", "outperforming", "significant", "significantly",
    "existing", "state-of-the-art", "sota", "art", "based", "use", "uses", "used", "using", "make",
    "makes", "made", "provide", "provides", "provided", "also", "various", "different", "able",
    "allow", "allows", "call", "calls", "called", "term", "termed", "dub", "dubbed", "name",
    "named", "available", "publicly", "github", "https", "http", "www", "com", "org", "furthermore",
    "specifically", "particular", "particularly", "respectively", "finally", "first", "recent",
    "recently", "effective", "effectively", "efficient", "efficiently", "improve", "improves",
    "improved", "improving", "performance", "problem", "problems", "task", "tasks", "key",
    "important", "challenge", "challenges", "challenging", "however", "including", "include",
    "includes", "given", "like", "across", "way", "ways", "thereby", "leading", "leads", "lead",
    "compared", "comparison", "superior", "strong", "simple",
];

/// Whether `w` (lower case) ends a phrase instead of being part of one.
pub fn breaks_phrase(w: &str) -> bool {
    FUNCTION.contains(&w) || BOILERPLATE.contains(&w)
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_are_lower_case_words() {
        for w in super::FUNCTION.iter().chain(super::BOILERPLATE) {
            assert_eq!(*w, w.to_lowercase(), "{w}");
            assert!(!w.contains(' '), "{w}");
        }
        assert!(super::breaks_phrase("the"));
        assert!(super::breaks_phrase("propose"));
        assert!(!super::breaks_phrase("routing"));
    }
}
