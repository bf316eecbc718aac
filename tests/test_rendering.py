"""Markdown rendering: CommonMark with highlighting, and nothing unsafe gets through."""

from __future__ import annotations

import functools
import re

import pytest
from jinja2 import Environment
from markupsafe import Markup

from quizapp.rendering import pygments_css, render_inline, render_markdown

TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
EVENT_OR_STYLE = re.compile(r"\bon[a-z]+\s*=|\bstyle\s*=|\bsrc\s*=", re.IGNORECASE)
ALLOWED_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "span", "a", "ul", "ol", "li", "blockquote",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "s", "hr",
}  # fmt: skip


def test_commonmark_basics() -> None:
    html = render_markdown("Some *em*, **strong**, `code` and a [link](https://example.com).")
    assert html == Markup(
        "<p>Some <em>em</em>, <strong>strong</strong>, <code>code</code> and a "
        '<a href="https://example.com" rel="noopener noreferrer nofollow">link</a>.</p>\n'
    )


def test_tables_strikethrough_lists_quotes_rules() -> None:
    html = render_markdown(
        "| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~gone~~\n\n3. three\n4. four\n\n> quoted\n\n---\n"
    )
    for fragment in ("<table>", "<th>a</th>", "<td>2</td>", "<s>gone</s>", '<ol start="3">',
                     "<li>four</li>", "<blockquote>", "<hr>"):  # fmt: skip
        assert fragment in html
    assert "style=" not in html  # column alignment styles are not let through


def test_headings_start_below_the_page_headings() -> None:
    html = render_markdown("# One\n\n## Two\n\n#### Four\n\n###### Six")
    assert "<h3>One</h3>" in html and "<h4>Two</h4>" in html
    assert "<h6>Four</h6>" in html and "<h6>Six</h6>" in html
    assert "<h1" not in html and "<h2" not in html


def test_fenced_code_is_highlighted_with_classes() -> None:
    html = render_markdown('```python\ndef f(x):\n    return "<b>"\n```')
    assert html.startswith('<pre><code class="highlight">')
    assert '<span class="k">def</span>' in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "style=" not in html


@pytest.mark.parametrize("info", ["", "no-such-language", 'python" onmouseover="x'])
def test_unknown_or_missing_language_is_plain_escaped_code(info: str) -> None:
    html = render_markdown(f"```{info}\n<script>alert(1)</script>\n```")
    if info.startswith("python"):
        assert "onmouseover" not in html
        return
    assert html == Markup("<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n")


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "x <script>alert(1)</script> y",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        "[x](data:text/html,<script>alert(1)</script>)",
        '<a href="vbscript:msgbox(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<div onclick="alert(1)">x</div>',
        '<span style="position:fixed">x</span>',
        "<svg><script>alert(1)</script></svg>",
        "<style>body{display:none}</style>",
        '<form action="https://evil.example"><input name=x></form>',
        "![img](https://evil.example/x.png)",
        '<a href="/admin/delete">relative</a>',
        '<a href="//evil.example">protocol-relative</a>',
    ],
)
def test_hostile_markup_is_neutralised(hostile: str) -> None:
    for html in (render_markdown(hostile), render_inline(hostile)):
        # Whatever survives as text is escaped; every real tag is allowed and harmless.
        for tag, attributes in TAG.findall(html):
            assert tag.lower() in ALLOWED_TAGS, (hostile, html)
            assert not EVENT_OR_STYLE.search(attributes), (hostile, html)
            for href in re.findall(r'href="([^"]*)"', attributes):
                assert href.startswith(("https://", "http://", "mailto:")), (hostile, html)
        assert "<script" not in html.lower()


def test_only_safe_links_keep_their_href() -> None:
    html = render_markdown("[a](https://a.example) [b](http://b.example) [c](mailto:c@d.example)")
    assert re.findall(r'href="([^"]+)"', html) == [
        "https://a.example", "http://b.example", "mailto:c@d.example"
    ]  # fmt: skip
    assert html.count('rel="noopener noreferrer nofollow"') == 3


def test_span_classes_are_limited_to_highlighting() -> None:
    html = render_markdown('<span class="k evil">x</span> <span id="y">z</span>')
    assert '<span class="k">x</span>' in html and "evil" not in html and "id=" not in html


@pytest.mark.parametrize("text", ["{{ 7*7 }}", "{% raw %}x{% endraw %}", "{{ config }}"])
def test_template_syntax_stays_literal(text: str) -> None:
    html = render_markdown(text)
    assert text in html
    # Inserted into a template, the bank text is shown, never evaluated.
    page = Environment(autoescape=True).from_string("<div>{{ body }}</div>").render(body=html)
    assert text in page and "49" not in page


def test_render_inline_has_no_blocks() -> None:
    html = render_inline("*a* <div>b</div>\n\n# c `d`")
    assert "<p>" not in html and "<div>" not in html and "<h" not in html
    assert "<em>a</em>" in html and "<code>d</code>" in html


def test_output_is_markup_and_escaped_text_stays_escaped() -> None:
    html = render_markdown("a < b & c > d")
    assert isinstance(html, Markup)
    assert html == Markup("<p>a &lt; b &amp; c &gt; d</p>\n")
    assert render_markdown("") == Markup("")


def test_rendering_is_pure_and_cacheable() -> None:
    cached = functools.lru_cache(maxsize=16)(render_markdown)
    assert cached("**x**") is cached("**x**")
    assert cached("**x**") == render_markdown("**x**")


def test_pygments_css_has_light_and_dark_and_only_scoped_rules() -> None:
    css = pygments_css()
    light, _, dark = css.partition("@media (prefers-color-scheme: dark) {")
    assert ".highlight .k {" in light and ".highlight .k {" in dark
    assert dark.rstrip().endswith("}")
    rules = [line.strip() for line in css.splitlines() if "{" in line and "@media" not in line]
    assert rules and all(rule.startswith(".highlight") for rule in rules)
    assert "background" in light and "background" in dark
