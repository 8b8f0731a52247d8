#!/usr/bin/env python3
"""Generate vmscope's x86_64 and i386 syscall tables from the Linux kernel sources.

Facts come from one place, the kernel source tree (Debian's `linux-source-6.1` package):

* `arch/x86/entry/syscalls/syscall_64.tbl` and `syscall_32.tbl`: numbers, names, entry points;
* `include/linux/syscalls.h` and `include/linux/compat.h`: prototypes with argument types and names;
* `SYSCALL_DEFINEn(...)` / `COMPAT_SYSCALL_DEFINEn(...)` in the `.c` files, for the entry points that
  have no prototype in those headers (arch-specific calls such as `mmap`, `arch_prctl`, `ia32_pread64`).

Each argument gets a rendering kind classified from its C type and name (`classify` below); the few
calls strace renders more specifically are corrected by `overrides.txt` beside this script.

Usage:
    python3 tools/gen-syscalls/gen.py [--source /usr/src/linux-source-6.1.tar.xz | DIR] [--out DIR]

The source may be the tarball itself (read with `tarfile`, nothing extracted) or an unpacked tree.
Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_SOURCE = "/usr/src/linux-source-6.1.tar.xz"
DEFAULT_OUT = os.path.join(REPO, "crates", "vmscope-linux", "src", "syscalls")

# Directories whose .c files may hold SYSCALL_DEFINEs we need (arch/x86/um is user-mode Linux: skipped).
DEFINE_DIRS = (
    "arch/x86/kernel/",
    "arch/x86/ia32/",
    "arch/x86/mm/",
    "arch/x86/entry/",
    "kernel/",
    "fs/",
    "mm/",
    "ipc/",
    "net/",
    "security/",
    "block/",
    "io_uring/",
)


# ---------------------------------------------------------------------------------------------------
# Reading the source (tarball or directory)


class Source:
    """The files of a kernel tree, from a tarball or a directory, by path relative to the tree's root."""

    def __init__(self, path: str) -> None:
        self.files: dict[str, str] = {}
        wanted = (
            "arch/x86/entry/syscalls/syscall_64.tbl",
            "arch/x86/entry/syscalls/syscall_32.tbl",
            "include/linux/syscalls.h",
            "include/linux/compat.h",
            "include/uapi/asm-generic/errno-base.h",
            "include/uapi/asm-generic/errno.h",
            "include/linux/errno.h",
            "include/uapi/asm-generic/unistd.h",
        )
        if os.path.isdir(path):
            for rel in wanted:
                with open(os.path.join(path, rel), encoding="utf-8", errors="replace") as f:
                    self.files[rel] = f.read()
            for d in DEFINE_DIRS:
                for root, _dirs, names in os.walk(os.path.join(path, d)):
                    for n in names:
                        if n.endswith(".c"):
                            full = os.path.join(root, n)
                            rel = os.path.relpath(full, path)
                            with open(full, encoding="utf-8", errors="replace") as f:
                                text = f.read()
                            if "SYSCALL_DEFINE" in text:
                                self.files[rel] = text
        else:
            with tarfile.open(path) as tar:
                for m in tar:
                    if not m.isfile():
                        continue
                    # Strip the top directory (linux-source-6.1/).
                    rel = m.name.split("/", 1)[1] if "/" in m.name else m.name
                    take = rel in wanted or (
                        rel.endswith(".c") and rel.startswith(DEFINE_DIRS)
                    )
                    if not take:
                        continue
                    f = tar.extractfile(m)
                    if f is None:
                        continue
                    text = f.read().decode("utf-8", errors="replace")
                    if rel in wanted or "SYSCALL_DEFINE" in text:
                        self.files[rel] = text
        missing = [w for w in wanted if w not in self.files]
        if missing:
            sys.exit(f"gen-syscalls: {path}: missing {missing}")


# ---------------------------------------------------------------------------------------------------
# Prototypes


@dataclass
class Arg:
    ctype: str
    name: str


@dataclass
class Proto:
    func: str
    args: list[Arg] = field(default_factory=list)


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


