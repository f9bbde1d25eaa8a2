# SPDX-License-Identifier: MIT
"""The loader's boot menu under QEMU TCG + OVMF (whose console is on COM1,
keys typed there included): an ESP holding keel.cfg, keel-bench.cfg (the
stick's own, tools/keel-bench.cfg) and keel-tests.cfg. The default boots
after the countdown, a digit boots another, Enter the default at once; with
one config, or `menu timeout=0`, there is no menu. Without a firmware
console on a serial port the menu goes to the config's port itself. In
Bochs (VT-x) keel-bench.cfg picked from the menu runs bench64. Also what
`make esp` (and so `make usb`) puts on the stick."""
import os
import re
import signal
import socket
import subprocess
import time

from keel import (ANSI, BUILD, POWER_OFF, ROOT, SEABIOS_PATH, guest, guest_lines, keel_part,
                  make_esp, run_bochs_console, run_qemu)

HELLO = 'guest name=hello type=pv image=hello.elf memory=4M args="from keel.cfg"\n'
TESTS = ("guest name=ping type=pv image=ping.elf memory=4M\n"
         "guest name=pong type=pv image=pong.elf memory=4M\n")
FILES = ["hello.elf", "ping.elf", "pong.elf", "pvbench.elf", "bench64.elf", "hvmbench.img"]


def three_configs(tmp_path, keel_cfg=HELLO, tests_cfg=TESTS):
    """An ESP with keel.cfg (hello), keel-tests.cfg (ping, pong), keel-bench.cfg."""
    (tmp_path / "keel-tests.cfg").write_text(tests_cfg)
    return make_esp(tmp_path, keel_cfg, [guest(f) for f in FILES] + [
        SEABIOS_PATH, tmp_path / "keel-tests.cfg", ROOT / "tools/keel-bench.cfg"])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_qemu_typing(esp, script, serial=None, timeout=120):
    """Boot in QEMU TCG with a serial port on a TCP socket and play `script`,
    (regex to wait for, text to type) pairs; then wait for power-off.
    serial: QEMU options for that port, {port} filled in (default: COM1)."""
    port = free_port()
    chardev = f"socket,id=con,host=127.0.0.1,port={port},server=on,wait=on"
    serial = serial or ["-chardev", chardev, "-serial", "chardev:con"]
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", "qemu64", "-m", "256",
           "-nographic", "-no-reboot", "-bios", "/usr/share/ovmf/OVMF.fd",
           "-drive", f"file={esp},format=raw,if=ide", "-monitor", "none", "-display", "none",
           "-net", "none"] + [a.format(chardev=chardev) for a in serial]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    data, steps = b"", list(script)
    try:
        sock = None
        while sock is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=1)
            except OSError:
                time.sleep(0.2)
        assert sock, "QEMU did not open its serial socket"
        sock.settimeout(0.2)
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
                sock.sendall(steps.pop(0)[1].encode())
            if not steps and POWER_OFF in text:
                break
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        esp.with_suffix(".serial.log").write_bytes(data)
    return ANSI.sub(b"", data).decode("latin-1").replace("\r", "")


def menu_lines(log):
    return [l for l in log.splitlines() if l.startswith("keel-loader:   ")]


MENU = ["keel-loader:   1  keel.cfg         hello  (default)",
        "keel-loader:   2  keel-bench.cfg   bench64 pvbench ping pong hvmbench",
        "keel-loader:   3  keel-tests.cfg   ping pong"]
PROMPT = r"1-3 boots that config, Enter the default; keel\.cfg in \d+"


def countdown(log):
    """The seconds the countdown showed, e.g. [3, 2, 1]."""
    m = re.search(r"Enter the default; keel\.cfg in ([\d ]+)\n", log)
    assert m, log[:3000]
    return [int(n) for n in m.group(1).split()]


