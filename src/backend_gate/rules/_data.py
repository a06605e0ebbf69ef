"""Rule data as plain tuples (bandit's blacklists style); config options can extend them."""

from __future__ import annotations

TODO_TAGS: tuple[str, ...] = ("TODO", "FIXME", "XXX", "HACK")
