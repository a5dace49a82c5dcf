//! Attachment files in bundles: carried bound to their signed body, or marked left out.

use serde_json::{json, Value};

use super::tests_bundle::problems;
use super::tests_support::*;
use super::*;

#[test]
fn attachment_files_travel_bound_to_their_signed_body() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use sha2::{Digest as _, Sha256};

    let file = b"%PDF-1.7 receipt for order 1042".to_vec();
    let mut chain = Chain::new();
    chain.push(
        Side::Customer,
        EntryKind::Message,
        json!({"text": "the receipt"}),
        None,
    );
    let attachment = json!({"attachment": {"id": "a1", "filename": "receipt.pdf",
        "content_type": "application/pdf", "size": file.len(),
        "sha256": hex::encode(Sha256::digest(&file))}});
    chain.push(
        Side::Customer,
        EntryKind::Attachment,
        attachment.clone(),
        None,
    );
    // A message whose body names the same file: it may not carry it.
    chain.push(Side::Customer, EntryKind::Message, attachment, None);
    chain.erased = vec![false; 3];

    // Written with its file, read back with the same bytes, and verified.
    let mut w = BundleWriter::new(Vec::new(), &chain.header()).unwrap();
    let (first, second) = (&chain.entries[0], &chain.entries[1]);
    w.write_entry(&first.0, EntryBody::Present(&first.1))
        .unwrap();
    w.write_entry_with_file(&second.0, EntryBody::Present(&second.1), Some(&file))
        .unwrap();
    let third = &chain.entries[2];
    w.write_entry(&third.0, EntryBody::Present(&third.1))
        .unwrap();
    let bundle = w.finish().unwrap();
    let items: Vec<_> = BundleReader::new(&bundle[..])
        .map(|step| step.unwrap().unwrap().1)
        .collect();
    match &items[2] {
        BundleItem::Entry(e) => assert_eq!(e.file.as_deref(), Some(&file[..])),
        other => panic!("{other:?}"),
    }
    assert!(matches!(&items[1], BundleItem::Entry(e) if e.file.is_none()));
    let report = verify(&bundle);
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.files, 1);
    assert!(
        report.to_string().contains("1 attachment files"),
        "{report}"
    );

    // One byte changed, or another file of the same size: the entry is named.
    let mut l = lines(&bundle);
    let mut altered = file.clone();
    altered[3] ^= 1;
    l[2]["file"] = json!(URL_SAFE_NO_PAD.encode(&altered));
    let found = problems(&join(&l));
    assert!(
        matches!(&found[..], [(3, Some(2), Problem::FileAltered { size, recorded_size, .. })] if size == recorded_size),
        "{found:?}"
    );
    // A file on an entry that is not an attachment (even one whose body records the
    // file), or that is not base64url.
    for (line, seq) in [(1, 1), (3, 3)] {
        let mut l = lines(&bundle);
        l[line]["file"] = json!(URL_SAFE_NO_PAD.encode(&file));
        let found = problems(&join(&l));
        assert_eq!(
            found,
            [(
                line as u64 + 1,
                Some(seq),
                Problem::StrayFile("it is not an attachment")
            )]
        );
    }
    let mut l = lines(&bundle);
    l[2]["file"] = json!("not base64!");
    let found = problems(&join(&l));
    assert!(
        matches!(&found[..], [(3, _, Problem::BadLine(_))]),
        "{found:?}"
    );
    // An erased attachment may not keep its file.
    let mut l = lines(&bundle);
    l[2]["body"] = Value::Null;
    l[2]["erased"] = json!(true);
    let found = problems(&join(&l));
    assert_eq!(
        found,
        [(3, Some(2), Problem::StrayFile("its body was erased"))]
    );
    // Without its file (an older bundle) the chain still verifies.
    let mut l = lines(&bundle);
    l[2].as_object_mut().unwrap().remove("file");
    let report = verify(&join(&l));
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.files, 0);
}

#[test]
fn a_file_left_out_by_the_exporter_is_named_and_must_be_an_attachments() {
    use sha2::{Digest as _, Sha256};

    let file = b"a large scan".to_vec();
    let mut chain = Chain::new();
    let attachment = json!({"attachment": {"id": "a1", "filename": "scan.png",
        "content_type": "image/png", "size": file.len(),
        "sha256": hex::encode(Sha256::digest(&file))}});
    chain.push(Side::Customer, EntryKind::Attachment, attachment, None);
    chain.push(
        Side::Customer,
        EntryKind::Message,
        json!({"text": "see the scan"}),
        None,
    );
    chain.erased = vec![false; 2];
    let mut w = BundleWriter::new(Vec::new(), &chain.header()).unwrap();
    let (first, second) = (&chain.entries[0], &chain.entries[1]);
    w.write_entry_leaving_out_file(&first.0, EntryBody::Present(&first.1))
        .unwrap();
    w.write_entry(&second.0, EntryBody::Present(&second.1))
        .unwrap();
    let bundle = w.finish().unwrap();
    let l = lines(&bundle);
    assert_eq!(l[1]["file_left_out"], json!(true));
    assert!(l[2].get("file_left_out").is_none(), "{}", l[2]);
    let items: Vec<_> = BundleReader::new(&bundle[..])
        .map(|step| step.unwrap().unwrap().1)
        .collect();
    assert!(matches!(&items[1], BundleItem::Entry(e) if e.file_left_out && e.file.is_none()));
    let report = verify(&bundle);
    assert!(report.is_valid(), "{report}");
    assert_eq!((report.files, &report.files_left_out[..]), (0, &[1][..]));
    assert!(
        report
            .to_string()
            .contains("1 attachment files left out by the exporter (entries 1)"),
        "{report}"
    );

    // Only an attachment whose body is present can have left its file out.
    let mut l = lines(&bundle);
    l[2]["file_left_out"] = json!(true);
    assert_eq!(
        problems(&join(&l)),
        [(3, Some(2), Problem::StrayFile("it is not an attachment"))]
    );
    let mut l = lines(&bundle);
    l[1]["body"] = Value::Null;
    l[1]["erased"] = json!(true);
    assert_eq!(
        problems(&join(&l)),
        [(2, Some(1), Problem::StrayFile("its body was erased"))]
    );
    // Both carried and left out, or not a boolean: a bad line.
    for mark in [json!(true), json!("yes")] {
        let mut l = lines(&bundle);
        l[1]["file_left_out"] = mark.clone();
        if mark == json!(true) {
            l[1]["file"] = json!(base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                &file
            ));
        }
        let found = problems(&join(&l));
        assert!(
            matches!(&found[..], [(2, _, Problem::BadLine(_))]),
            "{mark}: {found:?}"
        );
    }
}
