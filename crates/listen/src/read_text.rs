//! The cascade text format, parsed in blocks with all cores.
//!
//! The input is read in blocks of [`BLOCK`] bytes cut at the last newline; each block is split
//! into pieces at newlines that are parsed in parallel, each piece interning source names in its
//! own table; the pieces are then merged in file order, so ids and errors do not depend on the
//! number of threads.

use std::io::Read;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::cascades::Staging;
use crate::error::ListenError;
use crate::read::Progress;

/// The key of a name that is not a canonical decimal number.
const TEXT: u64 = u64::MAX;

/// Names that are canonical decimal numbers (most cascade data) are interned by value: an integer
/// hash and no string comparison.
fn numeric_key(s: &[u8]) -> u64 {
    if s.is_empty() || s.len() > 19 || (s.len() > 1 && s[0] == b'0') {
        return TEXT;
    }
    let mut v = 0u64;
    for &d in s {
        if !d.is_ascii_digit() {
            return TEXT;
        }
        v = v * 10 + u64::from(d - b'0');
    }
    v
}

/// Name tables of one piece.
#[derive(Default)]
struct Interner<'a> {
    num: FxHashMap<u64, u32>,
    text: FxHashMap<&'a [u8], u32>,
}

/// Name tables of the whole file.
#[derive(Default)]
struct Global {
    num: FxHashMap<u64, u32>,
    text: FxHashMap<Box<[u8]>, u32>,
}

/// Bytes read per block.
const BLOCK: usize = 32 << 20;

/// What one piece of a block holds after parsing.
struct Piece<'a> {
    names: Vec<&'a [u8]>,
    /// Per local name: its value if it is a canonical decimal number, else [`TEXT`].
    keys: Vec<u64>,
    src: Vec<u32>,
    time: Vec<i64>,
    digits: Vec<u8>,
    /// Entries per non-empty cascade.
    lens: Vec<u32>,
    /// Newlines in the piece.
    lines: u64,
    max_digits: u8,
    /// First error: 1-based line within the piece, column, message.
    error: Option<(u64, u64, String)>,
}

/// Reads the text format into cascade-major staging (times still unpadded).
pub(crate) fn read_text<R: Read>(
    mut reader: R,
    name: &str,
    progress: &dyn Progress,
) -> Result<Staging, ListenError> {
    let mut st = Staging {
        starts: vec![0],
        ..Staging::default()
    };
    let mut global = Global::default();
    let mut buf: Vec<u8> = Vec::new();
    let mut line_base = 0u64;
    let mut eof = false;
    while !eof {
        let old = buf.len();
        buf.resize(old + BLOCK, 0);
        let mut filled = old;
        while filled < buf.len() {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ListenError::io(name, e)),
            }
        }
        buf.truncate(filled);
        progress.advance((filled - old) as u64);
        let cut = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf) {
                Some(p) => p + 1,
                None => continue, // a line longer than the buffer: read more
            }
        };
        line_base = parse_block(&buf[..cut], line_base, name, &mut st, &mut global)?;
        buf.drain(..cut);
    }
    Ok(st)
}

/// Parses one block (whole lines) and merges it into `st`; returns the new line base.
fn parse_block(
    block: &[u8],
    line_base: u64,
    name: &str,
    st: &mut Staging,
    global: &mut Global,
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
    let pieces: Vec<Piece> = bounds
        .par_windows(2)
        .map(|w| parse_piece(&block[w[0]..w[1]]))
        .collect();
    let mut base = line_base;
    for piece in pieces {
        if let Some((line, column, message)) = piece.error {
            return Err(ListenError::parse(name, base + line, column, message));
        }
        let mut local = Vec::with_capacity(piece.names.len());
        for (n, &key) in piece.names.iter().zip(&piece.keys) {
            let known = if key == TEXT {
                global.text.get(*n).copied()
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
                    if key == TEXT {
                        global.text.insert((*n).into(), id);
                    } else {
                        global.num.insert(key, id);
                    }
                    st.names.push(String::from_utf8_lossy(n).into_owned());
                    id
                }
            };
            local.push(id);
        }
        st.src.extend(piece.src.iter().map(|&s| local[s as usize]));
        st.time.extend_from_slice(&piece.time);
        st.digits.extend_from_slice(&piece.digits);
        st.max_digits = st.max_digits.max(piece.max_digits);
        let mut end = st.starts.last().copied().unwrap_or(0);
        for &len in &piece.lens {
            end += u64::from(len);
            st.starts.push(end);
        }
        base += piece.lines;
    }
    Ok(base)
}

