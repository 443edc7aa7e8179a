"""Hippocampus / entorhinal cortex as modern-Hopfield (softmax) attention: abstract maths and the spiking network."""