TYPE_WORDS = {
    "int", "long", "char", "short", "unsigned", "signed", "void", "size_t", "u32", "u64", "pid_t",
    "uid_t", "gid_t", "umode_t", "loff_t", "off_t", "compat_uptr_t", "compat_ulong_t", "compat_long_t",
}


def split_decl(decl: str) -> Arg:
    """`const char __user * filename` -> Arg('const char __user *', 'filename')."""
    decl = " ".join(decl.replace("*", " * ").split())
    m = re.match(r"^(.*?)([A-Za-z_][A-Za-z0-9_]*)\s*(\[\s*\d*\s*\])?$", decl)
    if not m or not m.group(1).strip() or m.group(2) in TYPE_WORDS or m.group(1).rstrip().endswith(
        ("struct", "union", "enum")
    ):
        # An unnamed argument: the whole thing is a type.
        return Arg(decl, "")
    ctype = m.group(1).strip()
    if m.group(3):
        ctype += " *"
    return Arg(" ".join(ctype.split()), m.group(2))


def parse_header_protos(text: str, prefix: str) -> dict[str, Proto]:
    out: dict[str, Proto] = {}
    text = strip_comments(text)
    for m in re.finditer(r"asmlinkage\s+long\s+(" + prefix + r"\w+)\s*\(([^)]*)\)\s*;", text):
        func, params = m.group(1), " ".join(m.group(2).split())
        args = []
        if params and params != "void":
            args = [split_decl(p) for p in params.split(",")]
        out.setdefault(func, Proto(func, args))
    return out


def parse_defines(text: str) -> dict[str, Proto]:
    out: dict[str, Proto] = {}
    text = strip_comments(text)
    for m in re.finditer(r"\b(COMPAT_)?SYSCALL_DEFINE(\d)\s*\(([^)]*)\)", text):
        compat, n, body = m.group(1), int(m.group(2)), " ".join(m.group(3).split())
        parts = [p.strip() for p in body.split(",")]
        name = parts[0]
        rest = parts[1:]
        if len(rest) != 2 * n:
            continue
        func = ("compat_sys_" if compat else "sys_") + name
        args = [Arg(" ".join(rest[2 * i].replace("*", " * ").split()), rest[2 * i + 1]) for i in range(n)]
        out.setdefault(func, Proto(func, args))
    return out


# ---------------------------------------------------------------------------------------------------
# Classification of an argument from its C type and name

PATH_NAMES = {
    "filename", "pathname", "path", "oldname", "newname", "name", "specialfile", "library",
    "dir_name", "new_root", "put_old", "oldpath", "newpath", "dev_name", "target", "special",
    "dirname", "u_name", "uname", "from_pathname", "to_pathname", "mnt_path", "pathname1",
}
FD_NAMES = {
    "fd", "oldfd", "newfd", "fd_in", "fd_out", "ufd", "epfd", "out_fd", "in_fd", "fildes",
    "mqdes", "pidfd", "ns_fd", "fd_to_wait", "fds", "cfd", "ufds_fd", "tfd", "fsfd",
    "mount_fd", "dfd_from", "dfd_to", "from_dfd", "to_dfd", "watch_fd",
}
DIRFD_NAMES = {"dfd", "olddfd", "newdfd", "dirfd", "from_dfd", "to_dfd"}


