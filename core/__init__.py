"""Shared, Brian2-free layer of the project: checks, parameters, units, softmax, spike binning, JSON.

Both circuit packages (``cerebellum``, ``hippocampus``) and the protocols import from here; nothing
here imports a circuit package, and nothing imports Brian2 at module level (Brian2 is imported
inside the few functions that convert to or from Brian2 quantities), so the command line can check
names and syntax before paying for Brian2's import.
"""
