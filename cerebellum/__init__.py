"""Cerebellum as Kanerva's Sparse Distributed Memory: abstract SDM maths and the spiking circuit."""
