//! Errors of the core.

/// What can go wrong when assembling modules.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// A module needs a module that is not loaded.
    #[error("module `{module}` depends on `{missing}`, which is not loaded")]
    MissingDependency {
        /// The module with the dependency.
        module: String,
        /// The missing one.
        missing: String,
    },
    /// Modules depend on each other in a cycle.
    #[error("modules depend on each other in a cycle: {cycle}")]
    DependencyCycle {
        /// The cycle, `a -> b -> a`.
        cycle: String,
    },
    /// Two modules have the same name.
    #[error("module `{name}` is loaded twice")]
    DuplicateModule {
        /// The name.
        name: String,
    },
}
