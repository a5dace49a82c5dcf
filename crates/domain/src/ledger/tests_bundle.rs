//! Bundle round trips and named failures.

use serde_json::json;

use super::tests_support::*;
use super::*;

pub(super) fn problems(bytes: &[u8]) -> Vec<(u64, Option<u64>, Problem)> {
    verify(bytes)
        .failures
        .into_iter()
        .map(|f| (f.line, f.sequence, f.problem))
        .collect()
}

#[test]
fn round_trip_verifies() {
    let chain = sample(30);
    let report = verify(&chain.bundle());
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.entries, 30);
    assert_eq!(report.checkpoints, chain.checkpoints.len() as u64);
    assert_eq!(report.tip.map(|t| t.sequence), Some(30));
    assert_eq!(
        report.relationship.as_deref(),
        Some(chain.relationship.as_str())
    );
    assert!(report.to_string().starts_with("OK: "), "{report}");
}

#[test]
fn reader_gives_back_what_was_written() {
    let mut chain = sample(5);
    chain.erased[2] = true;
    let bundle = chain.bundle();
    let items: Vec<_> = BundleReader::new(&bundle[..])
        .map(|step| step.unwrap().unwrap())
        .collect();
    assert_eq!(items.len(), 1 + 5 + chain.checkpoints.len());
    assert_eq!(items[0], (1, BundleItem::Header(chain.header())));
    for (i, (entry, body)) in chain.entries.iter().enumerate() {
        let BundleItem::Entry(e) = &items[i + 1].1 else {
            panic!("line {} is not an entry", i + 2)
        };
        assert_eq!(&e.entry, entry);
        assert_eq!(e.erased, i == 2);
        assert_eq!(e.body.as_ref(), (i != 2).then_some(body));
    }
    let BundleItem::Checkpoint(c) = &items[6].1 else {
        panic!("line 7 is not a checkpoint")
    };
    assert_eq!(c, &chain.checkpoints[0]);
    let key = chain.key(c.checkpoint.side).verifying_key();
    assert_eq!(c.verify(&key), Ok(()));
    let (first, first_hash) = (&chain.entries[0].0.header, chain.entries[0].0.hash);
    assert_eq!(c.check_matches(first, &first_hash), Ok(()));
}

#[test]
fn bad_json_names_the_line_and_the_entry_due() {
    let bundle = sample(4).bundle();
    let mut text = String::from_utf8(bundle).unwrap();
    let third = text.lines().nth(3).unwrap().to_owned();
    text = text.replace(&third, "{\"type\":\"entry\",\"header\":");
    let found = problems(text.as_bytes());
    assert_eq!(found.len(), 1, "{found:?}");
    let (line, seq, problem) = &found[0];
    assert_eq!((*line, *seq), (4, Some(3)));
    assert!(
        matches!(problem, Problem::BadLine(m) if m.contains("EOF")),
        "{problem}"
    );
}

#[test]
fn garbage_lines_are_reported_with_their_number() {
    let bundle = sample(3).bundle();
    let mut text = String::from_utf8(bundle).unwrap();
    text.push_str("not json at all\n\n{\"type\":\"mystery\"}\n");
    let report = verify(text.as_bytes());
    let lines: Vec<u64> = report.failures.iter().map(|f| f.line).collect();
    let n = 1 + 3 + sample(3).checkpoints.len() as u64;
    assert_eq!(lines, vec![n + 1, n + 3], "{report}");
}

#[test]
fn a_bundle_must_start_with_its_header() {
    for input in [&b""[..], b"\n\n", b"{\"type\":\"entry\"}\n", b"[1,2]\n"] {
        let report = verify(input);
        assert!(!report.is_valid());
        assert_eq!(
            report.failures[0].problem,
            Problem::MissingHeader,
            "{report}"
        );
    }
    let bundle = sample(2).bundle();
    let text = String::from_utf8(bundle).unwrap();
    let other = text.replacen(BUNDLE_FORMAT, "slingshot-ledger-bundle/9", 1);
    let report = verify(other.as_bytes());
    assert!(
        matches!(&report.failures[0].problem, Problem::BadLine(m) if m.contains("unsupported format")),
        "{report}"
    );
}

