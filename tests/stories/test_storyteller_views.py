"""Storyteller and consent pages: who may use them, what they store and what they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.models import ConsentRecord, Story, Storyteller
from tests.factories import (
    ALL_ROLES,
    GATHER_ONLY,
    ProjectFactory,
    assert_role_access,
    log_in_as_role,
    make_member,
    make_story,
    make_storyteller,
)

GATHERERS = {"facilitator", "community_reporter", "org_admin"}


def _url(name, project, **kwargs):
    return reverse(f"stories:{name}", kwargs={"project_slug": project.slug, **kwargs})


def _login(client, project, role):
    return log_in_as_role(client, project, role)


def _expect(response, role):
    assert_role_access(response, role, GATHERERS, ok=(200,))


def _create_data(**overrides):
    data = {
        "pseudonym": "Robin",
        "real_name": "Robin Smith",
        "self_description": "A dad, a carer, a bus driver.",
        "age_range": "35 to 44",
        "gender": "",
        "ethnicity": "",
        "location": "Leeds",
        "sectors": ["services"],
        "roles": ["lived_experience"],
        "topics": "housing, buses",
        "record": "on",
        "transcribe": "on",
        "quote_anonymously": "on",
        "keep_until": "",
        "note": "Signed the paper form.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def storyteller(project):
    return make_storyteller(project, consent=GATHER_ONLY, real_name="Robin Smith")


# --- Every role, every page ----------------------------------------------------------------


PAGES = ["storyteller_list", "storyteller_create"]
STORYTELLER_PAGES = ["storyteller_detail", "storyteller_edit", "consent_update", "consent_withdraw"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_project_pages_are_for_gatherers(client, project, role, page):
    _login(client, project, role)
    _expect(client.get(_url(page, project)), role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("page", STORYTELLER_PAGES)
def test_storyteller_pages_are_for_gatherers(client, project, storyteller, role, page):
    user = _login(client, project, role)
    if page == "consent_withdraw" and role == "community_reporter":
        # Withdrawing is for the storytellers a reporter works with (tests below).
        Storyteller.objects.filter(pk=storyteller.pk).update(created_by=user)
    _expect(client.get(_url(page, project, storyteller_id=storyteller.pk)), role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_gatherers_can_create_a_storyteller(client, project, role):
    _login(client, project, role)
    client.post(_url("storyteller_create", project), _create_data())
    assert Storyteller.objects.filter(project=project).exists() == (role in GATHERERS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_gatherers_can_change_consent(client, project, storyteller, role):
    _login(client, project, role)
    client.post(
        _url("consent_update", project, storyteller_id=storyteller.pk),
        {"record": "on", "transcribe": "on", "quote_anonymously": "on"},
    )
    assert (storyteller.consent_records.count() == 2) == (role in GATHERERS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_gatherers_can_withdraw(client, project, storyteller, role):
    story = make_story(project, storyteller=storyteller)
    user = _login(client, project, role)
    if role == "community_reporter":
        Story.objects.filter(pk=story.pk).update(created_by=user)  # they gathered it
    client.post(_url("consent_withdraw", project, storyteller_id=storyteller.pk), {"confirm": "on"})
    storyteller.refresh_from_db()
    assert (storyteller.withdrawn_at is not None) == (role in GATHERERS)
    assert Story.objects.exists() == (role not in GATHERERS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_gatherers_can_edit(client, project, storyteller, role):
    _login(client, project, role)
    client.post(
        _url("storyteller_edit", project, storyteller_id=storyteller.pk),
        _create_data(pseudonym="Renamed"),
    )
    storyteller.refresh_from_db()
    assert (storyteller.pseudonym == "Renamed") == (role in GATHERERS)


@pytest.mark.django_db
def test_storyteller_from_another_project_is_not_found(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    elsewhere = make_storyteller(ProjectFactory())
    client.force_login(facilitator)
    for page in STORYTELLER_PAGES:
        assert client.get(_url(page, project, storyteller_id=elsewhere.pk)).status_code == 404
    client.post(_url("consent_withdraw", project, storyteller_id=elsewhere.pk), {"confirm": "on"})
    elsewhere.refresh_from_db()
    assert elsewhere.withdrawn_at is None


# --- What is stored and shown --------------------------------------------------------------


@pytest.mark.django_db
def test_create_page_has_the_consent_fieldset(client, project):
    client.force_login(make_member(project, ProjectRole.COMMUNITY_REPORTER))
    html = client.get(_url("storyteller_create", project)).content.decode()
    assert "<legend" in html and "What they agreed to" in html
    assert "How they describe themselves (in their own words)" in html
    assert 'type="date"' in html
    assert "How was consent given?" in html
    assert "Only shown where they agree to be quoted by name." in html
    for label in ("Record their story", "Quote them without their name", "Quote them by name"):
        assert label in html
    assert "Age range (optional)" in html


@pytest.mark.django_db
def test_reporter_creates_a_storyteller_with_exactly_the_ticked_consent(client, project):
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    client.force_login(reporter)
    keep_until = timezone.localdate() + dt.timedelta(days=365)
    response = client.post(
        _url("storyteller_create", project), _create_data(keep_until=keep_until.isoformat())
    )
    storyteller = Storyteller.objects.get(project=project)
    assert response.status_code == 302
    assert response["Location"] == _url(
        "storyteller_detail", project, storyteller_id=storyteller.pk
    )
    assert storyteller.pseudonym == "Robin"
    assert storyteller.real_name == "Robin Smith"
    assert storyteller.self_description == "A dad, a carer, a bus driver."
    assert storyteller.sectors == ["services"]
    assert storyteller.roles == ["lived_experience"]
    assert storyteller.topics == ["housing", "buses"]
    assert storyteller.created_by == reporter
    record = ConsentRecord.objects.get(storyteller=storyteller)
    assert record.version == 1
    assert record.granted_scopes() == ["record", "transcribe", "quote_anonymously"]
    assert record.keep_until == keep_until
    assert record.note == "Signed the paper form."
    assert record.recorded_by == reporter


@pytest.mark.django_db
def test_create_with_nothing_ticked_stores_no_scopes(client, project):
    client.force_login(make_member(project, ProjectRole.COMMUNITY_REPORTER))
    client.post(
        _url("storyteller_create", project),
        _create_data(record=None, transcribe=None, quote_anonymously=None),
    )
    record = ConsentRecord.objects.get(storyteller__project=project)
    assert record.granted_scopes() == []


@pytest.mark.django_db
def test_create_refusal_is_shown_and_input_kept(client, project):
    client.force_login(make_member(project, ProjectRole.COMMUNITY_REPORTER))
    response = client.post(
        _url("storyteller_create", project),
        _create_data(quote_anonymously=None, quote_by_name="on"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Quoting by name needs consent to be quoted at all" in html
    assert 'value="Robin Smith"' in html
    assert not Storyteller.objects.exists()


@pytest.mark.django_db
def test_create_without_pseudonym_or_with_past_date_is_refused(client, project):
    client.force_login(make_member(project, ProjectRole.COMMUNITY_REPORTER))
    response = client.post(_url("storyteller_create", project), _create_data(pseudonym=""))
    assert "Give the storyteller a name or pseudonym" in response.content.decode()
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(_url("storyteller_create", project), _create_data(keep_until=yesterday))
    assert "in the past" in response.content.decode()
    assert not Storyteller.objects.exists()


@pytest.mark.django_db
def test_list_shows_consent_in_plain_words_and_withdrawn_clearly(client, project):
    robin = make_storyteller(project, consent={**GATHER_ONLY, "quote_anonymously": True})
    make_story(project, storyteller=robin)
    sam = make_storyteller(project, pseudonym="Sam")
    from cohub.apps.stories.services import consent_withdraw

    consent_withdraw(storyteller=sam, actor=None)
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    html = client.get(_url("storyteller_list", project)).content.decode()
    assert "Robin" in html
    assert "Record, transcribe, quote anonymously" in html
    assert '<td data-label="Stories" class="numeric">1</td>' in html
    assert "Withdrawn" in html
    assert "Add a storyteller" in html


@pytest.mark.django_db
def test_detail_shows_profile_consent_history_and_stories(client, project, storyteller):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    story = make_story(project, storyteller=storyteller, title="Waiting for the bus")
    from cohub.apps.stories.services import consent_record

    consent_record(
        storyteller=storyteller,
        actor=facilitator,
        record=True,
        transcribe=True,
        quote_anonymously=True,
        note="Rang to say yes to quotes.",
    )
    client.force_login(facilitator)
    html = client.get(_url("storyteller_detail", project, storyteller_id=storyteller.pk))
    html = html.content.decode()
    assert "Robin Smith" in html
    assert "Consent history" in html
    assert "Record, transcribe, quote anonymously" in html
    assert "Record, transcribe</td>" in html
    assert "Rang to say yes to quotes." in html
    assert str(facilitator) in html
    assert (
        reverse(
            "analysis:review_sheet", kwargs={"project_slug": project.slug, "story_id": story.pk}
        )
        in html
    )
    assert "Withdraw consent" in html
    assert "Change what they agreed to" in html


@pytest.mark.django_db
def test_edit_is_prefilled_and_saves(client, project, storyteller):
    client.force_login(make_member(project, ProjectRole.COMMUNITY_REPORTER))
    url = _url("storyteller_edit", project, storyteller_id=storyteller.pk)
    assert 'value="Robin Smith"' in client.get(url).content.decode()
    response = client.post(url, _create_data(pseudonym="Robyn", topics="work"))
    assert response.status_code == 302
    storyteller.refresh_from_db()
    assert storyteller.pseudonym == "Robyn"
    assert storyteller.topics == ["work"]
    assert storyteller.consent_records.count() == 1


@pytest.mark.django_db
def test_consent_update_adds_version_two_and_keeps_version_one(client, project, storyteller):
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    client.force_login(reporter)
    url = _url("consent_update", project, storyteller_id=storyteller.pk)
    page = client.get(url).content.decode()
    assert "adds a new version" in page
    assert 'id="id_record" checked' in page
    assert 'id="id_transcribe" checked' in page
    assert 'id="id_quote_anonymously">' in page  # not ticked in version 1
    response = client.post(
        url, {"record": "on", "transcribe": "on", "publish_in_library": "on", "note": "Email."}
    )
    assert response.status_code == 302
    v1, v2 = storyteller.consent_records.order_by("version")
    assert (v1.version, v2.version) == (1, 2)
    assert v1.granted_scopes() == ["record", "transcribe"]
    assert v2.granted_scopes() == ["record", "transcribe", "publish_in_library"]
    assert v2.note == "Email."
    assert v2.recorded_by == reporter


@pytest.mark.django_db
def test_consent_update_refusal_is_shown_and_nothing_stored(client, project, storyteller):
    client.force_login(make_member(project, ProjectRole.COMMUNITY_REPORTER))
    response = client.post(
        _url("consent_update", project, storyteller_id=storyteller.pk),
        {"record": "on", "quote_by_name": "on"},
    )
    assert response.status_code == 200
    assert "Quoting by name needs consent" in response.content.decode()
    assert storyteller.consent_records.count() == 1


@pytest.mark.django_db
def test_withdraw_page_explains_what_will_go(client, project, storyteller):
    make_story(project, storyteller=storyteller)
    make_story(project, storyteller=storyteller, text="Robin: again.", title="Second")
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    html = client.get(_url("consent_withdraw", project, storyteller_id=storyteller.pk))
    html = html.content.decode()
    assert "This cannot be undone" in html
    assert "all 2 of their stories" in html
    assert 'type="checkbox" name="confirm"' in html


@pytest.mark.django_db
def test_withdraw_without_confirmation_is_refused(client, project, storyteller):
    make_story(project, storyteller=storyteller)
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    response = client.post(_url("consent_withdraw", project, storyteller_id=storyteller.pk), {})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    storyteller.refresh_from_db()
    assert storyteller.withdrawn_at is None
    assert Story.objects.filter(storyteller=storyteller).count() == 1


@pytest.mark.django_db
def test_withdraw_with_confirmation_purges_and_says_how_many(client, project, storyteller):
    make_story(project, storyteller=storyteller)
    make_story(project, storyteller=storyteller, text="Robin: again.", title="Second")
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    Storyteller.objects.filter(pk=storyteller.pk).update(created_by=reporter)
    client.force_login(reporter)
    url = _url("consent_withdraw", project, storyteller_id=storyteller.pk)
    response = client.post(url, {"confirm": "on", "note": "Phoned us."}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == _url(
        "storyteller_detail", project, storyteller_id=storyteller.pk
    )
    assert "2 stories and everything made from them were removed" in html
    assert "Consent withdrawn" in html
    assert not Story.objects.exists()
    storyteller.refresh_from_db()
    assert storyteller.withdrawn_at is not None
    assert storyteller.real_name == ""
    assert [r.withdrawn for r in storyteller.consent_records.order_by("version")] == [False, True]
    assert "Robin Smith" not in html

    again = client.post(url, {"confirm": "on"}, follow=True)
    assert "already withdrawn" in again.content.decode()
    assert storyteller.consent_records.count() == 2


@pytest.mark.django_db
def test_withdrawn_storyteller_cannot_be_edited_or_given_new_consent(client, project, storyteller):
    from cohub.apps.stories.services import consent_withdraw

    consent_withdraw(storyteller=storyteller, actor=None)
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    edit = client.get(_url("storyteller_edit", project, storyteller_id=storyteller.pk))
    assert edit.status_code == 302
    response = client.post(
        _url("consent_update", project, storyteller_id=storyteller.pk), {"record": "on"}
    )
    assert response.status_code == 200
    assert "withdrew consent" in response.content.decode()
    assert storyteller.consent_records.count() == 2


# --- A reporter withdraws consent for the storytellers they work with -------------------------


def _withdraw_as(client, user, project, storyteller):
    client.force_login(user)
    url = _url("consent_withdraw", project, storyteller_id=storyteller.pk)
    return client.get(url), client.post(url, {"confirm": "on"})


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["registered", "gathered_a_story", "recorded_consent"])
def test_reporter_withdraws_for_a_storyteller_they_work_with(client, project, storyteller, how):
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    story = make_story(project, storyteller=storyteller)
    if how == "registered":
        Storyteller.objects.filter(pk=storyteller.pk).update(created_by=reporter)
    elif how == "gathered_a_story":
        Story.objects.filter(pk=story.pk).update(created_by=reporter)
    else:
        storyteller.consent_records.update(recorded_by=reporter)
    page, done = _withdraw_as(client, reporter, project, storyteller)
    # The same confirmation a facilitator sees: what will go, and a box to tick.
    assert page.status_code == 200
    assert 'name="confirm"' in page.content.decode()
    assert done.status_code == 302
    storyteller.refresh_from_db()
    assert storyteller.withdrawn_at is not None
    assert not Story.objects.filter(pk=story.pk).exists()


@pytest.mark.django_db
def test_reporter_cannot_withdraw_for_someone_they_do_not_work_with(client, project, storyteller):
    colleague = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    story = make_story(project, storyteller=storyteller)
    Story.objects.filter(pk=story.pk).update(created_by=colleague)
    stranger = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    page, done = _withdraw_as(client, stranger, project, storyteller)
    assert page.status_code == 403
    assert done.status_code == 403
    assert "for the storytellers they registered" in page.content.decode()
    storyteller.refresh_from_db()
    assert storyteller.withdrawn_at is None
    detail = client.get(_url("storyteller_detail", project, storyteller_id=storyteller.pk))
    assert "Withdraw consent</a>" not in detail.content.decode()
    assert "tell a facilitator of this project straight away" in detail.content.decode()
