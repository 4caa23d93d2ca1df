"""Theme suggestions beside BERTopic's default pipeline and plain k-means, in one run.

    python bench/themes.py [--engines e5,minilm] [--scale 2000,20000] [--no-bertopic]
                           [--skip-labelled] [--limit-s 600] [--bertopic-runs 3]
                           [--data bench/data/conditions_quotes.jsonl,...]

On two labelled sets of short lived-experience quotes we wrote, each grouped by
people into the 17 conditions of co-production:
``bench/data/conditions_quotes.jsonl`` (238 quotes, the one settings were
chosen on) and ``bench/data/conditions_heldout.jsonl`` (102 quotes written
later in other voices and services, never used to choose a setting: the check
that a setting did not just fit the first set). For each set and each
embedding model: adjusted mutual information (AMI) and adjusted Rand index
(ARI) against the human grouping, the number of themes, the share unsorted,
wall time and peak memory of the grouping step, and whether a re-run gives
identical output. Every method gets the same embeddings. BERTopic gives a
different answer each run (UMAP is random), so it runs ``--bertopic-runs``
times and its AMI is the mean (range printed), which the goal is read against.
``cohub themes suggest`` is run as a command on each set too, and its
grouping must be the one the hub's engine gave. Then a scaling run on
each ``--scale`` size (default 2,000 and 20,000 quotes): made by mixing pairs of the real quotes
(text joined, vectors blended with a little noise, seeded), because embedding
20,000 real quotes would measure the model, not the grouping.

Each method runs in its own child process, so peak memory (Linux ``VmHWM``
minus the memory held before the method started) is its own, and each has a
time limit (``--limit-s``, default 600): a method still running then is
stopped and printed as "did not finish in N s", which is itself the figure to
compare against. BERTopic is only
a bench extra (``pip install -e '.[bench]'``, done by ``make bench``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data" / "conditions_quotes.jsonl"
HELD_OUT = ROOT / "bench" / "data" / "conditions_heldout.jsonl"


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _method(name: str, texts: list[str], vectors: np.ndarray, k: int | None) -> list[int]:
    if name == "cohub":
        from cohub.pipeline.cluster import suggest_themes

        grouping = suggest_themes(texts, vectors)
        return [p.theme - 1 if p.theme else -1 for p in grouping.placements]
    if name == "cohub+conditions":
        from cohub.pipeline.cluster import suggest_themes

        grouping = suggest_themes(texts, vectors, seeds=_SEEDS)
        return [p.theme - 1 if p.theme else -1 for p in grouping.placements]
    if name == "kmeans":
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=k or 17, random_state=0, n_init=10).fit(vectors).labels_.tolist()
    if name == "bertopic":
        from bertopic import BERTopic

        topics, _ = BERTopic().fit_transform(texts, embeddings=vectors)
        return [int(t) for t in topics]
    raise ValueError(name)


_SEEDS: list[Any] = []


def _child(
    name: str, texts_path: str, vectors_path: str, k: int | None, seeds_path: str, out: Any
) -> None:
    global _SEEDS
    texts = json.loads(Path(texts_path).read_text())
    vectors = np.load(vectors_path)
    if name == "cohub+conditions":
        from cohub.pipeline.cluster import Seed

        rows = json.loads(Path(seeds_path).read_text())
        _SEEDS = [Seed(key=r["key"], label=r["label"], vector=np.array(r["vector"])) for r in rows]
    # Import what the method needs before measuring, so imports are not counted.
    if name.startswith("cohub"):
        import scipy.cluster.hierarchy  # noqa: F401
    elif name == "kmeans":
        import sklearn.cluster  # noqa: F401
    else:
        import bertopic  # noqa: F401
    before = _rss_kb("VmRSS")
    start = time.perf_counter()
    labels = _method(name, texts, vectors, k)
    wall = time.perf_counter() - start
    peak_mb = max(0, _rss_kb("VmHWM") - before) / 1024
    out.send({"labels": labels, "wall_s": wall, "peak_mb": peak_mb})


LIMIT_S = 600.0


def run_isolated(
    name: str,
    texts: list[str],
    vectors: np.ndarray,
    k: int | None = None,
    seeds: list[dict] | None = None,
) -> dict:
    """Run one method in a fresh process; ``{"timed_out": True}`` past :data:`LIMIT_S`."""
    with tempfile.TemporaryDirectory() as folder:
        tp, vp, sp = (os.path.join(folder, f) for f in ("t.json", "v.npy", "s.json"))
        Path(tp).write_text(json.dumps(texts))
        np.save(vp, vectors)
        Path(sp).write_text(json.dumps(seeds or []))
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_child, args=(name, tp, vp, k, sp, child))
        process.start()
        if not parent.poll(LIMIT_S):
            process.kill()
            process.join()
            return {"timed_out": True, "limit_s": LIMIT_S, "labels": []}
        result = parent.recv()
        process.join()
        return result


def score(gold: list[str], labels: list[int]) -> dict:
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

    themes = len({x for x in labels if x >= 0})
    return {
        "ami": adjusted_mutual_info_score(gold, labels),
        "ari": adjusted_rand_score(gold, labels),
        "themes": themes,
        "unsorted": sum(1 for x in labels if x < 0) / len(labels),
    }


def row(name: str, measured: dict, scored: dict | None, same: bool | None) -> str:
    if measured.get("timed_out"):
        return f"  {name:<18} did not finish in {measured['limit_s']:.0f} s (stopped)"
    quality = (
        f"{scored['ami']:6.3f} {scored['ari']:6.3f} {scored['themes']:6d} "
        f"{100 * scored['unsorted']:7.1f}%"
        if scored
        else f"{'-':>6} {'-':>6} {measured.get('themes', 0):6d} "
        f"{100 * measured.get('unsorted', 0):7.1f}%"
    )
    again = "-" if same is None else ("yes" if same else "NO")
    return f"  {name:<18} {quality} {measured['wall_s']:9.3f} {measured['peak_mb']:8.1f} {again:>8}"


HEADER = (
    f"  {'method':<18} {'AMI':>6} {'ARI':>6} {'themes':>6} {'unsorted':>8} "
    f"{'wall s':>9} {'peak MB':>8} {'re-run':>8}"
)


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load, printed beside the figures."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def scaling_run(
    size: int,
    texts: list[str],
    gold: list[str],
    vectors_by_engine: dict[str, np.ndarray],
    name: str,
    have_bertopic: bool,
) -> None:
    """Group ``size`` quotes mixed from pairs of the real ones, each method in its own process."""
    base = vectors_by_engine[name]
    rng = np.random.default_rng(2026)
    first_pick = rng.integers(0, len(texts), size)
    second_pick = rng.integers(0, len(texts), size)
    noise = rng.normal(0, 0.02, (size, base.shape[1]))
    big = base[first_pick] + 0.5 * base[second_pick] + noise
    big = (big / np.linalg.norm(big, axis=1, keepdims=True)).astype(np.float32)
    big_texts = [f"{texts[a]} {texts[b]}" for a, b in zip(first_pick, second_pick, strict=True)]
    big_gold = [gold[a] for a in first_pick]
    print(f"Scaling: {size:,} quotes mixed from pairs of the real ones ({name} vectors)")
    print(HEADER)
    first = run_isolated("cohub", big_texts, big)
    second = run_isolated("cohub", big_texts, big)
    same = first["labels"] == second["labels"]
    print(row("cohub", first, score(big_gold, first["labels"]), same), f"[load {load_average()}]")
    chosen = score(big_gold, first["labels"])["themes"]
    km = run_isolated("kmeans", big_texts, big, k=chosen)
    km_score = None if km.get("timed_out") else score(big_gold, km["labels"])
    print(row(f"kmeans k={chosen}", km, km_score, None), f"[load {load_average()}]")
    if have_bertopic:
        bt = run_isolated("bertopic", big_texts, big)
        bt_score = None if bt.get("timed_out") else score(big_gold, bt["labels"])
        print(row("bertopic", bt, bt_score, None), f"[load {load_average()}]")


def same_grouping(a: list[int], b: list[int]) -> bool:
    """Whether two labellings put the same quotes together (numbers may differ)."""
    pairs = set(zip(a, b, strict=True))
    return len(pairs) == len(set(a)) == len(set(b))


def cli_labels(path: Path, engine: str) -> list[int]:
    """``cohub themes suggest`` run as a command on ``path``: a theme number per quote."""
    import subprocess

    # Our own command with a fixed argument list.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "cohub.cli", "themes", "suggest", str(path), "--model", engine],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    themes = [json.loads(line)["theme"] for line in done.stdout.splitlines() if line]
    number: dict[str, int] = {}
    return [-1 if t == "Unsorted" else number.setdefault(t, len(number)) for t in themes]


def labelled_run(
    path: Path, engine: Any, vectors: np.ndarray, seeds: list[dict], have_bertopic: bool, runs: int
) -> None:
    """One labelled set with one model: every method, and the goal read off the figures."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    texts = [r["text"] for r in rows]
    gold = [r["group"] for r in rows]
    print(f"{path.relative_to(ROOT)}: {len(texts)} quotes in {len(set(gold))} human groups")
    print(HEADER)
    first = run_isolated("cohub", texts, vectors)
    second = run_isolated("cohub", texts, vectors)
    ours = score(gold, first["labels"])
    print(
        row("cohub", first, ours, first["labels"] == second["labels"]), f"[load {load_average()}]"
    )
    seeded = run_isolated("cohub+conditions", texts, vectors, seeds=seeds)
    seeded_again = run_isolated("cohub+conditions", texts, vectors, seeds=seeds)
    print(
        row(
            "cohub+conditions",
            seeded,
            score(gold, seeded["labels"]),
            seeded["labels"] == seeded_again["labels"],
        ),
        f"[load {load_average()}]",
    )
    km = run_isolated("kmeans", texts, vectors, k=ours["themes"])
    km_score = score(gold, km["labels"])
    print(row(f"kmeans k={ours['themes']}", km, km_score, None), f"[load {load_average()}]")
    bt_ami: list[float] = []
    bt_wall: list[float] = []
    previous: list[int] | None = None
    for attempt in range(runs if have_bertopic else 0):
        bt = run_isolated("bertopic", texts, vectors)
        if bt.get("timed_out"):
            print(row("bertopic", bt, None, None))
            break
        bt_score = score(gold, bt["labels"])
        same = None if previous is None else bt["labels"] == previous
        print(row(f"bertopic run {attempt + 1}", bt, bt_score, same), f"[load {load_average()}]")
        previous = bt["labels"]
        bt_ami.append(bt_score["ami"])
        bt_wall.append(bt["wall_s"])
    cli = cli_labels(path, engine.name)
    print(
        f"  cohub themes suggest (the command): AMI {score(gold, cli)['ami']:.3f}, "
        f"same grouping as the engine: {'yes' if same_grouping(cli, first['labels']) else 'NO'}"
    )
    if bt_ami:
        mean = float(np.mean(bt_ami))
        ratio = ours["ami"] / mean if mean > 0 else float("inf")
        print(
            f"  goal: AMI {ours['ami']:.3f} = {ratio:.1f}x BERTopic's mean {mean:.3f} "
            f"(runs {min(bt_ami):.3f}-{max(bt_ami):.3f}; needs 2x), k-means {km_score['ami']:.3f}; "
            f"time {first['wall_s']:.2f} s = "
            f"1/{np.mean(bt_wall) / first['wall_s']:.0f} of BERTopic's"
        )
    print()


