/*
 * vmscope.h - the vmscope module ABI, version 1.1.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A vmscope module is a shared library that vmscope loads into its QEMU plugin
 * (`vmscope run --modules files,./libmine.so`). It sees what other modules
 * publish (system calls, file operations, process lifecycle, other modules'
 * own events) as the plain C structures below, may read the guest's registers
 * and memory while it handles one, and publishes events of its own, which reach
 * the journal and every module subscribed to them.
 *
 * This header is the whole contract: a module needs nothing else from vmscope
 * (no Rust, no QEMU headers). It is C99 and compiles cleanly with
 * `-std=c99 -Wall -Wextra -pedantic`. See docs/modules.md for a walkthrough.
 *
 * A module library exports exactly two symbols:
 *
 *     VMSCOPE_EXPORT const uint32_t vmscope_module_abi_version = VMSCOPE_ABI_VERSION;
 *     VMSCOPE_EXPORT int vmscope_module_init(const struct vmscope_host *host,
 *                                            struct vmscope_module *module,
 *                                            char *error, size_t error_size);
 *
 * Versioning. VMSCOPE_ABI_VERSION is (major << 16) | minor. The host loads a
 * module when the majors are equal and the module's minor is not greater than
 * the host's. Within one major, a new minor only adds: event kinds, fields
 * appended at the end of host-filled structures, functions appended at the end
 * of `struct vmscope_host`, and new optional callbacks appended at the end of
 * `struct vmscope_module` (the host zero-fills it before `init`). Nothing is
 * removed, reordered or changes meaning within a major; anything else bumps
 * the major, and the host then refuses older modules with one clear line.
 *
 * Lifetimes. Every pointer the host hands to a callback (events, their
 * strings and arrays, the context) is valid only during that callback: copy
 * what you keep. `host` stays valid until `destroy` returns. The strings and
 * arrays a module puts in `struct vmscope_module` must stay valid until its
 * `destroy` returns.
 *
 * Threads. `init` and `configure` run on one thread before any event.
 * `on_event` may run concurrently on several threads (one per guest vCPU):
 * a module protects its own state. `on_stop` and `destroy` run once, last.
 *
 * Strings are NUL-terminated UTF-8. An absent optional string is NULL.
 */
#ifndef VMSCOPE_H
#define VMSCOPE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ------------------------------------------------------------ */

#define VMSCOPE_ABI_MAJOR 1
#define VMSCOPE_ABI_MINOR 1
/* The version this header describes: (major << 16) | minor. */
#define VMSCOPE_ABI_VERSION (((uint32_t)VMSCOPE_ABI_MAJOR << 16) | (uint32_t)VMSCOPE_ABI_MINOR)

/* Marks the two exported symbols (the library may hide everything else). */
#if defined(__GNUC__) || defined(__clang__)
#define VMSCOPE_EXPORT __attribute__((visibility("default")))
#else
#define VMSCOPE_EXPORT
#endif

/* Status codes returned by callbacks and host functions. */
#define VMSCOPE_OK 0
#define VMSCOPE_ERROR (-1)

/* ---- Event kinds --------------------------------------------------------- */

/* A module subscribes to kinds with a mask of VMSCOPE_KIND_BIT(kind). */
#define VMSCOPE_KIND_SYSCALL 0u      /* event->syscall: one system call, entry to exit */
#define VMSCOPE_KIND_NOTICE 1u       /* event->notice: a message from vmscope or a module */
#define VMSCOPE_KIND_PROCESS 2u      /* event->process: process/thread lifecycle */
#define VMSCOPE_KIND_FILE 3u         /* event->file, or event->file_summary at the end */
#define VMSCOPE_KIND_CUSTOM 4u       /* event->custom: an event a module defined (alerts...) */
#define VMSCOPE_KIND_PROCESS_LIST 5u /* event->process_list: every process at one moment */
/* 1.1: event->record: the events of the levels added after 1.0 (type "memory",
 * "maps", "image", "net", "connection", "device", "switch"... — docs/modules.md
 * lists them) as named fields, exactly the fields of their journal line. A module
 * looks at event->type and ignores types it does not know: new types come
 * without a new minor. */
#define VMSCOPE_KIND_RECORD 6u
#define VMSCOPE_KIND_BIT(kind) ((uint64_t)1 << (kind))

/* ---- Events (host to module) --------------------------------------------- */

/* The guest thread an event is about. pid and tid are -1 when unknown. */
struct vmscope_thread {
    int64_t pid;        /* thread-group id (what user space calls the pid) */
    int64_t tid;        /* thread id */
    const char *comm;   /* command name, or NULL */
    uint64_t task;      /* address of the kernel's thread object, 0 when unknown */
    uint64_t asid;      /* address-space key (page-table root, PCID bits masked) */
};

