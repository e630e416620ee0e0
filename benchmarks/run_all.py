"""``make bench``: run every benchmark script in benchmarks/ against real
PostgreSQL and Redis (found or started as for the tests), one after another.
Each script writes its own section of docs/benchmarks.md. Exits non-zero if
any script failed (a missed target is reported, not a failure)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "scripts"))

from services import PROJECT_ROOT, ServiceError, ensure_services  # noqa: E402

# cluster.py needs root and builds network namespaces: `make bench-cluster` runs it.
NOT_BENCHMARKS = {"__init__.py", "run_all.py", "report.py", "cluster.py"}


def scripts() -> list[Path]:
    # A module whose name starts with "_" is a part of a benchmark, not one.
    return sorted(
        p for p in HERE.glob("*.py") if p.name not in NOT_BENCHMARKS and not p.name.startswith("_")
    )


def main() -> int:
    failed = []
    try:
        with ensure_services(mode="test", root=PROJECT_ROOT) as services_env:
            env = {**os.environ, **services_env, "DJANGO_SETTINGS_MODULE": "cms.settings.test"}
            for script in scripts():
                print(f"[bench] {script.name}", flush=True)
                code = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env).returncode
                if code:
                    failed.append(script.name)
    except ServiceError as exc:
        print(f"[bench] error: {exc}", file=sys.stderr)
        return 1
    if failed:
        print(f"[bench] failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("[bench] results written to docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
