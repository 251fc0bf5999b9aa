//! "Did you mean" suggestions for misspelt keys and names.

/// The candidate closest to `input` by edit distance, if it is close enough
/// to be a plausible typo (at most a third of the input's length).
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (input.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (levenshtein(input, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_near_key() {
        assert_eq!(closest("queue_ulr", ["queue_url", "topic_arn"]), Some("queue_url"));
        assert_eq!(closest("regoin", ["region", "profile"]), Some("region"));
    }

    #[test]
    fn does_not_suggest_a_distant_key() {
        assert_eq!(closest("colour", ["queue_url", "topic_arn"]), None);
    }

    #[test]
    fn distance_is_symmetric_and_zero_on_equal() {
        assert_eq!(levenshtein("abc", "abc"), 0);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("sitting", "kitten"), 3);
    }
}