/* vmscope_syscall.abi */
#define VMSCOPE_SYSCALL_ABI_X86_64 0u
#define VMSCOPE_SYSCALL_ABI_I386 1u
#define VMSCOPE_SYSCALL_ABI_AARCH64 2u
/* vmscope_syscall.entry: the instruction that entered the kernel */
#define VMSCOPE_ENTRY_SYSCALL 0u
#define VMSCOPE_ENTRY_INT80 1u
#define VMSCOPE_ENTRY_SYSENTER 2u
#define VMSCOPE_ENTRY_SVC 3u      /* aarch64 `svc #0` */
/* vmscope_syscall.end */
#define VMSCOPE_END_RETURNED 0u   /* `ret` and `ts_exit` are valid */
#define VMSCOPE_END_NO_RETURN 1u  /* exit, exit_group, or the thread vanished */
#define VMSCOPE_END_UNFINISHED 2u /* still in flight when tracing stopped */

/* type "syscall". Published at the call's return (at entry for calls that
 * never return); callbacks then run on that vCPU, so guest reads see the
 * state at the return. */
struct vmscope_syscall {
    struct vmscope_thread thread;
    uint32_t vcpu;
    uint32_t abi;              /* VMSCOPE_SYSCALL_ABI_* */
    uint32_t entry;            /* VMSCOPE_ENTRY_* */
    uint32_t end;              /* VMSCOPE_END_* */
    uint64_t nr;               /* the call number in `abi`'s table */
    const char *name;          /* "openat", or "syscall_0x1bad" */
    const char *const *args;   /* n_args arguments rendered as strace does, then NULL */
    size_t n_args;
    const uint64_t *raw;       /* n_raw raw argument values */
    size_t n_raw;
    int64_t ret;               /* return value, when end == VMSCOPE_END_RETURNED */
    const char *ret_text;      /* "3", "-1 ENOENT (No such file or directory)", "?" */
    uint64_t ts_exit;          /* ns since tracing started, when returned */
};

/* type "notice". */
struct vmscope_notice {
    const char *source;  /* "vmscope" or a module's name */
    const char *level;   /* "info", "warning" or "error" */
    const char *message;
};

/* vmscope_process.has */
#define VMSCOPE_PROCESS_HAS_CODE (1u << 0)
#define VMSCOPE_PROCESS_HAS_CORE_DUMPED (1u << 1)

/* types "process" (op fork, exec, exit) and "thread" (op start, exit). */
struct vmscope_process {
    int64_t pid;               /* -1 when unknown */
    int64_t tid;               /* -1 when unknown */
    int64_t ppid;              /* -1 when unknown */
    uint32_t vcpu;
    uint32_t has;              /* VMSCOPE_PROCESS_HAS_* */
    const char *op;            /* "fork", "exec", "exit", "start" */
    const char *comm;          /* or NULL */
    const char *path;          /* exec: the program's path, or NULL */
    const char *filename;      /* exec: the name it was executed with, or NULL */
    const char *const *argv;   /* exec: argc arguments then NULL; NULL when unknown */
    size_t argc;
    int64_t code;              /* exit status, when has & VMSCOPE_PROCESS_HAS_CODE */
    const char *signal;        /* killing signal ("SIGKILL"), or NULL */
    int32_t core_dumped;       /* when has & VMSCOPE_PROCESS_HAS_CORE_DUMPED */
    uint32_t reserved;
    const char *syscall;       /* the call behind the event, or NULL */
    const char *seen;          /* "call", "first_call" or "wait" */
};

/* vmscope_file.has */
#define VMSCOPE_FILE_HAS_FD (1u << 0)
#define VMSCOPE_FILE_HAS_BYTES (1u << 1)
#define VMSCOPE_FILE_HAS_OFFSET (1u << 2)
#define VMSCOPE_FILE_HAS_LENGTH (1u << 3)
#define VMSCOPE_FILE_HAS_HASHED_BYTES (1u << 4)
#define VMSCOPE_FILE_HAS_UNHASHED_BYTES (1u << 5)