def test_default_boots_after_the_timeout(tmp_path):
    log = run_qemu(three_configs(tmp_path))
    assert "keel-loader: boot menu (\\keel\\*.cfg):" in log
    assert menu_lines(log) == MENU
    assert countdown(log) == [3, 2, 1]
    assert "keel-loader: booting keel.cfg (no key)\n" in log
    keel = keel_part(log)
    assert "hello from hello (domain 0), 2 argument(s): [from] [keel.cfg]" in guest_lines(keel,
                                                                                         "hello")
    assert "[pvbench]" not in keel and "[ping]" not in keel
    assert POWER_OFF in keel


def test_a_digit_boots_that_config(tmp_path):
    esp = three_configs(tmp_path, "menu timeout=30\n" + HELLO)
    log = run_qemu_typing(esp, [(PROMPT, "2")])
    assert menu_lines(log) == MENU
    # The key cut the 30 s countdown short.
    shown = countdown(log)
    assert shown[0] == 30 and len(shown) < 10, shown
    assert "keel-loader: booting keel-bench.cfg (key 2)\n" in log
    keel = keel_part(log)
    # keel-bench.cfg's header: the CPU, and the hypervisor Keel runs under (QEMU's TCG).
    assert re.search(r"^cpu: .+ \(signature 0x[0-9a-f]+\) \(nested under TCGTCGTCGTCG\)$", keel,
                     re.M), keel[:2000]
    pvbench = guest_lines(keel, "pvbench")
    assert ("pvbench: deprivileged, 301 iterations, ticks per round trip (ticks are TSC cycles; "
            "in Bochs they are instructions)") in pvbench
    assert [l.split()[1] for l in pvbench if l.startswith("BENCH ")] == ["none", "hcall"]
    assert "pvbench: done" in pvbench
    assert "ping: done" in guest_lines(keel, "ping")
    assert "keel: guest 'bench64' not started: it needs VT-x with EPT" in keel
    assert "keel: guest 'hvmbench' not started: it needs VT-x with EPT" in keel
    assert "[hello]" not in keel
    assert POWER_OFF in keel


def test_bench_config_from_the_menu_in_bochs(tmp_path):
    """keel-bench.cfg picked on the stick where there is VT-x (Bochs + OVMF):
    bench64 times every exit type, with the CPU line as its header."""
    esp = three_configs(tmp_path, "menu timeout=30\n" + HELLO)
    log = run_bochs_console(esp, [(PROMPT, "2")], timeout=300)
    assert "keel-loader: booting keel-bench.cfg (key 2)\n" in log
    keel = keel_part(log)
    # Bochs sets no hypervisor bit: Keel is not nested there.
    assert re.search(r"^cpu: .+ \(signature 0x[0-9a-f]+\) \(not nested\)$", keel, re.M), keel[:2000]
    bench = guest_lines(keel, "bench64")
    assert bench[0] == ("bench64: 301 iterations per exit type, ticks per round trip (ticks are "
                        "TSC cycles; in Bochs they are instructions)")
    figures = [re.match(r"BENCH (\S+) +min +(\d+) median +(\d+)$", l) for l in bench[1:-1]]
    assert all(figures), bench
    assert [f[1] for f in figures] == ["none", "cpuid", "vmcall", "pio", "rdmsr", "mmio"]
    assert all(0 < int(f[2]) <= int(f[3]) for f in figures), bench
    assert bench[-1] == "bench64: done"
    assert "pvbench: in a VM, 301 iterations" in "\n".join(guest_lines(keel, "pvbench"))
    assert "ping: done" in guest_lines(keel, "ping") and "[hello]" not in keel
    assert "hvmbench: done" in guest_lines(keel, "hvmbench")
    assert POWER_OFF in keel


def test_enter_boots_the_default_now_and_other_keys_are_ignored(tmp_path):
    esp = three_configs(tmp_path, "menu timeout=30\n" + HELLO)
    # 9 is past the three configs, x is no digit: neither counts.
    log = run_qemu_typing(esp, [(PROMPT, "9x"), (PROMPT, "\r")])
    shown = countdown(log)
    assert shown[0] == 30 and len(shown) < 10, shown
    assert "keel-loader: booting keel.cfg (Enter)\n" in log
    keel = keel_part(log)
    assert guest_lines(keel, "hello") and "[ping]" not in keel
    assert POWER_OFF in keel


