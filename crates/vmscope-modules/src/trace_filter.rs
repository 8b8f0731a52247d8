//! `--trace EXPR` (strace's `-e trace=`): which system calls reach the journal. Applied in two places:
//! the journal's sink drops the calls outside the set before they are rendered, and when no module
//! but the journal consumes system calls, the syscall module does not capture their memory at all
//! (the costly part of a call on the vCPU). Modules that need the calls (files, processes, network,
//! memory) still see every one.

use std::sync::Arc;

use vmscope_core::dispatch::Sink;
use vmscope_core::event::Event;
use vmscope_linux::syscalls::Call;
use vmscope_linux::trace_classes::TraceSet;

/// A sink that passes every event but system calls outside a [`TraceSet`].
pub struct TraceSink {
    inner: Arc<dyn Sink>,
    set: TraceSet,
}

impl TraceSink {
    /// Filters what goes to `inner` by `set`.
    pub fn new(inner: Arc<dyn Sink>, set: TraceSet) -> Self {
        Self { inner, set }
    }
}

impl Sink for TraceSink {
    fn emit(&self, event: Event) {
        if let Event::Syscall(s) = &event
            && !self.set.contains(Call::of(s))
        {
            return;
        }
        self.inner.emit(event);
    }

    fn flush(&self) {
        self.inner.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use vmscope_core::event::Notice;

    #[derive(Default)]
    struct Keep(Mutex<Vec<Event>>);

    impl Sink for Keep {
        fn emit(&self, e: Event) {
            self.0.lock().unwrap().push(e);
        }
    }

    fn call(name: &str, known: bool) -> Event {
        let mut ev = crate::test_support::syscall_event(
            vmscope_core::event::Abi::X86_64,
            name,
            Default::default(),
            [0; 6],
            Some(0),
            None,
        );
        if !known {
            ev.call = None;
        }
        Event::Syscall(Box::new(ev))
    }

    #[test]
    fn only_calls_outside_the_set_are_dropped() {
        let keep = Arc::new(Keep::default());
        let s = TraceSink::new(keep.clone(), TraceSet::parse("%network").unwrap());
        s.emit(call("connect", true));
        s.emit(call("read", true));
        s.emit(call("read", false));
        s.emit(Event::Notice(Notice {
            ts: 0,
            source: "x".into(),
            level: vmscope_core::event::Level::Info,
            message: "m".into(),
        }));
        let got = keep.0.lock().unwrap();
        assert_eq!(got.len(), 2);
        assert!(matches!(&got[0], Event::Syscall(s) if s.call == Some(Call::Connect.id())));
    }
}
