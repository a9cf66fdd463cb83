"""The wheel holds everything archie reads at run time: prompts, vocabulary, the web page.

A wheel is built from this checkout and installed into a fresh virtual environment (``--no-deps``;
the dependencies are borrowed from this venv's site-packages through a ``.pth`` line, which adds
the folder without running its ``.pth`` files, so the editable install of this checkout is not
seen). Then, from a folder that is not the checkout, every prompt is rendered and the vocabulary
and static files are read from the installed package.
"""

from __future__ import annotations

import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHECK = """
import assistant, api, sys
from pathlib import Path
from importlib import resources
assert "site-packages" in assistant.__file__ and "{root}" not in assistant.__file__, assistant.__file__
from assistant.llm.prompts import load_prompt, prompt_names
names = prompt_names()
assert {{"ask", "review", "rewrite", "incident_summary"}} <= set(names), names
for name in names:
    p = load_prompt(name)
    values = {{v: [] if v in ("evidence", "sections", "findings", "precedent", "history") else "x" for v in p.meta.variables}}
    system, user = p.render(**values)
    assert system and user
from assistant import vocab
from assistant.review import vocab as review_vocab
vocab.hype(); vocab.text_vocab(); vocab.documents(); vocab.postmortems()
review_vocab.checklist(); review_vocab.rubric()
assert (resources.files("api") / "static" / "index.html").is_file()
print("ok", len(names))
"""


@pytest.mark.slow
def test_the_wheel_ships_prompts_vocabulary_and_static_files(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
                    str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = dist.glob("archie-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("assistant/prompts/") and n.endswith("ask.md") for n in names)
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    fresh_site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                     check=True, capture_output=True, text=True).stdout.strip())
    (fresh_site / "borrowed-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    out = subprocess.run([str(py), "-c", CHECK.format(root=ROOT)], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")
    cli = subprocess.run([str(venv / "bin" / "archie"), "--help"], cwd=tmp_path, capture_output=True, text=True)
    assert cli.returncode == 0 and "archie" in cli.stdout
