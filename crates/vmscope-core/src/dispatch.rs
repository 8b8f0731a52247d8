//! The dispatcher: calls modules in dependency order and carries events between them (the bus).
//!
//! A module that panics is reported once with a [`Notice`], disabled, and the others go on: the guest
//! must never stop because a module failed.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::clock;
use crate::error::Error;
use crate::event::{DeviceSpace, Event, Notice};
use crate::guest::{GuestCpu, Unreadable};
use crate::module::{Bus, DeviceAccess, Hook, HookPoint, Interest, Module};
use crate::profile::{Phase, Profile, Stopwatch};

/// Where events end up after the modules saw them: the journal.
pub trait Sink: Send + Sync {
    /// Takes one event. Must not block the vCPU for long.
    fn emit(&self, event: Event);
    /// Tracing stops: write out everything.
    fn flush(&self) {}
}

/// How deep events published in reaction to events may nest before the dispatcher stops delivering
/// them (a guard against two modules feeding each other forever).
const MAX_EVENT_DEPTH: usize = 8;

struct Slot {
    module: Arc<dyn Module>,
    interest: Interest,
    disabled: AtomicBool,
}

/// Modules in dependency order, and the sink.
pub struct Dispatcher {
    slots: Vec<Slot>,
    /// The slots interested in blocks (user or kernel), for the hottest path.
    block_slots: Vec<usize>,
    /// The slots interested in port I/O or MMIO.
    device_slots: Vec<usize>,
    sink: Arc<dyn Sink>,
    profile: Option<Profile>,
}

/// Modules whose time a profiled callback tells apart; later ones count in the total only.
const PROFILED_MODULES: usize = 16;

/// One profiled callback's times, before its phase is known.
struct Times {
    modules: [u64; PROFILED_MODULES],
    sink: u64,
}

impl Times {
    fn module(&mut self, i: usize, ns: u64) {
        if let Some(t) = self.modules.get_mut(i) {
            *t = t.saturating_add(ns);
        }
    }
}

/// Orders modules so every module comes after the modules it depends on.
pub fn order_modules(modules: Vec<Arc<dyn Module>>) -> Result<Vec<Arc<dyn Module>>, Error> {
    let mut index = HashMap::new();
    for (i, m) in modules.iter().enumerate() {
        if index.insert(m.name().to_string(), i).is_some() {
            return Err(Error::DuplicateModule {
                name: m.name().to_string(),
            });
        }
    }
    for m in &modules {
        for d in m.depends() {
            if !index.contains_key(*d) {
                return Err(Error::MissingDependency {
                    module: m.name().to_string(),
                    missing: d.to_string(),
                });
            }
        }
    }
    // Depth-first topological sort; the mark of a node on the current path finds cycles.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    fn visit(
        i: usize,
        modules: &[Arc<dyn Module>],
        index: &HashMap<String, usize>,
        marks: &mut [Mark],
        path: &mut Vec<usize>,
        out: &mut Vec<usize>,
    ) -> Result<(), Error> {
        match marks[i] {
            Mark::Done => return Ok(()),
            Mark::OnPath => {
                let start = path.iter().position(|&p| p == i).unwrap_or(0);
                let mut names: Vec<&str> =
                    path[start..].iter().map(|&p| modules[p].name()).collect();
                names.push(modules[i].name());
                return Err(Error::DependencyCycle {
                    cycle: names.join(" -> "),
                });
            }
            Mark::New => {}
        }
        marks[i] = Mark::OnPath;
        path.push(i);
        for d in modules[i].depends() {
            if let Some(&j) = index.get(*d) {
                visit(j, modules, index, marks, path, out)?;
            }
        }
        path.pop();
        marks[i] = Mark::Done;
        out.push(i);
        Ok(())
    }
    let mut marks = vec![Mark::New; modules.len()];
    let mut order = Vec::with_capacity(modules.len());
    for i in 0..modules.len() {
        visit(i, &modules, &index, &mut marks, &mut Vec::new(), &mut order)?;
    }
    Ok(order.into_iter().map(|i| modules[i].clone()).collect())
}

impl Dispatcher {
    /// Orders the modules and builds the dispatcher.
    pub fn new(modules: Vec<Arc<dyn Module>>, sink: Arc<dyn Sink>) -> Result<Self, Error> {
        let slots: Vec<Slot> = order_modules(modules)?
            .into_iter()
            .map(|module| Slot {
                interest: module.interest(),
                module,
                disabled: AtomicBool::new(false),
            })
            .collect();
        let which = |f: fn(&Interest) -> bool| {
            slots
                .iter()
                .enumerate()
                .filter(|(_, s)| f(&s.interest))
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        };
        let block_slots = which(|i| i.user_blocks || i.kernel_blocks);
        let device_slots = which(|i| i.port_io || i.mmio);
        Ok(Self {
            slots,
            block_slots,
            device_slots,
            sink,
            profile: None,
        })
    }

    /// Measures the time every callback, module and hand-over takes (see [`crate::profile`]).
    pub fn with_profile(mut self) -> Self {
        self.profile = Some(Profile::new(self.module_names()));
        self
    }

