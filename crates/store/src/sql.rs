//! Placeholder lists for statements built at run time.
//!
//! PostgreSQL numbers its parameters (`$1, $2`); on SQLite the lists use anonymous `?`
//! instead, because sqlx binds each SQLite parameter by looking up its name, and SQLite
//! finds a named parameter by walking a list: with `$N` a statement of a few thousand
//! parameters spends most of its time binding (quadratic in their number).

use crate::Backend;

/// `n` placeholders separated by commas, the first one being parameter 1.
pub(crate) fn list(backend: Backend, n: usize) -> String {
    rows(backend, 1, n)
        .trim_start_matches('(')
        .trim_end_matches(')')
        .to_owned()
}

/// `(…), (…)` for `rows` rows of `cols` columns; every parameter of the statement must
/// come from here (SQLite's `?` number themselves in order).
pub(crate) fn rows(backend: Backend, rows_n: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows_n * cols * 5);
    let mut i = 0;
    for r in 0..rows_n {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            i += 1;
            match backend {
                Backend::Sqlite => s.push('?'),
                Backend::Postgres => {
                    s.push('$');
                    s.push_str(&i.to_string());
                }
            }
        }
        s.push(')');
    }
    s
}

/// Like [`rows`], each value cast to its column's type: PostgreSQL cannot infer the
/// types of a `VALUES` list's parameters (in `WITH v(…) AS (VALUES …) UPDATE … FROM v`).
pub(crate) fn typed_rows(backend: Backend, rows_n: usize, types: &[&str]) -> String {
    let mut i = 0;
    let row = |i: &mut usize| {
        let cols: Vec<String> = types
            .iter()
            .map(|t| {
                *i += 1;
                match backend {
                    Backend::Sqlite => format!("CAST(? AS {t})"),
                    Backend::Postgres => format!("CAST(${i} AS {t})"),
                }
            })
            .collect();
        format!("({})", cols.join(", "))
    };
    (0..rows_n)
        .map(|_| row(&mut i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A page size written into the query text rather than bound: PostgreSQL plans a
/// prepared statement with `LIMIT $n` again on every execution (its generic plan cannot
/// assume a small page); for a timeline page that planning cost more than running it.
/// Clamped here, so the text is always a small plain number.
pub(crate) fn limit(n: i64) -> i64 {
    n.clamp(0, 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_numbers_and_sqlite_does_not() {
        assert_eq!(rows(Backend::Postgres, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(rows(Backend::Sqlite, 2, 3), "(?, ?, ?), (?, ?, ?)");
        assert_eq!(list(Backend::Postgres, 3), "$1, $2, $3");
        assert_eq!(list(Backend::Sqlite, 1), "?");
        assert_eq!(rows(Backend::Sqlite, 0, 3), "");
        assert_eq!(
            typed_rows(Backend::Postgres, 2, &["TEXT", "BIGINT"]),
            "(CAST($1 AS TEXT), CAST($2 AS BIGINT)), (CAST($3 AS TEXT), CAST($4 AS BIGINT))"
        );
        assert_eq!(
            typed_rows(Backend::Sqlite, 1, &["TEXT"]),
            "(CAST(? AS TEXT))"
        );
    }

    #[test]
    fn a_written_limit_is_a_small_plain_number() {
        assert_eq!(limit(50), 50);
        assert_eq!(limit(-3), 0);
        assert_eq!(limit(i64::MAX), 1000);
    }
}
