"""ProcessingDefects: a clean processor has none; fault profiles combine; each breaks only its file type."""

from __future__ import annotations

import io

from ocp_conformance.rap import DEMO_PARTICIPANT, generate_file, load_layouts
from ocp_conformance.simulator.app import build_app
from ocp_conformance.simulator.rap import ProcessingDefects
from ocp_conformance.targets import InProcessRapChannel

LAYOUTS = load_layouts()


def _upload(faults: list[str], file_type: str, defect: str) -> str:
    stream = io.BytesIO()
    generated = generate_file(stream, LAYOUTS[file_type], 3, defect=defect)
    channel = InProcessRapChannel(build_app(faults=faults).rap)
    try:
        return channel.upload(DEMO_PARTICIPANT, generated.file_name, stream.getvalue()).status
    finally:
        channel.close()


def test_a_clean_simulator_has_no_defects() -> None:
    assert build_app().rap.defects == ProcessingDefects()


def test_defects_merge() -> None:
    first = ProcessingDefects(file_codes_ignored={"ATI": frozenset({"TRAILER_HASH"})}, applied_twice=frozenset({"SI"}))
    second = ProcessingDefects(file_codes_ignored={"ATI": frozenset({"TRAILER_COUNT"})},
                               codes_renamed={"STI": {"FIELD_ENUM": "FIELD_FORMAT"}})
    both = first.merged(second)
    assert both.file_codes_ignored["ATI"] == {"TRAILER_HASH", "TRAILER_COUNT"}
    assert both.applied_twice == {"SI"} and both.code("STI", "FIELD_ENUM") == "FIELD_FORMAT"
    assert both.code("SI", "FIELD_ENUM") == "FIELD_ENUM"


def test_a_fault_breaks_only_its_file_type() -> None:
    fault = ["rap-ati-wrong-hash-total-accepted"]
    assert _upload(fault, "ATI", "trailer-hash") == "ACCEPTED"
    assert _upload(fault, "STI", "trailer-hash") == "REJECTED"
    assert _upload([], "ATI", "trailer-hash") == "REJECTED"
