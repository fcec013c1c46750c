"""The verified-token cache: hits until the token expires (with the leeway) or its entry ages
out, bounded in size."""

from __future__ import annotations

from api.token_cache import MAX_AGE_S, VerifiedTokens


def test_a_remembered_token_is_known_until_it_expires() -> None:
    cache = VerifiedTokens(leeway_s=30)
    cache.remember("t", "P-1", expires_at=1000.0, now=900.0)
    assert cache.subject("t", now=950.0) == "P-1"
    assert cache.subject("t", now=1029.0) == "P-1"  # within the leeway
    assert cache.subject("t", now=1031.0) is None  # full verification again (and its error)
    assert cache.subject("t", now=950.0) is None  # forgotten


def test_an_entry_is_trusted_no_longer_than_the_issuer_keys_are_cached() -> None:
    cache = VerifiedTokens(leeway_s=30)
    cache.remember("t", "P-1", expires_at=100_000.0, now=0.0)
    assert cache.subject("t", now=MAX_AGE_S - 1) == "P-1"
    assert cache.subject("t", now=MAX_AGE_S + 1) is None


def test_the_cache_is_bounded_least_recently_used_first() -> None:
    cache = VerifiedTokens(leeway_s=30, max_entries=2)
    cache.remember("a", "A", expires_at=1000.0, now=0.0)
    cache.remember("b", "B", expires_at=1000.0, now=0.0)
    assert cache.subject("a", now=1.0) == "A"
    cache.remember("c", "C", expires_at=1000.0, now=1.0)
    assert cache.subject("b", now=2.0) is None
    assert cache.subject("a", now=2.0) == "A" and cache.subject("c", now=2.0) == "C"


def test_an_unknown_token_is_not_known() -> None:
    assert VerifiedTokens(leeway_s=30).subject("never seen") is None
