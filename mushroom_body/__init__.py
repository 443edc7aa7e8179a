"""Fly mushroom body: PN -> KC expansion, APL feedback sparsification, dopamine-gated KC->MBON learning."""