def classify(ctype: str, name: str) -> str:
    t = ctype.replace("__user", "").replace("const ", "const ").split()
    t = " ".join(t)
    is_ptr = "*" in t
    is_const = t.startswith("const ")
    base = t.replace("const ", "").replace("*", "").strip()
    if is_ptr:
        if base in ("char",) or base == "unsigned char":
            if name in PATH_NAMES:
                return "Path"
            if is_const and name in ("buf", "ubuf", "buff", "str"):
                return "BufIn"
            if is_const:
                return "Str"
            return "Ptr"
        if is_const and base == "struct __kernel_timespec":
            return "Timespec"
        if is_const and base == "struct old_timespec32":
            return "Timespec32"
        return "Ptr"
    if name in DIRFD_NAMES:
        return "DirFd"
    if name in FD_NAMES and base in (
        "int", "unsigned int", "unsigned long", "compat_ulong_t", "u32", "compat_uint_t",
    ):
        return "Fd"
    if base == "umode_t" or name == "mode" and base in ("int", "unsigned int", "mode_t"):
        return "Mode"
    if base == "clockid_t":
        return "ClockId"
    if base in ("size_t", "compat_size_t"):
        return "Size"
    if base in ("loff_t", "off_t", "compat_off_t", "compat_loff_t", "__kernel_off_t"):
        return "Offset"
    if base in ("long", "ssize_t", "compat_long_t", "compat_ssize_t", "__kernel_old_time_t"):
        return "Long"
    if base in ("unsigned long", "compat_ulong_t", "compat_uptr_t", "__u64", "u64", "aio_context_t"):
        if name in ("addr", "start", "brk", "new_addr", "old_address", "new_address", "shmaddr"):
            return "Ptr"
        return "Ulong"
    if base in (
        "unsigned int", "unsigned", "u32", "__u32", "uid_t", "gid_t", "old_uid_t", "old_gid_t",
        "qid_t", "compat_uint_t", "unsigned short", "u16", "__u16",
    ):
        return "Uint"
    # int, pid_t, key_serial_t, clockid_t, timer_t, mqd_t, __s32, rwf_t, ...
    return "Int"


# ---------------------------------------------------------------------------------------------------
# Overrides


@dataclass
class Override:
    args: list[str] | None
    ret: str | None


# Calls with an `@aarch64` override line of their own (a later `@x86_64` line leaves them alone).
AARCH64_OWN: set[tuple[str, str]] = set()


def parse_overrides(path: str) -> dict[tuple[str, str], Override]:
    """Lines `name[@abi]: Kind Kind ... [-> RetKind]`; `name[@abi]: -> RetKind` changes only the return."""
    out: dict[tuple[str, str], Override] = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            head, _, body = line.partition(":")
            name, _, abi = head.strip().partition("@")
            # A line for x86_64 serves aarch64 too (both 64-bit, the same C types) unless an `@aarch64`
            # line says otherwise.
            abis = [abi] if abi else ["x86_64", "i386", "aarch64"]
            if abi == "x86_64" and (name, "aarch64") not in AARCH64_OWN:
                abis.append("aarch64")
            if abi == "aarch64":
                AARCH64_OWN.add((name, "aarch64"))
            ret = None
            if "->" in body:
                body, _, r = body.partition("->")
                ret = r.strip()
            kinds = body.split()
            for a in abis:
                if a not in ("x86_64", "i386", "aarch64"):
                    sys.exit(f"{path}:{lineno}: unknown abi {a}")
                prev = out.get((name, a))
                out[(name, a)] = Override(
                    kinds if kinds else (prev.args if prev else None),
                    ret if ret else (prev.ret if prev else None),
                )
    return out


# ---------------------------------------------------------------------------------------------------
# Tables


@dataclass
class Entry:
    nr: int
    name: str
    args: list[Arg]
    kinds: list[str]
    ret: str
    entry: str


def parse_tbl(text: str, abis: set[str]) -> list[tuple[int, str, str | None, str | None]]:
    rows = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        cols = line.split()
        if cols[1] not in abis:
            continue
        rows.append((int(cols[0]), cols[2], cols[3] if len(cols) > 3 else None, cols[4] if len(cols) > 4 else None))
    return rows


def build(
    rows: list[tuple[int, str, str | None, str | None]],
    protos: dict[str, Proto],
    overrides: dict[tuple[str, str], Override],
    abi: str,
) -> list[Entry]:
    entries = []
    for nr, name, native, compat in rows:
        proto = None
        for cand in (native, compat):
            if cand and cand != "sys_ni_syscall" and cand in protos:
                proto = protos[cand]
                break
        args = proto.args if proto else []
        kinds = [classify(a.ctype, a.name) for a in args]
        ov = overrides.get((name, abi))
        ret = "Int"
        if ov:
            if ov.args is not None:
                kinds = ov.args
                if len(kinds) != len(args):
                    # The override knows better (e.g. an entry without a prototype): names are positional.
                    args = (args + [Arg("", f"arg{i}") for i in range(len(kinds))])[: len(kinds)]
            if ov.ret:
                ret = ov.ret
        entries.append(Entry(nr, name, args, kinds, ret, native or ""))
    return entries


