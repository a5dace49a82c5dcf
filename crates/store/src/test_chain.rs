//! Test helpers for the store's own tests: a person with a relationship, a thread and a
//! signing key, and the entries they write.

use crate::{NewEntry, NewRelationship, NewThread, Store};
use slingshot_domain::conversation::Stage;
use slingshot_domain::ledger::{EntryKind, Side};
use slingshot_domain::{DisplayName, Handle};
use std::collections::HashMap;

/// A person named after the handle, with no relationships yet.
pub(crate) async fn plain_user(s: &Store, handle: &str) -> crate::User {
    s.create_user(
        &Handle::parse(handle).unwrap(),
        &DisplayName::parse(handle).unwrap(),
        "$argon2id$fake",
        false,
        true,
        "127.0.0.1",
    )
    .await
    .unwrap()
}

/// A person with one relationship and one thread, and the person's signing key.
pub(crate) struct Chain {
    pub(crate) person: String,
    pub(crate) rel: String,
    pub(crate) thread: String,
    pub(crate) keys: HashMap<String, slingshot_domain::ledger::SigningKey>,
}

impl Chain {
    pub(crate) async fn new(s: &Store) -> Self {
        Self::new_named(s, "walter").await
    }

    /// The same for a person of another handle.
    pub(crate) async fn new_named(s: &Store, handle: &str) -> Self {
        let u = plain_user(s, handle).await;
        let rel = NewRelationship {
            vendor_name: "V".into(),
            ..Default::default()
        };
        let r = s.create_relationship(&u.id, &rel).await.unwrap();
        let thread = NewThread {
            subject: "s".into(),
            stage: Stage::Other,
            tags: vec![],
            follow_up_on: None,
        };
        let t = s.create_thread(&u.id, &r.id, &thread).await.unwrap();
        let keys = HashMap::from([(
            format!("user:{}", u.id),
            slingshot_credentials::generate_signing_key(),
        )]);
        Self {
            person: u.id,
            rel: r.id,
            thread: t.id,
            keys,
        }
    }

    /// A customer message on the thread.
    pub(crate) fn message(&self, text: &str, source_ref: Option<&str>) -> NewEntry {
        NewEntry {
            relationship_id: self.rel.clone(),
            person_id: self.person.clone(),
            org_id: None,
            thread_id: self.thread.clone(),
            side: Side::Customer,
            author_id: self.person.clone(),
            kind: EntryKind::Message,
            body: serde_json::json!({ "text": text }),
            search_text: text.to_owned(),
            source_ref: source_ref.map(str::to_owned),
            corrects: None,
            at_us: crate::now_us(),
            attachment: None,
        }
    }
}
