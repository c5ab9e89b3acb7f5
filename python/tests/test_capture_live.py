# SPDX-License-Identifier: Apache-2.0
"""Capture from Python against a real BPF object, loaded into the running
kernel by this process through libbpf (ctypes), as the C++ tests load theirs."""

import ctypes
import os
import struct

import pytest
import scxsnap
from conftest import BPF_DIR, cli

pytestmark = pytest.mark.kernel


class LoadedObject:
    """A BPF object opened and loaded with libbpf; closed (unloaded) on exit."""

    def __init__(self, path):
        self.lib = ctypes.CDLL("libbpf.so.1", use_errno=True)
        self.lib.bpf_object__open_file.restype = ctypes.c_void_p
        self.lib.bpf_object__open_file.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
        self.lib.bpf_object__load.argtypes = [ctypes.c_void_p]
        self.lib.bpf_object__close.argtypes = [ctypes.c_void_p]
        self.lib.bpf_object__find_map_by_name.restype = ctypes.c_void_p
        self.lib.bpf_object__find_map_by_name.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        self.lib.bpf_map__fd.argtypes = [ctypes.c_void_p]
        self.lib.bpf_map__value_size.argtypes = [ctypes.c_void_p]
        self.obj = self.lib.bpf_object__open_file(str(path).encode(), None)
        if not self.obj:
            raise OSError(ctypes.get_errno(), f"cannot open {path}")
        rc = self.lib.bpf_object__load(self.obj)
        if rc != 0:
            self.lib.bpf_object__close(self.obj)
            raise OSError(-rc, f"cannot load {path}")

    def section(self, name):
        m = self.lib.bpf_object__find_map_by_name(self.obj, name.encode())
        assert m, name
        return self.lib.bpf_map__fd(m), self.lib.bpf_map__value_size(m)

    def lookup(self, fd, size):
        key, value = ctypes.c_uint32(0), ctypes.create_string_buffer(size)
        assert self.lib.bpf_map_lookup_elem(fd, ctypes.byref(key), value) == 0
        return bytearray(value.raw)

    def update(self, fd, data):
        key, value = ctypes.c_uint32(0), ctypes.create_string_buffer(bytes(data), len(data))
        assert self.lib.bpf_map_update_elem(fd, ctypes.byref(key), value, 0) == 0

    def close(self):
        self.lib.bpf_object__close(self.obj)


@pytest.fixture
def types_object():
    if os.geteuid() != 0:
        pytest.skip("loading a BPF object needs root (CAP_BPF)")
    lo = LoadedObject(BPF_DIR / "types.bpf.o")
    yield lo
    lo.close()


def test_capture_reads_the_values_the_loader_wrote(types_object, tmp_path):
    fd, size = types_object.section(".data")
    data = types_object.lookup(fd, size)
    assert struct.unpack_from("<Q", data, 0)[0] == 907  # nr_dispatched leads .data
    struct.pack_into("<Q", data, 0, 2**64 - 2)
    types_object.update(fd, data)

    r = scxsnap.capture(obj="types")
    assert r.schema == "single"
    assert r.var("nr_dispatched").value == 2**64 - 2
    assert r.var("big_u64").value == 2**64 - 1
    # What the CLI captures of the same object at the same time.
    out = tmp_path / "cli.json"
    cli("capture", "--obj", "types", "-q", "-o", out)
    assert int(cli("var", out, "nr_dispatched")) == 2**64 - 2
    assert int(cli("var", out, "neg_counter")) == r.var("neg_counter").value == -42


def test_capture_to_writes_what_load_reads(types_object, tmp_path):
    for fmt in ("json", "native"):
        path = tmp_path / f"c.{fmt}"
        summary = scxsnap.capture_to(str(path), format=fmt, obj="types")
        assert summary["maps"] >= 1 and summary["bytes"] > 0
        assert scxsnap.load(str(path)).var("nr_dispatched").value == 907
