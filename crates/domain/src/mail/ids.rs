//! Message ids: pulled out of header values and sanitized.

/// At most this many References are kept (the newest); longer chains add
/// nothing to threading and only cost time.
pub(crate) const MAX_REFERENCES: usize = 200;

/// A message id without angle brackets or whitespace; `None` when nothing is left.
pub fn sanitize_message_id(id: &str) -> Option<String> {
    let clean: String = id
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '<' && *c != '>')
        .collect();
    (!clean.is_empty()).then_some(clean)
}

/// The ids in a Message-ID, In-Reply-To or References value, in order.
///
/// Every `<…>` (an unterminated one runs to the end of its word); when there
/// are none, the words that contain `@` (clients that forget the brackets).
pub(crate) fn extract_ids(raw: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut current: Option<String> = None;
    for c in raw.chars() {
        let Some(buf) = current.as_mut() else {
            if c == '<' {
                current = Some(String::new());
            }
            continue;
        };
        let ends = c == '>' || c == '<' || (c.is_whitespace() && looks_complete(buf));
        if !ends {
            buf.push(c);
            continue;
        }
        if let Some(id) = sanitize_message_id(buf) {
            ids.push(id);
        }
        current = (c == '<').then(String::new);
    }
    if let Some(id) = current.as_deref().and_then(sanitize_message_id) {
        ids.push(id);
    }
    if ids.is_empty() {
        ids = raw
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| w.contains('@') && !w.starts_with('('))
            .filter_map(sanitize_message_id)
            .collect();
    }
    ids
}

/// Inside `<…`, whitespace ends the id only once the id looks complete
/// (has an `@`); folded ids like `<abc\r\n @host>` are rare but legal.
fn looks_complete(id: &str) -> bool {
    id.contains('@') && !id.ends_with('@')
}

/// The Message-ID of a raw header value: the first id found, or the whole
/// value when it is a single bare word.
pub(crate) fn message_id_of(raw: &str) -> Option<String> {
    extract_ids(raw).into_iter().next().or_else(|| {
        let trimmed = raw.trim();
        if trimmed.split_whitespace().count() == 1 {
            sanitize_message_id(trimmed)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_and_whitespace_are_stripped() {
        assert_eq!(
            sanitize_message_id(" <a1@shop.example>\r\n"),
            Some("a1@shop.example".into())
        );
        assert_eq!(sanitize_message_id(" <> "), None);
    }

    #[test]
    fn references_with_comments_and_folding() {
        let ids = extract_ids(" <a@x.example>\r\n\t<b@x.example> (comment) <c@x.example>");
        assert_eq!(ids, vec!["a@x.example", "b@x.example", "c@x.example"]);
    }

    #[test]
    fn unterminated_and_bare_ids() {
        assert_eq!(
            extract_ids("<a@x.example <b@x.example>"),
            vec!["a@x.example", "b@x.example"]
        );
        assert_eq!(extract_ids("<a@x.example b"), vec!["a@x.example"]);
        assert_eq!(
            extract_ids("a@x.example, b@x.example"),
            vec!["a@x.example", "b@x.example"]
        );
        assert!(extract_ids("Your message of Monday").is_empty());
    }

    #[test]
    fn message_id_accepts_a_bare_word() {
        assert_eq!(message_id_of(" 12345.abc "), Some("12345.abc".into()));
        assert_eq!(message_id_of("two words"), None);
    }
}
