//! How fast a ledger bundle verifies: `cargo bench -p slingshot-domain --bench ledger_verify`.
//!
//! Builds N signed entries in memory (two sides, one checkpoint per 16
//! entries, small realistic bodies), writes the bundle to a Vec, then times
//! `verify_bundle` over it on one thread. Prints the median of several runs and
//! entries/s, beside the same verifier with batching off (a batch of one
//! signature) as the peer; the breakdown also times `ed25519_dalek::verify_batch`
//! on the same signatures. `LEDGER_BENCH_N` and `LEDGER_BENCH_RUNS`
//! change the size and the number of runs.

use std::time::{Duration, Instant};

use rand::SeedableRng;

use serde_json::json;
use slingshot_domain::ledger::{
    body_digest, next_header, verify_bundle_with, BundleHeader, BundleItem, BundleKey,
    BundleReader, BundleRelationship, BundleTip, BundleWriter, ChainTip, Checkpoint, EntryBody,
    EntryDraft, EntryKind, KeyId, LedgerTime, Side, SignedCheckpoint, SignedEntry, SigningKey,
    VerifyOptions,
};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn build_bundle(n: usize) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let customer = SigningKey::from_bytes(&[3; 32]);
    let vendor = SigningKey::from_bytes(&[4; 32]);
    let relationship = "0192f0c4-7d1e-7c3a-9f00-00000000beef".to_owned();
    let mut entries = Vec::with_capacity(n);
    let mut bodies = Vec::with_capacity(n);
    let mut tip: Option<ChainTip> = None;
    for i in 0..n {
        let side = if i % 2 == 0 {
            Side::Customer
        } else {
            Side::Vendor
        };
        let key = if side == Side::Customer {
            &customer
        } else {
            &vendor
        };
        let body = json!({
            "text": format!("Thanks, order #{i} arrived. The left boot pinches a little — can I swap it for a 44?"),
            "format": "text/plain",
            "order": {"reference": format!("NW-{i:08}"), "amount": 129.95, "currency": "EUR"},
        });
        let header = next_header(
            tip.as_ref(),
            EntryDraft {
                relationship: relationship.clone(),
                author_side: side,
                author_key_id: KeyId::of(&key.verifying_key()),
                kind: if i % 5 == 4 {
                    EntryKind::Event
                } else {
                    EntryKind::Message
                },
                thread: format!("0192f0c4-7d1e-7c3a-9f00-{:012}", i / 20),
                time: LedgerTime::parse(&format!(
                    "2026-11-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                    1 + (i / 86_400) % 28,
                    (i / 3600) % 24,
                    (i / 60) % 60,
                    i % 60,
                    i % 1000
                ))?,
                body: &body,
                corrects: None,
            },
        )?;
        let entry = SignedEntry::sign(header, key)?;
        tip = Some(ChainTip::of(&entry));
        entries.push(entry);
        bodies.push(body);
    }
    let header = BundleHeader {
        relationship: BundleRelationship {
            id: relationship,
            details: Default::default(),
        },
        keys: vec![
            BundleKey::new(Side::Customer, customer.verifying_key()),
            BundleKey::new(Side::Vendor, vendor.verifying_key()),
        ],
        tip: tip.map(|t| BundleTip {
            sequence: t.sequence,
            hash: t.hash,
        }),
    };
    let mut w = BundleWriter::new(Vec::with_capacity(n * 900), &header)?;
    for (i, (entry, body)) in entries.iter().zip(&bodies).enumerate() {
        let body = if i % 50 == 49 {
            EntryBody::Erased
        } else {
            EntryBody::Present(body)
        };
        w.write_entry(entry, body)?;
    }
    for entry in entries.iter().skip(1).step_by(16) {
        // The customer countersigns the vendor's (odd-numbered) entries.
        let cp = Checkpoint::of_entry(
            &entry.header,
            entry.hash,
            Side::Customer,
            KeyId::of(&customer.verifying_key()),
            entry.header.time.clone(),
        )?;
        w.write_checkpoint(&SignedCheckpoint::sign(cp, &customer)?)?;
    }
    Ok(w.finish()?)
}