TABLE_SOURCES = {
    "x86_64": "`arch/x86/entry/syscalls/syscall_64.tbl`",
    "i386": "`arch/x86/entry/syscalls/syscall_32.tbl`",
    "aarch64": "`include/uapi/asm-generic/unistd.h` with arm64's switches",
}

# The switches arm64 sets before including the generic table (`arch/arm64/include/uapi/asm/unistd.h`).
ARM64_WANTS = (
    "__ARCH_WANT_RENAMEAT",
    "__ARCH_WANT_NEW_STAT",
    "__ARCH_WANT_SET_GET_RLIMIT",
    "__ARCH_WANT_TIME32_SYSCALLS",
    "__ARCH_WANT_SYS_CLONE3",
    "__ARCH_WANT_MEMFD_SECRET",
)


def parse_generic_unistd(text: str) -> list[tuple[int, str, str | None, str | None]]:
    """The generic table as a 64-bit architecture with arm64's switches sees it, through the host's C
    preprocessor (the header is macros only): `(nr, name, entry point, None)` rows like `parse_tbl`'s."""
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#include"))
    head = "".join(f"#define {w} 1\n" for w in ARM64_WANTS)
    head += "#define __BITS_PER_LONG 64\n#define __SYSCALL(nr, sym) SYSCALL nr sym\n"
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "unistd.h")
        with open(src, "w", encoding="utf-8") as f:
            f.write(head + body + "\n")
        run = lambda *extra: subprocess.run(
            ["cpp", "-P", "-undef", "-nostdinc", *extra, src],
            check=True, capture_output=True, text=True,
        ).stdout
        expanded, macros = run(), run("-dM")
    defs = dict(re.findall(r"^#define (__NR\w*) (\S+)$", macros, re.M))

    def number(v: str, depth: int = 0) -> int | None:
        if re.fullmatch(r"\d+", v):
            return int(v)
        return number(defs[v], depth + 1) if v in defs and depth < 8 else None

    names: dict[int, str] = {}
    for macro, v in defs.items():
        if not macro.startswith("__NR_") or macro in ("__NR_syscalls", "__NR_arch_specific_syscall"):
            continue
        nr = number(v)
        if nr is not None:
            names.setdefault(nr, macro[len("__NR_"):])
    rows = []
    for nr, sym in re.findall(r"SYSCALL\s+\(?(\d+)\)?\s+(\w+)", expanded):
        nr = int(nr)
        if nr in names:
            # The entry point's prototype, else the call's own (`sys_arm64_personality` is an arm64
            # wrapper of `personality` with the same arguments).
            rows.append((nr, names[nr], sym, f"sys_{names[nr]}"))
    return sorted(rows)


def rust_table(entries: list[Entry], abi: str, source: str) -> str:
    size = max(e.nr for e in entries) + 1
    by_nr = {e.nr: e for e in entries}
    out = [
        f"//! The {abi} system-call table: GENERATED, do not edit.",
        "//!",
        "//! Generated by `python3 tools/gen-syscalls/gen.py` from the Linux 6.1 sources",
        f"//! ({os.path.basename(source)}: {TABLE_SOURCES[abi]},",
        "//! `include/linux/syscalls.h`, `include/linux/compat.h`, `SYSCALL_DEFINE`s) and",
        "//! `tools/gen-syscalls/overrides.txt`. Edit those and regenerate.",
        "",
        "use super::ArgKind::*;",
        "#[allow(unused_imports, reason = \"the families appear as overrides use them\")]",
        "use super::{events, net, sys};",
        "use super::{Call, RetKind, SyscallDesc};",
        "",
        f"/// Descriptors indexed by {abi} syscall number; `None` for unassigned numbers.",
        f"pub(super) static TABLE: [Option<SyscallDesc>; {size}] = [",
    ]
    for nr in range(size):
        e = by_nr.get(nr)
        if e is None:
            out.append(f"    None, // {nr}")
            continue
        names = ", ".join(f'"{a.name}"' for a in e.args)
        kinds = ", ".join(e.kinds)
        out.append(
            f"    Some(SyscallDesc {{ nr: {nr}, call: Call::{variant(e.name)}, nargs: {len(e.kinds)}, "
            f"args: &[{kinds}], arg_names: &[{names}], ret: RetKind::{e.ret} }}),"
        )
    out.append("];")
    out.append("")
    return "\n".join(out)


