"""A second ShopCare process for the lease tests: registers its lease in the given store at
the given time, prints the lease id, and lives until its stdin closes (or it is killed).

    python -m tests.services.lease_holder DATABASE_URL NOW_ISO
"""

from __future__ import annotations

import sys
from datetime import datetime

from shopcare.db.engine import make_engine, session_factory
from shopcare.services.runtime.process_lease import renew_lease, this_process


def main(database_url: str, now_iso: str) -> None:
    now = datetime.fromisoformat(now_iso)
    sessions = session_factory(make_engine(database_url))
    lease = this_process(now=now)
    renew_lease(sessions, lease, now=now)
    print(lease.id, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main(*sys.argv[1:])
