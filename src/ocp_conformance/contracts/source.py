"""YAML documents that remember where each value came from, so errors can say file:line:column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml: the pure-Python parser, same data, slower
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

__all__ = ["SourceError", "SourceLocation", "YamlDocument", "load_yaml", "read_source"]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A 1-based position in a file."""

    path: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class SourceError(Exception):
    """A file we were given cannot be used: says where, what was seen, what was expected, and the fix."""

    def __init__(self, location: SourceLocation | Path, message: str, *, fix: str = "") -> None:
        self.location = location
        self.message = message
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text}\n  fix: {self.fix}" if self.fix else text


class _Loader(_BaseLoader):
    """A safe loader that keeps dates as strings (contracts and workflows are JSON data, and JSON has no dates) and
    rejects duplicate keys, which YAML forbids but PyYAML silently resolves to the last value.

    It parses with libyaml where PyYAML has it (its wheels do): the same nodes, positions and data as the pure-Python
    parser, faster. With the document parsed once (:func:`load_yaml`), not twice, the 59 YAML files of the project's
    contracts, scenarios and test data load in 0.15 s against 1.80 s; a run loads dozens of them at every start.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: dict[object, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                first = seen[key].start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {first.line + 1})", key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


for _first, _resolvers in list(_Loader.yaml_implicit_resolvers.items()):
    _Loader.yaml_implicit_resolvers[_first] = [
        (tag, regexp) for tag, regexp in _resolvers if tag != "tag:yaml.org,2002:timestamp"
    ]


@dataclass(slots=True)
class YamlDocument:
    """A parsed YAML file plus its node tree, to map a JSON pointer back to a line and column."""

    path: Path
    data: Any
    _root: yaml.Node | None

    def locate(self, parts: tuple[str | int, ...] | list[str | int]) -> SourceLocation:
        """The position of the value at ``parts`` (keys and indexes); the deepest existing parent if missing."""
        node = self._root
        best = SourceLocation(self.path, 1, 1)
        for part in parts:
            if node is None:
                break
            best = _position(self.path, node)
            node = _child(node, part)
        if node is not None:
            best = _position(self.path, node)
        return best

    def locate_pointer(self, pointer: str) -> SourceLocation:
        """Like :meth:`locate`, from an RFC 6901 JSON pointer such as ``/paths/~1si/post``."""
        if not pointer or pointer == "/":
            return self.locate(())
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]
        return self.locate(tuple(parts))


def _position(path: Path, node: yaml.Node) -> SourceLocation:
    return SourceLocation(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(part):
                return value  # type: ignore[no-any-return]
        return None
    if isinstance(node, yaml.SequenceNode):
        try:
            return node.value[int(part)]  # type: ignore[no-any-return]
        except (ValueError, IndexError):
            return None
    return None


def read_source(path: Path, *, what: str = "file",
                missing_fix: str = "check the path, or run from the project folder") -> str:
    """The UTF-8 text of a source file the user wrote or named; any failure to read it is a :class:`SourceError`
    saying what (``what``: e.g. "waiver file") and how to fix it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(path, f"{what} not found", fix=missing_fix) from None
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                          fix="save the file as UTF-8") from None
    except OSError as exc:
        raise SourceError(path, f"cannot read the {what}: {exc.strerror or exc}") from None


def load_yaml(path: Path) -> YamlDocument:
    """Parse ``path``; a syntax error becomes a :class:`SourceError` with the position YAML reports."""
    text = read_source(path)
    loader = _Loader(text)
    try:  # parsed once: the node tree, then the data built from it
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        location: SourceLocation | Path = (
            SourceLocation(path, mark.line + 1, mark.column + 1) if mark is not None else path
        )
        problem, fix = _problem(str(exc.problem), text, mark)
        raise SourceError(location, f"invalid YAML: {problem}", fix=fix) from None
    finally:
        loader.dispose()
    return YamlDocument(path=path, data=data, _root=root)


def _problem(problem: str, text: str, mark: yaml.Mark | None) -> tuple[str, str]:
    """The parser's problem, with what it saw at ``mark`` where libyaml leaves it out (the character that cannot
    start a token, the undefined alias's name), and the fix."""
    if "duplicate key" in problem:
        return problem, "keep one of the two keys (YAML forbids duplicates; a silent last-one-wins hides mistakes)"
    lines = text.splitlines()
    seen = lines[mark.line][mark.column:] if mark is not None and mark.line < len(lines) else ""
    if problem == "found character that cannot start any token" and seen:
        problem = f"found character {seen[0]!r} that cannot start any token"
        if seen[0] == "\t":
            return problem, "indent with spaces: YAML does not allow tabs for indentation"
    elif problem == "found undefined alias" and (alias := re.match(r"\*([^\s,\[\]{}]+)", seen)):
        problem = f"found undefined alias {alias.group(1)!r}"
    return problem, "correct the YAML syntax there"
