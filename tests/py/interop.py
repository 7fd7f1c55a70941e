#!/usr/bin/python3
"""numpy/safetensors interoperability checks for factorkit's tests.

  interop.py write DIR   numpy writes .npy files in every dtype, byte order,
                         memory order and format version, each with a .raw
                         companion holding the little-endian C-order bytes.
  interop.py check DIR   for every X.npy / X.safetensors factorkit wrote with a
                         X.raw (or X.<name>.raw) companion: load it with numpy
                         (and check the safetensors layout rules: 8-byte padded
                         header, offsets contiguous from 0 in order, no
                         trailing bytes) and compare bytes. Prints "checked N".
"""
import json
import os
import struct
import sys

import numpy as np
from numpy.lib import format as npf

DTYPES = ["f8", "f4", "f2", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "b1"]
ST_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
             "I8": "|i1", "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "|u1", "BOOL": "|b1"}


def write(d):
    rng = np.random.default_rng(7)
    n = 0
    for code in DTYPES:
        for order in "<>":
            for fortran in (False, True):
                for version in ((1, 0), (2, 0), (3, 0)):
                    shape = (3, 4, 2) if fortran else (5, 3)
                    if code == "b1":
                        a = rng.integers(0, 2, size=shape).astype(bool)
                    elif code[0] == "f":
                        a = (rng.standard_normal(shape) * 100).astype(code)
                    else:
                        info = np.iinfo(code)
                        a = rng.integers(info.min, info.max, size=shape, dtype=code, endpoint=True)
                    a = a.astype(np.dtype(code).newbyteorder(order) if code not in ("b1", "i1", "u1") else code)
                    if fortran:
                        a = np.asfortranarray(a)
                    name = f"np_{code}_{'be' if order == '>' else 'le'}_{'F' if fortran else 'C'}_v{version[0]}"
                    with open(os.path.join(d, name + ".npy"), "wb") as f:
                        npf.write_array(f, a, version=version)
                    le = np.ascontiguousarray(a).astype(np.dtype(code).newbyteorder("<") if code not in ("b1", "i1", "u1") else code)
                    with open(os.path.join(d, name + ".raw"), "wb") as f:
                        f.write(le.tobytes(order="C"))
                    n += 1
    # the scalar and empty corner cases
    for name, a in (("np_scalar", np.array(3.25)), ("np_empty", np.zeros((0, 4), dtype="<i4"))):
        np.save(os.path.join(d, name + ".npy"), a)
        with open(os.path.join(d, name + ".raw"), "wb") as f:
            f.write(a.tobytes())
        n += 1
    print(f"wrote {n}")


def check_safetensors(path):
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    assert n % 8 == 0, f"{path}: header length {n} is not a multiple of 8"
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    entries = [(k, v) for k, v in header.items() if k != "__metadata__"]
    entries.sort(key=lambda kv: tuple(kv[1]["data_offsets"]))
    pos = 0
    out = {}
    for name, info in entries:
        b, e = info["data_offsets"]
        assert b == pos and e >= b, f"{path}: {name} offsets {b},{e} not contiguous at {pos}"
        dt = np.dtype(ST_DTYPES[info["dtype"]]) if info["dtype"] != "BF16" else None
        size = (2 if dt is None else dt.itemsize) * int(np.prod(info["shape"], dtype=np.int64))
        assert e - b == size, f"{path}: {name} size mismatch"
        data = buf[8 + n + b:8 + n + e]
        if dt is not None:
            np.frombuffer(data, dtype=dt).reshape(info["shape"])  # loads as numpy would
        out[name] = data
        pos = e
    assert 8 + n + pos == len(buf), f"{path}: trailing or missing bytes"
    return out


def check(d):
    n = 0
    for fn in sorted(os.listdir(d)):
        base, ext = os.path.splitext(fn)
        if ext == ".npy" and os.path.exists(os.path.join(d, base + ".raw")):
            a = np.load(os.path.join(d, fn), allow_pickle=False)
            raw = open(os.path.join(d, base + ".raw"), "rb").read()
            assert np.ascontiguousarray(a).tobytes() == raw, f"{fn}: bytes differ"
            n += 1
        elif ext == ".safetensors":
            tensors = check_safetensors(os.path.join(d, fn))
            for name, data in tensors.items():
                rawf = os.path.join(d, f"{base}.{name}.raw")
                if os.path.exists(rawf):
                    assert open(rawf, "rb").read() == data, f"{fn}:{name}: bytes differ"
            n += 1
    print(f"checked {n}")
    return n


if __name__ == "__main__":
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "write":
        write(d)
    elif cmd == "check":
        sys.exit(0 if check(d) > 0 else 1)
    else:
        sys.exit(f"unknown command {cmd}")
