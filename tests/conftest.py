"""Shared fixtures. Like Brian2's own test suite, every test starts and ends on a clean runtime device."""
import os
import sys

import pytest


def _clean_runtime_device():
    """Return Brian2 to the runtime/numpy device with dt = 0.1 ms (cheap when already there)."""
    if "brian2" not in sys.modules:  # numpy-only tests never pay for Brian2
        return
    import brian2
    from brian2.devices import get_device, reinit_devices
    from brian2.devices.device import RuntimeDevice

    if not isinstance(get_device(), RuntimeDevice):
        reinit_devices()  # a standalone device leaks generated code and state otherwise
        brian2.set_device("runtime")
    brian2.prefs.codegen.target = "numpy"
    brian2.defaultclock.dt = 0.1 * brian2.ms


@pytest.fixture(autouse=True)
def fresh_brian_device():
    _clean_runtime_device()
    yield
    _clean_runtime_device()


@pytest.fixture(scope="session")
def standalone_cache(tmp_path_factory):
    """One build cache for the whole session, so a network shape compiles once per test run."""
    return os.environ.get("SPIKING_MEMORY_TEST_CACHE") or tmp_path_factory.mktemp("standalone-cache")
