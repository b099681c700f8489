#!/usr/bin/env python3
"""Lists the device code embedded in executables or shared libraries, like `cuobjdump --list-elf --list-ptx`
but from the fat-binary headers alone: one line per entry, "ELF sm_90" (machine code) or "PTX compute_90"
(which the driver compiles for newer GPUs), with counts per kind. For the build machine, which has nvcc but
no cuobjdump (the device machine has cuobjdump; run-on-device.sh uses it there).

Usage: fatbin_contents.py FILE...   exit 1 when a file holds no device code at all.
"""
import collections
import struct
import sys

FATBIN_MAGIC = 0xBA55ED50
KINDS = {1: "PTX", 2: "ELF"}


def sections(raw):
    """(name, offset, size) of every section of a little-endian ELF64 file."""
    if raw[:4] != b"\x7fELF" or raw[4] != 2:
        raise ValueError("not an ELF64 file")
    shoff = struct.unpack_from("<Q", raw, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", raw, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", raw, shoff + i * shentsize) for i in range(shnum)]
    names_offset = headers[shstrndx][4]
    for h in headers:
        start = names_offset + h[0]
        name = raw[start : raw.index(b"\0", start)].decode()
        yield name, h[4], h[5]


def entries(blob):
    """(kind, arch) of every entry of the fat binaries laid end to end in `blob`."""
    pos = 0
    while pos + 16 <= len(blob):
        magic, _version, header_size, fat_size = struct.unpack_from("<IHHQ", blob, pos)
        if magic != FATBIN_MAGIC:
            pos += 8  # padding between fat binaries
            continue
        entry, end = pos + header_size, pos + header_size + fat_size
        while entry + 40 <= end:
            kind, _unknown, entry_header, payload = struct.unpack_from("<HHIQ", blob, entry)
            arch = struct.unpack_from("<I", blob, entry + 28)[0]
            yield KINDS.get(kind, f"kind{kind}"), arch
            if entry_header == 0:
                break
            entry += entry_header + payload
        pos = end


def main():
    status = 0
    for path in sys.argv[1:]:
        raw = open(path, "rb").read()
        found = collections.Counter()
        for name, offset, size in sections(raw):
            if name == ".nv_fatbin":
                for kind, arch in entries(raw[offset : offset + size]):
                    found[(kind, arch)] += 1
        if not found:
            print(f"{path}: no device code")
            status = 1
        for (kind, arch), count in sorted(found.items()):
            label = f"sm_{arch}" if kind == "ELF" else f"compute_{arch}"
            print(f"{path}: {kind} {label} x{count}")
    return status


if __name__ == "__main__":
    sys.exit(main())
