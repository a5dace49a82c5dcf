//! Benchmarks of loading and selection, printing medians (run with `cargo bench -p
//! slingshot-listen --bench listen -- [options]`; see BENCHMARKS.md and `benches/run_peers.sh`).
//!
//! Options: `--data FILE` (default: blog-scale data generated once under /var/tmp/listen-bench),
//! `--k N` (100), `--reps N` (7), `--naive-reps N` (3, 0 to skip naive greedy), `--web` (the
//! web-scale run instead: generate 1M sources / 10M cascades, load, select k = 1000),
//! `--objective dl|dt|pa` (only one).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use slingshot_listen::{
    generate_to_path, load_path, select, Algorithm, Cascades, Format, GenParams, NoProgress,
    Objective, SelectOptions,
};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed().as_secs_f64())
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

struct Args {
    data: Option<PathBuf>,
    k: usize,
    reps: usize,
    naive_reps: usize,
    web: bool,
    only: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        data: None,
        k: 100,
        reps: 7,
        naive_reps: 3,
        web: false,
        only: None,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--data" => (a.data, i) = (Some(PathBuf::from(next)), i + 1),
            "--k" => (a.k, i) = (next.parse().unwrap(), i + 1),
            "--reps" => (a.reps, i) = (next.parse().unwrap(), i + 1),
            "--naive-reps" => (a.naive_reps, i) = (next.parse().unwrap(), i + 1),
            "--web" => a.web = true,
            "--objective" => (a.only, i) = (Some(next.to_ascii_uppercase()), i + 1),
            _ => {} // e.g. cargo's --bench
        }
        i += 1;
    }
    a
}

fn generated(params: &GenParams, name: &str) -> PathBuf {
    let dir = Path::new("/var/tmp/listen-bench");
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    if !path.exists() {
        let st = generate_to_path(params, &path, &NoProgress).unwrap();
        println!(
            "generated {}: {} cascades, {} participations, {} bytes in {:.2} s",
            path.display(),
            st.cascades,
            st.participations,
            st.bytes,
            st.seconds
        );
    }
    path
}

