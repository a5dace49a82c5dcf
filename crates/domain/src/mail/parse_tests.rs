//! Parsing `.eml` and mbox on real-looking mail.

use super::fixtures::*;
use super::*;

fn parse(s: &str) -> MailMessage {
    match parse_eml(s.as_bytes()) {
        Ok(m) => m,
        Err(e) => panic!("did not parse: {e}"),
    }
}

#[test]
fn purchase_confirmation() {
    let m = parse(PURCHASE);
    assert_eq!(
        m.message_id.as_deref(),
        Some("order-1042.confirm@northwind.example")
    );
    assert_eq!(m.subject, "Your order \u{2116} 1042 is confirmed");
    assert_eq!(m.normalized_subject, m.subject);
    assert_eq!(
        m.from,
        Address {
            name: Some("Northwind Outfitters".into()),
            email: "orders@northwind.example".into()
        }
    );
    assert_eq!(
        m.to,
        vec![Address {
            name: Some("Jane Doe".into()),
            email: "jane@mail.example".into()
        }]
    );
    assert_eq!(m.date.as_deref(), Some("2025-11-03T09:15:00Z"));
    assert_eq!(
        m.text,
        "Thank you for your order, Jane! Total: 129,00 \u{20ac} incl. VAT. Delivery to M\u{fc}nchen expected on Friday."
    );
    assert_eq!(
        m.attachments,
        vec![AttachmentMeta {
            filename: Some("invoice-1042.pdf".into()),
            content_type: "application/pdf".into(),
            size: 77,
        }]
    );
    assert_eq!(m.raw_digest.len(), 64);
    assert!(m.in_reply_to.is_none() && m.references.is_empty());
}

#[test]
fn reply_headers_and_base64_body() {
    let m = parse(SUPPORT_2);
    assert_eq!(
        m.in_reply_to.as_deref(),
        Some("CAJ7x-support-1@mail.example")
    );
    assert_eq!(m.references, vec!["CAJ7x-support-1@mail.example"]);
    assert_eq!(
        m.normalized_subject,
        "Zipper broke on my jacket (order 1042)"
    );
    assert_eq!(m.cc[0].email, "support@northwind.example");
    assert_eq!(m.date.as_deref(), Some("2025-11-11T09:30:00Z"));
    assert!(m.text.starts_with("Hi Jane,\n\nSorry about the zipper."));
    assert!(m.text.ends_with("Northwind Support"));
}

#[test]
fn folded_and_unbracketed_references() {
    let m = parse(SUPPORT_4);
    assert_eq!(
        m.references,
        vec![
            "CAJ7x-support-1@mail.example",
            "case-88.1@support.northwind.example",
            "CAJ7x-support-3@mail.example"
        ]
    );
    assert_eq!(
        m.normalized_subject,
        "Zipper broke on my jacket (order 1042)"
    );
}

#[test]
fn broken_references_keep_what_is_usable() {
    let m = parse(REFUND_REPLY_BROKEN_REFS);
    assert_eq!(m.in_reply_to, None);
    assert_eq!(
        m.references,
        vec!["lost-in-crm-7781@crm.northwind.example", "garbage"]
    );
    assert_eq!(m.normalized_subject, "Refund for order 1042");
}

#[test]
fn forwarded_message_with_encoded_word_subject() {
    let m = parse(FORWARDED);
    assert_eq!(m.subject, "Fwd: Your order \u{2116} 1042 is confirmed");
    assert_eq!(
        m.normalized_subject,
        "Your order \u{2116} 1042 is confirmed"
    );
    assert!(m.text.contains("---------- Forwarded message ---------"));
}

#[test]
fn html_only_message_becomes_text_and_lacks_id() {
    let m = parse(HTML_ONLY);
    assert_eq!(m.message_id, None);
    assert_eq!(m.date.as_deref(), Some("2025-11-07T16:00:00Z"));
    assert!(
        m.text.contains("Your parcel NW123456 left our warehouse."),
        "{}",
        m.text
    );
    assert!(m.text.contains("Track it & relax."), "{}", m.text);
    assert!(
        !m.text.contains('<') && !m.text.contains("color"),
        "{}",
        m.text
    );
    assert_eq!(m.from.name, None);
}

