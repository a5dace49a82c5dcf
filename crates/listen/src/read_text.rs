//! The cascade text format, parsed in blocks with all cores.
//!
//! The input is read in blocks of [`BLOCK`] bytes cut at the last newline; each block is split
//! into pieces at newlines that are parsed in parallel, each piece interning source names in its
//! own table; the pieces are then merged in file order, so ids and errors do not depend on the
//! number of threads.

use std::io::Read;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::cascades::{emit, finish_cascade, from_finished, Cascades, Finished, POW10};
use crate::error::ListenError;
use crate::read::Progress;

/// The key of a name that is not a canonical decimal number of at most 19 digits. Names that
/// are (most cascade data) are interned by value: no string hashing or comparison.
const TEXT: u64 = u64::MAX;

/// Name tables of one piece.
#[derive(Default)]
struct Interner<'a> {
    num: FxHashMap<u64, u32>,
    text: FxHashMap<&'a [u8], u32>,
}

/// Name tables of the whole file.
#[derive(Default)]
struct Global {
    /// Numeric name below [`DIRECT_LIMIT`] -> id + 1 (0 = absent).
    direct: Vec<u32>,
    num: FxHashMap<u64, u32>,
    text: FxHashMap<Box<[u8]>, u32>,
}

/// Bytes read per block.
const BLOCK: usize = 32 << 20;

/// What one piece of a block holds after parsing; reused from block to block.
#[derive(Default)]
struct Piece {
    /// Per local name: its bytes, as (offset, length) in the piece.
    names: Vec<(usize, usize)>,
    /// Per local name: its value if it is a canonical decimal number, else [`TEXT`].
    keys: Vec<u64>,
    /// The current line's pairs: local source id, raw time, digits of the time.
    src: Vec<u32>,
    /// The current line's pairs: numeric key still to intern through the direct table (else
    /// [`TEXT`]: already interned), and the name's (offset, length).
    line_keys: Vec<u64>,
    line_names: Vec<(usize, usize)>,
    time: Vec<i64>,
    digits: Vec<u8>,
    /// The piece's finished cascades (local source ids).
    fin: Finished,
    /// Per finished cascade: the width its times were padded to.
    widths: Vec<u8>,
    /// Per local name: the line that saw it last (`tag`), to spot repeated sources.
    stamp: Vec<u32>,
    tag: u32,
    scratch: Vec<(i64, u32, u32)>,
    /// Newlines in the piece.
    lines: u64,
    max_digits: u8,
    /// First error: 1-based line within the piece, column, message.
    error: Option<(u64, u64, String)>,
}

/// Reads the text format. Each cascade is finished (padded, deduplicated, ordered, weighted) as
/// soon as its line is parsed, with its times padded to the widest time *of its line*: padding
/// to the widest of the file multiplies all of a line's times by the same power of ten, which
/// changes neither their order nor the DT weights, only the spans, scaled at the end.
pub(crate) fn read_text<R: Read>(
    mut reader: R,
    name: &str,
    size_hint: Option<u64>,
    progress: &dyn Progress,
) -> Result<Cascades, ListenError> {
    let mut acc = Accumulated::default();
    if let Some(bytes) = size_hint {
        // About one participation per 16 bytes; reserving avoids copying the arrays as they grow.
        let guess = usize::try_from(bytes / 16).unwrap_or(0).min(1 << 32);
        acc.fin.src.reserve(guess);
        acc.fin.dt.reserve(guess);
        acc.fin.sizes.reserve(guess / 16);
        acc.fin.spans.reserve(guess / 16);
        acc.widths.reserve(guess / 16);
    }
    let mut global = Global::default();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut line_base = 0u64;
    let mut eof = false;
    while !eof {
        // Append up to BLOCK bytes without zero-filling the buffer first.
        let got = reader
            .by_ref()
            .take(BLOCK as u64)
            .read_to_end(&mut buf)
            .map_err(|e| ListenError::io(name, e))?;
        if got < BLOCK {
            eof = true;
        }
        progress.advance(got as u64);
        let cut = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf) {
                Some(p) => p + 1,
                None => continue, // a line longer than the buffer: read more
            }
        };
        line_base = parse_block(
            &buf[..cut],
            line_base,
            name,
            &mut acc,
            &mut global,
            &mut pieces,
        )?;
        buf.drain(..cut);
    }
    drop(pieces);
    let Accumulated {
        names,
        mut fin,
        widths,
        max_digits,
    } = acc;
    for (span, &w) in fin.spans.iter_mut().zip(&widths) {
        let shift = usize::from(max_digits.saturating_sub(w)).min(18);
        *span = span.saturating_mul(POW10[shift]);
    }
    from_finished(names, std::slice::from_mut(&mut fin), name)
}

