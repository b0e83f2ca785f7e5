"""The bounded cache behind the per-version views, pages, search and SPARQL answers."""

from toolbox.lru import LRUCache


def test_bounded_by_entries_least_recently_used_out_first():
    cache = LRUCache(max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2


def test_bounded_by_size_and_heavy_entries_are_not_kept():
    cache = LRUCache(max_size=10, size=len, max_entry_size=6)
    cache.put("x", b"123456789")  # heavier than one entry may be
    assert cache.get("x") is None and cache.size == 0
    cache.put("a", b"123456")
    cache.put("b", b"1234")
    assert cache.size == 10
    cache.put("c", b"12")
    assert cache.get("a") is None and cache.size == 6


def test_first_value_stays_and_missing_gives_the_default():
    cache = LRUCache(max_entries=4)
    cache.put("k", "first")
    cache.put("k", "second")
    assert cache.get("k") == "first"
    marker = object()
    assert cache.get("nothing", marker) is marker
    cache.clear()
    assert len(cache) == 0 and cache.get("k") is None