/* type "file": one file operation of one thread (the `files` module). */
struct vmscope_file {
    struct vmscope_thread thread;
    uint32_t vcpu;
    uint32_t has;              /* VMSCOPE_FILE_HAS_* */
    /* open, create, read, write, seek, truncate, close, rename, link, symlink,
     * unlink, mkdir, rmdir, chmod, chown, mmap */
    const char *op;
    int64_t fd;                /* the handle (a new one for open/create) */
    const char *path;          /* absolute where known; "pipe:[...]"...; or NULL */
    const char *new_path;      /* rename/link: the new name; or NULL */
    uint64_t bytes;            /* read/write: bytes moved */
    int64_t offset;            /* pread/pwrite offset, new seek position */
    int64_t length;            /* truncate/mmap length */
    const char *flags;         /* "O_WRONLY|O_CREAT|O_TRUNC, 0644", or NULL */
    const char *error;         /* errno name when the call failed, or NULL */
    const char *data;          /* with capture: first bytes, C-escaped; or NULL */
    const char *sha256;        /* with capture, at close; or NULL */
    uint64_t hashed_bytes;
    uint64_t unhashed_bytes;
};

/* type "file_summary": at the end of tracing, one per file. */
struct vmscope_file_summary {
    const char *path;
    uint64_t bytes_read;
    uint64_t bytes_written;
    const uint32_t *opened_by;  size_t n_opened_by;   /* pids */
    const uint32_t *read_by;    size_t n_read_by;
    const uint32_t *written_by; size_t n_written_by;
    const uint32_t *renamed_by; size_t n_renamed_by;
    const uint32_t *deleted_by; size_t n_deleted_by;
};

/* One process in a vmscope_process_list. */
struct vmscope_process_entry {
    uint32_t pid;
    int32_t kernel_thread;     /* non-zero for kernel threads */
    int64_t ppid;              /* -1 when unknown */
    const char *comm;
    const char *state;         /* or NULL */
    size_t n_threads;
};

/* type "process_list". */
struct vmscope_process_list {
    const char *when;          /* "start", "periodic", "shutdown", "end" */
    const char *source;        /* "kernel" or "events" */
    int32_t complete;          /* non-zero when the kernel walk went round the list */
    uint32_t reserved;
    const struct vmscope_process_entry *processes;
    size_t n_processes;
};

/* The value of a field of a module-defined event. */
#define VMSCOPE_VALUE_NULL 0u
#define VMSCOPE_VALUE_BOOL 1u
#define VMSCOPE_VALUE_INT 2u
#define VMSCOPE_VALUE_UINT 3u
#define VMSCOPE_VALUE_STR 4u
#define VMSCOPE_VALUE_JSON 5u          /* 1.1, records only: a list or object as JSON text in as.s */

struct vmscope_value {
    uint32_t type;             /* VMSCOPE_VALUE_* */
    uint32_t reserved;         /* 0 */
    union {
        int32_t b;             /* VMSCOPE_VALUE_BOOL: 0 or 1 */
        int64_t i;             /* VMSCOPE_VALUE_INT */
        uint64_t u;            /* VMSCOPE_VALUE_UINT */
        const char *s;         /* VMSCOPE_VALUE_STR, VMSCOPE_VALUE_JSON */
    } as;
};

/* One named field. */
struct vmscope_field {
    const char *name;
    struct vmscope_value value;
};

/* An event a module defined (event->type is its type, e.g. "alert"). */
struct vmscope_custom {
    const char *module;        /* the module that published it */
    const struct vmscope_field *fields;
    size_t n_fields;
};

/* 1.1: an event of a record kind (event->type says which): its journal line's
 * fields but `type` and `ts` (in the event), in the same order. Numbers are INT
 * or UINT, addresses hex strings as in the journal, lists and objects JSON. */
struct vmscope_record {
    const char *module;        /* the module that produced it ("memory", "images"...) */
    const struct vmscope_field *fields;
    size_t n_fields;
};

/* What a module's on_event gets. Exactly one body pointer is non-NULL: the one
 * `kind` names (for VMSCOPE_KIND_FILE, `file` or `file_summary`). */
struct vmscope_event {
    uint32_t kind;             /* VMSCOPE_KIND_* */
    uint32_t reserved;
    uint64_t ts;               /* ns since tracing started */
    const char *type;          /* the journal's type: "syscall", "file", "alert"... */
    const struct vmscope_syscall *syscall;
    const struct vmscope_notice *notice;
    const struct vmscope_process *process;
    const struct vmscope_file *file;
    const struct vmscope_file_summary *file_summary;
    const struct vmscope_custom *custom;
    const struct vmscope_process_list *process_list;
    const struct vmscope_record *record; /* 1.1 */
};

/* ---- The host's functions (module to host) ------------------------------- */

/* One callback's view of the guest and of the bus; only valid during it. */
struct vmscope_ctx;

