//! Threading on real-looking mail: replies, forwards, broken References,
//! cycles, duplicate and missing Message-IDs.

use super::fixtures::*;
use super::*;

fn parse_all(raw: &[&str]) -> Vec<MailMessage> {
    raw.iter()
        .map(|s| match parse_eml(s.as_bytes()) {
            Ok(m) => m,
            Err(e) => panic!("did not parse: {e}"),
        })
        .collect()
}

fn groups(threads: &[MailThread]) -> Vec<Vec<usize>> {
    threads.iter().map(|t| t.messages.clone()).collect()
}

/// A bare message for structural tests.
fn msg(id: Option<&str>, refs: &[&str], subject: &str, date: &str, from: &str) -> MailMessage {
    MailMessage {
        message_id: id.map(str::to_string),
        in_reply_to: None,
        references: refs.iter().map(|r| r.to_string()).collect(),
        subject: subject.to_string(),
        normalized_subject: normalize_subject(subject),
        from: Address {
            name: None,
            email: from.to_string(),
        },
        to: vec![Address {
            name: None,
            email: "jane@mail.example".into(),
        }],
        cc: vec![],
        date: Some(date.to_string()),
        text: String::new(),
        attachments: vec![],
        raw_digest: raw_digest(format!("{id:?}{subject}{date}").as_bytes()),
    }
}

#[test]
fn support_conversation_in_date_order_whatever_the_input_order() {
    let messages = parse_all(&[SUPPORT_4, PURCHASE, SUPPORT_2, SUPPORT_1, SUPPORT_3]);
    let threads = thread_messages(&messages);
    assert_eq!(groups(&threads), vec![vec![1], vec![3, 2, 4, 0]]);
    let support = &threads[1];
    assert_eq!(support.subject, "Zipper broke on my jacket (order 1042)");
    assert_eq!(support.parents, vec![None, Some(3), Some(2), Some(4)]);
    let people: Vec<_> = support
        .participants
        .iter()
        .map(|a| a.email.as_str())
        .collect();
    assert_eq!(
        people,
        [
            "jane@mail.example",
            "support@northwind.example",
            "tom@support.northwind.example"
        ]
    );
    assert_eq!(support.participants[0].name.as_deref(), Some("Jane Doe"));
    assert_eq!(
        support.participants[1].name.as_deref(),
        Some("Northwind Support")
    );
}

#[test]
fn a_forward_joins_the_thread_it_forwards() {
    let messages = parse_all(&[FORWARDED, PURCHASE]);
    let threads = thread_messages(&messages);
    assert_eq!(groups(&threads), vec![vec![1, 0]]);
    assert_eq!(threads[0].subject, "Your order \u{2116} 1042 is confirmed");
    assert_eq!(threads[0].parents, vec![None, None]);
}

#[test]
fn broken_references_fall_back_to_the_subject() {
    let messages = parse_all(&[REFUND_REPLY_BROKEN_REFS, SUPPORT_1, REFUND_ASK]);
    let threads = thread_messages(&messages);
    assert_eq!(groups(&threads), vec![vec![1], vec![2, 0]]);
    assert_eq!(threads[1].subject, "Refund for order 1042");
}

#[test]
fn duplicate_message_ids_are_both_kept() {
    let mut messages = parse_all(&[DUPLICATE_ID_A, DUPLICATE_ID_B]);
    let mut reply = msg(
        Some("r@mail.example"),
        &["newsletter@northwind.example"],
        "Re: Winter sale starts now",
        "2025-11-02T00:00:00Z",
        "jane@mail.example",
    );
    reply.in_reply_to = Some("newsletter@northwind.example".into());
    messages.push(reply);
    let ids = effective_message_ids(&messages);
    assert_eq!(ids[0], "newsletter@northwind.example");
    assert_ne!(ids[1], ids[0]);
    assert!(ids[1].ends_with("@dup.slingshot.invalid"));
    let threads = thread_messages(&messages);
    assert_eq!(groups(&threads), vec![vec![0, 2], vec![1]]);
    assert_eq!(threads[0].parents, vec![None, Some(0)]);
    assert_eq!(threads[1].subject, "Last day of the winter sale");
}

#[test]
fn missing_message_ids_are_synthesized_from_the_digest() {
    let html = parse_all(&[HTML_ONLY, HTML_ONLY]);
    let ids = effective_message_ids(&html);
    assert_eq!(ids[0], format!("{}@slingshot.invalid", html[0].raw_digest));
    assert_ne!(ids[0], ids[1]);
    let threads = thread_messages(&html);
    assert_eq!(groups(&threads), vec![vec![0], vec![1]]);
}