/// Finished cascades of the whole file so far, with global source ids.
#[derive(Default)]
struct Accumulated {
    names: Vec<String>,
    fin: Finished,
    widths: Vec<u8>,
    max_digits: u8,
}

/// Parses one block (whole lines) and merges it into `st`; returns the new line base.
fn parse_block(
    block: &[u8],
    line_base: u64,
    name: &str,
    st: &mut Accumulated,
    global: &mut Global,
    pieces: &mut Vec<Piece>,
) -> Result<u64, ListenError> {
    let want = (rayon::current_num_threads() * 2).max(1);
    let mut bounds = vec![0usize];
    for i in 1..want {
        let target = block.len() * i / want;
        let from = (*bounds.last().unwrap_or(&0)).max(target);
        if from >= block.len() {
            break;
        }
        if let Some(p) = memchr::memchr(b'\n', &block[from..]) {
            let at = from + p + 1;
            if at < block.len() && at > *bounds.last().unwrap_or(&0) {
                bounds.push(at);
            }
        }
    }
    bounds.push(block.len());
    pieces.resize_with(bounds.len() - 1, Piece::default);
    pieces
        .par_iter_mut()
        .zip(bounds.par_windows(2))
        .for_each(|(piece, w)| parse_piece(&block[w[0]..w[1]], piece));
    let mut base = line_base;
    for (piece, w) in pieces.iter_mut().zip(bounds.windows(2)) {
        if let Some((line, column, message)) = piece.error.take() {
            return Err(ListenError::parse(name, base + line, column, message));
        }
        let text = &block[w[0]..w[1]];
        let mut local = Vec::with_capacity(piece.names.len());
        for (&(off, len), &key) in piece.names.iter().zip(&piece.keys) {
            let n = &text[off..off + len];
            let known = if key < DIRECT_LIMIT {
                match global.direct.get(key as usize) {
                    Some(&v) if v > 0 => Some(v - 1),
                    _ => None,
                }
            } else if key == TEXT {
                global.text.get(n).copied()
            } else {
                global.num.get(&key).copied()
            };
            let id = match known {
                Some(id) => id,
                None => {
                    let id = u32::try_from(st.names.len())
                        .ok()
                        .filter(|&id| id != u32::MAX)
                        .ok_or_else(|| ListenError::TooLarge("2^32 sources or more".into()))?;
                    if key < DIRECT_LIMIT {
                        let k = key as usize;
                        if k >= global.direct.len() {
                            global.direct.resize((k + 1).next_power_of_two(), 0);
                        }
                        global.direct[k] = id + 1;
                    } else if key == TEXT {
                        global.text.insert(n.into(), id);
                    } else {
                        global.num.insert(key, id);
                    }
                    st.names.push(String::from_utf8_lossy(n).into_owned());
                    id
                }
            };
            local.push(id);
        }
        st.fin
            .src
            .extend(piece.fin.src.iter().map(|&s| local[s as usize]));
        st.fin.dt.extend_from_slice(&piece.fin.dt);
        st.fin.sizes.extend_from_slice(&piece.fin.sizes);
        st.fin.spans.extend_from_slice(&piece.fin.spans);
        st.widths.extend_from_slice(&piece.widths);
        st.max_digits = st.max_digits.max(piece.max_digits);
        base += piece.lines;
    }
    Ok(base)
}

/// Numeric names below this are interned through a per-thread direct table.
const DIRECT_LIMIT: u64 = 1 << 22;

thread_local! {
    /// Per thread: numeric name -> local id + 1 (0 = absent); cleared after each piece.
    static DIRECT: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn parse_piece(text: &[u8], p: &mut Piece) {
    DIRECT.with(|d| {
        let mut direct = d.borrow_mut();
        parse_piece_with(text, p, &mut direct);
        for &k in &p.keys {
            if k < DIRECT_LIMIT {
                direct[k as usize] = 0;
            }
        }
    })
}

fn parse_piece_with(text: &[u8], p: &mut Piece, direct: &mut Vec<u32>) {
    p.names.clear();
    p.keys.clear();
    p.src.clear();
    p.line_keys.clear();
    p.line_names.clear();
    p.time.clear();
    p.digits.clear();
    p.fin.sizes.clear();
    p.fin.spans.clear();
    p.fin.src.clear();
    p.fin.dt.clear();
    p.widths.clear();
    p.stamp.clear();
    p.tag = 0;
    p.lines = 0;
    p.max_digits = 0;
    p.error = None;
    let mut map = Interner::default();
    let mut start = 0usize;
    while start < text.len() {
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |e| start + e);
        let line = &text[start..end];
        if let Err((column, message)) = parse_line(line, start, p, &mut map) {
            p.error = Some((p.lines + 1, column, message));
            return;
        }
        if !p.src.is_empty() {
            resolve_line(p, direct);
            finish_line(p);
        }
        if end < text.len() {
            p.lines += 1;
        }
        start = end + 1;
    }
}

