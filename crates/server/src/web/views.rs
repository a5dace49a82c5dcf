//! How ledger rows look on pages.

use slingshot_store::{rfc3339, EntryPlace, EntryRow, Store};

/// An entry as the timeline shows it.
pub struct EntryView {
    /// Entry id.
    pub id: String,
    /// Thread id.
    pub thread_id: String,
    /// Thread subject.
    pub subject: String,
    /// Vendor name.
    pub vendor_name: String,
    /// `customer` or `vendor`.
    pub side: String,
    /// "You", "Vendor", "Customer".
    pub side_label: &'static str,
    /// Kind.
    pub kind: String,
    /// RFC 3339.
    pub at: String,
    /// As pages show it ([`short_time`]).
    pub at_short: String,
    /// Chain position.
    pub seq: Option<i64>,
    /// Hash.
    pub hash: String,
    /// Private note.
    pub private: bool,
    /// Body erased.
    pub erased: bool,
    /// Text.
    pub text: String,
    /// Event summary ("purchase: Trail 3 — 899.00 EUR, order CB-2211").
    pub event: Option<String>,
    /// For a correction: the corrected entry's hash, and a link to it with its sequence
    /// number once found ([`link_corrections`]).
    pub corrects: Option<(String, Option<(String, i64)>)>,
    /// A link to the latest correction of this entry, if it was corrected.
    pub corrected_by: Option<String>,
    /// An attached file: (attachment id, file name, size in bytes).
    pub attachment: Option<(String, String, u64)>,
    /// The viewer may erase its body: the customer, while it is held.
    pub erasable: bool,
}

impl EntryView {
    /// Convert for a viewer on `viewer_side`.
    pub fn from(e: &EntryRow, viewer_side: &str) -> Self {
        let body: serde_json::Value = e
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok())
            .unwrap_or_default();
        let event = body.get("event").map(|ev| {
            let s = |k: &str| ev.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
            let mut out = s("type");
            if !s("item").is_empty() {
                out.push_str(&format!(": {}", s("item")));
            }
            if !s("amount").is_empty() {
                out.push_str(&format!(" — {} {}", s("amount"), s("currency")));
            }
            if !s("order_ref").is_empty() {
                out.push_str(&format!(", order {}", s("order_ref")));
            }
            out
        });
        let mail = body
            .get("mail")
            .and_then(|m| m.get("from"))
            .and_then(|f| f.as_str())
            .map(|f| format!("e-mail from {f}\n"));
        let attachment = body.get("attachment").and_then(|a| {
            Some((
                a.get("id")?.as_str()?.to_owned(),
                a.get("filename")?.as_str()?.to_owned(),
                a.get("size")?.as_u64()?,
            ))
        });
        let text = format!(
            "{}{}",
            mail.unwrap_or_default(),
            body.get("text").and_then(|t| t.as_str()).unwrap_or("")
        );
        Self {
            id: e.id.clone(),
            thread_id: e.thread_id.clone(),
            subject: e.subject.clone(),
            vendor_name: e.vendor_name.clone(),
            side: e.side.clone(),
            side_label: match (e.side == viewer_side, e.side.as_str()) {
                (true, _) => "You",
                (false, "vendor") => "Vendor",
                _ => "Customer",
            },
            kind: e.kind.clone(),
            at: rfc3339(e.at),
            at_short: short_time(&rfc3339(e.at)),
            seq: e.seq,
            hash: e.hash.clone().unwrap_or_default(),
            private: e.private_side.is_some(),
            erased: e.erased_at.is_some(),
            text,
            event,
            attachment,
            corrects: e.corrects().map(|h| (h, None)),
            corrected_by: None,
            erasable: viewer_side == "customer" && e.erased_at.is_none(),
        }
    }
}

/// The views of a page's rows for a viewer on `viewer_side`, corrections linked.
pub async fn entry_views(
    store: &Store,
    rows: &[EntryRow],
    viewer_side: &str,
) -> slingshot_store::Result<Vec<EntryView>> {
    let mut views: Vec<EntryView> = rows
        .iter()
        .map(|e| EntryView::from(e, viewer_side))
        .collect();
    link_corrections(store, rows, &mut views).await?;
    Ok(views)
}

/// Link each correction on a page to the entry it corrects, and mark each corrected
/// entry with a link to its latest correction, wherever the other one is: an anchor on
/// this page, or the page of its conversation that holds it. `views` are `rows`' views.
pub async fn link_corrections(
    store: &Store,
    rows: &[EntryRow],
    views: &mut [EntryView],
) -> slingshot_store::Result<()> {
    let links = store.correction_links(rows).await?;
    let here: std::collections::HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let href = |p: &EntryPlace| {
        if here.contains(p.id.as_str()) {
            format!("#e-{}", p.id)
        } else {
            format!(
                "/threads/{}?entry={}:{}#e-{}",
                p.thread_id, p.at, p.id, p.id
            )
        }
    };
    for v in views.iter_mut() {
        if let Some((_, target)) = &mut v.corrects {
            *target = links.target_of.get(&v.id).map(|p| (href(p), p.seq));
        }
        v.corrected_by = links.corrected_by.get(&v.id).map(href);
    }
    Ok(())
}

/// Escape HTML, then restore the `<mark>` tags a search snippet carries.
pub fn safe_snippet(s: &str) -> String {
    let escaped = s
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    escaped
        .replace("&lt;mark&gt;", "<mark>")
        .replace("&lt;/mark&gt;", "</mark>")
}

#[cfg(test)]
mod tests {
    use super::safe_snippet;

    #[test]
    fn snippets_keep_marks_but_not_markup() {
        assert_eq!(
            safe_snippet("a <mark>zip</mark> <script>x</script>"),
            "a <mark>zip</mark> &lt;script&gt;x&lt;/script&gt;"
        );
    }
}

/// An RFC 3339 UTC time as pages show it: `2026-11-25 15:29 UTC` (other text unchanged).
pub fn short_time(s: &str) -> String {
    match (s.get(..10), s.get(11..16)) {
        (Some(d), Some(t)) if s.ends_with('Z') && s.as_bytes().get(10) == Some(&b'T') => {
            format!("{d} {t} UTC")
        }
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod short_time_tests {
    #[test]
    fn times_are_shortened_and_others_kept() {
        assert_eq!(
            super::short_time("2026-11-25T15:29:27.566989Z"),
            "2026-11-25 15:29 UTC"
        );
        assert_eq!(super::short_time("2026-11-25"), "2026-11-25");
    }
}
