# SPDX-License-Identifier: MIT
"""PV guests: C programs on Keel's PV runtime and newlib, talking to Keel
through the hypercall page (guests/include/keel/abi.h)."""
import re

from keel import POWER_OFF, guest, guest_lines, keel_part, make_esp, run_bochs


def test_hello_runs_newlib_on_the_pv_runtime(tmp_path):
    cfg = ('guest name=hello type=pv image=hello.elf memory=4M args="one two"\n'
           "guest name=after type=real image=real16.bin memory=1M\n")
    log = keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("hello.elf"),
                                                       guest("real16.bin")])))
    out = guest_lines(log, "hello")
    assert "hello from hello (domain 0), 2 argument(s): [one] [two]" in out, log
    assert "hello: malloc-42-0.667" in out
    assert "hello: 4096 KiB of RAM, heap " in "\n".join(out)
    heap = int(re.search(r"heap (\d+) KiB", "\n".join(out)).group(1))
    assert 2500 < heap < 4096
    assert "hello: time runs: yes" in out
    for line in ("my domain id = 0",
                 "console write from unmapped memory = -14",
                 "console write from a non-canonical address = -14",
                 "console write of 1 MiB = -22",
                 "memory query into unmapped memory = -14",
                 "domain find of an unknown name = -2",
                 "domain find of an empty name = -22",
                 "shutdown with reason 7 = -22",
                 "call 100 = -38"):
        assert f"hello: {line}" in out, log
    assert "hello: all checks passed" in out
    assert "keel: guest 'hello' stopped: shut down: status 0" in log
    # The other guest still runs after it.
    assert "keel: guest 'after' stopped: debug-exit port: status 0" in log
    assert POWER_OFF in log
