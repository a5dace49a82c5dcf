//! Seeded synthetic cascades, streamed to the text format.
//!
//! Source activity is Zipf-like (source of popularity rank `r` is drawn with weight `r^-a`), and
//! cascade sizes are heavy-tailed (1 + a Lomax variable of shape `size_exponent`, mean
//! `mean_size`, at most a quarter of the sources). Each cascade starts at a random time and its
//! sources follow one another after exponential delays (mean 10 minutes), in random order. Names are decimal
//! numbers scrambled so that popularity does not follow the id. The output is the same for a
//! given seed whatever the number of threads.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::ListenError;
use crate::read::Progress;
use crate::rng::Rng;

/// What to generate.
#[derive(Debug, Clone, Serialize)]
pub struct GenParams {
    /// Number of sources.
    pub sources: u32,
    /// Number of cascades.
    pub cascades: u64,
    /// Seed.
    pub seed: u64,
    /// Mean number of sources per cascade.
    pub mean_size: f64,
    /// Zipf exponent of source activity.
    pub activity_exponent: f64,
    /// Tail exponent of cascade sizes (> 1).
    pub size_exponent: f64,
}

impl Default for GenParams {
    /// The scale of the blog data of Leskovec et al. (KDD 2007).
    fn default() -> Self {
        GenParams {
            sources: 45_000,
            cascades: 350_000,
            seed: 1,
            mean_size: 22.0,
            activity_exponent: 0.8,
            size_exponent: 1.5,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Serialize)]
pub struct GenStats {
    /// Cascades written.
    pub cascades: u64,
    /// `source time` pairs written.
    pub participations: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Wall time.
    pub seconds: f64,
}

const CHUNK: u64 = 2048;

/// Writes generated cascades to `path`.
pub fn generate_to_path(
    params: &GenParams,
    path: &Path,
    progress: &dyn Progress,
) -> Result<GenStats, ListenError> {
    let name = path.display().to_string();
    let file = std::fs::File::create(path).map_err(|e| ListenError::io(&name, e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let stats = generate(params, &mut w, progress).map_err(|e| match e {
        ListenError::Io { source, .. } => ListenError::io(&name, source),
        other => other,
    })?;
    w.flush().map_err(|e| ListenError::io(&name, e))?;
    Ok(stats)
}

/// Writes generated cascades in the text format to `out`; progress counts cascades.
pub fn generate<W: Write>(
    params: &GenParams,
    mut out: W,
    progress: &dyn Progress,
) -> Result<GenStats, ListenError> {
    let started = Instant::now();
    if params.sources == 0 || params.cascades == 0 {
        return Err(ListenError::InvalidArgument(
            "need at least one source and one cascade".into(),
        ));
    }
    if !(params.size_exponent > 1.0 && params.mean_size >= 1.0 && params.activity_exponent >= 0.0) {
        return Err(ListenError::InvalidArgument(
            "need size_exponent > 1, mean_size >= 1 and activity_exponent >= 0".into(),
        ));
    }
    progress.start(Some(params.cascades));
    let n = u64::from(params.sources);
    let mut mult = 2_654_435_761u64 % n.max(2);
    while gcd(mult.max(1), n) != 1 {
        mult += 1;
    }
    let mult = mult.max(1);
    let chunks = params.cascades.div_ceil(CHUNK);
    let batch = (rayon::current_num_threads() * 8) as u64;
    let (mut parts, mut bytes) = (0u64, 0u64);
    let mut first = 0;
    while first < chunks {
        let last = (first + batch).min(chunks);
        let bufs: Vec<(Vec<u8>, u64)> = (first..last)
            .into_par_iter()
            .map_init(
                || Marks {
                    tag: 0,
                    seen: vec![0; params.sources as usize],
                },
                |marks, c| gen_chunk(params, mult, c, marks),
            )
            .collect();
        for (buf, p) in bufs {
            out.write_all(&buf)
                .map_err(|e| ListenError::io("<output>", e))?;
            bytes += buf.len() as u64;
            parts += p;
        }
        progress.advance(((last * CHUNK).min(params.cascades)) - (first * CHUNK));
        first = last;
    }
    progress.finish();
    Ok(GenStats {
        cascades: params.cascades,
        participations: parts,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Per thread: which sources the current cascade already has (`seen[r] == tag`).
struct Marks {
    tag: u32,
    seen: Vec<u32>,
}

/// One chunk of cascades as text, and its number of participations.
fn gen_chunk(p: &GenParams, mult: u64, chunk: u64, marks: &mut Marks) -> (Vec<u8>, u64) {
    let n = u64::from(p.sources);
    let mut rng = Rng::new(p.seed, chunk + 1);
    let lo = chunk * CHUNK;
    let hi = (lo + CHUNK).min(p.cascades);
    let alpha = p.size_exponent;
    let lambda = ((p.mean_size - 0.5).max(0.5)) * (alpha - 1.0);
    let max_size = (n / 4).max(1);
    let s = p.activity_exponent;
    let one_minus = 1.0 - s;
    let top = if one_minus.abs() < 1e-9 {
        (n as f64).ln()
    } else {
        ((n as f64).powf(one_minus) - 1.0) / one_minus
    };
    let mut out = Vec::with_capacity(((hi - lo) as f64 * p.mean_size * 18.0) as usize);
    let mut members: Vec<u64> = Vec::new();
    let mut parts = 0u64;
    for _ in lo..hi {
        let u = 1.0 - rng.unit();
        let size = (1.0 + lambda * (u.powf(-1.0 / alpha) - 1.0)).floor();
        let size = (size.clamp(1.0, max_size as f64)) as u64;
        if marks.tag == u32::MAX {
            marks.seen.fill(0);
            marks.tag = 0;
        }
        marks.tag += 1;
        let tag = marks.tag;
        members.clear();
        let mut tries = 0u64;
        while (members.len() as u64) < size {
            tries += 1;
            let r = if tries > 8 * size {
                rng.below(n)
            } else {
                // Inverse CDF of the continuous density x^-s on [1, n + 1).
                let v = rng.unit() * top;
                let x = if one_minus.abs() < 1e-9 {
                    v.exp()
                } else {
                    (v * one_minus + 1.0).powf(1.0 / one_minus)
                };
                ((x as u64).max(1) - 1).min(n - 1)
            };
            if let Some(m) = marks.seen.get_mut(r as usize) {
                if *m != tag {
                    *m = tag;
                    members.push(r);
                }
            }
        }
        for i in (1..members.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            members.swap(i, j);
        }
        let mut t = 1_200_000_000 + rng.below(100_000_000);
        for (i, &r) in members.iter().enumerate() {
            if i > 0 {
                let u = 1.0 - rng.unit();
                t += 1 + (-600.0 * u.ln()).min(1e7) as u64;
                out.push(b',');
            }
            push_u64(&mut out, (r * mult + 7) % n);
            out.push(b' ');
            push_u64(&mut out, t);
        }
        out.push(b'\n');
        parts += size;
    }
    (out, parts)
}

fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::read::{load_reader, Format, NoProgress};

    #[test]
    fn seeded_output_loads_back() {
        let p = GenParams {
            sources: 500,
            cascades: 3000,
            seed: 9,
            ..GenParams::default()
        };
        let mut a = Vec::new();
        let st = generate(&p, &mut a, &NoProgress).unwrap();
        let mut b = Vec::new();
        generate(&p, &mut b, &NoProgress).unwrap();
        assert_eq!(a, b);
        assert_eq!(st.bytes as usize, a.len());
        let c = load_reader(&a[..], Format::Text, "gen", &NoProgress).unwrap();
        assert_eq!(c.n_cascades(), 3000);
        assert_eq!(c.n_participations() as u64, st.participations);
        assert!(c.n_sources() <= 500);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let p = GenParams {
            sources: 0,
            ..GenParams::default()
        };
        assert!(generate(&p, Vec::new(), &NoProgress).is_err());
        let p = GenParams {
            size_exponent: 1.0,
            ..GenParams::default()
        };
        assert!(generate(&p, Vec::new(), &NoProgress).is_err());
    }
}
