# SPDX-License-Identifier: MIT
"""Keel's console on the screen (drivers/video/) under QEMU TCG + OVMF, whose
GOP framebuffer Keel draws on: after Keel powers off (QEMU -no-shutdown keeps
the display), QEMU's monitor dumps the screen, and the test reads it back as
text by cutting it into glyph cells and matching each against Keel's font
table (drivers/video/font8x16.c), then checks it against the serial log."""
import ast
import os
import re
import signal
import socket
import subprocess
import time

from keel import ANSI, BUILD, POWER_OFF, ROOT, guest, keel_part, make_esp

FONT_C = ROOT / "drivers/video/font8x16.c"
SCREEN_LINE = re.compile(r"screen: (\d+)x(\d+) framebuffer at 0x[0-9a-f]+ \(([^)]*)\), "
                         r"(\d+)x(\d+) text cells of (\d+)x(\d+) pixels")
UNKNOWN = "#"  # a cell that matches no glyph: garbage on the screen


def font_table():
    """{16 glyph rows as bytes: character} from the C table Keel draws with."""
    glyphs = {}
    for row in re.finditer(r"\{ ((?:0x[0-9a-f]{2}, ){15}0x[0-9a-f]{2}) \}, /\* (.*) \*/",
                           FONT_C.read_text()):
        bits = bytes(int(b, 16) for b in row.group(1).split(", "))
        label = row.group(2)
        char = "\ufffd" if label == "replacement" else ast.literal_eval(label)  # 'A'
        glyphs.setdefault(bits, char)
    return glyphs


def read_ppm(path):
    data = path.read_bytes()
    magic, size, maxval, pixels = data.split(b"\n", 3)
    assert magic == b"P6" and maxval == b"255", data[:20]
    width, height = map(int, size.split())
    return width, height, pixels


def screen_text(path, cols, rows, cell_w, cell_h):
    """The screen dump as rows of text, trailing blanks cut. A pixel is lit if
    it is bright; the cursor's cell is drawn inverse and reads as its glyph."""
    width, height, px = read_ppm(path)
    scale = cell_w // 8
    glyphs = font_table()
    lines = []
    for r in range(rows):
        line = ""
        for c in range(cols):
            bits = bytearray(16)
            for y in range(16):
                py = r * cell_h + y * scale
                for x in range(8):
                    i = 3 * (py * width + c * cell_w + x * scale)
                    if max(px[i:i + 3]) > 0x60:
                        bits[y] |= 0x80 >> x
            char = glyphs.get(bytes(bits)) or glyphs.get(bytes(b ^ 0xff for b in bits), UNKNOWN)
            line += char
        lines.append(line.rstrip())
    return lines


def monitor(sock_path, command):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(sock_path))
        s.settimeout(5)
        time.sleep(0.3)
        s.recv(4096)  # QEMU's banner
        s.sendall(command.encode() + b"\n")
        time.sleep(1)
        return s.recv(65536)


