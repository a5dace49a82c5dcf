//! The demo world's checks: seeded once, and what a newcomer finds there.

use super::*;
use slingshot_store::testing::TestDb;

#[tokio::test]
async fn demo_world_is_seeded_once() {
    let db = TestDb::sqlite().await;
    let state = AppState::new(
        db.store.clone(),
        crate::Config::default(),
        slingshot_credentials::MasterKey::generate(),
    );
    let s = seed(&state).await.unwrap().unwrap();
    assert_eq!(s.people.len(), 5);
    let alice = db.store.user_by_handle("alice").await.unwrap();
    assert!(alice.admin());
    let dan = db.store.user_by_handle("dan").await.unwrap();
    assert_eq!(db.store.orgs_of(&dan.id).await.unwrap().len(), 3);
    let bob = db.store.user_by_handle("bob").await.unwrap();
    let nw = db
        .store
        .org_for_member(&bob.id, "northwind-outfitters")
        .await
        .unwrap();
    assert!(nw.org.verified_at.is_some());
    assert_eq!(
        db.store
            .pending_invites(&bob.id, &nw.org.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        seed(&state).await.unwrap().is_none(),
        "a second run changes nothing"
    );
    let rels = db.store.relationships_of(&alice.id).await.unwrap();
    let names: Vec<&str> = rels.iter().map(|r| r.vendor_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Corner Bikes",
            "lakesidebooks.example",
            "Northwind Outfitters"
        ]
    );
    let nw = rels.iter().find(|r| r.two_sided()).unwrap();
    let side = slingshot_domain::ledger::Side::Customer;
    let export = crate::bundle_export::Export::prepare(&state, nw, side);
    let bundle = export.await.unwrap().into_bytes().await.unwrap();
    let report = slingshot_domain::ledger::verify_bundle(&bundle[..]).unwrap();
    assert!(
        report.is_valid()
            && (
                report.entries,
                report.files,
                report.notes,
                report.checkpoints
            ) == (8, 1, 1, 1),
        "{report:?}"
    );
    // The purchase is marked corrected by the support case's correction.
    let rows = db
        .store
        .timeline_relationship(&nw.id, side, None, None, 50)
        .await
        .unwrap();
    let links = db.store.correction_links(&rows).await.unwrap();
    let ordered = rows
        .iter()
        .find(|r| {
            r.kind == "event"
                && r.body.as_deref().unwrap_or("").contains("NW-1042")
                && r.body.as_deref().unwrap_or("").contains("purchase")
        })
        .unwrap();
    let fix = &links.corrected_by[&ordered.id];
    let fix = rows.iter().find(|r| r.id == fix.id).unwrap();
    assert_eq!(
        (fix.kind.as_str(), fix.subject.as_str()),
        ("correction", "Zip broke after a week")
    );
    // The follow-up fell due yesterday: due today, not two days ago.
    let day = |days_ago: i64| -> String {
        slingshot_store::rfc3339(slingshot_store::now_us() - days_ago * 86_400_000_000)
            .chars()
            .take(10)
            .collect()
    };
    let due = db.store.due_for_person(&alice.id, &day(0)).await.unwrap();
    assert_eq!(due.len(), 1);
    let early = db.store.due_for_person(&alice.id, &day(2)).await.unwrap();
    assert!(early.is_empty());
    // Carol's own reminder is on Northwind's due list today, not yesterday.
    let carol = db.store.user_by_handle("carol").await.unwrap();
    let org = nw.org_id.clone().unwrap();
    let vendor_due = |date: String| {
        let (store, carol, org) = (db.store.clone(), carol.id.clone(), org.clone());
        async move {
            store
                .due_for_org(
                    &carol,
                    &org,
                    &date,
                    slingshot_store::Assigned::Anyone,
                    slingshot_store::Window::first(50),
                )
                .await
                .unwrap()
                .items
        }
    };
    let today = vendor_due(day(0)).await;
    assert_eq!(today.len(), 1);
    assert_eq!(today[0].follow_up_on.as_deref(), Some(day(0).as_str()));
    assert!(vendor_due(day(1)).await.is_empty());

    // Personal data: grants (one revoked), reads, requests in every state, one overdue.
    let now = slingshot_store::now_us();
    let grants = db.store.grants_of_person(&alice.id, None).await.unwrap();
    assert_eq!(grants.len(), 3);
    assert_eq!(grants.iter().filter(|g| g.revoked_at.is_some()).count(), 1);
    let log = db
        .store
        .access_log_of_person(&alice.id, None, 50)
        .await
        .unwrap();
    assert_eq!(log.items.len(), 4);
    let mut states: Vec<String> = Vec::new();
    let mut overdue = 0;
    for who in [&alice.id, &bob.id] {
        for r in db.store.requests_of_person(who).await.unwrap() {
            states.push(r.request.state.clone());
            overdue += usize::from(crate::personal::requests::is_overdue(&r.request, now));
        }
    }
    states.sort();
    states.dedup();
    assert_eq!(
        states,
        [
            "answered",
            "extended",
            "partially_refused",
            "received",
            "refused",
            "withdrawn"
        ]
    );
    assert_eq!(overdue, 1);
    assert_eq!(
        db.store.consent_records_of(&alice.id).await.unwrap().len(),
        4
    );
}
