#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-linux-disk-qemu.sh [IMG [TIMEOUT_S [LOG]]]
# Boots the keel-linux disk (tools/mkdisk-linux.sh; default build/linux-disk.img)
# in QEMU TCG with Debian's SeaBIOS, as a reference for what Keel's hvm guest
# must do, and checks the whole path on the serial console:
#   GRUB ("keel-linux: grub loading") -> Linux ("Linux version") ->
#   /init ("keel-linux: init started") -> the prompt ("keel-linux# ") ->
#   a typed command is run (echo hello-from-$((6*7)) prints hello-from-42) ->
#   `exit` ends the shell, init powers off, QEMU exits.
# The serial console is QEMU's stdio on pipes, driven by a small python3 script
# (standard library only): a later test can drive any serial stream this way.
# Prints each step with its time since QEMU started; the log keeps every byte.
# Exits 0 when every step passed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
img=${1:-$top/build/linux-disk.img}
limit=${2:-300}
log=${3:-${img%.img}-qemu.log}
[ -f "$img" ] || { echo "no disk image $img (make linux-disk)" >&2; exit 2; }

exec "${PYTHON:-python3}" - "$img" "$limit" "$log" <<'PYEOF'
import os, select, subprocess, sys, time

img, limit, logpath = sys.argv[1], float(sys.argv[2]), sys.argv[3]
# KEEL_QEMU_BIOS, KEEL_QEMU_MEM: the UEFI disk's run (tools/efi-disk.mk) takes OVMF, 512 MiB.
cmd = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg",
       "-m", os.environ.get("KEEL_QEMU_MEM", "256"),
       "-bios", os.environ.get("KEEL_QEMU_BIOS", "/usr/share/seabios/bios-256k.bin"),
       # snapshot=on: the guest never writes the image (it does not even mount it)
       "-drive", "file=%s,format=raw,if=ide,snapshot=on" % img,
       "-display", "none", "-monitor", "none", "-serial", "stdio",
       "-net", "none", "-no-reboot"]

t0 = time.monotonic()
qemu = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT)
log = open(logpath, "wb")
buf = b""          # everything read so far
mark = 0           # expect() searches from here on
passed = failed = 0

def read_some(deadline):
    """Read what QEMU printed until DEADLINE; False once QEMU has exited."""
    global buf
    wait = deadline - time.monotonic()
    if wait <= 0:
        return True
    r, _, _ = select.select([qemu.stdout], [], [], min(wait, 1.0))
    if r:
        data = os.read(qemu.stdout.fileno(), 65536)
        if not data:
            return False
        buf += data
        log.write(data)
        log.flush()
    return True

def expect(what, text, timeout):
    """Wait for TEXT after the previous match; report the step."""
    global mark, passed, failed
    deadline = min(t0 + limit, time.monotonic() + timeout)
    needle = text.encode()
    alive = True
    while True:
        i = buf.find(needle, mark)
        if i >= 0:
            mark = i + len(needle)
            passed += 1
            print("ok   %-34s %7.1f s" % (what, time.monotonic() - t0), flush=True)
            return True
        if not alive or time.monotonic() >= deadline:
            failed += 1
            print("FAIL %-34s (no %r after %.1f s)" % (what, text, time.monotonic() - t0),
                  flush=True)
            return False
        alive = read_some(deadline)

def send(line):
    # One byte at a time: a UART with a small FIFO and no flow control loses
    # nothing this way, whatever the emulator.
    for ch in line.encode():
        qemu.stdin.write(bytes((ch,)))
        qemu.stdin.flush()
        time.sleep(0.005)

ok = (expect("GRUB ran grub.cfg", "keel-linux: grub loading /boot/vmlinuz", 60)
      and expect("GRUB started the kernel", "keel-linux: grub starting the kernel", 60)
      and expect("Linux started", "Linux version", 60)
      and expect("/init started", "keel-linux: init started", limit)
      and expect("shell prompt", "keel-linux# ", 60))
if ok:
    send("echo hello-from-$((6*7))\r")
    ok = expect("typed command ran", "hello-from-42", 60) and \
        expect("prompt again", "keel-linux# ", 60)
if ok:
    send("exit\r")
    ok = expect("shell exited", "keel-linux: shell exited", 60) and \
        expect("powered off", "reboot: Power down", 60)
if ok:
    deadline = time.monotonic() + 30
    while read_some(deadline) and time.monotonic() < deadline:
        pass
try:
    qemu.wait(timeout=10 if ok else 0.1)
except subprocess.TimeoutExpired:
    qemu.kill()
    qemu.wait()
    if ok:
        failed += 1
        print("FAIL QEMU did not exit after the power-off", flush=True)
print("serial log: %s" % logpath)
print("%d passed, %d failed" % (passed, failed))
sys.exit(0 if failed == 0 else 1)
PYEOF
