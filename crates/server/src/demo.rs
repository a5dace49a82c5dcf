//! A small, believable demo world for newcomers: a few people, vendors, an association
//! and a government office, members with roles. Later features extend it.

use crate::secrets::{hash_password, random_token, token_hash, INVITE_PREFIX};
use crate::{ledger, mail_import, AppState, Result};
use slingshot_domain::conversation::{LinkKind, Stage, Status};
use slingshot_domain::entry_body::EventInput;
use slingshot_domain::{DisplayName, Handle, OrgKind, OrgName, Role};
use slingshot_store::Store;
use slingshot_store::{NewRelationship, NewThread, ThreadChange};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "slingshot-demo-2026";

const PEOPLE: &[(&str, &str)] = &[
    ("alice", "Alice Ng"),
    ("bob", "Bob Okafor"),
    ("carol", "Carol Díaz"),
    ("dan", "Dan Whitfield"),
    ("erin", "Erin Park"),
];

/// (handle, name, kind, verified, members with roles)
/// (handle, name, kind, verified, members with roles)
type DemoOrg = (
    &'static str,
    &'static str,
    OrgKind,
    bool,
    &'static [(&'static str, Role)],
);

const ORGS: &[DemoOrg] = &[
    (
        "northwind-outfitters",
        "Northwind Outfitters",
        OrgKind::Vendor,
        true,
        &[
            ("bob", Role::Owner),
            ("dan", Role::Admin),
            ("carol", Role::Agent),
        ],
    ),
    (
        "kestrel-telecom",
        "Kestrel Telecom",
        OrgKind::Vendor,
        false,
        &[("erin", Role::Owner), ("dan", Role::Agent)],
    ),
    (
        "riverside-tenants",
        "Riverside Tenants' Association",
        OrgKind::Association,
        true,
        &[("alice", Role::Owner), ("carol", Role::Moderator)],
    ),
    (
        "lakeview-permits",
        "City of Lakeview Permits Office",
        OrgKind::Government,
        false,
        &[("dan", Role::Owner), ("erin", Role::Issuer)],
    ),
];

/// What the demo created.
#[derive(Debug)]
pub struct DemoSummary {
    /// Handles of the demo people.
    pub people: Vec<&'static str>,
    /// Names of the demo organizations.
    pub orgs: Vec<&'static str>,
}

/// Fill an empty database with the demo world (accounts, organizations, relationships,
/// conversations, imported mail). Does nothing on a database that has accounts.
pub async fn seed(state: &AppState) -> Result<Option<DemoSummary>> {
    let Some(summary) = seed_accounts(&state.store).await? else {
        return Ok(None);
    };
    seed_relationships(state).await?;
    crate::demo_privacy::seed(state).await?;
    Ok(Some(summary))
}

async fn seed_accounts(store: &Store) -> Result<Option<DemoSummary>> {
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    let hash = hash_password(DEMO_PASSWORD.to_owned()).await?;
    let ip = "demo";
    let mut ids = std::collections::HashMap::new();
    for (i, (handle, name)) in PEOPLE.iter().enumerate() {
        let u = store
            .create_user(
                &Handle::parse(handle)?,
                &DisplayName::parse(name)?,
                &hash,
                i == 0,
                false,
                ip,
            )
            .await?;
        ids.insert(*handle, u.id);
    }
    let admin = ids.get("alice").cloned().unwrap_or_default();
    for (handle, name, kind, verified, members) in ORGS {
        let Some((owner, _)) = members.first() else {
            continue;
        };
        let owner_id = ids.get(owner).cloned().unwrap_or_default();
        let org = store
            .create_org(
                &owner_id,
                &Handle::parse(handle)?,
                &OrgName::parse(name)?,
                *kind,
                ip,
            )
            .await?;
        for (member, role) in members.iter().skip(1) {
            // Members join the way real ones do: through a single-use invitation.
            let secret = random_token(INVITE_PREFIX);
            store
                .create_invite(
                    &owner_id,
                    &org.id,
                    *role,
                    &token_hash(&secret),
                    7 * 24 * 3600 * 1_000_000,
                    ip,
                )
                .await?;
            let member_id = ids.get(member).cloned().unwrap_or_default();
            store
                .accept_invite(&member_id, &token_hash(&secret), ip)
                .await?;
        }
        if *verified {
            store.verify_org(&admin, &org.id, ip).await?;
        }
    }
    // One invitation still waiting to be accepted.
    if let (Some(bob), Ok(o)) = (
        ids.get("bob"),
        store
            .org_for_member(ids.get("bob").map_or("", |s| s), "northwind-outfitters")
            .await,
    ) {
        let secret = random_token(INVITE_PREFIX);
        store
            .create_invite(
                bob,
                &o.org.id,
                Role::Agent,
                &token_hash(&secret),
                7 * 24 * 3600 * 1_000_000,
                ip,
            )
            .await?;
    }
    Ok(Some(DemoSummary {
        people: PEOPLE.iter().map(|p| p.0).collect(),
        orgs: ORGS.iter().map(|o| o.1).collect(),
    }))
}