    /// The self-measurement, when on.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    /// The union of every module's interest: what the backend must instrument.
    pub fn interest(&self) -> Interest {
        self.slots
            .iter()
            .fold(Interest::default(), |acc, s| Interest {
                entries: acc.entries || s.interest.entries,
                exits: acc.exits || s.interest.exits,
                page_table_switches: acc.page_table_switches || s.interest.page_table_switches,
                user_blocks: acc.user_blocks || s.interest.user_blocks,
                kernel_blocks: acc.kernel_blocks || s.interest.kernel_blocks,
                port_io: acc.port_io || s.interest.port_io,
                mmio: acc.mmio || s.interest.mmio,
                events: crate::event::EventMask::ALL,
            })
    }

    /// Names of the modules in call order.
    pub fn module_names(&self) -> Vec<String> {
        self.slots
            .iter()
            .map(|s| s.module.name().to_string())
            .collect()
    }

    /// Runs a hook through every interested module, then delivers what they published.
    pub fn hook(&self, cpu: &mut dyn GuestCpu, hook: &mut Hook) {
        let mut times = self.profile.as_ref().map(|_| Times {
            modules: [0; PROFILED_MODULES],
            sink: 0,
        });
        let mut bus = Bus::default();
        for (i, slot) in self.slots.iter().enumerate() {
            let wants = match hook.point {
                HookPoint::Entry(_) => slot.interest.entries,
                HookPoint::Exit(_) => slot.interest.exits,
                HookPoint::PageTableSwitch => slot.interest.page_table_switches,
            };
            if !wants || slot.disabled.load(Ordering::Relaxed) {
                continue;
            }
            let watch = times.as_ref().map(|_| Stopwatch::start());
            self.guarded(slot, || slot.module.on_hook(cpu, hook, &mut bus));
            if let (Some(t), Some(w)) = (times.as_mut(), watch) {
                t.module(i, w.ns());
            }
        }
        self.deliver(cpu, bus, 0, times.as_mut());
        if let (Some(p), Some(t)) = (&self.profile, times) {
            let phase = Phase::of(hook.point, hook.to_user);
            for (i, &ns) in t.modules.iter().enumerate().take(self.slots.len()) {
                if ns > 0 {
                    p.module(phase, i, ns);
                }
            }
            if t.sink > 0 {
                p.sink(phase, t.sink);
            }
        }
    }

    /// A translated block runs: the modules interested in blocks see it (no events, no guest reads;
    /// a module that panics is disabled like anywhere else).
    pub fn block(&self, vcpu: u32, pc: u64, size: u16) {
        for &i in &self.block_slots {
            let Some(slot) = self.slots.get(i) else {
                continue;
            };
            if !slot.disabled.load(Ordering::Relaxed) {
                self.guarded(slot, || slot.module.on_block(vcpu, pc, size));
            }
        }
    }

    /// A device access: the interested modules see it, then what they published is delivered.
    pub fn device(&self, cpu: &mut dyn GuestCpu, access: &DeviceAccess) {
        let mut bus = Bus::default();
        for &i in &self.device_slots {
            let Some(slot) = self.slots.get(i) else {
                continue;
            };
            let wants = match access.space {
                DeviceSpace::Pio => slot.interest.port_io,
                DeviceSpace::Mmio => slot.interest.mmio,
            };
            if wants && !slot.disabled.load(Ordering::Relaxed) {
                self.guarded(slot, || slot.module.on_device(access, &mut bus));
            }
        }
        if !bus.queue.is_empty() {
            self.deliver(cpu, bus, 0, None);
        }
    }

    /// Tracing stops: every module flushes, then the sink.
    pub fn stop(&self) {
        for slot in &self.slots {
            if slot.disabled.load(Ordering::Relaxed) {
                continue;
            }
            let mut bus = Bus::default();
            self.guarded(slot, || slot.module.on_stop(&mut bus));
            self.deliver(&mut Unreadable, bus, 0, None);
        }
        self.sink.flush();
    }

    /// Publishes an event from outside any module (the backend's own notices).
    pub fn publish(&self, event: Event) {
        let mut bus = Bus::default();
        bus.publish(event);
        self.deliver(&mut Unreadable, bus, 0, None);
    }

    /// Hands the events of `bus` to the interested modules (and what they publish in turn, up to
    /// [`MAX_EVENT_DEPTH`]), then to the sink. With `times`, each module's and the sink's time is added.
    fn deliver(
        &self,
        cpu: &mut dyn GuestCpu,
        bus: Bus,
        depth: usize,
        mut times: Option<&mut Times>,
    ) {
        for event in bus.queue {
            if depth < MAX_EVENT_DEPTH {
                let kind = event.kind();
                let mut next = Bus::default();
                for (i, slot) in self.slots.iter().enumerate() {
                    if slot.interest.events.contains(kind) && !slot.disabled.load(Ordering::Relaxed)
                    {
                        let watch = times.as_ref().map(|_| Stopwatch::start());
                        self.guarded(slot, || slot.module.on_event(&event, cpu, &mut next));
                        if let (Some(t), Some(w)) = (times.as_deref_mut(), watch) {
                            t.module(i, w.ns());
                        }
                    }
                }
                self.deliver(cpu, next, depth + 1, times.as_deref_mut());
            }
            let watch = times.as_ref().map(|_| Stopwatch::start());
            self.sink.emit(event);
            if let (Some(t), Some(w)) = (times.as_deref_mut(), watch) {
                t.sink = t.sink.saturating_add(w.ns());
            }
        }
    }

