//! Time constants: clocks, timer flags, interval timers, `adjtimex`.

use super::Xlat;

/// `CLOCK_*`.
pub const CLOCKS: Xlat = &[
    (0, "CLOCK_REALTIME"),
    (1, "CLOCK_MONOTONIC"),
    (2, "CLOCK_PROCESS_CPUTIME_ID"),
    (3, "CLOCK_THREAD_CPUTIME_ID"),
    (4, "CLOCK_MONOTONIC_RAW"),
    (5, "CLOCK_REALTIME_COARSE"),
    (6, "CLOCK_MONOTONIC_COARSE"),
    (7, "CLOCK_BOOTTIME"),
    (8, "CLOCK_REALTIME_ALARM"),
    (9, "CLOCK_BOOTTIME_ALARM"),
    (10, "CLOCK_SGI_CYCLE"),
    (11, "CLOCK_TAI"),
];

/// `TIMER_ABSTIME` of `clock_nanosleep` and `timer_settime`.
pub const CLOCK_FLAGS: Xlat = &[(1, "TIMER_ABSTIME")];

/// `ITIMER_*` timers.
pub const ITIMER_WHICH: Xlat = &[
    (0, "ITIMER_REAL"),
    (1, "ITIMER_VIRTUAL"),
    (2, "ITIMER_PROF"),
];

/// `ADJ_*` modes of `struct timex` (the combined modes first, as strace tries them).
pub const ADJTIMEX_MODES: Xlat = &[
    (0xa001, "ADJ_OFFSET_SS_READ"),
    (0x8001, "ADJ_OFFSET_SINGLESHOT"),
    (0x0001, "ADJ_OFFSET"),
    (0x0002, "ADJ_FREQUENCY"),
    (0x0004, "ADJ_MAXERROR"),
    (0x0008, "ADJ_ESTERROR"),
    (0x0010, "ADJ_STATUS"),
    (0x0020, "ADJ_TIMECONST"),
    (0x0080, "ADJ_TAI"),
    (0x0100, "ADJ_SETOFFSET"),
    (0x1000, "ADJ_MICRO"),
    (0x2000, "ADJ_NANO"),
    (0x4000, "ADJ_TICK"),
];

/// `STA_*` status bits of `struct timex`.
pub const ADJTIMEX_STATUS: Xlat = &[
    (0x0001, "STA_PLL"),
    (0x0002, "STA_PPSFREQ"),
    (0x0004, "STA_PPSTIME"),
    (0x0008, "STA_FLL"),
    (0x0010, "STA_INS"),
    (0x0020, "STA_DEL"),
    (0x0040, "STA_UNSYNC"),
    (0x0080, "STA_FREQHOLD"),
    (0x0100, "STA_PPSSIGNAL"),
    (0x0200, "STA_PPSJITTER"),
    (0x0400, "STA_PPSWANDER"),
    (0x0800, "STA_PPSERROR"),
    (0x1000, "STA_CLOCKERR"),
    (0x2000, "STA_NANO"),
    (0x4000, "STA_MODE"),
    (0x8000, "STA_CLK"),
];

/// The clock states `adjtimex` returns (`TIME_OK`).
pub const ADJTIMEX_STATE: Xlat = &[
    (0, "TIME_OK"),
    (1, "TIME_INS"),
    (2, "TIME_DEL"),
    (3, "TIME_OOP"),
    (4, "TIME_WAIT"),
    (5, "TIME_ERROR"),
];
