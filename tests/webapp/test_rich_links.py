"""Long texts on the public pages: inline links rendered as links, everything else escaped (webapp/filters.py)."""

from __future__ import annotations

from webapp.filters import rich_text


def test_links_with_text_render_as_links_with_rel():
    html = str(rich_text("Zie [de leidraad](https://example.nl/a?b=1&c=2).\n\n- lijst met https://example.nl/x"))
    assert ('<a class="utrecht-link" href="https://example.nl/a?b=1&amp;c=2" rel="external noopener">'
            'de leidraad</a>.') in html
    assert '<li>lijst met <a class="utrecht-link" href="https://example.nl/x" rel="external noopener">' in html


def test_script_and_javascript_links_are_text():
    html = str(rich_text('<script>alert(1)</script> [klik](javascript:alert(1)) [<b>x</b>](https://a.nl/"><i>)'))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "href=\"javascript" not in html and "[klik](javascript:alert(1))" in html
    assert "<b>" not in html and "<i>" not in html and '"><i>' not in html


def test_a_label_cannot_break_out_of_the_link():
    html = str(rich_text('[a" onmouseover="x](https://a.nl/p)'))
    assert 'href="https://a.nl/p" rel="external noopener">a&#34; onmouseover=&#34;x</a>' in html