/* vmscope_host.log levels */
#define VMSCOPE_LOG_INFO 0
#define VMSCOPE_LOG_WARNING 1
#define VMSCOPE_LOG_ERROR 2

struct vmscope_host {
    uint32_t abi_version;      /* the host's VMSCOPE_ABI_VERSION */
    uint32_t size;             /* sizeof(struct vmscope_host) as the host knows it */

    /* Reads `len` bytes of guest virtual memory at `addr`, in the address
     * space current on the event's vCPU. VMSCOPE_OK, or VMSCOPE_ERROR when any
     * byte is unreadable (buf is then unspecified). Guest memory is hostile:
     * bound every walk. Outside a vCPU (on_stop) every read fails. */
    int (*read_memory)(struct vmscope_ctx *ctx, uint64_t addr, void *buf, size_t len);

    /* Reads a register of the event's vCPU by its name ("rax", "rsp", "cr3",
     * "gs_base"...; docs/modules.md lists them). VMSCOPE_OK and *value set, or
     * VMSCOPE_ERROR for an unknown name or outside a vCPU. */
    int (*read_register)(struct vmscope_ctx *ctx, const char *name, uint64_t *value);

    /* The vCPU the callback runs for, or -1 outside one (on_stop). */
    int (*vcpu)(struct vmscope_ctx *ctx);

    /* Publishes an event of the module's own: `type` is [a-z][a-z0-9_]{0,31}
     * and not a built-in type (syscall, notice, process, thread, file,
     * file_summary, process_list); fields' names are [a-z0-9_]{1,32}, at most
     * 64 fields, and not "ts", "type" or "module" (the host adds those). It
     * reaches the journal and the modules subscribed to VMSCOPE_KIND_CUSTOM.
     * Everything is copied. VMSCOPE_OK, or VMSCOPE_ERROR when refused. */
    int (*publish)(struct vmscope_ctx *ctx, const char *type,
                   const struct vmscope_field *fields, size_t n_fields);

    /* Writes a notice (VMSCOPE_LOG_*) to the journal; with a NULL ctx (in init
     * or configure), to standard error. */
    void (*log)(struct vmscope_ctx *ctx, int level, const char *message);
};

/* ---- The module's description (filled by init) --------------------------- */

struct vmscope_module {
    /* Set by the host before init (the rest is zero): */
    uint32_t host_abi_version; /* the host's VMSCOPE_ABI_VERSION */
    uint32_t size;             /* sizeof(struct vmscope_module) as the host knows it */

    /* Set by init: */
    const char *name;          /* [a-z0-9_-]{1,32}, not a built-in module's name */
    const char *const *depends;/* NULL-terminated module names, or NULL: they
                                * are loaded first and their events come first */
    uint64_t consumes;         /* VMSCOPE_KIND_BIT()s of the kinds to receive */
    void *state;               /* handed back to every callback */

    /* Optional: an option given as `--module-option NAME.KEY=VALUE`.
     * VMSCOPE_OK, or VMSCOPE_ERROR with a message in `error` (NUL-terminated,
     * at most error_size bytes): vmscope then stops before the guest starts. */
    int (*configure)(void *state, const char *key, const char *value,
                     char *error, size_t error_size);

    /* Optional: an event of a kind in `consumes` (never one the module
     * published itself). VMSCOPE_ERROR disables the module: it is reported
     * once and the guest and the other modules go on. */
    int (*on_event)(void *state, struct vmscope_ctx *ctx, const struct vmscope_event *event);

    /* Optional: tracing stops (the guest powered off or QEMU exits); events
     * published now still reach the journal. Guest reads fail here. */
    int (*on_stop)(void *state, struct vmscope_ctx *ctx);

    /* Optional: release `state`. Called once, last, also when vmscope only
     * checked the module (vmscope run checks modules before starting QEMU:
     * init and configure must have no effect outside the module's memory). */
    void (*destroy)(void *state);
};

/* ---- What a module library exports --------------------------------------- */

/* Define as `VMSCOPE_EXPORT const uint32_t vmscope_module_abi_version =
 * VMSCOPE_ABI_VERSION;` */
extern const uint32_t vmscope_module_abi_version;

/* Fills `module`. VMSCOPE_OK, or VMSCOPE_ERROR with a message in `error`. */
int vmscope_module_init(const struct vmscope_host *host, struct vmscope_module *module,
                        char *error, size_t error_size);

/* The type of vmscope_module_init. */
typedef int (*vmscope_module_init_fn)(const struct vmscope_host *host,
                                      struct vmscope_module *module,
                                      char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* VMSCOPE_H */
