"""Progress bar over simulated seconds (tqdm), shared by the runtime engine and the child supervisor."""
from __future__ import annotations

import sys


def make_bar(total_s: float, quiet: bool = False):
    """A tqdm bar over simulated seconds (hidden when stderr is not a terminal)."""
    from tqdm import tqdm

    return tqdm(total=round(total_s, 3), unit="sim s", unit_scale=False, dynamic_ncols=True,
                disable=True if quiet else None, file=sys.stderr,
                bar_format="{l_bar}{bar}| {n:.1f}/{total:.1f} sim s [{elapsed}<{remaining}{postfix}]")