/// Interns the current line's numeric names through the direct table: first all look-ups (their
/// cache misses overlap), then the insertions of new names, in order.
fn resolve_line(p: &mut Piece, direct: &mut Vec<u32>) {
    for (slot, &k) in p.src.iter_mut().zip(&p.line_keys) {
        if k < DIRECT_LIMIT {
            *slot = direct.get(k as usize).copied().unwrap_or(0);
        }
    }
    for ((slot, &k), &name) in p.src.iter_mut().zip(&p.line_keys).zip(&p.line_names) {
        if k >= DIRECT_LIMIT {
            continue;
        }
        if *slot > 0 {
            *slot -= 1;
            continue;
        }
        let k = k as usize;
        if k >= direct.len() {
            direct.resize((k + 1).next_power_of_two(), 0);
        }
        if direct[k] == 0 {
            direct[k] = p.names.len() as u32 + 1;
            p.names.push(name);
            p.keys.push(k as u64);
        }
        *slot = direct[k] - 1;
    }
    p.line_keys.clear();
    p.line_names.clear();
}

/// Finishes the cascade of the line just parsed (in `p.src`, `p.time`, `p.digits`) into `p.fin`.
fn finish_line(p: &mut Piece) {
    let Piece {
        src,
        time,
        digits,
        fin,
        widths,
        stamp,
        tag,
        scratch,
        names,
        ..
    } = p;
    let n = src.len();
    let w = digits.iter().copied().max().unwrap_or(0);
    let pad = |i: usize| time[i].saturating_mul(POW10[usize::from(w - digits[i]).min(18)]);
    if stamp.len() < names.len() {
        stamp.resize(names.len(), 0);
    }
    if *tag == u32::MAX {
        stamp.fill(0);
        *tag = 0;
    }
    *tag += 1;
    // Fast path: already in time order with no repeated source.
    let mut prev = i64::MIN;
    let mut clean = true;
    for (i, &s) in src.iter().enumerate() {
        let t = pad(i);
        let s = s as usize;
        if t < prev || stamp[s] == *tag {
            clean = false;
            break;
        }
        stamp[s] = *tag;
        prev = t;
    }
    if clean {
        emit(fin, pad(0), prev, (0..n).map(|i| (pad(i), src[i])), n);
    } else {
        scratch.clear();
        scratch.extend((0..n).map(|i| (pad(i), i as u32, src[i])));
        finish_cascade(scratch, fin);
    }
    widths.push(w);
    src.clear();
    time.clear();
    digits.clear();
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

/// A whitespace-separated word of a token, with its decimal value if it is all digits.
#[derive(Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    value: u64,
    digits_only: bool,
}

/// Parses one line's `source time` tokens into `p` in a single pass; on error returns (1-based
/// column, message).
fn parse_line<'a>(
    line: &'a [u8],
    line_start: usize,
    p: &mut Piece,
    map: &mut Interner<'a>,
) -> Result<(), (u64, String)> {
    let n = line.len();
    let mut i = 0usize;
    let (mut prev, mut last): (Option<Word>, Option<Word>) = (None, None);
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n || line[i] == b',' {
            match (prev, last) {
                (Some(src), Some(time)) => push_pair(line, line_start, src, time, p, map)?,
                (None, Some(w)) => {
                    return Err((
                        w.start as u64 + 1,
                        format!(
                            "source `{}` has no time (expected `source time`)",
                            lossy(&line[w.start..w.end])
                        ),
                    ))
                }
                _ => {}
            }
            if i >= n {
                return Ok(());
            }
            i += 1;
            (prev, last) = (None, None);
            continue;
        }
        let start = i;
        let mut value = 0u64;
        let mut digits_only = true;
        while i < n {
            let b = line[i];
            if b == b',' || is_space(b) {
                break;
            }
            let d = b.wrapping_sub(b'0');
            if d < 10 {
                value = value.wrapping_mul(10).wrapping_add(u64::from(d));
            } else {
                digits_only = false;
            }
            i += 1;
        }
        prev = last;
        last = Some(Word {
            start,
            end: i,
            value,
            digits_only,
        });
    }
}

