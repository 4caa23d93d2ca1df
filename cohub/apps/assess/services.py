"""Writes for assessments: loading the framework files (more to come with the hub pages)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from cohub.apps.assess.models import AnswerKind, AssessmentItem, Framework, FrameworkVersion
from cohub.apps.core.errors import ServiceError

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"
ITEM_FIELDS = ("key", "title", "statement", "easy_read", "good_looks_like")


@dataclass(frozen=True)
class FrameworksLoaded:
    """What a load did: the versions it added and those already there."""

    added: list[FrameworkVersion]
    unchanged: list[FrameworkVersion]


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ServiceError(f"{path.name} could not be read as JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ServiceError(f"{path.name} must hold one framework (a JSON object).")
    for name in ("key", "version", "title", "answer_kind", "items"):
        if name not in data:
            raise ServiceError(f"{path.name} has no '{name}'.")
    if data["answer_kind"] not in AnswerKind.values:
        raise ServiceError(f"{path.name}: the kind of answer must be one of {AnswerKind.values}.")
    if data["answer_kind"] != AnswerKind.SCALE and not data.get("choices"):
        raise ServiceError(f"{path.name}: a ladder or matrix needs its choices.")
    keys = [item.get("key") for item in data["items"]]
    if len(set(keys)) != len(keys):
        raise ServiceError(f"{path.name}: two items share a key.")
    for position, item in enumerate(data["items"], start=1):
        missing = [f for f in ITEM_FIELDS if not str(item.get(f, "")).strip()]
        if missing:
            raise ServiceError(f"{path.name}: item {position} has no {', '.join(missing)}.")
    return data


def _content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def frameworks_load(*, directory: Path = FRAMEWORKS_DIR) -> FrameworksLoaded:
    """Load every ``*.json`` framework file; safe to run again.

    A file's ``version`` is the truth: a version already loaded is left alone
    (rounds that used it keep it); a changed file must carry a new version
    number, and then it becomes new rows beside the old.
    """
    added: list[FrameworkVersion] = []
    unchanged: list[FrameworkVersion] = []
    for path in sorted(directory.glob("*.json")):
        data = _read(path)
        digest = _content_hash(data)
        framework, _ = Framework.objects.get_or_create(key=data["key"], organisation=None)
        existing = framework.versions.filter(version=data["version"]).first()
        if existing is not None:
            if existing.content_hash != digest:
                raise ServiceError(
                    f"{path.name} changed but still says version {data['version']}: "
                    "give it a new version number, so rounds that used the old words keep them."
                )
            unchanged.append(existing)
            continue
        version = FrameworkVersion.objects.create(
            framework=framework,
            version=data["version"],
            title=data["title"],
            summary=data.get("summary", ""),
            answer_kind=data["answer_kind"],
            choices=list(data.get("choices", [])),
            content_hash=digest,
        )
        AssessmentItem.objects.bulk_create(
            AssessmentItem(
                framework_version=version,
                position=position,
                **{f: item[f] for f in ITEM_FIELDS},
            )
            for position, item in enumerate(data["items"], start=1)
        )
        added.append(version)
    return FrameworksLoaded(added=added, unchanged=unchanged)
