"""Pure-numpy maths of the Foundations pages (perceptron, activations, losses): no Keras."""
