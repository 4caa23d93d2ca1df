"""The de-identification engine: each recogniser, the lists, consistent numbering, offline.

The spaCy model loads once for the module (``redactor()`` keeps one per process).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cohub.pipeline.redact import (
    Finding,
    Kind,
    Lists,
    Term,
    _nhs_check_digit_ok,
    kind_from_word,
    number_findings,
    parse_term,
    redact_text,
    redactor,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def engine():
    return redactor()


def found(engine, text, lists=None):
    """{(kind, text)} of everything the engine finds."""
    return {(f.kind, f.text) for f in engine.find(text, lists)}


def kinds_of(engine, text, words):
    return {f.kind for f in engine.find(text) if f.text == words}


@pytest.mark.parametrize(
    "text, postcode",
    [
        ("We moved to LS6 2AB last year.", "LS6 2AB"),
        ("post it to WF13 2BX please", "WF13 2BX"),
        ("The office is at EC1A 1BB.", "EC1A 1BB"),
        ("my postcode is ls8 5aj", "ls8 5aj"),
        ("Send it to M15DT.", "M15DT"),
    ],
)
def test_uk_postcodes(engine, text, postcode):
    assert (Kind.POSTCODE, postcode) in found(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "It's the LS6 area.",  # only the district
        "Take the A64 12 miles.",
        "We met at 10 am 3 times.",
        "The code LS6 2CI has letters a unit never has.",
    ],
)
def test_near_miss_postcodes(engine, text):
    assert not kinds_of(engine, text, text) and Kind.POSTCODE not in {
        f.kind for f in engine.find(text)
    }


@pytest.mark.parametrize(
    "number",
    [
        "07700 900123",
        "07700900388",
        "07700-900-452",
        "+44 7700 900517",
        "0113 496 0613",
        "(0113) 496 0852",
        "020 7946 0931",
        "+44 (0)113 496 0237",
        "0800 169 0310",
    ],
)
def test_uk_phone_numbers(engine, number):
    assert (Kind.PHONE, number) in found(engine, f"Ring me on {number} after six.")


@pytest.mark.parametrize(
    "text",
    ["I wrote 0113 496 00 on the form.", "In 2019 about 40 came, by 2023 it was 120.",
     "It cost £1,250,000 in the end.", "Call 999 if it happens again."],
)  # fmt: skip
def test_near_miss_phone_numbers(engine, text):
    assert Kind.PHONE not in {f.kind for f in engine.find(text)}


def test_nhs_check_digit():
    assert _nhs_check_digit_ok("9434765919")
    assert not _nhs_check_digit_ok("9434765918")  # one digit off
    assert not _nhs_check_digit_ok("1111111111")
    assert not _nhs_check_digit_ok("943476591")


def test_nhs_numbers_need_the_right_check_digit(engine):
    good = found(engine, "My NHS number is 943 476 5919.")
    assert (Kind.NHS_NUMBER, "943 476 5919") in good
    wrong = engine.find("My NHS number is 943 476 5918.")
    assert Kind.NHS_NUMBER not in {f.kind for f in wrong}
    assert (Kind.NHS_NUMBER, "9434765919") in found(engine, "Number 9434765919 on the letter.")


def test_dates_of_birth_need_words_about_birth(engine):
    assert (Kind.DATE_OF_BIRTH, "3 March 1961") in found(engine, "I was born on 3 March 1961.")
    assert (Kind.DATE_OF_BIRTH, "12/09/1941") in found(engine, "Date of birth: 12/09/1941.")
    assert (Kind.DATE_OF_BIRTH, "1st of June 1990") in found(
        engine, "Her birthday is the 1st of June 1990."
    )
    plain = engine.find("The meeting was on 3 March 2024 at the hall.")
    assert Kind.DATE_OF_BIRTH not in {f.kind for f in plain}


def test_email_addresses(engine):
    assert (Kind.EMAIL, "priya.s@example.co.uk") in found(engine, "Email priya.s@example.co.uk.")
    spoken = "it's priya dot sharma at gmail dot com"
    assert (Kind.EMAIL, "priya dot sharma at gmail dot com") in found(engine, spoken)
    # No public suffix: not an address anyone could write to.
    assert Kind.EMAIL not in {f.kind for f in engine.find("log in as admin@localhost now")}


def test_web_addresses_and_handles(engine):
    text = "See https://example.org/our-story or www.example.net, and follow @dadstalk_wf."
    got = found(engine, text)
    assert (Kind.URL, "https://example.org/our-story") in got
    assert (Kind.URL, "www.example.net") in got
    assert (Kind.HANDLE, "@dadstalk_wf") in got
    # The part after @ in an e-mail address is not a handle, nor a web address.
    email = engine.find("write to sam@example.org")
    assert [(f.kind, f.text) for f in email] == [(Kind.EMAIL, "sam@example.org")]


def test_street_addresses(engine):
    assert (Kind.ADDRESS, "14 Elm Road") in found(engine, "I live at 14 Elm Road with my sister.")
    assert (Kind.ADDRESS, "Flat 6, 31 Castle Grove") in found(
        engine, "We were at Flat 6, 31 Castle Grove for a year."
    )


def test_names_the_model_misses_and_words_that_are_not_names(engine):
    got = found(engine, "Then my auntie Folake came, and Mrs Okafor, and Kez said hello.")
    assert {(Kind.PERSON, "Folake"), (Kind.PERSON, "Mrs Okafor"), (Kind.PERSON, "Kez")} <= got
    ordinary = engine.find("Will you come? May I ask? I hope so. Mark the form, please.")
    assert not [f for f in ordinary if f.kind is Kind.PERSON]


def test_speaker_labels_are_names_but_roles_are_not(engine):
    text = "Interviewer: How was it?\nBushra: Hard. Bushra is my name."
    people = {f.text for f in engine.find(text) if f.kind is Kind.PERSON}
    assert people == {"Bushra"}


def test_generic_services_are_kept(engine):
    text = "I saw the GP, then A&E, then the NHS lost my file and the DWP stopped my PIP."
    assert engine.find(text) == []


def test_deny_list_finds_local_names_and_nicknames(engine):
    lists = Lists.of(deny=["Brookside Centre", "person: Shaz"])
    got = found(engine, "The brookside centre is where Shaz goes.", lists)
    assert (Kind.ORGANISATION, "brookside centre") in got
    assert (Kind.PERSON, "Shaz") in got


def test_allow_list_keeps_public_figures_and_our_organisation(engine):
    text = "Andy Burnham visited Leeds Mind with Priya Sharma."
    plain = found(engine, text)
    assert (Kind.PERSON, "Andy Burnham") in plain
    kept = found(engine, text, Lists.of(allow=["Andy Burnham", "Leeds Mind"]))
    assert not any(words in ("Andy Burnham", "Leeds Mind", "Leeds") for _, words in kept)
    assert (Kind.PERSON, "Priya Sharma") in kept


def test_deny_wins_over_allow(engine):
    lists = Lists.of(deny=["person: Sky"], allow=["Sky"])
    assert (Kind.PERSON, "Sky") in found(engine, "Then Sky rang me.", lists)


def test_same_person_same_number_all_through_a_story(engine):
    text = (
        "Priya Sharma moved here in 2019. Later Priya met Tom Baker at the centre. "
        "Ms Sharma said Tom was kind, and Priya agreed. Tom rang 07700 900123 and "
        "then 07700 900123 again."
    )
    findings = engine.find(text)
    by_text = {}
    for finding in findings:
        by_text.setdefault(finding.text, set()).add(finding.replacement)
    priya = by_text["Priya Sharma"] | by_text["Priya"] | by_text["Ms Sharma"]
    tom = by_text["Tom Baker"] | by_text["Tom"]
    assert priya == {"[PERSON 1]"}
    assert tom == {"[PERSON 2]"}
    assert by_text["07700 900123"] == {"[PHONE 1]"}
    redacted = redact_text(text, findings)
    assert "Priya" not in redacted and "Tom" not in redacted and "900123" not in redacted
    assert redacted.startswith("[PERSON 1] moved here in 2019.")


def test_numbering_is_per_kind_and_in_order():
    findings = [
        Finding(0, 3, Kind.PERSON, "Sam", "model"),
        Finding(4, 9, Kind.PLACE, "Leeds", "model"),
        Finding(10, 13, Kind.PERSON, "Ash", "model"),
        Finding(14, 17, Kind.PERSON, "sam", "model"),
    ]
    assert [f.replacement for f in number_findings(findings)] == [
        "[PERSON 1]",
        "[PLACE 1]",
        "[PERSON 2]",
        "[PERSON 1]",
    ]


def test_redact_text_refuses_overlaps():
    with pytest.raises(ValueError):
        redact_text(
            "abcdef",
            [Finding(0, 3, Kind.PERSON, "abc", "x"), Finding(2, 5, Kind.PERSON, "cde", "x")],
        )


def test_deny_terms_and_kinds_in_words():
    assert parse_term("person: Shaz") == Term("Shaz", Kind.PERSON)
    assert parse_term("Brookside Centre") == Term("Brookside Centre", Kind.ORGANISATION)
    assert parse_term("Ref: 12") == Term("Ref: 12", Kind.ORGANISATION)
    assert kind_from_word("NHS number") is Kind.NHS_NUMBER
    with pytest.raises(ValueError):
        kind_from_word("shoe size")


OFFLINE_SCRIPT = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network blocked by the test")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from cohub.pipeline.redact import presidio_out_of_the_box, redactor

    text = "Email sam.jones@example.co.uk or see https://example.org, Sam Jones said."
    ours = sorted((f.kind.value, f.text) for f in redactor().find(text))
    theirs = sorted(r.entity_type for r in presidio_out_of_the_box().analyze(text, language="en"))
    print(ours)
    print(theirs)
    """
)


def test_nothing_reaches_the_network(tmp_path):
    """A fresh process with sockets refused: the model loads, tldextract reads its snapshot."""
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TLDEXTRACT_CACHE", None)
    result = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    ours, theirs = result.stdout.strip().splitlines()[-2:]
    assert "('email', 'sam.jones@example.co.uk')" in ours
    assert "('url', 'https://example.org')" in ours
    assert "EMAIL_ADDRESS" in theirs
    assert "network blocked" not in result.stderr
    # Nothing was cached in the home folder either (tldextract would write its list there).
    assert not (tmp_path / "cache" / "python-tldextract").exists()
