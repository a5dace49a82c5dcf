//! Bad input: clear errors, never a panic.

use std::io::Write;

use slingshot_listen::{
    generate, load_path, load_reader, select, Format, GenParams, ListenError, NoProgress,
    Objective, SelectOptions,
};

fn text(t: &str) -> Result<slingshot_listen::Cascades, ListenError> {
    load_reader(t.as_bytes(), Format::Text, "in.txt", &NoProgress)
}

#[test]
fn empty_inputs_in_every_format() {
    for f in [Format::Text, Format::Csv, Format::Tsv, Format::Jsonl] {
        let r = load_reader(&b""[..], f, "empty", &NoProgress);
        assert!(matches!(r, Err(ListenError::Empty(_))), "{f:?}");
    }
    let r = load_reader(&b"cascade,source,time\n"[..], Format::Csv, "h", &NoProgress);
    assert!(matches!(r, Err(ListenError::Empty(_))));
}

#[test]
fn lines_with_no_time_and_non_numeric_times() {
    let e = text("a 1,b 2\nx 5,y\n").unwrap_err().to_string();
    assert_eq!(
        e,
        "in.txt:2:5: source `y` has no time (expected `source time`)"
    );
    let e = text("a 1,b 2.5\n").unwrap_err().to_string();
    assert_eq!(e, "in.txt:1:7: time `2.5` is not a non-negative integer");
    let e = text("a one\n").unwrap_err().to_string();
    assert!(e.starts_with("in.txt:1:3:"), "{e}");
}

#[test]
fn a_source_twice_keeps_its_first_time() {
    let d = text("a 5,b 6,a 7\n").unwrap();
    assert_eq!(d.n_participations(), 2);
    let s = select(
        &d,
        &Objective::Dt,
        &SelectOptions {
            k: 1,
            ..SelectOptions::default()
        },
    )
    .unwrap();
    assert_eq!(s.steps[0].source, "a");
    assert_eq!(s.value, 1.0);
}

#[test]
fn k_larger_than_the_sources_is_clamped_with_a_note() {
    let d = text("a 1,b 2\n").unwrap();
    let s = select(
        &d,
        &Objective::Pa,
        &SelectOptions {
            k: 50,
            ..SelectOptions::default()
        },
    )
    .unwrap();
    assert_eq!(s.steps.len(), 2);
    assert!(s.notes[0].contains("exceeds the 2 sources"));
}

#[test]
fn costs_and_budgets() {
    let d = text("a 1,b 2\n").unwrap();
    let sel = |costs: Vec<f64>, budget: f64| {
        select(
            &d,
            &Objective::Dl,
            &SelectOptions {
                costs: Some(costs),
                budget: Some(budget),
                ..SelectOptions::default()
            },
        )
    };
    let e = sel(vec![0.0, 1.0], 2.0).unwrap_err().to_string();
    assert!(e.contains("has cost 0"), "{e}");
    assert!(sel(vec![-1.0, 1.0], 2.0).is_err());
    let e = sel(vec![3.0, 4.0], 2.0).unwrap_err().to_string();
    assert!(e.contains("below every source's cost"), "{e}");
    assert!(sel(vec![1.0, 1.0], 1.0).is_ok());
}

#[test]
fn a_large_file_with_one_bad_line_in_the_middle() {
    // About 90 MB: several read blocks, so the bad line is found in a later block.
    let p = GenParams {
        sources: 20_000,
        cascades: 220_000,
        seed: 3,
        ..GenParams::default()
    };
    let mut data = Vec::new();
    generate(&p, &mut data, &NoProgress).unwrap();
    assert!(data.len() > 64 << 20, "{}", data.len());
    let mid = data.len() / 2;
    let at = mid + data[mid..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let line = 1 + data[..at].iter().filter(|&&b| b == b'\n').count() as u64;
    let mut bad = data[..at].to_vec();
    bad.extend_from_slice(b"12 1200000000,13 12x4,\n");
    bad.extend_from_slice(&data[at..]);
    let path = std::env::temp_dir().join(format!("listen-bad-{}.txt", std::process::id()));
    std::fs::File::create(&path)
        .unwrap()
        .write_all(&bad)
        .unwrap();
    let err = load_path(&path, Format::Text, &NoProgress).unwrap_err();
    std::fs::remove_file(&path).ok();
    match err {
        ListenError::Parse {
            line: l,
            column,
            message,
            ..
        } => {
            assert_eq!((l, column), (line, 18));
            assert!(message.contains("`12x4`"), "{message}");
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn missing_files_are_io_errors() {
    let r = load_path(
        std::path::Path::new("/no/such/file.txt"),
        Format::Text,
        &NoProgress,
    );
    assert!(matches!(r, Err(ListenError::Io { .. })));
}
