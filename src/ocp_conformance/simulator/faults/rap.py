"""Fault profiles of RAP batch uploads: one or more per file type, each breaking how the simulator processes
that type's files (the RAP file suites, check kind ``file``, must catch every one)."""

from __future__ import annotations

from ocp_conformance.simulator.faults.fault import Fault
from ocp_conformance.simulator.rap.defects import ProcessingDefects

__all__ = ["RAP_FAULTS"]

RAP_FAULTS = [
    Fault("rap-ati-wrong-hash-total-accepted", "ATI", "file",
          "an ATI file whose trailer hash total is not the sum of its quantities is processed, not rejected",
          rap=ProcessingDefects(file_codes_ignored={"ATI": frozenset({"TRAILER_HASH"})})),
    Fault("rap-sti-wrong-trailer-count-accepted", "STI", "file",
          "an STI file whose trailer record count is wrong is processed, not rejected",
          rap=ProcessingDefects(file_codes_ignored={"STI": frozenset({"TRAILER_COUNT"})})),
    Fault("rap-corprep-rejected-record-missing", "Corporate Representative/Proxy", "file",
          "the result file of a CORPREP upload leaves out the records it rejected",
          rap=ProcessingDefects(rejected_omitted=frozenset({"CORPREP"}))),
    Fault("rap-election-above-holding-accepted", "Election", "file",
          "an election for more than the available holding is reported ACCEPTED (nothing is earmarked)",
          rap=ProcessingDefects(record_codes_ignored={"ELECTION": frozenset({"QUANTITY_ABOVE_HOLDING"})})),
    Fault("rap-tender-applied-twice", "Tender", "file",
          "each accepted tender instruction is applied twice, debiting twice its tender monies",
          rap=ProcessingDefects(applied_twice=frozenset({"TENDER"}))),
    Fault("rap-isi-applied-twice", "ISI", "file",
          "each accepted ISI record is input twice, so Enquire ISI shows two ISIs for one record",
          rap=ProcessingDefects(applied_twice=frozenset({"ISI"}))),
    Fault("rap-voting-duplicate-sequence-accepted", "Voting", "file",
          "a VOTING file reusing a sequence number already processed for that date is accepted again",
          rap=ProcessingDefects(sequences_forgotten=frozenset({"VOTING"}))),
    Fault("rap-subscription-wrong-code", "Subscription", "file",
          "a SUBSCRIPTION record with a value outside its enumeration is rejected as FIELD_FORMAT, not FIELD_ENUM",
          rap=ProcessingDefects(codes_renamed={"SUBSCRIPTION": {"FIELD_ENUM": "FIELD_FORMAT"}})),
    Fault("rap-si-accepted-not-visible", "SI", "file",
          "SI records are reported ACCEPTED but never input, so Enquire SI does not show them",
          rap=ProcessingDefects(not_applied=frozenset({"SI"}))),
    Fault("rap-voting-rule-ignored", "Voting", "file",
          "a VOTING record whose votes do not add up to its quantity is reported ACCEPTED",
          rap=ProcessingDefects(record_codes_ignored={"VOTING": frozenset({"FIELD_RULE"})})),
]
