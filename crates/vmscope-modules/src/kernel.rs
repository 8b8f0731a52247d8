//! The kernel's structure layouts, known from the start (a kernel file) or found in guest memory once
//! the guest runs its kernel (a guest that boots itself, with no kernel file given).
//!
//! One [`KernelCell`] is shared by the modules that read kernel structures (context, processes, files).
//! They ask it at every hook ([`KernelCell::layout`]: one atomic load); until a layout is known they
//! work as without one — events carry no thread, nothing is guessed — and one notice says so.
//!
//! Finding: the context module offers the kernel-mode hooks (possible exits, page-table switches) to
//! [`KernelCell::offer`] while the layout is pending. The first vCPU to claim the cell runs the
//! [`FindKernel`] there, on its own thread, once; meanwhile the other vCPUs go on without a layout. The
//! outcome is one of: found (a notice says where from and what it cost), failed (a notice; tracing
//! goes on without thread identities), or "not here" (the kernel is not mapped at that instruction:
//! KPTI's user page tables), after which the next kernel-mode hook may try, [`MAX_NOT_HERE`] times at
//! most. Instructions outside the kernel's text (firmware, boot loader) are not offered at all.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};

use vmscope_core::event::{Event, Level, Notice};
use vmscope_core::guest::GuestCpu;
use vmscope_core::module::Bus;
use vmscope_linux::btf::{KernelLayout, VfsLayout};

/// The layouts of one kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layouts {
    /// Task structures, per-CPU variables, process-monitor offsets.
    pub layout: KernelLayout,
    /// The VFS structures (`None` when the BTF lacks some).
    pub vfs: Option<VfsLayout>,
}

/// What one attempt to find the running kernel gave.
#[derive(Debug)]
pub enum Finding {
    /// Found: the layouts, and what to tell the user (where from, what it cost, warnings).
    Found {
        /// The layouts.
        layouts: Box<Layouts>,
        /// Notices for the journal.
        notices: Vec<(Level, String)>,
    },
    /// The kernel is not mapped at this instruction (why): try at another.
    NotHere(String),
    /// Not found, and it will not be (why): go on without a layout.
    Failed(String),
}

/// Finds the running kernel's layouts in guest memory (implemented over `vmscope-linux`'s locator and
/// the host's BTF cache by the backend's setup).
pub trait FindKernel: Send + Sync {
    /// Whether `pc` may be in the kernel's text (a cheap check, no guest read): only such
    /// instructions are offered to [`FindKernel::find`].
    fn is_kernel_text(&self, pc: u64) -> bool;

    /// Looks for the running kernel from the kernel-mode instruction at `pc`, on `cpu`.
    fn find(&self, cpu: &mut dyn GuestCpu, pc: u64) -> Finding;
}

/// Attempts that found the kernel not mapped before the search is given up.
pub const MAX_NOT_HERE: u32 = 64;

/// The cell has no layout yet and may find one.
const PENDING: u8 = 0;
/// A vCPU is finding it now.
const BUSY: u8 = 1;
/// Known, or given up: nothing more will change.
const SETTLED: u8 = 2;

/// The kernel's layouts, shared by the modules; see the module documentation.
pub struct KernelCell {
    layouts: OnceLock<Layouts>,
    finder: Option<Box<dyn FindKernel>>,
    state: AtomicU8,
    not_here: AtomicU32,
    /// Why the last attempt found the kernel not mapped.
    last_not_here: std::sync::Mutex<String>,
    /// Whether the notice about calls made before the layout was known has been published.
    said_unnamed: AtomicBool,
}

impl KernelCell {
    /// Layouts known from the start (from a kernel file), or none at all (`layout` `None`: no kernel
    /// file, or one without BTF); nothing is looked for in memory.
    pub fn known(layout: Option<KernelLayout>, vfs: Option<VfsLayout>) -> Self {
        let layouts = OnceLock::new();
        if let Some(layout) = layout {
            let _ = layouts.set(Layouts { layout, vfs });
        }
        Self {
            layouts,
            finder: None,
            state: AtomicU8::new(SETTLED),
            not_here: AtomicU32::new(0),
            last_not_here: std::sync::Mutex::new(String::new()),
            said_unnamed: AtomicBool::new(false),
        }
    }