#[test]
fn a_second_header_line_is_refused() {
    let bundle = sample(2).bundle();
    let first = String::from_utf8(bundle.clone())
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let mut twice = bundle;
    twice.extend_from_slice(first.as_bytes());
    twice.push(b'\n');
    let found = problems(&twice);
    assert!(
        matches!(found[..], [(_, None, Problem::DuplicateHeader)]),
        "{found:?}"
    );
}

#[test]
fn a_second_checkpoint_of_one_side_for_one_entry_is_refused() {
    let chain = sample(30);
    assert!(!chain.checkpoints.is_empty());
    let bundle = chain.bundle();
    let text = String::from_utf8(bundle.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let last = lines.len() as u64;
    let mut twice = bundle;
    twice.extend_from_slice(lines[lines.len() - 1].as_bytes());
    twice.push(b'\n');
    let found = problems(&twice);
    let c = &chain.checkpoints[chain.checkpoints.len() - 1].checkpoint;
    assert_eq!(
        found,
        [(
            last + 1,
            Some(c.sequence),
            Problem::DuplicateCheckpoint {
                side: c.side,
                sequence: c.sequence
            }
        )]
    );
}

#[test]
fn erased_bodies_verify_but_an_erased_entry_must_not_keep_its_body() {
    let mut chain = sample(6);
    chain.erased = vec![true; 6];
    let bundle = chain.bundle();
    let report = verify(&bundle);
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.erased, 6);

    let mut lines = lines(&bundle);
    lines[2]["body"] = json!({"text": "still here"});
    let found = problems(&join(&lines));
    assert_eq!(found, vec![(3, Some(2), Problem::ErasedWithBody)]);

    // A body dropped without marking the entry erased is an altered body.
    let mut lines = super::tests_support::lines(&sample(3).bundle());
    lines[1]["body"] = json!(null);
    let found = problems(&join(&lines));
    assert!(
        matches!(found[..], [(2, Some(1), Problem::BodyAltered { .. })]),
        "{found:?}"
    );
}

#[test]
fn keys_must_be_derived_known_and_optionally_trusted() {
    let chain = sample(4);
    let bundle = chain.bundle();

    // A key id that is not derived from its key.
    let mut lines = lines(&bundle);
    let other = KeyId::of(&SigningKey::from_bytes(&[5; 32]).verifying_key());
    lines[0]["keys"][0]["key_id"] = json!(other);
    let report = verify(&join(&lines));
    assert!(
        matches!(report.failures[0].problem, Problem::BadKey { .. }),
        "{report}"
    );
    assert_eq!(report.failures[0].line, 1);
    // ... and so the customer's entries name a key the bundle does not have.
    assert!(report
        .failures
        .iter()
        .any(|f| matches!(f.problem, Problem::UnknownKey { .. })));

    // Pinning the keys: the bundle's own keys are trusted, a stranger's are not.
    let trusted = VerifyOptions {
        trusted_keys: Some(vec![
            chain.customer.verifying_key(),
            chain.vendor.verifying_key(),
        ]),
        ..VerifyOptions::default()
    };
    assert!(verify_bundle_with(&bundle[..], &trusted)
        .unwrap()
        .is_valid());
    let only_customer = VerifyOptions {
        trusted_keys: Some(vec![chain.customer.verifying_key()]),
        ..VerifyOptions::default()
    };
    let report = verify_bundle_with(&bundle[..], &only_customer).unwrap();
    assert!(
        matches!(
            report.failures[..],
            [VerifyFailure {
                line: 1,
                problem: Problem::UntrustedKey {
                    side: Side::Vendor,
                    ..
                },
                ..
            }]
        ),
        "{report}"
    );
}

