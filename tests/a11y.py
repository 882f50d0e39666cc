"""Accessibility audit with axe-core 4, run inside a playwright page.

axe-core comes from npm (``package.json``, ``make test`` runs ``npm ci``) at
``node_modules/axe-core/axe.min.js``. Shared by the site's and the service's browser
tests::

    from a11y import blocking, run_axe
    violations = run_axe(page)
    assert not blocking(violations), describe(blocking(violations))
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("critical", "serious")


def axe_script() -> str:
    """The axe-core source; skip (fail under ESR_REQUIRE_ALL=1) when not installed."""
    if not AXE.is_file():
        message = f"axe-core absent ({AXE}) : lancez « make node_modules/.installed » (npm ci)"
        if os.environ.get("ESR_REQUIRE_ALL") == "1":
            pytest.fail(message + " — ESR_REQUIRE_ALL=1 interdit de sauter ce test")
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def run_axe(
    page: Any,
    *,
    tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"),
) -> list[dict[str, Any]]:
    """Injects axe-core into ``page`` (already loaded) and returns its violations."""
    page.add_script_tag(content=axe_script())
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " " + n.html.slice(0, 120)).slice(0, 5),
            }));
        }""",
        list(tags),
    )
    return list(result)


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The critical and serious violations (the ones a page must not have)."""
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['impact']} {v['id']} : {v['help']} — {', '.join(v['nodes'])}" for v in violations
    )
