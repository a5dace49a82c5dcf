//! No input makes the mail code panic.

use proptest::prelude::*;

use super::fixtures::{MBOX_FIVE, SUPPORT_2};
use super::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let one = parse_eml(&bytes);
        let many = parse_mbox(&bytes);
        let messages: Vec<MailMessage> = many.into_iter().chain([one]).filter_map(Result::ok).collect();
        let threads = thread_messages(&messages);
        let threaded: usize = threads.iter().map(|t| t.messages.len()).sum();
        prop_assert_eq!(threaded, messages.len());
        for m in &messages {
            let _ = vendor_domain(m, &["jane@mail.example".to_string()]);
        }
    }

    #[test]
    fn mangled_real_mail_never_panics(cut in 0usize..2000, noise in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut raw = MBOX_FIVE.as_bytes().to_vec();
        let at = cut.min(raw.len());
        raw.splice(at..at, noise.iter().copied());
        raw.extend_from_slice(SUPPORT_2.as_bytes().get(..cut.min(SUPPORT_2.len())).unwrap_or_default());
        let messages: Vec<MailMessage> = parse_mbox(&raw).into_iter().filter_map(Result::ok).collect();
        let threaded: usize = thread_messages(&messages).iter().map(|t| t.messages.len()).sum();
        prop_assert_eq!(threaded, messages.len());
    }

    #[test]
    fn subjects_never_panic_and_normalizing_is_idempotent(s in "\\PC{0,80}") {
        let once = normalize_subject(&s);
        prop_assert_eq!(normalize_subject(&once), once.clone());
        let _ = is_reply_subject(&s);
    }

    #[test]
    fn random_reference_graphs_thread_every_message_once(
        edges in proptest::collection::vec((0u8..12, proptest::collection::vec(0u8..14, 0..5), any::<bool>()), 0..24)
    ) {
        let messages: Vec<MailMessage> = edges
            .iter()
            .enumerate()
            .map(|(i, (id, refs, dated))| MailMessage {
                message_id: Some(format!("m{id}")),
                in_reply_to: refs.first().map(|r| format!("m{r}")),
                references: refs.iter().map(|r| format!("m{r}")).collect(),
                subject: if i % 3 == 0 { "Re: x".into() } else { "x".into() },
                normalized_subject: "x".into(),
                from: Address { name: None, email: format!("p{}@e.example", i % 4) },
                to: vec![],
                cc: vec![],
                date: dated.then(|| format!("2025-01-01T00:00:{:02}Z", i % 60)),
                text: String::new(),
                attachments: vec![],
                raw_digest: format!("{i:064x}"),
            })
            .collect();
        let threads = thread_messages(&messages);
        let mut seen: Vec<usize> = threads.iter().flat_map(|t| t.messages.clone()).collect();
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..messages.len()).collect::<Vec<_>>());
        for t in &threads {
            prop_assert_eq!(t.parents.len(), t.messages.len());
        }
    }
}
