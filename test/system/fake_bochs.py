#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in for `bochs` in test_console.py: takes run-bochs.sh's command
line, serves COM1's socket as Bochs does, and plays a tiny Keel that echoes
what it is sent. "exit" ends the run as Keel's power-off does."""
import os
import re
import socket
import sys
import time

rc = open(sys.argv[sys.argv.index("-f") + 1]).read()
port = int(re.search(r"mode=socket-server, dev=localhost:(\d+)", rc).group(1))
with open(os.environ["FAKE_BOCHS_PID"], "w") as f:
    f.write(str(os.getpid()))
srv = socket.create_server(("127.0.0.1", port))
conn, _ = srv.accept()
# OVMF clears the screen; the sequence arrives split across two reads.
conn.sendall(b"\x1b[2J\x1b[")
time.sleep(0.2)
conn.sendall(b"01;01HKeel hypervisor (fake)\r\n")
line = b""
while True:
    data = conn.recv(1)
    if not data:
        sys.exit(1)
    line += data
    if data in (b"\n", b"\r"):
        conn.sendall(b"got: " + line.strip() + b"\r\n")
        if line.strip() == b"exit":
            conn.sendall(b"keel: powering off\r\n")
            sys.exit(1)  # Bochs exits 1 after a power-off
        line = b""
