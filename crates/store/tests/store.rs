//! Store tests: each runs on SQLite and on PostgreSQL (see `dual_test!`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use slingshot_domain::{DisplayName, DomainError, Handle, OrgKind, OrgName, Role, Scopes};
use slingshot_store::testing::TestDb;
use slingshot_store::{dual_test, Store, StoreError, User};

async fn user(store: &Store, handle: &str) -> User {
    let h = Handle::parse(handle).unwrap();
    let n = DisplayName::parse(handle).unwrap();
    store
        .create_user(&h, &n, "$argon2id$fake", false, true, "127.0.0.1")
        .await
        .unwrap()
}

dual_test!(
    first_user_is_admin_and_handles_are_unique,
    |db: TestDb| async move {
        let s = &db.store;
        let alice = user(s, "alice").await;
        let bob = user(s, "bob").await;
        assert!(alice.admin());
        assert!(!bob.admin());
        let again = s
            .create_user(
                &Handle::parse("ALICE").unwrap(),
                &DisplayName::parse("x").unwrap(),
                "h",
                false,
                true,
                "ip",
            )
            .await;
        assert!(matches!(again, Err(StoreError::Conflict("handle"))));
        assert_eq!(s.count_users().await.unwrap(), 2);
    }
);

dual_test!(
    members_see_their_org_and_others_get_not_found,
    |db: TestDb| async move {
        let s = &db.store;
        let alice = user(s, "alice").await;
        let mallory = user(s, "mallory").await;
        let org = s
            .create_org(
                &alice.id,
                &Handle::parse("northwind").unwrap(),
                &OrgName::parse("Northwind").unwrap(),
                OrgKind::Vendor,
                "ip",
            )
            .await
            .unwrap();
        assert_eq!(
            s.org_for_member(&alice.id, "northwind").await.unwrap().role,
            Role::Owner
        );
        assert!(matches!(
            s.org_for_member(&mallory.id, &org.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.members(&mallory.id, &org.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.audit_for_org(&mallory.id, &org.id, None, 10).await,
            Err(StoreError::NotFound)
        ));
        let dup = s
            .create_org(
                &mallory.id,
                &Handle::parse("northwind").unwrap(),
                &OrgName::parse("N2").unwrap(),
                OrgKind::Vendor,
                "ip",
            )
            .await;
        assert!(matches!(dup, Err(StoreError::Conflict("handle"))));
        assert!(s.orgs_of(&mallory.id).await.unwrap().is_empty());
    }
);

dual_test!(
    invites_are_single_use_and_roles_follow_the_rules,
    |db: TestDb| async move {
        let s = &db.store;
        let alice = user(s, "alice").await;
        let bob = user(s, "bob").await;
        let carol = user(s, "carol").await;
        let org = s
            .create_org(
                &alice.id,
                &Handle::parse("kestrel").unwrap(),
                &OrgName::parse("Kestrel").unwrap(),
                OrgKind::Vendor,
                "ip",
            )
            .await
            .unwrap();
        s.create_invite(
            &alice.id,
            &org.id,
            Role::Agent,
            "hash-1",
            3_600_000_000,
            "ip",
        )
        .await
        .unwrap();
        assert!(s.invite_view("hash-1").await.unwrap().usable);
        s.accept_invite(&bob.id, "hash-1", "ip").await.unwrap();
        assert!(matches!(
            s.accept_invite(&carol.id, "hash-1", "ip").await,
            Err(StoreError::Gone)
        ));
        assert!(matches!(
            s.accept_invite(&carol.id, "nope", "ip").await,
            Err(StoreError::NotFound)
        ));
        // An expired link.
        s.create_invite(&alice.id, &org.id, Role::Agent, "hash-2", -1, "ip")
            .await
            .unwrap();
        assert!(matches!(
            s.accept_invite(&carol.id, "hash-2", "ip").await,
            Err(StoreError::Gone)
        ));
        // Agents cannot invite or change roles; owners can.
        let r = s
            .create_invite(&bob.id, &org.id, Role::Agent, "hash-3", 1_000_000, "ip")
            .await;
        assert!(matches!(
            r,
            Err(StoreError::Domain(DomainError::NotAllowed))
        ));
        s.set_role(&alice.id, &org.id, &bob.id, Role::Admin, "ip")
            .await
            .unwrap();
        assert_eq!(s.role_in(&bob.id, &org.id).await.unwrap(), Role::Admin);
        // The last owner can neither leave nor be demoted.
        let r = s.remove_member(&alice.id, &org.id, &alice.id, "ip").await;
        assert!(matches!(r, Err(StoreError::Domain(DomainError::LastOwner))));
        let r = s
            .set_role(&alice.id, &org.id, &alice.id, Role::Agent, "ip")
            .await;
        assert!(matches!(r, Err(StoreError::Domain(DomainError::LastOwner))));
        // Nothing half-written: the failed changes left no audit rows.
        let log = s
            .audit_for_org(&alice.id, &org.id, None, 100)
            .await
            .unwrap();
        let events: Vec<&str> = log.items.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(
            events,
            [
                "role_changed",
                "member_invited",
                "member_joined",
                "member_invited",
                "org_created"
            ]
        );
        // Bob leaves.
        s.remove_member(&bob.id, &org.id, &bob.id, "ip")
            .await
            .unwrap();
        assert_eq!(s.members(&alice.id, &org.id).await.unwrap().len(), 1);
    }
);

dual_test!(
    tokens_and_sessions_are_found_by_hash_until_revoked,
    |db: TestDb| async move {
        let s = &db.store;
        let alice = user(s, "alice").await;
        let bob = user(s, "bob").await;
        let t = s
            .create_token(
                &alice.id,
                "ci",
                &Scopes::parse_list("orgs:read").unwrap(),
                "th",
                "ip",
            )
            .await
            .unwrap();
        assert_eq!(s.token_by_hash("th").await.unwrap().1.id, alice.id);
        assert!(matches!(
            s.revoke_token(&bob.id, &t.id, "ip").await,
            Err(StoreError::NotFound)
        ));
        s.revoke_token(&alice.id, &t.id, "ip").await.unwrap();
        assert!(matches!(
            s.token_by_hash("th").await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.revoke_token(&alice.id, &t.id, "ip").await,
            Err(StoreError::NotFound)
        ));

        let sess = s
            .create_session(&alice.id, "sh", 1_000_000_000, "test", "ip")
            .await
            .unwrap();
        s.create_session(&alice.id, "sh2", 1_000_000_000, "test", "ip")
            .await
            .unwrap();
        assert_eq!(s.session_by_token("sh").await.unwrap().0.id, sess.id);
        assert!(matches!(
            s.end_session(&bob.id, &sess.id, "ip").await,
            Err(StoreError::NotFound)
        ));
        s.set_password(&alice.id, Some(&sess.id), "newhash", "ip")
            .await
            .unwrap();
        assert!(
            matches!(s.session_by_token("sh2").await, Err(StoreError::NotFound)),
            "other sessions end on password change"
        );
        s.end_session(&alice.id, &sess.id, "ip").await.unwrap();
        assert!(s.list_sessions(&alice.id).await.unwrap().is_empty());
        // Expired sessions are not found.
        s.create_session(&alice.id, "old", -1, "test", "ip")
            .await
            .unwrap();
        assert!(matches!(
            s.session_by_token("old").await,
            Err(StoreError::NotFound)
        ));
        let log = s.audit_for_user(&alice.id, None, 3).await.unwrap();
        assert_eq!(log.items.len(), 3);
        assert!(log.next.is_some());
        let rest = s
            .audit_for_user(&alice.id, log.next.as_deref(), 100)
            .await
            .unwrap();
        assert!(rest.items.iter().all(|e| e.id < log.items[2].id));
        assert!(rest.items.iter().any(|e| e.event == "token_revoked"));
    }
);

dual_test!(
    admins_verify_orgs_and_others_cannot,
    |db: TestDb| async move {
        let s = &db.store;
        let admin = user(s, "root-admin").await;
        let bob = user(s, "bob").await;
        let org = s
            .create_org(
                &bob.id,
                &Handle::parse("riverside").unwrap(),
                &OrgName::parse("Riverside").unwrap(),
                OrgKind::Association,
                "ip",
            )
            .await
            .unwrap();
        assert!(matches!(
            s.verify_org(&bob.id, &org.id, "ip").await,
            Err(StoreError::NotFound)
        ));
        let v = s.verify_org(&admin.id, &org.id, "ip").await.unwrap();
        assert!(v.verified_at.is_some());
    }
);

#[tokio::test]
async fn sqlite_backup_is_a_consistent_copy() {
    let db = TestDb::sqlite().await;
    user(&db.store, "alice").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.db");
    db.store
        .backup_sqlite(path.to_str().unwrap())
        .await
        .unwrap();
    let copy = Store::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert_eq!(copy.count_users().await.unwrap(), 1);
    assert!(copy.ready().await.is_ok());
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_full_sync() {
    let db = TestDb::sqlite().await;
    let (mode, sync) = db.store.sqlite_settings().await.unwrap();
    assert_eq!(
        (mode.as_str(), sync),
        ("wal", 2),
        "journal_mode=WAL, synchronous=FULL"
    );
}

mod ledger {
    use super::*;
    use serde_json::json;
    use slingshot_domain::conversation::Stage;
    use slingshot_domain::ledger::{EntryKind, Side};
    use slingshot_store::{ChainTips, NewEntry, NewRelationship, NewThread};
    use std::collections::HashMap;

    /// An off-platform vendor named `vendor` for `person`, with one conversation.
    async fn rel_and_thread(
        s: &Store,
        person: &User,
        vendor: &str,
    ) -> (slingshot_store::Relationship, slingshot_store::Thread) {
        let r = s
            .create_relationship(
                &person.id,
                &NewRelationship {
                    vendor_name: vendor.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let t = s
            .create_thread(
                &person.id,
                &r.id,
                &NewThread {
                    subject: "s".into(),
                    stage: Stage::Other,
                    tags: vec![],
                    follow_up_on: None,
                },
            )
            .await
            .unwrap();
        (r, t)
    }

    fn entry(
        rel: &slingshot_store::Relationship,
        thread: &str,
        kind: EntryKind,
        text: &str,
    ) -> NewEntry {
        NewEntry {
            relationship_id: rel.id.clone(),
            person_id: rel.person_id.clone(),
            org_id: None,
            thread_id: thread.to_owned(),
            side: Side::Customer,
            author_id: rel.person_id.clone(),
            kind,
            body: json!({"text": text}),
            search_text: text.to_owned(),
            source_ref: None,
            corrects: None,
            at_us: slingshot_store::now_us(),
            attachment: None,
        }
    }

    dual_test!(
        one_group_spans_many_chains_and_notes_stay_off_them,
        |db: TestDb| async move {
            let s = &db.store;
            let alice = user(s, "alice").await;
            let mut rels = Vec::new();
            for name in ["A", "B", "C"] {
                let (r, t) = rel_and_thread(s, &alice, name).await;
                rels.push((r, t.id));
            }
            let keys = HashMap::from([(
                format!("user:{}", alice.id),
                slingshot_credentials::generate_signing_key(),
            )]);
            let mut items = Vec::new();
            for round in 0..3 {
                for (r, t) in &rels {
                    items.push(entry(r, t, EntryKind::Message, &format!("round {round}")));
                }
            }
            items.push(entry(&rels[0].0, &rels[0].1, EntryKind::Note, "private"));
            let rows = s.append_entries(&items, &keys).await.unwrap();
            let seqs: Vec<Option<i64>> = rows.iter().map(|r| r.seq).collect();
            assert_eq!(
                seqs,
                [
                    Some(1),
                    Some(1),
                    Some(1),
                    Some(2),
                    Some(2),
                    Some(2),
                    Some(3),
                    Some(3),
                    Some(3),
                    None
                ]
            );
            // The next group continues each chain.
            let more = s
                .append_entries(
                    &[entry(&rels[1].0, &rels[1].1, EntryKind::Message, "again")],
                    &keys,
                )
                .await
                .unwrap();
            assert_eq!(more[0].seq, Some(4));
            let chain = s.chain_rows(&rels[1].0.id, 0, 100).await.unwrap();
            assert_eq!(chain.len(), 4);
            // A failing group stores nothing: a missing key fails it after the first items.
            let before = s.chain_rows(&rels[2].0.id, 0, 100).await.unwrap().len();
            let mut bad = entry(&rels[2].0, &rels[2].1, EntryKind::Message, "x");
            bad.person_id = "someone-else".into();
            let r = s
                .append_entries(
                    &[entry(&rels[2].0, &rels[2].1, EntryKind::Message, "ok"), bad],
                    &keys,
                )
                .await;
            assert!(r.is_err());
            assert_eq!(
                s.chain_rows(&rels[2].0.id, 0, 100).await.unwrap().len(),
                before
            );
        }
    );

    dual_test!(
        a_group_chained_onto_stale_tips_is_refused_whole,
        |db: TestDb| async move {
            use slingshot_domain::ledger::{ChainTip, Digest};
            use slingshot_store::{prepare_entries, CHAIN_MOVED};
            let s = &db.store;
            let alice = user(s, "alice").await;
            let (r, t) = rel_and_thread(s, &alice, "V").await;
            let keys = HashMap::from([(
                format!("user:{}", alice.id),
                slingshot_credentials::generate_signing_key(),
            )]);
            let msg = |text: &str| entry(&r, &t.id, EntryKind::Message, text);
            let tips = s.chain_tips(&[r.id.as_str()]).await.unwrap();
            // Two groups chained onto the same tips: the first moves the head, so the
            // second is stale and stores nothing.
            let first = prepare_entries(vec![msg("first")], &keys, &mut tips.clone()).unwrap();
            let stale =
                prepare_entries(vec![msg("second"), msg("third")], &keys, &mut tips.clone())
                    .unwrap();
            s.store_prepared(&first).await.unwrap();
            let e = s.store_prepared(&stale).await.unwrap_err();
            assert!(
                matches!(e, StoreError::Conflict(m) if m == CHAIN_MOVED),
                "{e:?}"
            );
            assert_eq!(s.chain_rows(&r.id, 0, 100).await.unwrap().len(), 1);
            // The right sequence with another hash is stale too.
            let mut forged = ChainTips::from([(
                r.id.clone(),
                Some(ChainTip {
                    relationship: r.id.clone(),
                    sequence: 1,
                    hash: Digest::parse(&"ab".repeat(32)).unwrap(),
                }),
            )]);
            let other = prepare_entries(vec![msg("other")], &keys, &mut forged).unwrap();
            let e = s.store_prepared(&other).await.unwrap_err();
            assert!(
                matches!(e, StoreError::Conflict(m) if m == CHAIN_MOVED),
                "{e:?}"
            );
            // From the tips as stored, the chain goes on at 2.
            let mut now = s.chain_tips(&[r.id.as_str()]).await.unwrap();
            let next = prepare_entries(vec![msg("next")], &keys, &mut now).unwrap();
            let rows = s.store_prepared(&next).await.unwrap();
            assert_eq!(rows[0].seq, Some(2));
            assert_eq!(s.chain_rows(&r.id, 0, 100).await.unwrap().len(), 2);
        }
    );
}