def variant(name: str) -> str:
    """The `Call` variant of a call name: `rt_sigaction` -> `RtSigaction`, `_llseek` -> `Llseek`."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


# Calls that exist only as `socketcall` multiplexed operations on i386 (no number of their own), and the
# `SYS_*` operations of `socketcall` in order (linux/net.h): both need a call identity.
SOCKETCALL_OPS = [
    "socket", "bind", "connect", "listen", "accept", "getsockname", "getpeername", "socketpair", "send",
    "recv", "sendto", "recvfrom", "shutdown", "setsockopt", "getsockopt", "sendmsg", "recvmsg",
    "accept4", "recvmmsg", "sendmmsg",
]


def rust_calls(names: list[str], source: str) -> str:
    """The `Call` enum: one variant per call name of every ABI, in name order."""
    names = sorted(set(names))
    variants = [variant(n) for n in names]
    dup = {v for v in variants if variants.count(v) > 1}
    if dup:
        sys.exit(f"gen-syscalls: call names collide as variants: {sorted(dup)}")
    out = [
        "//! Call identities: GENERATED, do not edit.",
        "//!",
        "//! Generated by `python3 tools/gen-syscalls/gen.py` from the Linux 6.1 sources",
        f"//! ({os.path.basename(source)}): one variant per call name of every ABI's table (and the",
        "//! `socketcall` operations of i386), so modules match a call by identity whatever the ABI and",
        "//! number it was made with.",
        "",
        "/// A Linux system call by identity (the same `Call` for `openat` on x86_64, i386 and aarch64).",
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]",
        "#[repr(u16)]",
        "pub enum Call {",
    ]
    for i, (n, v) in enumerate(zip(names, variants)):
        out.append(f"    /// `{n}`.")
        out.append(f"    {v} = {i},")
    out.append("}")
    out.append("")
    out.append("impl Call {")
    out.append(f"    /// Every call, in identity order (`ALL[c as usize] == c`).")
    out.append(f"    pub const ALL: [Call; {len(names)}] = [")
    for v in variants:
        out.append(f"        Call::{v},")
    out.append("    ];")
    out.append("")
    out.append("    /// The kernel's name of the call (`rt_sigaction`, `_llseek`).")
    out.append("    pub const fn name(self) -> &'static str {")
    out.append("        NAMES[self as usize]")
    out.append("    }")
    out.append("}")
    out.append("")
    out.append("/// Names indexed by identity.")
    out.append(f"static NAMES: [&str; {len(names)}] = [")
    for n in names:
        out.append(f'    "{n}",')
    out.append("];")
    out.append("")
    return "\n".join(out)


def parse_errnos(src: Source) -> list[tuple[int, str]]:
    """`#define ENAME number` in the kernel's errno headers; aliases (`#define EWOULDBLOCK EAGAIN`) skipped."""
    seen: dict[int, str] = {}
    for rel in (
        "include/uapi/asm-generic/errno-base.h",
        "include/uapi/asm-generic/errno.h",
        "include/linux/errno.h",
    ):
        for m in re.finditer(r"^#define\s+(E[A-Z0-9_]+)\s+(\d+)\b", src.files[rel], flags=re.M):
            seen.setdefault(int(m.group(2)), m.group(1))
    return sorted(seen.items())


