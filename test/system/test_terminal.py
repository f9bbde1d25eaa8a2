# SPDX-License-Identifier: MIT
"""Keel's console as a terminal (issue 12): the guest with the focus gets
the line raw, the others' output is held and shown tagged when the focus
moves, Ctrl-A c moves it, and a paste waits in Keel until the guest reads
it. `uartecho` (an elf64 guest reading its 16550 slowly, echoing as it
reads) has the focus from keel.cfg; `pvidle` (a PV guest) waits for a typed
line beside it. Takes about a minute in Bochs."""
import random
import re

from keel import POWER_OFF, Paste, guest, keel_part, make_esp, run_bochs_console

CFG = """console focus=echo
guest name=echo type=elf64 image=uartecho.elf memory=4M
guest name=idle type=pv image=pvidle.elf memory=4M args="ms=200 read"
"""
GREETING = b"\x1b[1muartecho\x1b[0m: \x1b[7mready\x1b[27m\r\n"


def fnv1a(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def test_focus_raw_output_held_backlog_and_a_paste(tmp_path):
    rnd = random.Random(12)
    # 600 printable characters, no Ctrl-A: a line pasted into the focused guest.
    line = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789 -_=+.,;:/") for _ in range(600))
    esp = make_esp(tmp_path, CFG, [guest("uartecho.elf"), guest("pvidle.elf")])
    text = run_bochs_console(esp, [
        (r"uartecho> ", Paste(line + "\r")),
        (r"uartecho: 600 bytes", "\x01c"),
        (r"keel: console: guest 'idle' has the focus[^\n]*\n(.*\n)*.*pvidle: type a line",
         "hi idle\r"),
        (r"keel: console: Keel's log has the focus", "\x01c"),
        (r"Keel's log has the focus[^\n]*\n(.*\n)*keel: console: guest 'echo' has the focus",
         "q\r"),
    ], timeout=600)
    raw = esp.with_suffix(".serial.log").read_bytes()
    log = keel_part(text)
    assert POWER_OFF in log, log[-3000:]
    assert "keel: guest 'echo' stopped: debug-exit port: status 0" in log, log[-3000:]

    # keel.cfg gave echo the focus: its escape sequences reach the line unchanged, untagged.
    assert re.search(rb"keel: console: guest 'echo' has the focus \(Ctrl-A c moves it\)\r\n"
                     rb"(.*\r\n)*" + re.escape(GREETING), raw), raw[:3000]
    assert b"[echo]" not in raw.split(b"keel: console: Keel's log has the focus")[0]

    # The paste was echoed as it was read, whole, and the FIFO never overran. (Keel's own
    # messages, such as idle starting, may come in between, each on a line of its own.)
    assert line.encode() + b"\r\n" in re.sub(rb"\r\nkeel: [^\r\n]*\r\n", b"", raw)
    assert f"uartecho: 600 bytes, fnv 0x{fnv1a(line.encode()):08x}, no overrun" in text, \
        text[-3000:]

    # While echo had the focus, idle's output was held; Ctrl-A c showed it tagged.
    before, after = log.split("keel: console: guest 'idle' has the focus (Ctrl-A c moves it)\n")
    assert "[idle]" not in before
    held = after.splitlines()
    assert held[0] == "[idle] pvidle: sleeping 200 ms on its timer", after[:2000]
    assert re.fullmatch(r"\[idle\] pvidle: woke \d+ us after its deadline", held[1]), held
    # (The prompt to type may have come after the focus moved: then untagged.)
    assert held[2] in ("[idle] pvidle: type a line", "pvidle: type a line"), held
    # Then idle had the line: what it printed came untagged.
    assert re.search(r"^pvidle: read 'hi idle' after \d+ polls$", after, re.M), after[:3000]
    # It stopped, so Keel's log took the focus back; Ctrl-A c gave it to echo again,
    # which took the typed "q" and echoed it untagged.
    back = after[after.index("keel: guest 'idle' stopped: shut down: status 0"):]
    assert "keel: console: Keel's log has the focus" in back
    assert re.search(r"keel: console: guest 'echo' has the focus \(Ctrl-A c moves it\)\n"
                     r"q\nuartecho: bye\n", back), back[:3000]
