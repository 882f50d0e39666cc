"""The documentation site: Markdown pages generated from the registry model, and the
mkdocs hook that adds them (with every published download) to the build."""
