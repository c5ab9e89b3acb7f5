# SPDX-License-Identifier: Apache-2.0
"""Every Python example of the README runs as written (from the source tree)."""

import os
import re
import subprocess
import sys

from conftest import CLI, SOURCE


def env_with_cli(**more):
    """The environment with the scxsnap under test first on PATH."""
    path = os.path.dirname(os.path.abspath(CLI)) + os.pathsep + os.environ.get("PATH", "")
    return {**os.environ, "PATH": path, "MPLBACKEND": "Agg", **more}


def python_blocks():
    text = (SOURCE / "README.md").read_text()
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_has_python_examples():
    assert len(python_blocks()) >= 2


def test_each_readme_example_runs_and_prints_what_it_says(tmp_path):
    # ">>> " blocks are one interactive session, read in order: run the code
    # as the interpreter does (printing each expression's value), compare
    # what it printed with what the README shows.
    code, expected = [], []
    for block in python_blocks():
        if ">>> " not in block:
            r = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True,
                               cwd=SOURCE, env=env_with_cli())
            assert r.returncode == 0, r.stderr
            continue
        for line in block.splitlines():
            if line.startswith(">>> ") or line.startswith("... "):
                code.append(line[4:])
            elif line in (">>>", "..."):
                code.append("")
            else:
                expected.append(line)
    runner = ("import code, sys\n"
              "i = code.InteractiveInterpreter()\n"
              "buf = ''\n"
              "for line in sys.stdin.read().splitlines():\n"
              "    buf += line + '\\n'\n"
              "    if not i.runsource(buf, symbol='single'):\n"
              "        buf = ''\n")
    r = subprocess.run([sys.executable, "-c", runner], input="\n".join(code) + "\n",
                       capture_output=True, text=True, cwd=SOURCE, env=env_with_cli())
    assert r.returncode == 0 and not r.stderr, r.stderr
    assert r.stdout.rstrip() == "\n".join(expected).rstrip()
