//! End to end: the network module on a real guest. The `netmon` workload moves known byte counts over
//! TCP (127.0.0.1 with a forked client, ::1 with a client thread), UDP over IPv4 and IPv6, a unix
//! stream socket on a path and unix datagrams on an abstract name, with every family of send and
//! receive call, and prints one line per socket with its addresses and counts as it saw them. Every
//! such line must be one `connection` summary of the journal, bytes equal; the `net` events must show
//! the refused connect, the accepts with their peers, and every family.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test may panic"
)]

mod common;

use common::GuestRun;
use serde_json::Value;

/// `netmon: conn pid=P local=L remote=R sent=S recv=N` lines: (pid, local, remote, sent, recv), `-`
/// for an address the program does not know either.
fn printed(console: &str) -> Vec<(u64, String, String, u64, u64)> {
    console
        .lines()
        .filter_map(|l| l.trim_end_matches('\r').strip_prefix("netmon: conn "))
        .map(|l| {
            let f = |k: &str| {
                l.split(' ')
                    .find_map(|w| w.strip_prefix(k))
                    .unwrap()
                    .to_string()
            };
            (
                f("pid=").parse().unwrap(),
                f("local="),
                f("remote="),
                f("sent=").parse().unwrap(),
                f("recv=").parse().unwrap(),
            )
        })
        .collect()
}

fn check(series: &str) {
    let Some(run) = GuestRun::new(series, "network") else {
        return;
    };
    let out = run
        .workloads("netmon")
        .modules("context,syscalls,network")
        .run();
    assert!(out.console.contains("netmon: done"), "{}", out.console);
    let ev = out.events();
    let lines = printed(&out.console);
    assert_eq!(lines.len(), 12, "{}", out.console);
    let conns: Vec<&Value> = ev.iter().filter(|e| e["type"] == "connection").collect();
    for (pid, local, remote, sent, recv) in &lines {
        let found = conns.iter().any(|c| {
            c["pid"] == *pid
                && (local == "-" || c["local"] == local.as_str())
                && (remote == "-" || c["remote"] == remote.as_str())
                && c["bytes_sent"] == *sent
                && c["bytes_received"] == *recv
                && c["closed_ts"].is_u64()
        });
        assert!(
            found,
            "{series}: no connection pid={pid} local={local} remote={remote} sent={sent} \
             recv={recv} in\n{conns:#?}"
        );
    }
    // Nothing else carried data (the refused connect counts as no connection).
    assert_eq!(conns.len(), lines.len(), "{conns:#?}");
    let net: Vec<&Value> = ev.iter().filter(|e| e["type"] == "net").collect();
    assert!(net.iter().any(|e| e["op"] == "connect"
        && e["remote"] == "127.0.0.1:1"
        && e["error"] == "ECONNREFUSED"));
    for (family, proto) in [
        ("inet", "tcp"),
        ("inet6", "tcp"),
        ("inet", "udp"),
        ("inet6", "udp"),
        ("unix", "stream"),
        ("unix", "dgram"),
    ] {
        assert!(
            net.iter()
                .any(|e| e["op"] == "socket" && e["family"] == family && e["proto"] == proto),
            "{series}: no {family}/{proto} socket event"
        );
    }
    let accepts: Vec<&&Value> = net.iter().filter(|e| e["op"] == "accept").collect();
    assert_eq!(accepts.len(), 3, "{accepts:#?}");
    assert!(accepts.iter().any(|a| {
        a["local"] == "127.0.0.1:7777"
            && a["remote"]
                .as_str()
                .is_some_and(|r| r.starts_with("127.0.0.1:"))
    }));
    assert!(accepts.iter().any(|a| {
        a["local"] == "[::1]:7778"
            && a["remote"]
                .as_str()
                .is_some_and(|r| r.starts_with("[::1]:"))
    }));
    // Every send family the workload uses appears with its bytes.
    for call in ["write", "sendto", "sendmsg", "writev", "sendfile"] {
        assert!(
            net.iter()
                .any(|e| e["op"] == "send" && e["syscall"] == call && e["bytes"].is_u64()),
            "{series}: no send by {call}"
        );
    }
    for call in ["read", "recvfrom", "recvmsg", "readv"] {
        assert!(
            net.iter()
                .any(|e| e["op"] == "recv" && e["syscall"] == call && e["bytes"].is_u64()),
            "{series}: no recv by {call}"
        );
    }
}

#[test]
fn connections_and_byte_counts_linux_6_12() {
    check("6.12");
}
