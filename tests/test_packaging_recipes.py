"""The Windows and macOS recipes and the CI workflow that builds them cannot run on this Linux machine:
checked statically here, so a renamed file or a broken spec is caught before a school's IT lead runs them."""

from __future__ import annotations

import ast
import re
import subprocess

import pytest
import yaml

from tests.conftest import REPO, require_executable

WORKFLOW = REPO / ".github" / "workflows" / "bundles.yml"


def test_the_workflow_builds_and_smoke_tests_on_all_three_systems() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    jobs = flow["jobs"]
    assert {job["runs-on"] for job in jobs.values()} == {"ubuntu-22.04", "windows-latest", "macos-latest"}
    for name, job in jobs.items():
        runs = "\n".join(step.get("run", "") for step in job["steps"])
        uploads = [step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact@")]
        assert "smoke_test.py" in runs or "ci-smoke.sh" in runs, f"{name} does not smoke-test its bundle"
        assert "--keyring" in runs or "ci-smoke.sh" in runs, f"{name} does not try the system keyring"
        assert uploads and uploads[0]["with"]["path"], f"{name} uploads no archive"
        assert "zoomhost.spec" in runs or "ci-smoke.sh" in runs


def test_every_file_the_workflow_and_recipes_name_exists() -> None:
    texts = [WORKFLOW.read_text(encoding="utf-8")] + [
        (REPO / "packaging" / sub / "README.md").read_text(encoding="utf-8") for sub in ("windows", "macos")
    ]
    named = {m.replace("\\", "/") for text in texts for m in re.findall(r"(?:packaging|tests)[/\\][\w./\\-]+\w", text)}
    assert named, "the recipes name no files?"
    missing = sorted(p for p in named if not (REPO / p).exists())
    assert not missing, missing


def test_the_spec_parses_and_its_files_exist() -> None:
    spec = (REPO / "packaging" / "zoomhost.spec").read_text(encoding="utf-8")
    tree = ast.parse(spec)
    assert any(isinstance(node, ast.If) and "darwin" in ast.unparse(node.test) for node in ast.walk(tree))
    assert any(isinstance(node, ast.If) and "win32" in ast.unparse(node.test) for node in ast.walk(tree))
    for literal in re.findall(r'PACKAGING\s*/\s*"([^"]+)"(?:\s*/\s*"([^"]+)")?', spec):
        path = REPO / "packaging" / "/".join(part for part in literal if part)
        assert path.exists(), path


@pytest.mark.parametrize("script", ["packaging/ci-smoke.sh", "packaging/build.sh"])
def test_the_shell_scripts_parse(script: str) -> None:
    bash = require_executable("bash")
    proc = subprocess.run([bash, "-n", str(REPO / script)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr


def test_the_smoke_test_is_standard_library_only() -> None:
    tree = ast.parse((REPO / "packaging" / "smoke_test.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    import sys

    assert imported - {"__future__"} <= sys.stdlib_module_names, imported - sys.stdlib_module_names
