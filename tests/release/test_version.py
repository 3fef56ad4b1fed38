"""The version is written once, in VERSION; every place that shows it must agree: the loader
(window.ChatKitWidget.version), the wheel and the sdist (names and metadata), the installed
command, the plugin's packed package.json. (widget/ and backend/ carry no __version__ of their
own: the installed distribution's metadata is the Python answer.)"""

from __future__ import annotations

import email
import json
import re
import tarfile
import zipfile

from devtools.plugin_pack import pack_plugin
from devtools.release import Artifacts
from devtools.version import release_version
from tests.release.conftest import Venv

VERSION = release_version()


def test_version_file_holds_a_plain_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)


def test_the_loader_says_the_release_and_its_build(dist):
    # the minified loader's manifest: {boot:"...",...,version:"..."} (devtools/bundle.py)
    loader = (dist / "loader.js").read_text()
    version = re.search(r'\bversion:"([^"]+)"', loader).group(1)
    assert re.fullmatch(re.escape(VERSION) + r"\+[0-9a-f]{10}", version)


def test_the_artifacts_carry_the_version(artifacts: Artifacts):
    assert artifacts.wheel.name == "chatkit_widget-%s-py3-none-any.whl" % VERSION
    assert artifacts.sdist.name == "chatkit_widget-%s.tar.gz" % VERSION
    with zipfile.ZipFile(artifacts.wheel) as whl:
        meta = email.message_from_bytes(whl.read("chatkit_widget-%s.dist-info/METADATA" % VERSION))
    assert meta["Version"] == VERSION
    with tarfile.open(artifacts.sdist) as sdist:
        pkg_info = sdist.extractfile("chatkit_widget-%s/PKG-INFO" % VERSION)
        assert pkg_info is not None
        assert email.message_from_bytes(pkg_info.read())["Version"] == VERSION


def test_the_installed_command_says_the_version(wheel_venv: Venv, tmp_path):
    out = wheel_venv.run("chatkit-widget", "--version", cwd=tmp_path)
    assert out.stdout == "chatkit-widget %s\n" % VERSION


def test_the_plugin_tarball_carries_the_version(dist):
    with tarfile.open(pack_plugin()) as tgz:
        package = tgz.extractfile("package/package.json")
        assert package is not None
        assert json.load(package)["version"] == VERSION
