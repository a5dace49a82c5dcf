//! Fill a database with a large ledger for the timeline and search benchmarks: one person
//! (`bench`, password `bench-password-2026`) with `RELS` relationships, one thread each,
//! and `N` signed entries appended in groups straight through the store; then an
//! organization (`benchco`, owned by `benchagent` with the same password) that the first
//! relationship's history is shared with, for the organization's search.
//! Usage: `ledger_load DATABASE_URL DATA_DIR N [RELS]`

use serde_json::json;
use slingshot_domain::conversation::Stage;
use slingshot_domain::ledger::{EntryKind, Side};
use slingshot_domain::{DisplayName, Handle};
use slingshot_server::{AppState, Config};
use slingshot_store::{NewEntry, NewRelationship, NewThread, Store};
use std::collections::HashMap;
use std::time::Instant;

const WORDS: &[&str] = &[
    "delivery",
    "invoice",
    "refund",
    "warranty",
    "jacket",
    "bike",
    "router",
    "contract",
    "roaming",
    "repair",
    "battery",
    "screen",
    "parcel",
    "courier",
    "discount",
    "subscription",
    "upgrade",
    "cancel",
    "replacement",
    "receipt",
    "zipper",
    "helmet",
    "charger",
    "modem",
    "fibre",
    "outage",
    "appointment",
    "technician",
    "voucher",
    "loyalty",
    "return",
    "size",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (url, data_dir) = (
        args.get(1).ok_or("DATABASE_URL")?,
        args.get(2).ok_or("DATA_DIR")?,
    );
    let n: usize = args.get(3).ok_or("N")?.parse()?;
    let rels: usize = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(100);
    let store = Store::open(url).await?;
    let config = Config {
        data_dir: data_dir.into(),
        database_url: Some(url.clone()),
        ..Config::default()
    };
    let master = config.load_master_key()?;
    let state = AppState::new(store.clone(), config, master);
    let hash = slingshot_server::secrets::hash_password("bench-password-2026".into()).await?;
    let user = store
        .create_user(
            &Handle::parse("bench")?,
            &DisplayName::parse("Bench")?,
            &hash,
            false,
            false,
            "load",
        )
        .await?;
    let key = state
        .keys
        .key_for(&store, &format!("user:{}", user.id))
        .await?;
    let keys = HashMap::from([(format!("user:{}", user.id), key)]);
    let mut threads = Vec::new();
    for i in 0..rels {
        let r = store
            .create_relationship(
                &user.id,
                &NewRelationship {
                    vendor_name: format!("Vendor {i:03}"),
                    ..Default::default()
                },
            )
            .await?;
        let t = store
            .create_thread(
                &user.id,
                &r.id,
                &NewThread {
                    subject: format!("Conversation {i}"),
                    stage: Stage::Support,
                    tags: vec![],
                    follow_up_on: None,
                },
            )
            .await?;
        threads.push((r.id, t.id));
    }
    let start = Instant::now();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let t0 = slingshot_store::now_us() - (n as i64) * 1_000_000;
    let mut done = 0;
    while done < n {
        let group = (n - done).min(2000);
        let mut items = Vec::with_capacity(group);
        for k in 0..group {
            let (rel, thread) = &threads[(next() as usize) % threads.len()];
            let words: Vec<&str> = (0..12)
                .map(|_| WORDS[(next() as usize) % WORDS.len()])
                .collect();
            let text = format!("Entry {} {}", done + k, words.join(" "));
            items.push(NewEntry {
                relationship_id: rel.clone(),
                person_id: user.id.clone(),
                org_id: None,
                thread_id: thread.clone(),
                side: Side::Customer,
                author_id: user.id.clone(),
                kind: EntryKind::Message,
                body: json!({ "text": text }),
                search_text: text,
                source_ref: None,
                corrects: None,
                at_us: t0 + ((done + k) as i64) * 1_000_000,
                attachment: None,
            });
        }
        store.append_entries(&items, &keys).await?;
        done += group;
        if done % 100_000 == 0 {
            eprintln!(
                "{done} entries, {:.0}/s",
                done as f64 / start.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "loaded {n} entries into {rels} relationships in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let agent = store
        .create_user(
            &Handle::parse("benchagent")?,
            &DisplayName::parse("Bench agent")?,
            &hash,
            false,
            false,
            "load",
        )
        .await?;
    let org = store
        .create_org(
            &agent.id,
            &Handle::parse("benchco")?,
            &slingshot_domain::OrgName::parse("Bench Co")?,
            slingshot_domain::OrgKind::Vendor,
            "load",
        )
        .await?;
    // One relationship per organization: benchco has one customer, with about 1/RELS of
    // the entries, found among everyone's by its search.
    if let Some((rel, _)) = threads.first() {
        store.share_with_org(&user.id, rel, &org.id).await?;
    }
    println!("shared 1 relationship with benchco");
    if let Some((rel, _)) = threads.first() {
        println!("first relationship: {rel}");
    }
    Ok(())
}