#[test]
fn digest_ignores_line_endings_and_envelope() {
    let lf = parse(SUPPORT_1);
    let crlf = parse(&SUPPORT_1.replace('\n', "\r\n"));
    let enveloped = parse(&format!(
        "From jane@mail.example Tue Nov 11 08:02:11 2025\n{SUPPORT_1}"
    ));
    assert_eq!(lf.raw_digest, crlf.raw_digest);
    assert_eq!(lf.raw_digest, enveloped.raw_digest);
    assert_ne!(lf.raw_digest, parse(SUPPORT_3).raw_digest);
    assert_eq!(crlf.text, lf.text);
}

#[test]
fn malformed_mail_is_refused_with_a_reason() {
    assert_eq!(parse_eml(b""), Err(MailError::Empty));
    assert_eq!(parse_eml(b" \r\n\t"), Err(MailError::Empty));
    assert_eq!(
        parse_eml(b"just some text\nwithout headers\n"),
        Err(MailError::NoHeaders)
    );
    assert_eq!(
        parse_eml(b"\x00\x01\x02\xff\xfe binary"),
        Err(MailError::Binary)
    );
    assert_eq!(
        parse_eml(b"Subject: hi\n\nbody\n"),
        Err(MailError::MissingFrom)
    );
    assert_eq!(
        parse_eml(b"From: not an address\nSubject: hi\n\nbody\n"),
        Err(MailError::MissingFrom)
    );
}

#[test]
fn mbox_of_five_with_from_quoting() {
    let parsed = parse_mbox(MBOX_FIVE.as_bytes());
    assert_eq!(parsed.len(), 5);
    let messages: Vec<MailMessage> = parsed.into_iter().map(|r| r.unwrap()).collect();
    let ids: Vec<_> = messages
        .iter()
        .map(|m| m.message_id.clone().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "m1@northwind.example",
            "m2@mail.example",
            "m3@northwind.example",
            "m4@other.example",
            "m5@mail.example"
        ]
    );
    assert_eq!(
        messages[2].text,
        "From the warehouse: shipped.\n>From the quoted mail: hello."
    );
    assert_eq!(messages[4].text, "Fifth.");
    let threads = thread_messages(&messages);
    let groups: Vec<_> = threads.iter().map(|t| t.messages.clone()).collect();
    assert_eq!(groups, vec![vec![0, 1, 2], vec![3, 4]]);
}

#[test]
fn mbox_failures_are_reported_and_the_rest_imports() {
    let parsed = parse_mbox(MBOX_WITH_BROKEN.as_bytes());
    assert_eq!(parsed.len(), 3);
    let batch = prepare_import(parsed, |_| false);
    assert_eq!(batch.messages.len(), 1);
    assert_eq!(batch.upload_index, vec![0]);
    let failed: Vec<_> = batch
        .report
        .failed
        .iter()
        .map(|f| (f.index, f.code.as_str()))
        .collect();
    assert_eq!(failed, vec![(1, "mail_missing_from"), (2, "mail_binary")]);
}

#[test]
fn re_import_skips_duplicates() {
    let first = prepare_import(parse_mbox(MBOX_FIVE.as_bytes()), |_| false);
    let stored: Vec<String> = first
        .messages
        .iter()
        .map(|m| m.raw_digest.clone())
        .collect();
    let mut again = prepare_import(
        parse_mbox(MBOX_FIVE.as_bytes()).into_iter().chain([
            parse_eml(SUPPORT_1.as_bytes()),
            parse_eml(SUPPORT_1.as_bytes()),
        ]),
        |d| stored.iter().any(|s| s == d),
    );
    assert_eq!(again.messages.len(), 1);
    assert_eq!(again.upload_index, vec![5]);
    let skipped: Vec<_> = again
        .report
        .skipped_duplicates
        .iter()
        .map(|s| s.index)
        .collect();
    assert_eq!(skipped, vec![0, 1, 2, 3, 4, 6]);
    again.report.record_imported();
    assert_eq!(again.report.total(), 7);
    assert_eq!(
        again.report.summary(),
        "1 imported, 6 duplicates skipped, 0 failed"
    );
}

