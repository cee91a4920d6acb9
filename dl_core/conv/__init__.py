"""Convolution arithmetic and filters in pure numpy: no Keras, so the Convolutions pages stay instant."""
