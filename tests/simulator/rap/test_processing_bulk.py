"""The bulk path of RAP processing (blocks of records validated at once, SIs input in bulk) gives exactly what one
record at a time gives: the same result file, the same SIs with the same ids, statuses and matches, and the same
matching state afterwards."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocp_conformance.rap import FileHeader, RapWriter, generate_file, load_layouts
from ocp_conformance.simulator.ccass import SiFilter, SiInput, Simulation
from ocp_conformance.simulator.rap import RapProcessor, participant_folders
from ocp_conformance.simulator.rap.defects import ProcessingDefects
from ocp_conformance.simulator.rap.limits import RapLimits
from ocp_conformance.simulator.state import SimulatorState

ALPHA = "B01234"
COUNTERPARTIES = ("B05678", "B07777")
PARTICIPANTS = (ALPHA, *COUNTERPARTIES, "C00019")
LAYOUTS = load_layouts()
SI = LAYOUTS["SI"]
DAY = "2027-04-06"


@dataclass(frozen=True)
class Line:
    """One SI detail line; some values are wrong on purpose (format, domain, duplicates)."""

    reference: str
    side: str
    counterparty: str
    account: str
    stock: str
    quantity: int
    day: str
    payment: str
    currency: str

    def text(self) -> str:
        paid = self.payment != "FOP"
        amount, currency = (f"{self.quantity * 10}.50", self.currency) if paid else ("", "")
        return ",".join(["D", self.reference, self.side, self.counterparty, self.account, self.stock,
                         str(self.quantity), self.day, self.payment, amount, currency])


def _sometimes(usual: list[str], wrong: list[str]) -> st.SearchStrategy[str]:
    """Mostly a usual value, now and then a wrong one: runs of lines the validator takes form blocks."""
    return st.sampled_from(usual * 6 + wrong)


LINES = st.builds(
    Line,
    reference=st.sampled_from([f"R{n:03d}" for n in range(120)]),  # repeats: DUPLICATE_REFERENCE
    side=_sometimes(["DELIVER", "RECEIVE"], ["SELL"]),  # SELL: a format error
    # ALPHA itself and B99999 (unknown) are domain errors the validator does not see
    counterparty=_sometimes(list(COUNTERPARTIES), [ALPHA, "B99999"]),
    account=_sometimes(["01", "02"], ["77"]),  # 77: not an account of ALPHA's
    stock=_sometimes(["00700", "02800"], ["99999"]),  # 99999: not on the stock list
    quantity=st.sampled_from([100, 200, 300] * 6 + [0]),  # 0: a format error
    day=_sometimes([DAY, "2027-04-07"], ["2027-04-10", "2027-04-05"]),  # a Saturday; before the business date
    payment=st.sampled_from(["FOP", "DVP", "RDP"]),
    currency=_sometimes(["HKD", "USD"], ["EUR"]),  # EUR: a format error
)


def _write(folder: Path, lines: Sequence[Line], *, bad_trailer: bool = False) -> Path:
    path = participant_folders(folder, ALPHA).inbox / SI.make_file_name(ALPHA, DAY.replace("-", ""), 1)
    buffer = io.BytesIO()
    writer = RapWriter(buffer, SI, FileHeader(ALPHA, DAY, 1))
    for line in lines:
        writer.write_line(line.text())
        writer.count += 1
        writer.total += line.quantity
    writer.count += bad_trailer
    writer.close()
    path.write_bytes(buffer.getvalue())
    return path


def _seeded_state() -> SimulatorState:
    """A simulator whose counterparties already input SIs that some uploaded lines match (and some twice)."""
    state = SimulatorState()
    book, day = state.simulation.si_book, state.simulation.clock.today
    for counterparty in COUNTERPARTIES:
        for side in ("DELIVER", "RECEIVE", "DELIVER"):
            for stock in ("00700", "02800"):
                for quantity in (100, 200):
                    book.input_si(counterparty, SiInput(side, ALPHA, stock, quantity, day, "FOP"))  # type: ignore[arg-type]
    return state


def _book(simulation: Simulation) -> list[object]:
    book = simulation.si_book
    return [si for participant in PARTICIPANTS for si in book.enquire(participant, SiFilter())]


def _counter_inputs(simulation: Simulation) -> list[object]:
    """Each still unmatched SI of ALPHA's met by its counterparty: which ones match, and with what, shows the
    matching state (the FIFO order within a key included)."""
    book = simulation.si_book
    outcomes: list[object] = []
    for si in book.enquire(ALPHA, SiFilter(status="UNMATCHED")):
        mirror = SiInput("RECEIVE" if si.side == "DELIVER" else "DELIVER", ALPHA, si.stock_code, si.quantity,
                         si.settlement_date, si.payment_type, si.amount, si.currency)
        outcomes.append(book.input_si(si.counterparty_id, mirror))
    return outcomes


def _process(folder: Path, lines: Sequence[Line], *, bulk: bool, bad_trailer: bool = False,
             defects: ProcessingDefects | None = None, max_records: int | None = None) -> tuple[bytes, object]:
    state = _seeded_state()
    limits = RapLimits(max_records=max_records) if max_records else None
    processor = RapProcessor(state, LAYOUTS, bulk=bulk, defects=defects, limits=limits)
    result = processor.process(ALPHA, _write(folder, lines, bad_trailer=bad_trailer))
    assert result.result_file is not None
    simulation = state.simulation
    return result.result_file.read_bytes(), (result.records, _book(simulation), _counter_inputs(simulation),
                                             processor.used_sequences(ALPHA, "SI", DAY))


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of a few lines, so a small file has many blocks, and lines of every kind meet in them."""
    monkeypatch.setattr("ocp_conformance.rap.validator._BLOCK", 160)


