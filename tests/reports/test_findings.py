"""Findings counts and quotes, worked out by hand from the coded project in conftest."""

from __future__ import annotations

import csv
import io

import pytest

from cohub.apps.analysis.services import highlight_update
from cohub.apps.core.csvsafe import to_csv
from cohub.apps.core.models import Event
from cohub.apps.reports.findings import (
    CSV_HEADER,
    NOT_SET,
    clean_filter,
    findings_csv_rows,
    findings_narrow,
    project_findings,
)
from cohub.apps.reports.services import findings_export_csv
from cohub.apps.stories.services import consent_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SKY_WITHHELD = "Withheld: Sky has not agreed that we quote them without their name."


def _by_name(findings):
    return {theme.name: theme for theme in findings.themes}


def _quotes(coded, theme_name):
    theme = _by_name(project_findings(coded.project))[theme_name]
    return {q.highlight_id: q for q in theme.quotes}


def test_totals_count_each_quote_and_story_once(coded):
    findings = project_findings(coded.project)
    assert findings.quote_count == 5
    assert findings.story_count == 3


def test_themes_are_ordered_by_quote_count(coded):
    findings = project_findings(coded.project)
    assert [t.name for t in findings.themes] == ["Waiting", "Trust", "Unused"]


def test_quotes_and_distinct_stories_per_theme(coded):
    themes = _by_name(project_findings(coded.project))
    assert (themes["Waiting"].quote_count, themes["Waiting"].story_count) == (3, 2)
    assert (themes["Trust"].quote_count, themes["Trust"].story_count) == (2, 2)
    assert (themes["Unused"].quote_count, themes["Unused"].story_count) == (0, 0)


def test_split_by_change_level(coded):
    themes = _by_name(project_findings(coded.project))
    assert themes["Waiting"].by_change_level == [
        ("Individual", 1),
        ("Organisation", 1),
        ("Society", 1),
    ]
    assert themes["Trust"].by_change_level == [
        ("Individual", 0),
        ("Organisation", 1),
        ("Society", 0),
        ("Not set", 1),
    ]


def test_split_by_sector_counts_a_quote_under_each_of_its_sectors(coded):
    themes = _by_name(project_findings(coded.project))
    assert themes["Waiting"].by_sector == [("Research", 1), ("Policy", 1), ("Services", 2)]
    assert themes["Trust"].by_sector == [("Research", 0), ("Policy", 1), ("Services", 1)]


def test_untagged_quotes_are_kept_apart(coded):
    untagged = project_findings(coded.project).untagged
    assert [q.highlight_id for q in untagged.quotes] == [coded.highlights["h5"].pk]
    assert untagged.name == "Not yet themed"


def test_quote_words_are_withheld_without_consent_to_quote(coded):
    themes = _by_name(project_findings(coded.project))
    sky_quote = next(q for q in themes["Waiting"].quotes if q.story_id == coded.stories["B"].pk)
    assert sky_quote.text is None
    assert sky_quote.withheld
    assert sky_quote.source == "Sky"


def test_named_only_where_consent_allows_and_coder_chose_it(coded):
    quotes = _quotes(coded, "Waiting")
    assert quotes[coded.highlights["h2"].pk].source == "Robin Real"
    assert quotes[coded.highlights["h1"].pk].source == "Robin Real"
    trust = _by_name(project_findings(coded.project))["Trust"]
    assert {q.source for q in trust.quotes} == {"Robin Real", "Ana"}


def test_one_quote_kept_anonymous_keeps_all_of_that_storytellers_quotes_anonymous(coded):
    highlight_update(highlight=coded.highlights["h1"], actor=None, attribution="anonymous")
    quotes = _quotes(coded, "Waiting")
    assert quotes[coded.highlights["h1"].pk].source == "Robin"
    assert quotes[coded.highlights["h2"].pk].source == "Robin"


def test_narrowed_consent_takes_the_name_away_at_once(coded):
    consent_record(
        storyteller=coded.storytellers["Robin"],
        actor=None,
        record=True,
        transcribe=True,
        quote_anonymously=True,
    )
    quotes = _quotes(coded, "Waiting")
    assert quotes[coded.highlights["h2"].pk].source == "Robin"
    assert quotes[coded.highlights["h2"].pk].text == "=Nobody rang me back, not once."


def _parsed_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def _csv(coded):
    return _parsed_csv(to_csv(findings_csv_rows(project_findings(coded.project))))


def test_csv_has_one_row_per_quote_with_its_id_and_all_its_themes(coded):
    rows = _csv(coded)
    assert tuple(rows[0]) == CSV_HEADER
    h = coded.highlights
    # In story order, each quote once: h2 is in two themes and still one row.
    assert [row[0] for row in rows[1:]] == [str(h[k].pk) for k in ("h1", "h2", "h3", "h4", "h5")]
    themes = {row[0]: row[2] for row in rows[1:]}
    assert themes[str(h["h2"].pk)] == "Trust; Waiting"
    assert themes[str(h["h1"].pk)] == "Waiting"
    assert themes[str(h["h5"].pk)] == ""