/// Mail Alice exported from her mail program, imported in the demo.
const DEMO_MBOX: &str = "From orders@lakesidebooks.example Mon Sep  1 10:00:00 2025
From: Lakeside Books <orders@lakesidebooks.example>
To: Alice Ng <alice@home.example>
Subject: Order LB-5521 confirmed
Message-ID: <lb-5521@lakesidebooks.example>
Date: Mon, 1 Sep 2025 10:00:00 +0000

Thank you for your order: The Overstory (hardcover), 24.00 EUR. It ships within two days.

From alice@home.example Tue Sep  9 18:30:00 2025
From: Alice Ng <alice@home.example>
To: orders@lakesidebooks.example
Subject: Re: Order LB-5521 confirmed
Message-ID: <alice-lb-1@home.example>
In-Reply-To: <lb-5521@lakesidebooks.example>
References: <lb-5521@lakesidebooks.example>
Date: Tue, 9 Sep 2025 18:30:00 +0000

The book has not arrived yet. Could you check the tracking number?

";

async fn thread(
    state: &AppState,
    actor: &str,
    rel: &str,
    subject: &str,
    stage: Stage,
    tags: &[&str],
) -> Result<String> {
    let t = NewThread {
        subject: subject.into(),
        stage,
        tags: tags.iter().map(|t| t.to_string()).collect(),
        follow_up_on: None,
    };
    Ok(state.store.create_thread(actor, rel, &t).await?.id)
}

async fn say(state: &AppState, actor: &str, thread: &str, kind: &str, text: &str) -> Result<()> {
    ledger::add_entry(
        state,
        actor,
        thread,
        ledger::EntryInput {
            kind,
            text: Some(text),
            event: None,
            corrects: None,
        },
        None,
    )
    .await
    .map(|_| ())
}

