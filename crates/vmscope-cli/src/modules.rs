//! `--modules` with libraries: every module library is loaded, initialised, configured and ordered
//! with the built-in modules here, before QEMU starts, so a bad library is one line and a non-zero
//! exit instead of a guest that boots for nothing. The plugin does the same again at install.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use vmscope_core::arch::arch_for_target;
use vmscope_core::module::Module;
use vmscope_loader::{Declared, ModuleOption};
use vmscope_modules::registry::{self, BUILTIN};

/// What the check found.
#[derive(Debug)]
pub struct Checked {
    /// The list for the plugin's `modules=` option: built-in names, and libraries as absolute paths.
    pub plugin_list: Vec<String>,
    /// Every module that will run (built-in dependencies added), in call order.
    pub resolved: Vec<String>,
    /// The library modules' options.
    pub options: Vec<ModuleOption>,
}

/// Checks `--modules` and `--module-option`.
pub fn check(list: &[String], options: &[String], guest: crate::GuestArch) -> Result<Checked> {
    let options = options
        .iter()
        .map(|o| ModuleOption::parse(o))
        .collect::<Result<Vec<_>, _>>()?;
    let mut plugin_list = Vec::new();
    let mut builtin_names: Vec<String> = Vec::new();
    let mut libraries: Vec<PathBuf> = Vec::new();
    for m in list {
        if vmscope_loader::is_library(m) {
            let p = std::path::absolute(m).with_context(|| format!("bad path {m}"))?;
            vmscope_loader::check_library_path(&p.display().to_string())?;
            plugin_list.push(p.display().to_string());
            libraries.push(p);
        } else {
            plugin_list.push(m.clone());
            builtin_names.push(m.clone());
        }
    }
    registry::check_names(&builtin_names)?;
    let arch = arch_for_target(guest.name()).context("no such architecture")?;
    let calls = registry::call_renderer(&vmscope_modules::options::Options::default());
    let loaded = vmscope_loader::load_all(&libraries, arch, &options, calls)?;
    let builtin: Vec<&str> = BUILTIN.iter().map(|b| b.0).collect();
    builtin_names.extend(vmscope_loader::builtin_dependencies(&loaded, &builtin));
    // Built-in modules with the dependencies they add themselves, standing in for the real ones.
    let mut modules: Vec<Arc<dyn Module>> = registry::resolve(&builtin_names)?
        .into_iter()
        .filter_map(|n| BUILTIN.iter().find(|b| b.0 == n))
        .map(|b| {
            Arc::new(Declared {
                name: b.0,
                depends: b.2,
            }) as Arc<dyn Module>
        })
        .collect();
    modules.extend(loaded.into_iter().map(|m| Arc::new(m) as Arc<dyn Module>));
    let ordered = vmscope_core::dispatch::order_modules(modules)?;
    Ok(Checked {
        plugin_list,
        resolved: ordered.iter().map(|m| m.name().to_string()).collect(),
        options,
    })
}