/// Records one `source time` pair.
fn push_pair<'a>(
    line: &'a [u8],
    line_start: usize,
    src: Word,
    time: Word,
    p: &mut Piece,
    map: &mut Interner<'a>,
) -> Result<(), (u64, String)> {
    let tlen = time.end - time.start;
    let tcol = time.start as u64 + 1;
    if !time.digits_only {
        return Err((
            tcol,
            format!(
                "time `{}` is not a non-negative integer",
                lossy(&line[time.start..time.end])
            ),
        ));
    }
    if tlen > 18 {
        return Err((
            tcol,
            format!(
                "time `{}` has more than 18 digits",
                lossy(&line[time.start..time.end])
            ),
        ));
    }
    let source = &line[src.start..src.end];
    let slen = src.end - src.start;
    let key = if src.digits_only && slen <= 19 && (slen == 1 || source[0] != b'0') {
        src.value
    } else {
        TEXT
    };
    let next = p.names.len() as u32;
    if key < DIRECT_LIMIT {
        // Interned after the line (see `resolve_line`), so that the table look-ups overlap.
        p.line_keys.push(key);
        p.line_names.push((line_start + src.start, slen));
        p.src.push(0);
    } else {
        let id = if key == TEXT {
            *map.text.entry(source).or_insert(next)
        } else {
            *map.num.entry(key).or_insert(next)
        };
        if id == next {
            p.names.push((line_start + src.start, slen));
            p.keys.push(key);
        }
        p.line_keys.push(TEXT);
        p.line_names.push((0, 0));
        p.src.push(id);
    }
    p.time.push(time.value as i64);
    p.digits.push(tlen as u8);
    p.max_digits = p.max_digits.max(tlen as u8);
    Ok(())
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use crate::read::{load_reader, Format, NoProgress};
    use crate::ListenError;

    fn load(text: &str) -> Result<crate::Cascades, ListenError> {
        load_reader(text.as_bytes(), Format::Text, "t.txt", &NoProgress)
    }

    #[test]
    fn pads_times_to_the_widest() {
        // 35 pads to 3500 > 1200, so b comes after a.
        let c = load("b 35,a 1200,\n").unwrap();
        assert_eq!(c.source_names(), &["a", "b"]);
        assert_eq!(c.spans, vec![2300]);
    }

    #[test]
    fn lines_narrower_than_the_file_scale_their_spans() {
        // Line 1 pads to 2 digits (x 50, y 12), the file to 4 (x 5000, y 1200).
        let c = load("x 5,y 12\nz 1000,w 1001\n").unwrap();
        assert_eq!(c.source_names(), &["y", "x", "z", "w"]);
        assert_eq!(c.spans, vec![3800, 1]);
        assert_eq!(c.dt, vec![1.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn crlf_labels_and_trailing_commas() {
        let c = load("7 x 10,y 20,\r\n\r\ny 5 ,  z 6,,\r\n").unwrap();
        assert_eq!(c.n_cascades(), 2);
        assert_eq!(c.source_names(), &["x", "y", "z"]);
    }

    #[test]
    fn missing_time_names_line_and_column() {
        let err = load("a 1,b 2\nc 3,d,e 4\n").unwrap_err();
        match err {
            ListenError::Parse {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!((line, column), (2, 5));
                assert!(message.contains("`d` has no time"), "{message}");
            }
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn non_numeric_time() {
        let err = load("a 1,b 2x\n").unwrap_err();
        assert!(err.to_string().starts_with("t.txt:1:7:"), "{err}");
    }

    #[test]
    fn negative_and_overlong_times() {
        assert!(load("a -1\n").is_err());
        assert!(load("a 1234567890123456789\n").is_err());
    }

    #[test]
    fn empty_and_blank_files() {
        assert!(matches!(load(""), Err(ListenError::Empty(_))));
        assert!(matches!(load("\n  \n,,\n"), Err(ListenError::Empty(_))));
    }

    #[test]
    fn numeric_and_text_names_do_not_collide() {
        let c = load("1 5,01 6,x 7\n1 1,01 2\n").unwrap();
        assert_eq!(c.source_names(), &["1", "01", "x"]);
        let c = load("18446744073709551615 1,18446744073709551616 2,0 3,4194304 4\n").unwrap();
        assert_eq!(c.n_sources(), 4);
    }

    #[test]
    fn no_trailing_newline() {
        let c = load("a 1,b 2").unwrap();
        assert_eq!(c.n_participations(), 2);
    }
}
