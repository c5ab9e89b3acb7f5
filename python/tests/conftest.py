# SPDX-License-Identifier: Apache-2.0
"""Fixtures of the Python tests: where the shipped data, the CLI and the BPF
test objects are (set by CTest), and series written from shipped reports."""

import json
import os
import pathlib
import subprocess

import pytest

DATA = pathlib.Path(os.environ.get("SCXSNAP_TEST_DATA", "tests/data"))
SOURCE = pathlib.Path(os.environ.get("SCXSNAP_SOURCE_DIR", "."))
CLI = os.environ.get("SCXSNAP_CLI", "scxsnap")
BPF_DIR = pathlib.Path(os.environ.get("SCXSNAP_BPF_DIR", "build/tests/bpf"))


def pytest_configure(config):
    config.addinivalue_line("markers", "kernel: loads BPF objects into the running kernel (root)")


def cli(*args, check=True):
    """Runs the scxsnap command; its stdout."""
    r = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"scxsnap {' '.join(map(str, args))}: {r.returncode}: {r.stderr}")
    return r.stdout


NR_DISPATCHED = '"name":"nr_dispatched","value":{"kind":"uint","bits":64,"value":907}'


def write_series(path, values, placeholder_at=()):
    """A JSON Lines series (as `watch` writes) of sample_report.json with
    nr_dispatched set to each of `values`; samples at `placeholder_at` are
    placeholders instead."""
    text = (DATA / "sample_report.json").read_text().strip()
    assert NR_DISPATCHED in text
    placeholder = json.loads((DATA / "placeholder_report.json").read_text())
    with open(path, "w") as f:
        for i, v in enumerate(values):
            if i in placeholder_at:
                report = json.dumps(placeholder)
            else:
                report = text.replace(NR_DISPATCHED, NR_DISPATCHED.replace("907", str(v)))
            f.write(f'{{"tag":"periodic_{i:03}","elapsed_ms":{100 * i},"report":{report}}}\n')
    return path


@pytest.fixture
def series_file(tmp_path):
    return write_series(tmp_path / "s.jsonl", [10, 20, 30, 40, 50], placeholder_at=(2,))
