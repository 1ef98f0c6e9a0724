//! show: the layouts of `show` and `show-shards`. Tables are influxd-ctl's (a title, a rule,
//! columns two spaces apart), with Enterprise 1.12's extra columns and Raft section, and
//! Cairn's liveness column.

use meta::api::{ClusterView, Liveness, NodeKind};
use meta::MetaData;

/// Columns aligned with two spaces between them; trailing blanks trimmed.
fn table(title: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 < cells.len() {
                out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            } else {
                out.push_str(cell);
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = format!("{title}\n{}\n", "=".repeat(title.len().max(10)));
    out.push_str(&line(header.to_vec()));
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn rfc3339(ns: i64) -> String {
    influxql::time::format_rfc3339_nano(i128::from(ns))
}

/// "12s", "3m4s", "2h5m", "3d4h": how long ago, to the unit that matters.
fn ago(ns: i64) -> String {
    let s = ns.max(0) / 1_000_000_000;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{}s", s / 60, s % 60),
        3600..86400 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{}h", s / 86400, s % 86400 / 3600),
    }
}

/// What each data node holds in hinted handoff for the others, from its last heartbeat.
fn handoff(view: &ClusterView, now: i64) -> String {
    if !view.from_leader {
        return String::new();
    }
    let mut lines = Vec::new();
    for l in view.liveness.iter().filter(|l| l.kind == NodeKind::Data) {
        for q in &l.handoff {
            let oldest = if q.oldest > 0 {
                format!(", oldest queued {} ago", ago(now - q.oldest))
            } else {
                String::new()
            };
            lines.push(format!(
                "data node {} holds {} for data node {}{oldest}\n",
                l.id,
                size(q.bytes),
                q.node
            ));
        }
    }
    if lines.is_empty() {
        return "Hinted handoff: nothing queued\n".to_owned();
    }
    format!("Hinted handoff:\n{}", lines.concat())
}

/// Bytes in the unit that reads best.
fn size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        1_048_576..1_073_741_824 => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
        _ => format!("{:.1} GiB", bytes as f64 / 1_073_741_824.0),
    }
}

/// The liveness cell of a node.
fn status(view: &ClusterView, seen: Option<&Liveness>, now: i64) -> String {
    if !view.from_leader {
        return "unknown (no leader)".to_owned();
    }
    match seen {
        Some(l) if !l.down => "up".to_owned(),
        Some(l) => format!("down since {} ({} ago)", rfc3339(l.last_seen), ago(now - l.last_seen)),
        None if now - view.leader_since > view.down_after => {
            format!(
                "down (not seen since the leader took over {} ago)",
                ago(now - view.leader_since)
            )
        }
        None => "starting (the leader took over just now)".to_owned(),
    }
}

fn seen<'a>(view: &'a ClusterView, kind: NodeKind, rpc_addr: &str) -> Option<&'a Liveness> {
    view.liveness.iter().find(|l| l.kind == kind && l.rpc_addr == rpc_addr)
}