#[test]
fn siblings_of_a_missing_parent_share_a_thread() {
    let messages = vec![
        msg(
            Some("b"),
            &["gone"],
            "Re: Delivery",
            "2025-11-02T00:00:00Z",
            "a@shop.example",
        ),
        msg(
            Some("c"),
            &["gone"],
            "Re: Delivery",
            "2025-11-03T00:00:00Z",
            "b@shop.example",
        ),
    ];
    let threads = thread_messages(&messages);
    assert_eq!(groups(&threads), vec![vec![0, 1]]);
    assert_eq!(threads[0].parents, vec![None, None]);
}

#[test]
fn reference_cycles_are_broken() {
    let messages = vec![
        msg(
            Some("a"),
            &["b"],
            "Loop",
            "2025-11-01T00:00:00Z",
            "x@shop.example",
        ),
        msg(
            Some("b"),
            &["a"],
            "Loop",
            "2025-11-02T00:00:00Z",
            "x@shop.example",
        ),
        msg(
            Some("c"),
            &["c", "a", "b", "a"],
            "Loop",
            "2025-11-03T00:00:00Z",
            "x@shop.example",
        ),
        msg(
            Some("d"),
            &["d"],
            "Self",
            "2025-11-04T00:00:00Z",
            "x@shop.example",
        ),
    ];
    let threads = thread_messages(&messages);
    let mut all: Vec<usize> = threads.iter().flat_map(|t| t.messages.clone()).collect();
    all.sort_unstable();
    assert_eq!(
        all,
        vec![0, 1, 2, 3],
        "every message lands in exactly one thread"
    );
    assert_eq!(groups(&threads), vec![vec![0, 1, 2], vec![3]]);
}

#[test]
fn unrelated_notices_with_equal_subjects_stay_apart() {
    let messages = vec![
        msg(
            Some("a"),
            &[],
            "Your order has shipped",
            "2025-01-01T00:00:00Z",
            "ship@shop.example",
        ),
        msg(
            Some("b"),
            &[],
            "Your order has shipped",
            "2025-06-01T00:00:00Z",
            "ship@shop.example",
        ),
        msg(
            Some("c"),
            &[],
            "Re: Your order has shipped",
            "2025-06-02T00:00:00Z",
            "jane@mail.example",
        ),
        msg(
            Some("d"),
            &[],
            "Re: Your order has shipped",
            "2025-06-03T00:00:00Z",
            "stranger@else.example",
        ),
    ];
    let threads = thread_messages(&messages);
    // "c" joins the latest earlier notice; "d" shares a participant (jane) too.
    assert_eq!(groups(&threads), vec![vec![0], vec![1, 2, 3]]);
}

#[test]
fn no_messages_no_threads_and_undated_last() {
    assert!(thread_messages(&[]).is_empty());
    let mut undated = msg(Some("u"), &["a"], "Re: Hi", "x", "x@shop.example");
    undated.date = None;
    let messages = vec![
        undated,
        msg(
            Some("a"),
            &[],
            "Hi",
            "2025-11-01T00:00:00Z",
            "x@shop.example",
        ),
    ];
    assert_eq!(groups(&thread_messages(&messages)), vec![vec![1, 0]]);
}

#[test]
fn outside_references_point_to_earlier_imports() {
    let messages = parse_all(&[SUPPORT_3, SUPPORT_4]);
    let threads = thread_messages(&messages);
    assert_eq!(groups(&threads), vec![vec![0, 1]]);
    assert_eq!(
        threads[0].outside_references(&messages),
        vec![
            "CAJ7x-support-1@mail.example",
            "case-88.1@support.northwind.example"
        ]
    );
}

#[test]
fn a_long_chain_threads_quickly() {
    let ids: Vec<String> = (0..3000).map(|i| format!("c{i}@shop.example")).collect();
    let messages: Vec<MailMessage> = (0..3000usize)
        .map(|i| {
            let refs: Vec<&str> = ids[i.saturating_sub(200)..i]
                .iter()
                .map(String::as_str)
                .collect();
            msg(
                Some(&ids[i]),
                &refs,
                "Re: chain",
                &format!("2025-01-01T00:{:02}:{:02}Z", i / 60 % 60, i % 60),
                "x@shop.example",
            )
        })
        .collect();
    let threads = thread_messages(&messages);
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0].parents[1], Some(threads[0].messages[0]));
}
