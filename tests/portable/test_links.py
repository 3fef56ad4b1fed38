"""widget.text.links: which URLs from model output become links, and where they point."""

from widget.text.links import (
    ResolvedLink,
    canonical_path,
    display_host,
    encode_url,
    resolve_link,
    same_app,
)

PAGE = "https://user.github.io/repo/docs/page"
ROOT = "https://user.github.io/repo/"


def href(h, base=PAGE, site_root=None):
    r = resolve_link(h, base, site_root)
    return None if r is None else r.href


def refused(h, base=PAGE):
    return resolve_link(h, base) is None


# -- allowed ----------------------------------------------------------------------------------


def test_https_link_is_kept_and_external():
    r = resolve_link("https://docs.python.org/3/library/re.html", PAGE)
    assert r == ResolvedLink(
        href="https://docs.python.org/3/library/re.html",
        scheme="https",
        host="docs.python.org",
        external=True,
    )


def test_http_link_is_allowed():
    assert href("http://example.com/a") == "http://example.com/a"


def test_same_host_absolute_link_is_internal():
    r = resolve_link("https://user.github.io/repo/docs/intro", PAGE)
    assert r.external is False and r.host == "user.github.io"


def test_mailto_is_allowed_and_external():
    r = resolve_link("mailto:help@example.com?subject=Hi there", PAGE)
    assert r.href == "mailto:help@example.com?subject=Hi%20there"
    assert r.scheme == "mailto" and r.external is True and r.host == ""


def test_scheme_and_host_are_lower_cased():
    assert href("HTTPS://Docs.Python.ORG/Path") == "https://docs.python.org/Path"


def test_port_is_kept_and_part_of_the_host():
    r = resolve_link("http://localhost:8000/x", PAGE)
    assert r.href == "http://localhost:8000/x" and r.host == "localhost:8000"


def test_ipv6_host_is_allowed():
    assert href("https://[::1]:8443/x") == "https://[::1]:8443/x"


def test_numeric_hosts_are_shown_and_linked_as_the_address_the_browser_opens():
    # WHATWG URL: a host that ends in a number is an IPv4 address, in any of its spellings.
    for spelled in ("0x7f.1", "127.1", "2130706433", "0177.0.0.1", "0x7F000001", "127.0.0.1."):
        url = "http://%s/admin" % spelled
        assert href(url) == "http://127.0.0.1/admin", spelled
        assert display_host(url) == "127.0.0.1", spelled
    assert display_host("https://0x7f.0.0.1:8443/") == "127.0.0.1:8443"
    assert href("http://1.2.3.4/") == "http://1.2.3.4/"


def test_hosts_a_browser_refuses_as_addresses_are_refused():
    for spelled in (
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.3.09",
        "example.0x",
        "1..2",
        "0x1g.1",
        "4294967296",
    ):
        assert refused("http://%s/" % spelled), spelled
        assert display_host("http://%s/" % spelled) == "", spelled


def test_names_that_only_contain_digits_stay_names():
    assert href("https://a1.example/x") == "https://a1.example/x"
    assert href("https://1.example/x") == "https://1.example/x"
    assert href("https://example.com./x") == "https://example.com./x"


def test_dot_segments_are_removed():
    assert href("https://e.com/a/b/../c/./d") == "https://e.com/a/c/d"


# -- relative references (RFC 3986 §5.2) -------------------------------------------------------


def test_root_relative_citation_resolves_on_the_site_host():
    r = resolve_link("/docs/intro#setup", PAGE)
    assert r.href == "https://user.github.io/docs/intro#setup" and r.external is False


def test_root_relative_citation_under_site_root_gets_the_base_path():
    assert (
        href("/docs/intro#setup", site_root=ROOT) == "https://user.github.io/repo/docs/intro#setup"
    )


def test_root_relative_path_already_under_site_root_is_not_doubled():
    assert href("/repo/docs/intro", site_root=ROOT) == "https://user.github.io/repo/docs/intro"


def test_site_root_without_trailing_slash_works():
    assert (
        href("/docs/a", site_root="https://user.github.io/repo")
        == "https://user.github.io/repo/docs/a"
    )