    fn guarded(&self, slot: &Slot, f: impl FnOnce()) {
        if catch_unwind(AssertUnwindSafe(f)).is_err()
            && !slot.disabled.swap(true, Ordering::Relaxed)
        {
            self.sink.emit(Event::Notice(Notice {
                ts: clock::now_ns(),
                source: slot.module.name().to_string(),
                level: crate::event::Level::Error,
                message: "module panicked and was disabled; the guest and the other modules go on"
                    .to_string(),
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::EntryKind;
    use crate::event::{EventKind, EventMask};
    use crate::guest::TestGuest;
    use std::sync::Mutex;

    struct Named {
        name: &'static str,
        deps: &'static [&'static str],
        panics: bool,
        seen: Mutex<Vec<String>>,
    }

    impl Module for Named {
        fn name(&self) -> &str {
            self.name
        }
        fn depends(&self) -> &[&str] {
            self.deps
        }
        fn interest(&self) -> Interest {
            Interest {
                entries: true,
                events: EventMask::NONE.with(EventKind::Notice),
                ..Interest::default()
            }
        }
        fn on_hook(&self, _cpu: &mut dyn GuestCpu, hook: &mut Hook, bus: &mut Bus) {
            if self.panics {
                panic!("boom");
            }
            // Feed the next module through the hook, and publish something.
            let seen = hook
                .thread
                .as_ref()
                .and_then(|t| t.comm.as_deref().map(str::to_string))
                .unwrap_or_default();
            self.seen.lock().unwrap().push(seen);
            hook.thread = Some(crate::event::ThreadCtx {
                comm: Some(self.name.into()),
                ..Default::default()
            });
            bus.publish(Event::Notice(Notice {
                ts: 0,
                source: self.name.to_string(),
                level: crate::event::Level::Info,
                message: "hi".into(),
            }));
        }
    }

    fn named(name: &'static str, deps: &'static [&'static str], panics: bool) -> Arc<Named> {
        Arc::new(Named {
            name,
            deps,
            panics,
            seen: Mutex::new(vec![]),
        })
    }

    #[derive(Default)]
    struct VecSink(Mutex<Vec<Event>>);
    impl Sink for VecSink {
        fn emit(&self, event: Event) {
            self.0.lock().unwrap().push(event);
        }
    }

    fn hook() -> Hook {
        Hook::new(0, 0, 0, 2, HookPoint::Entry(EntryKind::Syscall))
    }

    #[test]
    fn dependencies_come_first_and_feed_the_dependents() {
        let a = named("a", &["b"], false);
        let b = named("b", &[], false);
        let sink = Arc::new(VecSink::default());
        let d = Dispatcher::new(vec![a.clone(), b.clone()], sink.clone()).unwrap();
        assert_eq!(d.module_names(), vec!["b", "a"]);
        d.hook(&mut TestGuest::new(), &mut hook());
        assert_eq!(*a.seen.lock().unwrap(), vec!["b".to_string()]);
        // Two notices published, each delivered to the sink once.
        assert_eq!(sink.0.lock().unwrap().len(), 2);
    }

    #[test]
    fn missing_dependencies_and_cycles_are_refused() {
        let sink: Arc<dyn Sink> = Arc::new(VecSink::default());
        let e = Dispatcher::new(vec![named("a", &["zz"], false)], sink.clone()).err();
        assert_eq!(
            e,
            Some(Error::MissingDependency {
                module: "a".into(),
                missing: "zz".into()
            })
        );
        let e = Dispatcher::new(
            vec![
                named("a", &["b"], false),
                named("b", &["c"], false),
                named("c", &["a"], false),
            ],
            sink.clone(),
        )
        .err();
        assert!(
            matches!(e, Some(Error::DependencyCycle { ref cycle }) if cycle == "a -> b -> c -> a")
        );
        let e = Dispatcher::new(vec![named("a", &[], false), named("a", &[], false)], sink).err();
        assert!(matches!(e, Some(Error::DuplicateModule { .. })));
    }

    #[test]
    fn a_panicking_module_is_disabled_once_and_the_others_go_on() {
        let bad = named("bad", &[], true);
        let good = named("good", &[], false);
        let sink = Arc::new(VecSink::default());
        let d = Dispatcher::new(vec![bad, good.clone()], sink.clone()).unwrap();
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        d.hook(&mut TestGuest::new(), &mut hook());
        d.hook(&mut TestGuest::new(), &mut hook());
        std::panic::set_hook(prev);
        assert_eq!(good.seen.lock().unwrap().len(), 2);
        let errors = sink
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| matches!(e, Event::Notice(n) if n.level == crate::event::Level::Error && n.source == "bad"))
            .count();
        assert_eq!(errors, 1);
    }
}
