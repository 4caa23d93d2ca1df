"""Recording a story in a real browser, sending it over a connection that drops, and its words.

Chromium's fake microphone plays a WAV file of two espeak-ng voices taking
turns; the page records it with MediaRecorder, sends it in pieces by tus
(tus-js-client, from npm) while one piece's answer is lost on the way back,
and the real transcription (faster-whisper and the speaker encoder, on a
worker: here the test runs the job as a worker would) writes it out with two
speakers. Every wait is for something a person would see on the page.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.services import job_run
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.models import Recording, RecordingUpload, Story
from cohub.pipeline.media import file_sha256
from tests.browser_support import (
    CHROMIUM_ARGS,
    EXPECT_TIMEOUT_MS,
    chromium_path,
    enlarge_text,
    log_in_as,
)
from tests.factories import ProjectFactory, make_member, make_storyteller
from tests.pipeline.speech import dialogue, silence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINES = [
    (0, "Thank you for talking with me today. Can you tell me about your first visit?"),
    (1, "Yes. I went to the clinic in March and I waited for a very long time."),
    (0, "How did that make you feel?"),
    (1, "Honestly, I felt forgotten. Nobody explained what would happen next."),
]


@pytest.fixture(scope="module")
def microphone(tmp_path_factory) -> tuple[Path, float]:
    """The fake microphone's sound: the dialogue, then silence, at 48 kHz as a phone would.

    Chromium plays the file in a loop; the silence after it keeps the loop's
    restart out of a recording stopped just after the dialogue ends.
    """
    folder = tmp_path_factory.mktemp("microphone")
    turns = dialogue(LINES, folder / "dialogue.wav")
    silence(folder / "quiet.wav", seconds=6.0, rate=22_050)
    target = folder / "microphone.wav"
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y", "-nostdin",
            "-i", str(folder / "dialogue.wav"), "-i", str(folder / "quiet.wav"),
            "-filter_complex", "[0:a][1:a]concat=n=2:v=0:a=1",
            "-ar", "48000", "-ac", "1", "-c:a", "pcm_s16le", str(target),
        ],
        check=True,
    )  # fmt: skip
    return target, turns[-1].end


def _launch(playwright, live_server, args):
    from playwright.sync_api import expect

    browser = playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=[*CHROMIUM_ARGS, *args]
    )
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    page = context.new_page()
    page.base_url = live_server.url
    return browser, page


@pytest.fixture
def recorder_page(live_server, microphone) -> Iterator:
    """A phone-sized Chromium whose microphone plays the dialogue, allowed without asking."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    wav, _ = microphone
    with sync_playwright() as playwright:
        browser, page = _launch(
            playwright,
            live_server,
            [
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-audio-capture={wav}",
            ],
        )
        yield page
        browser.close()
    connections.close_all()


