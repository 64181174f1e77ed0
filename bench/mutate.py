"""make mutate: apply each listed mutant alone, run the tests that guard it, and require them to fail.

A mutant is one small, plausible slip on a recovery path or a guard (a ``>=`` become ``>``, a check
dropped). A surviving mutant means no test exercises that mechanism. Each mutant runs the test
files that guard its code (``--full`` runs the whole suite per mutant instead: about 4 minutes
each). The working tree is restored after every mutant, also on Ctrl-C.

    python -m bench.mutate            # every mutant, prints the score, exits 1 if any survives
    python -m bench.mutate --only pinned-address
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    original: str
    mutated: str
    tests: tuple[str, ...]


MUTANTS = (
    # The mutants the review found surviving (all on recovery paths) …
    Mutant(
        "idempotency-fallback-hash",
        "chalicelib/services/reports.py",
        "if existing is None or existing.request_hash != request_hash:",
        "if existing is None:",
        ("tests/integration/test_idempotency.py",),
    ),
    Mutant(
        "eight-word-guard",
        "chalicelib/domain/matching/index.py",
        "confirmable = analysis.word_count >= MIN_WORDS_TO_CONFIRM",
        "confirmable = analysis.word_count > MIN_WORDS_TO_CONFIRM",
        ("tests/unit/test_matching.py",),
    ),
    Mutant(
        "pinned-address",
        "chalicelib/adapters/webhook_http.py",
        "sock = socket.create_connection((self._address, self.port), timeout)",
        "sock = socket.create_connection((self.host, self.port), timeout)",
        ("tests/integration/test_webhooks.py",),
    ),
    Mutant(
        "report-verdict-version",
        "chalicelib/store/reports.py",
        "(ReportRecord.verdict_version < version)",
        "(ReportRecord.verdict_version <= version)",
        ("tests/integration/test_cases.py",),
    ),
    Mutant(
        "spreading-progress-check",
        "chalicelib/services/cases.py",
        "        if not stores().cases.record_progress(case_id, version, cursor, applied, clock()):\n"
        "            return True",
        "        if not stores().cases.record_progress(case_id, version, cursor, applied, clock()):\n            pass",
        ("tests/integration/test_cases.py",),
    ),
    Mutant(
        "snapshot-pepper",
        "infra/local/snapshot.py",
        "    _restore_secrets(settings, source)\n",
        "",
        ("tests/integration/test_snapshot.py",),
    ),
    Mutant(
        "snapshot-keys-table",
        "infra/local/snapshot.py",
        '        path = source / "tables" / f"{model.short_name}.jsonl"\n        if not path.exists():',
        '        path = source / "tables" / f"{model.short_name}.jsonl"\n        if model.short_name == "keys":',
        ("tests/integration/test_snapshot.py",),
    ),
    Mutant(
        "batch-partial-failures",
        "chalicelib/events/checks.py",
        "return dict(process_partial_response(",
        'return {"batchItemFailures": []} or dict(process_partial_response(',
        ("tests/integration/test_pipeline.py",),
    ),
    # … and the guards this issue added.
    Mutant(
        "official-link-confirms",
        "chalicelib/domain/matching/index.py",
        "certain = link_can_confirm(canonical)",
        "certain = True",
        ("tests/unit/test_matching.py", "tests/integration/test_trust.py"),
    ),
    Mutant(
        "claim-copies-case-link",
        "chalicelib/domain/verdicts.py",
        "appearance_urls=list(request.appearance_urls),",
        "appearance_urls=list(request.appearance_urls) or ['https://www.kpu.go.id/berita/baca/12345/jadwal-resmi'],",
        ("tests/unit/test_cases.py", "tests/integration/test_trust.py"),
    ),
    Mutant(
        "csv-formula",
        "chalicelib/domain/exports.py",
        "writer.writerow([cell if cell[:1] not in _MAYBE_FORMULA else spreadsheet_safe(cell) for cell in row])",
        "writer.writerow(row)",
        ("tests/integration/test_trust.py",),
    ),
    Mutant(
        "contact-for-any-owner-key",
        "chalicelib/domain/access.py",
        "        return Role.partner in self.roles\n",
        "        return True\n",
        ("tests/integration/test_trust.py",),
    ),
    Mutant(
        "privileged-key-on-partner-id",
        "chalicelib/services/access.py",
        "if extra and Role.partner in stores().keys.roles_of_partner(request.partner_id):",
        "if False:",
        ("tests/integration/test_trust.py",),
    ),
    Mutant(
        "expired-contact-served",
        "chalicelib/store/reports.py",
        "        if record.expires_at <= now:\n            return None\n",
        "",
        ("tests/integration/test_trust.py",),
    ),
    Mutant(
        "plain-submission-hash",
        "chalicelib/services/reports.py",
        "return submission_fingerprint(pepper(), submission.model_dump_json())",
        "return __import__('hashlib').sha256(submission.model_dump_json().encode()).hexdigest()",
        ("tests/integration/test_trust.py",),
    ),
    Mutant(
        "json-ld-unescaped",
        "chalicelib/domain/claim_review.py",
        "return json.dumps(document, ensure_ascii=False).translate(_HTML_SAFE)",
        "return json.dumps(document, ensure_ascii=False)",
        ("tests/integration/test_trust.py",),
    ),
    Mutant(
        "unknown-keys-cached",
        "chalicelib/services/access.py",
        "if ttl and stored is not None:",
        "if ttl:",
        ("tests/integration/test_trust.py",),
    ),
    Mutant(
        "webhook-cap",
        "chalicelib/services/webhooks.py",
        "if len(stores().webhooks.of_partner(partner_id)) >= MAX_WEBHOOKS_PER_PARTNER:",
        "if len(stores().webhooks.of_partner(partner_id)) > MAX_WEBHOOKS_PER_PARTNER:",
        ("tests/integration/test_trust.py",),
    ),
    Mutant(
        "webhook-deadline",
        "chalicelib/adapters/webhook_http.py",
        "watchdog.start()",
        "pass",
        ("tests/integration/test_webhooks.py",),
    ),
    Mutant(
        "six-to-four",
        "chalicelib/domain/addresses.py",
        '(ipaddress.ip_network("2002::/16"), "a 6to4 address"),',
        "",
        ("tests/unit/test_webhooks.py",),
    ),
    Mutant(
        "cursor-offset-cap",
        "chalicelib/services/paging.py",
        "not 0 <= offset <= MAX_OFFSET",
        "offset < 0",
        ("tests/integration/test_trust.py",),
    ),
    Mutant(
        "export-days",
        "chalicelib/domain/exports.py",
        "return today - timedelta(days=1) <= day <= today",
        "return day <= today",
        ("tests/integration/test_exports_and_stats.py",),
    ),
)


def run_tests(tests: tuple[str, ...], full: bool) -> bool:
    """True when the tests pass (the mutant survived)."""
    selection = ["tests"] if full else list(tests)
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:logging", "-p", "no:cacheprovider", *selection]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1_200, check=False)
    return done.returncode == 0


def try_mutant(mutant: Mutant, full: bool) -> bool:
    """Apply, test, restore; True when the mutant was killed."""
    path = ROOT / mutant.path
    original = path.read_text()
    if original.count(mutant.original) != 1:
        raise SystemExit(f"{mutant.name}: the code to mutate is not found once in {mutant.path}; update the list")
    try:
        path.write_text(original.replace(mutant.original, mutant.mutated))
        return not run_tests(mutant.tests, full)
    finally:
        path.write_text(original)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="one mutant by name")
    parser.add_argument("--full", action="store_true", help="run the whole suite for each mutant")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if args.only in (None, m.name)]
    if not chosen:
        raise SystemExit(f"no mutant named {args.only}")
    if not run_tests(tuple(sorted({t for m in chosen for t in m.tests})), args.full):
        raise SystemExit("the tests fail without any mutant: fix them first")
    print(f"{'mutant':<30} {'file':<40} {'result':<8} {'seconds':>7}", flush=True)
    survivors = []
    for mutant in chosen:
        started = time.monotonic()
        killed = try_mutant(mutant, args.full)
        result = "killed" if killed else "SURVIVED"
        print(f"{mutant.name:<30} {mutant.path:<40} {result:<8} {time.monotonic() - started:7.1f}", flush=True)
        if not killed:
            survivors.append(mutant.name)
    print(f"\nscore: {len(chosen) - len(survivors)}/{len(chosen)} mutants killed")
    if survivors:
        print("survived: " + ", ".join(survivors))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
