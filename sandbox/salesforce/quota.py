"""The org's daily API request allowance (``Sforce-Limit-Info: api-usage=N/LIMIT``).

Every authenticated REST request counts once (query pages too); the versions list, the token
endpoints and the SOAP login do not.  The window is 24 hours from its first request (Salesforce's is
rolling; close enough for tests).  Exhausted → ``403 REQUEST_LIMIT_EXCEEDED`` (not counted).
"""

from __future__ import annotations

from sandbox.kit.clock import DAY_MS
from sandbox.salesforce.config import SalesforceConfig


class ApiQuota:
    """Counts API requests in a 24-hour window."""

    def __init__(self, config: SalesforceConfig) -> None:
        self.config = config
        self.used = 0
        self.window_start_ms = 0

    def _roll(self, now_ms: int) -> None:
        if self.window_start_ms and now_ms - self.window_start_ms >= DAY_MS:
            self.used, self.window_start_ms = 0, 0

    def consume(self, now_ms: int) -> bool:
        """Count one request; ``False`` (nothing counted) when the allowance is used up."""
        self._roll(now_ms)
        limit = self.config.daily_api_limit
        if limit and self.used >= limit:
            return False
        if not self.window_start_ms:
            self.window_start_ms = now_ms
        self.used += 1
        return True

    def header(self) -> str:
        """``api-usage=N/LIMIT``."""
        return f"api-usage={self.used}/{self.config.daily_api_limit}"

    def remaining(self) -> int:
        """Requests left today."""
        return max(self.config.daily_api_limit - self.used, 0)

    def reset(self, used: int = 0) -> None:
        """Start a new window with ``used`` requests already counted."""
        self.used, self.window_start_ms = max(used, 0), 0

    def view(self) -> dict[str, int]:
        """``{"used", "limit", "remaining"}``."""
        return {"used": self.used, "limit": self.config.daily_api_limit, "remaining": self.remaining()}
