"""Fifty people watching one workshop board on the embedded server: do other pages stay quick?

Builds a throwaway project (STORIES stories, QUOTES_PER_STORY key quotes each,
THEMES themes) in a fresh SQLite data dir, starts the real `cohub serve` as
`make run` does (waitress, 8 threads, with its job worker; `--no-worker` to
leave the worker out) on port 8504, and measures in one run, each phase for
`--seconds`:

1. baseline: two people opening ordinary pages (board, codebook, project
   overview) one after another, nobody watching;
2. feed: WATCHERS people's boards polling the feed as board.js does (every
   POLL_S seconds, sending the ETag of what they hold, so "nothing changed" is
   a 304), while one more person moves a quote through the board's own form
   every MOVE_EVERY_S seconds; page times again, the feed's answers, and how
   long after each move was sent every watcher had it (the two-second goal);
3. feed without ETags: the same, but the polls send no If-None-Match (an
   older page), so each idle answer is a small JSON body: what the 304 saves;
4. reload: the design not chosen, WATCHERS people reloading the whole board
   every RELOAD_S seconds (the issue's figure); page times again.

Prints p50/p95/max in milliseconds, failed requests, the web server's CPU and
the machine's load average (the bench shares the machine with other work, so
read the figures against it). No timing is asserted anywhere. Run:
    PYTHONPATH=. .venv/bin/python bench/board.py [--watchers 50] [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
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
from django.urls import reverse  # noqa: E402

from cohub.apps.accounts.models import Organisation, User  # noqa: E402
from cohub.apps.analysis import services as coding  # noqa: E402
from cohub.apps.analysis.board import feed_mark  # noqa: E402
from cohub.apps.analysis.views.board import POLL_MS  # noqa: E402
from cohub.apps.projects.models import ProjectRole  # noqa: E402
from cohub.apps.projects.services import membership_add, project_create  # noqa: E402
from cohub.apps.stories import services as stories  # noqa: E402

PORT = 8504
STORIES = 20
QUOTES_PER_STORY = 10
THEMES = 10
POLL_S = POLL_MS / 1000  # as board.js polls
RELOAD_S = 2.0
MOVE_EVERY_S = 2.0
PAGE_EVERY_S = 0.25
BASE = f"http://127.0.0.1:{PORT}"


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
            theme = themes[(s + p) % THEMES]
            highlight = coding.highlight_create(
                story=story,
                transcript=transcript,
                char_start=segment.char_start,
                char_end=segment.char_end,
                actor=None,
                themes=[theme],
            ).highlight
            quotes.append((highlight.pk, theme.pk))
    return project, [t.pk for t in themes], quotes


def session_for(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def member_session(project, name: str) -> str:
    """A co-producer on the board (a member: no second step, which facilitators must pass)."""
    user = User.objects.create_user(email=f"{name}@example.org", password=None)
    membership_add(project=project, user=user, roles=[ProjectRole.MEMBER], actor=None)
    return session_for(user)


def http_for(session: str) -> requests.Session:
    http = requests.Session()
    http.cookies.set("sessionid", session)
    return http


def start_server(with_worker: bool) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = open(Path(os.environ["COHUB_DATA_DIR"]) / "serve.log", "wb")  # noqa: SIM115
    command = [sys.executable, "-m", "cohub.cli", "serve", "--port", str(PORT)]
    if not with_worker:
        command.append("--no-worker")
    server = subprocess.Popen(  # noqa: S603 (our own command line, no user input)
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            requests.get(f"{BASE}/", timeout=1)
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
        f"  {name:<36} n={len(ms):>5}  p50={percentile(ms, 0.5):7.1f}  "
        f"p95={percentile(ms, 0.95):7.1f}  max={max(ms, default=float('nan')):7.1f} ms"
        f"  failed={failed}"
    )


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


class Pages(threading.Thread):
    """One person opening ordinary pages one after another, timing each (a redirect fails)."""

    def __init__(self, session: str, urls: list[str], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.http = http_for(session)
        self.urls, self.stop = urls, stop
        self.times: list[float] = []
        self.failed = 0

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            url = self.urls[i % len(self.urls)]
            i += 1
            started = time.monotonic()
            try:
                response = self.http.get(url, timeout=30, allow_redirects=False)
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            if ok:
                self.times.append(time.monotonic() - started)
            else:
                self.failed += 1
            self.stop.wait(PAGE_EVERY_S)


class Watcher(threading.Thread):
    """One open board: polls the feed as board.js does, notes when it first sees each event id."""

    def __init__(
        self, session: str, feed: str, last: int, etag: str, stop: threading.Event, *, tags: bool
    ) -> None:
        super().__init__(daemon=True)
        self.http = http_for(session)
        self.feed, self.last, self.etag, self.stop, self.tags = feed, last, etag, stop, tags
        self.times: list[float] = []
        self.seen: dict[int, float] = {}
        self.failed = 0
        self.not_modified = 0

    def run(self) -> None:
        # Spread the first polls over one interval, as people open the board at different times.
        self.stop.wait(POLL_S * (hash(self.name) % 1000) / 1000)
        while not self.stop.is_set():
            headers = {"Accept": "application/json"}
            if self.tags and self.etag:
                headers["If-None-Match"] = self.etag
            started = time.monotonic()
            try:
                response = self.http.get(
                    self.feed,
                    params={"after": self.last},
                    headers=headers,
                    timeout=30,
                    allow_redirects=False,
                )
                status = response.status_code
                data = response.json() if status == 200 else None
            except (requests.RequestException, ValueError):
                status, data = 0, None
            now = time.monotonic()
            if status == 304:
                self.times.append(now - started)
                self.not_modified += 1
            elif data is None:
                self.failed += 1
            else:
                self.times.append(now - started)
                self.etag = response.headers.get("ETag", "")
                if data["last"] > self.last:
                    self.seen[data["last"]] = now
                    self.last = data["last"]
                if data["more"]:
                    continue
            self.stop.wait(POLL_S)


class Reloader(threading.Thread):
    """The design not chosen: reload the whole board every RELOAD_S seconds."""

    def __init__(self, session: str, url: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.http = http_for(session)
        self.url, self.stop = url, stop
        self.times: list[float] = []
        self.failed = 0

    def run(self) -> None:
        self.stop.wait(RELOAD_S * (hash(self.name) % 1000) / 1000)
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                ok = self.http.get(self.url, timeout=30, allow_redirects=False).status_code == 200
            except requests.RequestException:
                ok = False
            if ok:
                self.times.append(time.monotonic() - started)
            else:
                self.failed += 1
            self.stop.wait(RELOAD_S)


class Mover(threading.Thread):
    """One person moving a quote through the board's own form (as board.js sends it)."""

    def __init__(self, session: str, project, themes: list[int], quotes, stop) -> None:
        super().__init__(daemon=True)
        self.http = http_for(session)
        self.board = f"{BASE}{reverse('analysis:board', kwargs={'project_slug': project.slug})}"
        self.slug, self.themes, self.quotes, self.stop = project.slug, themes, quotes, stop
        self.sent: dict[int, float] = {}  # new newest event id -> when its move was sent
        self.failed = 0

    def run(self) -> None:
        self.http.get(self.board, timeout=30)  # the csrftoken cookie, as a person's page has
        token = self.http.cookies.get("csrftoken", "")
        i = 0
        while not self.stop.is_set():
            index = i % len(self.quotes)
            quote, current = self.quotes[index]
            target = self.themes[(self.themes.index(current) + 1) % len(self.themes)]
            url = BASE + reverse(
                "analysis:board_move", kwargs={"project_slug": self.slug, "highlight_id": quote}
            )
            started = time.monotonic()
            try:
                response = self.http.post(
                    url,
                    data={"from_theme": str(current), "to_theme": str(target)},
                    headers={"Accept": "application/json", "X-CSRFToken": token},
                    timeout=30,
                )
                ok = response.status_code == 200 and response.json().get("ok")
            except (requests.RequestException, ValueError):
                ok = False
            if ok:
                self.quotes[index] = (quote, target)
                self.sent[self._newest()] = started
            else:
                self.failed += 1
            i += 1
            self.stop.wait(MOVE_EVERY_S)

    def _newest(self) -> int:
        from cohub.apps.projects.models import Project

        return feed_mark(Project.objects.get(slug=self.slug)).last_event_id