#[test]
fn a_private_note_is_refused_on_the_chain() {
    // Sign a note directly (next_header refuses to build one).
    let chain = sample(1);
    let mut header = chain.entries[0].0.header.clone();
    header.kind = EntryKind::Note;
    let entry = SignedEntry::sign(header, &chain.customer).unwrap();
    let mut w = BundleWriter::new(
        Vec::new(),
        &BundleHeader {
            tip: None,
            ..chain.header()
        },
    )
    .unwrap();
    w.write_entry(&entry, EntryBody::Present(&chain.entries[0].1))
        .unwrap();
    let found = problems(&w.finish().unwrap());
    assert_eq!(
        found,
        vec![(2, Some(1), Problem::Rule(LedgerError::PrivateEntry))]
    );
}

#[test]
fn truncation_is_caught_by_the_declared_tip_and_by_checkpoints() {
    let chain = sample(9);
    let bundle = chain.bundle();
    let mut lines = lines(&bundle);
    lines.remove(9); // entry 9, the last
    let found = problems(&join(&lines));
    assert!(
        matches!(found[0], (1, Some(9), Problem::TipMismatch { .. })),
        "{found:?}"
    );

    // Without the (unsigned) tip, the checkpoint of entry 9 still catches it.
    lines[0].as_object_mut().unwrap().remove("tip");
    let found = problems(&join(&lines));
    assert!(
        found
            .iter()
            .any(|f| matches!(f.2, Problem::CheckpointMismatch { sequence: 9, .. })),
        "{found:?}"
    );
}

#[test]
fn checkpoints_countersign_the_other_side_only() {
    let chain = sample(3);
    let (entry, _) = &chain.entries[0];
    let own = Checkpoint::of_entry(
        &entry.header,
        entry.hash,
        entry.header.author_side,
        KeyId::of(&chain.customer.verifying_key()),
        time(1),
    );
    assert_eq!(own, Err(LedgerError::CheckpointOwnEntry));

    // A checkpoint signed by the entry's own side is refused by the verifier too.
    let forged = SignedCheckpoint::sign(
        Checkpoint {
            side: Side::Customer,
            key_id: KeyId::of(&chain.customer.verifying_key()),
            ..chain.checkpoints[0].checkpoint.clone()
        },
        &chain.customer,
    )
    .unwrap();
    let mut w = BundleWriter::new(Vec::new(), &chain.header()).unwrap();
    for (e, body) in &chain.entries {
        w.write_entry(e, EntryBody::Present(body)).unwrap();
    }
    w.write_checkpoint(&forged).unwrap();
    assert!(w
        .write_entry(&chain.entries[0].0, EntryBody::Erased)
        .is_err());
    let found = problems(&w.finish().unwrap());
    assert_eq!(found, vec![(5, Some(1), Problem::CheckpointOwnEntry)]);
}

#[test]
fn failures_read_well() {
    let chain = sample(4);
    let mut lines = lines(&chain.bundle());
    lines[2]["body"]["text"] = json!("edited");
    lines.remove(3);
    let report = verify(&join(&lines));
    let text = report.to_string();
    assert!(text.starts_with("FAILED"), "{text}");
    assert!(text.contains("line 3: entry 2: body was altered"), "{text}");
    assert!(
        text.contains("line 4: entry 3: expected entry 3 but found entry 4: entry 3 is missing"),
        "{text}"
    );
}

#[test]
fn failures_are_capped_but_counted() {
    let chain = sample(12);
    let mut lines = lines(&chain.bundle());
    for line in lines.iter_mut().skip(1).take(12) {
        line["hash"] = json!(Digest::of(b"x"));
    }
    let options = VerifyOptions {
        max_failures: 3,
        ..VerifyOptions::default()
    };
    let report = verify_bundle_with(&join(&lines)[..], &options).unwrap();
    assert_eq!(report.failures.len(), 3);
    assert!(report.failure_count >= 12, "{report}");
    assert!(report.to_string().contains("more"), "{report}");
}

#[test]
fn overlong_lines_are_skipped_and_reported() {
    let bundle = sample(2).bundle();
    let mut input = bundle.clone();
    let huge = vec![b'x'; (MAX_LINE_BYTES + 10) as usize];
    input.extend_from_slice(&huge);
    input.push(b'\n');
    let report = verify(&input);
    assert_eq!(report.failure_count, 1, "{report}");
    assert!(matches!(&report.failures[0].problem, Problem::BadLine(m) if m.contains("longer")));
}

