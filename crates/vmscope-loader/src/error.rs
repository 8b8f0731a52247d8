//! Why a module library cannot be used. Every variant is one line for the user, said before the
//! guest starts.

use std::path::PathBuf;

/// A module library that cannot be loaded, or its options.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    /// The path cannot travel in QEMU's plugin options.
    #[error(
        "module library `{path}`: the path must not contain `,`, `:` or `+` (QEMU splits plugin options on `,`, vmscope its module list on `:` and `+`); rename or move it"
    )]
    BadPath {
        /// The path given.
        path: String,
    },
    /// The dynamic loader refused the library (missing file, not a shared library, undefined symbols).
    #[error("module library {path}: cannot load it: {reason}")]
    Open {
        /// The library.
        path: PathBuf,
        /// The dynamic loader's message.
        reason: String,
    },
    /// An exported symbol every module must have is absent.
    #[error(
        "module library {path}: it does not export `{symbol}` (is it a vmscope module? see docs/modules.md)"
    )]
    MissingSymbol {
        /// The library.
        path: PathBuf,
        /// The symbol.
        symbol: &'static str,
    },
    /// The module was built for an ABI version this vmscope does not speak.
    #[error(
        "module library {path}: built for vmscope module ABI {module_major}.{module_minor}, but this vmscope speaks ABI {host_major}.{host_minor} (a module loads when the majors are equal and its minor is not newer); rebuild it against this vmscope's vmscope.h"
    )]
    AbiMismatch {
        /// The library.
        path: PathBuf,
        /// The module's major.
        module_major: u16,
        /// The module's minor.
        module_minor: u16,
        /// The host's major.
        host_major: u16,
        /// The host's minor.
        host_minor: u16,
    },
    /// The module's init entry reported an error.
    #[error("module library {path}: its init failed: {message}")]
    InitFailed {
        /// The library.
        path: PathBuf,
        /// The module's message.
        message: String,
    },
    /// The module described itself wrongly.
    #[error("module library {path}: {problem}")]
    BadDescriptor {
        /// The library.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A module option is malformed.
    #[error("module option `{0}` is not of the form NAME.KEY=VALUE")]
    BadOption(String),
    /// A module option names a module that is not loaded from a library.
    #[error(
        "module option for `{module}`: no module of that name is loaded from a library (loaded: {loaded})"
    )]
    OptionTarget {
        /// The name in the option.
        module: String,
        /// The library modules loaded.
        loaded: String,
    },
    /// The module refused an option.
    #[error("module `{module}` refused option `{key}`: {message}")]
    OptionRefused {
        /// The module.
        module: String,
        /// The key.
        key: String,
        /// The module's message.
        message: String,
    },
}