/// The median and the best of `runs` timed verifications.
fn time_runs(
    bundle: &[u8],
    options: &VerifyOptions,
    runs: usize,
    n: usize,
) -> Result<(Duration, Duration), Box<dyn std::error::Error>> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let report = verify_bundle_with(bundle, options)?;
        times.push(start.elapsed());
        if !report.is_valid() || report.entries != n as u64 {
            return Err(format!("bundle did not verify: {report}").into());
        }
    }
    times.sort();
    Ok((times[times.len() / 2], times[0]))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then
    // a small run only checks that the bench works.
    let benching = std::env::args().any(|a| a == "--bench");
    let n = env_usize("LEDGER_BENCH_N", if benching { 100_000 } else { 1_000 });
    let runs = env_usize("LEDGER_BENCH_RUNS", if benching { 5 } else { 1 }).max(1);
    let build = Instant::now();
    let bundle = build_bundle(n)?;
    println!(
        "ledger_verify: {n} entries, {} checkpoints, {:.1} MiB bundle (built in {:.1?})",
        n.div_ceil(16).min(n / 2),
        bundle.len() as f64 / (1024.0 * 1024.0),
        build.elapsed()
    );
    let batch = env_usize("LEDGER_BENCH_BATCH", VerifyOptions::default().batch_size);
    let peer = env_usize("LEDGER_BENCH_PEER", 1) == 1;
    let mut variants = vec![(format!("batched ({batch})"), batch)];
    if peer {
        variants.push(("peer: unbatched (1)".to_owned(), 1));
    }
    for (label, batch_size) in variants {
        let options = VerifyOptions {
            batch_size,
            ..VerifyOptions::default()
        };
        let (median, best) = time_runs(&bundle, &options, runs, n)?;
        println!(
            "  verify {label:<20} median of {runs}: {:>7.1} ms {:>7.0} entries/s {:>6.2} µs/entry | best {:>7.0} entries/s",
            median.as_secs_f64() * 1e3,
            n as f64 / median.as_secs_f64(),
            median.as_secs_f64() * 1e6 / n as f64,
            n as f64 / best.as_secs_f64(),
        );
    }
    if env_usize("LEDGER_BENCH_BREAKDOWN", 1) == 1 {
        breakdown(&bundle, n)?;
    }
    Ok(())
}

/// Where the time goes: each stage alone, one pass each.
fn breakdown(bundle: &[u8], n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    let start = Instant::now();
    let mut items = Vec::with_capacity(n);
    for step in BundleReader::new(bundle) {
        if let Ok((_, BundleItem::Entry(e))) = step? {
            items.push(e);
        }
    }
    let parse = start.elapsed();
    let start = Instant::now();
    for e in &items {
        std::hint::black_box(e.entry.header.hash()?);
    }
    let hash = start.elapsed();
    let start = Instant::now();
    for e in &items {
        if let Some(body) = &e.body {
            std::hint::black_box(body_digest(body)?);
        }
    }
    let body = start.elapsed();
    let keys = [
        SigningKey::from_bytes(&[3; 32]).verifying_key(),
        SigningKey::from_bytes(&[4; 32]).verifying_key(),
    ];
    let start = Instant::now();
    for chunk in items.chunks(256) {
        let msgs: Vec<&[u8]> = chunk.iter().map(|e| &e.entry.hash.as_bytes()[..]).collect();
        let sigs: Vec<_> = chunk.iter().map(|e| e.entry.signature).collect();
        let ks: Vec<_> = chunk
            .iter()
            .map(|e| keys[usize::from(e.entry.header.author_side == Side::Vendor)])
            .collect();
        ed25519_dalek::verify_batch(&msgs, &sigs, &ks)?;
    }
    let sig = start.elapsed();
    let zebra_keys = keys.map(|k| ed25519_zebra::VerificationKeyBytes::from(k.to_bytes()));
    let mut rng = rand::rngs::StdRng::from_entropy();
    let start = Instant::now();
    for chunk in items.chunks(256) {
        let mut batch = ed25519_zebra::batch::Verifier::new();
        for e in chunk {
            let key = zebra_keys[usize::from(e.entry.header.author_side == Side::Vendor)];
            batch.queue((key, e.entry.signature, &e.entry.hash.as_bytes()[..]));
        }
        batch.verify(&mut rng)?;
    }
    let coalesced = start.elapsed();
    println!(
        "  breakdown µs/entry: parse line {:.2}, header hash {:.2}, body digest {:.2}, \
         signatures by ed25519_dalek::verify_batch(256) {:.2}, by ed25519_zebra's batch (256, one term per key) {:.2}",
        per(parse),
        per(hash),
        per(body),
        per(sig),
        per(coalesced)
    );
    Ok(())
}