def test_csv_says_who_spoke_and_in_what_part(coded):
    rows = {row[0]: row for row in _csv(coded)[1:]}
    robin = rows[str(coded.highlights["h1"].pk)]
    assert (robin[3], robin[4]) == ("Robin Real", "Storyteller")
    ana = rows[str(coded.highlights["h4"].pk)]
    assert (ana[3], ana[4]) == ("Ana", "Storyteller")


def test_csv_leaves_out_merged_themes_and_follows_a_rename(coded):
    from cohub.apps.analysis.services import theme_merge, theme_rename

    trust = next(t for t in coded.project.themes.all() if t.name == "Trust")
    waiting = next(t for t in coded.project.themes.all() if t.name == "Waiting")
    theme_merge(source=trust, target=waiting, actor=None)
    theme_rename(theme=waiting, name="Waiting and trust", actor=None)
    rows = {row[0]: row for row in _csv(coded)[1:]}
    assert rows[str(coded.highlights["h2"].pk)][2] == "Waiting and trust"
    assert rows[str(coded.highlights["h4"].pk)][2] == "Waiting and trust"


def test_csv_theme_names_cannot_become_formulas(coded):
    from cohub.apps.analysis.services import theme_rename

    trust = next(t for t in coded.project.themes.all() if t.name == "Trust")
    theme_rename(theme=trust, name='=HYPERLINK("http://x")', actor=None)
    text = to_csv(findings_csv_rows(project_findings(coded.project)))
    rows = {row[0]: row for row in _parsed_csv(text)[1:]}
    assert rows[str(coded.highlights["h4"].pk)][2] == '\'=HYPERLINK("http://x")'
    # Sorted after "=..." here, but a theme later in the cell is quoted whole, never split off.
    assert rows[str(coded.highlights["h2"].pk)][2] == '\'=HYPERLINK("http://x"); Waiting'


def test_csv_withholds_words_names_and_neutralises_formulas(coded):
    rows = _csv(coded)
    by_quote = {row[1]: row for row in rows[1:]}
    assert SKY_WITHHELD in by_quote
    assert by_quote[SKY_WITHHELD][3] == "Sky"
    assert by_quote[SKY_WITHHELD][2] == "Waiting"
    assert "The letter came after I had moved house." not in "".join(map(str, rows))
    named = by_quote["'=Nobody rang me back, not once."]
    assert named[3] == "Robin Real"
    assert named[10] == "'+44 said no"
    assert by_quote["I waited eleven weeks."][3] == "Robin Real"
    assert by_quote["I waited eleven weeks."][8] == "Individual"
    assert named[9] == "Policy; Services"


def test_export_service_records_who_exported(coded):
    user = UserFactory()
    text = findings_export_csv(project=coded.project, actor=user)
    assert text.startswith('\ufeff"Quote id","Quote","Themes","Who spoke",')
    event = Event.objects.get(verb="findings.export")
    assert event.actor == user
    assert event.project_id == coded.project.pk
    assert event.data["quotes"] == 5
    assert event.data["rows"] == 5
    assert "moved house" not in str(event.data)


def test_export_service_without_actor_is_a_system_action(coded):
    findings_export_csv(project=coded.project, actor=None)
    assert Event.objects.get(verb="findings.export").actor is None


# ---------------------------------------------------------------------------
# Narrowing: pure, so the page, an export and the API narrow alike


def test_narrowing_by_level_keeps_matching_quotes_and_recounts(coded):
    findings = project_findings(coded.project)
    narrowed = findings_narrow(findings, level="individual")
    h1, h5 = coded.highlights["h1"].pk, coded.highlights["h5"].pk
    assert (narrowed.quote_count, narrowed.story_count) == (2, 2)
    assert [q.highlight_id for q in _by_name(narrowed)["Waiting"].quotes] == [h1]
    assert _by_name(narrowed)["Trust"].quotes == []
    assert [q.highlight_id for q in narrowed.untagged.quotes] == [h5]
    assert [t.name for t in narrowed.themes] == ["Waiting", "Trust", "Unused"]
    assert findings.quote_count == 5, "the findings given are left as they were"


def test_narrowing_by_sector_and_level_together(coded):
    narrowed = findings_narrow(
        project_findings(coded.project), level="organisation", sector="policy"
    )
    assert narrowed.quote_count == 1
    assert {t.name: t.quote_count for t in narrowed.themes} == {
        "Waiting": 1,
        "Trust": 1,
        "Unused": 0,
    }


def test_not_set_means_quotes_with_no_level(coded):
    narrowed = findings_narrow(project_findings(coded.project), level=NOT_SET)
    assert [q.highlight_id for t in narrowed.themes for q in t.quotes] == [
        coded.highlights["h4"].pk
    ]


def test_no_filter_is_the_findings_unchanged(coded):
    findings = project_findings(coded.project)
    assert findings_narrow(findings) is findings


def test_unknown_filter_values_are_read_as_no_filter():
    assert clean_filter(level="nonsense", sector="x") == ("", "")
    assert clean_filter(level=NOT_SET, sector="policy") == (NOT_SET, "policy")
