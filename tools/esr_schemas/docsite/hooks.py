"""mkdocs hook file (``hooks:`` in mkdocs.yml): the logic lives in esr_schemas.docsite.plugin."""

from esr_schemas.docsite.plugin import (  # noqa: F401
    on_build_error,
    on_config,
    on_files,
    on_page_markdown,
    on_post_build,
    on_post_page,
    on_post_template,
    on_pre_build,
)
