//! Selections on generated data.

use slingshot_listen::{
    generate, load_reader, select, Algorithm, Format, GenParams, NoProgress, Objective,
    SelectOptions,
};

fn data() -> slingshot_listen::Cascades {
    let p = GenParams {
        sources: 3000,
        cascades: 20_000,
        seed: 42,
        ..GenParams::default()
    };
    let mut text = Vec::new();
    generate(&p, &mut text, &NoProgress).unwrap();
    load_reader(&text[..], Format::Text, "gen", &NoProgress).unwrap()
}

#[test]
fn celf_matches_greedy_and_stochastic_is_close_on_generated_data() {
    let d = data();
    assert_eq!(d.n_cascades(), 20_000);
    assert!(d.participations_per_cascade() > 5.0);
    for obj in [Objective::Dl, Objective::Dt, Objective::Pa] {
        let o = SelectOptions {
            k: 25,
            ..SelectOptions::default()
        };
        let c = select(&d, &obj, &o).unwrap();
        let g = select(
            &d,
            &obj,
            &SelectOptions {
                algorithm: Algorithm::Greedy,
                ..o.clone()
            },
        )
        .unwrap();
        assert!(
            (c.value - g.value).abs() <= 1e-9 * c.value.max(1.0),
            "{}",
            obj.name()
        );
        let ids = |s: &slingshot_listen::Selection| {
            s.steps.iter().map(|x| x.source_id).collect::<Vec<_>>()
        };
        assert_eq!(ids(&c), ids(&g), "{}", obj.name());
        assert!(
            c.evaluations < g.evaluations / 5,
            "{} vs {}",
            c.evaluations,
            g.evaluations
        );
        assert!(c.bound >= c.value && c.proven_ratio > 0.6);
        let s = select(
            &d,
            &obj,
            &SelectOptions {
                algorithm: Algorithm::Stochastic,
                seed: 7,
                ..o
            },
        )
        .unwrap();
        assert!(
            s.value >= 0.9 * c.value,
            "{} stochastic {} vs {}",
            obj.name(),
            s.value,
            c.value
        );
        assert!(s.value <= c.bound);
    }
}

#[test]
fn budgeted_selection_on_generated_data() {
    let d = data();
    // Cost: number of cascades a source took part in (a proxy for its number of posts).
    let costs: Vec<f64> = (0..d.n_sources() as u32)
        .map(|s| d.source_degree(s) as f64)
        .collect();
    let o = SelectOptions {
        costs: Some(costs),
        budget: Some(2000.0),
        ..SelectOptions::default()
    };
    let s = select(&d, &Objective::Dt, &o).unwrap();
    assert!(s.cost <= 2000.0);
    assert!(s.value > 0.0 && s.bound >= s.value);
    assert!(s.algorithm.starts_with("celf-"));
}
