"""Paged result lists (?pagina=N): the same pager for the library, the cases and search."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, request


def page_number() -> int:
    """The requested page; anything but a positive whole number is a 404, like a page past the end."""
    raw = request.args.get("pagina", "1").strip()
    # ASCII digits only: str.isdigit() also passes '²', which int() refuses (that was a 500).
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        abort(404)
    return int(raw)


def pager(total: int, page: int, size: int) -> dict:
    """What the pager needs: counts, previous/next links and a window of page links."""
    pages = max(1, -(-total // size))
    if page > pages:
        abort(404)
    args = {k: v for k, v in request.args.items() if k != "pagina" and v}

    def link(n: int) -> str:
        query = urlencode({**args, "pagina": n} if n > 1 else args)
        return request.path + ("?" + query if query else "")

    window = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    return {"page": page, "pages": pages, "total": total, "size": size,
            "first": (page - 1) * size + 1 if total else 0, "last": min(page * size, total),
            "prev": link(page - 1) if page > 1 else None, "next": link(page + 1) if page < pages else None,
            "links": [{"page": n, "url": link(n)} for n in window]}


def paginate(items: list, size: int) -> tuple[list, dict]:
    """One page of a list and its pager."""
    page = page_number()
    info = pager(len(items), page, size)
    return items[(page - 1) * size: page * size], info
