"""The layout's import rules (../shared/DESIGN.md, "Layout"), read from the source with `ast`.

Nothing is imported or run, so no module can talk its way round a rule: every `import` and
`from ... import` anywhere in a file counts, including the ones inside functions. Each rule is
also shown to fire, on a violating file planted in a temporary tree.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("app.py", "app_pages", "ui", "dl_core")  # the product; tests and benches set up env
SETTINGS_MODULE = "dl_core/settings.py"


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}"


def python_files(root: Path) -> list[Path]:
    files = []
    for name in SCANNED:
        target = root / name
        files += [target] if target.is_file() else sorted(target.rglob("*.py"))
    return [path for path in files if ".venv" not in path.parts]


def module_name(relative: str) -> str:
    parts = relative.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(tree: ast.AST, relative: str) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import; `from a import b` also yields `a.b`."""
    folders = relative.split("/")[:-1]  # the file's package, for a module and an __init__ alike
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: `.` is the file's package, `..` its parent, ...
                package = folders[:len(folders) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def import_rules(module: str, imported: str) -> list[str]:
    """The rules one import in one file breaks (usually none)."""
    broken = []
    inside_core = under(module, "dl_core")
    if inside_core and under(imported, "streamlit"):
        broken.append("dl_core must never import streamlit")
    if inside_core and (under(imported, "ui") or under(imported, "app_pages")):
        broken.append("dl_core must not import ui or app_pages (arrows point app_pages -> ui -> dl_core)")
    if (under(module, "dl_core.data") or under(module, "dl_core.models")) and (
            under(imported, "dl_core.topics") or under(imported, "dl_core.engine")):
        broken.append("dl_core.data and dl_core.models must not import a topic or the engine")
    if under(module, "dl_core.topics") and under(imported, "dl_core.engine"):
        broken.append("a topic must not import dl_core.engine (ask ctx.require for another model)")
    return broken


def environment_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, name) of every DL_LAB_* read: os.environ[...], os.environ.get(...), os.getenv(...)."""
    reads = []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            name = _constant(node.slice)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            is_get = node.func.attr in ("get", "pop", "setdefault") and _is_environ(node.func.value)
            is_getenv = node.func.attr == "getenv"
            if is_get or is_getenv:
                name = _constant(node.args[0])
        if isinstance(name, str) and name.startswith("DL_LAB_"):
            reads.append((node.lineno, name))
    return reads


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _constant(node: ast.AST):
    return node.value if isinstance(node, ast.Constant) else None


def violations(root: Path) -> list[Violation]:
    found = []
    for path in python_files(root):
        relative = path.relative_to(root).as_posix()
        module = module_name(relative)
        tree = ast.parse(path.read_text(), filename=relative)
        for line, imported in imported_modules(tree, relative):
            found += [Violation(relative, line, rule) for rule in import_rules(module, imported)]
        if relative != SETTINGS_MODULE:
            found += [Violation(relative, line, f"reads {name}: only dl_core/settings.py reads DL_LAB_* variables")
                      for line, name in environment_reads(tree)]
    return sorted(set(found), key=lambda v: (v.path, v.line, v.rule))


def test_the_tree_keeps_every_rule():
    found = violations(ROOT)
    assert not found, "layout rules broken:\n" + "\n".join(map(str, found))


def test_every_product_file_is_scanned():
    scanned = {path.relative_to(ROOT).as_posix() for path in python_files(ROOT)}
    assert {"app.py", "dl_core/settings.py", "dl_core/engine/jobs.py", "ui/training.py",
            "app_pages/autoencoder.py", "dl_core/topics/transfer/__init__.py"} <= scanned


PLANTED = {
    "streamlit in dl_core": ("dl_core/images_extra.py", "import streamlit as st\n",
                             "dl_core must never import streamlit"),
    "streamlit inside a function": ("dl_core/topics/foo.py", "def f():\n    from streamlit import cache_data\n",
                                    "dl_core must never import streamlit"),
    "data imports a topic": ("dl_core/data/foo.py", "from dl_core.topics.transfer import SCHEMA\n",
                             "dl_core.data and dl_core.models must not import a topic or the engine"),
    "models import the engine": ("dl_core/models/foo.py", "from dl_core.engine import cache\n",
                                 "dl_core.data and dl_core.models must not import a topic or the engine"),
    "a topic imports the engine": ("dl_core/topics/foo/__init__.py",
                                   "def train():\n    from dl_core.engine.runner import train_or_load\n",
                                   "a topic must not import dl_core.engine"),
    "dl_core imports ui": ("dl_core/engine/foo.py", "import ui.training\n",
                           "dl_core must not import ui or app_pages"),
    "dl_core imports a page": ("dl_core/foo.py", "from app_pages import home\n",
                               "dl_core must not import ui or app_pages"),
    "a relative import into the engine": ("dl_core/topics/bar.py", "from ..engine import jobs\n",
                                          "a topic must not import dl_core.engine"),
    "environ.get outside settings": ("dl_core/data/foo.py", "import os\nx = os.environ.get('DL_LAB_DATA_DIR')\n",
                                     "reads DL_LAB_DATA_DIR"),
    "environ[] in a page": ("app_pages/foo.py", "import os\nx = os.environ['DL_LAB_OFFLINE']\n",
                            "reads DL_LAB_OFFLINE"),
    "getenv in ui": ("ui/foo.py", "import os\nx = os.getenv('DL_LAB_CACHE_DIR', '')\n",
                     "reads DL_LAB_CACHE_DIR"),
}


@pytest.mark.parametrize("case", sorted(PLANTED))
def test_each_rule_catches_a_planted_violation(tmp_path, case):
    relative, source, rule = PLANTED[case]
    (tmp_path / SETTINGS_MODULE).parent.mkdir(parents=True)
    (tmp_path / SETTINGS_MODULE).write_text("import os\nx = os.environ.get('DL_LAB_CACHE_DIR')\n")
    planted = tmp_path / relative
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text(source)
    found = violations(tmp_path)
    assert [v for v in found if v.path == relative and rule in v.rule], found
    assert all(v.path == relative for v in found), "only the planted file breaks a rule"


def test_allowed_imports_pass(tmp_path):
    allowed = {
        "dl_core/topics/foo.py": "from dl_core.spec import TopicSpec\nfrom dl_core.keys import resolve\n",
        "dl_core/data/foo.py": "from dl_core import settings\nfrom dl_core.spec import DatasetInfo\n",
        "dl_core/engine/foo.py": "from dl_core.topics import get_topic\n",
        "ui/foo.py": "import streamlit as st\nfrom dl_core.engine.jobs import get_manager\n",
        "dl_core/settings.py": "import os\nx = os.environ.get('DL_LAB_OFFLINE')\n",
    }
    for relative, source in allowed.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(source)
    assert violations(tmp_path) == []