def test_site_root_alone_serves_as_the_base():
    r = resolve_link("intro", None, ROOT)
    assert r.href == "https://user.github.io/repo/intro" and r.external is False


# -- the site's trailingSlash (canonical URLs) -------------------------------------------------


def slashed(h, trailing_slash, base=PAGE):
    return resolve_link(h, base, ROOT, trailing_slash).href


def test_trailing_slash_true_adds_the_slash_to_every_same_site_page():
    assert slashed("/docs/sensors#lidar", True) == "https://user.github.io/repo/docs/sensors/#lidar"
    assert slashed("intro?x=1#a", True) == "https://user.github.io/repo/docs/intro/?x=1#a"
    assert slashed("https://user.github.io/repo/docs/a", True) == (
        "https://user.github.io/repo/docs/a/"
    )
    assert slashed("/repo/docs/a/", True) == "https://user.github.io/repo/docs/a/"


def test_trailing_slash_false_removes_it_but_the_site_base_keeps_its_own():
    assert (
        slashed("/docs/sensors/#lidar", False) == "https://user.github.io/repo/docs/sensors#lidar"
    )
    assert slashed("/repo/docs/a//?q=1", False) == "https://user.github.io/repo/docs/a?q=1"
    assert slashed("/repo/", False) == "https://user.github.io/repo/"
    assert slashed("/repo", False) == "https://user.github.io/repo/"
    assert slashed("/repo", True) == "https://user.github.io/repo/"


def test_trailing_slash_leaves_files_other_sites_and_an_unknown_setting_alone():
    for trailing_slash in (True, False):
        assert slashed("/files/manual.pdf", trailing_slash) == (
            "https://user.github.io/repo/files/manual.pdf"
        )
        assert slashed("/repo/sitemap.xml#x", trailing_slash).endswith("/repo/sitemap.xml#x")
        assert slashed("https://example.org/a/", trailing_slash) == "https://example.org/a/"
        assert slashed("https://user.github.io/other/a/", trailing_slash) == (
            "https://user.github.io/other/a/"
        )
    assert slashed("/docs/v1.2", True) == "https://user.github.io/repo/docs/v1.2/"  # a page
    assert slashed("/docs/a/", None) == "https://user.github.io/repo/docs/a/"
    assert slashed("/docs/a", None) == "https://user.github.io/repo/docs/a"
    # without the site's base nothing is known to be the site's
    assert resolve_link("/docs/a", PAGE, None, True).href == "https://user.github.io/docs/a"


def test_canonical_path_is_the_one_rule():
    assert canonical_path("/repo/a", "/repo/", True) == "/repo/a/"
    assert canonical_path("/repo/a/", "/repo", False) == "/repo/a"
    assert canonical_path("/repo/a.html", "/repo/", True) == "/repo/a.html"
    assert canonical_path("/repo/.hidden", "/repo/", True) == "/repo/.hidden/"
    assert canonical_path("/repo/a.", "/repo/", True) == "/repo/a./"
    assert canonical_path("/elsewhere/a", "/repo/", True) == "/elsewhere/a"
    assert canonical_path("/", "/", False) == "/"
    assert canonical_path("/a/", "/", False) == "/a"


LOCALES = ["/repo/", "/repo/fr/", "/repo/pt-BR/"]


def test_each_locale_of_a_site_is_its_own_app():
    # the router of the English app cannot show a French page, and the other way round
    assert same_app("/repo/docs/a/", "/repo/docs/b/", LOCALES)
    assert same_app("/repo/fr/docs/a/", "/repo/fr/docs/b", LOCALES)
    assert same_app("/repo/fr", "/repo/fr/docs/b", LOCALES)  # the locale's home without slash
    assert not same_app("/repo/fr/docs/a/", "/repo/docs/a/", LOCALES)
    assert not same_app("/repo/docs/a/", "/repo/fr/docs/a/", LOCALES)
    assert not same_app("/repo/fr/docs/a/", "/repo/pt-BR/docs/a/", LOCALES)
    assert same_app("/repo/france/x", "/repo/docs/x", LOCALES)  # a prefix is not a segment
    assert not same_app("/repo/docs/a/", "/other/docs/a/", LOCALES)  # under no base at all
    # no bases (a site without locales): one app
    assert same_app("/repo/fr/docs/a/", "/repo/docs/a/", [])
    assert same_app("/repo/x", "/repo/fr/x", ["/repo"])


