# SPDX-License-Identifier: MIT
"""The build from a clean tree: every image target knows all it needs, so it
works as the first command (issue 12: `make build/tests-esp.img` used to stop
at a missing build/guests/hello.elf until `make all` had run). make -n over an
empty build directory shows the plan without building anything."""
import re
import subprocess

from keel import ROOT


def plan(tmp_path, target):
    out = subprocess.run(["make", "-n", "--no-print-directory", f"B={tmp_path}/b", target],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout


def test_test_image_builds_every_guest_first(tmp_path):
    steps = plan(tmp_path, f"{tmp_path}/b/tests-esp.img")
    esp = steps.index("mkesp.sh")
    cfg = (ROOT / "tools/keel-tests.cfg").read_text()
    images = set(re.findall(r"image=(\S+)", cfg)) | set(re.findall(r"module=(\S+)", cfg))
    assert images, cfg
    for image in images - {"bios-256k.bin"}:
        # Each image the config names is made (linked, assembled or imaged) before the ESP.
        made = [m.start() for m in re.finditer(rf"-o \S*/guests/{re.escape(image)}\b|"
                                               rf"\S*/guests/{re.escape(image)}\.tmp", steps)]
        assert made and min(made) < esp, f"{image} is not built before the ESP:\n{steps}"
