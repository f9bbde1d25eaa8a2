#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""console.py ESP.img SERIAL.log [CPU_MODEL] [TIMEOUT_S]

Boots ESP.img in Bochs (tools/run-bochs.sh) with COM1 on a TCP socket and
bridges it to this terminal: what Keel prints is shown and written to
SERIAL.log (escape sequences removed until Keel's banner, as OVMF's would
redraw the screen; after it they pass, for the guest with the console's
focus); what is typed goes to Keel's console. A tty is put in raw mode, so Ctrl-C and
Ctrl-A reach Keel; Ctrl-] kills Bochs and quits. Otherwise (a pipe) input
is forwarded as it arrives and output shown until Bochs exits, which it
does when Keel powers the machine off."""
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import termios
import time
import tty
from pathlib import Path

QUIT = 0x1D  # Ctrl-], as in telnet
ANSI = re.compile(rb"\x1b\[[0-9;=?]*[A-Za-z]")
# An escape sequence split across reads is held back until it completes.
ANSI_PARTIAL = re.compile(rb"\x1b(\[[0-9;=?]*)?$")
RUN_BOCHS = Path(__file__).resolve().parent / "run-bochs.sh"
BANNER = b"Keel hypervisor"  # Keel's first words: the firmware's screen ends there


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port, proc):
    """Bochs listens once it has read its config; it runs only after this."""
    while proc.poll() is None:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=1)
            sock.settimeout(None)
            return sock
        except OSError:
            time.sleep(0.2)
    return None


def banner_prefix_len(data):
    """How many bytes at the end of data could begin Keel's banner."""
    for n in range(min(len(BANNER) - 1, len(data)), 0, -1):
        if BANNER.startswith(data[-n:]):
            return n
    return 0


class Screen:
    """Raw bytes to the log; to stdout without escape sequences until Keel's
    banner (the firmware's), unchanged after it (a focused guest's)."""

    def __init__(self, log):
        self.log = log
        self.held = b""
        self.keel = False

    def show(self, data):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()

    def write(self, data):
        self.log.write(data)
        self.log.flush()
        if self.keel:
            self.show(data)
            return
        data = self.held + data
        at = data.find(BANNER)
        if at >= 0:
            self.keel, self.held = True, b""
            self.show(ANSI.sub(b"", data[:at]) + data[at:])
            return
        # Hold back an escape sequence or a banner split across reads until it completes.
        m = ANSI_PARTIAL.search(data)
        cut = m.start() if m else len(data) - banner_prefix_len(data)
        self.held = data[cut:]
        self.show(ANSI.sub(b"", data[:cut]))


def bridge(sock, proc, screen, stdin_fd):
    """Copy both ways until Bochs closes the socket; False if Ctrl-] was typed."""
    sel = selectors.PollSelector()  # epoll refuses a regular file as stdin
    sel.register(sock, selectors.EVENT_READ)
    sel.register(stdin_fd, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select(timeout=1):
            if key.fileobj is sock:
                data = sock.recv(4096)
                if not data:
                    return True
                screen.write(data)
                continue
            data = os.read(stdin_fd, 1024)
            if not data:  # end of a pipe: keep showing output
                sel.unregister(stdin_fd)
                continue
            quit_at = data.find(bytes([QUIT]))
            sock.sendall(data if quit_at < 0 else data[:quit_at])
            if quit_at >= 0:
                return False
        if proc.poll() is not None:
            return True


def stop(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through main's cleanup


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    port = free_port()
    env = dict(os.environ, BOCHS_SERIAL_SOCKET=str(port))
    # Its own session: Ctrl-] and errors kill Bochs and its timeout wrapper together.
    proc = subprocess.Popen([str(RUN_BOCHS)] + argv[1:], env=env, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    stdin_fd = sys.stdin.fileno()
    saved = termios.tcgetattr(stdin_fd) if os.isatty(stdin_fd) else None
    quit_early = finished = False
    try:
        sock = connect(port, proc)
        if sock is None:
            sys.stderr.write("console: Bochs exited before its serial socket opened\n")
            return 1
        if saved:
            tty.setraw(stdin_fd)
            sys.stderr.write("console: Ctrl-] quits, Ctrl-A h lists Keel's keys\r\n")
        with sock, open(argv[2], "ab") as log:
            quit_early = not bridge(sock, proc, Screen(log), stdin_fd)
        finished = True
    finally:
        if saved:
            termios.tcsetattr(stdin_fd, termios.TCSAFLUSH, saved)
        if proc.poll() is None and (quit_early or not finished):
            os.killpg(proc.pid, signal.SIGKILL)  # Bochs ignores SIGTERM
        proc.wait()
    if quit_early:
        sys.stderr.write("\nconsole: quit, Bochs killed\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:  # Ctrl-C before raw mode, or from a pipe's shell
        sys.exit(130)