#[test]
fn read_errors_are_errors_not_failures() {
    struct Broken;
    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let err = verify_bundle(std::io::BufReader::new(Broken)).unwrap_err();
    assert!(
        matches!(err, LedgerError::Io(ref m) if m.contains("disk on fire")),
        "{err}"
    );
}

#[test]
fn bad_signatures_are_named_whatever_the_batch_size() {
    let chain = sample(12);
    let mut lines = lines(&chain.bundle());
    // Entries 3 and 9 (lines 4 and 10) get one flipped bit in their signature.
    for line in [4usize, 10] {
        let at = line - 1;
        let mut sig = signature_from_base64url(lines[at]["signature"].as_str().unwrap())
            .unwrap()
            .to_bytes();
        sig[7] ^= 0x10;
        lines[at]["signature"] = json!(signature_to_base64url(&Signature::from_bytes(&sig)));
    }
    let bytes = join(&lines);
    for batch_size in [1, 2, 5, 1024] {
        let options = VerifyOptions {
            batch_size,
            ..VerifyOptions::default()
        };
        let report = verify_bundle_with(&bytes[..], &options).unwrap();
        let named: Vec<_> = report
            .failures
            .iter()
            .map(|f| (f.line, f.sequence, f.problem.clone()))
            .collect();
        let author = |i: usize| {
            KeyId::of(
                &chain
                    .key(chain.entries[i].0.header.author_side)
                    .verifying_key(),
            )
        };
        assert_eq!(
            named,
            vec![
                (4, Some(3), Problem::BadSignature { key_id: author(2) }),
                (10, Some(9), Problem::BadSignature { key_id: author(8) }),
            ],
            "batch size {batch_size}"
        );
        assert_eq!(report.failure_count, 2);
    }
}

#[test]
fn private_notes_travel_unsigned_after_the_entries() {
    let chain = sample(3);
    let note = BundleNote {
        thread: chain.entries[0].0.header.thread.clone(),
        side: Side::Customer,
        time: time(7),
        body: json!({"text": "compared three models"}),
    };
    let mut w = BundleWriter::new(Vec::new(), &chain.header()).unwrap();
    for (e, body) in &chain.entries {
        w.write_entry(e, EntryBody::Present(body)).unwrap();
    }
    w.write_note(&note).unwrap();
    assert!(w
        .write_entry(&chain.entries[0].0, EntryBody::Erased)
        .is_err());
    for c in &chain.checkpoints {
        w.write_checkpoint(c).unwrap();
    }
    assert!(w.write_note(&note).is_err(), "a note after a checkpoint");
    let bundle = w.finish().unwrap();
    let report = verify(&bundle);
    assert!(report.is_valid(), "{report}");
    assert_eq!((report.entries, report.notes), (3, 1));
    assert!(
        report.to_string().contains("1 private notes (unsigned)"),
        "{report}"
    );
    let items: Vec<_> = BundleReader::new(&bundle[..])
        .map(|step| step.unwrap().unwrap().1)
        .collect();
    assert_eq!(items[4], BundleItem::Note(note));
    // A note whose body is not an object, or that lacks its thread, is a bad line.
    let mut l = lines(&bundle);
    l[4]["body"] = json!("text");
    let found = problems(&join(&l));
    assert!(
        matches!(&found[..], [(5, None, Problem::BadLine(m))] if m.contains("body")),
        "{found:?}"
    );
    let mut l = lines(&bundle);
    l[4].as_object_mut().unwrap().remove("thread");
    let found = problems(&join(&l));
    assert!(
        matches!(&found[..], [(5, None, Problem::BadLine(_))]),
        "{found:?}"
    );
    // A thread that is not a thread id (a path, nothing, or too long) is refused.
    for thread in ["../attachments/x", "", &"t".repeat(129)] {
        let mut l = lines(&bundle);
        l[4]["thread"] = json!(thread);
        let found = problems(&join(&l));
        assert!(
            matches!(&found[..], [(5, None, Problem::BadLine(m))] if m.contains("thread")),
            "{thread}: {found:?}"
        );
    }
}