#[test]
fn vendor_domain_is_the_other_party() {
    let me = vec!["Jane@Mail.Example".to_string()];
    assert_eq!(
        vendor_domain(&parse(PURCHASE), &me).as_deref(),
        Some("northwind.example")
    );
    assert_eq!(
        vendor_domain(&parse(SUPPORT_1), &me).as_deref(),
        Some("northwind.example")
    );
    assert_eq!(
        vendor_domain(&parse(SUPPORT_3), &me).as_deref(),
        Some("support.northwind.example")
    );
    assert_eq!(
        vendor_domain(&parse(FORWARDED), &me).as_deref(),
        Some("home.example")
    );
    let tagged = parse("From: jane+northwind@mail.example\nTo: help@northwind.example\n\nhi\n");
    assert_eq!(
        vendor_domain(&tagged, &me).as_deref(),
        Some("northwind.example")
    );
    let to_self = parse("From: jane@mail.example\nTo: JANE@mail.example\n\nnote\n");
    assert_eq!(vendor_domain(&to_self, &me), None);
}

#[test]
fn latin1_encoded_words_in_subject_and_name() {
    let m = parse(
        "From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <J.Mueller@Laden.Example>\n\
         To: jane@mail.example\n\
         Subject: =?ISO-8859-1?Q?R=E9p=3A_Votre_commande?= =?UTF-8?B?4pyT?=\n\
         \n\
         Merci\n",
    );
    assert_eq!(m.from.name.as_deref(), Some("J\u{fc}rgen M\u{fc}ller"));
    assert_eq!(m.from.email, "j.mueller@laden.example");
    assert_eq!(m.subject, "R\u{e9}p: Votre commande\u{2713}");
    assert_eq!(m.normalized_subject, "Votre commande\u{2713}");
    assert_eq!(m.date, None);
}

#[test]
fn leading_blank_lines_and_a_preamble_line_are_tolerated() {
    let m = parse(&format!("\r\n\n{SUPPORT_1}"));
    assert_eq!(m.raw_digest, parse(SUPPORT_1).raw_digest);
    let outlook = parse(&format!(
        "Microsoft Mail Internet Headers Version 2.0\n{SUPPORT_1}"
    ));
    assert_eq!(outlook.from.email, "jane@mail.example");
}

#[test]
fn encoded_nul_characters_are_dropped_from_subject_name_and_text() {
    let m = parse(
        "From: =?utf-8?q?Nor=00thwind?= <orders@northwind.example>\n\
         Subject: =?utf-8?q?Order=00_1042?=\n\
         Content-Type: text/plain; charset=utf-8\n\
         Content-Transfer-Encoding: quoted-printable\n\
         \n\
         Paid=00 in full\n",
    );
    assert_eq!(m.subject, "Order 1042");
    assert_eq!(m.from.name.as_deref(), Some("Northwind"));
    assert_eq!(m.text, "Paid in full");
}

#[test]
fn another_copy_of_a_message_is_a_duplicate_and_a_reused_id_is_not() {
    let first = parse_eml(SUPPORT_1.as_bytes()).unwrap();
    let stored = [first.source_ref()];
    assert!(stored[0].starts_with("mail:"), "{}", stored[0]);
    // The same message as a provider exports it: headers of its own, CRLF lines.
    let exported =
        format!("X-GM-THRID: 1790000000000000000\nX-Gmail-Labels: Inbox,Important\n{SUPPORT_1}")
            .replace('\n', "\r\n");
    // Another message that reuses the Message-ID (a broken mailer): not a duplicate.
    let reused = SUPPORT_1.replace("broke after a week", "came without a tag");
    let batch = prepare_import(
        [parse_eml(exported.as_bytes()), parse_eml(reused.as_bytes())],
        |d| stored.iter().any(|s| s == d),
    );
    let skipped: Vec<usize> = batch
        .report
        .skipped_duplicates
        .iter()
        .map(|s| s.index)
        .collect();
    assert_eq!(skipped, [0], "{batch:?}");
    assert_eq!(batch.upload_index, [1]);
    // Without a Message-ID, only the same bytes are the same message.
    let bare = SUPPORT_1.replace("Message-ID: <CAJ7x-support-1@mail.example>\n", "");
    let m = parse_eml(bare.as_bytes()).unwrap();
    assert_eq!(m.content_key(), None);
    assert_eq!(m.source_ref(), m.raw_digest);
}
