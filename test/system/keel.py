# SPDX-License-Identifier: MIT
"""Helpers for Keel's system tests: build an ESP image, boot it in an
emulator, return what Keel printed on its serial console."""
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("KEEL_BUILD", ROOT / "build"))
ANSI = re.compile(rb"\x1b\[[0-9;=?]*[A-Za-z]")

# Keel prints this just before it powers off; the loader's errors end in the
# firmware's shell instead, so those tests stop at the message they expect.
POWER_OFF = "keel: powering off"
SEABIOS_PATH = Path("/usr/share/seabios/bios-256k.bin")


def guest(name):
    """Path of a built guest image."""
    return BUILD / "guests" / name


def make_esp(tmp_path, cfg_text, files=(), keel_elf=None, efi=None, cylinders=20):
    cfg = tmp_path / "keel.cfg"
    cfg.write_text(cfg_text)
    esp = tmp_path / "esp.img"
    subprocess.run([str(ROOT / "tools/mkesp.sh"), str(esp), str(efi or BUILD / "BOOTX64.EFI"),
                    str(keel_elf or BUILD / "keel.elf"), str(cfg)] + [str(f) for f in files],
                   check=True, env=dict(os.environ, ESP_CYLINDERS=str(cylinders)))
    return esp


def _run(cmd, log, until, timeout, env=None):
    """Run an emulator until `until` appears in the serial log, it exits, or
    the timeout passes; return the log with escape sequences removed."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, env=env)
    deadline = time.monotonic() + timeout
    pattern = re.compile(until.encode()) if until else None
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
            if pattern and log.exists() and pattern.search(log.read_bytes()):
                time.sleep(1)  # let the line finish
                break
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = ANSI.sub(b"", log.read_bytes() if log.exists() else b"")
    return text.decode("latin-1").replace("\r", "")


def run_bochs(esp, cpu="corei7_skylake_x", until=POWER_OFF, timeout=300, cpus=1):
    """cpus: the machine's CPU count (Bochs's cpu: count=)."""
    log = esp.with_suffix(".serial.log")
    return _run([str(ROOT / "tools/run-bochs.sh"), str(esp), str(log), cpu, str(timeout)],
                log, until, timeout, env=dict(os.environ, BOCHS_CPUS=str(cpus)))


def run_qemu(esp, until=POWER_OFF, timeout=120, cpu=None, smp=1):
    """cpu: QEMU's -cpu model (qemu64 if None; "max" has SMEP and SMAP); smp: CPUs."""
    log = esp.with_suffix(".serial.log")
    env = dict(os.environ, QEMU_SMP=str(smp), **({"QEMU_CPU": cpu} if cpu else {}))
    return _run([str(ROOT / "tools/run-qemu.sh"), str(esp), str(log), str(timeout)],
                log, until, timeout, env=env)


def keel_part(text):
    """Only what Keel printed (from its banner on)."""
    i = text.find("Keel hypervisor")
    return text[i:] if i >= 0 else ""


def guest_lines(text, name):
    return [l[len(name) + 3:] for l in text.splitlines() if l.startswith(f"[{name}] ")]


# One exit of a stop report's trace: number, +ticks since the one before, reason, qual, rip.
TRACE_LINE = re.compile(r"keel:   #(\d+) +(?:\+(\d+))? +(\S.*?) +qual 0x([0-9a-f]+) +"
                        r"rip 0x([0-9a-f]+)$")


def exit_trace(text, name):
    """The first exit trace of guest `name` in text, oldest first: one
    (number, ticks since the one before or None, reason, qualification, rip)
    per exit; checks the lines are the vCPU's last exits, in order."""
    m = re.search(rf"^keel: guest '{name}': last (\d+) of (\d+) exits, oldest first.*\n"
                  r"((?:keel:   #.*\n)+)", text, re.M)
    assert m, text[:3000]
    lines = [TRACE_LINE.match(l) for l in m.group(3).splitlines()]
    assert all(lines), m.group(0)
    trace = [(int(l[1]), int(l[2]) if l[2] else None, l[3], int(l[4], 16), int(l[5], 16))
             for l in lines]
    kept, total = int(m.group(1)), int(m.group(2))
    assert len(trace) == kept and 0 < kept <= 16 and kept <= total, m.group(0)
    assert [t[0] for t in trace] == list(range(total - kept + 1, total + 1)), m.group(0)
    assert all(t[1] is not None and t[1] > 0 for t in trace[1:]), m.group(0)
    return trace


def stop_trace(log, name):
    """The exit trace in guest `name`'s stop report (see exit_trace)."""
    return exit_trace(log[log.index(f"keel: guest '{name}' stopped:"):], name)


def dump_rip(log, name):
    report = log[log.index(f"keel: guest '{name}' stopped:"):]
    return int(re.search(r"  rip [0-9a-f]{4}:([0-9a-f]{16})", report).group(1), 16)


def free_port():
    """A port nobody listens on now: a fixed one per process (its pid) made a second
    console test in the same process fail, the last Bochs's port still in TIME_WAIT."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Paste(str):
    """Script text sent in one write, as a terminal sends a paste."""


def run_bochs_console(esp, script, cpu="corei7_skylake_x", timeout=1500, port=None, megs=256,
                      cpus=1):
    """Boot in Bochs with COM1 on a TCP socket and play `script`, a list of
    (regex to wait for, text to type) pairs; text is typed a byte at a time,
    a Paste all at once. Then wait for power-off or the timeout. cpus: the
    machine's CPU count (Bochs's cpu: count=). Returns the
    console log with escape sequences removed (the raw bytes are in
    esp.with_suffix(".serial.log"))."""
    port = port or free_port()
    log = esp.with_suffix(".serial.log")
    env = dict(os.environ, BOCHS_SERIAL_SOCKET=str(port), BOCHS_MEGS=str(megs),
               BOCHS_CPUS=str(cpus))
    proc = subprocess.Popen([str(ROOT / "tools/run-bochs.sh"), str(esp), str(log), cpu,
                             str(timeout)], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + timeout
    data = b""
    try:
        sock = None
        while sock is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=1)
            except OSError:
                time.sleep(0.5)
        if sock is None:
            return ""
        sock.settimeout(1)
        steps = list(script)
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            except socket.timeout:
                pass
            text = ANSI.sub(b"", data).decode("latin-1")
            if steps and re.search(steps[0][0], text):
                time.sleep(1)
                typed = steps.pop(0)[1]
                if isinstance(typed, Paste):
                    sock.sendall(typed.encode("latin-1"))
                    continue
                for ch in typed.encode("latin-1"):
                    sock.sendall(bytes([ch]))  # one byte at a time, like a person typing
                    time.sleep(0.05)
            if not steps and POWER_OFF in text:
                break
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.write_bytes(data)
    return ANSI.sub(b"", data).decode("latin-1").replace("\r", "")
