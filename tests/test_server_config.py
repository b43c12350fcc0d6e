"""The project's .streamlit/config.toml keeps the server's safe defaults."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT


def server_config() -> dict:
    with open(ROOT / ".streamlit" / "config.toml", "rb") as handle:
        return tomllib.load(handle)


def test_the_server_listens_on_this_machine_only_with_xsrf_protection_and_no_usage_statistics():
    config = server_config()
    assert {
        "address": config["server"]["address"],
        "enableXsrfProtection": config["server"]["enableXsrfProtection"],
        "gatherUsageStats": config["browser"]["gatherUsageStats"],
    } == {"address": "localhost", "enableXsrfProtection": True, "gatherUsageStats": False}


def test_uploads_have_a_size_limit_below_streamlits_default():
    limit = server_config()["server"]["maxUploadSize"]
    # Streamlit's own default is 200 MB; a limit must be set, positive and not larger
    assert isinstance(limit, int) and 0 < limit <= 200


def test_streamlit_reads_the_same_values_when_started_from_the_project(monkeypatch):
    """The file is where Streamlit looks for it: its option parser gives the values back."""
    from streamlit import config as streamlit_config

    monkeypatch.chdir(ROOT)
    streamlit_config.get_config_options(force_reparse=True)
    try:
        assert {
            "address": streamlit_config.get_option("server.address"),
            "xsrf": streamlit_config.get_option("server.enableXsrfProtection"),
            "usage": streamlit_config.get_option("browser.gatherUsageStats"),
            "upload": streamlit_config.get_option("server.maxUploadSize"),
        } == {
            "address": server_config()["server"]["address"],
            "xsrf": True,
            "usage": False,
            "upload": server_config()["server"]["maxUploadSize"],
        }
    finally:
        streamlit_config.get_config_options(force_reparse=True)
