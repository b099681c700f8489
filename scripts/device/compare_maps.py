#!/usr/bin/env python3
"""Compares the uncompressed NIfTI maps of two voxflow output folders (a host run and a device run of one
subject) voxel by voxel: floating-point maps to a relative tolerance, integer maps (fit status) exactly, NaN
equal to NaN only. Prints one tab-separated line per map (case, map, voxels, max relative difference, voxels
over the tolerance) and exits 1 when any map differs beyond it or exists on one side only.

Plain Python (struct, array): the device machine has NumPy, the build machine does not, and both run this.
"""
import array
import math
import pathlib
import struct
import sys

# NIfTI datatype code -> array typecode
TYPES = {2: "B", 4: "h", 8: "i", 16: "f", 64: "d", 256: "b", 512: "H", 768: "I", 1024: "q", 1280: "Q"}
FLOATS = {16, 64}


def read_nifti(path):
    raw = path.read_bytes()
    size = struct.unpack_from("<i", raw, 0)[0]
    if size == 348:  # NIfTI-1
        dims = struct.unpack_from("<8h", raw, 40)
        datatype = struct.unpack_from("<h", raw, 70)[0]
        offset = int(struct.unpack_from("<f", raw, 108)[0])
    elif size == 540:  # NIfTI-2
        datatype = struct.unpack_from("<h", raw, 12)[0]
        dims = struct.unpack_from("<8q", raw, 16)
        offset = struct.unpack_from("<q", raw, 168)[0]
    else:
        raise ValueError(f"{path}: not a little-endian NIfTI-1/2 file (header size {size})")
    if datatype not in TYPES:
        raise ValueError(f"{path}: NIfTI datatype {datatype} not handled")
    count = 1
    for d in dims[1 : dims[0] + 1]:
        count *= max(1, d)
    values = array.array(TYPES[datatype])
    values.frombytes(raw[offset : offset + count * values.itemsize])
    return datatype, values


def compare(a, b, tolerance, floating):
    worst, over = 0.0, 0
    for x, y in zip(a, b):
        if floating:
            if math.isnan(x) or math.isnan(y):
                if not (math.isnan(x) and math.isnan(y)):
                    over += 1
                    worst = math.inf
                continue
            scale = max(abs(x), abs(y))
            rel = 0.0 if scale == 0.0 else abs(x - y) / scale
        else:
            rel = 0.0 if x == y else math.inf
        if rel > worst:
            worst = rel
        if rel > tolerance:
            over += 1
    return worst, over


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: compare_maps.py CASE HOST_DIR DEVICE_DIR [TOLERANCE]")
    case, host_dir, device_dir = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    tolerance = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-10
    host = {p.relative_to(host_dir): p for p in host_dir.rglob("*.nii")}
    device = {p.relative_to(device_dir): p for p in device_dir.rglob("*.nii")}
    failed = False
    if not host:
        print(f"{case}\t(no maps)\t0\tnan\tmissing", flush=True)
        return 1
    for name in sorted(set(host) | set(device)):
        if name not in host or name not in device:
            print(f"{case}\t{name}\t0\tnan\tonly-{'host' if name in host else 'device'}")
            failed = True
            continue
        ta, a = read_nifti(host[name])
        tb, b = read_nifti(device[name])
        if ta != tb or len(a) != len(b):
            print(f"{case}\t{name}\t{len(a)}\tnan\tshape-or-type")
            failed = True
            continue
        worst, over = compare(a, b, tolerance, ta in FLOATS)
        failed |= over > 0
        print(f"{case}\t{name.name}\t{len(a)}\t{worst:.3e}\t{over}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
