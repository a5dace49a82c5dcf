//! The conversations a bundle carries beside its chain (subject, stage, status, tags, and
//! the links between them): written into the bundle header's details on export, read
//! back and checked on import. They are not signed; the chain verifies without them.

use crate::{Result, ServerError};
use serde_json::{Map, Value};
use slingshot_domain::conversation::{
    link_makes_cycle, parse_date, parse_subject, parse_tag, LinkKind, Stage, Status,
};
use slingshot_domain::ledger::Side;
use slingshot_store::{BundleLink, BundleThread};
use std::collections::HashSet;

/// Conversations one bundle may carry.
const MAX_THREADS: usize = 100_000;
/// Tags one conversation may carry.
const MAX_TAGS: usize = 50;
/// Longest thread id accepted.
const MAX_ID: usize = 64;

/// The subject of a conversation the bundle names only in its entries.
pub const UNNAMED: &str = "Imported conversation";

/// Put `threads` and `links` into a bundle header's `details`.
pub fn write(
    details: &mut Map<String, Value>,
    threads: &[BundleThread],
    links: &[BundleLink],
) -> Result<()> {
    let bad = |e: serde_json::Error| ServerError::Internal(e.to_string());
    details.insert(
        "threads".into(),
        serde_json::to_value(threads).map_err(bad)?,
    );
    details.insert(
        "thread_links".into(),
        serde_json::to_value(links).map_err(bad)?,
    );
    Ok(())
}

fn invalid(what: String) -> ServerError {
    ServerError::Invalid("invalid_bundle", what)
}