@pytest.fixture
def refusing_page(live_server) -> Iterator:
    """A Chromium with a microphone that nobody allows this site to use."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser, page = _launch(playwright, live_server, ["--use-fake-device-for-media-stream"])
        yield page
        browser.close()
    connections.close_all()


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return root


def test_a_story_recorded_here_survives_a_dropped_connection_and_is_written_out_with_two_speakers(
    recorder_page, client, settings, tmp_path, media_root, microphone
):
    from playwright.sync_api import expect

    page = recorder_page
    _, spoken_until = microphone
    # Left for a worker, which this test plays the part of once the story is saved.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    # Small pieces, so the recording goes in several and one can be lost on the way.
    settings.COHUB_UPLOAD_CHUNK_BYTES = 16 * 1024
    settings.COHUB_UPLOADS_DIR = tmp_path / "uploads"
    project = ProjectFactory()
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER, ProjectRole.MEMBER)
    make_storyteller(project, pseudonym="Ash")

    # The second piece reaches the hub, but its answer never reaches the phone.
    seen: list[str] = []

    def flaky(route, request):
        seen.append(request.method)
        if request.method == "PATCH" and seen.count("PATCH") == 2:
            route.fetch()
            route.abort("connectionreset")
            return
        route.continue_()

    page.route(re.compile(r".*/stories/uploads/[0-9a-f]+/$"), flaky)
    log_in_as(page, client, reporter)
    page.goto(reverse("stories:recording_record", args=[project.slug]))
    page.get_by_label("Whose story is it?").select_option(label="Ash")
    page.get_by_label("Title (optional)").fill("The clinic in March")

    page.get_by_role("button", name="Start recording").click()
    expect(page.locator('[data-recorder-field="status"]')).to_have_text(
        "Recording. Press Stop when you have finished."
    )
    # The level meter moves while the voices speak.
    page.wait_for_function("() => document.getElementById('recorder-level').value > 5")
    # The timer a person watches says when the dialogue has all been heard.
    until = int(spoken_until) + 2
    page.wait_for_function(
        f"""() => {{
            const [m, s] = document.querySelector('[data-recorder-field="time"]')
                .textContent.split(':').map(Number);
            return m * 60 + s >= {until};
        }}""",
        timeout=(until + 60) * 1000,
    )
    page.get_by_role("button", name="Stop").click()
    status = page.locator('[role="status"][data-recorder-field="status"]')
    expect(status).to_contain_text("Listen back, then send it or discard it.")
    expect(page.locator('audio[data-recorder-field="playback"]')).to_have_attribute(
        "src", re.compile("^blob:")
    )

    page.get_by_role("button", name="Send and save the recording").click()
    expect(page.locator("#recording-heading")).to_be_visible(timeout=60_000)

    # The story page: the recording is kept, waiting for a worker.
    assert "PATCH" in seen and seen.count("PATCH") >= 3, seen
    assert "HEAD" in seen, f"the page never asked how much had arrived: {seen}"
    story = Story.objects.get(project=project)
    assert story.title == "The clinic in March"
    recording = Recording.objects.get(story=story)
    assert recording.duration_ms / 1000 >= spoken_until
    assert not RecordingUpload.objects.exists()
    expect(page.locator('[data-recording-field="message"]')).to_have_text("Waiting for its turn.")

    job = job_run(Job.objects.get(pk=recording.transcription_job_id).pk)
    assert job.status == "succeeded", job.error

    expect(page.get_by_role("link", name="Show the transcript")).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="Show the transcript").click()
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text(re.compile("clinic", re.IGNORECASE))
    expect(transcript).to_contain_text(re.compile("forgotten", re.IGNORECASE))
    speakers = {
        text.split("(")[0].strip()
        for text in transcript.locator(".segment__speaker").all_inner_texts()
    }
    assert speakers == {"Speaker 1", "Speaker 2"}, speakers


def test_pause_carry_on_stop_and_discard_only_after_saying_yes_by_keyboard(recorder_page, client):
    from playwright.sync_api import expect

    page = recorder_page
    project = ProjectFactory()
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    make_storyteller(project, pseudonym="Ash")
    log_in_as(page, client, reporter)
    page.goto(reverse("stories:recording_record", args=[project.slug]))
    page.get_by_label("Whose story is it?").select_option(label="Ash")
    status = page.locator('[role="status"][data-recorder-field="status"]')
    state = page.locator('[data-recorder-field="state"]')

    page.get_by_role("button", name="Start recording").focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Recording. Press Stop when you have finished.")
    # Focus moves to the next thing to press, so the keyboard goes on from there.
    expect(page.get_by_role("button", name="Pause")).to_be_focused()
    page.keyboard.press("Enter")
    expect(state).to_have_text("Paused")
    expect(status).to_contain_text("Paused at")
    expect(page.get_by_role("button", name="Carry on recording")).to_be_focused()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Recording again.")
    page.get_by_role("button", name="Stop").click()
    expect(status).to_contain_text("Listen back, then send it or discard it.")

    # Leaving the page with a recording not sent asks first; staying keeps it.
    asked: list[str] = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("link", name="Stories").first.click()
    expect(page.get_by_role("heading", name="Record a story")).to_be_visible()
    assert asked == ["beforeunload"]
    page.remove_listener("dialog", stay)

    page.get_by_role("button", name="Discard it").click()
    question = page.get_by_role("dialog", name="Discard this recording?")
    expect(question).to_be_visible()
    expect(page.get_by_role("button", name="No, keep it")).to_be_focused()
    page.keyboard.press("Enter")
    expect(question).to_be_hidden()
    expect(page.locator('audio[data-recorder-field="playback"]')).to_have_attribute(
        "src", re.compile("^blob:")
    )

    page.get_by_role("button", name="Discard it").click()
    page.get_by_role("button", name="Yes, discard it").click()
    expect(status).to_have_text("The recording was discarded.")
    expect(page.get_by_role("button", name="Start recording")).to_be_visible()
    expect(page.locator('[data-recorder-section="review"]')).to_be_hidden()
    expect(state).to_have_text("Not started")


def test_a_storyteller_who_did_not_agree_to_be_recorded_cannot_be_recorded_here(
    recorder_page, client
):
    from playwright.sync_api import expect

    page = recorder_page
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    make_storyteller(project, pseudonym="Ash")
    kit = make_storyteller(project, pseudonym="Kit", consent={"transcribe": True})
    log_in_as(page, client, facilitator)
    page.goto(reverse("stories:recording_record", args=[project.slug]))

    page.get_by_label("Whose story is it?").select_option(label="Kit")

    expect(page.locator('[data-recorder-field="consent"]')).to_have_text(
        "Kit has not agreed that we record their story. "
        "So it cannot be recorded here until they do."
    )
    expect(page.get_by_role("button", name="Start recording")).to_be_disabled()
    expect(page.get_by_role("link", name="Record what they agreed to")).to_have_attribute(
        "href", reverse("stories:consent_update", args=[project.slug, kit.pk])
    )
    page.get_by_label("Whose story is it?").select_option(label="Ash")
    expect(page.get_by_role("button", name="Start recording")).to_be_enabled()
    expect(page.locator("[data-recorder-consent]")).to_be_hidden()


def test_a_refused_microphone_is_explained_and_the_file_upload_offered(refusing_page, client):
    from playwright.sync_api import expect

    page = refusing_page
    project = ProjectFactory()
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    make_storyteller(project, pseudonym="Ash")
    log_in_as(page, client, reporter)
    page.goto(reverse("stories:recording_record", args=[project.slug]))
    page.get_by_label("Whose story is it?").select_option(label="Ash")

    page.get_by_role("button", name="Start recording").click()

    expect(page.get_by_role("alert").filter(has_text="microphone")).to_contain_text(
        "The browser was not allowed to use the microphone."
    )
    expect(page.get_by_role("link", name="Add a recording file instead")).to_be_visible()
    expect(page.locator('[data-recorder-field="state"]')).to_have_text("Not started")


def test_a_chosen_file_is_sent_in_pieces_and_resumes_after_a_cut(
    page, client, settings, tmp_path, media_root
):
    """The file picker on "Add a recording" sends through tus too, and one piece never arrives."""
    from playwright.sync_api import expect

    from tests import media_support as media

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.COHUB_UPLOAD_CHUNK_BYTES = 8 * 1024
    settings.COHUB_UPLOADS_DIR = tmp_path / "uploads"
    project = ProjectFactory()
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER, ProjectRole.MEMBER)
    make_storyteller(project, pseudonym="Ash")
    path = media.speech(tmp_path, "kitchen-table.m4a")
    seen: list[str] = []

    def cut_once(route, request):
        seen.append(request.method)
        if request.method == "PATCH" and seen.count("PATCH") == 2:
            route.abort("internetdisconnected")
            return
        route.continue_()

    page.route(re.compile(r".*/stories/uploads/[0-9a-f]+/$"), cut_once)
    log_in_as(page, client, reporter)
    page.goto(reverse("stories:recording_add", args=[project.slug]))
    page.get_by_label("Whose story is it?").select_option(label="Ash")
    page.get_by_label("Recording", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Add the recording").click()

    expect(page.locator("#recording-heading")).to_be_visible(timeout=60_000)
    assert seen.count("PATCH") >= 3 and "HEAD" in seen, seen
    recording = Recording.objects.get(story__project=project)
    assert recording.sha256 == file_sha256(path)
    assert not RecordingUpload.objects.exists()


def test_the_recorder_fits_a_phone_with_text_at_twice_the_size(recorder_page, client):
    """Large text (WCAG 1.4.4 and 1.4.10): at 360 px and 200% text the recorder fits the screen."""
    from playwright.sync_api import expect

    page = recorder_page
    project = ProjectFactory()
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    make_storyteller(project, pseudonym="Ash")
    log_in_as(page, client, reporter)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(reverse("stories:recording_record", args=[project.slug]))
    enlarge_text(page)
    page.get_by_label("Whose story is it?").select_option(label="Ash")
    page.get_by_role("button", name="Start recording").click()
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("button", name="Send and save the recording")).to_be_visible()

    # The recorder itself (the site's header is the header's own business).
    wide = page.evaluate(
        """() => [...document.querySelectorAll('form[data-recorder] *, main h1, main .lead')]
            .filter((el) => el.getClientRects().length)
            .filter((el) => el.getBoundingClientRect().right > innerWidth + 1)
            .map((el) => el.tagName + '.' + el.className + ' ' +
                 Math.round(el.getBoundingClientRect().right))"""
    )
    assert wide == [], f"these reach past the right edge of a 360 px screen: {wide}"
    for name in ("Send and save the recording", "Discard it"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 361, (name, box)


def test_recording_stops_by_itself_at_the_longest_a_recording_can_be(
    recorder_page, client, settings
):
    from playwright.sync_api import expect

    settings.COHUB_RECORDING_MAX_SECONDS = 3
    page = recorder_page
    project = ProjectFactory()
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    make_storyteller(project, pseudonym="Ash")
    log_in_as(page, client, reporter)
    page.goto(reverse("stories:recording_record", args=[project.slug]))
    page.get_by_label("Whose story is it?").select_option(label="Ash")

    page.get_by_role("button", name="Start recording").click()

    expect(page.locator('[data-recorder-field="problem"]')).to_have_text(
        "Recording stopped at 3 seconds, the longest a recording can be here. "
        "Send this part, then record the rest as another story."
    )
    expect(page.locator('[data-recorder-field="time"]')).to_have_text("0:03")
    expect(page.get_by_role("button", name="Send and save the recording")).to_be_visible()
