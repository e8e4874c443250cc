from imagegraphics.service import auth
from imagegraphics.service.auth import PrincipalCache


class Lookup:
    def __init__(self, known: dict):
        self.known, self.calls = known, []

    def __call__(self, key):
        self.calls.append(key)
        return self.known.get(key)


def test_a_known_key_is_read_once_while_fresh_and_again_after_ttl(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    lookup = Lookup({"k1": ("acme", ["*"])})
    cache = PrincipalCache(ttl=60)
    assert cache.resolve("k1", lookup) == ("acme", ["*"])
    clock[0] += 59
    assert cache.resolve("k1", lookup) == ("acme", ["*"])
    assert lookup.calls == ["k1"]
    clock[0] += 2
    lookup.known.clear()  # revoked: seen once the entry expires
    assert cache.resolve("k1", lookup) is None
    assert lookup.calls == ["k1", "k1"]


def test_unknown_keys_are_not_remembered_so_a_new_key_works_at_once():
    lookup = Lookup({})
    cache = PrincipalCache(ttl=60)
    assert cache.resolve("new", lookup) is None
    lookup.known["new"] = ("acme", ["*"])
    assert cache.resolve("new", lookup) == ("acme", ["*"])


def test_ttl_zero_always_asks_and_a_full_cache_still_answers():
    lookup = Lookup({f"k{i}": ("t", []) for i in range(5)})
    off = PrincipalCache(ttl=0)
    off.resolve("k1", lookup), off.resolve("k1", lookup)
    assert lookup.calls == ["k1", "k1"]
    small = PrincipalCache(ttl=60, max_entries=2)
    assert [small.resolve(f"k{i}", lookup) for i in range(5)] == [("t", [])] * 5
    assert len(small._entries) <= 2
