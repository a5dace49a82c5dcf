//! Open-loop load at a fixed request rate over `CONNS` connections (like wrk2): each
//! request has a scheduled start, and its latency counts from that start, so a slow
//! server cannot hide its queueing (no coordinated omission). Loopback only, bounded.
//! Usage: `rate_load URL RATE SECONDS CONNS [BEARER_TOKEN]`
//! Prints: achieved req/s, p50, p90, p99, p99.9 (ms), non-2xx count.

use std::time::{Duration, Instant};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).ok_or("URL")?.clone();
    let rate: f64 = args.get(2).ok_or("RATE")?.parse()?;
    let secs: f64 = args.get(3).ok_or("SECONDS")?.parse()?;
    let conns: usize = args.get(4).ok_or("CONNS")?.parse()?;
    let token = args.get(5).cloned();
    if !url.starts_with("http://127.0.0.1") && !url.starts_with("http://localhost") {
        return Err("loopback only".into());
    }
    let total = (rate * secs) as usize;
    let t0 = Instant::now() + Duration::from_millis(200);
    let mut tasks = Vec::new();
    for c in 0..conns {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()?;
        let (url, token) = (url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut bad = 0u64;
            let mut k = c;
            while k < total {
                let at = t0 + Duration::from_secs_f64(k as f64 / rate);
                tokio::time::sleep_until(at.into()).await;
                let mut rb = client.get(&url);
                if let Some(t) = &token {
                    rb = rb.bearer_auth(t);
                }
                match rb.send().await {
                    Ok(r) => {
                        if !r.status().is_success() {
                            bad += 1;
                        }
                        let _ = r.bytes().await;
                    }
                    Err(_) => bad += 1,
                }
                lat.push(at.elapsed().as_micros() as u64);
                k += conns;
            }
            (lat, bad)
        }));
    }
    let mut all = Vec::with_capacity(total);
    let mut bad = 0;
    for t in tasks {
        let (l, b) = t.await?;
        all.extend(l);
        bad += b;
    }
    let elapsed = t0.elapsed().as_secs_f64();
    all.sort_unstable();
    let q = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    println!(
        "{:.0} req/s  p50 {:.2}ms  p90 {:.2}ms  p99 {:.2}ms  p99.9 {:.2}ms  non-2xx {}",
        all.len() as f64 / elapsed,
        q(0.5),
        q(0.9),
        q(0.99),
        q(0.999),
        bad
    );
    Ok(())
}