fn parse_piece(text: &[u8]) -> Piece<'_> {
    let mut p = Piece {
        names: Vec::new(),
        keys: Vec::new(),
        src: Vec::with_capacity(text.len() / 16),
        time: Vec::with_capacity(text.len() / 16),
        digits: Vec::with_capacity(text.len() / 16),
        lens: Vec::new(),
        lines: 0,
        max_digits: 0,
        error: None,
    };
    let mut map = Interner::default();
    let mut start = 0usize;
    while start < text.len() {
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |e| start + e);
        let line = &text[start..end];
        let before = p.src.len();
        if let Err((column, message)) = parse_line(line, &mut p, &mut map) {
            p.error = Some((p.lines + 1, column, message));
            return p;
        }
        if p.src.len() > before {
            p.lens.push((p.src.len() - before) as u32);
        }
        if end < text.len() {
            p.lines += 1;
        }
        start = end + 1;
    }
    p
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

/// Parses one line's `source time` tokens into `p`; on error returns (1-based column, message).
fn parse_line<'a>(
    line: &'a [u8],
    p: &mut Piece<'a>,
    map: &mut Interner<'a>,
) -> Result<(), (u64, String)> {
    let mut i = 0usize;
    let n = line.len();
    while i < n {
        let end = memchr::memchr(b',', &line[i..]).map_or(n, |e| i + e);
        let mut a = i;
        let mut b = end;
        while a < b && is_space(line[a]) {
            a += 1;
        }
        while b > a && is_space(line[b - 1]) {
            b -= 1;
        }
        if a < b {
            let tok = &line[a..b];
            let Some(sp) = tok.iter().rposition(|&c| is_space(c)) else {
                return Err((
                    a as u64 + 1,
                    format!(
                        "source `{}` has no time (expected `source time`)",
                        String::from_utf8_lossy(tok)
                    ),
                ));
            };
            let time = &tok[sp + 1..];
            let mut r = sp;
            while r > 0 && is_space(tok[r - 1]) {
                r -= 1;
            }
            let rest = &tok[..r];
            let s0 = rest.iter().rposition(|&c| is_space(c)).map_or(0, |x| x + 1);
            let source = &rest[s0..];
            let tcol = (a + sp + 2) as u64;
            if time.len() > 18 {
                return Err((
                    tcol,
                    format!("time `{}` has more than 18 digits", lossy(time)),
                ));
            }
            let mut v: i64 = 0;
            for &d in time {
                if !d.is_ascii_digit() {
                    return Err((
                        tcol,
                        format!("time `{}` is not a non-negative integer", lossy(time)),
                    ));
                }
                v = v * 10 + i64::from(d - b'0');
            }
            let next = p.names.len() as u32;
            let key = numeric_key(source);
            let id = if key == TEXT {
                *map.text.entry(source).or_insert(next)
            } else {
                *map.num.entry(key).or_insert(next)
            };
            if id == next {
                p.names.push(source);
                p.keys.push(key);
            }
            p.src.push(id);
            p.time.push(v);
            let digits = time.len() as u8;
            p.digits.push(digits);
            p.max_digits = p.max_digits.max(digits);
        }
        i = end + 1;
    }
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
        assert_eq!(super::numeric_key(b"18446744073709551615"), super::TEXT);
        assert_eq!(super::numeric_key(b"0"), 0);
    }

    #[test]
    fn no_trailing_newline() {
        let c = load("a 1,b 2").unwrap();
        assert_eq!(c.n_participations(), 2);
    }
}