def run_qemu_screen(tmp_path, cfg, files, timeout=120):
    """Boot under QEMU TCG + OVMF until Keel powers off; dump the screen.
    Returns (serial log without escape sequences, path of the PPM dump)."""
    esp = make_esp(tmp_path, cfg, files)
    log, mon, ppm = tmp_path / "serial.log", tmp_path / "monitor.sock", tmp_path / "screen.ppm"
    proc = subprocess.Popen(
        ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", "qemu64", "-m", "256",
         "-no-reboot", "-no-shutdown", "-bios", "/usr/share/ovmf/OVMF.fd",
         "-drive", f"file={esp},format=raw,if=ide", "-serial", f"file:{log}",
         "-monitor", f"unix:{mon},server,nowait", "-display", "none", "-net", "none"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            if log.exists() and POWER_OFF.encode() in log.read_bytes():
                break
        time.sleep(1)  # -no-shutdown: QEMU stops the machine and keeps its display
        monitor(mon, f"screendump {ppm}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = ANSI.sub(b"", log.read_bytes()).decode("latin-1").replace("\r", "")
    return text, ppm


def geometry(log):
    m = SCREEN_LINE.search(log)
    assert m, log
    return {"width": int(m[1]), "height": int(m[2]), "type": m[3], "cols": int(m[4]),
            "rows": int(m[5]), "cell_w": int(m[6]), "cell_h": int(m[7])}


def wrapped(lines, cols):
    """Serial lines as the screen shows them: tabs expanded, long lines wrapped."""
    out = []
    for line in lines:
        line = line.expandtabs(8)
        while len(line) > cols:
            out.append(line[:cols])
            line = line[cols:]
        out.append(line.rstrip())
    return out


def check_screen_matches_serial(log, ppm):
    """The screen shows Keel's output as the serial line has it, bottom lines alike."""
    g = geometry(log)
    screen = screen_text(ppm, g["cols"], g["rows"], g["cell_w"], g["cell_h"])
    assert not any(UNKNOWN in row for row in screen), "\n".join(screen)
    # The cursor waits on an empty last row after Keel's last line.
    assert screen[-1] == "", screen[-1]
    serial = wrapped(keel_part(log).rstrip("\n").split("\n"), g["cols"])
    shown = screen[:-1]
    if len(serial) < len(shown):  # not scrolled yet: blank rows below
        shown = shown[:len(serial)]
    assert shown == serial[-len(shown):], "\n".join(screen)
    return screen


HELLO = 'guest name=hello type=pv image=hello.elf memory=4M args="one two"\n'


PING_PONG = ("guest name=ping type=pv image=ping.elf memory=4M\n"
             "guest name=pong type=pv image=pong.elf memory=4M\n")


def test_screen_shows_keel_and_the_focused_guest(tmp_path):
    log, ppm = run_qemu_screen(tmp_path, "console port=0x3f8 focus=hello\n" + HELLO,
                               [guest("hello.elf")])
    g = geometry(log)
    assert (g["width"], g["height"]) == (1280, 800)  # OVMF's GOP mode under QEMU
    assert g["type"] == "write-combining"
    assert (g["cols"], g["rows"], g["cell_w"], g["cell_h"]) == (160, 50, 8, 16)
    screen = check_screen_matches_serial(log, ppm)
    # The focused guest's output untagged, as on the serial line, and Keel's own lines.
    assert "hello from hello (domain 0), 2 argument(s): [one] [two]" in screen
    assert "hello: all checks passed" in screen
    assert "keel: guest 'hello' stopped: shut down: status 0" in screen
    assert screen[-2] == POWER_OFF


def test_screen_follows_the_focus(tmp_path):
    """hello has the focus, so ping's and pong's output is held; when hello
    stops the focus moves to Keel's log and the screen shows the held lines
    tagged, as the serial line does."""
    log, ppm = run_qemu_screen(tmp_path, "console port=0x3f8 focus=hello\n" + HELLO + PING_PONG,
                               [guest(n) for n in ("hello.elf", "ping.elf", "pong.elf")])
    screen = check_screen_matches_serial(log, ppm)
    banner = "keel: console: Keel's log has the focus (Ctrl-A c moves it)"
    keel = keel_part(log)
    assert keel.index("keel: guest 'hello' stopped") < keel.index(banner) < keel.index("[ping] ")
    # The banner itself may have scrolled off the top by power-off.
    moved = screen.index(banner) if banner in screen else 0
    assert any(row.startswith("[ping] ") for row in screen[moved:]), "\n".join(screen)
    assert any(row.startswith("[pong] ") for row in screen[moved:]), "\n".join(screen)
    assert not any(row.startswith("[hello] ") for row in screen), "\n".join(screen)
    assert screen[-2] == POWER_OFF


def test_screen_shows_tagged_lines_from_keels_log(tmp_path):
    cfg = HELLO + PING_PONG
    log, ppm = run_qemu_screen(tmp_path, cfg, [guest(n) for n in ("hello.elf", "ping.elf",
                                                                  "pong.elf")])
    screen = check_screen_matches_serial(log, ppm)
    # Which guest's lines are still on the screen depends on the order they ran in.
    tagged = [row for row in screen if re.match(r"\[(hello|ping|pong)\] \1: ", row)]
    assert len(tagged) >= 10, "\n".join(screen)
    assert screen[-2] == POWER_OFF


def test_screen_off_leaves_the_framebuffer_alone(tmp_path):
    log, ppm = run_qemu_screen(tmp_path, "console port=0x3f8 screen=off\n" + HELLO,
                               [guest("hello.elf")])
    keel = keel_part(log)
    assert "screen: off (keel.cfg console screen=off)" in keel
    assert "[hello] hello: all checks passed" in keel and POWER_OFF in keel
    assert not SCREEN_LINE.search(keel)
    screen = screen_text(ppm, 160, 50, 8, 16)  # what Keel would have drawn: none of it
    assert not any("keel:" in row or "hello" in row for row in screen), "\n".join(screen)