@pytest.mark.usefixtures("small_blocks")
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINES, min_size=1, max_size=80), bad_trailer=st.booleans(),
       max_records=st.sampled_from([None, None, 30]))
def test_the_bulk_path_gives_what_one_record_at_a_time_gives(tmp_path_factory: pytest.TempPathFactory,
                                                              lines: list[Line], bad_trailer: bool,
                                                              max_records: int | None) -> None:
    bulk = _process(tmp_path_factory.mktemp("bulk"), lines, bulk=True, bad_trailer=bad_trailer,
                    max_records=max_records)
    single = _process(tmp_path_factory.mktemp("single"), lines, bulk=False, bad_trailer=bad_trailer,
                      max_records=max_records)
    assert bulk == single


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("defects", [
    ProcessingDefects(codes_renamed={"SI": {"COUNTERPARTY_UNKNOWN": "STOCK_UNKNOWN"}}),
    ProcessingDefects(record_codes_ignored={"SI": frozenset({"COUNTERPARTY_IS_SELF"})}),
    ProcessingDefects(rejected_omitted=frozenset({"SI"})),
    ProcessingDefects(not_applied=frozenset({"SI"})),
    ProcessingDefects(applied_twice=frozenset({"SI"})),
], ids=["renamed", "ignored", "omitted", "not-applied", "applied-twice"])
def test_the_bulk_path_keeps_the_processing_defects(tmp_path: Path, defects: ProcessingDefects) -> None:
    lines = [Line(f"R{n:03d}", ("DELIVER", "RECEIVE")[n % 2], (*COUNTERPARTIES, ALPHA, "B99999")[n % 4], "01",
                  "00700", (100, 200, 300)[n % 3], DAY, "FOP", "") for n in range(60)]
    bulk = _process(tmp_path / "bulk", lines, bulk=True, defects=defects)
    single = _process(tmp_path / "single", lines, bulk=False, defects=defects)
    assert bulk == single


def test_a_generated_file_in_real_blocks_is_processed_alike(tmp_path: Path) -> None:
    """Full-size blocks (256 KiB, the trailer's block split), a file of a few blocks."""
    results = []
    for bulk in (True, False):
        path = participant_folders(tmp_path / str(bulk), ALPHA).inbox / SI.make_file_name(ALPHA, "20270406", 1)
        with path.open("wb") as stream:
            generate_file(stream, SI, 12_000, seed=3, sequence=1)
        state = SimulatorState()
        result = RapProcessor(state, LAYOUTS, bulk=bulk).process(ALPHA, path)
        assert result.result_file is not None
        results.append((result.status, result.accepted, result.result_file.read_bytes(),
                        _book(state.simulation)))
    assert results[0] == results[1]
    assert results[0][:2] == ("ACCEPTED", 12_000)


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("file_type", sorted(LAYOUTS))
def test_every_file_type_is_processed_alike_in_blocks(tmp_path: Path, file_type: str) -> None:
    """Types without a bulk applier take their blocks' records one at a time: the values are the validator's."""
    layout = LAYOUTS[file_type]
    results = []
    for bulk in (True, False):
        path = participant_folders(tmp_path / str(bulk), ALPHA).inbox / layout.make_file_name(ALPHA, "20270406", 1)
        with path.open("wb") as stream:
            generate_file(stream, layout, 120, seed=5, sequence=1)
        state = SimulatorState()
        result = RapProcessor(state, LAYOUTS, bulk=bulk).process(ALPHA, path)
        assert result.result_file is not None
        results.append((result.records, result.result_file.read_bytes()))
    assert results[0] == results[1]
