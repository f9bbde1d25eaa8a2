# SPDX-License-Identifier: MIT
"""mkcpio.py DIR OUT: DIR as an uncompressed newc cpio archive for an
initramfs, owned by root with fixed times (the same tree makes the same
archive), and /dev/console as a node, so no mknod is needed here."""
import os
import stat
import sys


def entry(f, ino, name, mode, data=b"", rdev=(0, 0)):
    nlink = 2 if stat.S_ISDIR(mode) else 1
    hdr = "070701" + "".join("%08X" % v for v in (
        ino, mode, 0, 0, nlink, 946684800, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0))
    f.write(hdr.encode() + name.encode() + b"\0")
    f.write(b"\0" * (-(110 + len(name) + 1) % 4))
    f.write(data)
    f.write(b"\0" * (-len(data) % 4))


def main(top, out):
    ino = 100
    with open(out, "wb") as f:
        for root, dirs, files in os.walk(top):
            dirs.sort()
            for name in sorted(dirs) + sorted(files):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, top)
                st = os.lstat(path)
                ino += 1
                if stat.S_ISLNK(st.st_mode):
                    entry(f, ino, rel, 0o120777, os.readlink(path).encode())
                elif stat.S_ISDIR(st.st_mode):
                    entry(f, ino, rel, 0o040755)
                else:
                    with open(path, "rb") as src:
                        entry(f, ino, rel, 0o100000 | (st.st_mode & 0o777), src.read())
        entry(f, ino + 1, "dev/console", 0o020600, rdev=(5, 1))
        entry(f, 0, "TRAILER!!!", 0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
