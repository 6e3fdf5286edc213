"""`load_yaml` parses with libyaml where PyYAML has it (about ten times faster than the pure-Python parser, and once
per document, not twice): the same data and node positions as the pure-Python parser on every YAML file of the
project, and errors that still say what was seen where libyaml's messages leave it out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ocp_conformance.contracts import SourceError, load_yaml
from ocp_conformance.contracts.source import _Loader

ROOT = Path(__file__).resolve().parents[2]
PROJECT_YAML = sorted(path for folder in ("contracts", "scenarios", "overlays", "rehearsals", "load", "tests/data")
                      if (ROOT / folder).is_dir() for path in (ROOT / folder).rglob("*.yaml"))


def _positions(node: yaml.Node | None, found: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
    if node is None:
        return found
    found.append((type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _positions(key, found)
            _positions(value, found)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _positions(item, found)
    return found


class _PurePython(yaml.SafeLoader):
    """The pure-Python parser with the project loader's resolvers (dates stay strings)."""


_PurePython.yaml_implicit_resolvers = {first: list(resolvers)
                                       for first, resolvers in _Loader.yaml_implicit_resolvers.items()}


def test_pyyaml_has_libyaml_and_the_loader_parses_with_it() -> None:
    assert yaml.__with_libyaml__, "PyYAML without libyaml: install a wheel (pip install --force-reinstall pyyaml)"
    assert issubclass(_Loader, yaml.CSafeLoader)


def test_every_project_yaml_file_gives_the_pure_python_parser_s_data_and_positions() -> None:
    assert len(PROJECT_YAML) > 40
    for path in PROJECT_YAML:
        text = path.read_text(encoding="utf-8")
        document = load_yaml(path)
        expected: Any = yaml.load(text, Loader=_PurePython)
        assert document.data == expected, path
        assert _positions(document._root, []) == _positions(yaml.compose(text, Loader=_PurePython), []), path


@pytest.mark.parametrize(("text", "at", "said", "fix"), [
    ("a:\n\t- 1\n", "2:1", "found character '\\t' that cannot start any token", "indent with spaces"),
    ("a: @x\n", "1:4", "found character '@' that cannot start any token", "correct the YAML syntax there"),
    ("a: *nope\n", "1:4", "found undefined alias 'nope'", "correct the YAML syntax there"),
    ("a: [1, 2\n", "2:1", "did not find expected ',' or ']'", "correct the YAML syntax there"),
], ids=["tab", "reserved-character", "undefined-alias", "unclosed-list"])
def test_a_syntax_error_says_what_was_seen_where(tmp_path: Path, text: str, at: str, said: str, fix: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_yaml(bad)
    assert str(caught.value.location) == f"{bad}:{at}"
    assert caught.value.message == f"invalid YAML: {said}" and caught.value.fix.startswith(fix)


def test_an_empty_file_is_an_empty_document(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert load_yaml(empty).data is None
