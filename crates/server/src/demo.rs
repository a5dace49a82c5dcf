//! A small, believable demo world for newcomers: a few people, vendors, an association
//! and a government office, members with roles. Later features extend it.

use crate::secrets::{hash_password, random_token, token_hash, INVITE_PREFIX};
use crate::Result;
use slingshot_domain::{DisplayName, Handle, OrgKind, OrgName, Role};
use slingshot_store::Store;

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
const ORGS: &[(&str, &str, OrgKind, bool, &[(&str, Role)])] = &[
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

/// Fill an empty database with the demo world. Refuses a database that has accounts.
pub async fn seed(store: &Store) -> Result<Option<DemoSummary>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use slingshot_store::testing::TestDb;

    #[tokio::test]
    async fn demo_world_is_seeded_once() {
        let db = TestDb::sqlite().await;
        let s = seed(&db.store).await.unwrap().unwrap();
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
            seed(&db.store).await.unwrap().is_none(),
            "a second run changes nothing"
        );
    }
}
