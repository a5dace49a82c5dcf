//! Fill a database for the personal-data benchmarks: a customer (`pat`) and a vendor
//! organization (`bench-vendor`, owner `owen`; passwords `bench-password-2026`) with one
//! two-sided relationship holding `N` signed entries (both sides writing), a vault of
//! five fields granted for delivery, and published privacy settings.
//! Prints the customer's pseudonym. Usage: `personal_load DATABASE_URL DATA_DIR N`

use serde_json::json;
use slingshot_domain::consent::Purpose;
use slingshot_domain::conversation::Stage;
use slingshot_domain::ledger::{EntryKind, Side};
use slingshot_domain::{DisplayName, Handle, OrgKind, OrgName};
use slingshot_server::personal::consent::{grant, GrantInput};
use slingshot_server::{AppState, Config};
use slingshot_store::{NewEntry, NewRelationship, NewThread, PrivacySettings, Store};
use std::collections::HashMap;
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (url, data_dir) = (
        args.get(1).ok_or("DATABASE_URL")?,
        args.get(2).ok_or("DATA_DIR")?,
    );
    let n: usize = args.get(3).ok_or("N")?.parse()?;
    let store = Store::open(url).await?;
    let config = Config {
        data_dir: data_dir.into(),
        database_url: Some(url.clone()),
        ..Config::default()
    };
    let master = config.load_master_key()?;
    let state = AppState::new(store.clone(), config, master);
    let hash = slingshot_server::secrets::hash_password("bench-password-2026".into()).await?;
    let mut users = Vec::new();
    for h in ["pat", "owen"] {
        users.push(
            store
                .create_user(
                    &Handle::parse(h)?,
                    &DisplayName::parse(h)?,
                    &hash,
                    false,
                    false,
                    "load",
                )
                .await?,
        );
    }
    let (pat, owen) = (&users[0], &users[1]);
    let org = store
        .create_org(
            &owen.id,
            &Handle::parse("bench-vendor")?,
            &OrgName::parse("Bench Vendor")?,
            OrgKind::Vendor,
            "load",
        )
        .await?;
    store
        .set_privacy_settings(
            &owen.id,
            &PrivacySettings {
                contact_email: "privacy@bench.example".into(),
                ..PrivacySettings::defaults(&org.id)
            },
        )
        .await?;
    let rel = store
        .create_relationship(
            &pat.id,
            &NewRelationship {
                org: Some(org.id.clone()),
                ..Default::default()
            },
        )
        .await?;
    let thread = store
        .create_thread(
            &pat.id,
            &rel.id,
            &NewThread {
                subject: "Everything".into(),
                stage: Stage::Support,
                tags: vec![],
                follow_up_on: None,
            },
        )
        .await?;
    let mut fields = Vec::new();
    for (k, l, v) in [
        ("name", "Name", "Pat Bench"),
        ("email", "E-mail", "pat@bench.example"),
        ("phone", "Phone", "+1 555 0100"),
        ("postal-address", "Home", "1 Bench Road, Testville"),
        ("preference", "Contact", "e-mail only"),
    ] {
        fields.push(store.add_profile_field(&pat.id, k, l, v).await?.id);
    }
    grant(
        &state,
        &pat.id,
        GrantInput {
            relationship_id: rel.id.clone(),
            purpose: Purpose::Delivery,
            field_ids: fields,
            expires_at: slingshot_store::now_us() + 300 * 86_400 * 1_000_000,
        },
    )
    .await?;
    let (pk, ok) = (format!("user:{}", pat.id), format!("org:{}", org.id));
    let keys = HashMap::from([
        (pk.clone(), state.keys.key_for(&store, &pk).await?),
        (ok.clone(), state.keys.key_for(&store, &ok).await?),
    ]);
    let start = Instant::now();
    let t0 = slingshot_store::now_us() - (n as i64) * 1_000_000;
    let mut done = 0;
    while done < n {
        let group = (n - done).min(2000);
        let items: Vec<NewEntry> = (done..done + group)
            .map(|i| {
                let (side, author) = if i % 2 == 0 {
                    (Side::Customer, &pat.id)
                } else {
                    (Side::Vendor, &owen.id)
                };
                let text = format!(
                    "Entry {i}: about the delivery of order {} and its invoice",
                    i / 7
                );
                NewEntry {
                    relationship_id: rel.id.clone(),
                    person_id: pat.id.clone(),
                    org_id: Some(org.id.clone()),
                    thread_id: thread.id.clone(),
                    side,
                    author_id: author.clone(),
                    kind: EntryKind::Message,
                    body: json!({ "text": text }),
                    search_text: text,
                    source_ref: None,
                    corrects: None,
                    at_us: t0 + (i as i64) * 1_000_000,
                    attachment: None,
                }
            })
            .collect();
        store.append_entries(&items, &keys).await?;
        done += group;
    }
    eprintln!(
        "loaded {n} entries in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    println!("{}", rel.pseudonym);
    Ok(())
}