@dataclass
class Phase:
    name: str
    pages: list[float] = field(default_factory=list)
    pages_failed: int = 0
    cpu: float = 0.0
    load_before: str = ""
    load_after: str = ""


def readers_for(stop: threading.Event, session: str, urls: list[str]) -> list[Pages]:
    """Two people opening ordinary pages while the crowd does its thing."""
    readers = [Pages(session, urls, stop) for _ in range(2)]
    for reader in readers:
        reader.start()
    return readers


def timed(phase: Phase, server: subprocess.Popen, session: str, urls, stop):
    """Start the two page readers; note the load and the server's CPU as they start."""
    phase.load_before = load()
    cpu0, wall0 = cpu_seconds(server.pid), time.monotonic()
    return readers_for(stop, session, urls), cpu0, wall0


def finish(phase: Phase, server, readers, cpu0: float, wall0: float) -> None:
    for reader in readers:
        reader.join()
    phase.cpu = (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - wall0)
    phase.pages = [t for r in readers for t in r.times]
    phase.pages_failed = sum(r.failed for r in readers)
    phase.load_after = load()


def watch_phase(
    name,
    server,
    project,
    sessions,
    reader,
    mover_session,
    themes,
    quotes,
    urls,
    seconds,
    *,
    tags: bool,
):
    """Phases 2 and 3: the watchers poll, one person moves quotes, two read pages."""
    phase = Phase(name)
    mark = feed_mark(project)
    feed = f"{BASE}{reverse('analysis:board_feed', kwargs={'project_slug': project.slug})}"
    stop = threading.Event()
    watchers = [Watcher(s, feed, mark.last_event_id, mark.etag, stop, tags=tags) for s in sessions]
    for watcher in watchers:
        watcher.start()
    time.sleep(POLL_S * 2)  # everyone is polling before anything is timed
    mover_stop = threading.Event()
    mover = Mover(mover_session, project, themes, quotes, mover_stop)
    readers, cpu0, wall0 = timed(phase, server, reader, urls, threading.Event())
    mover.start()
    time.sleep(seconds)
    mover_stop.set()
    mover.join()
    time.sleep(POLL_S * 2)  # the last move reaches everyone
    for r in readers:
        r.stop.set()
    stop.set()
    for watcher in watchers:
        watcher.join()
    finish(phase, server, readers, cpu0, wall0)
    lags, missed = [], 0
    for event_id, sent in mover.sent.items():
        for watcher in watchers:
            seen = [at for eid, at in watcher.seen.items() if eid >= event_id]
            if seen:
                lags.append(min(seen) - sent)
            else:
                missed += 1
    polls = [t for w in watchers for t in w.times]
    return phase, {
        "polls": polls,
        "polls_failed": sum(w.failed for w in watchers),
        "not_modified": sum(w.not_modified for w in watchers),
        "lags": lags,
        "missed": missed,
        "moves": len(mover.sent),
        "moves_failed": mover.failed,
        "polls_per_s": len(polls) / (seconds + POLL_S * 2),
    }


