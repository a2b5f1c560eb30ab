"""Pages of a list: one definition of the page count and of clamping a requested page to it."""
from __future__ import annotations

from dataclasses import dataclass


def page_count(total: int, page_size: int) -> int:
    """At least one page, also for an empty list."""
    return max(1, -(-total // page_size))


def clamp_page(page: int, total: int, page_size: int) -> int:
    """A requested page within 1..last: a page past the end shows the last one."""
    return max(1, min(page, page_count(total, page_size)))


@dataclass
class Page:
    items: list
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.page_size)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size
