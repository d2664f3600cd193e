#!/usr/bin/env python3
"""fake_pg.py - a PostgreSQL server that misbehaves, for tests/runtime/test_hostile.c.

Speaks enough of the v3 wire protocol for libpq and libhq (startup, simple and extended query,
pipelines) and answers every query with one row of text columns, then breaks the rules the way
SCENARIO says: malformed values, rows shorter than their description, a message cut short, a
connection dropped in the middle of a pipeline, an unknown message type, a value of 8 MB.

    fake_pg.py SCENARIO      prints the port it listens on (127.0.0.1), then serves

It only listens on the loopback address, serves at most 50 connections and stops by itself
after 120 seconds."""

import socket
import struct
import sys
import time

MAX_CONNECTIONS = 50
LIFETIME = 120.0

# What the one row of every query holds: (column names, values as text, None = NULL).
ROWS = {
    "good": (["id", "at", "n"], ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "2024-01-01 10:00:00+00", "{1,2,3}"]),
    "bad_uuid": (["id", "at", "n"], ["not-a-uuid", "2024-01-01 10:00:00+00", "{1,2,3}"]),
    "bad_time": (["id", "at", "n"], ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "yesterday-ish", "{1}"]),
    "bad_array": (["id", "at", "n"], ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "2024-01-01 10:00:00+00", '{1,"2'] ),
    "null_not_nullable": (["id", "at", "n"], [None, "2024-01-01 10:00:00+00", "{}"]),
    "extra_column": (["id", "at", "n", "x"], ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "2024-01-01 10:00:00+00",
                                               "{}", "x"]),
    "huge_value": (["id", "at", "n"], ["a" * (8 << 20), "2024-01-01 10:00:00+00", "{}"]),
}


def msg(kind, payload=b""):
    return kind + struct.pack("!i", len(payload) + 4) + payload


def cstr(s):
    return s.encode() + b"\0"


def row_description(names):
    out = struct.pack("!h", len(names))
    for name in names:
        # table oid, column number, type oid (text), type size, type modifier, format (text)
        out += cstr(name) + struct.pack("!ihihih", 0, 0, 25, -1, -1, 0)
    return msg(b"T", out)


def data_row(values):
    out = struct.pack("!h", len(values))
    for v in values:
        if v is None:
            out += struct.pack("!i", -1)
        else:
            b = v.encode()
            out += struct.pack("!i", len(b)) + b
    return msg(b"D", out)


def ready():
    return msg(b"Z", b"I")


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client closed")
        data += chunk
    return data


def startup(conn):
    while True:
        (length,) = struct.unpack("!i", recv_exact(conn, 4))
        body = recv_exact(conn, length - 4)
        (code,) = struct.unpack("!i", body[:4])
        if code in (80877103, 80877104):  # SSLRequest, GSSENCRequest: not here
            conn.sendall(b"N")
            continue
        break
    out = msg(b"R", struct.pack("!i", 0))
    for k, v in [("server_version", "15.0"), ("server_encoding", "UTF8"), ("client_encoding", "UTF8"),
                 ("DateStyle", "ISO, YMD"), ("TimeZone", "UTC"), ("integer_datetimes", "on"),
                 ("standard_conforming_strings", "on")]:
        out += msg(b"S", cstr(k) + cstr(v))
    out += msg(b"K", struct.pack("!ii", 1234, 5678)) + ready()
    conn.sendall(out)


def serve(conn, scenario):
    startup(conn)
    names, values = ROWS.get(scenario, ROWS["good"])
    executes = 0
    while True:
        kind = recv_exact(conn, 1)
        (length,) = struct.unpack("!i", recv_exact(conn, 4))
        body = recv_exact(conn, length - 4)
        if kind == b"X":
            return
        if kind == b"Q":  # session setup: SET ...
            conn.sendall(msg(b"C", cstr("SET")) + ready())
        elif kind == b"P":
            conn.sendall(msg(b"1"))
        elif kind == b"B":
            conn.sendall(msg(b"2"))
        elif kind == b"D":
            if body[:1] == b"S":
                conn.sendall(msg(b"t", struct.pack("!h", 0)) + row_description(names))
            else:
                conn.sendall(row_description(names))
        elif kind == b"E":
            executes += 1
            if scenario == "short_row":
                # Two values where the description promised three.
                conn.sendall(data_row(values[:2]) + msg(b"C", cstr("SELECT 1")))
            elif scenario == "truncated_message":
                # A DataRow that announces 1000 bytes, then the connection ends.
                conn.sendall(b"D" + struct.pack("!i", 1000) + struct.pack("!h", 3) + b"\0\0\0\x05ab")
                return
            elif scenario == "unknown_message":
                conn.sendall(msg(b"!", b"what is this") + data_row(values) + msg(b"C", cstr("SELECT 1")))
            elif scenario == "error_then_drop":
                conn.sendall(msg(b"E", b"SERROR\0C57P01\0Mterminating connection due to administrator command\0\0"))
                return
            elif scenario == "drop_in_pipeline" and executes == 3:
                # The third statement of a pipeline: answered halfway, then the server is gone.
                conn.sendall(row_description(names))
                return
            else:
                conn.sendall(data_row(values) + msg(b"C", cstr("SELECT 1")))
        elif kind == b"S":
            conn.sendall(ready())
        # H (Flush), C (Close) and others: nothing to say


def main():
    scenario = sys.argv[1] if len(sys.argv) > 1 else "good"
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(1.0)
    sys.stdout.write("%d\n" % srv.getsockname()[1])
    sys.stdout.flush()
    deadline = time.monotonic() + LIFETIME
    served = 0
    while served < MAX_CONNECTIONS and time.monotonic() < deadline:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        served += 1
        conn.settimeout(10.0)
        try:
            serve(conn, scenario)
        except (ConnectionError, OSError, struct.error):
            pass
        finally:
            conn.close()
    srv.close()


if __name__ == "__main__":
    main()