fn main() {
    let a = args();
    println!(
        "# threads={} loadavg at start: {}",
        rayon::current_num_threads(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    if a.web {
        return web();
    }
    let path = a
        .data
        .clone()
        .unwrap_or_else(|| generated(&GenParams::default(), "blog-45k-350k-seed1.txt"));
    let bytes = std::fs::metadata(&path).unwrap().len();
    let (data, first) = time(|| load_path(&path, Format::Text, &NoProgress).unwrap());
    let rss_after_load = peak_rss_mb();
    let p = data.n_participations() as f64;
    println!(
        "data {}: {:.1} MB, sources={} cascades={} participations={}",
        path.display(),
        bytes as f64 / 1e6,
        data.n_sources(),
        data.n_cascades(),
        data.n_participations()
    );
    let mut loads = vec![first];
    for _ in 1..a.reps.min(5) {
        loads.push(time(|| load_path(&path, Format::Text, &NoProgress).unwrap()).1);
    }
    let load = median(loads);
    println!(
        "load: median {:.3} s = {:.0} MB/s ({} runs)",
        load,
        bytes as f64 / 1e6 / load,
        a.reps.min(5)
    );
    println!(
        "memory: {:.2} B/participation in the per-participation arrays, {:.2} B/participation in all arrays; peak RSS after the first load {:.0} MB",
        data.participation_bytes() as f64 / p,
        data.array_bytes() as f64 / p,
        rss_after_load
    );
    let scan = median(
        (0..a.reps.max(3) * 3)
            .map(|_| time(|| std::hint::black_box(data.scan())).1)
            .collect(),
    );
    println!(
        "scan: one sequential pass over all participations {:.2} ms",
        scan * 1e3
    );
    for obj in [Objective::Dl, Objective::Dt, Objective::Pa] {
        if a.only.as_ref().is_some_and(|o| *o != obj.name()) {
            continue;
        }
        bench_objective(&data, &obj, &a, scan);
    }
    println!(
        "peak RSS (whole run) {:.0} MB; loadavg at end: {}",
        peak_rss_mb(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}

fn bench_objective(data: &Cascades, obj: &Objective, a: &Args, scan: f64) {
    let o = SelectOptions {
        k: a.k,
        ..SelectOptions::default()
    };
    let online = SelectOptions {
        exact_bound: false,
        ..o.clone()
    };
    let mut last = None;
    let t_exact = median(
        (0..a.reps)
            .map(|_| {
                let (s, t) = time(|| select(data, obj, &o).unwrap());
                last = Some(s);
                t
            })
            .collect(),
    );
    let t_online = median(
        (0..a.reps)
            .map(|_| time(|| select(data, obj, &online).unwrap()).1)
            .collect(),
    );
    let s = last.unwrap();
    println!(
        "{} celf k={}: median {:.2} ms with the exact final bound, {:.2} ms with online bounds only ({:.2} scans); R={:.3} bound={:.3} (proven {:.1}%) evals={}",
        s.objective,
        a.k,
        t_exact * 1e3,
        t_online * 1e3,
        t_online / scan,
        s.value,
        s.bound,
        s.proven_ratio * 100.0,
        s.evaluations
    );
    if a.naive_reps > 0 {
        let g = SelectOptions {
            algorithm: Algorithm::Greedy,
            exact_bound: false,
            ..o.clone()
        };
        let mut gv = 0.0;
        let t = median(
            (0..a.naive_reps)
                .map(|_| {
                    let (s, t) = time(|| select(data, obj, &g).unwrap());
                    gv = s.value;
                    t
                })
                .collect(),
        );
        println!(
            "{} naive greedy (2 threads) k={}: median {:.1} ms; R={:.3}; CELF speed-up {:.0}x",
            s.objective,
            a.k,
            t * 1e3,
            gv,
            t / t_online
        );
    }
    let st = SelectOptions {
        algorithm: Algorithm::Stochastic,
        seed: 1,
        exact_bound: false,
        ..o
    };
    let (ss, t) = time(|| select(data, obj, &st).unwrap());
    println!(
        "{} stochastic greedy (eps 0.01) k={}: {:.1} ms; R={:.3} ({:.2}% of CELF)",
        s.objective,
        a.k,
        t * 1e3,
        ss.value,
        100.0 * ss.value / s.value
    );
}

fn web() {
    let params = GenParams {
        sources: 1_000_000,
        cascades: 10_000_000,
        seed: 1,
        mean_size: 20.0,
        ..GenParams::default()
    };
    let path = PathBuf::from("/var/tmp/listen-bench/web-1m-10m-seed1.txt");
    std::fs::create_dir_all("/var/tmp/listen-bench").unwrap();
    let (st, tg) = time(|| generate_to_path(&params, &path, &NoProgress).unwrap());
    println!(
        "web generate: {:.1} s, {} cascades, {} participations, {:.2} GB",
        tg,
        st.cascades,
        st.participations,
        st.bytes as f64 / 1e9
    );
    let (data, tl) = time(|| load_path(&path, Format::Text, &NoProgress).unwrap());
    println!(
        "web load: {:.1} s = {:.0} MB/s; sources={} participations={}; peak RSS {:.0} MB",
        tl,
        st.bytes as f64 / 1e6 / tl,
        data.n_sources(),
        data.n_participations(),
        peak_rss_mb()
    );
    let o = SelectOptions {
        k: 1000,
        ..SelectOptions::default()
    };
    let (s, ts) = time(|| select(&data, &Objective::Dt, &o).unwrap());
    println!(
        "web select DT k=1000 (celf, exact final bound): {:.2} s; R={:.3} bound={:.3} (proven {:.1}%) evals={}",
        ts,
        s.value,
        s.bound,
        s.proven_ratio * 100.0,
        s.evaluations
    );
    println!(
        "web total generate+load+select: {:.1} s; peak RSS {:.0} MB",
        tg + tl + ts,
        peak_rss_mb()
    );
    std::fs::remove_file(&path).ok();
}