def test_no_menu_with_one_config_or_timeout_0(tmp_path):
    (tmp_path / "one").mkdir()
    one = run_qemu(make_esp(tmp_path / "one", HELLO, [guest("hello.elf")]))
    off = run_qemu(three_configs(tmp_path, "menu timeout=0\n" + HELLO))
    for log in one, off:
        assert "keel-loader: starting" in log
        assert "boot menu" not in log and "keel-loader: booting" not in log
        assert guest_lines(keel_part(log), "hello") and POWER_OFF in log


def test_menu_on_the_configs_port_without_a_firmware_serial_console(tmp_path):
    """COM3 (0x3e8) is a port OVMF does not know: it has no console there,
    so the loader writes the menu and reads the key there itself."""
    com3 = "console port=0x3e8 baud=115200\n"
    serial = ["-serial", "none", "-chardev", "{chardev}",
              "-device", "isa-serial,iobase=0x3e8,irq=5,chardev=con"]
    log = run_qemu_typing(three_configs(tmp_path, com3 + HELLO, com3 + TESTS), [(PROMPT, "3")],
                          serial=serial)
    # Only the loader's menu and Keel reach this port: no firmware lines.
    assert log.lstrip().startswith("keel-loader: boot menu (\\keel\\*.cfg):\n"), log[:500]
    assert "BdsDxe" not in log and "keel-loader: starting" not in log
    assert menu_lines(log) == MENU
    assert "keel-loader: booting keel-tests.cfg (key 3)\n" in log
    keel = keel_part(log)
    assert "ping: done" in guest_lines(keel, "ping") and "[hello]" not in keel


def test_make_esp_holds_the_three_configs_and_every_file_they_name(tmp_path):
    """make -n over an empty build directory: the ESP (what `make usb` writes
    to the stick) gets keel.cfg, keel-tests.cfg and keel-bench.cfg, and
    mkesp.sh checks every file they name is there too (ESP_CHECK=1)."""
    out = subprocess.run(["make", "-n", "--no-print-directory", f"B={tmp_path}/b",
                          f"{tmp_path}/b/keel-usb.img"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    cmd = re.search(r"^ESP_CHECK=1 ESP_CYLINDERS=\d+ tools/mkesp.sh (.*)$", out.replace("\\\n", ""),
                    re.M)
    assert cmd, out[-3000:]
    args = cmd.group(1).split()
    assert args[3] == "tools/keel.cfg"
    on_esp = {os.path.basename(a) for a in args[4:]}
    assert {"keel-tests.cfg", "keel-bench.cfg"} <= on_esp
    for cfg in "keel.cfg", "keel-tests.cfg", "keel-bench.cfg":
        # Guest lines only: a comment may mention `image=` in prose.
        text = "\n".join(l for l in (ROOT / "tools" / cfg).read_text().splitlines()
                         if not l.lstrip().startswith("#"))
        named = set(re.findall(r"\b(?:image|firmware|module|disk)=(\S+)", text))
        if "type=hvm" in text:
            named.add("bios-256k.bin")
        assert named and named <= on_esp, (cfg, named - on_esp)


def test_mkesp_refuses_a_config_naming_a_missing_file(tmp_path):
    (tmp_path / "keel-tests.cfg").write_text(TESTS)
    cmd = [str(ROOT / "tools/mkesp.sh"), str(tmp_path / "esp.img"), str(BUILD / "BOOTX64.EFI"),
           str(BUILD / "keel.elf"), str(tmp_path / "keel-tests.cfg"), str(guest("ping.elf"))]
    r = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, ESP_CHECK="1"))
    assert r.returncode == 1
    assert f"mkesp: keel-tests.cfg names pong.elf, which is not on {tmp_path}/esp.img" in r.stderr
    assert not (tmp_path / "esp.img").exists()
    # Without ESP_CHECK (the tests' own ESPs), the loader reports it at boot instead.
    subprocess.run(cmd, check=True, capture_output=True)
