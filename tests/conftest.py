import pytest

from scenarios.loader import load_scenario


@pytest.fixture(scope="session")
def ukraine():
    return load_scenario("ukraine_response")
