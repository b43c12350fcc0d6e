"""Everything the app imports is pinned in requirements.txt, so a fresh machine gets it."""

from __future__ import annotations

import ast
import re
import sys

from tests.conftest import ROOT

# import name -> distribution name, where they differ
DISTRIBUTIONS = {"charset_normalizer": "charset-normalizer", "yaml": "pyyaml", "dateutil": "python-dateutil", "PIL": "pillow"}
# imported only through the packages above, or part of them
BUNDLED = {"cxdata", "pages", "tests", "tomllib", "pyarrow", "numpy"}


def imported_modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    files = [ROOT / "dashboard.py", *(ROOT / "cxdata").rglob("*.py"), *(ROOT / "pages").glob("*.py")]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def pinned(requirements: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / requirements).read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        name, _, version = line.partition("==")
        pins[re.sub(r"[-_.]+", "-", name.lower())] = version
    return pins


def test_every_requirement_is_pinned_exactly():
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        pins = pinned(requirements)
        assert pins and all(re.fullmatch(r"\d+(\.\d+)*", version) for version in pins.values()), pins


def test_every_third_party_module_the_app_imports_is_pinned():
    pins = pinned("requirements.txt")
    missing = {}
    for module, where in imported_modules().items():
        if module in sys.stdlib_module_names or module in BUNDLED or module == "__future__":
            continue
        distribution = re.sub(r"[-_.]+", "-", DISTRIBUTIONS.get(module, module).lower())
        if distribution not in pins:
            missing[module] = sorted(where)
    assert missing == {}
