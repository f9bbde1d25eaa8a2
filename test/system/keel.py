# SPDX-License-Identifier: MIT
"""Helpers for Keel's system tests: build an ESP image, boot it in an
emulator, return what Keel printed on its serial console."""
import os
import re
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("KEEL_BUILD", ROOT / "build"))
ANSI = re.compile(rb"\x1b\[[0-9;=?]*[A-Za-z]")

# Keel prints this just before it powers off; the loader's errors end in the
# firmware's shell instead, so those tests stop at the message they expect.
POWER_OFF = "keel: powering off"


def guest(name):
    """Path of a built guest image."""
    return BUILD / "guests" / name


def make_esp(tmp_path, cfg_text, files=(), keel_elf=None, efi=None):
    cfg = tmp_path / "keel.cfg"
    cfg.write_text(cfg_text)
    esp = tmp_path / "esp.img"
    subprocess.run([str(ROOT / "tools/mkesp.sh"), str(esp), str(efi or BUILD / "BOOTX64.EFI"),
                    str(keel_elf or BUILD / "keel.elf"), str(cfg)] + [str(f) for f in files],
                   check=True, env=dict(os.environ, ESP_CYLINDERS="20"))
    return esp


def _run(cmd, log, until, timeout):
    """Run an emulator until `until` appears in the serial log, it exits, or
    the timeout passes; return the log with escape sequences removed."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
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


def run_bochs(esp, cpu="corei7_skylake_x", until=POWER_OFF, timeout=300):
    log = esp.with_suffix(".serial.log")
    return _run([str(ROOT / "tools/run-bochs.sh"), str(esp), str(log), cpu, str(timeout)],
                log, until, timeout)


def run_qemu(esp, until=POWER_OFF, timeout=120):
    log = esp.with_suffix(".serial.log")
    return _run([str(ROOT / "tools/run-qemu.sh"), str(esp), str(log), str(timeout)],
                log, until, timeout)


def keel_part(text):
    """Only what Keel printed (from its banner on)."""
    i = text.find("Keel hypervisor")
    return text[i:] if i >= 0 else ""


def guest_lines(text, name):
    return [l[len(name) + 3:] for l in text.splitlines() if l.startswith(f"[{name}] ")]
