# SPDX-License-Identifier: MIT
"""tools/console.py (what `make run` uses) against a fake `bochs` on PATH
(fake_bochs.py): run-bochs.sh and the console script are the real ones,
so this checks the socket set-up, both directions of the bridge, the log,
raw mode and Ctrl-]. Takes a few seconds; no emulator runs."""
import os
import pty
import select
import signal
import subprocess
import termios
import time

import pytest

from keel import ROOT

CONSOLE = ROOT / "tools/console.py"


@pytest.fixture
def fake(tmp_path):
    """(environment with the fake bochs first on PATH, ESP path, log path, pid file)"""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "bochs").symlink_to(ROOT / "test/system/fake_bochs.py")
    esp = tmp_path / "esp.img"
    esp.write_bytes(bytes(16 * 63 * 512))
    pid_file = tmp_path / "bochs.pid"
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", FAKE_BOCHS_PID=str(pid_file))
    return env, esp, tmp_path / "serial.log", pid_file


def gone(pid, timeout=5):
    """SIGKILL is delivered asynchronously: give it a moment."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/status") as f:
                if "State:\tZ" in f.read():
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


def test_pipe_input_is_forwarded_until_power_off(fake):
    env, esp, log, _ = fake
    proc = subprocess.run(["/usr/bin/python3", str(CONSOLE), str(esp), str(log)], env=env,
                          input=b"hello\nexit\n", capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode().replace("\r", "")
    # Escape sequences (one split across reads) are not shown, the text is.
    assert out.startswith("Keel hypervisor (fake)\n"), out
    assert "\x1b" not in out
    assert "got: hello\ngot: exit\nkeel: powering off\n" in out
    # The log keeps what arrived, byte for byte.
    assert log.read_bytes().startswith(b"\x1b[2J\x1b[01;01HKeel hypervisor (fake)\r\n")
    assert b"keel: powering off" in log.read_bytes()


def read_until(fd, text, timeout=30):
    data = b""
    deadline = time.monotonic() + timeout
    while text not in data and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.5)[0]:
            data += os.read(fd, 4096)
    assert text in data, data
    return data


def test_tty_is_raw_and_ctrl_bracket_kills_bochs(fake):
    env, esp, log, pid_file = fake
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    proc = subprocess.Popen(["/usr/bin/python3", str(CONSOLE), str(esp), str(log)], env=env,
                            stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        read_until(proc.stdout.fileno(), b"Keel hypervisor (fake)")
        assert not termios.tcgetattr(slave)[3] & termios.ICANON  # raw: keys go as typed
        os.write(master, b"hi\r")
        read_until(proc.stdout.fileno(), b"got: hi")
        os.write(master, b"\x1d")  # Ctrl-]
        assert proc.wait(timeout=30) == 0
        assert b"console: quit, Bochs killed" in proc.stderr.read()
        assert gone(int(pid_file.read_text()))
        assert termios.tcgetattr(slave) == before  # the terminal is given back as it was
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
        os.close(slave)


def test_ctrl_c_from_a_pipe_kills_bochs(fake):
    """Without a tty, Ctrl-C reaches the script as SIGINT: Bochs must not outlive it."""
    env, esp, log, pid_file = fake
    proc = subprocess.Popen(["/usr/bin/python3", str(CONSOLE), str(esp), str(log)], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        read_until(proc.stdout.fileno(), b"Keel hypervisor (fake)")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        assert gone(int(pid_file.read_text()))
    finally:
        if proc.poll() is None:
            proc.kill()
