#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Chooses which of strace's own test programs the vmscope corpus runs, and how.

Reads strace's tests/gen_tests.in (one line per test: NAME, then the strace options the test runs
with, or `+SCRIPT ARGS`, or a shell fragment) and writes a manifest, one test a line, tab-separated:

    NAME  VERDICT  REDIRECTIONS  OPTIONS  REASON

VERDICT is `run`, `slow` (built, run only when named) or `skip`. REDIRECTIONS are the shell redirections the test sets up for its program
(`9>>/dev/full`, `-` for none); the guest applies them. OPTIONS are the test's own strace options, kept for the
record: the guest runs every program under `strace -f -qq -s N` with every call shown, in strace's
default rendering (what vmscope reproduces), so rendering options (-a, -v, -X, -y, -e trace=, -P,
-s, -e read=/write=) are dropped. Tests whose point is strace's own machinery (fault injection,
PID namespaces, SELinux contexts, timestamps, the -e trace= parser, ptrace details) are skipped with
the reason, and so are variants of a test that run the same program again with another rendering
option (`dup-y`, `mmap-Xraw`, `bpf-v`).

usage: strace-tests-manifest.py GEN_TESTS_IN > manifest.tsv
"""

import shlex
import sys

# Scripts (`+SCRIPT`) that only run `../NAME` without arguments under strace and filter the log.
PLAIN_SCRIPTS = {
    "ioctl.test", "netlink_sock_diag.test", "prctl.sh", "getuid.test", "ipc.sh",
    "faccessat.test", "faccessat2.test", "mmap.test", "arch_prctl.sh", "personality.test",
    "ipc_msgbuf.test", "fadvise64.test", "execve.test",
}
# Scripts skipped, with the reason.
SKIP_SCRIPTS = {
    "ioctl-success.sh": "fault injection (-e inject: strace changes the calls' results)",
    "prctl-success.sh": "fault injection (-e inject: strace changes the calls' results)",
    "ioctl_evdev-success.test": "fault injection (-e inject: strace changes the calls' results)",
    "strace-t.test": "strace's own timestamps (-t)",
    "strace-tt.test": "strace's own timestamps (-tt)",
    "strace-ttt.test": "strace's own timestamps (-ttt)",
    "strace-r.test": "strace's own relative timestamps (-r)",
    "strace-T_upper.test": "strace's own call durations (-T)",
    "strace-ff.test": "strace's own per-process output files (-ff)",
    "clone_ptrace.test": "ptrace-specific behaviour (a traced child under a tracer)",
    "qualify_personality.sh": "strace's personality qualifiers in -e trace=",
    "qualify_personality_all.sh": "strace's personality qualifiers in -e trace=",
    "threads-execve.test": "strace's own -q/--quiet=thread-execve messages",
    "net-yy-netlink.test": "socket decoration (-yy) is the point of the test",
    "net-yy-inet.test": "socket decoration (-yy) is the point of the test",
    "umovestr_cached.test": "counts strace's own process_vm_readv calls (-d)",
}
# Pieces of a test name after its base test's name that only name a strace option.
VARIANT_PIECES = {
    "success", "Xverbose", "Xraw", "Xabbrev", "v", "y", "yy", "Y", "P", "pidns", "translation",
    "secontext", "secontext_full", "secontext_mismatch", "secontext_full_mismatch", "decode", "fds",
    "timestamps", "time", "precision", "format", "absolute", "relative", "us", "ms", "ns", "s",
    "quiet", "successful", "failed", "q", "qq", "qqq", "x", "xx", "strings", "in", "hex", "nv",
    "silent", "all", "none", "dev", "path", "socket", "output", "separately", "non", "ascii", "creds",
}
# Tests that take more than about 5 s each under TCG with vmscope tracing the guest (measured on the
# project's machine, 64- or 32-bit; the 60 s ones hit the guest's time limit): marked `slow`, run only
# when named by a pattern (`strace-tests:msg_*`), so that the default set fits a CI run.
SLOW = {
    "msg_control": 61, "nlattr_ifla_af_spec": 60, "read-write": 60, "chdir": 47, "ioctl_v4l2": 31,
    "perf_event_open_unabbrev": 24, "io_uring_register": 20, "times": 17, "perf_event_open": 17,
    "siginfo": 17, "nlattr_ifla_brport": 13, "umovestr3": 12, "nlattr_inet_diag_msg": 11,
    "ioctl_ptp": 11, "nlattr_ifla_linkinfo": 11, "nlattr_ifla_vfinfo": 11, "faccessat2-yy": 9,
    "nlattr_ifstats": 9, "netlink_route": 8, "nlattr_ifla_protinfo": 8, "recvmmsg-timeout": 7,
    "sockaddr_xlat-Xraw": 6, "faccessat2-P": 6, "recvmsg": 6, "nlattr_ndmsg": 6, "readahead": 6,
    "faccessat2-y": 5, "request_key": 5, "sockopt-sol_socket": 5, "select": 5,
}
# Options whose presence makes the test one of strace's own machinery: skipped with the reason.
SKIP_OPTION_PREFIXES = [
    ("-einject", "fault injection (-e inject: strace changes the calls' results)"),
    ("--inject", "fault injection (-e inject: strace changes the calls' results)"),
    ("inject=", "fault injection (-e inject: strace changes the calls' results)"),
    ("-efault", "fault injection (-e fault)"),
    ("fault=", "fault injection (-e fault)"),
    ("--secontext", "SELinux contexts (--secontext)"),
    ("secontext=", "SELinux contexts (--secontext)"),
    ("-esecontext", "SELinux contexts (--secontext)"),
    ("--pidns-translation", "PID namespace translation"),
    ("--status", "strace's own status filter (-e status=)"),
    ("status=", "strace's own status filter (-e status=)"),
    ("-z", "strace's own status filter (-z/-Z)"),
    ("-Z", "strace's own status filter (-z/-Z)"),
    ("--successful-only", "strace's own status filter (-z/-Z)"),
    ("--failed-only", "strace's own status filter (-z/-Z)"),
    ("--seccomp-bpf", "strace's seccomp-bpf filtering"),
    ("-k", "stack traces (-k)"),
    ("--stack-trace", "stack traces (-k)"),
    ("--kvm", "KVM exits (-e kvm)"),
    ("kvm=", "KVM exits (-e kvm)"),
    ("-u", "strace runs the program as another user (-u)"),
    ("-D", "strace detached as a grandchild (-D)"),
    ("-b", "strace detaches on execve (-b)"),
    ("-I", "strace's own signal handling (-I)"),
    ("-E", "strace changes the program's environment (-E)"),
]
# Options that only change how strace renders or filters its output: dropped. Those taking a
# separate value name it here with True.
RENDER_OPTIONS = {
    "-e": True, "-P": True, "-v": False, "-y": False, "-yy": False, "-f": False, "-ff": False,
    "-q": False, "-qq": False, "-qqq": False, "-x": False, "-xx": False, "-X": True,
    "--no-abbrev": False, "-a": True, "-s": True, "-Y": False, "-n": False,
    "--strings-in-hex": False, "--syscall-number": False,
}
RENDER_PREFIXES = (
    "-a", "-s", "-X", "-e", "--trace=", "--trace-path=", "--signal=", "--columns=",
    "--strings-in-hex=", "--decode-fds", "--abbrev=", "--verbose=", "--raw=", "--read=",
    "--write=", "--quiet", "--const-print-style=", "--xlat-verbosity=", "--decode-pids=",
    "QUIRK:",
)


def option_skip(tokens):
    for t in tokens:
        for prefix, why in SKIP_OPTION_PREFIXES:
            if t == prefix or (len(prefix) > 2 and t.startswith(prefix)) or \
                    (t.startswith("-e") and prefix in t):
                return why
    return None


def split_options(tokens):
    """Splits a test's words into (redirections, unknown words): rendering options are dropped."""
    redirs, unknown = [], []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t[:1].isdigit() and ">" in t or t.startswith("<") or t.startswith(">") or \
                (t[:1].isdigit() and "<" in t):
            # `7>/dev/zero`, `9>>/dev/full`, `</dev/null`, `7> /dev/null`
            if t.endswith(">") or t.endswith("<"):
                if i + 1 < len(tokens):
                    t += tokens[i + 1]
                    i += 1
            redirs.append(t)
        elif t in RENDER_OPTIONS:
            i += 1 if RENDER_OPTIONS[t] else 0
        elif t.startswith(RENDER_PREFIXES):
            pass
        else:
            unknown.append(t)
        i += 1
    return redirs, unknown


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: strace-tests-manifest.py GEN_TESTS_IN")
    entries = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(None, 1)
            name, rest = parts[0], (parts[1] if len(parts) > 1 else "")
            entries.append((name, rest.strip()))
    names = {n for n, _ in entries}

    out = []
    for name, rest in entries:
        verdict, redirs, reason = "skip", [], ""
        try:
            words = shlex.split(rest.replace("$NAME", name).replace("$PWD/", ""))
        except ValueError:
            words = None
        base = None
        pieces = name.split("-")
        for k in range(1, len(pieces)):
            cand = "-".join(pieces[:k])
            rest_pieces = [p for p in pieces[k:] if p]
            if cand in names and rest_pieces and all(p in VARIANT_PIECES for p in rest_pieces):
                base = cand
                break
        if words is None:
            reason = "options not parsable"
        elif base is not None:
            reason = f"variant of {base} for another strace option (same program)"
        elif rest.startswith("+"):
            script = words[0][1:]
            if script in SKIP_SCRIPTS:
                reason = SKIP_SCRIPTS[script]
            elif script in PLAIN_SCRIPTS:
                why = option_skip(words[1:])
                if why:
                    reason = why
                else:
                    verdict = "run"
                    redirs, _ = split_options(words[1:])
            else:
                reason = f"custom test script {script}"
        elif rest == "" or rest.startswith("-"):
            why = option_skip(words)
            if why:
                reason = why
            else:
                redirs, unknown = split_options(words)
                if unknown:
                    reason = "unknown options: " + " ".join(unknown)
                else:
                    verdict = "run"
        elif rest.startswith("test_pidns"):
            reason = "PID namespace translation"
        elif rest.startswith("test_trace_expr"):
            reason = "strace's -e trace= expression parser"
        elif rest.startswith("check_scno_tampering"):
            reason = "syscall number tampering (-e inject)"
        else:
            reason = "custom shell test"
        if verdict == "run" and name in SLOW:
            verdict = "slow"
            reason = f"slow under TCG with vmscope ({SLOW[name]} s)"
        out.append((name, verdict, " ".join(redirs), rest, reason))
    # Empty fields are `-`: shells' `read` merges consecutive tabs.
    for row in out:
        print("\t".join((x.replace("\t", " ") or "-") for x in row))


if __name__ == "__main__":
    main()
