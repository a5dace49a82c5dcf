//! Subject normalization: the part of a subject that names the conversation.

/// Reply and forward prefixes in the languages mail clients write them,
/// lowercased, without the colon.
const PREFIXES: &[&str] = &[
    "re", "fw", "fwd", "aw", "wg", "sv", "vs", "antw", "antwort", "tr", "rif", "r", "res", "enc",
    "rv", "odp", "pd", "vb", "ynt", "ilt", "atb", "ang", "rép", "απ", "σχετ", "προθ", "回复",
    "回覆", "答复", "转发", "轉寄", "返信", "転送", "답장", "전달",
];

/// The longest list tag (`[shop-support]`) that is stripped, in characters.
const MAX_TAG_CHARS: usize = 64;

/// The subject without reply/forward prefixes (`Re:`, `Fwd:`, `AW:`, `SV:`, `Re[2]:`,
/// …), list tags (`[list]`) and a trailing `(fwd)`, with whitespace collapsed.
pub fn normalize_subject(subject: &str) -> String {
    let mut rest = subject.trim();
    loop {
        let before = rest;
        rest = strip_list_tag(rest).unwrap_or(rest).trim_start();
        rest = strip_prefix(rest).unwrap_or(rest).trim_start();
        if rest.len() == before.len() {
            break;
        }
    }
    let mut words: Vec<&str> = rest.split_whitespace().collect();
    while words
        .last()
        .is_some_and(|w| w.eq_ignore_ascii_case("(fwd)"))
    {
        words.pop();
    }
    words.join(" ")
}

/// Whether the subject carries a reply or forward prefix.
pub fn is_reply_subject(subject: &str) -> bool {
    let mut rest = subject.trim();
    while let Some(after) = strip_list_tag(rest) {
        rest = after.trim_start();
    }
    strip_prefix(rest).is_some()
}

/// `[tag] rest` → `rest`.
fn strip_list_tag(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('[')?;
    let (end, _) = inner
        .char_indices()
        .take(MAX_TAG_CHARS)
        .find(|(_, c)| *c == ']')?;
    inner.get(end + 1..)
}

/// `Re: rest`, `RE : rest`, `Re[2]: rest`, `Re(2): rest`, `Re^2: rest` → `rest`.
fn strip_prefix(s: &str) -> Option<&str> {
    let word_end = s
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(s.len(), |(i, _)| i);
    let word = s.get(..word_end)?;
    if word.is_empty() || !PREFIXES.contains(&word.to_lowercase().as_str()) {
        return None;
    }
    let mut rest = s.get(word_end..)?;
    rest = skip_counter(rest);
    rest = rest.trim_start_matches(' ');
    rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))
}

/// Skips `[2]`, `(2)` or `^2` after a prefix word.
fn skip_counter(s: &str) -> &str {
    let (open, close) = match s.chars().next() {
        Some('[') => ('[', ']'),
        Some('(') => ('(', ')'),
        Some('^') => {
            let digits = s.get(1..).unwrap_or("");
            let n = digits.chars().take_while(char::is_ascii_digit).count();
            return if n > 0 {
                digits.get(n..).unwrap_or(s)
            } else {
                s
            };
        }
        _ => return s,
    };
    let inner = s.get(open.len_utf8()..).unwrap_or("");
    let n = inner.chars().take_while(char::is_ascii_digit).count();
    match inner.get(n..).and_then(|r| r.strip_prefix(close)) {
        Some(rest) if n > 0 => rest,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_prefixes_in_many_languages() {
        for s in [
            "Re: Order 1234 delayed",
            "RE: RE: Order 1234 delayed",
            "Fwd: Re: Order 1234 delayed",
            "AW: WG: Order 1234 delayed",
            "SV: Order 1234 delayed",
            "Re[3]: Order 1234 delayed",
            "RE : Order 1234 delayed",
            "Re^2: Order   1234  delayed",
            "回复：Order 1234 delayed",
            "[shop-support] Re: [shop-support] Order 1234 delayed",
            "Order 1234 delayed (fwd)",
        ] {
            assert_eq!(normalize_subject(s), "Order 1234 delayed", "{s}");
        }
    }

    #[test]
    fn leaves_ordinary_words_alone() {
        assert_eq!(
            normalize_subject("Reply needed: invoice"),
            "Reply needed: invoice"
        );
        assert_eq!(normalize_subject("Receipt: 42"), "Receipt: 42");
        assert_eq!(normalize_subject("[unterminated tag"), "[unterminated tag");
        assert_eq!(normalize_subject("  "), "");
        assert_eq!(normalize_subject("Re:"), "");
    }

    #[test]
    fn detects_replies() {
        assert!(is_reply_subject("[list] Re: hello"));
        assert!(is_reply_subject("Fwd: hello"));
        assert!(!is_reply_subject("Hello"));
    }
}
