"""Fifty people watching one workshop board on the embedded server: do other pages stay quick?

Builds a throwaway project (STORIES stories, QUOTES_PER_STORY key quotes each,
THEMES themes) in a fresh SQLite data dir, starts the real `cohub serve`
(waitress, 8 threads, no worker) on port 8104, and measures in one run:

1. baseline: page timings (board, codebook, project overview), nobody watching;
2. live: WATCHERS logged-in people polling the board's feed as board.js does
   (every POLL_S seconds), while a writer moves a quote every MOVE_EVERY_S
   seconds; page timings again, each watcher's feed timings, and how long
   after each move committed every watcher had it (the two-second goal);
3. reload: the design we did not choose, WATCHERS people reloading the whole
   board every RELOAD_S seconds; page timings again.

Prints p50/p95/max in milliseconds and the share of failed requests. Run:
    PYTHONPATH=. .venv/bin/python bench/board.py [--watchers 50] [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["COHUB_DATA_DIR"] = tempfile.mkdtemp(prefix="cohub-bench-board-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402

from cohub.apps.accounts.models import Organisation, User  # noqa: E402
from cohub.apps.analysis import services as coding  # noqa: E402
from cohub.apps.analysis.models import CodingEvent, HighlightTheme  # noqa: E402
from cohub.apps.analysis.views.board import POLL_MS  # noqa: E402
from cohub.apps.projects.models import ProjectRole  # noqa: E402
from cohub.apps.projects.services import membership_add, project_create  # noqa: E402
from cohub.apps.stories import services as stories  # noqa: E402

PORT = 8104
STORIES = 20
QUOTES_PER_STORY = 10
THEMES = 10
POLL_S = POLL_MS / 1000  # as board.js polls
RELOAD_S = 2.0
MOVE_EVERY_S = 2.0
PAGE_EVERY_S = 0.25


def build():
    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Bench", slug="bench")
    project = project_create(
        organisation=organisation, name="Bench", purpose="p", opening_question="q", actor=None
    )
    themes = [
        coding.theme_create(project=project, name=f"Theme {n}", actor=None).theme
        for n in range(THEMES)
    ]
    consent = {"record": True, "transcribe": True, "quote_anonymously": True}
    quotes = []
    for s in range(STORIES):
        teller = stories.storyteller_create(
            project=project, actor=None, pseudonym=f"Teller {s}", consent=consent
        )
        text = "\n\n".join(
            f"Teller {s}: This is part {p} of story {s}, about waiting and being heard."
            for p in range(QUOTES_PER_STORY)
        )
        story = stories.story_create_from_text(
            project=project, storyteller=teller, actor=None, title=f"Story {s}", text=text
        )
        transcript = story.transcripts.get()
        for p, segment in enumerate(transcript.segments.order_by("index")):
            quotes.append(
                coding.highlight_create(
                    story=story,
                    transcript=transcript,
                    char_start=segment.char_start,
                    char_end=segment.char_end,
                    actor=None,
                    themes=[themes[(s + p) % THEMES]],
                ).highlight
            )
    return project, themes, quotes


def session_for(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def people(project, n: int) -> list[str]:
    keys = []
    for i in range(n):
        user = User.objects.create_user(email=f"watcher{i}@example.org", password=None)
        membership_add(project=project, user=user, roles=[ProjectRole.MEMBER], actor=None)
        keys.append(session_for(user))
    return keys


def start_server() -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = open(Path(os.environ["COHUB_DATA_DIR"]) / "serve.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 (our own command line, no user input)
        [sys.executable, "-m", "cohub.cli", "serve", "--no-worker", "--port", str(PORT)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{PORT}/", timeout=1)
            return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("cohub serve did not start")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux), to measure cost apart from load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def line(name: str, values: list[float], failed: int = 0) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name:<38} n={len(ms):>5}  p50={percentile(ms, 0.5):7.1f}  "
        f"p95={percentile(ms, 0.95):7.1f}  max={max(ms, default=float('nan')):7.1f} ms"
        f"  failed={failed}"
    )


class Pages(threading.Thread):
    """One person opening ordinary pages one after another, timing each."""

    def __init__(self, session: str, urls: list[str], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.http = requests.Session()
        self.http.cookies.set("sessionid", session)
        self.urls, self.stop, self.times, self.failed = urls, stop, [], 0

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            url = self.urls[i % len(self.urls)]
            i += 1
            started = time.monotonic()
            try:
                response = self.http.get(url, timeout=30)
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            if ok:
                self.times.append(time.monotonic() - started)
            else:
                self.failed += 1
            self.stop.wait(PAGE_EVERY_S)


class Watcher(threading.Thread):
    """One open board: polls the feed, notes when it first sees each event id."""

    def __init__(self, session: str, feed: str, last: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.http = requests.Session()
        self.http.cookies.set("sessionid", session)
        self.feed, self.last, self.stop = feed, last, stop
        self.times: list[float] = []
        self.seen: dict[int, float] = {}
        self.failed = 0

    def run(self) -> None:
        # Spread the first polls over one interval, as people open the board at different times.
        self.stop.wait(POLL_S * (hash(self.name) % 1000) / 1000)
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                response = self.http.get(
                    self.feed,
                    params={"after": self.last},
                    headers={"Accept": "application/json"},
                    timeout=30,
                )
                data = response.json() if response.status_code == 200 else None
            except (requests.RequestException, ValueError):
                data = None
            now = time.monotonic()
            if data is None:
                self.failed += 1
            else:
                self.times.append(now - started)
                if data["last"] > self.last:
                    self.seen[data["last"]] = now
                    self.last = data["last"]
                if data["more"]:
                    continue
            self.stop.wait(POLL_S)


class Reloader(Watcher):
    """The design not chosen: reload the whole board every RELOAD_S seconds."""

    def run(self) -> None:
        self.stop.wait(RELOAD_S * (hash(self.name) % 1000) / 1000)
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                ok = self.http.get(self.feed, timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            if ok:
                self.times.append(time.monotonic() - started)
            else:
                self.failed += 1
            self.stop.wait(RELOAD_S)


def readers_for(stop: threading.Event, session: str, urls: list[str]) -> list[Pages]:
    """Two people opening ordinary pages while the crowd does its thing."""
    readers = [Pages(session, urls, stop) for _ in range(2)]
    for reader in readers:
        reader.start()
    return readers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    print(f"Building: {STORIES} stories, {STORIES * QUOTES_PER_STORY} quotes, {THEMES} themes")
    project, themes, quotes = build()
    facilitator = User.objects.create_user(email="facilitator@example.org", password=None)
    membership_add(project=project, user=facilitator, roles=[ProjectRole.FACILITATOR], actor=None)
    reader_session = session_for(facilitator)
    sessions = people(project, args.watchers)
    base = f"http://127.0.0.1:{PORT}"
    urls = [
        f"{base}/p/{project.slug}/board/",
        f"{base}/p/{project.slug}/themes/",
        f"{base}/p/{project.slug}/",
    ]
    feed = f"{base}/p/{project.slug}/board/feed/"
    server = start_server()
    try:
        # 1. Nobody watching.
        stop = threading.Event()
        cpu0, wall0 = cpu_seconds(server.pid), time.monotonic()
        readers = readers_for(stop, reader_session, urls)
        time.sleep(args.seconds)
        stop.set()
        for reader in readers:
            reader.join()
        base_cpu = (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - wall0)
        base_times = [t for r in readers for t in r.times]
        base_failed = sum(r.failed for r in readers)

        # 2. Fifty boards open, polling the feed, while someone moves a quote every 2 s.
        last = CodingEvent.objects.filter(project=project).order_by("-pk").first().pk
        stop2 = threading.Event()
        watchers = [Watcher(s, feed, last, stop2) for s in sessions]
        for watcher in watchers:
            watcher.start()
        time.sleep(POLL_S * 2)  # everyone is polling before pages are timed
        cpu0, wall0 = cpu_seconds(server.pid), time.monotonic()
        readers2 = readers_for(stop2, reader_session, urls)
        moves: dict[int, float] = {}
        deadline = time.monotonic() + args.seconds
        i = 0
        while time.monotonic() < deadline:
            quote = quotes[i % len(quotes)]
            i += 1
            current = HighlightTheme.objects.filter(highlight=quote).first()
            source = current.theme if current else None
            target = themes[(themes.index(source) + 1) % THEMES] if source else themes[0]
            result = coding.highlight_move(
                highlight=quote, from_theme=source, to_theme=target, actor=facilitator
            )
            moves[result.event.pk] = time.monotonic()
            time.sleep(MOVE_EVERY_S)
        time.sleep(POLL_S * 3)  # the last move reaches everyone
        stop2.set()
        for thread in [*watchers, *readers2]:
            thread.join()
        live_cpu = (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - wall0)
        feed_cpu_ms = 1000 * (
            (live_cpu - base_cpu)
            * (time.monotonic() - wall0)
            / max(1, sum(len(w.times) for w in watchers))
        )
        live_times = [t for r in readers2 for t in r.times]
        live_failed = sum(r.failed for r in readers2)
        feed_times = [t for w in watchers for t in w.times]
        feed_failed = sum(w.failed for w in watchers)
        lags = []
        missed = 0
        for event_id, committed in moves.items():
            for watcher in watchers:
                seen = [at for eid, at in watcher.seen.items() if eid >= event_id]
                if seen:
                    lags.append(min(seen) - committed)
                else:
                    missed += 1
        polls_per_s = len(feed_times) / (args.seconds + POLL_S * 3)

        # 3. The design not chosen: everyone reloads the whole board every 2 s.
        stop3 = threading.Event()
        reloaders = [Reloader(s, urls[0], 0, stop3) for s in sessions]
        for reloader in reloaders:
            reloader.start()
        time.sleep(RELOAD_S * 2)
        readers3 = readers_for(stop3, reader_session, urls)
        time.sleep(args.seconds)
        stop3.set()
        reload_times = [t for r in readers3 for t in r.times]
        reload_failed = sum(r.failed for r in readers3)
        board_reloads = [t for r in reloaders for t in r.times]
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    print(f"\n{args.watchers} watchers, {args.seconds:.0f} s per phase, cohub serve (8 threads)")
    print(line("pages, nobody watching", base_times, base_failed))
    print(line(f"pages, {args.watchers} boards polling the feed", live_times, live_failed))
    print(line("feed polls", feed_times, feed_failed))
    print(f"{'server CPU, nobody watching':<38} {base_cpu:.2f} cores")
    print(f"{'server CPU, boards polling':<38} {live_cpu:.2f} cores")
    print(f"{'server CPU per feed poll (about)':<38} {feed_cpu_ms:.1f} ms")
    print(f"{'feed polls per second':<38} {polls_per_s:.1f}")
    print(line("move -> seen by each watcher", lags, missed))
    within = sum(1 for lag in lags if lag <= 2.0)
    print(
        f"{'seen within 2 s':<38} {within} of {len(lags) + missed}"
        f" ({100 * within / max(1, len(lags) + missed):.1f}%)"
    )
    if reload_times:
        print(line(f"pages, {args.watchers} reloading the board", reload_times, reload_failed))
    else:
        print(
            f"{'pages, ' + str(args.watchers) + ' reloading the board':<38} none finished within "
            f"{args.seconds:.0f} s ({reload_failed} failed)"
        )
    print(line("whole-board reloads", board_reloads, sum(r.failed for r in reloaders)))
    if base_times:
        base95 = percentile(base_times, 0.95)
        print(
            f"\np95 page time with the feed: {percentile(live_times, 0.95) / base95:.2f}x"
            " the baseline"
            + (
                f"; with full reloads: {percentile(reload_times, 0.95) / base95:.2f}x"
                if reload_times
                else "; with full reloads no page finished"
            )
        )


if __name__ == "__main__":
    main()
