#!/usr/bin/env python3
"""The Python `influxdb` client (PyPI influxdb 5.3.2) against a server: database, writes
(tags, bools, strings, time precisions, line protocol), queries back through ResultSet,
the list helpers, retention policy helpers, bind parameters, chunked queries, drops.

usage: python_client.py http://127.0.0.1:PORT
Exits 0 when every check holds; otherwise prints what differed and exits 1.
"""
import datetime
import sys
import urllib.parse

try:
    import influxdb
    from influxdb import InfluxDBClient
except ImportError as e:  # pragma: no cover - environment problem, reported as such
    print(f"cannot import the influxdb package ({e}): install it with `pip install influxdb==5.3.2`")
    sys.exit(2)

DB = "pyclient"
FAILURES = []


def check(what, got, want):
    if got != want:
        FAILURES.append(f"{what}:\n  want {want!r}\n  got  {got!r}")


def main():
    url = urllib.parse.urlparse(sys.argv[1])
    check("influxdb package version", influxdb.__version__, "5.3.2")
    # Defaults as users leave them: root/root basic auth, msgpack accepted.
    c = InfluxDBClient(host=url.hostname, port=url.port, database=DB)

    version = c.ping()
    if not version:
        FAILURES.append(f"ping() returned {version!r}: X-Influxdb-Version missing or empty")

    c.create_database(DB)
    check("get_list_database contains the new database", {"name": DB} in c.get_list_database(), True)

    points = [
        {
            "measurement": "cpu load",
            "tags": {"host": "srv,1", "region": "us west"},
            "time": 1700000000,
            "fields": {"value": 0.64, "n": 3, "ok": True, "s": 'say "hi"\\ok'},
        },
        {
            "measurement": "cpu load",
            "tags": {"host": "b", "region": "eu"},
            "time": 1700000001,
            "fields": {"value": 1.5, "n": 4, "ok": False, "s": "line\nbreak"},
        },
    ]
    check("write_points (precision s)", c.write_points(points, time_precision="s"), True)

    rs = c.query('SELECT * FROM "cpu load"')
    check(
        "query ResultSet points",
        list(rs.get_points()),
        [
            {"time": "2023-11-14T22:13:20Z", "host": "srv,1", "n": 3, "ok": True, "region": "us west", "s": 'say "hi"\\ok', "value": 0.64},
            {"time": "2023-11-14T22:13:21Z", "host": "b", "n": 4, "ok": False, "region": "eu", "s": "line\\nbreak", "value": 1.5},
        ],
    )
    check("get_points(tags=...)", [p["value"] for p in rs.get_points(tags={"host": "b"})], [1.5])

    rs = c.query('SELECT "value" FROM "cpu load" GROUP BY "host"', epoch="s")
    check("GROUP BY keys", sorted(rs.keys(), key=lambda k: k[1]["host"]), [("cpu load", {"host": "b"}), ("cpu load", {"host": "srv,1"})])
    check("series of host=b", list(rs[("cpu load", {"host": "b"})]), [{"time": 1700000001, "value": 1.5}])

    # Other precisions: datetime objects with ms, ISO strings with u, ints with h.
    check(
        "write_points (datetime, ms)",
        c.write_points(
            [{"measurement": "prec", "tags": {"p": "ms"}, "time": datetime.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=datetime.timezone.utc), "fields": {"v": 1}}],
            time_precision="ms",
        ),
        True,
    )
    check(
        "write_points (ISO string, u)",
        c.write_points([{"measurement": "prec", "tags": {"p": "u"}, "time": "2023-11-14T22:13:20.000007Z", "fields": {"v": 2}}], time_precision="u"),
        True,
    )
    check("write_points (int, h)", c.write_points([{"measurement": "prec", "tags": {"p": "h"}, "time": 472223, "fields": {"v": 3}}], time_precision="h"), True)
    check(
        "write_points (line protocol, global tags, batch_size)",
        c.write_points(["prec,p=line v=4i 1700000000000000009", "prec,p=line v=5i 1700000000000000010"], protocol="line", batch_size=1),
        True,
    )
    rs = c.query("SELECT * FROM prec", epoch="ns")
    check(
        "precisions read back in ns",
        [(p["p"], p["time"], p["v"]) for p in rs.get_points()],
        [
            ("line", 1700000000000000009, 4),
            ("line", 1700000000000000010, 5),
            ("u", 1700000000000007000, 2),
            ("ms", 1700000000123000000, 1),
            ("h", 1700002800000000000, 3),
        ],
    )

    rs = c.query("SELECT * FROM prec WHERE p = $p", bind_params={"p": "h"}, epoch="s")
    check("bind_params", [p["time"] for p in rs.get_points()], [1700002800])

    # chunked=True cannot work with the default msgpack Accept (the client unpacks the
    # concatenated chunks as one msgpack document and raises ExtraData, on 1.6.7 too): a
    # client that uses chunking asks for JSON.
    cj = InfluxDBClient(host=url.hostname, port=url.port, database=DB, headers={"Accept": "application/json"})
    chunks = cj.query("SELECT * FROM prec", chunked=True, chunk_size=2, epoch="ns")
    check("chunked query gathers every point", sorted(p["v"] for rs in chunks for p in rs.get_points()), [1, 2, 3, 4, 5])

    several = c.query('SELECT * FROM prec WHERE p = \'h\'; SELECT "n" FROM "cpu load"', epoch="s")
    check("several statements give a list of ResultSets", [len(list(r.get_points())) for r in several], [1, 2])

    check("get_list_measurements", c.get_list_measurements(), [{"name": "cpu load"}, {"name": "prec"}])
    check(
        "get_list_series",
        c.get_list_series(),
        ["cpu\\ load,host=b,region=eu", "cpu\\ load,host=srv\\,1,region=us\\ west", "prec,p=h", "prec,p=line", "prec,p=ms", "prec,p=u"],
    )
    check("get_list_series(measurement, tags)", c.get_list_series(measurement="cpu load", tags={"region": "eu"}), ["cpu\\ load,host=b,region=eu"])

    c.create_retention_policy("rp1", "1d", 1, database=DB, default=False, shard_duration="2h")
    c.alter_retention_policy("rp1", database=DB, duration="2d", default=True)
    check(
        "get_list_retention_policies",
        c.get_list_retention_policies(DB),
        [
            {"name": "autogen", "duration": "0s", "shardGroupDuration": "168h0m0s", "replicaN": 1, "default": False},
            {"name": "rp1", "duration": "48h0m0s", "shardGroupDuration": "2h0m0s", "replicaN": 1, "default": True},
        ],
    )
    c.alter_retention_policy("autogen", database=DB, default=True)
    c.drop_retention_policy("rp1", database=DB)
    check("retention policies after drop", [p["name"] for p in c.get_list_retention_policies(DB)], ["autogen"])

    # A query-level error raises InfluxDBClientError with the server's text.
    try:
        c.query("SELECT * FROM m", database="pyclient_nosuch")
        FAILURES.append("a query on a missing database did not raise")
    except influxdb.exceptions.InfluxDBClientError as e:
        check("error text of a missing database", str(e), "database not found: pyclient_nosuch")

    c.drop_measurement("prec")
    check("measurements after drop_measurement", c.get_list_measurements(), [{"name": "cpu load"}])
    c.drop_database(DB)
    check("database dropped", {"name": DB} in c.get_list_database(), False)

    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed against {sys.argv[1]}:")
        print("\n".join(FAILURES))
        sys.exit(1)
    print("python influxdb client: all checks passed")


if __name__ == "__main__":
    main()
