//! The crate's one error type.

/// Everything that can go wrong while loading, selecting, evaluating or generating.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file (or `<input>` for a reader).
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A line of an input file is malformed; `line` and `column` are 1-based (column in bytes).
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// The file (or `<input>` for a reader).
        file: String,
        /// 1-based line number.
        line: u64,
        /// 1-based byte column.
        column: u64,
        /// What is wrong.
        message: String,
    },
    /// The input holds no cascade at all.
    #[error("{0}: no cascades found (the input is empty)")]
    Empty(String),
    /// An option or argument is out of range or inconsistent.
    #[error("{0}")]
    InvalidArgument(String),
    /// A named source does not occur in the cascades.
    #[error("unknown source {0:?}: it occurs in no cascade")]
    UnknownSource(String),
    /// The input exceeds the engine's limits (u32 ids).
    #[error("input too large: {0}")]
    TooLarge(String),
}

impl ListenError {
    pub(crate) fn io(path: &str, source: std::io::Error) -> Self {
        ListenError::Io {
            path: path.to_string(),
            source,
        }
    }

    pub(crate) fn parse(file: &str, line: u64, column: u64, message: impl Into<String>) -> Self {
        ListenError::Parse {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}
