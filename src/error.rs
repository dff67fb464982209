//! One error type for the library, with a hint a person can act on. `anyhow` lives only in `main.rs`.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A config file that does not parse or holds an unknown key or bad value.
    #[error("{path}: {message}")]
    Config { path: String, message: String },

    #[error("store at {path}: {message}")]
    Store { path: PathBuf, message: String },

    /// The store's file is damaged: every command stops with this, naming the file.
    #[error("store {path} is damaged: {message}; run `trendd store check` to see what is readable and `trendd store recover` to save it into a fresh store")]
    StoreCorrupt { path: PathBuf, message: String },

    #[error("source '{source_name}': {message}")]
    Source {
        source_name: String,
        message: String,
    },

    #[error("{url}: {message}")]
    Http { url: String, message: String },

    #[error("delivery '{channel}': {message}")]
    Deliver { channel: String, message: String },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// Standard output was closed by its reader (`trendd status | head`): the command ends quietly,
    /// with exit status 0.
    #[error("standard output was closed")]
    OutputClosed,

    /// The web face could not start (address in use, bad listen address).
    #[error("web face: {0}")]
    Web(String),

    /// No source answered and there is nothing new to send: no digest is composed for the day, so
    /// the next run that reaches a source can send the real one.
    #[error("{0}")]
    NothingReached(String),

    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
    pub fn source(name: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Error::Source {
            source_name: name.into(),
            message: message.to_string(),
        }
    }
    pub fn config(path: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Error::Config {
            path: path.into(),
            message: message.to_string(),
        }
    }

    /// The process exit code this error stands for (see the README): 2 when no source could be
    /// reached, 1 for config/store/usage errors.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::NothingReached(_) => 2,
            _ => 1,
        }
    }
}