def test_relative_page_resolves_against_the_page():
    assert href("intro") == "https://user.github.io/repo/docs/intro"


def test_parent_directory_reference():
    assert href("../x") == "https://user.github.io/repo/x"


def test_parent_references_cannot_climb_above_the_root():
    assert href("../../../../x") == "https://user.github.io/x"


def test_fragment_only_reference_stays_on_the_page():
    assert href("#anchor") == PAGE + "#anchor"


def test_query_only_reference_replaces_the_query():
    assert href("?q=1", PAGE + "?old=2#f") == PAGE + "?q=1"


def test_empty_reference_is_the_page_itself():
    assert href("", PAGE + "?a=1#frag") == PAGE + "?a=1"


def test_relative_reference_without_base_stays_relative_and_encoded():
    r = resolve_link("docs/a b/ü", None)
    assert r == ResolvedLink(href="docs/a%20b/%C3%BC", scheme="", host="", external=False)


def test_protocol_relative_takes_the_base_scheme_and_is_external():
    r = resolve_link("//evil.example/x", PAGE)
    assert r.href == "https://evil.example/x" and r.external is True


def test_protocol_relative_without_base_gets_https():
    assert href("//cdn.example/x", None) == "https://cdn.example/x"


def test_protocol_relative_to_the_site_host_is_internal():
    assert resolve_link("//user.github.io/repo/x", PAGE).external is False


def test_invalid_base_is_ignored():
    assert href("intro", "javascript:alert(1)") == "intro"
    assert href("intro", "not a url") == "intro"


# -- refused schemes ---------------------------------------------------------------------------


def test_javascript_is_refused():
    assert refused("javascript:alert(1)")


def test_javascript_in_mixed_case_is_refused():
    assert refused("JaVaScRiPt:alert(1)")


def test_leading_and_trailing_spaces_and_controls_are_stripped_then_judged():
    assert refused("  \x01\x1f javascript:alert(1) \x00 ")


def test_tab_newline_inside_the_scheme_are_removed_then_judged():
    assert refused("java\tscr\nipt:alert(1)")
    assert refused("java\rscript:alert(1)")


def test_other_control_characters_refuse_the_link():
    assert refused("https://e.com/\x07x")
    assert refused("https://e.com/\x7fx")


def test_vbscript_data_file_blob_and_unknown_schemes_are_refused():
    for h in (
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
        "blob:https://e.com/uuid",
        "ftp://e.com/x",
        "irc://e.com",
        "made-up-scheme://x",
        "a+b+c:d",
    ):
        assert refused(h), h


def test_percent_encoded_scheme_is_refused():
    assert refused("%6Aavascript:alert(1)")
    assert refused("JaVa%53cript:alert(1)")
    assert refused("%2526%2374;avascript:x")  # double percent-encoding


def test_entity_encoded_scheme_is_refused():
    assert refused("&#106;avascript:alert(1)")
    assert refused("&#x6A;avascript:alert(1)")
    assert refused("&#0000106&#0000097vascript:alert(1)")  # no semicolons, zero padding
    assert refused("&#x26;#74;avascript:alert(1)")  # double encoding


def test_entity_encoded_colon_is_refused():
    assert refused("javascript&colon;alert(1)")
    assert refused("javascript&#58;alert(1)")
    assert refused("javascript&#x3A;alert(1)")


def test_scheme_like_first_segment_in_a_relative_reference_is_refused():
    assert refused("a:b")


def test_colon_after_a_non_scheme_character_is_a_plain_path():
    assert href("foo):") == "https://user.github.io/repo/docs/foo):"
    assert href("p?x=a:b") == "https://user.github.io/repo/docs/p?x=a:b"
    assert href("1a:b") == "https://user.github.io/repo/docs/1a:b"


