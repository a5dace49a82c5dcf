//! The Message-IDs of a person's imported mail and the conversation each went into
//! (`mail_messages`), so that a reply imported later joins the conversation it answers.

use crate::write_turn::WriteTx;
use crate::{Backend, Result, Store};

/// A stored message's conversation, found by its Message-ID.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailThreadRef {
    /// The Message-ID looked up.
    pub message_id: String,
    /// The conversation it went into.
    pub thread_id: String,
    /// That conversation's relationship.
    pub relationship_id: String,
    /// That conversation's subject.
    pub subject: String,
    /// When its earliest imported message was sent (µs; [`crate::ImportBatch::mail_threads`]
    /// only).
    #[sqlx(default)]
    pub started_at: Option<i64>,
}

/// Ids looked up per statement ([`lookup_sql`]).
pub(crate) const IDS_PER_QUERY: usize = 500;

/// The placeholders for a person and `n` Message-IDs after it.
fn placeholders(backend: Backend, n: usize) -> (&'static str, String) {
    let marks: Vec<String> = (0..n)
        .map(|i| match backend {
            Backend::Sqlite => "?".to_owned(),
            Backend::Postgres => format!("${}", i + 2),
        })
        .collect();
    let person = match backend {
        Backend::Sqlite => "?",
        Backend::Postgres => "$1",
    };
    (person, marks.join(", "))
}

/// The lookup of `n` Message-IDs of a person: bind the person, then the ids.
pub(crate) fn lookup_sql(backend: Backend, n: usize) -> String {
    let (person, ids) = placeholders(backend, n);
    format!(
        "SELECT m.message_id, m.thread_id, t.relationship_id, t.subject FROM mail_messages m \
         JOIN threads t ON t.id = m.thread_id WHERE m.person_id = {person} AND m.message_id IN ({ids})"
    )
}

/// The stored bodies of `n` Message-IDs of a person (erased ones have none): bind the
/// person, then the ids.
pub(crate) fn bodies_sql(backend: Backend, n: usize) -> String {
    let (person, ids) = placeholders(backend, n);
    format!(
        "SELECT b.body FROM mail_messages m JOIN entry_bodies b ON b.entry_id = m.entry_id \
         WHERE m.person_id = {person} AND m.message_id IN ({ids})"
    )
}

/// Remember (person, Message-ID, thread, entry) rows; a Message-ID already stored for the
/// person keeps its first conversation.
pub(crate) async fn insert(
    backend: Backend,
    tx: &mut WriteTx,
    rows: &[(String, String, String, String)],
) -> Result<()> {
    for chunk in rows.chunks(200) {
        let sql = format!(
            "INSERT INTO mail_messages (person_id, message_id, thread_id, entry_id) VALUES {} \
             ON CONFLICT (person_id, message_id) DO NOTHING",
            crate::sql::rows(backend, chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for (person, message, thread, entry) in chunk {
            q = q.bind(person).bind(message).bind(thread).bind(entry);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Read the Message-IDs of mail imported before `mail_messages` existed, once.
pub(crate) async fn backfill(store: &Store) -> Result<()> {
    let pending: Option<i64> = sqlx::query_scalar("SELECT pending FROM mail_messages_backfill")
        .fetch_optional(&store.pool)
        .await?;
    if pending.is_none() {
        return Ok(());
    }
    let id = match store.backend() {
        Backend::Sqlite => "json_extract(b.body, '$.mail.message_id')",
        Backend::Postgres => "(b.body::jsonb -> 'mail' ->> 'message_id')",
    };
    let mut tx = store.begin_write().await?;
    let filled = sqlx::query(&format!(
        "INSERT INTO mail_messages (person_id, message_id, thread_id, entry_id) \
         SELECT e.person_id, {id}, e.thread_id, e.id FROM entries e JOIN entry_bodies b ON b.entry_id = e.id \
         WHERE e.source_ref IS NOT NULL AND {id} IS NOT NULL ORDER BY e.at, e.id \
         ON CONFLICT (person_id, message_id) DO NOTHING"
    ))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM mail_messages_backfill")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if filled > 0 {
        tracing::info!(messages = filled, "imported mail's Message-IDs read");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::test_chain::Chain;

    // Mail imported before `mail_messages` existed is found by its Message-ID once the
    // store has read it in (once: the marker is gone afterwards).
    crate::dual_test!(
        earlier_mail_is_read_in_once,
        |db: crate::testing::TestDb| async move {
            let s = &db.store;
            let c = Chain::new(s).await;
            let mut batch = s.plan_import(&c.person, c.keys.clone()).await.unwrap();
            for (i, id) in ["m-1@shop.example", "m-2@shop.example"].iter().enumerate() {
                let mut e = c.message("mail", Some(&format!("digest-{i}")));
                e.body = serde_json::json!({"text": "mail", "mail": {"message_id": id}});
                batch.push(e).unwrap();
            }
            batch.commit().await.unwrap();
            let ids = vec!["m-1@shop.example".to_owned(), "m-2@shop.example".to_owned()];
            let found = |s: crate::Store, person: String, ids: Vec<String>| async move {
                let mut b = s.plan_import(&person, Default::default()).await.unwrap();
                b.threads_of_messages(&ids).await.unwrap().len()
            };
            // Pushed without its id, the mail is not known yet; the backfill reads it in.
            assert_eq!(found(s.clone(), c.person.clone(), ids.clone()).await, 0);
            sqlx::query("INSERT INTO mail_messages_backfill (pending) VALUES (1)")
                .execute(&s.pool)
                .await
                .unwrap();
            s.migrate().await.unwrap();
            assert_eq!(found(s.clone(), c.person.clone(), ids.clone()).await, 2);
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_messages_backfill")
                .fetch_one(&s.pool)
                .await
                .unwrap();
            assert_eq!(left, 0);
            // Someone else's lookup finds none of it.
            let other = Chain::new_named(s, "olga").await;
            assert_eq!(found(s.clone(), other.person.clone(), ids).await, 0);
        }
    );
}