def rust_errnos(errnos: list[tuple[int, str]], source: str) -> str:
    size = max(n for n, _ in errnos) + 1
    by_nr = dict(errnos)
    out = [
        "//! Errno names and messages: GENERATED, do not edit.",
        "//!",
        "//! Generated by `python3 tools/gen-syscalls/gen.py`: names and numbers from the Linux 6.1 sources",
        f"//! ({os.path.basename(source)}: `include/uapi/asm-generic/errno-base.h`, `errno.h`,",
        "//! `include/linux/errno.h`), messages from the C library's `strerror`, which is what strace prints.",
        "",
        "/// `(name, message)` indexed by errno; `None` for numbers without a name.",
        f"pub(super) static ERRNOS: [Option<(&str, &str)>; {size}] = [",
    ]
    for n in range(size):
        name = by_nr.get(n)
        if name is None:
            out.append(f"    None, // {n}")
        else:
            msg = os.strerror(n).replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'    Some(("{name}", "{msg}")),')
    out.append("];")
    out.append("")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=DEFAULT_SOURCE, help="kernel source tarball or directory")
    ap.add_argument("--out", default=DEFAULT_OUT, help="directory for generated_*.rs")
    ap.add_argument("--overrides", default=os.path.join(HERE, "overrides.txt"))
    opts = ap.parse_args()

    src = Source(opts.source)
    protos: dict[str, Proto] = {}
    protos.update(parse_header_protos(src.files["include/linux/syscalls.h"], "sys_"))
    for k, v in parse_header_protos(src.files["include/linux/compat.h"], "compat_sys_").items():
        protos.setdefault(k, v)
    defines: dict[str, Proto] = {}
    for rel in sorted(src.files):
        if rel.endswith(".c") and not rel.startswith("arch/x86/um/"):
            for k, v in parse_defines(src.files[rel]).items():
                defines.setdefault(k, v)
    for k, v in defines.items():
        have = protos.get(k)
        if have is None:
            protos[k] = v
        elif len(have.args) == len(v.args):
            # Headers sometimes leave arguments unnamed: take the names from the definition.
            for a, d in zip(have.args, v.args):
                if not a.name:
                    a.name = d.name
    overrides = parse_overrides(opts.overrides)
    # Each decoder family keeps its own file of overrides (read in name order, later lines win).
    extra_dir = os.path.join(os.path.dirname(opts.overrides), "overrides.d")
    if os.path.isdir(extra_dir):
        for name in sorted(os.listdir(extra_dir)):
            if name.endswith(".txt"):
                overrides.update(parse_overrides(os.path.join(extra_dir, name)))

    t64 = parse_tbl(src.files["arch/x86/entry/syscalls/syscall_64.tbl"], {"common", "64"})
    t32 = parse_tbl(src.files["arch/x86/entry/syscalls/syscall_32.tbl"], {"i386"})
    ta64 = parse_generic_unistd(src.files["include/uapi/asm-generic/unistd.h"])
    all_names: list[str] = list(SOCKETCALL_OPS)
    for abi, rows, fname in (
        ("x86_64", t64, "generated_x86_64.rs"),
        ("i386", t32, "generated_i386.rs"),
        ("aarch64", ta64, "generated_aarch64.rs"),
    ):
        entries = build(rows, protos, overrides, abi)
        all_names.extend(e.name for e in entries)
        unknown = [e.name for e in entries if e.entry and e.entry != "sys_ni_syscall" and not e.kinds and
                   e.entry not in protos]
        if unknown:
            print(f"gen-syscalls: {abi}: no prototype for {unknown}", file=sys.stderr)
        with open(os.path.join(opts.out, fname), "w", encoding="utf-8") as f:
            f.write(rust_table(entries, abi, opts.source))
        print(f"gen-syscalls: wrote {fname}: {len(entries)} calls")
    with open(os.path.join(opts.out, "generated_calls.rs"), "w", encoding="utf-8") as f:
        f.write(rust_calls(all_names, opts.source))
    print(f"gen-syscalls: wrote generated_calls.rs: {len(set(all_names))} calls")
    errnos = parse_errnos(src)
    with open(os.path.join(opts.out, "generated_errno.rs"), "w", encoding="utf-8") as f:
        f.write(rust_errnos(errnos, opts.source))
    print(f"gen-syscalls: wrote generated_errno.rs: {len(errnos)} errnos")


if __name__ == "__main__":
    main()