def test_backslash_that_a_browser_reads_as_slash_is_refused():
    assert refused("/\\evil.example/x")
    assert refused("\\\\evil.example")
    assert refused("https:\\\\evil.example")
    assert refused("https:/\\evil.example")


def test_harmless_backslash_is_percent_encoded():
    assert href("foo\\bar") == "https://user.github.io/repo/docs/foo%5Cbar"


def test_http_without_authority_is_refused():
    assert refused("http:evil.example")
    assert refused("https:/evil.example")
    assert refused("https://")


def test_userinfo_is_refused():
    assert refused("https://docs.python.org@evil.example/")
    assert refused("https://user:pw@e.com/")


def test_non_ascii_host_is_refused():
    assert refused("https://еxample.com/")  # Cyrillic "е"
    assert refused("https://例え.jp/")


def test_bad_host_characters_and_ports_are_refused():
    assert refused("https://exa mple.com/")
    assert refused("https://e.com:80x/")
    assert refused("https://[zz::1]/")
    assert refused("https://[::1/")


def test_empty_port_is_dropped():
    assert href("https://e.com:/a") == "https://e.com/a"


def test_mailto_needs_an_address():
    assert refused("mailto:")
    assert refused("mailto://x")


# -- encoding and display ----------------------------------------------------------------------


def test_href_is_percent_encoded_but_existing_escapes_are_kept():
    assert (
        href('https://e.com/a b"<>`{}|%41%zz') == "https://e.com/a%20b%22%3C%3E%60%7B%7D%7C%41%25zz"
    )


def test_encode_url_keeps_the_reserved_set():
    assert encode_url("/a;b/c?d=e&f=g#h:i@j!k*l'(m)~n,$+") == "/a;b/c?d=e&f=g#h:i@j!k*l'(m)~n,$+"
    assert encode_url("%") == "%25" and encode_url("%4") == "%254"


def test_display_host_is_the_real_host():
    assert display_host("https://Docs.Python.org:8443/x") == "docs.python.org:8443"
    for h in ("https://docs.python.org/3/", "/docs/intro", "//x.example/y"):
        r = resolve_link(h, PAGE)
        assert display_host(r.href) == r.host


def test_display_host_is_empty_for_non_http():
    assert display_host("mailto:a@b.c") == ""
    assert display_host("javascript:alert(1)") == ""
    assert display_host("/relative") == ""
    assert display_host("https://a@b.com/") == ""
    assert display_host("https://e.com/a\x01b") == ""


def test_resolution_is_idempotent():
    for h in ("/docs/a b", "intro#x", "https://E.com/a/../b", "mailto:a@b.c"):
        first = resolve_link(h, PAGE)
        assert resolve_link(first.href, PAGE) == first


def test_resolved_link_repr_and_equality():
    r = resolve_link("https://e.com/", PAGE)
    assert "e.com" in repr(r)
    assert r != "https://e.com/" and r == resolve_link("https://e.com/", PAGE)


def test_trailing_dot_segments_keep_a_trailing_slash():
    assert href("https://e.com/a/b/.") == "https://e.com/a/b/"
    assert href("https://e.com/a/b/..") == "https://e.com/a/"


def test_percent_escapes_of_non_ascii_and_stray_ampersands_are_plain_paths():
    assert href("%C3%A9t%C3%A9:x") == "https://user.github.io/repo/docs/%C3%A9t%C3%A9:x"
    assert href("a&b&#;c&#x;d") == "https://user.github.io/repo/docs/a&b&#;c&#x;d"


def test_unusable_base_urls_are_ignored():
    for base in ("https://a b/", "https://e.com/\x01x", "mailto:a@b.c", "https://", ""):
        assert href("intro", base) == "intro", base


def test_many_different_bases_each_resolve_correctly():
    for i in range(20):
        base = "https://site%d.example/docs/page" % i
        assert href("x", base) == "https://site%d.example/docs/x" % i
