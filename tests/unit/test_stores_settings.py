from pathlib import Path

import pytest

from imagegraphics.settings import Settings, get_settings


def test_defaults_when_nothing_is_set():
    settings = Settings.from_env({})
    assert (settings.max_upload_bytes, settings.max_pixels, settings.max_side) == (50 * 1024 * 1024, 50_000_000, 10_000)
    assert (settings.url_expiry_seconds, settings.job_ttl_days, settings.endpoint_url) == (900, 30, None)


def test_values_come_from_the_environment():
    settings = Settings.from_env({"TABLE_NAME": "t", "JOBS_QUEUE_URL": "q", "MAX_UPLOAD_BYTES": "10",
                                  "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "MODELS_DIR": "/opt/models"})
    assert (settings.table_name, settings.jobs_queue_url, settings.max_upload_bytes) == ("t", "q", 10)
    assert settings.endpoint_url == "http://127.0.0.1:5000" and settings.models_dir == Path("/opt/models")


@pytest.mark.parametrize("raw", ["ten", "0", "-5"])
def test_bad_numbers_name_the_variable(raw):
    with pytest.raises(ValueError, match="MAX_PIXELS"):
        Settings.from_env({"MAX_PIXELS": raw})


def test_read_on_first_call_and_again_after_cache_clear(monkeypatch):
    monkeypatch.setenv("TABLE_NAME", "first")
    get_settings.cache_clear()
    assert get_settings().table_name == "first"
    monkeypatch.setenv("TABLE_NAME", "second")
    assert get_settings().table_name == "first"
    get_settings.cache_clear()
    assert get_settings().table_name == "second"
    get_settings.cache_clear()


def test_auth_cache_may_be_turned_off_but_not_negative():
    assert Settings.from_env({}).auth_cache_seconds == 60
    assert Settings.from_env({"AUTH_CACHE_SECONDS": "0"}).auth_cache_seconds == 0
    with pytest.raises(ValueError, match="AUTH_CACHE_SECONDS must be at least 0"):
        Settings.from_env({"AUTH_CACHE_SECONDS": "-1"})