/// The conversations of a bundle: those its header describes (checked as if typed here),
/// then any other its entries name (`entry_threads`, in order), as [`UNNAMED`] ones; and
/// the links between them. A bundle without descriptions (an older export) gets the
/// latter only. Anything malformed refuses the whole bundle.
pub fn read(
    details: &Map<String, Value>,
    entry_threads: &[String],
) -> Result<(Vec<BundleThread>, Vec<BundleLink>)> {
    let mut threads: Vec<BundleThread> = match details.get("threads") {
        None => Vec::new(),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| invalid(format!("the bundle's threads are malformed: {e}")))?,
    };
    if threads.len() > MAX_THREADS {
        return Err(invalid(format!("more than {MAX_THREADS} threads")));
    }
    let mut ids = HashSet::new();
    for t in &mut threads {
        let id_ok = !t.id.is_empty()
            && t.id.len() <= MAX_ID
            && t.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !id_ok || !ids.insert(t.id.clone()) {
            return Err(invalid(format!(
                "thread id {:?} is malformed or repeated",
                t.id.chars().take(80).collect::<String>()
            )));
        }
        let at = |e: slingshot_domain::DomainError| invalid(format!("thread {}: {e}", t.id));
        t.subject = parse_subject(&t.subject).map_err(at)?;
        t.stage = Stage::parse(&t.stage).map_err(at)?.as_str().to_owned();
        t.status = Status::parse(&t.status).map_err(at)?.as_str().to_owned();
        t.opened_by = Side::parse(&t.opened_by)
            .map_err(|e| invalid(format!("thread {}: {e}", t.id)))?
            .as_str()
            .to_owned();
        if t.tags.len() > MAX_TAGS {
            return Err(invalid(format!(
                "thread {}: more than {MAX_TAGS} tags",
                t.id
            )));
        }
        let mut tags = Vec::with_capacity(t.tags.len());
        for g in &t.tags {
            tags.push(parse_tag(g).map_err(at)?);
        }
        tags.sort();
        tags.dedup();
        t.tags = tags;
        t.follow_up_on = t
            .follow_up_on
            .as_deref()
            .map(parse_date)
            .transpose()
            .map_err(at)?;
    }
    for id in entry_threads {
        if ids.insert(id.clone()) {
            threads.push(BundleThread {
                id: id.clone(),
                subject: UNNAMED.into(),
                stage: Stage::Other.as_str().into(),
                status: Status::Open.as_str().into(),
                opened_by: Side::Customer.as_str().into(),
                tags: Vec::new(),
                follow_up_on: None,
            });
        }
    }
    let links: Vec<BundleLink> = match details.get("thread_links") {
        None => Vec::new(),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| invalid(format!("the bundle's thread links are malformed: {e}")))?,
    };
    let mut ancestry: Vec<(String, String)> = Vec::new();
    let mut out = Vec::with_capacity(links.len());
    for (from, to, kind) in links {
        let k = LinkKind::parse(&kind).map_err(|e| invalid(format!("link {from} → {to}: {e}")))?;
        if !ids.contains(&from) || !ids.contains(&to) {
            return Err(invalid(format!(
                "link {from} → {to} names a thread not in the bundle"
            )));
        }
        if k.is_ancestry() || from == to {
            let anc = |t: &str| {
                ancestry
                    .iter()
                    .filter(|(f, _)| f == t)
                    .map(|(_, x)| x.clone())
                    .collect()
            };
            if link_makes_cycle(&from, &to, anc) {
                return Err(invalid(format!(
                    "link {from} → {to} makes a thread its own ancestor"
                )));
            }
            ancestry.push((from.clone(), to.clone()));
        }
        out.push((from, to, k.as_str().to_owned()));
    }
    Ok((threads, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn details(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn described_threads_come_back_and_the_rest_are_unnamed() {
        let d = details(json!({"threads": [
            {"id": "t-1", "subject": " Order 7 ", "stage": "purchase", "status": "resolved", "opened_by": "vendor", "tags": ["Bike", "bike"]},
            {"id": "t-2", "subject": "Broken", "stage": "support", "status": "open", "opened_by": "customer", "follow_up_on": "2026-12-11"}
        ], "thread_links": [["t-2", "t-1", "follows_from"]]}));
        let (threads, links) = read(&d, &["t-1".into(), "t-3".into()]).unwrap();
        assert_eq!(threads.len(), 3);
        assert_eq!(threads[1].follow_up_on.as_deref(), Some("2026-12-11"));
        assert_eq!(threads[0].follow_up_on, None);
        assert_eq!(
            (threads[0].subject.as_str(), threads[0].tags.as_slice()),
            ("Order 7", &["bike".to_owned()][..])
        );
        assert_eq!(threads[2].subject, UNNAMED);
        assert_eq!(links, [("t-2".into(), "t-1".into(), "follows_from".into())]);
        // An older bundle: only what its entries name.
        let (threads, links) = read(&Map::new(), &["t-9".into()]).unwrap();
        assert_eq!((threads.len(), links.len()), (1, 0));
    }

    #[test]
    fn malformed_descriptions_refuse_the_bundle() {
        let t = |over: Value| {
            let mut base = json!({"id": "t-1", "subject": "S", "stage": "other", "status": "open", "opened_by": "customer"});
            for (k, v) in over.as_object().unwrap() {
                base[k] = v.clone();
            }
            details(json!({ "threads": [base] }))
        };
        for bad in [
            t(json!({"stage": "shopping"})),
            t(json!({"status": "done"})),
            t(json!({"opened_by": "robot"})),
            t(json!({"subject": ""})),
            t(json!({"follow_up_on": "next friday"})),
            t(json!({"id": "../etc"})),
            t(
                json!({"tags": ["a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9"]}),
            ),
            details(json!({"threads": "nope"})),
            details(json!({"threads": [], "thread_links": [["a", "b", "related"]]})),
        ] {
            assert!(read(&bad, &[]).is_err(), "{bad:?}");
        }
        let cyc = details(json!({"threads": [
            {"id": "a", "subject": "A", "stage": "other", "status": "open", "opened_by": "customer"},
            {"id": "b", "subject": "B", "stage": "other", "status": "open", "opened_by": "customer"}
        ], "thread_links": [["a", "b", "follows_from"], ["b", "a", "duplicate_of"]]}));
        assert!(read(&cyc, &[]).is_err());
        let wrong_kind = details(json!({"threads": [
            {"id": "a", "subject": "A", "stage": "other", "status": "open", "opened_by": "customer"}
        ], "thread_links": [["a", "a", "cousin_of"]]}));
        assert!(read(&wrong_kind, &[]).is_err());
    }
}
