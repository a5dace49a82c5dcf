//! An SVG chart of the objective value and the online bound against the number of sources chosen.

use std::fmt::Write;

use crate::select::Selection;

/// The chart for a selection (value and bound against k, from k = 0), as a standalone SVG string.
pub fn curve_svg(selection: &Selection) -> String {
    let mut values = vec![0.0];
    let mut bounds = vec![selection.initial_bound];
    for s in &selection.steps {
        values.push(s.value);
        bounds.push(s.bound);
    }
    let title = format!(
        "{}: value and online bound against k ({}, proven within {:.1}% of optimal)",
        selection.objective,
        selection.algorithm,
        selection.proven_ratio * 100.0
    );
    curve_svg_points(&title, &values, &bounds)
}

/// The chart for raw series: `values[i]` and `bounds[i]` after `i` sources.
pub fn curve_svg_points(title: &str, values: &[f64], bounds: &[f64]) -> String {
    let (w, h) = (720.0, 420.0);
    let (left, right, top, bottom) = (70.0, 20.0, 40.0, 50.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let n = values.len().max(bounds.len()).max(2) - 1;
    let ymax = values
        .iter()
        .chain(bounds)
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let ymax = nice_ceiling(if ymax > 0.0 { ymax } else { 1.0 });
    let x = |i: usize| left + pw * i as f64 / n as f64;
    let y = |v: f64| top + ph * (1.0 - (v / ymax).clamp(0.0, 1.0));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = write!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = write!(
        s,
        r#"<text x="{}" y="22" text-anchor="middle" font-size="14">{}</text>"#,
        w / 2.0,
        escape(title)
    );
    for t in 0..=5 {
        let v = ymax * f64::from(t) / 5.0;
        let yy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            left + pw,
            left - 6.0,
            yy + 4.0,
            short(v)
        );
    }
    let step = (n / 10).max(1);
    for i in (0..=n).step_by(step) {
        let xx = x(i);
        let _ = write!(
            s,
            r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{}" y2="{}" stroke="#999"/><text x="{xx:.1}" y="{}" text-anchor="middle">{i}</text>"##,
            top + ph,
            top + ph + 5.0,
            top + ph + 18.0
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{left}" x2="{left}" y1="{top}" y2="{}" stroke="#333"/><line x1="{left}" x2="{}" y1="{}" y2="{}" stroke="#333"/>"##,
        top + ph,
        left + pw,
        top + ph,
        top + ph
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">sources chosen (k)</text>"#,
        left + pw / 2.0,
        h - 10.0
    );
    for (series, color, dash, label, row) in [
        (
            bounds,
            "#d95f02",
            r#" stroke-dasharray="6 4""#,
            "online bound on the optimum",
            0,
        ),
        (values, "#1b6ac9", "", "value of the chosen sources", 1),
    ] {
        let pts: Vec<String> = series
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, &v)| format!("{:.1},{:.1}", x(i), y(v)))
            .collect();
        let _ = write!(
            s,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{}"/>"#,
            pts.join(" ")
        );
        let ly = top + ph - 40.0 + 18.0 * f64::from(row);
        let lx = left + pw - 230.0;
        let _ = write!(
            s,
            r#"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{color}" stroke-width="2"{dash}/><text x="{}" y="{}">{label}</text>"#,
            lx + 24.0,
            lx + 30.0,
            ly + 4.0
        );
    }
    s.push_str("</svg>\n");
    s
}

fn nice_ceiling(v: f64) -> f64 {
    let mag = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= v {
            return m * mag;
        }
    }
    10.0 * mag
}

fn short(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn draws_both_series_and_escapes_the_title() {
        let svg = curve_svg_points("a<b", &[0.0, 5.0, 8.0], &[20.0, 14.0, 11.0]);
        assert!(svg.starts_with("<svg"));
        assert!(svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("a&lt;b"));
    }

    #[test]
    fn empty_series_do_not_panic() {
        let svg = curve_svg_points("", &[], &[]);
        assert!(svg.contains("</svg>"));
    }
}