async fn seed_relationships(state: &AppState) -> Result<()> {
    let s = &state.store;
    let alice = s.user_by_handle("alice").await?.id;
    let bob = s.user_by_handle("bob").await?.id;
    let carol = s.user_by_handle("carol").await?.id;
    let erin = s.user_by_handle("erin").await?.id;

    // Alice and Northwind Outfitters: research, purchase, then a support case, both sides writing.
    let nw = s
        .create_relationship(
            &alice,
            &NewRelationship {
                org: Some("northwind-outfitters".into()),
                vendor_domain: "northwind.example".into(),
                ..Default::default()
            },
        )
        .await?;
    let research = thread(
        state,
        &alice,
        &nw.id,
        "Winter jacket: which size?",
        Stage::Research,
        &["jacket"],
    )
    .await?;
    say(state, &alice, &research, "message", "Hello! I am between M and L for the Alpine jacket. I am 172 cm and like to layer a fleece under it.").await?;
    say(
        state,
        &carol,
        &research,
        "message",
        "With a fleece underneath, L is the safer choice; the Alpine runs slim.",
    )
    .await?;
    say(
        state,
        &alice,
        &research,
        "note",
        "Also looked at the Kestrel Parka at the mall: heavier, 40 EUR more.",
    )
    .await?;
    let purchase = thread(
        state,
        &alice,
        &nw.id,
        "Bought the Alpine jacket",
        Stage::Purchase,
        &["jacket"],
    )
    .await?;
    let ev = EventInput {
        kind: "purchase".into(),
        item: Some("Alpine jacket, size L, slate".into()),
        amount: Some("189.00".into()),
        currency: Some("EUR".into()),
        order_ref: Some("NW-1042".into()),
        on: None,
    };
    let ordered = ledger::add_entry(
        state,
        &alice,
        &purchase,
        ledger::EntryInput {
            kind: "event",
            text: Some("Ordered online"),
            event: Some(&ev),
            corrects: None,
        },
        None,
    )
    .await?;
    let confirmation = b"Northwind Outfitters - order confirmation\nOrder NW-1042\n1 x Alpine jacket, size L, slate  189.00 EUR\n";
    crate::attachments::add_attachment(
        state,
        &alice,
        &purchase,
        "order-NW-1042.txt",
        "text/plain",
        confirmation.to_vec(),
    )
    .await?;
    let delivery = EventInput {
        kind: "delivery".into(),
        item: Some("Alpine jacket".into()),
        order_ref: Some("NW-1042".into()),
        ..Default::default()
    };
    ledger::add_entry(
        state,
        &alice,
        &purchase,
        ledger::EntryInput {
            kind: "event",
            text: Some("Arrived, well packed"),
            event: Some(&delivery),
            corrects: None,
        },
        None,
    )
    .await?;
    let support = thread(
        state,
        &alice,
        &nw.id,
        "Zip broke after a week",
        Stage::Support,
        &["jacket", "warranty"],
    )
    .await?;
    s.link_threads(&alice, &support, &purchase, LinkKind::FollowsFrom)
        .await?;
    s.link_threads(&alice, &purchase, &research, LinkKind::FollowsFrom)
        .await?;
    say(
        state,
        &alice,
        &support,
        "message",
        "The main zip of my Alpine jacket (order NW-1042) split after a week of normal use.",
    )
    .await?;
    // Looking up the receipt for the warranty claim, Alice sets the price straight: a
    // correction in the support case that points at the purchase logged in another thread.
    ledger::add_entry(
        state,
        &alice,
        &support,
        ledger::EntryInput {
            kind: "correction",
            text: Some(
                "I paid 179.00 EUR for the jacket, not 189.00: the member discount applied.",
            ),
            event: None,
            corrects: ordered.hash.as_deref(),
        },
        None,
    )
    .await?;
    say(
        state,
        &carol,
        &support,
        "message",
        "Sorry about that! It is covered by the warranty. Could you send a photo of the zip?",
    )
    .await?;
    say(
        state,
        &carol,
        &support,
        "note",
        "Third zip complaint on the Alpine batch this month: flag to product team.",
    )
    .await?;
    let change = ThreadChange {
        status: Some(Status::WaitingOnCustomer),
        assignee: Some(Some(carol.clone())),
        ..Default::default()
    };
    s.update_thread(&carol, &support, &change).await?;
    // "Chase if no reply": the follow-up fell due yesterday, so the due list shows it.
    let yesterday: String = slingshot_store::rfc3339(slingshot_store::now_us() - 86_400_000_000)
        .chars()
        .take(10)
        .collect();
    let follow = ThreadChange {
        follow_up_on: Some(Some(yesterday)),
        ..Default::default()
    };
    s.update_thread(&alice, &support, &follow).await?;
    // Carol keeps her own reminder, due today, on Northwind's due list.
    let today: String = slingshot_store::rfc3339(slingshot_store::now_us())
        .chars()
        .take(10)
        .collect();
    let chase = ThreadChange {
        follow_up_on: Some(Some(today)),
        ..Default::default()
    };
    s.update_thread(&carol, &support, &chase).await?;
    ledger::countersign(state, &alice, &nw.id).await?;

    // Alice and a bike shop that is not on Slingshot: she keeps her side alone.
    let bikes = s
        .create_relationship(
            &alice,
            &NewRelationship {
                vendor_name: "Corner Bikes".into(),
                vendor_website: "https://cornerbikes.example".into(),
                vendor_domain: "cornerbikes.example".into(),
                notes: "Small shop near the station; ask for Sam.".into(),
                ..Default::default()
            },
        )
        .await?;
    let bike = thread(
        state,
        &alice,
        &bikes.id,
        "Trail 3 commuter bike",
        Stage::Purchase,
        &["bike"],
    )
    .await?;
    let ev = EventInput {
        kind: "purchase".into(),
        item: Some("Trail 3 commuter bike".into()),
        amount: Some("899.00".into()),
        currency: Some("EUR".into()),
        order_ref: Some("CB-2211".into()),
        on: None,
    };
    ledger::add_entry(
        state,
        &alice,
        &bike,
        ledger::EntryInput {
            kind: "event",
            text: Some("Paid in store; first service free within 6 months"),
            event: Some(&ev),
            corrects: None,
        },
        None,
    )
    .await?;
    let call = EventInput {
        kind: "call".into(),
        ..Default::default()
    };
    ledger::add_entry(
        state,
        &alice,
        &bike,
        ledger::EntryInput {
            kind: "event",
            text: Some("Called to book the free service; Sam said any Tuesday"),
            event: Some(&call),
            corrects: None,
        },
        None,
    )
    .await?;

    // Bob and Kestrel Telecom.
    let kt = s
        .create_relationship(
            &bob,
            &NewRelationship {
                org: Some("kestrel-telecom".into()),
                ..Default::default()
            },
        )
        .await?;
    let roaming = thread(
        state,
        &bob,
        &kt.id,
        "Roaming charges in August",
        Stage::Support,
        &["billing"],
    )
    .await?;
    say(
        state,
        &bob,
        &roaming,
        "message",
        "My August bill has 38 EUR of roaming, but my plan includes EU roaming.",
    )
    .await?;
    say(
        state,
        &erin,
        &roaming,
        "message",
        "You are right; we have credited 38 EUR to your next bill.",
    )
    .await?;
    s.update_thread(
        &bob,
        &roaming,
        &ThreadChange {
            status: Some(Status::Resolved),
            ..Default::default()
        },
    )
    .await?;

    // Mail Alice imported from her own mailbox.
    mail_import::import_mail(
        state,
        &alice,
        DEMO_MBOX.as_bytes(),
        true,
        &["alice@home.example".into()],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
#[path = "demo_tests.rs"]
mod tests;
