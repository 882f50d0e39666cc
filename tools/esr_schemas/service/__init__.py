"""The validation web service (``esr-schemas serve``): a French page and a Validata-shaped API.

- ``app``: the Starlette application, a thin face over the library (the same
  ``validate_file`` and ``resolve_schema`` as the CLI, the catalog of ``catalog.py``, the
  export of ``templates/export.py``);
- ``uploads``: multipart bodies streamed to a per-request temporary folder (written by
  a thread while the socket is read), capped;
- ``allocator``: glibc's ``malloc`` told to keep the buffers that receiving reuses;
- ``slots``: bounded concurrency (503 + Retry-After), validations in worker processes
  (``work``) stopped at the time limit, temporary folders removed when the work ends;
- ``openapi``: the API description served at ``/openapi.json``;
- ``templates/`` and ``static/``: the pages (Jinja2), their style and their script.

Downloads of ``GET /validate?url=`` and of schema URLs go through
:mod:`esr_schemas.netfetch`, which refuses private addresses unless the service was
started with ``--allow-private-urls``. The service keeps no state between requests.
"""

from .app import create_app
from .config import ServiceConfig

__all__ = ["create_app", "ServiceConfig"]
