# SPDX-License-Identifier: MIT
"""moddeps.py DIR MODULE...: the .ko files under DIR that MODULE... need,
each after the modules it depends on (its .modinfo "depends=", which is
what depmod puts in modules.dep), one path a line: the order to insmod."""
import os
import sys


def norm(name):
    return name.replace("-", "_")


def depends(path):
    with open(path, "rb") as f:
        for field in f.read().split(b"\0"):
            if field.startswith(b"depends="):
                return [d for d in field[8:].decode().split(",") if d]
    return []


def main(top, wanted):
    ko = {}
    for root, _, files in os.walk(top):
        for name in files:
            if name.endswith(".ko"):
                ko[norm(name[:-3])] = os.path.join(root, name)
    order = []

    def visit(name, chain):
        key = norm(name)
        if key not in ko:
            sys.exit(f"moddeps: no module {name} under {top}")
        if key in chain:
            sys.exit(f"moddeps: dependency loop through {name}")
        if ko[key] in order:
            return
        for dep in depends(ko[key]):
            visit(dep, chain + [key])
        order.append(ko[key])

    for name in wanted:
        visit(name, [])
    print("\n".join(order))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