/// `cairn-ctl show`.
pub(crate) fn cluster(view: &ClusterView, now: i64) -> String {
    let version = |l: Option<&Liveness>| l.filter(|l| !l.down).map(|l| l.version.clone()).unwrap_or_default();
    let data_rows: Vec<Vec<String>> = view
        .data_nodes
        .iter()
        .map(|n| {
            let l = seen(view, NodeKind::Data, &n.rpc_addr);
            vec![
                n.id.to_string(),
                n.rpc_addr.clone(),
                n.http_addr.clone(),
                version(l),
                status(view, l, now),
            ]
        })
        .collect();
    let leader = view.answered_by.raft.as_ref().and_then(|r| r.leader);
    let meta_rows: Vec<Vec<String>> = view
        .meta_nodes
        .iter()
        .map(|n| {
            let l = seen(view, NodeKind::Meta, &n.raft_addr);
            let mut s = status(view, l, now);
            if Some(n.id) == leader {
                s.push_str(", leader");
            }
            vec![
                n.id.to_string(),
                n.raft_addr.clone(),
                n.http_addr.clone(),
                version(l),
                s,
            ]
        })
        .collect();
    let mut out = table(
        "Data Nodes",
        &["ID", "TCP Address", "HTTP Address", "Version", "Status"],
        &data_rows,
    );
    let pending: Vec<&Liveness> = view
        .liveness
        .iter()
        .filter(|l| l.kind == NodeKind::Data && !l.down)
        .filter(|l| !view.data_nodes.iter().any(|n| n.rpc_addr == l.rpc_addr))
        .collect();
    for p in pending {
        out.push_str(&format!(
            "(not added) {} (HTTP {}) reports to the meta nodes: add it with `cairn-ctl add-data {}`\n",
            p.rpc_addr, p.http_addr, p.rpc_addr
        ));
    }
    out.push_str(&handoff(view, now));
    out.push('\n');
    out.push_str(&table(
        "Meta Nodes",
        &["ID", "Raft Address", "HTTP Address", "Version", "Status"],
        &meta_rows,
    ));
    out.push('\n');
    out.push_str("Raft Status\n===========\n");
    let me = &view.answered_by;
    match &me.raft {
        None => out.push_str(&format!("meta node {} is not part of a cluster\n", me.http_addr)),
        Some(r) => {
            let leader = match (r.leader, &r.leader_raft_addr) {
                (Some(id), Some(addr)) => format!("{id} {addr}"),
                (Some(id), None) => id.to_string(),
                _ => "none: no quorum of meta nodes answers".to_owned(),
            };
            let peers: Vec<String> = r
                .voters
                .iter()
                .filter(|(id, _)| Some(*id) != r.leader)
                .map(|(_, addr)| format!("{addr:?}"))
                .collect();
            let rows = [
                ("Leader", leader),
                ("Term", r.term.to_string()),
                (
                    "Commit Index",
                    r.commit_index.map(|i| i.to_string()).unwrap_or_else(|| "-".to_owned()),
                ),
                ("Peers", format!("[{}]", peers.join(", "))),
            ];
            for (k, v) in rows {
                out.push_str(&format!("{k:<14}{v}\n"));
            }
            if !r.learners.is_empty() {
                let l: Vec<String> = r.learners.iter().map(|(id, a)| format!("{id} {a}")).collect();
                out.push_str(&format!("{:<14}[{}]\n", "Catching up", l.join(", ")));
            }
            if !view.from_leader {
                out.push_str(&format!(
                    "(answered by meta node {} without a leader: liveness is unknown)\n",
                    me.http_addr
                ));
            }
        }
    }
    out
}

/// `cairn-ctl show-shards [-v]`.
pub(crate) fn shards(data: &MetaData, view: Option<&ClusterView>, verbose: bool, now: i64) -> String {
    let mut rows = Vec::new();
    for db in &data.databases {
        for rp in &db.retention_policies {
            for g in &rp.shard_groups {
                let expires = (rp.duration > 0).then(|| g.end_time.saturating_add(rp.duration));
                let gone = g.deleted_at.is_some() || expires.is_some_and(|e| e <= now);
                if gone && !verbose {
                    continue;
                }
                let end = match g.truncated_at {
                    Some(t) => format!("{}*", rfc3339(t)),
                    None => rfc3339(g.end_time),
                };
                for s in &g.shards {
                    let owners: Vec<String> = s
                        .owners
                        .iter()
                        .map(|id| {
                            let node = data.data_node(*id);
                            let addr = node.map_or("(removed)", |n| n.rpc_addr.as_str());
                            match (verbose, view, node) {
                                (true, Some(v), Some(n)) => {
                                    format!(
                                        "{{{id} {addr} {}}}",
                                        status(v, seen(v, NodeKind::Data, &n.rpc_addr), now)
                                    )
                                }
                                _ => format!("{{{id} {addr}}}"),
                            }
                        })
                        .collect();
                    let mut row = vec![
                        s.id.to_string(),
                        db.name.clone(),
                        rp.name.clone(),
                        rp.replica_n.to_string(),
                        g.id.to_string(),
                        rfc3339(g.start_time),
                        end.clone(),
                        expires.map(rfc3339).unwrap_or_default(),
                        format!("[{}]", owners.join(" ")),
                    ];
                    if verbose {
                        row.push(match g.deleted_at {
                            Some(t) => format!("deleted {}", rfc3339(t)),
                            None if gone => "expired".to_owned(),
                            None => String::new(),
                        });
                    }
                    rows.push(row);
                }
            }
        }
    }
    let mut header = vec![
        "ID",
        "Database",
        "Retention Policy",
        "Desired Replicas",
        "Shard Group",
        "Start",
        "End",
        "Expires",
        "Owners",
    ];
    if verbose {
        header.push("State");
    }
    table("Shards", &header, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_two_spaces_apart() {
        let t = table(
            "Data Nodes",
            &["ID", "TCP Address"],
            &[vec!["4".into(), "a:8088".into()]],
        );
        assert_eq!(t, "Data Nodes\n==========\nID  TCP Address\n4   a:8088\n");
    }

    #[test]
    fn ago_uses_the_unit_that_matters() {
        let s = 1_000_000_000;
        assert_eq!(ago(5 * s), "5s");
        assert_eq!(ago(125 * s), "2m5s");
        assert_eq!(ago(7300 * s), "2h1m");
        assert_eq!(ago(90_000 * s), "1d1h");
    }
}