def report(phase: Phase, base: Phase | None) -> None:
    print(f"\n{phase.name}")
    print(f"  {phase.load_before}  ->  {phase.load_after}")
    print(line("ordinary pages", phase.pages, phase.pages_failed))
    print(f"  {'web server CPU':<36} {phase.cpu:.2f} cores")
    if base is not None and base.pages and phase.pages:
        p50 = percentile(phase.pages, 0.5) / percentile(base.pages, 0.5)
        p95 = percentile(phase.pages, 0.95) / percentile(base.pages, 0.95)
        print(f"  {'pages against nobody watching':<36} p50 {p50:.2f}x, p95 {p95:.2f}x")


def report_feed(figures: dict) -> None:
    total = len(figures["polls"])
    print(line("feed polls", figures["polls"], figures["polls_failed"]))
    print(
        f"  {'answered 304 Not Modified':<36} {figures['not_modified']} of {total}"
        f"  ({figures['polls_per_s']:.1f} polls a second)"
    )
    lags, missed = figures["lags"], figures["missed"]
    print(line("move sent -> seen by each watcher", lags, missed))
    within = sum(1 for lag in lags if lag <= 2.0)
    print(
        f"  {'seen within 2 s':<36} {within} of {len(lags) + missed}"
        f" ({100 * within / max(1, len(lags) + missed):.1f}%), {figures['moves']} moves"
        f" ({figures['moves_failed']} refused or failed)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--watchers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--no-worker", action="store_true", help="serve without the job worker")
    parser.add_argument("--skip-reload", action="store_true", help="leave out phase 4")
    args = parser.parse_args()

    print(f"Building: {STORIES} stories, {STORIES * QUOTES_PER_STORY} quotes, {THEMES} themes")
    project, themes, quotes = build()
    reader = member_session(project, "reader")
    mover = member_session(project, "mover")
    sessions = [member_session(project, f"watcher{i}") for i in range(args.watchers)]
    urls = [
        BASE + reverse("analysis:board", kwargs={"project_slug": project.slug}),
        BASE + reverse("analysis:theme_list", kwargs={"project_slug": project.slug}),
        BASE + reverse("projects:detail", kwargs={"project_slug": project.slug}),
    ]
    print(f"Starting cohub serve ({'no worker' if args.no_worker else 'with its job worker'})")
    started = time.monotonic()
    server = start_server(not args.no_worker)
    print(f"  up in {time.monotonic() - started:.1f} s; {load()}")
    try:
        for url in urls:  # each page really is the page, not a redirect to a sign-in step
            status = http_for(reader).get(url, allow_redirects=False, timeout=30).status_code
            if status != 200:
                raise SystemExit(f"{url} answered {status}, not the page")

        base = Phase("1. nobody watching")
        stop = threading.Event()
        readers, cpu0, wall0 = timed(base, server, reader, urls, stop)
        stop.wait(args.seconds)
        stop.set()
        finish(base, server, readers, cpu0, wall0)
        report(base, None)

        tagged, tagged_feed = watch_phase(
            f"2. {args.watchers} boards polling the feed every {POLL_S:g} s (ETag, 304)",
            server,
            project,
            sessions,
            reader,
            mover,
            themes,
            quotes,
            urls,
            args.seconds,
            tags=True,
        )
        report(tagged, base)
        report_feed(tagged_feed)

        plain, plain_feed = watch_phase(
            f"3. {args.watchers} boards polling without If-None-Match (small JSON each time)",
            server,
            project,
            sessions,
            reader,
            mover,
            themes,
            quotes,
            urls,
            args.seconds,
            tags=False,
        )
        report(plain, base)
        report_feed(plain_feed)

        if not args.skip_reload:
            reload = Phase(f"4. {args.watchers} people reloading the whole board every 2 s")
            stop = threading.Event()
            reloaders = [Reloader(s, urls[0], stop) for s in sessions]
            for reloader in reloaders:
                reloader.start()
            time.sleep(RELOAD_S * 2)
            readers, cpu0, wall0 = timed(reload, server, reader, urls, stop)
            stop.wait(args.seconds)
            stop.set()
            finish(reload, server, readers, cpu0, wall0)
            for reloader in reloaders:
                reloader.join()
            report(reload, base)
            print(
                line(
                    "whole-board reloads",
                    [t for r in reloaders for t in r.times],
                    sum(r.failed for r in reloaders),
                )
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
