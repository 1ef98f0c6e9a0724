#!/usr/bin/env python3
"""The Python `influxdb` client (PyPI influxdb 5.3.2) over HTTPS, verifying the server's
certificate against the given PEM file: ping, create a database, write, query back, keep
the connection alive across requests (one requests.Session), drop the database.

usage: python_https.py PORT CA_FILE
Exits 0 and prints "all checks passed" when every check holds.
"""
import sys

try:
    import influxdb
    from influxdb import InfluxDBClient
except ImportError as e:  # pragma: no cover - environment problem, reported as such
    print(f"cannot import the influxdb package ({e}): install it with `pip install influxdb==5.3.2`")
    sys.exit(2)

FAILURES = []


def check(what, got, want):
    if got != want:
        FAILURES.append(f"{what}:\n  want {want!r}\n  got  {got!r}")


def main():
    port, ca = int(sys.argv[1]), sys.argv[2]
    c = InfluxDBClient(host="127.0.0.1", port=port, ssl=True, verify_ssl=ca, database="tlsdb")
    check("the client speaks https", c._baseurl, f"https://127.0.0.1:{port}")
    version = c.ping()
    if not version:
        FAILURES.append(f"ping() returned {version!r}")
    c.create_database("tlsdb")
    points = [
        {"measurement": "cpu", "tags": {"host": "a"}, "time": 1700000000, "fields": {"v": 1.5}},
        {"measurement": "cpu", "tags": {"host": "b"}, "time": 1700000001, "fields": {"v": 2.5}},
    ]
    check("write_points", c.write_points(points, time_precision="s"), True)
    rs = c.query("SELECT v, host FROM cpu", epoch="s")
    check(
        "query over https",
        list(rs.get_points()),
        [{"time": 1700000000, "v": 1.5, "host": "a"}, {"time": 1700000001, "v": 2.5, "host": "b"}],
    )
    # requests keeps the TLS connection of its session: every call above used one pool.
    pool = c._session.get_adapter(f"https://127.0.0.1:{port}").poolmanager
    conns = sum(p.num_connections for p in pool.pools._container.values())
    check("TLS connections opened for five requests (keep-alive)", conns, 1)
    c.drop_database("tlsdb")
    check("database dropped", {"name": "tlsdb"} in c.get_list_database(), False)
    if FAILURES:
        print("\n".join(FAILURES))
        sys.exit(1)
    print(f"influxdb {influxdb.__version__}: all checks passed")


if __name__ == "__main__":
    main()