    /// Layouts to be found in guest memory by `finder` once the guest runs its kernel.
    pub fn in_memory(finder: Box<dyn FindKernel>) -> Self {
        Self {
            layouts: OnceLock::new(),
            finder: Some(finder),
            state: AtomicU8::new(PENDING),
            not_here: AtomicU32::new(0),
            last_not_here: std::sync::Mutex::new(String::new()),
            said_unnamed: AtomicBool::new(false),
        }
    }

    /// The structure layout, once known.
    #[inline]
    pub fn layout(&self) -> Option<&KernelLayout> {
        self.layouts.get().map(|l| &l.layout)
    }

    /// The VFS layout, once known (and when the BTF has it).
    #[inline]
    pub fn vfs(&self) -> Option<&VfsLayout> {
        self.layouts.get().and_then(|l| l.vfs.as_ref())
    }

    /// Whether the layout is still to be found (a search may be running on some vCPU).
    #[inline]
    pub fn is_pending(&self) -> bool {
        self.state.load(Ordering::Acquire) != SETTLED
    }

    /// Whether a layout is known or may still be found: what modules declare their interests by
    /// (hooks that only help with a layout, like page-table switches).
    pub fn may_have_layout(&self) -> bool {
        self.layouts.get().is_some() || self.finder.is_some()
    }

    /// Like [`Self::may_have_layout`], for the VFS layout.
    pub fn may_have_vfs(&self) -> bool {
        self.vfs().is_some() || self.finder.is_some()
    }

