"""What the service is started with; handed to every worker process as JSON."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

ENV_VARIABLE = "ESR_SCHEMAS_SERVICE"
"""Environment variable carrying the settings from ``esr-schemas serve`` to the workers."""


@dataclass(frozen=True)
class ServiceConfig:
    root: str
    """The registry folder, loaded once by each worker at start-up."""
    docs_url: str
    """Base URL of the documentation site (pages ``schemas/NAME/`` and ``schemas/NAME/X.Y.Z/``)."""
    max_upload_bytes: int = 500 * 1024 * 1024
    allow_private_urls: bool = False
    slots: int = 2
    """Validations (and uploads) at once in one worker; beyond, 503 with Retry-After."""
    time_limit: float = 600.0
    """Seconds a validation may take; past them it is stopped (its worker killed) and
    answered 504."""
    upload_timeout: float = 600.0
    """Seconds an upload may take to arrive (a client sending slowly cannot hold a slot)."""
    url_timeout: float = 60.0
    """Total deadline of one download (GET /validate?url=…, schema URLs)."""

    @property
    def registry_root(self) -> Path:
        return Path(self.root)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServiceConfig:
        raw = os.environ.get(ENV_VARIABLE)
        if not raw:
            raise RuntimeError(
                f"{ENV_VARIABLE} is not set: start the service with esr-schemas serve"
            )
        return cls(**json.loads(raw))
