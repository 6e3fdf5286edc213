"""The catalogue's discontinued PG functions: each names whom to blame (successor) and where to probe."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocp_conformance.contracts import Catalogue, SourceError

CATALOGUE = Path(__file__).resolve().parents[2] / "contracts" / "catalogue.yaml"


def test_every_discontinued_function_has_a_current_successor_and_probes() -> None:
    catalogue = Catalogue.load(CATALOGUE)
    names = {entry.name for entry in catalogue}
    for discontinued in catalogue.discontinued:
        assert discontinued.successor in names, discontinued
        assert discontinued.probes and all(p.split(" ")[1].startswith("/") for p in discontinued.probes)
    by_name = {d.name: d.successor for d in catalogue.discontinued}
    assert (by_name["Enquire DI"], by_name["Enquire ATI"]) == ("Input DI", "Input ATI")


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "catalogue.yaml"
    text = CATALOGUE.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_unknown_successor_is_refused_at_its_line_with_a_suggestion(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'successor: "Input ATI"', 'successor: "Input AT"')
    with pytest.raises(SourceError, match=r"catalogue.yaml:\d+:\d+.*'Input AT' is not a catalogue entry.*Input ATI"):
        Catalogue.load(path)


def test_probe_without_method_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, '"GET /reports", ', '"/reports", ')
    with pytest.raises(SourceError, match="METHOD /path"):
        Catalogue.load(path)
