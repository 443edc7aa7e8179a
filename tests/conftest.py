"""Shared fixtures. Like Brian2's own test suite, every test starts and ends on a fresh runtime device."""
import os

import pytest


@pytest.fixture(autouse=True)
def fresh_brian_device():
    """Reset Brian2's global device and clock around each test (standalone state never leaks)."""
    import brian2
    from brian2.devices import reinit_devices

    reinit_devices()
    brian2.set_device("runtime")
    brian2.prefs.codegen.target = "numpy"
    brian2.defaultclock.dt = 0.1 * brian2.ms
    yield
    reinit_devices()
    brian2.set_device("runtime")


@pytest.fixture(scope="session")
def standalone_cache(tmp_path_factory):
    """One build cache for the whole session, so a network shape compiles once per test run."""
    path = os.environ.get("SPIKING_MEMORY_TEST_CACHE") or tmp_path_factory.mktemp("standalone-cache")
    return path
