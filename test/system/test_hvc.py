# SPDX-License-Identifier: MIT
"""Typed input to the hvm guest's virtio-console (hvc0) with keel.cfg
console=hvc0 (docs/virtio.md): Debian's Linux boots as in test_linux, its
shell on ttyS0 prints its prompt, and what is typed from then on goes to
hvc0's receive queue, not the UART. The test disk's init starts a second
shell on hvc0 at the first line typed there (prompt keel-hvc0#), which
answers a typed command and a pasted line and powers the guest off. Were
typed bytes going to the UART, the ttyS0 shell would answer instead (its
prompt again, tty saying /dev/ttyS0) and hvc0's shell would never start.
In Bochs this takes about three minutes."""
import hashlib
import random
import re

from keel import BUILD, POWER_OFF, Paste, keel_part, make_esp, run_bochs_console, SEABIOS_PATH


def test_hvc0_takes_typed_input(tmp_path):
    cfg = "guest name=linux type=hvm image=linux-disk.img memory=192M console=hvc0\n"
    esp = make_esp(tmp_path, cfg, [BUILD / "linux-disk.img", SEABIOS_PATH], cylinders=100)
    rnd = random.Random(5)
    word = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(300))
    md5 = hashlib.md5((word + "\n").encode()).hexdigest()
    log = run_bochs_console(esp, [
        # The UART's shell is up, so virtio_console has posted its receive buffers.
        (r"keel-linux# ", "\n"),
        (r"keel-hvc0# ", "tty; echo hvc-in-$((6*7))\n"),
        (r"hvc-in-42", Paste(f"echo {word} | md5sum\n")),
        (md5, "\x01s"),
        (r"typing goes to", "poweroff -f\n"),
    ], megs=512, timeout=1200)
    keel = keel_part(log)
    assert "[linux] keel-linux: init started" in keel, log[-3000:]
    # hvc0's shell got the line, ran the command and answered on hvc0 (its echo
    # of each typed byte comes as a partial line of its own: not checked).
    assert re.search(r"^\[linux\] /dev/hvc0$", keel, re.M), keel[-3000:]
    assert re.search(r"^\[linux\] hvc-in-42$", keel, re.M), keel[-3000:]
    assert re.search(rf"^\[linux\] {md5}  -$", keel, re.M), keel[-3000:]
    # Keel's count (Ctrl-A s): hvc0 took every byte typed so far, Ctrl-A s not among them.
    m = re.search(r"virtio-console: \d+ bytes out, (\d+) typed bytes in, 0 receive chains "
                  r"refused; typing goes to hvc0", keel)
    typed = "\n" + "tty; echo hvc-in-$((6*7))\n" + f"echo {word} | md5sum\n"
    assert m and int(m.group(1)) == len(typed), keel[-3000:]
    # The UART's shell saw none of it: its prompt once, no answer of its own.
    assert "/dev/ttyS0" not in keel, keel[-3000:]
    assert len(re.findall(r"keel-linux# ", keel)) == 1, keel[-3000:]
    assert "DEVICE_NEEDS_RESET" not in keel
    assert "keel: guest 'linux' stopped: powered itself off (ACPI S5)" in keel, keel[-3000:]
    assert POWER_OFF in keel
