# SPDX-License-Identifier: MIT
"""tools/console.py (what `make run` uses) against a fake `bochs` on PATH
(fake_bochs.py): run-bochs.sh and the console script are the real ones,
so this checks the socket set-up, both directions of the bridge, the log,
raw mode and Ctrl-]. Takes a few seconds; no emulator runs."""
import importlib.util
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
                          input=b"hello\n\x1b[7minverse\x1b[0m\nexit\n", capture_output=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode().replace("\r", "")
    # The firmware's escape sequences (one split across reads) are not shown, the text is.
    assert out.startswith("Keel hypervisor (fake)\n"), out
    assert "\x1b[2J" not in out and "\x1b[01;01H" not in out
    # After Keel's banner they pass unchanged: a guest with the focus drives the terminal.
    assert "got: hello\ngot: \x1b[7minverse\x1b[0m\ngot: exit\nkeel: powering off\n" in out
    # The log keeps what arrived, byte for byte.
    assert log.read_bytes().startswith(b"\x1b[2J\x1b[01;01HKeel hypervisor (fake)\r\n")
    assert b"keel: powering off" in log.read_bytes()


def test_screen_strips_until_keels_banner_even_split(tmp_path, monkeypatch, capsysbinary):
    """Screen on its own: the firmware's sequences go, Keel's banner split
    across reads is found, and from it on every byte passes."""
    spec = importlib.util.spec_from_file_location("console", CONSOLE)
    console = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(console)
    with open(tmp_path / "log", "wb") as log:
        screen = console.Screen(log)
        for chunk in (b"\x1b[2JBdsDxe: loading\x1b[0m\r\n\nKeel hyp", b"ervisor (x)\r\n",
                      b"\x1b[1;1H\x1b[2Jtop - 10:00\x1b[", b"K\r\n"):
            screen.write(chunk)
    out = capsysbinary.readouterr().out
    assert out == (b"BdsDxe: loading\r\n\nKeel hypervisor (x)\r\n"
                   b"\x1b[1;1H\x1b[2Jtop - 10:00\x1b[K\r\n"), out
    assert (tmp_path / "log").read_bytes().startswith(b"\x1b[2JBdsDxe")


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
