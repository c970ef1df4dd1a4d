"""Shared fixtures: tiny random-weight Marian models built once per test session.

The models have real SentencePiece tokenizers (trained here on our own small corpus)
and are loaded through the real loader, so every test exercises the real code paths;
only the weights are random.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from translate_pipe.config import Config, load_config
from translate_pipe.testing import build_random_marian

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: The published schemas our files must validate against, shipped with the tests.
STANDARDS = FIXTURES / "standards"
TMX_DTD = STANDARDS / "tmx14.dtd"
XLIFF_SCHEMAS = STANDARDS / "xliff"

# No test may reach for a model hub: a hub id must fail fast with our message.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def conversion_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CTranslate2 conversions go to a per-session folder, never the user's cache."""
    folder = tmp_path_factory.mktemp("ct2-cache")
    os.environ["TRANSLATE_PIPE_CACHE"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    return {
        "en-fr": build_random_marian(root / "opus-mt-en-fr", "en-fr", seed=1),
        "en-ar": build_random_marian(root / "opus-mt-en-ar", "en-ar", seed=2, target_token=">>ara<<"),
    }


@pytest.fixture(scope="session")
def model_args(tiny_models: dict[str, Path]) -> list[str]:
    return [arg for pair, path in tiny_models.items() for arg in ("--model", f"{pair}={path}")]


@pytest.fixture()
def fast_config_file(tmp_path: Path) -> Path:
    """Short outputs keep random-weight decoding fast; everything else is the default."""
    path = tmp_path / "fast.yaml"
    path.write_text("translate:\n  max_length: 12\n  beam_size: 2\n  batch_size: 8\n", encoding="utf-8")
    return path


@pytest.fixture()
def fast_config(fast_config_file: Path) -> Config:
    return load_config(fast_config_file)


@pytest.fixture()
def releases_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "releases"
    shutil.copytree(FIXTURES / "releases", folder)
    return folder


@pytest.fixture()
def seed_release() -> Path:
    path = SHARED_DATA / "seed_release.txt"
    if not path.exists():
        pytest.skip("shared/data is not beside this checkout")
    return path


@pytest.fixture()
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Selenium (skipped where it is not installed, unless CI asks)."""
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        if os.environ.get("TRANSLATE_PIPE_REQUIRE_BROWSER"):
            pytest.fail("chromium and chromedriver are required here (TRANSLATE_PIPE_REQUIRE_BROWSER is set)")
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    # The background-networking flags stop Chromium reaching for the network this machine does not have.
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a PostgreSQL server the tests may create databases on.

    TRANSLATE_PIPE_TEST_POSTGRES names an existing one; otherwise a throwaway server is
    started for the session (skipped where PostgreSQL is not installed, unless
    TRANSLATE_PIPE_REQUIRE_POSTGRES is set, as CI does).
    """
    from tests.postgres_server import server_programs, throwaway_server

    if os.environ.get("TRANSLATE_PIPE_TEST_POSTGRES"):
        yield os.environ["TRANSLATE_PIPE_TEST_POSTGRES"]
        return
    if server_programs() is None:
        if os.environ.get("TRANSLATE_PIPE_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required here (TRANSLATE_PIPE_REQUIRE_POSTGRES is set)")
        pytest.skip("PostgreSQL's server is not installed (Debian package postgresql)")
    with throwaway_server() as url:
        yield url


@pytest.fixture()
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    from tests.postgres_server import fresh_database

    with fresh_database(postgres_server) as url:
        yield url
