"""Settings: derived names, and errors that name the variable at fault."""

import pytest

from chalicelib.config import settings_from


def test_names_derive_from_the_stage() -> None:
    settings = settings_from({"SARING_STAGE": "prod"})
    assert settings.table_name("reports") == "saring-prod-reports"
    assert settings.check_queue_name == "saring-prod-checks"
    assert settings.check_dead_letter_queue_name == "saring-prod-checks-dlq"
    assert settings.contacts_key_id == "alias/saring-prod-contacts"
    assert settings.region == "ap-southeast-3"


def test_explicit_values_win() -> None:
    settings = settings_from({"SARING_STAGE": "dev", "SARING_CHECK_QUEUE": "q", "AWS_DEFAULT_REGION": "us-east-1"})
    assert settings.check_queue_name == "q"
    assert settings.region == "us-east-1"


@pytest.mark.parametrize(
    ("name", "value"),
    [("SARING_STAGE", "staging"), ("SARING_MAX_BODY_BYTES", "12"), ("SARING_SWEEP_MINUTES", "soon")],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        settings_from({name: value})


def test_the_stage_is_required() -> None:
    # A function deployed without its stage must not start as "local", which allows loopback webhooks.
    with pytest.raises(ValueError, match="SARING_STAGE: Field required"):
        settings_from({"AWS_REGION": "ap-southeast-3"})