def main() -> int:
    global LIMIT_S
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="e5,minilm")
    parser.add_argument(
        "--data",
        default=f"{DATA.relative_to(ROOT)},{HELD_OUT.relative_to(ROOT)}",
        help="labelled sets, comma-separated (JSON lines with text and group)",
    )
    parser.add_argument(
        "--scale", default="2000,20000", help="sizes of the scaling runs, comma-separated"
    )
    parser.add_argument("--no-bertopic", action="store_true")
    parser.add_argument(
        "--bertopic-runs", type=int, default=3, help="BERTopic runs per set (it is random)"
    )
    parser.add_argument(
        "--skip-labelled", action="store_true", help="only the scaling runs (still embeds)"
    )
    parser.add_argument(
        "--limit-s", type=float, default=LIMIT_S, help="stop a method still running after this"
    )
    args = parser.parse_args()
    LIMIT_S = args.limit_s

    from cohub.pipeline import embed
    from cohub.pipeline.cluster import framework_seed_texts

    try:
        import bertopic  # noqa: F401

        have_bertopic = not args.no_bertopic
    except ImportError:
        print("BERTopic is not installed (pip install -e '.[bench]'); leaving it out.")
        have_bertopic = False

    paths = [ROOT / value for value in args.data.split(",") if value]
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    texts = [r["text"] for r in rows]
    gold = [r["group"] for r in rows]
    print(
        f"{os.cpu_count()} cores; load {load_average()}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"each method stopped after {LIMIT_S:.0f} s\n"
    )
    vectors_by_engine = {}
    for name in args.engines.split(","):
        start = time.perf_counter()
        engine = embed.engine(name)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        vectors = engine.embed(texts)
        took = time.perf_counter() - start
        vectors_by_engine[name] = vectors
        framework = framework_seed_texts("conditions")
        seeds = [
            {"key": key, "label": label, "vector": v.tolist()}
            for (key, label, _), v in zip(
                framework, engine.embed([t for _, _, t in framework]), strict=True
            )
        ]
        if args.skip_labelled:
            continue
        print(
            f"{engine.key}: loaded in {loaded:.1f} s, {len(texts)} quotes embedded in "
            f"{took:.1f} s ({1000 * took / len(texts):.1f} ms a quote)\n"
        )
        for path in paths:
            lines = path.read_text(encoding="utf-8").splitlines()
            set_vectors = engine.embed([json.loads(line)["text"] for line in lines if line])
            labelled_run(path, engine, set_vectors, seeds, have_bertopic, args.bertopic_runs)

    for size in [int(value) for value in args.scale.split(",") if value]:
        scaling_run(size, texts, gold, vectors_by_engine, args.engines.split(",")[0], have_bertopic)
    print(f"\nLoad after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