    /// A kernel-mode hook at `pc` on `cpu`, while the layout is pending: finds the kernel here if no
    /// other vCPU is at it, and publishes what happened.
    pub fn offer(&self, cpu: &mut dyn GuestCpu, pc: u64, ts: u64, bus: &mut Bus) {
        let Some(finder) = self.finder.as_deref() else {
            return;
        };
        if !finder.is_kernel_text(pc)
            || self
                .state
                .compare_exchange(PENDING, BUSY, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        match finder.find(cpu, pc) {
            Finding::Found { layouts, notices } => {
                let _ = self.layouts.set(*layouts);
                self.state.store(SETTLED, Ordering::Release);
                for (level, message) in notices {
                    bus.publish(notice(ts, level, message));
                }
                let tries = self.not_here.load(Ordering::Relaxed);
                if tries > 0 {
                    let last = self
                        .last_not_here
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .clone();
                    bus.publish(notice(
                        ts,
                        Level::Info,
                        format!(
                            "the kernel was not found at {tries} earlier kernel-mode instructions \
                             (the last: {last})"
                        ),
                    ));
                }
            }
            Finding::NotHere(why) => {
                why.clone_into(
                    &mut self
                        .last_not_here
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                );
                if self.not_here.fetch_add(1, Ordering::Relaxed) + 1 >= MAX_NOT_HERE {
                    self.state.store(SETTLED, Ordering::Release);
                    bus.publish(notice(
                        ts,
                        Level::Warning,
                        format!(
                            "kernel layout not found in guest memory after {MAX_NOT_HERE} tries \
                             ({why}); threads are not identified, calls are matched by address space \
                             and stack"
                        ),
                    ));
                } else {
                    self.state.store(PENDING, Ordering::Release);
                }
            }
            Finding::Failed(why) => {
                self.state.store(SETTLED, Ordering::Release);
                bus.publish(notice(
                    ts,
                    Level::Warning,
                    format!(
                        "kernel layout not found in guest memory: {why}; threads are not \
                         identified, calls are matched by address space and stack"
                    ),
                ));
            }
        }
    }

    /// A call is made while the layout is pending: says once that calls carry no thread until it is
    /// known.
    pub fn unnamed_call(&self, ts: u64, bus: &mut Bus) {
        if !self.said_unnamed.swap(true, Ordering::Relaxed) {
            bus.publish(notice(
                ts,
                Level::Info,
                "calls made before the kernel's layout is found in guest memory carry no thread \
                 (not guessed); it is looked for at the kernel's exits"
                    .into(),
            ));
        }
    }
}

fn notice(ts: u64, level: Level, message: String) -> Event {
    Event::Notice(Notice {
        ts,
        source: "vmscope".into(),
        level,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use vmscope_core::guest::TestGuest;

    /// A finder that answers from a script, and counts its calls.
    struct Scripted(Mutex<Vec<Finding>>, AtomicU32);

    impl FindKernel for Scripted {
        fn is_kernel_text(&self, pc: u64) -> bool {
            pc >= 0xffff_ffff_8000_0000
        }
        fn find(&self, _cpu: &mut dyn GuestCpu, _pc: u64) -> Finding {
            self.1.fetch_add(1, Ordering::Relaxed);
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .pop()
                .unwrap_or(Finding::NotHere("empty script".into()))
        }
    }

    /// Shares the script with the test, which counts the finder's calls.
    struct Shared(std::sync::Arc<Scripted>);

    impl FindKernel for Shared {
        fn is_kernel_text(&self, pc: u64) -> bool {
            self.0.is_kernel_text(pc)
        }
        fn find(&self, cpu: &mut dyn GuestCpu, pc: u64) -> Finding {
            self.0.find(cpu, pc)
        }
    }

    fn cell(script: Vec<Finding>) -> (KernelCell, std::sync::Arc<Scripted>) {
        let s = std::sync::Arc::new(Scripted(
            Mutex::new(script.into_iter().rev().collect()),
            AtomicU32::new(0),
        ));
        (KernelCell::in_memory(Box::new(Shared(s.clone()))), s)
    }

    fn found() -> Finding {
        Finding::Found {
            layouts: Box::new(Layouts {
                layout: crate::test_support::layout(),
                vfs: None,
            }),
            notices: vec![(Level::Info, "kernel layout from guest memory: test".into())],
        }
    }

    const KTEXT: u64 = 0xffff_ffff_8120_0000;

    #[test]
    fn found_once_after_not_here_and_never_looked_for_again() {
        let (c, s) = cell(vec![Finding::NotHere("KPTI".into()), found()]);
        assert!(c.is_pending() && c.may_have_layout() && c.layout().is_none());
        let mut g = TestGuest::new();
        let mut bus = Bus::default();
        // Firmware and boot loader instructions are not offered.
        c.offer(&mut g, 0x7c00, 0, &mut bus);
        assert_eq!(s.1.load(Ordering::Relaxed), 0);
        c.offer(&mut g, KTEXT, 0, &mut bus);
        assert!(c.is_pending() && bus.events().is_empty());
        c.offer(&mut g, KTEXT, 0, &mut bus);
        assert!(!c.is_pending());
        assert!(c.layout().is_some() && c.vfs().is_none());
        // The finder's notice, and one about the attempt that found nothing.
        let msgs: Vec<&str> = bus
            .events()
            .iter()
            .filter_map(|e| match e {
                Event::Notice(n) => Some(n.message.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[1].contains("1 earlier kernel-mode instructions (the last: KPTI)"));
        c.offer(&mut g, KTEXT, 0, &mut bus);
        assert_eq!(s.1.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_failure_is_one_notice_and_final() {
        let (c, s) = cell(vec![Finding::Failed("no BTF".into())]);
        let mut g = TestGuest::new();
        let mut bus = Bus::default();
        for _ in 0..3 {
            c.offer(&mut g, KTEXT, 0, &mut bus);
        }
        assert_eq!(s.1.load(Ordering::Relaxed), 1);
        assert!(!c.is_pending() && c.layout().is_none());
        let msgs: Vec<String> = bus
            .events()
            .iter()
            .filter_map(|e| match e {
                Event::Notice(n) => Some(n.message.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(msgs.len(), 1);
        assert!(msgs[0].contains("no BTF") && msgs[0].contains("not identified"));
    }

    #[test]
    fn not_here_is_given_up_after_a_bound() {
        let (c, s) = cell(vec![]);
        let mut g = TestGuest::new();
        let mut bus = Bus::default();
        for _ in 0..MAX_NOT_HERE * 2 {
            c.offer(&mut g, KTEXT, 0, &mut bus);
        }
        assert_eq!(s.1.load(Ordering::Relaxed), MAX_NOT_HERE);
        assert!(!c.is_pending());
        assert_eq!(bus.events().len(), 1);
    }

    #[test]
    fn calls_before_the_layout_are_said_once() {
        let (c, _) = cell(vec![]);
        let mut bus = Bus::default();
        c.unnamed_call(1, &mut bus);
        c.unnamed_call(2, &mut bus);
        assert_eq!(bus.events().len(), 1);
    }

    #[test]
    fn known_layouts_are_settled() {
        let c = KernelCell::known(Some(crate::test_support::layout()), None);
        assert!(!c.is_pending() && c.layout().is_some() && c.may_have_layout());
        assert!(!c.may_have_vfs());
        let none = KernelCell::known(None, None);
        assert!(!none.is_pending() && !none.may_have_layout());
    }
}
