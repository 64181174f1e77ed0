"""Identifiers that must be stable across retries."""

import re

from chalicelib.domain.ids import case_id_for, new_report_id, report_id_for_idempotency_key

REPORT_ID = re.compile(r"^rpt_[a-z2-7]{26}$")


def test_keyed_ids_are_stable_and_scoped_to_the_partner() -> None:
    first = report_id_for_idempotency_key("mitra-a", "key-1")
    assert first == report_id_for_idempotency_key("mitra-a", "key-1")
    assert first != report_id_for_idempotency_key("mitra-b", "key-1")
    assert REPORT_ID.match(first)


def test_new_ids_are_unique_and_well_formed() -> None:
    ids = {new_report_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(REPORT_ID.match(i) for i in ids)


def test_case_ids_follow_content() -> None:
    assert case_id_for("ab" * 32) == case_id_for("ab" * 32)
    assert case_id_for("ab" * 32) != case_id_for("cd" * 32)
