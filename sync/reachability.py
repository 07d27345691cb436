"""Is the provincial server reachable from here, now? A quick, harmless question asked before
syncing on its own (no Qt: the desktop asks it from a worker thread)."""

from __future__ import annotations

import requests

from sync.protocol import API


def server_reachable(url: str, ca_file: str | None = None, timeout: float = 3.0) -> bool:
    """True if GET {url}/api/v1/health answers as our server does; any failure is False.

    The answer's body is checked too: a hotel or district Wi-Fi login page answers 200 to
    every address, and taking it for the server would start syncs that can only fail."""
    try:
        r = requests.get(f"{url.rstrip('/')}{API}/health", timeout=timeout, verify=ca_file or True,
                         allow_redirects=False)
        return r.status_code == 200 and r.json().get("status") == "ok"
    except (requests.RequestException, OSError, ValueError, AttributeError):
        # OSError: a CA file that is missing or unreadable; ValueError: not JSON;
        # AttributeError: JSON that is not an object.
        return False
