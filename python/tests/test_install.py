# SPDX-License-Identifier: Apache-2.0
"""The installed module: `cmake --install` into a scratch prefix puts the
package where Debian's python3 finds it under that prefix, and it imports and
works from there (its libraries found through its RUNPATH, not the build
tree). The unpacked .deb is checked by tests/package_check.sh."""

import os
import subprocess

import pytest
from conftest import DATA

BUILD = os.environ.get("SCXSNAP_BUILD_DIR")


@pytest.mark.skipif(not BUILD, reason="SCXSNAP_BUILD_DIR not set (run through CTest)")
def test_the_installed_module_imports_from_a_scratch_prefix(tmp_path):
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", BUILD, "--prefix", str(prefix)], check=True,
                   capture_output=True)
    site = prefix / "lib" / "python3" / "dist-packages"
    assert (site / "scxsnap" / "__init__.pyi").exists()
    assert (site / "scxsnap" / "py.typed").exists()
    code = ("import scxsnap, sys; "
            "r = scxsnap.load(sys.argv[1]); "
            "print(scxsnap.__file__); print(r.var('nr_dispatched').value)")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_LIBRARY_PATH")}
    env["PYTHONPATH"] = str(site)
    r = subprocess.run(["/usr/bin/python3", "-c", code, str(DATA / "sample_report.json")],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    where, value = r.stdout.split()
    assert where.startswith(str(site))
    assert value == "907"
