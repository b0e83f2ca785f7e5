"""The signed form token and the in-memory rate limit of the readers' forms."""

from __future__ import annotations

from toolbox.readers.guard import FormSigner, RateLimit, signing_key


def test_token_is_bound_to_its_page_and_expires(tmp_path):
    signer = FormSigner(signing_key(None, tmp_path), days=90)
    token = signer.make("/doc/casus/laakhavens", now=1_000_000)
    assert signer.check("/doc/casus/laakhavens", token, now=1_000_000 + 89 * 86400) is None
    assert signer.check("/doc/casus/laakhavens", token, now=1_000_000 + 91 * 86400) == "verlopen"
    assert signer.check("/doc/tool/ambitieweb", token, now=1_000_001) == "ongeldig"
    assert signer.check("/doc/casus/laakhavens", "", now=1_000_001) == "ongeldig"
    assert signer.check("/doc/casus/laakhavens", "abc.def", now=1_000_001) == "ongeldig"


def test_a_forged_signature_is_refused(tmp_path):
    signer = FormSigner(signing_key(None, tmp_path))
    stamp, mac = signer.make("/doc/casus/laakhavens").split(".")
    forged = mac[:-1] + ("0" if mac[-1] != "0" else "1")
    assert signer.check("/doc/casus/laakhavens", f"{stamp}.{forged}") == "ongeldig"


def test_the_key_survives_a_restart_and_another_secret_gives_other_tokens(tmp_path):
    first = signing_key(None, tmp_path)
    assert signing_key(None, tmp_path) == first  # kept in the instance folder
    assert (tmp_path / "meldingen" / ".sleutel").stat().st_mode & 0o077 == 0
    token = FormSigner(first).make("/doc/casus/laakhavens")
    assert FormSigner(signing_key("geheim", tmp_path)).check("/doc/casus/laakhavens", token) == "ongeldig"


def test_rate_limit_per_address_and_window():
    limit = RateLimit(limit=3, window=600)
    assert [limit.hit("10.0.0.1", now=t) for t in (0, 1, 2)] == [0, 0, 0]
    wait = limit.hit("10.0.0.1", now=3)
    assert 590 <= wait <= 600
    assert limit.hit("10.0.0.2", now=3) == 0  # another address is not affected
    assert limit.hit("10.0.0.1", now=601) == 0  # the window moved on
