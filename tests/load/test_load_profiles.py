"""Load profiles as data: the shipped ones load against the catalogue; defects are reported at file:line:column."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

import pytest

from ocp_conformance.contracts import SourceError, load_contracts
from ocp_conformance.load.generators import DrawContext, Items, ReferenceSource, draw_values
from ocp_conformance.load.profile import Arrival, find_profile, load_profile, profile_names

SHIPPED = ["custody-day", "cut-off-burst", "enquiry-storm", "mass-transfer", "peak-day", "rap-deadline"]


def test_the_shipped_profiles_load_against_the_catalogue() -> None:
    assert profile_names() == SHIPPED
    catalogue = load_contracts().catalogue
    for name in SHIPPED:
        profile = load_profile(find_profile(name), catalogue)
        assert profile.mix and profile.track, name
        assert 0 < profile.sample <= 1


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


_VALID = """\
version: 1
description: d
users: 2
duration: 5
arrival: {shape: steady}
mix:
  - function: Enquire SI
    role: list
    weight: 1
track:
  - {function: Input SI, id: si_id, reference: own_reference, status: status, enquiry: Enquire SI}
"""


def test_a_schema_defect_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, _VALID.replace("    weight: 1", "    weight: heavy"))
    with pytest.raises(SourceError) as caught:
        load_profile(path)
    assert str(caught.value.location) == f"{path}:9:13"
    assert "'heavy' is not of type 'number'" in caught.value.message


def test_an_unknown_function_is_named_with_a_suggestion(tmp_path: Path) -> None:
    path = _write(tmp_path, _VALID.replace("  - function: Enquire SI", "  - function: Enquire SIs"))
    with pytest.raises(SourceError) as caught:
        load_profile(path, load_contracts().catalogue)
    assert str(caught.value.location) == f"{path}:7:15"
    assert "'Enquire SIs' is not a catalogue function" in caught.value.message
    assert "Enquire SI" in caught.value.message


def test_a_burst_past_the_end_and_an_untracked_creator_are_refused(tmp_path: Path) -> None:
    burst = _write(tmp_path, _VALID.replace("{shape: steady}", "{shape: burst, base: 0.5, start: 0.8, length: 0.4}"))
    with pytest.raises(SourceError, match="burst ends after the run"):
        load_profile(burst)
    acting = _write(tmp_path, _VALID.replace("    weight: 1", "    weight: 1\n    \"on\": {created_by: Input ISI}"))
    with pytest.raises(SourceError, match="'Input ISI' is not a tracked function"):
        load_profile(acting)


def test_an_unknown_profile_name_lists_the_shipped_ones() -> None:
    with pytest.raises(SourceError, match="peak-day"):
        find_profile("peak-dya")


@pytest.mark.parametrize(("arrival", "expected"), [
    (Arrival("steady"), [10, 10, 10, 10]),
    (Arrival("ramp", ramp=0.5), [1, 5, 10, 10]),
    (Arrival("burst", base=0.3, start=0.5, length=0.25), [3, 3, 10, 3]),
])
def test_arrival_shapes(arrival: Arrival, expected: list[int]) -> None:
    assert [arrival.users_at(t, 100, 10) for t in (0, 25, 50, 75)] == expected


def _context(seed: int = 1) -> DrawContext:
    return DrawContext(participant="B01234", participants=["B01234", "B05678", "C00019"],
                       business_dates=(date(2027, 4, 6), date(2027, 4, 7)),
                       references=ReferenceSource("AB12", 3), rng=random.Random(seed))


def test_generators_draw_like_the_profile_says() -> None:
    spec = load_profile(find_profile("peak-day")).mix[0].values
    context = _context()
    drawn = [draw_values(spec, context) for _ in range(500)]
    assert all(d["counterparty"] != "B01234" and d["counterparty"] in {"B05678", "C00019"} for d in drawn)
    assert all(d["quantity"] % 100 == 0 and 100 <= d["quantity"] <= 5_000_000 for d in drawn)
    assert {d["settlement_date"] for d in drawn} == {"2027-04-06", "2027-04-07"}
    assert all(("amount" in d) == (d["payment_type"] == "DVP") for d in drawn)  # only_if
    references = [d["own_reference"] for d in drawn]
    assert len(set(references)) == len(references)
    assert all(re.fullmatch(r"AB1203-[0-9a-f]+", r) and len(r) <= 16 for r in references)


def test_items_and_own_accounts() -> None:
    spec = load_profile(find_profile("mass-transfer")).mix[0].values
    drawn = draw_values(spec, _context())
    assert isinstance(drawn["transfers"], Items) and 100 <= len(drawn["transfers"]) <= 1000
    assert {item["from_account"] for item in drawn["transfers"]} == {"01"}
    account = draw_values({"account_id": {"own_account": {"02": 1}}}, _context())
    assert account == {"account_id": "B0123402"}


def test_env_gives_the_variable_else_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = {"investor": {"env": {"name": "OCP_LOAD_TEST_PARTY", "default": "I00001"}}}
    monkeypatch.delenv("OCP_LOAD_TEST_PARTY", raising=False)
    assert draw_values(spec, _context()) == {"investor": "I00001"}
    monkeypatch.setenv("OCP_LOAD_TEST_PARTY", "")
    assert draw_values(spec, _context()) == {"investor": "I00001"}
    monkeypatch.setenv("OCP_LOAD_TEST_PARTY", "I77777")
    assert draw_values(spec, _context()) == {"investor": "I77777"}


def test_env_without_a_default_is_a_profile_defect(tmp_path: Path) -> None:
    no_default = "    weight: 1\n    values: {stock_code: {env: {name: X}}}"
    path = _write(tmp_path, _VALID.replace("    weight: 1", no_default))
    with pytest.raises(SourceError) as caught:
        load_profile(path)
    assert str(caught.value.location) == f"{path}:10:26"
    assert "{'env': {'name': 'X'}} is not valid" in caught.value.message
