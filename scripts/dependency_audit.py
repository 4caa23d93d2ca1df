"""Audit the installed Python packages for known vulnerabilities (pip-audit), for `make test`.

Fails (exit 1) when any installed package has a known vulnerability that is not
listed, with a reason, in IGNORED below. pip-audit's report names no severity,
so every known vulnerability counts as serious until a person has read it and
written down why it does not touch cohub.

Tolerant of no network: when the advisory service cannot be reached (a laptop
offline, a locked-down CI), it says so plainly and exits 0, because an audit
that could not run has found nothing either way, and the rest of `make test`
must still run. Run it as `python scripts/dependency_audit.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

# Vulnerability id -> why it does not affect cohub. Keep this empty where possible.
IGNORED: dict[str, str] = {}

NETWORK_WORDS = (
    "connection",
    "resolve",
    "timed out",
    "timeout",
    "network",
    "max retries",
    "name or service not known",
    "temporary failure",
    "ssl",
    "proxy",
)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--local",
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--timeout",
            "20",
            "--format",
            "json",
            "--output",
            str(report),
        ]
        for vulnerability in IGNORED:
            command += ["--ignore-vuln", vulnerability]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if not report.exists() or not report.read_text().strip():
            said = (done.stderr or done.stdout).strip()
            if any(word in said.lower() for word in NETWORK_WORDS):
                print(
                    "Dependency audit skipped: pip-audit could not reach the advisory "
                    "service (no network?). Run `make test` again with a connection to check."
                )
                return 0
            print(f"Dependency audit could not run:\n{said}", file=sys.stderr)
            return 1
        found = json.loads(report.read_text())
    problems = [
        (package["name"], package["version"], vuln)
        for package in found.get("dependencies", [])
        for vuln in package.get("vulns", [])
        if vuln["id"] not in IGNORED
    ]
    if not problems:
        audited = len(found.get("dependencies", []))
        print(f"Dependency audit: no known vulnerabilities in {audited} installed packages.")
        return 0
    print("Known vulnerabilities in installed packages:", file=sys.stderr)
    for name, version, vuln in problems:
        fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
        print(f"  {name} {version}: {vuln['id']} (fixed in: {fixes})", file=sys.stderr)
    print(
        "Upgrade the package (pin the fixed version in pyproject.toml), or, if it cannot "
        "touch cohub, add the id to IGNORED in scripts/dependency_audit.py with the reason.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
