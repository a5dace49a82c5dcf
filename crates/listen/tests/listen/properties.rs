//! CELF against naive greedy and brute force on random instances.

use proptest::prelude::*;
use slingshot_listen::{evaluate, select, Algorithm, Cascades, Objective, SelectOptions};

fn instance() -> impl Strategy<Value = Vec<Vec<(u8, u16)>>> {
    prop::collection::vec(prop::collection::vec((0u8..8, 0u16..50), 1..6), 1..14)
}

fn build(raw: &[Vec<(u8, u16)>]) -> Cascades {
    Cascades::from_events(raw.iter().map(|c| {
        c.iter()
            .map(|&(s, t)| (format!("s{s}"), i64::from(t)))
            .collect::<Vec<_>>()
    }))
    .unwrap()
}

fn objectives() -> [Objective; 3] {
    [Objective::Dl, Objective::Dt, Objective::Pa]
}

/// The best value over all sets satisfying `ok`.
fn brute_force(data: &Cascades, obj: &Objective, ok: impl Fn(&[usize]) -> bool) -> f64 {
    let n = data.n_sources();
    let names = data.source_names();
    let mut best = 0.0f64;
    for mask in 0u32..(1 << n) {
        let set: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
        if !ok(&set) {
            continue;
        }
        let list: Vec<String> = set.iter().map(|&i| names[i].clone()).collect();
        let v = evaluate(data, obj, &list).unwrap().value;
        best = best.max(v);
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn celf_equals_naive_greedy(raw in instance(), k in 1usize..6) {
        let data = build(&raw);
        for obj in objectives() {
            let o = SelectOptions { k, ..SelectOptions::default() };
            let a = select(&data, &obj, &o).unwrap();
            let b = select(&data, &obj, &SelectOptions { algorithm: Algorithm::Greedy, ..o }).unwrap();
            prop_assert!((a.value - b.value).abs() < 1e-9, "{} {} vs {}", obj.name(), a.value, b.value);
            let ia: Vec<u32> = a.steps.iter().map(|s| s.source_id).collect();
            let ib: Vec<u32> = b.steps.iter().map(|s| s.source_id).collect();
            prop_assert_eq!(ia, ib);
        }
    }

    #[test]
    fn optimum_lies_between_greedy_and_bound(raw in instance(), k in 1usize..4) {
        let data = build(&raw);
        for obj in objectives() {
            let s = select(&data, &obj, &SelectOptions { k, ..SelectOptions::default() }).unwrap();
            let kk = k.min(data.n_sources());
            let opt = brute_force(&data, &obj, |set| set.len() <= kk);
            prop_assert!(s.value <= opt + 1e-6, "greedy {} above opt {}", s.value, opt);
            prop_assert!(opt <= s.bound + 1e-6, "opt {} above bound {}", opt, s.bound);
            for step in &s.steps {
                prop_assert!(opt <= step.bound + 1e-6, "opt {} above step bound {}", opt, step.bound);
            }
            prop_assert!(s.value >= (1.0 - 1.0 / std::f64::consts::E) * opt - 1e-6);
        }
    }

    #[test]
    fn budgeted_celf_within_half_of_one_minus_one_over_e(
        raw in instance(),
        cost_seed in prop::collection::vec(1u8..6, 8),
        budget in 1u8..10,
    ) {
        let data = build(&raw);
        let costs: Vec<f64> = (0..data.n_sources()).map(|i| f64::from(cost_seed[i])).collect();
        let budget = f64::from(budget).max(costs.iter().copied().fold(f64::INFINITY, f64::min));
        for obj in objectives() {
            let o = SelectOptions { costs: Some(costs.clone()), budget: Some(budget), ..SelectOptions::default() };
            let s = select(&data, &obj, &o).unwrap();
            prop_assert!(s.cost <= budget + 1e-9);
            let opt = brute_force(&data, &obj, |set| set.iter().map(|&i| costs[i]).sum::<f64>() <= budget);
            prop_assert!(s.value <= opt + 1e-6);
            prop_assert!(opt <= s.bound + 1e-6, "opt {} above bound {}", opt, s.bound);
            prop_assert!(s.value >= 0.5 * (1.0 - 1.0 / std::f64::consts::E) * opt - 1e-6);
            let g = select(&data, &obj, &SelectOptions { algorithm: Algorithm::Greedy, ..o }).unwrap();
            prop_assert!((g.value - s.value).abs() < 1e-9);
        }
    }
}
