use thiserror::Error;

/// Why a command failed.
#[derive(Debug, Error)]
pub enum CliError {
    /// The server or its configuration.
    #[error(transparent)]
    Server(#[from] slingshot_server::ServerError),
    /// The database.
    #[error(transparent)]
    Store(#[from] slingshot_store::StoreError),
    /// A domain rule.
    #[error(transparent)]
    Domain(#[from] slingshot_domain::DomainError),
    /// The listening engine.
    #[error(transparent)]
    Listen(#[from] slingshot_listen::ListenError),
    /// Files and sockets.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A check failed (the details were printed).
    #[error("{0}")]
    Failed(String),
    /// The command was used wrongly.
    #[error("{0}")]
    Usage(String),
}
